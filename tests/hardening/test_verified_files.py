"""Stored files are sent only while they match their recorded SHA-256: a document or
frozen PDF changed (or removed) on disk is refused by the pages, the API and the
ZIP exports with 409 and an audit line, and none of its bytes is sent."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import subprocess
import sys
import zipfile
from functools import partial
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.files import StoredFileMismatch, verified_open
from tests.factories import AgreementFactory, DocumentFactory, MemorandumFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

FROZEN = b"%PDF-1.7 frozen memorandum \x00\x01 SECRET-FROZEN-BYTES"
SCAN = b"%PDF-1.4 signed scan SECRET-SCAN-BYTES"
TAMPERED = b"%PDF-1.7 someone changed this file SECRET-TAMPERED-BYTES"


def _frozen(agreement, content: bytes = FROZEN):
    """A frozen memorandum with a stored PDF and its SHA-256, as freezing leaves it."""
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.pdf.save("frozen.pdf", ContentFile(content), save=False)
    memorandum.pdf_sha256 = hashlib.sha256(content).hexdigest()
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    return memorandum


def _scan(agreement, memorandum):
    return DocumentFactory(
        agreement=agreement,
        memorandum=memorandum,
        kind="signed_mou",
        file=ContentFile(SCAN, name="scan.pdf"),
    )


def _on_disk(settings, field_file) -> Path:
    return Path(settings.MEDIA_ROOT) / field_file.name


def _tamper(settings, field_file, content: bytes = TAMPERED) -> None:
    _on_disk(settings, field_file).write_bytes(content)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def audit(caplog):
    caplog.set_level(logging.INFO, logger="sistercities.audit")
    return caplog


def _refusals(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "sistercities.audit" and "stored file refused" in r.getMessage()
    ]


@pytest.fixture
def signed(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    memorandum = _frozen(agreement)
    scan = _scan(agreement, memorandum)
    return agreement, memorandum, scan


def _assert_refused(response, audit, record: str) -> None:
    assert response.status_code == 409
    body = _body(response)
    for secret in (b"SECRET-TAMPERED-BYTES", b"SECRET-FROZEN-BYTES", b"SECRET-SCAN-BYTES"):
        assert secret not in body
    lines = _refusals(audit)
    assert len(lines) == 1, lines
    assert f"record={record}" in lines[0]
    assert "user=" in lines[0] and "path=/" in lines[0]


# --- Pages ---------------------------------------------------------------------------------------


def test_unchanged_files_are_still_sent(client, personas, signed):
    agreement, memorandum, scan = signed
    client.force_login(personas.viewer)
    document = client.get(reverse("agreements:document-download", args=[agreement.pk, scan.pk]))
    assert document.status_code == 200 and _body(document) == SCAN
    pdf = client.get(reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]))
    assert pdf.status_code == 200 and _body(pdf) == FROZEN
    export = client.get(reverse("agreements:signed-mou-export", args=[agreement.pk]))
    assert export.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    assert archive.read("memorandum-v1.pdf") == FROZEN
    assert archive.read("signed-scan.pdf") == SCAN


def test_changed_document_is_refused_by_its_page(client, personas, signed, settings, audit):
    agreement, _memorandum, scan = signed
    _tamper(settings, scan.file)
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("agreements:document-download", args=[agreement.pk, scan.pk]))
    _assert_refused(response, audit, f"document {scan.pk}")
    assert "no longer matches its record" in response.content.decode()
    assert "Content-Disposition" not in response
    assert f"file={scan.file.name}" in _refusals(audit)[0]
    assert "problem=sha256 differs" in _refusals(audit)[0]


def test_the_refusal_page_is_translated(client, personas, signed, settings):
    agreement, _memorandum, scan = signed
    _tamper(settings, scan.file)
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "fa"
    response = client.get(reverse("agreements:document-download", args=[agreement.pk, scan.pk]))
    assert response.status_code == 409
    assert "با سابقه‌اش" in response.content.decode()


def test_changed_frozen_pdf_is_refused_by_its_page(client, personas, signed, settings, audit):
    agreement, memorandum, _scan = signed
    _tamper(settings, memorandum.pdf)
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]))
    _assert_refused(response, audit, f"memorandum {memorandum.pk}")


def test_missing_frozen_pdf_is_refused_not_rendered_again(
    client, personas, signed, settings, audit
):
    agreement, memorandum, _scan = signed
    _on_disk(settings, memorandum.pdf).unlink()
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]))
    _assert_refused(response, audit, f"memorandum {memorandum.pk}")
    assert "problem=missing" in _refusals(audit)[0]


def test_missing_document_is_refused(client, personas, signed, settings, audit):
    agreement, _memorandum, scan = signed
    _on_disk(settings, scan.file).unlink()
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:document-download", args=[agreement.pk, scan.pk]))
    _assert_refused(response, audit, f"document {scan.pk}")
    assert "problem=missing" in _refusals(audit)[0]


@pytest.mark.parametrize("changed", ["pdf", "scan"])
def test_signed_mou_zip_is_refused_when_either_file_changed(
    client, personas, signed, settings, audit, changed
):
    agreement, memorandum, scan = signed
    _tamper(settings, memorandum.pdf if changed == "pdf" else scan.file)
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:signed-mou-export", args=[agreement.pk]))
    record = f"memorandum {memorandum.pk}" if changed == "pdf" else f"document {scan.pk}"
    _assert_refused(response, audit, record)
    assert not response.content.startswith(b"PK")


def test_bulk_export_leaves_a_changed_file_out_and_says_so(
    client, personas, signed, settings, audit
):
    agreement, _memorandum, scan = signed
    other = AgreementFactory(home_city=personas.tehran)
    other_memorandum = _frozen(other, b"%PDF-1.7 the other agreement")
    _tamper(settings, scan.file)
    client.force_login(personas.viewer)
    response = client.get("/agreements/signed-memoranda.zip")
    assert response.status_code == 200  # streamed: started before the file was read
    body = _body(response)
    assert b"SECRET-TAMPERED-BYTES" not in body
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert not any(
        name.endswith("signed-scan.pdf") and f"{agreement.pk:05d}" in name for name in names
    )
    assert any(
        name.endswith("memorandum-v1.pdf") and f"{agreement.pk:05d}" in name for name in names
    )
    assert any(f"{other.pk:05d}" in name for name in names)
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    (left_out,) = [row for row in rows if row["note"].startswith("left out")]
    assert left_out["agreement_id"] == str(agreement.pk)
    assert left_out["file_kind"] == "signed_scan" and not left_out["sha256"]
    assert other_memorandum.pdf_sha256 in {row["sha256"] for row in rows}
    assert len(_refusals(audit)) == 1 and f"record=document {scan.pk}" in _refusals(audit)[0]


# --- API -----------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path", ["agreements/{agreement}/memorandum.pdf", "memoranda/{memorandum}/pdf"]
)
def test_api_memorandum_pdf_is_refused_when_changed(personas, signed, settings, audit, path):
    agreement, memorandum, _scan = signed
    api = _api(personas.viewer)
    url = "/api/v1/" + path.format(agreement=agreement.pk, memorandum=memorandum.pk)
    assert _body(api.get(url)) == FROZEN
    _tamper(settings, memorandum.pdf)
    response = api.get(url, HTTP_ACCEPT="application/pdf")
    _assert_refused(response, audit, f"memorandum {memorandum.pk}")
    body = response.json()
    assert body["code"] == "file_mismatch" and body["detail"]


def test_api_signed_mou_zip_is_refused_when_the_scan_changed(personas, signed, settings, audit):
    agreement, _memorandum, scan = signed
    api = _api(personas.viewer)
    url = f"/api/v1/agreements/{agreement.pk}/signed-mou.zip"
    assert api.get(url).status_code == 200
    _tamper(settings, scan.file)
    response = api.get(url)
    _assert_refused(response, audit, f"document {scan.pk}")
    assert response.json()["code"] == "file_mismatch"


def test_api_document_file_is_refused_when_changed(personas, signed, settings, audit):
    agreement, _memorandum, scan = signed
    api = _api(personas.viewer)
    url = f"/api/v1/agreements/{agreement.pk}/documents/{scan.pk}/file/"
    assert _body(api.get(url)) == SCAN
    _tamper(settings, scan.file)
    response = api.get(url)
    _assert_refused(response, audit, f"document {scan.pk}")
    assert response.json()["code"] == "file_mismatch"


# --- The helper ----------------------------------------------------------------------------------


def test_verified_open_reads_through_the_storage_and_refuses_an_unrecorded_hash(
    personas, signed, settings
):
    _agreement, _memorandum, scan = signed
    with verified_open(scan.file, scan.sha256, record=scan) as handle:
        assert handle.read() == SCAN
    # A record without its SHA-256 cannot be vouched for.
    with pytest.raises(StoredFileMismatch) as refused:
        verified_open(scan.file, "", record=scan)
    assert refused.value.problem == "no recorded sha256"
    # A file bigger than the in-memory spool is checked the same way.
    big = b"%PDF-1.4 " + bytes(range(256)) * 8192
    _tamper(settings, scan.file, big)
    with verified_open(scan.file, hashlib.sha256(big).hexdigest(), record=scan) as handle:
        assert handle.read() == big


# --- manage.py verify_files ----------------------------------------------------------------------


def test_verify_files_reports_every_stored_file_matching(personas, signed):
    out = io.StringIO()
    call_command("verify_files", stdout=out)
    assert out.getvalue().strip() == (
        "All 2 stored files match their records (documents: 1, frozen memoranda: 1)."
    )


def test_verify_files_names_each_mismatch_and_exits_non_zero(personas, signed, settings):
    agreement, memorandum, scan = signed
    fine = DocumentFactory(agreement=agreement)
    _tamper(settings, scan.file)
    _on_disk(settings, memorandum.pdf).unlink()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 of 3 stored files"):
        call_command("verify_files", stdout=out, stderr=err)
    problems = err.getvalue()
    assert f"document {scan.pk}" in problems and scan.file.name in problems
    assert "SHA-256 differs" in problems
    assert f"memorandum {memorandum.pk}" in problems and "missing" in problems
    assert f"document {fine.pk}" not in problems


def _database_url() -> str:
    """The test database as DATABASE_URL, for a separate process."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_verify_files_exit_status_from_the_command_line(personas, settings):
    """As a scheduled job sees it: status 0 when every file matches, 1 otherwise."""
    agreement = AgreementFactory(home_city=personas.tehran)
    scan = _scan(agreement, _frozen(agreement))
    env = {
        **os.environ,
        "SISTERCITIES_TESTING": "true",
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    command = [sys.executable, "manage.py", "verify_files"]
    run = partial(subprocess.run, command, cwd=ROOT, env=env, capture_output=True, text=True)
    ok = run()
    assert ok.returncode == 0, ok.stderr
    assert "All 2 stored files match" in ok.stdout
    _tamper(settings, scan.file)
    failed = run()
    assert failed.returncode == 1
    assert f"document {scan.pk}: {scan.file.name}: SHA-256 differs" in failed.stderr
