"""Media in an S3 bucket (MEDIA_STORAGE=s3) against a real S3 server: uploads,
frozen memoranda and exports go to the bucket through the storage API, are sent
only by the app after its permission check and only while their SHA-256 holds,
never by the bucket to anyone else; backup, restore and verify_files work on it."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
import requests
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from storages.backends.s3 import S3Storage

from agreements.models import Document, ExportJob, Memorandum
from tests.factories import AgreementFactory
from tests.hardening.test_backup_restore import _seed_with_files, _snapshot
from tests.pdf_helpers import make_memorandum

PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
TAMPERED = b"%PDF-1.7\nchanged in the bucket SECRET-TAMPERED\n%%EOF\n"


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _object(s3_server, bucket: str, key: str) -> bytes:
    return s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()


def _keys(s3_server, bucket: str) -> list[str]:
    listing = s3_server.client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def _upload(client, agreement, data: bytes = PDF_BYTES):
    response = client.post(
        f"/agreements/{agreement.pk}/documents/new/",
        {"kind": "letter", "title": "Letter", "file": SimpleUploadedFile("letter.pdf", data)},
    )
    assert response.status_code in (200, 302), response.content[:500]
    return Document.objects.get(agreement=agreement)


pytestmark = pytest.mark.django_db


def test_the_media_storage_is_the_bucket(bucket):
    assert isinstance(default_storage, S3Storage)
    assert Document._meta.get_field("file").storage.bucket_name == bucket


def test_an_upload_goes_to_the_bucket_and_comes_back_through_the_app(
    client, personas, bucket, s3_server
):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.officer)
    document = _upload(client, agreement)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    # In the bucket under the stored name, the very bytes: nothing on local disk.
    assert _keys(s3_server, bucket) == [document.file.name]
    assert _object(s3_server, bucket, document.file.name) == PDF_BYTES
    url = reverse("agreements:document-download", args=[agreement.pk, document.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert _body(download) == PDF_BYTES
    # The API's download too.
    api = client.get(f"/api/v1/agreements/{agreement.pk}/documents/{document.pk}/file/")
    assert api.status_code == 200 and _body(api) == PDF_BYTES
    # Outsiders get nothing: the permission check comes before the bucket.
    client.force_login(personas.isfahan_officer)
    assert client.get(url).status_code == 404


def test_a_file_changed_in_the_bucket_is_refused(client, personas, bucket, s3_server, caplog):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.officer)
    document = _upload(client, agreement)
    # Someone with access to the bucket rewrites the object behind the app's back.
    s3_server.client().put_object(Bucket=bucket, Key=document.file.name, Body=TAMPERED)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("agreements:document-download", args=[agreement.pk, document.pk]))
    assert response.status_code == 409
    assert b"SECRET-TAMPERED" not in _body(response)
    assert "no longer matches its record" in response.content.decode()
    # verify_files reads the bucket and names it.
    with pytest.raises(CommandError, match="1 of 1 stored files"):
        call_command("verify_files", verbosity=0)
    # A removed object is refused too, not an error page.
    s3_server.client().delete_object(Bucket=bucket, Key=document.file.name)
    response = client.get(reverse("agreements:document-download", args=[agreement.pk, document.pk]))
    assert response.status_code == 409


def test_objects_are_private(client, personas, bucket, s3_server):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.officer)
    document = _upload(client, agreement)
    public_url = f"{s3_server.endpoint_url}/{bucket}/{document.file.name}"
    assert requests.get(public_url, timeout=10).status_code == 403
    listing = requests.get(f"{s3_server.endpoint_url}/{bucket}", timeout=10)
    assert listing.status_code == 403
    assert document.file.name.encode() not in listing.content
    # A wrong key is refused as well (the bucket checks signatures).
    wrong = s3_server.client(secret_key="not-the-secret")
    with pytest.raises(Exception, match="SignatureDoesNotMatch|AccessDenied|403"):
        wrong.get_object(Bucket=bucket, Key=document.file.name)
    # The app never hands out a bucket address: the download is the app's answer.
    download = client.get(reverse("agreements:document-download", args=[agreement.pk, document.pk]))
    assert download.status_code == 200 and "Location" not in download
    assert s3_server.endpoint_url.encode() not in _body(download)


def test_a_memorandum_frozen_through_the_page_is_in_the_bucket_with_its_sha256(
    client, personas, bucket, s3_server
):
    memorandum = make_memorandum(personas)
    client.force_login(personas.officer)
    response = client.post(
        reverse("agreements:memorandum-freeze", args=[memorandum.agreement_id, memorandum.pk])
    )
    assert response.status_code == 302, response.content[:500]
    memorandum.refresh_from_db()
    assert memorandum.is_frozen
    stored = _object(s3_server, bucket, memorandum.pdf.name)
    assert hashlib.sha256(stored).hexdigest() == memorandum.pdf_sha256
    pdf = client.get(
        reverse("agreements:memorandum-pdf", args=[memorandum.agreement_id, memorandum.pk])
    )
    assert pdf.status_code == 200 and _body(pdf) == stored


def test_names_are_never_reused_in_the_bucket(bucket):
    first = default_storage.save("memoranda/2026/same.pdf", io.BytesIO(b"%PDF-1 first"))
    second = default_storage.save("memoranda/2026/same.pdf", io.BytesIO(b"%PDF-1 second"))
    assert first != second
    with default_storage.open(first, "rb") as handle:
        assert handle.read() == b"%PDF-1 first"


def test_a_background_export_is_written_to_the_bucket_and_downloaded_verified(
    client, personas, bucket, s3_server, settings
):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.officer)
    response = client.post("/agreements/exports/new/", {"format": "csv", "query": ""})
    assert response.status_code in (200, 302)
    job = ExportJob.objects.get()
    assert job.file.name in _keys(s3_server, bucket)
    download = client.get(f"/agreements/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert hashlib.sha256(_body(download)).hexdigest() == job.sha256


@pytest.mark.django_db(transaction=True)
def test_backup_from_the_bucket_and_restore_into_an_empty_bucket_byte_for_byte(
    bucket, s3_server, settings, tmp_path
):
    from tests.storage.conftest import media_in

    _seed_with_files()
    before_rows = _snapshot()
    keys = _keys(s3_server, bucket)
    before = {key: _object(s3_server, bucket, key) for key in keys}
    assert len(before) >= 3 and any(key.startswith("memoranda/") for key in keys)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        archived = {
            m.name[len("media/") :]: tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.name.startswith("media/")
        }
    assert archived == before
    for key, data in before.items():
        assert manifest["members"]["media/" + key]["sha256"] == hashlib.sha256(data).hexdigest()

    # Not into a bucket that holds files.
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match=f"the bucket {bucket}"):
        call_command("restore", str(archive), verbosity=0)

    # Into a new, empty bucket and an empty database: everything back.
    empty = s3_server.new_bucket()
    try:
        settings.STORAGES = {**settings.STORAGES, "default": media_in(s3_server, empty)}
        call_command("restore", str(archive), verbosity=0)
        assert _snapshot() == before_rows
        assert {key: _object(s3_server, empty, key) for key in _keys(s3_server, empty)} == before
        call_command("verify_files", verbosity=0)
        # A second backup of the restored installation has the same files and manifest.
        again = tmp_path / "again.tar.gz"
        call_command("backup", str(again), verbosity=0)
        with tarfile.open(again) as tar:
            manifest_again = json.load(tar.extractfile("manifest.json"))
        media = {k: v for k, v in manifest["members"].items() if k.startswith("media/")}
        assert {k: v for k, v in manifest_again["members"].items() if k.startswith("media/")} == (
            media
        )
        assert manifest_again["counts"] == manifest["counts"]
    finally:
        s3_server.drop_bucket(empty)


def test_verify_files_checks_the_bucket(client, personas, bucket, s3_server, capsys):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.officer)
    document = _upload(client, agreement)
    call_command("verify_files")
    assert "All 1 stored files match" in capsys.readouterr().out
    s3_server.client().delete_object(Bucket=bucket, Key=document.file.name)
    with pytest.raises(CommandError):
        call_command("verify_files")
    assert "missing from storage" in capsys.readouterr().err
    assert Memorandum.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_fails_leaves_the_bucket_empty(bucket, s3_server, tmp_path, monkeypatch):
    default_storage.save("documents/x.pdf", io.BytesIO(PDF_BYTES))
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    s3_server.client().delete_object(Bucket=bucket, Key="documents/x.pdf")
    call_command("flush", interactive=False, verbosity=0)
    from agreements.management.commands import restore

    def fail(*args, **kwargs):
        raise CommandError("loading failed")

    monkeypatch.setattr(restore.Command, "_load", fail)
    with pytest.raises(CommandError, match="loading failed"):
        call_command("restore", str(archive), verbosity=0)
    assert _keys(s3_server, bucket) == []


def test_the_dossier_is_stored_in_the_bucket_and_read_back_from_it(
    client, personas, bucket, s3_server, monkeypatch
):
    """The dossier's stored copy (pdf/dossier.py) lives in the bucket: a second request
    reads it without rendering; a change to the agreement stores a new one and
    deletes the old one."""
    from agreements.pdf import engine

    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.officer)
    url = f"/agreements/{agreement.pk}/dossier.pdf"
    first = _body(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    keys = [key for key in _keys(s3_server, bucket) if key.startswith("dossiers/")]
    assert len(keys) == 1 and _object(s3_server, bucket, keys[0]) == first
    renders = []
    real = engine.html_to_pdf
    monkeypatch.setattr(engine, "html_to_pdf", lambda *a, **k: renders.append(1) or real(*a, **k))
    assert _body(client.get(url, HTTP_ACCEPT_LANGUAGE="en")) == first
    assert renders == []
    agreement.title = "A new title"
    agreement.save()
    second = _body(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert renders == [1] and second != first
    now = [key for key in _keys(s3_server, bucket) if key.startswith("dossiers/")]
    assert len(now) == 1 and now != keys
