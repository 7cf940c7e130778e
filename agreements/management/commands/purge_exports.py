"""python manage.py purge_exports: delete background exports past their retention.

Every export run purges too (agreements.export_jobs.purge_expired); this command
is for a cron job, so that files do not outlive EXPORT_RETENTION_HOURS on an
installation where nobody exports for a while.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agreements.export_jobs import purge_expired


class Command(BaseCommand):
    help = "Delete background exports (rows and files) older than EXPORT_RETENTION_HOURS."

    def handle(self, *args, **options) -> None:
        deleted = purge_expired()
        self.stdout.write(f"Deleted {deleted} expired export(s).")
