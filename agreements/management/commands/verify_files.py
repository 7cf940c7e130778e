"""`manage.py verify_files`: every stored file against its recorded SHA-256.

Reads each uploaded document (`Document.sha256`) and each frozen memorandum's
PDF (`Memorandum.pdf_sha256`) through the storage, as the downloads do
(agreements.files). Each file that is missing or differs is named on stderr
(and in the audit log) and the command exits 1; when all match it prints a
one-line summary and exits 0, so a scheduled run can alert on its status.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agreements.files import DIFFERS, MISSING, NOT_RECORDED, file_problem, record_label
from agreements.models import Document, Memorandum

PROBLEMS = {
    MISSING: "missing from storage",
    DIFFERS: "SHA-256 differs from the record",
    NOT_RECORDED: "the record has no SHA-256",
}


class Command(BaseCommand):
    help = (
        "Check every stored file (documents, frozen memoranda) against its recorded "
        "SHA-256; exit 1 naming each missing or changed file."
    )

    def handle(self, *args, **options) -> None:
        checked = {"documents": 0, "frozen memoranda": 0}
        failures = 0
        records = [
            ("documents", Document.objects.order_by("pk"), "file", "sha256"),
            (
                "frozen memoranda",
                Memorandum.objects.filter(frozen_at__isnull=False).order_by("pk"),
                "pdf",
                "pdf_sha256",
            ),
        ]
        for kind, queryset, file_field, sha_field in records:
            for record in queryset.only("pk", file_field, sha_field).iterator(chunk_size=500):
                field_file = getattr(record, file_field)
                checked[kind] += 1
                problem = file_problem(field_file, getattr(record, sha_field), record=record)
                if problem is not None:
                    failures += 1
                    self.stderr.write(
                        f"{record_label(record)}: {field_file.name or '(no file)'}: "
                        f"{PROBLEMS[problem]}"
                    )
        total = sum(checked.values())
        counts = ", ".join(f"{kind}: {n}" for kind, n in checked.items())
        if failures:
            raise CommandError(
                f"{failures} of {total} stored files do not match their records ({counts})."
            )
        self.stdout.write(f"All {total} stored files match their records ({counts}).")
