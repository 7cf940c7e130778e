"""Exports too large to answer in the request: written by a background task.

An export of more than EXPORT_INLINE_MAX_ROWS agreements (CSV/XLSX) or
EXPORT_INLINE_MAX_MEMORANDA signed memoranda (ZIP) would hold an app server
worker for minutes (eight concurrent XLSX exports of 100,000 rows took 41 to 194 s
each). Instead the page or the API records an ExportJob (who asked, the list's
filter string, the format, the language) and queues `tasks.run_export` with the
job's id; the page polls the job and offers the file when it is ready.

The task trusts nothing from the request: it reads the owner again, checks they
still hold a role, builds the visible queryset from the stored filter string as
the list would for them now, and writes the file through Django's storage API
under `exports/` (never served by URL) with its SHA-256. A download checks the
owner, that the owner still sees every home municipality the file may hold, and
the file's SHA-256 before sending it.

Idempotent per job: a finished job is never run again; each run takes the next
`attempt` number and a run that is no longer the latest (the job was started
again, or deleted by purge_expired) stops at its next progress report and keeps
nothing. Files and rows are deleted EXPORT_RETENTION_HOURS after the file was
written (purge_expired: at the start of every run and by `manage.py purge_exports`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile
from types import SimpleNamespace
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import exporting, permissions
from .dates import reader_digits
from .filters import AgreementFilter
from .models import Agreement, ExportError, ExportFormat, ExportJob, ExportSource, ExportState

if TYPE_CHECKING:
    from .permissions import AnyUser

logger = logging.getLogger("sistercities.exports")

# A user may have this many exports waiting or being written at once; more would
# let one person fill the task queue.
MAX_UNFINISHED_PER_USER = 3
# A running export reports progress every 1,000 rows (or 10 memoranda); one silent for
# this long lost its worker.
STALE_AFTER = datetime.timedelta(minutes=30)
# Filter strings longer than this are not a list's filters.
MAX_QUERY_LENGTH = 2000
# The file is built in memory up to this size, then in an anonymous temporary file.
_SPOOL_BYTES = 8 * 1024 * 1024
_READ_CHUNK = 1024 * 1024
# The ZIP reports progress every this many agreements (each is one or two PDFs).
_MEMORANDA_EVERY = 10

EXTENSIONS = {
    ExportFormat.CSV: "csv",
    ExportFormat.XLSX: "xlsx",
    ExportFormat.SIGNED_MOU_ZIP: "zip",
}
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: exporting.XLSX_CONTENT_TYPE,
    ExportFormat.SIGNED_MOU_ZIP: "application/zip",
}

TOO_MANY = _(
    "You already have %(count)s exports waiting or being written; wait until one is ready."
)
SCOPE_CHANGED = _(
    "Your roles have changed since this export was written, so it is no longer yours to "
    "download. Start it again from the list."
)


class InvalidFilters(Exception):
    """The filter string does not validate for this user (now)."""

    def __init__(self, errors) -> None:
        self.errors = errors
        super().__init__(str(errors))


class TooManyExports(Exception):
    def __init__(self) -> None:
        self.message = str(TOO_MANY % {"count": reader_digits(MAX_UNFINISHED_PER_USER)})
        super().__init__(self.message)


class _Superseded(Exception):
    """This run is no longer the job's latest (or the job is gone): stop, keep nothing."""


# --- The queryset, as the list builds it ------------------------------------------------------


def filter_query(data: QueryDict, source: str = ExportSource.PAGE) -> str:
    """The filter string of a request's parameters: only the list's filters (not its
    page, not DRF's format, nothing else), in a stable order, so that the same list
    asked twice is recognised as one export."""
    names = _filter_class(source).base_filters
    kept = QueryDict(mutable=True)
    for key in sorted(data):
        if key in names:
            kept.setlist(key, data.getlist(key))
    return kept.urlencode()


def _filter_class(source: str) -> type[AgreementFilter]:
    if source == ExportSource.API:
        from .api.filters import AgreementAPIFilter

        return AgreementAPIFilter
    return AgreementFilter


