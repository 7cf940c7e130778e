"""The daily reminders: stalled, expiring and dormant agreements and those with
overdue action plan items, one digest e-mail
per person listing all of theirs (`manage.py send_reminders`, and the daily task
`send_daily_reminders`).

The daily run is a chain of tasks: `send_daily_reminders` first queues its
successor for the next day at REMINDERS_HOUR (local time), then sends the day's
reminders, so a failing run does not end the chain. `schedule_reminders()`
(`manage.py schedule_reminders`, run by `make serve`) starts the chain when no run
is waiting, and never adds a second one.

Who is reminded is notifications.RecipientFinder's rule (the responsible officer,
else the municipality's officers, else its approvers). Idempotent per day: one
Reminder row per agreement, reason and day (a unique constraint), written in the
same transaction as the e-mails are queued. With the database queue the e-mails are
rows of that transaction too; with a backend that sends at once, a failure to send
rolls the rows back, so a re-run (or tomorrow's) tries again. Two runs at once: the
second one's rows collide with the first's and it leaves those agreements out.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django_tasks import task

from . import notifications, reasons, tasks
from .models import Agreement, Reminder, ReminderReason

logger = logging.getLogger("sistercities.mail")


@dataclass(frozen=True)
class Outcome:
    sent: int  # (agreement, reason) pairs reminded today by this run
    skipped: int  # already reminded today (by an earlier or a concurrent run)
    unaddressed: int  # nobody to remind (logged by RecipientFinder)
    emails: int  # digests queued


def flagged(today: datetime.date) -> dict[str, object]:
    return {
        ReminderReason.STALLED: Agreement.objects.stalled(),
        ReminderReason.EXPIRING: Agreement.objects.expiring(today),
        ReminderReason.DORMANT: Agreement.objects.dormant(today),
        ReminderReason.PLAN_OVERDUE: Agreement.objects.live().with_overdue_plan_items(today),
    }


def send_reminders(*, today: datetime.date) -> Outcome:
    finder = notifications.RecipientFinder()
    due: list[tuple[Agreement, str, list]] = []
    skipped = unaddressed = 0
    for reason, queryset in flagged(today).items():
        already = set(
            Reminder.objects.filter(reason=reason, sent_on=today).values_list(
                "agreement_id", flat=True
            )
        )
        agreements = queryset.with_cities().select_related("responsible_officer__profile")
        for agreement in agreements.order_by("pk").iterator(chunk_size=500):
            if agreement.pk in already:
                skipped += 1
                continue
            users = finder.for_agreement(agreement)
            if not users:
                unaddressed += 1
            due.append((agreement, reason, users))

    sent = emails = 0
    with transaction.atomic():
        digests: dict[int, tuple[object, list[tuple[Agreement, str]]]] = {}
        for agreement, reason, users in due:
            try:
                with transaction.atomic():
                    reminder = Reminder(
                        agreement=agreement,
                        reason=reason,
                        sent_on=today,
                        recipients=", ".join(sorted(u.email for u in users)),
                    )
                    reminder._change_reason = reasons.reason("reminder_sent")
                    reminder.save()
            except IntegrityError:
                skipped += 1  # a concurrent run got there first
                continue
            sent += 1
            for user in users:
                digests.setdefault(user.pk, (user, []))[1].append((agreement, reason))
        # Queued inside the transaction: if queueing (or, with the immediate
        # backend, sending) fails, the rows roll back and a later run tries again.
        for user, items in digests.values():
            emails += tasks.queue_emails(notifications.reminder_digest(user, items))
    return Outcome(sent=sent, skipped=skipped, unaddressed=unaddressed, emails=emails)


# --- The daily reminders -------------------------------------------------------------
# When the daily run is due, in the local time zone (settings.TIME_ZONE): before the
# office opens, so the digest is waiting in the morning.
REMINDERS_HOUR = 7
# A key for PostgreSQL's advisory lock that serialises schedule_reminders() calls
# (any fixed 64-bit number no other part of the project uses).
_SCHEDULE_LOCK = 0x5C_17_0D_A1


def next_reminders_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next REMINDERS_HOUR o'clock after `now`, local time, as an aware datetime."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=REMINDERS_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at = timezone.make_aware(
            datetime.datetime.combine(local.date() + datetime.timedelta(days=1), at.time()),
            local.tzinfo,
        )
    return at


@task()
def send_daily_reminders() -> str:
    """Queue tomorrow's run, then send today's reminders (idempotent per day)."""
    schedule_reminders()
    outcome = send_reminders(today=timezone.localdate())
    logger.info(
        "reminders sent=%s emails=%s skipped=%s unaddressed=%s",
        outcome.sent,
        outcome.emails,
        outcome.skipped,
        outcome.unaddressed,
    )
    return f"{outcome.sent} reminder(s) in {outcome.emails} e-mail(s)"


def waiting_reminder_runs():
    """The queued runs of the daily reminders that no worker has started yet."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=send_daily_reminders.module_path, status="READY"
    ).order_by("run_after")


def schedule_reminders(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Make sure one run of the daily reminders is waiting in the queue: queue one for
    the next REMINDERS_HOUR unless one waits already. Returns when the new run is
    due, or None when none was queued (one waits, or the backend cannot defer).

    Safe to call from any number of processes at once (two `make serve`s, every app
    server): the check and the insert run under one lock (PostgreSQL's advisory
    lock; SQLite's write lock, taken by BEGIN IMMEDIATE, see config/settings.py), so
    the second caller sees the first one's run. The running run is not "waiting"
    (its row is RUNNING), which lets it queue its successor."""
    backend = send_daily_reminders.get_backend()
    if not tasks.queued_with_the_transaction(backend, router.db_for_write(_task_model())):
        return None
    using = router.db_for_write(_task_model())
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK])
        if waiting_reminder_runs().using(using).exists():
            return None
        run_after = next_reminders_run(now)
        send_daily_reminders.using(run_after=run_after).enqueue()
    logger.info("daily reminders queued for %s", run_after.isoformat())
    return run_after


def _task_model():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult
