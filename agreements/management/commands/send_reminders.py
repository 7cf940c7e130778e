"""python manage.py send_reminders: e-mail about stalled, expiring and dormant
agreements. Meant for cron; idempotent per day (a Reminder row per agreement,
reason and day is written in the same transaction as the decision to send)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements import notifications, reasons, tasks
from agreements.models import Agreement, Reminder, ReminderReason


class Command(BaseCommand):
    help = "Send reminders about stalled, expiring and dormant agreements (once a day each)."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        flagged = {
            ReminderReason.STALLED: Agreement.objects.stalled(),
            ReminderReason.EXPIRING: Agreement.objects.expiring(today),
            ReminderReason.DORMANT: Agreement.objects.dormant(today),
        }
        sent = skipped = 0
        for reason, queryset in flagged.items():
            already = set(
                Reminder.objects.filter(reason=reason, sent_on=today).values_list(
                    "agreement_id", flat=True
                )
            )
            for agreement in queryset.with_cities().iterator(chunk_size=500):
                if agreement.pk in already:
                    skipped += 1
                    continue
                users = notifications.reminder_recipients(agreement)
                try:
                    with transaction.atomic():
                        reminder = Reminder(
                            agreement=agreement,
                            reason=reason,
                            sent_on=today,
                            recipients=", ".join(sorted(u.email for u in users)),
                        )
                        reminder._change_reason = reasons.reason("reminder_sent", via="command")
                        reminder.save()
                        # Sent inside the transaction: if sending fails, the row is
                        # rolled back and tomorrow's (or a re-)run tries again.
                        tasks.queue_emails(notifications.reminder(agreement, reason, users))
                except IntegrityError:
                    skipped += 1  # another run got there first today
                    continue
                sent += 1
        self.stdout.write(
            self.style.SUCCESS(f"{sent} reminder(s) sent, {skipped} already sent today.")
        )
