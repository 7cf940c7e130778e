"""ZIP exports of signed memoranda: the frozen PDF and the uploaded signed scan.

signed_mou_zip(agreement) -> bytes: one agreement, small enough for memory.
stream_signed_mou_export(agreements) -> Iterator[bytes]: any number of
agreements, one folder each plus manifest.csv, produced piece by piece for a
StreamingHttpResponse: files are read in chunks and compressed into a
write-only stream whose bytes are handed out as soon as they are written, so
memory stays at about one chunk whatever the size of the export.

Every file is read through agreements.files.verified_open before any of it is
written to the archive: a file missing or no longer matching its recorded
SHA-256 makes signed_mou_zip raise StoredFileMismatch (the page answers 409);
in a bulk export it is left out, with a manifest row saying so (the other
agreements' files still come; the response has long started).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from ..files import StoredFileMismatch, verified_open
from ..models import Agreement, Document, DocumentKind, Memorandum
from .common import jalali_iso

CHUNK = 64 * 1024
MANIFEST_NAME = "manifest.csv"
# The manifest's notes are in English, as its column names are.
LEFT_OUT = "left out: the stored file is missing or does not match its recorded SHA-256"
MANIFEST_COLUMNS = [
    "agreement_id",
    "home_city",
    "home_city_fa",
    "partner_city",
    "partner_city_fa",
    "kind",
    "memorandum_version",
    "signed_on",
    "signed_on_jalali",
    "file",
    "file_kind",
    "size",
    "sha256",
    "note",
]


class NothingToExport(Http404):
    """The agreement has neither a frozen memorandum nor a signed scan. An
    Http404, so a view that does not catch it answers 404, not 500."""


@dataclass
class _Entry:
    """One file of an agreement's export: where it goes and where it comes from."""

    arcname: str
    file_kind: str  # "frozen_pdf" or "signed_scan"
    record: Memorandum | Document
    field_file: object  # a FieldFile
    expected_sha256: str
    modified: datetime.datetime


