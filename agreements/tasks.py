"""Background work, through django-tasks (settings.TASKS).

In production the backend is django-tasks-db's database queue, run by
`manage.py db_worker` (any number of workers on any server; nothing is kept in
one process's memory). In tests and with DEBUG the immediate backend runs each
task at once, in the caller, so e-mail lands in the outbox synchronously.
Arguments are plain JSON values: a task may run in another process later.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

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
