"""The API's file answers: a memorandum version's PDF, the dossier, the signed-MoU
ZIP of one agreement and of the filtered list (agreements/api/documents.py), the
same bytes, names and refusals as the pages (agreements/views/files.py, bulk.py)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.models import Document, ExportFormat, ExportJob
from agreements.pdf import freeze_pdf
from tests.api.problems import field_messages, problem
from tests.factories import AgreementFactory, CityFactory, MemorandumFactory
from tests.pdf_helpers import attachments

pytestmark = pytest.mark.django_db

STORED = b"%PDF-1.7 frozen bytes \x00\x01"
SCAN = b"%PDF-1.4 signed scan"


def _frozen(agreement, content: bytes = STORED, **fields):
    memorandum = MemorandumFactory(agreement=agreement, **fields)
    memorandum.pdf.save("frozen.pdf", ContentFile(content), save=False)
    memorandum.pdf_sha256 = hashlib.sha256(content).hexdigest()
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    return memorandum


def _scan(agreement, memorandum) -> Document:
    scan = Document(agreement=agreement, memorandum=memorandum, kind="signed_mou")
    scan.file.save("scan.pdf", ContentFile(SCAN), save=False)
    scan.sha256 = hashlib.sha256(SCAN).hexdigest()
    scan.save()
    return scan


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _page(user, url: str, language: str | None = None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client.get(url)


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


@pytest.fixture
def signed(agreement):
    memorandum = _frozen(agreement)
    _scan(agreement, memorandum)
    return memorandum


def _urls(agreement, memorandum) -> list[str]:
    return [
        f"/api/v1/memoranda/{memorandum.pk}/pdf",
        f"/api/v1/agreements/{agreement.pk}/memorandum.pdf",
        f"/api/v1/agreements/{agreement.pk}/dossier.pdf",
        f"/api/v1/agreements/{agreement.pk}/signed-mou.zip",
    ]


def test_reverse_names():
    assert reverse("api:memorandum-pdf", args=[3]) == "/api/v1/memoranda/3/pdf"
    assert reverse("api:agreement-dossier-pdf", args=[7]) == "/api/v1/agreements/7/dossier.pdf"
    assert (
        reverse("api:agreement-signed-mou-zip", args=[7]) == "/api/v1/agreements/7/signed-mou.zip"
    )
    assert (
        reverse("api:agreement-signed-memoranda-zip") == "/api/v1/agreements/signed-memoranda.zip"
    )


# --- A memorandum version's PDF ---------------------------------------------------------------


def test_a_frozen_version_is_its_stored_file_byte_for_byte(personas, agreement, client_for):
    memorandum = _frozen(agreement)
    response = client_for(personas.viewer).get(f"/api/v1/memoranda/{memorandum.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response) == STORED
    page = _page(
        personas.viewer, reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk])
    )
    assert response["Content-Disposition"] == page["Content-Disposition"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="agreement-{agreement.pk}-memorandum-v{memorandum.number}.pdf"'
    )


def test_each_version_has_its_own_pdf(personas, agreement, client_for):
    first = _frozen(agreement, number=1)
    draft = MemorandumFactory(agreement=agreement, number=2)
    api = client_for(personas.officer)

    assert _body(api.get(f"/api/v1/memoranda/{first.pk}/pdf")) == STORED
    latest = api.get(f"/api/v1/agreements/{agreement.pk}/memorandum.pdf")
    version = api.get(f"/api/v1/memoranda/{draft.pk}/pdf")

    for response in (latest, version):
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF") and response.content != STORED
    page = _page(
        personas.officer, reverse("agreements:memorandum-pdf", args=[agreement.pk, draft.pk])
    )
    assert latest["Content-Disposition"] == version["Content-Disposition"]
    assert version["Content-Disposition"] == page["Content-Disposition"]
    assert "-v2-draft.pdf" in version["Content-Disposition"]


def test_a_stored_file_changed_on_disk_is_refused_as_the_page_refuses_it(
    personas, agreement, client_for
):
    memorandum = _frozen(agreement)
    _scan(agreement, memorandum)
    with open(memorandum.pdf.path, "wb") as changed:
        changed.write(b"%PDF-1.7 tampered")
    api = client_for(personas.viewer)
    for url in _urls(agreement, memorandum):
        if url.endswith("dossier.pdf"):
            continue  # rendered, not stored
        body = problem(api.get(url), 409, "file_mismatch")
        assert "%PDF" not in body["detail"]
    page = _page(
        personas.viewer, reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk])
    )
    assert page.status_code == 409


def test_a_missing_stored_file_is_refused(personas, agreement, client_for):
    memorandum = _frozen(agreement)
    memorandum.pdf.storage.delete(memorandum.pdf.name)
    response = client_for(personas.viewer).get(f"/api/v1/memoranda/{memorandum.pk}/pdf")
    problem(response, 409, "file_mismatch")


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["viewer", "officer", "approver", "admin"])
def test_whoever_sees_the_agreement_gets_its_files(personas, agreement, signed, client_for, name):
    api = client_for(getattr(personas, name))
    for url in _urls(agreement, signed):
        if url.endswith("dossier.pdf"):
            continue  # rendered once below: the slowest of them
        assert api.get(url).status_code == 200, url


def test_other_municipalities_files_are_404(personas, agreement, signed, client_for):
    api = client_for(personas.isfahan_officer)
    for url in _urls(agreement, signed):
        problem(api.get(url), 404, "not_found")
    for name, args in [
        ("memorandum-pdf", [agreement.pk, signed.pk]),
        ("dossier-pdf", [agreement.pk]),
        ("signed-mou-export", [agreement.pk]),
    ]:
        page = _page(personas.isfahan_officer, reverse(f"agreements:{name}", args=args))
        assert page.status_code == 404, name


def test_without_a_role_403_and_without_a_token_401(personas, agreement, signed, client_for):
    for url in _urls(agreement, signed) + ["/api/v1/agreements/signed-memoranda.zip"]:
        problem(client_for(personas.outsider).get(url), 403, "forbidden")
        problem(client_for(None).get(url), 401, "not_authenticated")


def test_unknown_ids_are_404(personas, client_for):
    api = client_for(personas.viewer)
    problem(api.get("/api/v1/memoranda/999999/pdf"), 404, "not_found")
    problem(api.get("/api/v1/agreements/999999999999999999999/dossier.pdf"), 404, "not_found")


def test_files_are_read_only(personas, agreement, signed, client_for):
    api = client_for(personas.officer)
    for url in _urls(agreement, signed) + ["/api/v1/agreements/signed-memoranda.zip"]:
        problem(api.post(url), 405, "method_not_allowed")


def test_format_names_the_file_or_is_406_never_404(personas, agreement, signed, client_for):
    api = client_for(personas.viewer)
    url = f"/api/v1/memoranda/{signed.pk}/pdf"
    assert _body(api.get(url, {"format": "pdf"})) == STORED
    assert _body(api.get(url, {"format": "json"})) == STORED
    problem(api.get(url, {"format": "csv"}), 406, "not_acceptable")
    problem(api.get(url, HTTP_ACCEPT="text/csv"), 406, "not_acceptable")
    zip_url = f"/api/v1/agreements/{agreement.pk}/signed-mou.zip"
    assert api.get(zip_url, {"format": "zip"}).status_code == 200
    problem(api.get(zip_url, {"format": "pdf"}), 406, "not_acceptable")
    # An unknown id is still 404, whatever the format.
    problem(api.get("/api/v1/memoranda/999999/pdf", {"format": "pdf"}), 404, "not_found")


# --- The dossier ---------------------------------------------------------------------------


def test_the_dossier_is_in_the_readers_language_named_as_on_the_page(
    personas, agreement, client_for
):
    api = client_for(personas.viewer)
    api.cookies["django_language"] = "en"
    response = api.get(f"/api/v1/agreements/{agreement.pk}/dossier.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = _page(personas.viewer, reverse("agreements:dossier-pdf", args=[agreement.pk]), "en")
    assert response["Content-Disposition"] == page["Content-Disposition"]
    assert response["Content-Disposition"].endswith(f'agreement-{agreement.pk}-dossier-en.pdf"')
    # Both read the one stored copy: nothing changed in between.
    assert response.content == page.content
    assert json.loads(attachments(response.content)["dossier.json"])["agreement"]["id"] == (
        agreement.pk
    )


# --- The signed-MoU ZIP of one agreement ------------------------------------------------------


def _manifest(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))


def test_the_signed_mou_zip_holds_the_frozen_pdf_and_the_scan(
    personas, agreement, signed, client_for
):
    response = client_for(personas.viewer).get(f"/api/v1/agreements/{agreement.pk}/signed-mou.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    page = _page(personas.viewer, reverse("agreements:signed-mou-export", args=[agreement.pk]))
    assert response["Content-Disposition"] == page["Content-Disposition"]
    assert response["Content-Disposition"].endswith(f'agreement-{agreement.pk}-signed-mou.zip"')
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    contents = {name: archive.read(name) for name in archive.namelist()}
    assert STORED in contents.values() and SCAN in contents.values()
    hashes = {row["sha256"] for row in _manifest(archive)}
    assert signed.pdf_sha256 in hashes


def test_the_signed_mou_zip_of_an_agreement_with_nothing_signed_is_404(
    personas, agreement, client_for
):
    MemorandumFactory(agreement=agreement)  # a draft only
    response = client_for(personas.viewer).get(f"/api/v1/agreements/{agreement.pk}/signed-mou.zip")
    problem(response, 404, "not_found")


# --- The bulk ZIP ------------------------------------------------------------------------------


def _folders(data: bytes) -> set[str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name.split("/")[0] for name in archive.namelist() if "/" in name}


def test_the_bulk_zip_holds_the_visible_filtered_signed_agreements(personas, client_for):
    kept = AgreementFactory(
        home_city=personas.tehran, kind="sister", partner_city=CityFactory(name="Florence")
    )
    _scan(kept, _frozen(kept))
    other_kind = AgreementFactory(home_city=personas.tehran, kind="friendship")
    _frozen(other_kind)
    AgreementFactory(home_city=personas.tehran, kind="sister")  # nothing signed
    isfahan = AgreementFactory(home_city=personas.isfahan, kind="sister")
    _frozen(isfahan)
    api = client_for(personas.viewer)

    response = api.get("/api/v1/agreements/signed-memoranda.zip", {"kind": "sister"})

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    day = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="signed-memoranda-{day:%Y-%m-%d}.zip"'
    )
    page = _page(personas.viewer, "/agreements/signed-memoranda.zip?kind=sister")
    assert response["Content-Disposition"] == page["Content-Disposition"]
    folders = _folders(_body(response))
    assert len(folders) == 1 and folders == _folders(_body(page))
    archive = zipfile.ZipFile(io.BytesIO(_body(api.get("/api/v1/agreements/signed-memoranda.zip"))))
    manifest = " ".join(" ".join(row.values()) for row in _manifest(archive))
    # Both Tehran agreements with a frozen memorandum, none of Isfahan's.
    assert "Florence" in manifest and other_kind.partner_city.name in manifest
    assert isfahan.partner_city.name not in manifest


def test_the_bulk_zip_refuses_invalid_or_unknown_filters(personas, client_for):
    api = client_for(personas.viewer)
    url = "/api/v1/agreements/signed-memoranda.zip"
    assert "stage" in field_messages(api.get(url, {"stage": "nonsense"}), "invalid_parameter")
    assert "nope" in field_messages(api.get(url, {"nope": "1"}), "invalid_parameter")


def test_a_long_bulk_zip_is_written_in_the_background(personas, signed, client_for, settings):
    settings.EXPORT_INLINE_MAX_MEMORANDA = 0
    api = client_for(personas.viewer)
    response = api.get("/api/v1/agreements/signed-memoranda.zip")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert job.format == ExportFormat.SIGNED_MOU_ZIP
    # Tests run tasks at once: the job is written and its download is the ZIP.
    download = api.get(f"/api/v1/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert len(_folders(_body(download))) == 1


def test_the_bulk_zip_uses_the_real_frozen_pdf(personas, agreement, client_for):
    """A memorandum frozen by agreements.pdf (not a fixture's bytes) is exported as stored."""
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.frozen_at = timezone.now()
    freeze_pdf(memorandum)
    memorandum.save()
    with memorandum.pdf.open("rb") as stored:
        frozen = stored.read()
    response = client_for(personas.viewer).get("/api/v1/agreements/signed-memoranda.zip")
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    assert frozen in {archive.read(name) for name in archive.namelist()}
    assert _body(client_for(personas.viewer).get(f"/api/v1/memoranda/{memorandum.pk}/pdf")) == (
        frozen
    )


def test_the_schema_documents_the_file_answers(client_for):
    schema = client_for(None).get("/api/schema/", {"format": "json"}).json()
    for path, media in [
        ("/api/v1/memoranda/{id}/pdf", "application/pdf"),
        ("/api/v1/agreements/{id}/dossier.pdf", "application/pdf"),
        ("/api/v1/agreements/{id}/signed-mou.zip", "application/zip"),
        ("/api/v1/agreements/signed-memoranda.zip", "application/zip"),
    ]:
        operation = schema["paths"][path]["get"]
        assert "." not in operation["operationId"], operation["operationId"]
        assert operation["summary"] and operation["description"]
        assert operation["responses"]["200"]["content"][media]["schema"]["format"] == "binary"
        for status in ("401", "403", "406"):
            assert "application/problem+json" in operation["responses"][status]["content"]
    bulk = schema["paths"]["/api/v1/agreements/signed-memoranda.zip"]["get"]
    assert {"stage", "kind", "home_city"} <= {p["name"] for p in bulk["parameters"]}
    assert "202" in bulk["responses"]
    assert "409" in schema["paths"]["/api/v1/memoranda/{id}/pdf"]["get"]["responses"]


def test_no_operation_id_has_a_dot(client_for):
    schema = client_for(None).get("/api/schema/", {"format": "json"}).json()
    dotted = [
        operation["operationId"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        if "." in operation["operationId"]
    ]
    assert dotted == []
