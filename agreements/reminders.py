"""The daily reminders: stalled, expiring and dormant agreements, one digest e-mail
per person listing all of theirs (`manage.py send_reminders`, and the daily task
agreements.tasks.send_daily_reminders).

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
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from . import notifications, reasons, tasks
from .models import Agreement, Reminder, ReminderReason


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
