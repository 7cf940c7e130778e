"""Exports of the agreement list that are too long for one answer: written by a
background task (agreements/export_jobs.py), followed on their page, downloaded
by their owner only."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from agreements import export_jobs, exporting, services
from agreements.models import (
    Document,
    ExportError,
    ExportFormat,
    ExportJob,
    ExportSource,
    ExportState,
    RoleName,
)
from agreements.pdf import freeze_pdf
from tests.factories import AgreementFactory, CityFactory, MemorandumFactory, grant

pytestmark = pytest.mark.django_db

START = "/agreements/exports/new/"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def small_limits(settings):
    """Three rows are already "long": the background path with a handful of agreements."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    settings.EXPORT_INLINE_MAX_MEMORANDA = 1


@pytest.fixture
def agreements(personas):
    """Four Tehran agreements (three with Japanese partners) and one of Isfahan."""
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(name="Florence"))
    for name in ("Kyoto", "Nara", "Sapporo"):
        AgreementFactory(
            home_city=personas.tehran, partner_city=CityFactory(name=name, country="JP")
        )
    AgreementFactory(
        home_city=personas.isfahan, partner_city=CityFactory(name="Osaka", country="JP")
    )


def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def csv_partners(data: bytes) -> list[str]:
    text = data.decode("utf-8").lstrip("\ufeff")
    return sorted(row["partner_city"] for row in csv.DictReader(io.StringIO(text)))


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def start(client, format: str = "csv", query: str = ""):
    return client.post(START, {"format": format, "query": query})


def done_job(owner, *, data: bytes = b"id\n1\n", scope=None, **fields) -> ExportJob:
    """A finished job with a stored file, as the task leaves it."""
    now = timezone.now()
    values = {
        "format": ExportFormat.CSV,
        "language": "en",
        "state": ExportState.DONE,
        "rows_total": 1,
        "rows_done": 1,
        "size": len(data),
        "sha256": export_jobs.hashlib.sha256(data).hexdigest(),
        "finished_at": now,
        "expires_at": now + datetime.timedelta(hours=24),
    }
    job = ExportJob(owner=owner, scope=scope, **(values | fields))
    job.file.save("agreements.csv", ContentFile(data), save=False)
    job.save()
    return job


# --- The threshold ------------------------------------------------------------------------------