def signed_agreements(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """The agreements of a list that have a frozen memorandum (the bulk ZIP's rows)."""
    return queryset.filter(memoranda__frozen_at__isnull=False).distinct().order_by("pk")


def export_queryset(
    user: AnyUser, *, format: str, query: str, source: str = ExportSource.PAGE
) -> tuple[QuerySet[Agreement], AgreementFilter]:
    """The rows an export of `format` holds for `user` with the filter string `query`:
    visible_agreements and the list's AgreementFilter, as the page and the API build
    them. Raises InvalidFilters when a value does not validate (for this user: a home
    municipality they no longer see is one)."""
    visible = permissions.visible_agreements(user).with_cities()
    agreement_filter = _filter_class(source)(
        QueryDict(query), queryset=visible, request=SimpleNamespace(user=user)
    )
    if not agreement_filter.form.is_valid():
        raise InvalidFilters(agreement_filter.errors)
    queryset = agreement_filter.qs
    if format == ExportFormat.SIGNED_MOU_ZIP:
        queryset = signed_agreements(queryset)
    return queryset, agreement_filter


def inline_limit(format: str) -> int:
    if format == ExportFormat.SIGNED_MOU_ZIP:
        return settings.EXPORT_INLINE_MAX_MEMORANDA
    return settings.EXPORT_INLINE_MAX_ROWS


def runs_in_background(queryset: QuerySet[Agreement], format: str) -> bool:
    """More rows than an answer at once may hold? The count stops at the limit + 1."""
    limit = inline_limit(format)
    return queryset.order_by()[: limit + 1].count() > limit


# --- Starting ------------------------------------------------------------------------------------


def find_or_create_job(
    *, user: AnyUser, format: str, query: str, source: str, language: str
) -> tuple[ExportJob, bool]:
    """(job, created): the owner's unfinished job for the same export if there is one
    (a second click, an API client asking again), else a new one, whose task the
    caller queues (agreements.tasks.start_export)."""
    now = timezone.now()
    unfinished = ExportJob.objects.filter(
        owner=user, state__in=[ExportState.QUEUED, ExportState.RUNNING], expires_at__gt=now
    )
    same = unfinished.filter(format=format, query=query, source=source, language=language)
    existing = same.first()
    if existing is not None:
        return existing, False
    if unfinished.count() >= MAX_UNFINISHED_PER_USER:
        raise TooManyExports
    job = ExportJob.objects.create(
        owner=user,
        format=format,
        query=query,
        source=source,
        language=language,
        expires_at=now + retention(),
    )
    return job, True


def retention() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS)


# --- Running (the task) ------------------------------------------------------------------------


def _locked(job_id) -> ExportJob | None:
    return ExportJob.objects.select_for_update().filter(pk=job_id).first()


def _claim(job_id) -> ExportJob | None:
    """Mark the job running under the next attempt number; None if there is nothing to do."""
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.is_finished or job.is_expired:
            return None
        job.state = ExportState.RUNNING
        job.attempt += 1
        job.started_at = timezone.now()
        job.rows_done = 0
        job.error = ""
        job.save(
            update_fields=["state", "attempt", "started_at", "rows_done", "error", "updated_at"]
        )
    return job


def _still_ours(job: ExportJob) -> None:
    if not ExportJob.objects.filter(pk=job.pk, attempt=job.attempt).exists():
        raise _Superseded


def _fail(job: ExportJob, error: str) -> None:
    with transaction.atomic():
        fresh = _locked(job.pk)
        if fresh is None or fresh.attempt != job.attempt:
            return
        fresh.state = ExportState.FAILED
        fresh.error = error
        fresh.finished_at = timezone.now()
        fresh.save(update_fields=["state", "error", "finished_at", "updated_at"])
    logger.info("export failed job=%s error=%s", job.pk, error)


def _scope(user: AnyUser, agreement_filter: AgreementFilter) -> list[int] | None:
    """The home municipalities whose rows the file may hold (None: all of them)."""
    chosen = agreement_filter.form.cleaned_data.get("home_city")
    if chosen is not None:
        return [chosen.pk]
    if permissions.is_administrator(user):
        return None
    return permissions.home_city_ids(user)


def _write(job: ExportJob, queryset: QuerySet[Agreement], file: IO[bytes], progress) -> None:
    if job.format == ExportFormat.CSV:
        exporting.write_csv(queryset, file, progress)
    elif job.format == ExportFormat.XLSX:
        exporting.write_xlsx(queryset, file, progress)
    else:
        from .pdf import stream_signed_mou_export

        agreements = queryset.select_related("home_city", "partner_city").iterator(chunk_size=200)
        for chunk in stream_signed_mou_export(
            exporting.counted(agreements, progress, _MEMORANDA_EVERY)
        ):
            file.write(chunk)


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while block := file.read(_READ_CHUNK):
        digest.update(block)
    return digest.hexdigest()


def run_export_job(job_id: str) -> str:
    """The task's work (tasks.run_export): one run of one job. Returns what happened."""
    purge_expired()
    job = _claim(job_id)
    if job is None:
        return "nothing to do"
    try:
        with translation.override(job.language):
            return _run(job)
    except _Superseded:
        logger.info("export superseded job=%s attempt=%s", job.pk, job.attempt)
        return "superseded"
    except Exception:
        logger.exception("export failed job=%s", job.pk)
        _fail(job, ExportError.FAILED)
        raise


