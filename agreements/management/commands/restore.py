"""`manage.py restore FILE`: put a `manage.py backup` archive back, byte for byte.

Only into an empty installation: a database that has been migrated but holds
no data (content types and permissions made by `migrate` are replaced by the
archive's own, with their original ids) and an empty media storage (MEDIA_ROOT, or
the bucket with MEDIA_STORAGE=s3). Anything else is refused: a restore never
merges into, or overwrites, live records.

Before anything is written, every member's SHA-256 is checked against the
manifest, member names are checked to stay inside the archive's folders, and
every record that keeps the SHA-256 of its file (Document.sha256,
Memorandum.pdf_sha256) is checked against that file in the archive: an archive
whose files and manifest were changed together is still refused, naming the
record.
Files are written first, through Django's storage API under their archived names,
and each is read back and checked against the manifest; the data is then loaded
in one transaction; if the load fails the written files are deleted again, so a
failed restore leaves the installation as empty as it found it.
"""

from __future__ import annotations

import json
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agreements.files import copy_hashing, stored_names

from .backup import (
    DATA_MEMBER,
    FORMAT,
    MANIFEST_MEMBER,
    MEDIA_PREFIX,
    METADATA_MODELS,
    sha256_file,
)

# Models that older versions backed up and this one no longer has: their rows are
# left out of a restore (with the reason), instead of refusing the archive.
RETIRED_MODELS = {
    "authtoken.Token": "DRF's API tokens, replaced by django-rest-knox's "
    "(agreements migration 0007); their owners obtain new tokens",
}