def test_a_short_list_downloads_at_once_as_before(client, personas, agreements, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 4
    settings.EXPORT_INLINE_MAX_MEMORANDA = 4
    client.force_login(personas.viewer)
    response = client.get("/agreements/export.csv")
    assert response.status_code == 200 and response.streaming
    assert csv_partners(content(response)) == ["Florence", "Kyoto", "Nara", "Sapporo"]
    listing = client.get("/agreements/").content.decode()
    assert 'href="/agreements/export.csv" download' in listing
    assert START not in listing
    assert not ExportJob.objects.exists()


def test_a_long_list_shows_buttons_that_start_a_background_export(client, personas, agreements):
    client.force_login(personas.viewer)
    listing = client.get("/agreements/", {"partner_country": "JP"}).content.decode()
    forms = re.findall(r'<form method="post" action="/agreements/exports/new/".*?</form>', listing)
    # CSV and Excel over EXPORT_INLINE_MAX_ROWS, the ZIP over EXPORT_INLINE_MAX_MEMORANDA.
    assert [re.search(r'name="format" value="(\w+)"', form).group(1) for form in forms] == [
        "csv",
        "xlsx",
        "zip",
    ]
    assert all('name="query" value="partner_country=JP"' in form for form in forms)
    assert "csrfmiddlewaretoken" in forms[0]
    assert 'href="/agreements/export.csv' not in listing


def test_a_get_of_a_long_export_offers_the_background_export_and_changes_nothing(
    client, personas, agreements
):
    client.force_login(personas.viewer)
    response = client.get("/agreements/export.csv", {"partner_country": "JP"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'action="/agreements/exports/new/"' in page
    assert 'name="query" value="partner_country=JP"' in page
    assert "۲" in page  # the limit, in Persian digits on the Persian page
    assert not ExportJob.objects.exists()


def test_a_start_that_turns_out_short_answers_with_the_file(client, personas, agreements):
    client.force_login(personas.viewer)
    response = start(client, query="partner_country=IT")
    assert response.status_code == 200
    assert csv_partners(content(response)) == ["Florence"]
    assert not ExportJob.objects.exists()


# --- Running ----------------------------------------------------------------------------------


def test_the_job_writes_exactly_the_filtered_visible_rows(client, personas, agreements):
    client.force_login(personas.viewer)
    response = start(client, query="page=3&partner_country=JP&junk=1")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agreements/exports/{job.pk}/"
    # The immediate backend (tests) ran the task at once.
    assert job.state == ExportState.DONE
    assert (job.owner, job.format, job.source) == (personas.viewer, "csv", "page")
    assert job.query == "partner_country=JP"  # only the list's filters are kept
    assert job.scope == [personas.tehran.pk]
    assert job.rows_total == job.rows_done == 3
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".csv")
    assert job.finished_at and job.expires_at > job.finished_at + datetime.timedelta(hours=23)
    download = client.get(f"/agreements/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="agreements-')
    assert download["X-Content-Type-Options"] == "nosniff"
    data = content(download)
    # Osaka is Isfahan's: not visible to Tehran's viewer. Florence is filtered out.
    assert csv_partners(data) == ["Kyoto", "Nara", "Sapporo"]
    assert export_jobs.hashlib.sha256(data).hexdigest() == job.sha256 and len(data) == job.size


def test_an_administrator_exports_every_municipality_as_xlsx(
    client, personas, agreements, settings
):
    client.force_login(personas.admin)
    start(english(client, settings), "xlsx", "partner_country=JP")
    job = ExportJob.objects.get()
    assert job.state == ExportState.DONE and job.scope is None and job.language == "en"
    download = client.get(f"/agreements/exports/{job.pk}/download/")
    sheet = load_workbook(io.BytesIO(content(download))).active
    header = [cell.value for cell in sheet[1]]
    names = sorted(
        row[header.index("Partner city")] for row in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert names == ["Kyoto", "Nara", "Osaka", "Sapporo"]
    assert not sheet.sheet_view.rightToLeft and sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("language", "partner", "kind", "right_to_left"),
    [("fa", "شهر همتا", "شهر دوست", True), ("en", "Partner city", "Friendship city", False)],
)
def test_a_background_xlsx_is_in_the_language_stored_on_its_job(
    personas, agreements, language, partner, kind, right_to_left
):
    """The task runs outside any request: the job's language, not the worker's."""
    job = queued_job(personas.viewer, format=ExportFormat.XLSX, language=language)
    assert export_jobs.run_export_job(str(job.pk)) == "done"
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert bool(sheet.sheet_view.rightToLeft) is right_to_left
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.endswith("5")  # header + 4
    header = [cell.value for cell in sheet[1]]
    assert partner in header and ("تاریخ امضا (خورشیدی)" in header) is right_to_left
    assert header[4] == ("نوع" if right_to_left else "Kind")
    assert {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)} == {kind}


def _signed(agreement) -> None:
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.frozen_at = timezone.now()
    freeze_pdf(memorandum)
    memorandum.save()
    scan = Document(agreement=agreement, memorandum=memorandum, kind="signed_mou")
    scan.file.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=False)
    scan.save()


def test_the_signed_memoranda_zip_runs_in_the_background_too(client, personas):
    kept = [AgreementFactory(home_city=personas.tehran) for _ in range(2)]
    for agreement in kept:
        _signed(agreement)
    AgreementFactory(home_city=personas.tehran)  # nothing signed
    _signed(AgreementFactory(home_city=personas.isfahan))
    client.force_login(personas.viewer)
    offer = client.get("/agreements/signed-memoranda.zip")
    assert offer["Content-Type"].startswith("text/html")
    start(client, "zip")
    job = ExportJob.objects.get()
    assert job.state == ExportState.DONE and job.rows_total == 2
    download = client.get(f"/agreements/exports/{job.pk}/download/")
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(content(download)))
    folders = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    assert folders == {
        f"{a.pk:05d}-tehran-{a.partner_city.name.lower().replace(' ', '-')}" for a in kept
    }


def test_progress_is_saved_as_rows_are_written(personas, agreements, monkeypatch):
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 1)
    job = ExportJob.objects.create(
        owner=personas.viewer,
        format=ExportFormat.CSV,
        language="en",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    seen = []
    save = ExportJob.save

    def spy(self, *args, **kwargs):
        if "rows_done" in (kwargs.get("update_fields") or []) and self.state == "running":
            seen.append((self.rows_done, self.rows_total))
        return save(self, *args, **kwargs)

    monkeypatch.setattr(ExportJob, "save", spy)
    assert export_jobs.run_export_job(str(job.pk)) == "done"
    # Reset on the claim, then one save per row (the total was counted first).
    assert seen == [(0, None), (1, 4), (2, 4), (3, 4), (4, 4)]
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total, job.attempt) == ("done", 4, 4, 1)