def _run(job: ExportJob) -> str:
    # The owner as they are now: a role taken away since the click gives nothing.
    user = get_user_model().objects.filter(pk=job.owner_id, is_active=True).first()
    if user is None or not permissions.has_any_role(user):
        _fail(job, ExportError.NO_ACCESS)
        return "no access"
    try:
        queryset, agreement_filter = export_queryset(
            user, format=job.format, query=job.query, source=job.source
        )
    except InvalidFilters:
        _fail(job, ExportError.INVALID_FILTERS)
        return "invalid filters"
    job.scope = _scope(user, agreement_filter)
    job.rows_total = queryset.order_by().count()
    job.save(update_fields=["scope", "rows_total", "updated_at"])
    written = [0]

    def progress(done: int) -> None:
        _still_ours(job)
        written[0] = done
        job.rows_done = done
        job.save(update_fields=["rows_done", "updated_at"])

    field = ExportJob._meta.get_field("file")
    filename = download_name(job)
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as buffer:
        _write(job, queryset, buffer, progress)
        size = buffer.tell()
        sha256 = _sha256(buffer)
        buffer.seek(0)
        name = field.storage.save(
            field.generate_filename(job, filename), File(buffer, name=filename)
        )
    _finish(job, name=name, size=size, sha256=sha256, rows=written[0])
    return "done"


def _finish(job: ExportJob, *, name: str, size: int, sha256: str, rows: int) -> None:
    storage = ExportJob._meta.get_field("file").storage
    with transaction.atomic():
        fresh = _locked(job.pk)
        if fresh is None or fresh.attempt != job.attempt:
            storage.delete(name)
            raise _Superseded
        now = timezone.now()
        fresh.file.name = name
        fresh.size = size
        fresh.sha256 = sha256
        # The rows written: the count before writing may differ if agreements were
        # added or left the filter in between.
        fresh.rows_done = fresh.rows_total = rows
        fresh.state = ExportState.DONE
        fresh.error = ""
        fresh.finished_at = now
        fresh.expires_at = now + retention()
        fresh.save(
            update_fields=[
                "file",
                "size",
                "sha256",
                "rows_done",
                "rows_total",
                "state",
                "error",
                "finished_at",
                "expires_at",
                "updated_at",
            ]
        )
    logger.info("export done job=%s rows=%s bytes=%s", job.pk, rows, size)


# --- Reading and downloading ---------------------------------------------------------------------


def jobs_of(user: AnyUser) -> QuerySet[ExportJob]:
    """The user's exports that have not expired, newest first."""
    return ExportJob.objects.filter(owner=user, expires_at__gt=timezone.now())


def download_name(job: ExportJob) -> str:
    stem = "signed-memoranda" if job.format == ExportFormat.SIGNED_MOU_ZIP else "agreements"
    day = timezone.localtime(job.created_at).date()
    return f"{stem}-{day:%Y-%m-%d}.{EXTENSIONS[job.format]}"


def still_in_scope(user: AnyUser, job: ExportJob) -> bool:
    """Does the owner still see every home municipality the file may hold rows of?"""
    if permissions.is_administrator(user):
        return True
    if job.scope is None:
        return False
    return set(job.scope) <= set(permissions.home_city_ids(user))


def open_verified(job: ExportJob) -> IO[bytes] | None:
    """The stored file, open at its start, if its bytes still have the SHA-256 recorded
    when it was written; else None, and the job is marked failed (the file deleted)."""
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, ValueError):
        handle = None
    if handle is not None:
        if _sha256(handle) == job.sha256:
            handle.seek(0)
            return handle
        handle.close()
    logger.error("export file damaged or missing job=%s name=%s", job.pk, job.file.name)
    with transaction.atomic():
        fresh = _locked(job.pk)
        if fresh is not None and fresh.state == ExportState.DONE:
            fresh.file.delete(save=False)
            fresh.state = ExportState.FAILED
            fresh.error = ExportError.DAMAGED
            fresh.save(update_fields=["file", "state", "error", "updated_at"])
    job.refresh_from_db()
    return None


# --- Expiry -----------------------------------------------------------------------------------------


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete expired jobs and their files; mark running jobs that stopped reporting
    (their worker died) as interrupted. Returns how many jobs were deleted."""
    now = now or timezone.now()
    deleted = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).order_by("expires_at").iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    for job in ExportJob.objects.filter(
        state=ExportState.RUNNING, updated_at__lt=now - STALE_AFTER
    ):
        job.state = ExportState.FAILED
        job.error = ExportError.INTERRUPTED
        job.finished_at = now
        job.save(update_fields=["state", "error", "finished_at", "updated_at"])
    if deleted:
        logger.info("exports purged count=%s", deleted)
    return deleted
