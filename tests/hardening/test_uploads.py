"""Uploads: size limit, type by the bytes (not the name), server-generated names
outside any URL, one check for pages, API and admin; downloads as attachments."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from agreements import services
from agreements.models import Document
from agreements.uploads import DOCX, JPEG, PDF, PNG, XLSX, inspect_upload
from tests.api.problems import field_messages
from tests.factories import AgreementFactory

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9"
EXE_BYTES = b"MZ\x90\x00" + bytes(200)
HTML_BYTES = b"<html><script>alert(1)</script></html>"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.pdf", PDF_BYTES, PDF),
        ("a.png", PNG_BYTES, PNG),
        ("a.jpg", JPEG_BYTES, JPEG),
        ("a.docx", _docx(), DOCX),
        ("a.xlsx", _xlsx(), XLSX),
        # The name does not matter, the bytes do.
        ("photo.pdf", PNG_BYTES, PNG),
        ("noextension", PDF_BYTES, PDF),
    ],
)
def test_allowed_types_are_recognised_by_their_bytes(name, data, expected):
    info = inspect_upload(_upload(name, data))
    assert info.content_type == expected
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("letter.pdf", EXE_BYTES),  # a program named like a PDF
        ("scan.png", HTML_BYTES),  # a page named like an image
        ("table.xlsx", _zip({"[Content_Types].xml": b"", "ppt/slide1.xml": b""})),
        ("archive.docx", _zip({"word/document.xml": b""})),  # no content types: not Office
        ("plain.zip", _zip({"readme.txt": b"hello"})),
        ("broken.docx", b"PK\x03\x04" + bytes(40)),
    ],
)
def test_other_bytes_are_refused_whatever_the_name(name, data):
    with pytest.raises(ValidationError) as caught:
        inspect_upload(_upload(name, data))
    assert caught.value.code == "file_type"


def test_size_limit_and_empty_file(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        inspect_upload(_upload("big.pdf", PDF_BYTES + bytes(2000)))
    assert caught.value.code == "too_large"
    with pytest.raises(ValidationError) as caught:
        inspect_upload(_upload("empty.pdf", b""))
    assert caught.value.code == "empty"


@pytest.mark.django_db
def test_save_record_checks_and_records_the_file(personas, media):
    agreement = AgreementFactory(home_city=personas.tehran)
    document = Document(
        agreement=agreement, kind="letter", file=_upload("../../scan.pdf", PNG_BYTES)
    )
    services.save_record(record=document, by=personas.officer)
    document.refresh_from_db()
    assert document.content_type == PNG
    assert document.size == len(PNG_BYTES)
    assert document.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    assert document.original_name == "scan.pdf"
    # A server-made name with the detected type's extension, under MEDIA_ROOT only.
    assert re.fullmatch(r"documents/\d{4}/\d\d/[0-9a-f]{32}\.png", document.file.name)
    stored = Path(document.file.path)
    assert stored.read_bytes() == PNG_BYTES
    assert stored.resolve().is_relative_to(Path(media).resolve())


@pytest.mark.django_db
def test_save_record_refuses_a_disguised_file_and_saves_nothing(personas, media):
    agreement = AgreementFactory(home_city=personas.tehran)
    document = Document(agreement=agreement, kind="letter", file=_upload("letter.pdf", EXE_BYTES))
    with pytest.raises(ValidationError) as caught:
        services.save_record(record=document, by=personas.officer)
    assert "file" in caught.value.error_dict
    assert not Document.objects.exists()
    assert not [p for p in Path(media).rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_editing_a_document_does_not_recheck_the_stored_file(personas, media):
    agreement = AgreementFactory(home_city=personas.tehran)
    document = Document(agreement=agreement, kind="letter", file=_upload("a.pdf", PDF_BYTES))
    services.save_record(record=document, by=personas.officer)
    document = Document.objects.get()
    document.title = "Letter from the mayor"
    services.save_record(record=document, by=personas.officer, expected_version=document.version)
    document.refresh_from_db()
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()


@pytest.mark.django_db
def test_page_upload_refuses_a_disguised_file(personas, media):
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.officer)
    response = client.post(
        f"/agreements/{agreement.pk}/documents/new/",
        {"kind": "letter", "title": "x", "file": _upload("letter.pdf", EXE_BYTES)},
    )
    assert response.status_code in (200, 400, 422)
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_api_upload_refuses_a_disguised_file(personas, media):
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.officer)
    response = client.post(
        f"/api/v1/agreements/{agreement.pk}/documents/",
        {"kind": "letter", "title": "x", "file": _upload("letter.pdf", EXE_BYTES)},
    )
    assert response.status_code == 400
    assert "file" in field_messages(response)
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_admin_upload_goes_through_the_same_check(personas, media):
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.admin)
    url = "/admin/agreements/document/add/"
    data = {"agreement": agreement.pk, "kind": "letter", "title": "x", "reason": "Scanned"}
    response = client.post(url, {**data, "file": _upload("letter.pdf", EXE_BYTES)})
    assert response.status_code == 200  # the form again, with the error
    assert not Document.objects.exists()
    response = client.post(url, {**data, "file": _upload("scan.pdf", JPEG_BYTES)})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.content_type == JPEG
    assert document.sha256 == hashlib.sha256(JPEG_BYTES).hexdigest()
    assert document.file.name.endswith(".jpg")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["page", "api"])
def test_download_only_for_those_who_may_see_it_and_as_an_attachment(personas, media, path):
    agreement = AgreementFactory(home_city=personas.tehran)
    document = Document(agreement=agreement, kind="letter", file=_upload("a.pdf", PDF_BYTES))
    services.save_record(record=document, by=personas.officer)
    url = (
        f"/agreements/{agreement.pk}/documents/{document.pk}/download/"
        if path == "page"
        else f"/api/v1/agreements/{agreement.pk}/documents/{document.pk}/file/"
    )
    client = Client()
    client.force_login(personas.viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES
    for outsider in [personas.outsider, personas.isfahan_officer]:
        client.force_login(outsider)
        assert client.get(url).status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code in (302, 401, 403)
