"""Background work, through django-tasks (settings.TASKS).

In production the backend is django-tasks-db's database queue, run by
`manage.py db_worker` (any number of workers on any server; nothing is kept in
one process's memory). In tests and with DEBUG the immediate backend runs each
task at once, in the caller, so e-mail lands in the outbox synchronously.
Arguments are plain JSON values: a task may run in another process later.

A workflow change queues one small task (the request's id); the worker reads the
request and writes each recipient's e-mail in their language
(agreements.notifications), so the transition itself composes nothing. A large
export queues `run_export` with its job's id (agreements.export_jobs).

The daily reminders are a chain of tasks of their own (agreements.reminders:
`send_daily_reminders`, `schedule_reminders`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django_tasks import task
from django_tasks.base import Task

from . import export_jobs, notifications, partner_mail

logger = logging.getLogger("sistercities.mail")


@task()
def send_email(*, subject: str, body: str, to: list[str], from_email: str = "") -> int:
    """Send one plain-text e-mail; a failure is recorded on the task result (and retried
    by running the worker again), never lost inside a request."""
    sent = send_mail(
        subject, body, from_email or settings.DEFAULT_FROM_EMAIL, list(to), fail_silently=False
    )
    logger.info("mail sent to=%s subject=%s", len(to), subject[:80])
    return sent


def queue_email(*, subject: str, body: str, to: list[str]) -> None:
    """Send now (immediate backend) or queue for the worker (database backend)."""
    send_email.enqueue(subject=str(subject), body=str(body), to=[str(a) for a in to])


def queue_emails(emails: list[notifications.Email]) -> int:
    """Queue each composed e-mail (agreements.notifications); how many were queued."""
    for email in emails:
        queue_email(**email)
    return len(emails)


@task()
def notify_request_made(*, stage_request_id: int) -> int:
    """E-mail the municipality's approvers that a request waits for them."""
    return queue_emails(notifications.request_made(stage_request_id))


@task()
def notify_request_decided(*, stage_request_id: int) -> int:
    """E-mail the requester how their request was decided."""
    return queue_emails(notifications.request_decided(stage_request_id))


@task()
def notify_partner_feedback(
    *, comment_id: int | None = None, confirmation_id: int | None = None
) -> int:
    """E-mail the home municipality's officers the partner's comment or confirmation."""
    return queue_emails(
        partner_mail.partner_feedback(comment_id=comment_id, confirmation_id=confirmation_id)
    )


@task()
def run_export(*, job_id: str) -> str:
    """Write one export of the agreement list (agreements.export_jobs); idempotent per job."""
    return export_jobs.run_export_job(job_id)


def start_export(**job) -> export_jobs.ExportJob:
    """The owner's unfinished job for the same export, or a new job with its task queued
    (export_jobs.find_or_create_job takes `job`'s keywords). With the immediate
    backend (tests, DEBUG) the task has run when this returns."""
    found, created = export_jobs.find_or_create_job(**job)
    if not created:
        return found
    try:
        run_export.enqueue(job_id=str(found.pk))
    except Exception:
        # No task, no job: it would wait for nothing until it expired.
        found.delete()
        raise
    logger.info("export queued job=%s format=%s user=%s", found.pk, found.format, found.owner_id)
    found.refresh_from_db()
    return found


def queued_with_the_transaction(backend: Any, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Does `backend` queue a task as a row of the database the transaction writes to?"""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == using


def enqueue_on_commit(work: Task, *, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Queue `work` so that it runs only if the current transaction commits.

    With the database queue in the same database, the task's row is written inside
    the transaction (a transactional outbox): it commits with the change it reports,
    or rolls back with it, and a worker can see it only after the commit. That costs
    one INSERT, not a second commit after the first. Any other backend (the
    immediate one runs the task at once) is called from transaction.on_commit.
    """
    if queued_with_the_transaction(work.get_backend(), using):
        work.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: work.enqueue(**kwargs), using=using)