def where() -> str:
    """The media storage, as a message names it."""
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:
        return f"the bucket {bucket}"
    return f"MEDIA_ROOT ({getattr(default_storage, 'location', '?')})"


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and an empty media storage."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The archive written by `manage.py backup`.")

    def handle(self, *args, **options) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source} is not a file.")
        with tempfile.TemporaryDirectory(prefix="sistercities-restore-") as tmp:
            staging = Path(tmp)
            manifest = self._extract(source, staging)
            data = staging / DATA_MEMBER
            retired = [label for label in manifest["models"] if label in RETIRED_MODELS]
            if retired:
                data = self._without(data, retired)
            models = [apps.get_model(label) for label in manifest["models"] if label not in retired]
            self._refuse_unless_empty(models)
            copied = self._copy_media(manifest, staging)
            try:
                self._load(data, models, manifest["counts"])
            except BaseException:
                for name in copied:
                    default_storage.delete(name)
                raise
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Restored {rows} rows in {len(models)} tables and {len(copied)} files from {source}."
        )

    # --- Steps ----------------------------------------------------------------------------

    def _extract(self, source: Path, staging: Path) -> dict:
        try:
            with tarfile.open(source, mode="r:gz") as tar:
                members = tar.getmembers()
                for member in members:
                    if not member.isfile() or not _safe_name(member.name):
                        raise CommandError(f"Refusing archive member {member.name!r}.")
                names = {m.name for m in members}
                if MANIFEST_MEMBER not in names or DATA_MEMBER not in names:
                    raise CommandError("Not a Sister Cities backup (no manifest or data).")
                tar.extractall(staging, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise CommandError(f"Cannot read the archive: {exc}")
        manifest = json.loads((staging / MANIFEST_MEMBER).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise CommandError(f"Unknown backup format {manifest.get('format')!r}.")
        listed = set(manifest["members"])
        present = names - {MANIFEST_MEMBER}
        if listed != present:
            raise CommandError(
                f"The archive does not match its manifest: {sorted(listed ^ present)[:5]}"
            )
        for name, expected in manifest["members"].items():
            if sha256_file(staging / name) != expected["sha256"]:
                raise CommandError(f"{name} is damaged: its SHA-256 differs from the manifest.")
        self._check_recorded_files(staging, names)
        return manifest

    def _check_recorded_files(self, staging: Path, names: set[str]) -> None:
        """Each document's and memorandum's file in the archive against the SHA-256
        its own row records (the manifest can be rewritten with the files; the
        rows are what the application trusts)."""
        problems = []
        with (staging / DATA_MEMBER).open(encoding="utf-8") as rows:
            for line in rows:
                row = json.loads(line)
                fields = row.get("fields", {})
                if row.get("model") == "agreements.document":
                    name, expected = fields.get("file") or "", fields.get("sha256") or ""
                elif row.get("model") == "agreements.memorandum" and (
                    fields.get("pdf") or fields.get("frozen_at")
                ):
                    name, expected = fields.get("pdf") or "", fields.get("pdf_sha256") or ""
                else:
                    continue
                label = f"{row['model'].split('.')[1]} {row.get('pk')}"
                member = MEDIA_PREFIX + name
                if not name or not _safe_name(member) or member not in names:
                    problems.append(f"{label}: its file {name or '(none)'} is not in the archive")
                elif not expected:
                    problems.append(f"{label}: the record has no SHA-256 for {name}")
                elif sha256_file(staging / member) != expected.lower():
                    problems.append(f"{label}: {name} does not match the record's SHA-256")
        if problems:
            shown = "; ".join(problems[:10])
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise CommandError(
                f"Files do not match their records: {shown}{more}. Nothing was restored."
            )

    def _without(self, data: Path, labels: list[str]) -> Path:
        """A copy of the data without the rows of retired models."""
        for label in labels:
            self.stderr.write(f"Leaving out {label} rows: {RETIRED_MODELS[label]}.")
        dropped = {label.lower() for label in labels}
        kept = data.with_name("db-current.jsonl")
        with data.open(encoding="utf-8") as rows, kept.open("w", encoding="utf-8") as out:
            for line in rows:
                if json.loads(line).get("model") not in dropped:
                    out.write(line)
        return kept

    def _refuse_unless_empty(self, models: list) -> None:
        holding = [
            m._meta.label
            for m in models
            if m._meta.label not in METADATA_MODELS and m._base_manager.exists()
        ]
        if holding:
            raise CommandError(
                "The database is not empty (" + ", ".join(holding[:5]) + "). "
                "Restore only into a new, migrated database."
            )
        stored = next(stored_names(default_storage), None)
        if stored is not None:
            raise CommandError(f"The media storage is not empty ({where()} holds {stored}).")

    def _copy_media(self, manifest: dict, staging: Path) -> list[str]:
        copied: list[str] = []
        try:
            for member, expected in manifest["members"].items():
                if not member.startswith(MEDIA_PREFIX):
                    continue
                name = member[len(MEDIA_PREFIX) :]
                with (staging / member).open("rb") as source:
                    saved = default_storage.save(name, File(source, name=name))
                copied.append(saved)
                if saved != name:
                    raise CommandError(f"{name} was stored as {saved}: the storage renamed it.")
                sha256, _size = copy_hashing(default_storage, name, None)
                if sha256 != expected["sha256"]:
                    raise CommandError(f"{name} differs from the archive after copying.")
        except BaseException:
            for name in copied:
                default_storage.delete(name)
            raise
        return copied

    def _load(self, data: Path, models: list, counts: dict) -> None:
        with transaction.atomic():
            # `migrate` made its own content types and permissions; the archive's
            # rows (with their original ids, which other rows point at) replace them.
            for label in reversed(METADATA_MODELS):
                apps.get_model(label)._base_manager.all().delete()
            ContentType.objects.clear_cache()
            call_command("loaddata", str(data), verbosity=0)
            wrong = {
                m._meta.label: (m._base_manager.count(), counts[m._meta.label])
                for m in models
                if m._base_manager.count() != counts[m._meta.label]
            }
            if wrong:
                raise CommandError(f"Row counts differ after loading: {wrong}")
        ContentType.objects.clear_cache()
