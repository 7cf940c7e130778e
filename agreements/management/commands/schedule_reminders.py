"""python manage.py schedule_reminders: make sure the daily reminders run is queued
for the task worker (`manage.py db_worker`). `make serve` runs it before starting the
worker; running it again, or from several servers at once, queues nothing more
(agreements.reminders.schedule_reminders). Each run queues the next day's itself."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from agreements import reminders, tasks


class Command(BaseCommand):
    help = "Queue the daily reminders for the task worker unless a run is queued already."

    def handle(self, *args, **options) -> None:
        if not tasks.queued_with_the_transaction(reminders.send_daily_reminders.get_backend()):
            self.stdout.write(
                "The task backend is not the database queue (TASKS_BACKEND=immediate): nothing "
                "is scheduled. Run `manage.py send_reminders` once a day (cron or a systemd timer)."
            )
            return
        due = reminders.schedule_reminders()
        if due is None:
            waiting = reminders.waiting_reminder_runs().first()
            self.stdout.write(
                "The daily reminders are queued already"
                + (
                    f" (next run {timezone.localtime(waiting.run_after).isoformat()})."
                    if waiting
                    else "."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The daily reminders are queued: next run {timezone.localtime(due).isoformat()}."
                )
            )
