"""python manage.py send_reminders: e-mail about stalled, expiring and dormant
agreements, one digest per person listing all of theirs (agreements/reminders.py).

Run daily by the task worker (agreements.reminders.send_daily_reminders, kept queued by
`manage.py schedule_reminders`, which `make serve` runs), or once a day from cron or
a systemd timer. Idempotent per day: running it again the same day sends nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from agreements.reminders import send_reminders


class Command(BaseCommand):
    help = "Send reminders about stalled, expiring and dormant agreements (a digest a day each)."

    def handle(self, *args, **options) -> None:
        outcome = send_reminders(today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.sent} reminder(s) sent in {outcome.emails} e-mail(s), "
                f"{outcome.skipped} already sent today, {outcome.unaddressed} without a recipient."
            )
        )
