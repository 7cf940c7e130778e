"""`manage.py backup FILE`: everything in one .tar.gz, with a manifest of SHA-256s.

The archive holds
- manifest.json: format, time, the SHA-256 and size of every other member, and
  the row count of every table;
- data/db.jsonl: `dumpdata` of every app with its primary keys as they are
  (users, roles, API tokens, content types, every historical table, the task
  queue), so that history rows pointing at since-deleted users survive too;
- media/...: every file of the media storage (uploaded documents, frozen PDFs,
  cached dossiers), read through Django's storage API: the files under MEDIA_ROOT,
  or the objects of the bucket with MEDIA_STORAGE=s3, each under its own name.

Left out: sessions and django-axes' login attempts (state that a restore should
not bring back), background exports (ExportJob and its files under
exports/: copies of the data above, deleted within EXPORT_RETENTION_HOURS), and the
answers kept for API retries (IdempotentRequest: copies too, for 24 hours). `manage.py restore FILE` puts it back into an empty database.
The archive contains password hashes and tokens: it is written with mode 0600.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from agreements.files import copy_hashing, stored_names

FORMAT = 1
DATA_MEMBER = "data/db.jsonl"
MANIFEST_MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"
# App labels and models not backed up: sessions, login throttling state, the
# transient background exports (their files are under EXPORTS_PREFIX) and answers
# kept for API retries.
EXCLUDED = ["sessions", "axes", "agreements.ExportJob", "agreements.IdempotentRequest"]
EXPORTS_PREFIX = "exports/"
# Rebuilt by `migrate` in the empty database; replaced by the archive's own rows.
METADATA_MODELS = ["contenttypes.ContentType", "auth.Permission"]


def backed_up_models() -> list:
    """Every concrete model whose rows the archive carries, in a stable order."""
    chosen = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.app_label in EXCLUDED or meta.label in EXCLUDED:
            continue
        chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.label)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_names() -> list[str]:
    """The names of the stored files a backup carries: all but background exports."""
    return [name for name in stored_names(default_storage) if not name.startswith(EXPORTS_PREFIX)]


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds (as ECMAScript does); a backup
    keeps them to the microsecond, so restored rows equal the originals."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def dump(models: list, path: Path) -> None:
    """What `dumpdata --all --format jsonl` writes, with full-precision times,
    each table in primary-key order, streamed (not built in memory)."""
    with path.open("w", encoding="utf-8") as stream:
        for model in models:
            rows = model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000)
            serializers.serialize("jsonl", rows, stream=stream, cls=FullPrecisionEncoder)


class Command(BaseCommand):
    help = "Write all data and all stored files to one .tar.gz archive with SHA-256 manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Where to write the archive (e.g. backup.tar.gz).")

    def handle(self, *args, **options) -> None:
        target = Path(options["file"]).resolve()
        if target.exists():
            raise CommandError(f"{target} exists; choose a new file name.")
        if isinstance(default_storage, FileSystemStorage) and target.is_relative_to(
            Path(default_storage.location).resolve()
        ):
            raise CommandError("Write the backup outside MEDIA_ROOT.")
        models = backed_up_models()
        labels = [m._meta.label for m in models]
        with tempfile.TemporaryDirectory(prefix="sistercities-backup-") as tmp:
            data_path = Path(tmp) / "db.jsonl"
            # One consistent snapshot: counts and dump inside one transaction
            # (REPEATABLE READ on PostgreSQL; SQLite's write lock otherwise).
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                counts = {m._meta.label: m._base_manager.count() for m in models}
                dump(models, data_path)
            members: dict[str, dict] = {
                DATA_MEMBER: {"sha256": sha256_file(data_path), "size": data_path.stat().st_size}
            }
            # Each stored file is read once, through the storage, into a private copy:
            # the manifest's SHA-256 is of exactly the bytes the archive holds.
            files_dir = Path(tmp) / "media"
            copies: dict[str, Path] = {}
            for number, name in enumerate(media_names()):
                copy = files_dir / str(number)
                copy.parent.mkdir(exist_ok=True)
                with copy.open("wb") as sink:
                    sha256, size = copy_hashing(default_storage, name, sink)
                members[MEDIA_PREFIX + name] = {"sha256": sha256, "size": size}
                copies[MEDIA_PREFIX + name] = copy
            manifest = {
                "format": FORMAT,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "database": connection.vendor,
                "models": labels,
                "counts": counts,
                "members": members,
            }
            partial = target.with_name(target.name + ".part")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST_MEMBER)
                    info.size = len(manifest_bytes)
                    info.mode = 0o600
                    tar.addfile(info, io.BytesIO(manifest_bytes))
                    tar.add(data_path, arcname=DATA_MEMBER, recursive=False)
                    for name, copy in copies.items():
                        tar.add(copy, arcname=name, recursive=False)
                partial.replace(target)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        rows = sum(counts.values())
        self.stdout.write(
            f"Backed up {rows} rows in {len(models)} tables and {len(copies)} files to {target}."
        )