def test_a_finished_job_is_not_run_again(personas, agreements):
    job = done_job(personas.viewer)
    name, sha256 = job.file.name, job.sha256
    assert export_jobs.run_export_job(str(job.pk)) == "nothing to do"
    assert export_jobs.run_export_job("00000000-0000-0000-0000-000000000000") == "nothing to do"
    job.refresh_from_db()
    assert (job.file.name, job.sha256, job.attempt) == (name, sha256, 0)


def test_a_run_that_is_no_longer_the_latest_keeps_nothing(personas, agreements, monkeypatch):
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 1)
    job = ExportJob.objects.create(
        owner=personas.viewer,
        format=ExportFormat.CSV,
        language="en",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    still_ours = export_jobs._still_ours

    def deleted_meanwhile(running):
        ExportJob.objects.filter(pk=running.pk).delete()
        still_ours(running)

    monkeypatch.setattr(export_jobs, "_still_ours", deleted_meanwhile)
    assert export_jobs.run_export_job(str(job.pk)) == "superseded"
    assert not ExportJob.objects.exists()
    assert not default_storage.exists("exports") or default_storage.listdir("exports") == ([], [])


def test_asking_again_while_it_is_written_gives_the_same_job(
    client, personas, agreements, settings
):
    settings.TASKS = DATABASE_QUEUE  # queued, not run: no worker in this test
    client.force_login(personas.viewer)
    first = start(client, query="partner_country=JP")
    second = start(client, query="partner_country=JP")
    assert first["Location"] == second["Location"]
    job = ExportJob.objects.get()
    assert job.state == ExportState.QUEUED
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "agreements.tasks.run_export"
    assert queued.args_kwargs["kwargs"] == {"job_id": str(job.pk)}


def test_no_job_is_left_waiting_when_its_task_cannot_be_queued(personas, monkeypatch):
    from types import SimpleNamespace

    from agreements import tasks

    def broken(**kwargs):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(tasks, "run_export", SimpleNamespace(enqueue=broken))
    with pytest.raises(RuntimeError):
        tasks.start_export(
            user=personas.viewer, format="csv", query="", source="page", language="fa"
        )
    assert not ExportJob.objects.exists()


def test_too_many_unfinished_exports_are_refused(client, personas, agreements, settings):
    settings.TASKS = DATABASE_QUEUE
    client.force_login(personas.viewer)
    settings.EXPORT_INLINE_MAX_ROWS = 0
    for country in ("JP", "IT", ""):
        assert start(client, query=f"partner_country={country}").status_code == 302
    response = start(client, "xlsx")
    assert response.status_code == 429
    assert ExportJob.objects.count() == export_jobs.MAX_UNFINISHED_PER_USER


# --- Permissions at run time --------------------------------------------------------------------


def queued_job(owner, query: str = "", **fields) -> ExportJob:
    values = {
        "format": ExportFormat.CSV,
        "language": "en",
        "expires_at": timezone.now() + datetime.timedelta(hours=1),
    }
    return ExportJob.objects.create(owner=owner, query=query, **(values | fields))


def test_a_user_whose_role_was_removed_gets_nothing(personas, agreements):
    job = queued_job(personas.viewer)
    services.revoke_role(user=personas.viewer, city=personas.tehran)
    assert export_jobs.run_export_job(str(job.pk)) == "no access"
    job.refresh_from_db()
    assert (job.state, job.error, job.file.name, job.rows_done) == ("failed", "no_access", "", 0)


def test_the_visible_set_is_read_when_the_task_runs(personas, agreements):
    job = queued_job(personas.officer)
    # Moved from Tehran to Isfahan between the click and the run.
    services.revoke_role(user=personas.officer, city=personas.tehran)
    grant(personas.officer, RoleName.VIEWER, personas.isfahan)
    export_jobs.run_export_job(str(job.pk))
    job.refresh_from_db()
    assert job.scope == [personas.isfahan.pk]
    with job.file.open("rb") as handle:
        assert csv_partners(handle.read()) == ["Osaka"]


def test_a_filter_on_a_municipality_no_longer_visible_fails_the_job(personas, agreements):
    job = queued_job(personas.viewer, query=f"home_city={personas.isfahan.pk}")
    export_jobs.run_export_job(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", ExportError.INVALID_FILTERS)


@pytest.mark.django_db(transaction=True)
def test_the_worker_rechecks_the_role_of_a_queued_export(client, personas, agreements, settings):
    """Production: the click queues a task row; a role revoked before a worker takes it
    leaves the owner with a failed job and no file."""
    settings.TASKS = DATABASE_QUEUE
    client.force_login(personas.viewer)
    start(client, query="partner_country=JP")
    job = ExportJob.objects.get()
    assert job.state == ExportState.QUEUED
    services.revoke_role(user=personas.viewer, city=personas.tehran)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    job.refresh_from_db()
    assert (job.state, job.error, job.file.name) == ("failed", "no_access", "")


@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_a_queued_export(client, personas, agreements, settings):
    settings.TASKS = DATABASE_QUEUE
    client.force_login(personas.viewer)
    start(client, query="partner_country=JP")
    job = ExportJob.objects.get()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    job.refresh_from_db()
    assert job.state == ExportState.DONE
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    download = client.get(f"/agreements/exports/{job.pk}/download/")
    assert csv_partners(content(download)) == ["Kyoto", "Nara", "Sapporo"]


# --- Access -------------------------------------------------------------------------------------


def test_only_the_owner_sees_and_downloads_a_job(client, personas):
    job = done_job(personas.viewer, scope=[personas.tehran.pk])
    urls = [f"/agreements/exports/{job.pk}/", f"/agreements/exports/{job.pk}/download/"]
    # Another user of the same municipality, and one of another municipality.
    for other in (personas.officer, personas.isfahan_officer, personas.admin):
        client.force_login(other)
        assert [client.get(url).status_code for url in urls] == [404, 404], other
        assert str(job.pk) not in client.get("/agreements/exports/").content.decode()
    client.force_login(personas.viewer)
    assert [client.get(url).status_code for url in urls] == [200, 200]
    assert str(job.pk) in client.get("/agreements/exports/").content.decode()


def test_method_ladder(client, personas):
    job = done_job(personas.viewer, scope=[personas.tehran.pk])
    detail = f"/agreements/exports/{job.pk}/"
    download = f"{detail}download/"
    pages = ["/agreements/exports/", detail, download]
    for url in [*pages, START]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    client.force_login(personas.outsider)  # no role
    assert [client.get(url).status_code for url in pages] == [403, 403, 403]
    assert start(client).status_code == 403
    client.force_login(personas.viewer)
    assert client.get(START).status_code == 405
    for url in pages:
        assert client.post(url).status_code == 405, url
    assert client.post(START, {"format": "pdf"}).status_code == 400
    assert client.get("/agreements/exports/not-a-uuid/").status_code == 404


def test_a_download_checks_the_owner_still_sees_what_the_file_holds(client, personas, settings):
    job = done_job(personas.officer, scope=[personas.tehran.pk])
    services.revoke_role(user=personas.officer, city=personas.tehran)
    grant(personas.officer, RoleName.OFFICER, personas.isfahan)
    client.force_login(personas.officer)
    response = english(client, settings).get(f"/agreements/exports/{job.pk}/download/")
    assert response.status_code == 403
    assert "Your roles have changed" in response.content.decode()


def test_a_damaged_file_is_not_sent(client, personas, settings):
    job = done_job(personas.viewer, scope=[personas.tehran.pk], data=b"id\n1\n")
    # Changed on disk behind the application's back.
    name = job.file.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(b"id\n1\n2\n"))
    client.force_login(personas.viewer)
    response = english(client, settings).get(f"/agreements/exports/{job.pk}/download/")
    assert response.status_code == 409
    assert "did not match its checksum" in response.content.decode()
    job.refresh_from_db()
    assert (job.state, job.error, job.file.name) == ("failed", "damaged", "")
    assert not default_storage.exists(name)


def test_a_download_before_the_file_is_ready_is_404(client, personas):
    job = queued_job(personas.viewer)
    client.force_login(personas.viewer)
    assert client.get(f"/agreements/exports/{job.pk}/download/").status_code == 404


# --- The page -----------------------------------------------------------------------------------


def test_the_progress_fragment_in_persian_with_persian_digits(client, personas):
    job = queued_job(personas.viewer, state=ExportState.RUNNING, rows_total=3000, rows_done=1500)
    client.force_login(personas.viewer)  # Persian: the installation's default language
    response = client.get(f"/agreements/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<div id="export-progress"') and "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert f'hx-get="/agreements/exports/{job.pk}/"' in fragment
    assert '<progress class="export-progress" value="1500" max="3000"' in fragment
    assert "۱٬۵۰۰ از ۳٬۰۰۰" in fragment
    # Every digit the reader sees is Persian (Latin ones only in attributes).
    assert not re.search(r"[0-9]", re.sub(r"<[^>]*>", "", fragment))
    assert "در حال نوشتن" in fragment  # "Being written"
    assert "no-store" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]
    # Without JavaScript the whole page, with the same progress.
    page = client.get(f"/agreements/exports/{job.pk}/").content.decode()
    assert "<html" in page and 'value="1500" max="3000"' in page


def test_a_finished_fragment_stops_polling_and_offers_the_download(client, personas):
    job = done_job(personas.viewer, scope=[personas.tehran.pk], rows_total=1234, rows_done=1234)
    client.force_login(personas.viewer)
    fragment = client.get(f"/agreements/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment
    assert f'href="/agreements/exports/{job.pk}/download/"' in fragment
    assert "۱٬۲۳۴" in fragment


def test_a_failed_job_shows_its_error_translated(client, personas, settings):
    job = queued_job(personas.viewer, state=ExportState.FAILED, error=ExportError.FAILED)
    client.force_login(personas.viewer)
    persian = client.get(f"/agreements/exports/{job.pk}/").content.decode()
    assert "خروجی نوشته نشد" in persian
    assert "could not be written" not in persian
    english_page = english(client, settings).get(f"/agreements/exports/{job.pk}/").content.decode()
    assert "The export could not be written" in english_page
    assert "hx-trigger" not in english_page


def test_the_list_of_my_exports(client, personas, settings):
    done_job(personas.viewer, rows_total=2500, rows_done=2500)
    queued_job(personas.viewer, format=ExportFormat.XLSX, source=ExportSource.API)
    queued_job(personas.officer)
    client.force_login(personas.viewer)
    page = client.get("/agreements/exports/").content.decode()
    assert page.count('href="/agreements/exports/') == 3  # two jobs, one download
    assert "۲٬۵۰۰" in page and "۲۴" in page  # rows, and the hours a file is kept


# --- Expiry -------------------------------------------------------------------------------------


def test_expired_exports_are_deleted_with_their_files(client, personas):
    expired = done_job(personas.viewer, scope=[personas.tehran.pk])
    expired.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()
    kept = done_job(personas.viewer, scope=[personas.tehran.pk])
    client.force_login(personas.viewer)
    # An expired job is gone for its owner at once, before any purge.
    assert client.get(f"/agreements/exports/{expired.pk}/").status_code == 404
    assert client.get(f"/agreements/exports/{expired.pk}/download/").status_code == 404
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "Deleted 1 expired export" in out.getvalue()
    assert list(ExportJob.objects.all()) == [kept]
    assert not default_storage.exists(expired.file.name)
    assert default_storage.exists(kept.file.name)


def test_every_run_purges_expired_exports_first(personas, agreements):
    expired = done_job(personas.viewer)
    expired.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()
    export_jobs.run_export_job(str(queued_job(personas.viewer).pk))
    assert not ExportJob.objects.filter(pk=expired.pk).exists()
    assert not default_storage.exists(expired.file.name)


def test_a_running_export_that_stopped_reporting_is_marked_interrupted(personas):
    job = queued_job(personas.viewer, state=ExportState.RUNNING)
    export_jobs.purge_expired(
        now=timezone.now() + export_jobs.STALE_AFTER + datetime.timedelta(minutes=1)
    )
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", ExportError.INTERRUPTED)


@pytest.mark.django_db(transaction=True)
def test_backups_leave_out_background_exports(personas, tmp_path):
    import json
    import tarfile

    job = done_job(personas.viewer)
    target = tmp_path / "backup.tar.gz"
    call_command("backup", str(target), stdout=io.StringIO())
    with tarfile.open(target) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    assert "agreements.ExportJob" not in manifest["models"]
    assert not [name for name in manifest["members"] if name.startswith("media/exports/")]
    assert default_storage.exists(job.file.name)  # nothing deleted by the backup
