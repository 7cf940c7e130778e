"""Stored files are handed out only while they still match their record.

Every uploaded document keeps the SHA-256 of its bytes (`Document.sha256`) and
every frozen memorandum the SHA-256 of its PDF (`Memorandum.pdf_sha256`). Every
route that hands such a file out (the download pages, the API, the signed-MoU
ZIPs) reads it through `verified_open(field_file, expected_sha256, record=...)`:

- the file is read through Django's storage API (`storage.open(name)`), never
  by path, in chunks, hashed as it is read and copied into a temporary spool (in
  memory up to SPOOL_BYTES, then on local disk);
- when the whole file has been read and its SHA-256 is the recorded one, the
  spool is returned at its start: the caller sends exactly the bytes that were
  checked (a file changed between a check and a second read cannot slip through,
  and the storage is read once, which matters when it is remote);
- otherwise (a different SHA-256, a missing file, no recorded SHA-256) an audit
  line names the record and the file, and StoredFileMismatch is raised: nothing
  of the file is returned.

`file_problem(field_file, expected_sha256)` is the same check without the copy,
for `manage.py verify_files`. `stored_names(storage)` lists every file a storage
holds (a folder on disk or a bucket), for `backup` and `restore`.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import Storage
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("sistercities.audit")

CHUNK = 64 * 1024
# Larger files are spooled to local temporary disk, not kept in memory.
SPOOL_BYTES = 1024 * 1024

MISSING = "missing"
DIFFERS = "sha256 differs"
NOT_RECORDED = "no recorded sha256"

FILE_MISMATCH = _(
    "This stored file is missing or no longer matches its record, so it was not sent. "
    "The problem has been recorded for the administrators."
)


class StoredFileMismatch(Exception):
    """A stored file that is missing or whose SHA-256 is not its record's."""

    def __init__(self, record: str, name: str, problem: str) -> None:
        self.record = record
        self.name = name
        self.problem = problem
        self.message = str(FILE_MISMATCH)
        super().__init__(f"{record} file={name or '-'}: {problem}")


def record_label(record: Model) -> str:
    """`document 12`, `memorandum 3`: how audit lines and commands name a record."""
    return f"{record._meta.model_name} {record.pk}"


def _copy_hashing(field_file: FieldFile, sink: IO[bytes] | None) -> str | None:
    """The SHA-256 of the stored file, read in chunks through storage (and written
    to `sink` if given); None when there is no such file."""
    if not field_file:
        return None
    digest = hashlib.sha256()
    try:
        # From the storage itself, not a copy the FieldFile may still hold in memory.
        with field_file.storage.open(field_file.name, "rb") as source:
            for chunk in source.chunks(CHUNK):
                digest.update(chunk)
                if sink is not None:
                    sink.write(chunk)
    except (FileNotFoundError, ValueError):
        return None
    return digest.hexdigest()


def _problem(actual: str | None, expected: str) -> str | None:
    if actual is None:
        return MISSING
    if not expected:
        return NOT_RECORDED
    if actual != expected.lower():
        return DIFFERS
    return None


def _refuse(record: str, field_file: FieldFile, problem: str) -> StoredFileMismatch:
    name = field_file.name or ""
    logger.error("stored file refused record=%s file=%s problem=%s", record, name, problem)
    return StoredFileMismatch(record, name, problem)


def verified_open(field_file: FieldFile, expected_sha256: str, *, record: Model) -> IO[bytes]:
    """The stored file's bytes as an open binary file at position 0, only if their
    SHA-256 is `expected_sha256`; else an audit line and StoredFileMismatch. The
    caller closes the file (FileResponse does)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to the caller
    try:
        problem = _problem(_copy_hashing(field_file, spool), expected_sha256)
        if problem is not None:
            raise _refuse(record_label(record), field_file, problem)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def verified_bytes(field_file: FieldFile, expected_sha256: str, *, record: Model) -> bytes:
    """As verified_open, for callers that need the bytes (a frozen PDF in memory)."""
    with verified_open(field_file, expected_sha256, record=record) as handle:
        return handle.read()


def file_problem(field_file: FieldFile, expected_sha256: str, *, record: Model) -> str | None:
    """None when the stored file matches `expected_sha256`; else what is wrong
    (MISSING, DIFFERS, NOT_RECORDED), logged like a refused download."""
    problem = _problem(_copy_hashing(field_file, None), expected_sha256)
    if problem is not None:
        _refuse(record_label(record), field_file, problem)
    return problem


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in `storage` (under `folder`), through the storage API only:
    a folder tree on local disk, the objects of a bucket (one listing per prefix)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for name in sorted(folders):
        yield from stored_names(storage, prefix + name)


def copy_hashing(storage: Storage, name: str, sink: IO[bytes] | None) -> tuple[str, int]:
    """A stored file's SHA-256 and size, read once in chunks (and copied into `sink`
    if given)."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as source:
        for chunk in source.chunks(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if sink is not None:
                sink.write(chunk)
    return digest.hexdigest(), size
