"""/api/v1/agreements/export.csv|xlsx for a long list: 202 Accepted and a job at
/api/v1/exports/{id}/ whose `download` serves the file when it is written."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook

from agreements import services
from agreements.models import ExportFormat, ExportJob, ExportSource, ExportState
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOB_KEYS = {"id", "state", "rows_done", "rows_total", "url"}


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2


@pytest.fixture
def agreements(personas):
    AgreementFactory(
        home_city=personas.tehran, partner_city=CityFactory(name="Florence"), signed_year=None
    )
    for name, year in (("Kyoto", 2001), ("Nara", 2001), ("Sapporo", 2010)):
        AgreementFactory(
            home_city=personas.tehran,
            partner_city=CityFactory(name=name, country="JP"),
            stage="active",
            status="active",
            signed_year=year,
        )
    AgreementFactory(
        home_city=personas.isfahan, partner_city=CityFactory(name="Osaka", country="JP")
    )


def csv_partners(data: bytes) -> list[str]:
    text = data.decode("utf-8").lstrip("\ufeff")
    return sorted(row["partner_city"] for row in csv.DictReader(io.StringIO(text)))


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_a_short_list_is_still_the_file(personas, agreements, client_for, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 4
    response = client_for(personas.viewer).get("/api/v1/agreements/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert csv_partners(body(response)) == ["Florence", "Kyoto", "Nara", "Sapporo"]
    assert not ExportJob.objects.exists()


def test_a_long_list_is_accepted_then_polled_then_downloaded(personas, agreements, client_for):
    api = client_for(personas.viewer)
    response = api.get("/api/v1/agreements/export.csv", {"partner_country": "JP"})
    assert response.status_code == 202
    assert response["Content-Type"].startswith("application/json")
    job = ExportJob.objects.get()
    data = response.json()
    assert set(data) >= JOB_KEYS
    assert data["id"] == str(job.pk)
    assert data["url"] == f"http://testserver/api/v1/exports/{job.pk}/"
    assert response["Location"] == data["url"]
    assert (job.source, job.query) == (ExportSource.API, "partner_country=JP")
    # Tests run tasks at once: the status says done, with the numbers and the link.
    status = api.get(response["Location"]).json()
    assert status["state"] == "done"
    assert (status["rows_done"], status["rows_total"]) == (3, 3)
    assert status["download"] == f"http://testserver/api/v1/exports/{job.pk}/download/"
    download = api.get(status["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="agreements-')
    data = body(download)
    assert csv_partners(data) == ["Kyoto", "Nara", "Sapporo"]
    assert hashlib.sha256(data).hexdigest() == status["sha256"]


def test_xlsx_and_the_api_filters(personas, agreements, client_for, settings):
    """The job applies the API's own filters (signed_year is not on the page)."""
    api = client_for(personas.admin)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = api.get("/api/v1/agreements/export.xlsx", {"signed_year": 2001})
    # Two rows only: short enough to be the file at once.
    assert response.status_code == 200
    response = api.get("/api/v1/agreements/export.xlsx", {"partner_country": "JP"})
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert job.format == ExportFormat.XLSX and job.language == "en"
    sheet = load_workbook(io.BytesIO(body(api.get(f"/api/v1/exports/{job.pk}/download/")))).active
    header = [cell.value for cell in sheet[1]]
    names = sorted(
        row[header.index("Partner city")] for row in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert names == ["Kyoto", "Nara", "Osaka", "Sapporo"]
    assert not sheet.sheet_view.rightToLeft


def test_a_background_xlsx_asked_in_persian_is_written_in_persian(personas, agreements, client_for):
    api = client_for(personas.admin)
    response = api.get("/api/v1/agreements/export.xlsx", {"partner_country": "JP"})
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert job.language == "fa"
    sheet = load_workbook(io.BytesIO(body(api.get(f"/api/v1/exports/{job.pk}/download/")))).active
    assert sheet.sheet_view.rightToLeft and sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["شهرداری مبدأ", "کشور مبدأ", "شهر همتا", "کشور همتا"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4 and sheet.auto_filter.ref.endswith("5")
    assert {row[header.index("کشور همتا")] for row in rows} == {"ژاپن"}
    assert {row[header.index("وضعیت")] for row in rows} >= {"فعال"}


def test_signed_year_filter_is_kept_in_the_job(personas, agreements, client_for, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    api = client_for(personas.viewer)
    response = api.get("/api/v1/agreements/export.csv", {"signed_year": 2001})
    assert response.status_code == 202
    download = api.get(response.json()["url"] + "download/")
    assert csv_partners(body(download)) == ["Kyoto", "Nara"]


def test_while_it_is_queued_there_is_no_download_yet(personas, agreements, client_for, settings):
    settings.TASKS = DATABASE_QUEUE  # queued, no worker here
    api = client_for(personas.viewer)
    first = api.get("/api/v1/agreements/export.csv")
    again = api.get("/api/v1/agreements/export.csv")
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]  # the same job, not a second one
    status = api.get(first["Location"]).json()
    assert (status["state"], status["download"], status["rows_total"]) == ("queued", None, None)
    response = api.get(f"/api/v1/exports/{status['id']}/download/")
    assert response.status_code == 409 and "detail" in response.json()


def test_too_many_unfinished_exports_are_429(personas, agreements, client_for, settings):
    settings.TASKS = DATABASE_QUEUE
    api = client_for(personas.viewer)
    settings.EXPORT_INLINE_MAX_ROWS = 0
    for query in ({}, {"partner_country": "JP"}, {"partner_country": "IT"}):
        assert api.get("/api/v1/agreements/export.csv", query).status_code == 202
    response = api.get("/api/v1/agreements/export.xlsx")
    assert response.status_code == 429 and "detail" in response.json()


def test_an_invalid_filter_is_still_400(personas, agreements, client_for):
    response = client_for(personas.viewer).get("/api/v1/agreements/export.csv", {"stage": "nope"})
    assert response.status_code == 400
    assert not ExportJob.objects.exists()


def _done_job(owner, scope) -> ExportJob:
    data = b"id\n1\n"
    now = timezone.now()
    job = ExportJob(
        owner=owner,
        format=ExportFormat.CSV,
        language="en",
        scope=scope,
        state=ExportState.DONE,
        rows_total=1,
        rows_done=1,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=24),
    )
    job.file.save("agreements.csv", ContentFile(data), save=False)
    job.save()
    return job


def test_only_the_owner_sees_a_job(personas, client_for):
    job = _done_job(personas.viewer, [personas.tehran.pk])
    urls = [f"/api/v1/exports/{job.pk}/", f"/api/v1/exports/{job.pk}/download/"]
    for other in (personas.officer, personas.isfahan_officer, personas.admin):
        api = client_for(other)
        assert [api.get(url).status_code for url in urls] == [404, 404]
        assert api.get("/api/v1/exports/").json()["results"] == []
    api = client_for(personas.viewer)
    assert [api.get(url).status_code for url in urls] == [200, 200]
    assert [row["id"] for row in api.get("/api/v1/exports/").json()["results"]] == [str(job.pk)]
    assert client_for(None).get(urls[0]).status_code == 401
    assert client_for(personas.outsider).get(urls[0]).status_code == 403
    assert api.post(urls[0]).status_code == 405
    assert api.post(urls[1]).status_code == 405
    assert api.delete(urls[0]).status_code == 405


def test_the_download_rechecks_roles_and_checksum(personas, client_for):
    job = _done_job(personas.viewer, [personas.tehran.pk])
    name = job.file.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(b"id\n2\n"))
    api = client_for(personas.viewer)
    response = api.get(f"/api/v1/exports/{job.pk}/download/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "damaged")
    assert api.get(f"/api/v1/exports/{job.pk}/").json()["error_message"]

    other = _done_job(personas.viewer, [personas.tehran.pk])
    services.revoke_role(user=personas.viewer, city=personas.tehran)
    services.grant_role(user=personas.viewer, role="viewer", city=personas.isfahan)
    assert api.get(f"/api/v1/exports/{other.pk}/download/").status_code == 403


def test_the_schema_documents_the_background_export(client_for):
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    export = schema["paths"]["/api/v1/agreements/export.csv"]["get"]["responses"]
    assert {"200", "202", "400", "401", "429"} <= set(export)
    assert "text/csv" in export["200"]["content"]
    assert export["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/ExportJob")
    assert "/api/v1/exports/{id}/" in schema["paths"]
    assert "/api/v1/exports/{id}/download/" in schema["paths"]
    job = schema["components"]["schemas"]["ExportJob"]["properties"]
    assert JOB_KEYS | {"download", "error_message"} <= set(job)
