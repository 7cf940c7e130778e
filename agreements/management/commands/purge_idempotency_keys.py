"""python manage.py purge_idempotency_keys: delete the stored first answers of API
POSTs whose Idempotency-Key is older than IDEMPOTENCY_TTL (24 hours).

An expired key already counts as unused (agreements/api/idempotency.py replaces its
row); this command, for a cron job next to purge_exports, keeps the table to about
a day of POSTs.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agreements.models import IdempotentRequest


class Command(BaseCommand):
    help = "Delete stored answers of API POSTs whose Idempotency-Key is older than 24 hours."

    def handle(self, *args, **options) -> None:
        deleted, _per_model = IdempotentRequest.objects.expired().delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency key(s).")