class _ZipSink(io.RawIOBase):
    """A write-only stream for zipfile that keeps what was written until it is
    taken with drain(). It reports its position (zipfile needs it for the
    central directory) but cannot seek, so zipfile writes data descriptors
    instead of going back to patch headers."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self._parts.append(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


def _latest_frozen(agreement: Agreement) -> Memorandum | None:
    return (
        agreement.memoranda.filter(frozen_at__isnull=False)
        .exclude(pdf="")
        .order_by("-number")
        .first()
    )


def _signed_scan(agreement: Agreement, memorandum: Memorandum | None) -> Document | None:
    """The scan uploaded for this memorandum version, else the latest signed scan."""
    scans = agreement.documents.filter(kind=DocumentKind.SIGNED_MOU).exclude(file="")
    if memorandum is not None:
        scan = scans.filter(memorandum=memorandum).order_by("-created_at", "-id").first()
        if scan is not None:
            return scan
    return scans.order_by("-created_at", "-id").first()


def _folder(agreement: Agreement) -> str:
    home = slugify(agreement.home_city.name) or "home"
    partner = slugify(agreement.partner_city.name) or "partner"
    return f"{agreement.pk:05d}-{home}-{partner}"


def _entries(agreement: Agreement, folder: str) -> tuple[Memorandum | None, list[_Entry]]:
    memorandum = _latest_frozen(agreement)
    scan = _signed_scan(agreement, memorandum)
    prefix = f"{folder}/" if folder else ""
    entries = []
    if memorandum is not None:
        entries.append(
            _Entry(
                f"{prefix}memorandum-v{memorandum.number}.pdf",
                "frozen_pdf",
                memorandum,
                memorandum.pdf,
                memorandum.pdf_sha256,
                memorandum.frozen_at,
            )
        )
    if scan is not None:
        # Only the extension of the uploaded name is kept (the stored name is
        # server-generated; the user's name is data, not a path).
        suffix = PurePath(scan.file.name).suffix.lower()[:10]
        suffix = suffix if suffix[1:].isalnum() else ""
        entries.append(
            _Entry(
                f"{prefix}signed-scan{suffix}",
                "signed_scan",
                scan,
                scan.file,
                scan.sha256,
                scan.created_at,
            )
        )
    return memorandum, entries


def _safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _manifest_row(
    agreement: Agreement,
    memorandum: Memorandum | None,
    *,
    file: str = "",
    file_kind: str = "",
    size: int | str = "",
    sha256: str = "",
    note: str = "",
) -> list[str]:
    signed_on = (memorandum.signed_on if memorandum else None) or agreement.signed_on
    values = [
        agreement.pk,
        agreement.home_city.name,
        agreement.home_city.name_fa,
        agreement.partner_city.name,
        agreement.partner_city.name_fa,
        agreement.kind,
        memorandum.number if memorandum else "",
        signed_on.isoformat() if signed_on else "",
        jalali_iso(signed_on) or "",
        file,
        file_kind,
        size,
        sha256,
        note,
    ]
    return [_safe_cell(value) for value in values]


def _zip_info(arcname: str, modified: datetime.datetime | None) -> zipfile.ZipInfo:
    moment = timezone.localtime(modified) if modified else timezone.localtime()
    info = zipfile.ZipInfo(arcname, date_time=moment.timetuple()[:6])
    # Deflate everything: stored entries with data descriptors (needed when
    # streaming) are not readable by every unzip tool.
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_entry(archive: zipfile.ZipFile, sink: _ZipSink, entry: _Entry) -> Iterator[bytes]:
    """Copy one stored file into the archive chunk by chunk; yields output
    bytes as they come and finally returns (size, sha256) of the file. The file
    is verified first (StoredFileMismatch before anything is written)."""
    digest, size = hashlib.sha256(), 0
    source = verified_open(entry.field_file, entry.expected_sha256, record=entry.record)
    with source, archive.open(_zip_info(entry.arcname, entry.modified), "w") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
            if data := sink.drain():
                yield data
    return size, digest.hexdigest()


def _stream(agreements: Iterable[Agreement], *, folders: bool) -> Iterator[bytes]:
    sink = _ZipSink()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(MANIFEST_COLUMNS)
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for agreement in agreements:
            memorandum, entries = _entries(agreement, _folder(agreement) if folders else "")
            if not entries:
                writer.writerow(
                    _manifest_row(agreement, memorandum, note="no frozen memorandum or signed scan")
                )
                continue
            for entry in entries:
                try:
                    size, sha256 = yield from _write_entry(archive, sink, entry)
                except StoredFileMismatch:
                    if not folders:
                        raise  # one agreement's ZIP: refused as a whole
                    writer.writerow(
                        _manifest_row(
                            agreement,
                            memorandum,
                            file=entry.arcname,
                            file_kind=entry.file_kind,
                            note=LEFT_OUT,
                        )
                    )
                    continue
                writer.writerow(
                    _manifest_row(
                        agreement,
                        memorandum,
                        file=entry.arcname,
                        file_kind=entry.file_kind,
                        size=size,
                        sha256=sha256,
                    )
                )
            if data := sink.drain():
                yield data
        # UTF-8 with a byte-order mark so spreadsheet programs read Persian names.
        archive.writestr(_zip_info(MANIFEST_NAME, None), "\ufeff" + manifest.getvalue())
    # Closing the archive wrote the central directory.
    if data := sink.drain():
        yield data


def stream_signed_mou_export(agreements: Iterable[Agreement] | QuerySet) -> Iterator[bytes]:
    """A ZIP of the signed memoranda of many agreements, as a stream of bytes
    (for StreamingHttpResponse): one folder per agreement holding its latest
    frozen memorandum PDF and its signed scan, and manifest.csv with cities,
    kind, version, signing date (Gregorian and Jalali) and the size and SHA-256
    of every file. Agreements with nothing to export get one manifest row saying
    so. The caller filters `agreements` to what the user may see."""
    if isinstance(agreements, QuerySet):
        agreements = agreements.select_related("home_city", "partner_city").iterator(chunk_size=200)
    return _stream(agreements, folders=True)


def signed_mou_zip(agreement: Agreement) -> bytes:
    """The frozen memorandum PDF and the signed scan of one agreement as a ZIP
    (with the same manifest.csv). Raises NothingToExport if it has neither, and
    StoredFileMismatch if either file does not match its record."""
    _memorandum, entries = _entries(agreement, "")
    if not entries:
        raise NothingToExport(agreement.pk)
    return b"".join(_stream([agreement], folders=False))
