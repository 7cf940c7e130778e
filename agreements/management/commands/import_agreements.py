"""Import agreements from a CSV or XLSX file (see agreements/importing.py)."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agreements import reasons
from agreements.importing import ImportRefused, apply_import, plan_import, read_rows


class Command(BaseCommand):
    help = (
        "Import agreements from CSV or XLSX (columns home_city, home_country, home_name_fa, "
        "partner_city, partner_country, partner_name_fa, kind, stage, year, notes). Every "
        "row is validated first; one bad row refuses the whole file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; write nothing."
        )
        parser.add_argument(
            "--user", help="Username recorded in the history as the importer (default: none)."
        )
        parser.add_argument(
            "--calendar",
            choices=["gregorian", "jalali"],
            help="Calendar of the file's years and dates, unless the file states it "
            "(default: a year below 1700 is Solar Hijri).",
        )

    def handle(
        self,
        *args,
        file: str,
        dry_run: bool,
        user: str | None,
        calendar: str | None = None,
        **options,
    ) -> None:
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("No user named %(user)s.") % {"user": user})
        name = os.path.basename(file)
        try:
            with open(file, "rb") as f:
                rows = read_rows(f, name)
        except OSError as exc:
            raise CommandError(str(exc))
        try:
            plan = plan_import(rows, calendar=calendar, progress=self._progress)
            if plan.errors:
                raise ImportRefused(plan.errors)
            if dry_run:
                self.stdout.write(_("Dry run, nothing written: %s") % plan.describe())
                return
            result = apply_import(
                plan,
                by=by,
                reason=reasons.reason("imported", file=name, via="command"),
                progress=self._progress,
            )
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(file)s was not imported (%(count)s errors); nothing was written.")
                % {"file": name, "count": len(refused.errors)}
            )
        self.stdout.write(self.style.SUCCESS(_("Imported: %s") % result.describe()))

    def _progress(self, phase: str, done: int, total: int) -> None:
        # Only large files get progress lines; a small import stays quiet.
        if total >= 1000:
            label = _("validated") if phase == "validate" else _("written")
            self.stderr.write(f"{done}/{total} {label}")
