"""Generated documents, the names the rest of the project imports:

    render_memorandum(memorandum, *, draft=None, use_cache=True) -> bytes
    memorandum_content_hash(memorandum) -> str
    freeze_pdf(memorandum) -> None
    render_dossier(agreement, *, language) -> bytes
    signed_mou_zip(agreement) -> bytes        (NothingToExport, an Http404, if empty)
    stream_signed_mou_export(agreements) -> Iterator[bytes]
    SafeURLFetcher

The code lives in the agreements/pdf/ package (it passed 400 lines); this
module is its stable import path. Importing it imports WeasyPrint (about 0.4 s,
once per process), so callers import it inside the function that needs it.
"""

from __future__ import annotations

from .pdf import (
    NothingToExport,
    RefusedURL,
    SafeURLFetcher,
    freeze_pdf,
    memorandum_content_hash,
    render_dossier,
    render_memorandum,
    signed_mou_zip,
    stream_signed_mou_export,
)

__all__ = [
    "NothingToExport",
    "RefusedURL",
    "SafeURLFetcher",
    "freeze_pdf",
    "memorandum_content_hash",
    "render_dossier",
    "render_memorandum",
    "signed_mou_zip",
    "stream_signed_mou_export",
]
