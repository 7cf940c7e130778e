"""POST /api/v1/imports/: the import page's check and import (agreements/api/imports.py)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from agreements.importing import COLUMNS
from agreements.models import Agreement
from agreements.reasons import parse
from cities.models import City
from tests.api.problems import field_messages, problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/"
PAGE = "/agreements/import/"

GOOD = [
    ["Tehran", "IR", "تهران", "Florence", "IT", "فلورانس", "sister", "active", "1998", ""],
    ["Tehran", "IR", "تهران", "Kyoto", "JP", "", "friendship", "goals", "", "note"],
]
BAD = [GOOD[0], ["Tehran", "IR", "", "Kyoto", "XX", "", "sister", "active", "19x", ""]]


def csv_upload(rows: list[list[str]], name: str = "partners.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def admin_api(personas, client_for):
    api = client_for(personas.admin)
    api.cookies["django_language"] = "en"
    return api


def post(api, upload, **fields):
    return api.post(URL, {"file": upload, **fields}, format="multipart")


def _written() -> tuple[int, int, int]:
    return Agreement.objects.count(), City.objects.count(), Agreement.history.count()


def test_only_administrators_import(personas, client_for):
    problem(post(client_for(None), csv_upload(GOOD)), 401, "not_authenticated")
    for name in ["viewer", "officer", "approver", "isfahan_officer", "outsider"]:
        response = post(client_for(getattr(personas, name)), csv_upload(GOOD))
        problem(response, 403, "forbidden")
    problem(client_for(personas.admin).get(URL), 405, "method_not_allowed")
    assert not Agreement.objects.exists()


def test_a_dry_run_writes_nothing_and_answers_the_report(personas, admin_api):
    before = _written()
    response = post(admin_api, csv_upload(GOOD), dry_run="true")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "dry_run": True,
        "file_name": "partners.csv",
        "rows": 2,
        "agreements_created": 2,
        "agreements_unchanged": 0,
        "cities_created": 2,
        "cities_changed": 0,
        "summary": response.json()["summary"],
    }
    assert _written() == before
    # The page's check says the same sentence.
    page = Client()
    page.force_login(personas.admin)
    page.cookies["django_language"] = "en"
    checked = page.post(PAGE, {"action": "check", "file": csv_upload(GOOD)})
    assert "2 new agreements" in response.json()["summary"]
    assert escape(response.json()["summary"]) in checked.content.decode()


def test_an_import_writes_the_rows_with_their_history(personas, admin_api):
    response = post(admin_api, csv_upload(GOOD), dry_run="false")
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["dry_run"], report["agreements_created"], report["cities_created"]) == (
        False,
        2,
        2,
    )
    assert sorted(Agreement.objects.values_list("partner_city__name", flat=True)) == [
        "Florence",
        "Kyoto",
    ]
    entry = Agreement.history.first()
    assert entry.history_user == personas.admin
    assert parse(entry.history_change_reason) == {
        "code": "imported",
        "file": "partners.csv",
        "via": "api",
    }
    # The same file again adds nothing (dry_run absent is false).
    again = post(admin_api, csv_upload(GOOD)).json()
    assert (again["agreements_created"], again["agreements_unchanged"]) == (0, 2)
    assert Agreement.objects.count() == 2


@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_bad_rows_are_400_with_each_line_and_nothing_is_written(personas, admin_api, dry_run):
    before = _written()
    response = post(admin_api, csv_upload(BAD), dry_run=dry_run)
    body = problem(response, 400, "validation")
    assert body["detail"] == "partners.csv was not imported (2 errors); nothing was written."
    assert {(error["field"], error["code"], error["line"]) for error in body["errors"]} == {
        ("file", "invalid_row", 3)
    }
    text = " ".join(error["message"] for error in body["errors"])
    assert "XX" in text and "19x" in text and text.startswith("Line 3:")
    assert _written() == before
    # The page lists the same problems.
    page = Client()
    page.force_login(personas.admin)
    page.cookies["django_language"] = "en"
    listed = page.post(PAGE, {"action": "check", "file": csv_upload(BAD)}).content.decode()
    for error in body["errors"]:
        assert escape(error["message"]) in listed


def test_the_refusal_is_in_the_users_language(personas, client_for):
    api = client_for(personas.admin)
    api.cookies["django_language"] = "fa"
    body = problem(post(api, csv_upload(BAD), dry_run="true"), 400, "validation")
    assert "وارد نشد" in body["detail"] and "۲" in body["detail"]


def test_a_missing_header_is_line_1(personas, admin_api):
    upload = SimpleUploadedFile("partners.csv", b"home_city,kind\nTehran,sister\n")
    body = problem(post(admin_api, upload, dry_run="true"), 400, "validation")
    assert [error["line"] for error in body["errors"]] == [1]
    assert "Missing columns" in body["errors"][0]["message"]


def test_a_wrong_file_is_400_on_its_field(personas, admin_api, settings):
    pdf = SimpleUploadedFile("partners.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert "file" in field_messages(post(admin_api, pdf, dry_run="true"))
    assert "file" in field_messages(admin_api.post(URL, {"dry_run": "true"}, format="multipart"))
    not_a_workbook = SimpleUploadedFile("partners.xlsx", b"not a workbook")
    body = problem(post(admin_api, not_a_workbook), 400, "validation")
    assert body["errors"][0]["line"] == 1
    settings.UPLOAD_MAX_BYTES = 10
    messages = field_messages(post(admin_api, csv_upload(GOOD), dry_run="true"))
    assert "too large" in " ".join(messages["file"])
    assert not Agreement.objects.exists()


def test_dry_run_must_be_a_boolean(personas, admin_api):
    response = post(admin_api, csv_upload(GOOD), dry_run="perhaps")
    assert "dry_run" in field_messages(response)
    assert not Agreement.objects.exists()


def test_a_json_body_is_415(personas, admin_api):
    response = admin_api.post(URL, {"dry_run": True}, format="json")
    problem(response, 415, "unsupported_media_type")


def test_the_schema_documents_the_import(client_for):
    schema = client_for(None).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["post"]
    assert operation["operationId"] == "v1_imports_create"
    assert operation["summary"] and operation["description"]
    request = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][request.rsplit("/", 1)[-1]]["properties"]
    assert fields["file"]["format"] == "binary" and fields["dry_run"]["type"] == "boolean"
    report = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert (
        "agreements_created"
        in schema["components"]["schemas"][report.rsplit("/", 1)[-1]]["properties"]
    )
    for status in ("400", "401", "403", "415"):
        assert "application/problem+json" in operation["responses"][status]["content"]


def test_a_retried_import_with_its_idempotency_key_imports_once(admin_api):
    """The second answer is the first's, with nothing written; another file under the
    same key is refused."""
    first = admin_api.post(
        URL, {"file": csv_upload(GOOD)}, format="multipart", HTTP_IDEMPOTENCY_KEY="import-1"
    )
    assert first.status_code == 200, first.content
    written = _written()
    again = admin_api.post(
        URL, {"file": csv_upload(GOOD)}, format="multipart", HTTP_IDEMPOTENCY_KEY="import-1"
    )
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert _written() == written
    other = admin_api.post(
        URL, {"file": csv_upload(BAD)}, format="multipart", HTTP_IDEMPOTENCY_KEY="import-1"
    )
    problem(other, 422, "idempotency_key_reused")
    assert _written() == written
