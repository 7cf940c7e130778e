"""Generated documents: the bilingual memorandum PDF, the dossier PDF, and ZIP
exports of signed memoranda. One function per document:

    render_memorandum(memorandum, *, draft=None, use_cache=True) -> bytes
    memorandum_content_hash(memorandum) -> str
    memorandum_content(memorandum) -> dict        (what the hash covers; the partner's page)
    integrity_code(content_hash) -> str           (the printed code: the hash's start)
    freeze_pdf(memorandum) -> None
    render_dossier(agreement, *, language) -> bytes
    render_programme(delegation) -> bytes         (English and Persian, for the guests)
    signed_mou_zip(agreement) -> bytes            (raises NothingToExport)
    stream_signed_mou_export(agreements) -> Iterator[bytes]

WeasyPrint may load only the project's static fonts and stylesheet
(SafeURLFetcher). Importing this package imports WeasyPrint (about 0.4 s once
per process).
"""

from __future__ import annotations

from .dossier import render_dossier
from .export import NothingToExport, signed_mou_zip, stream_signed_mou_export
from .fetcher import RefusedURL, SafeURLFetcher
from .memorandum import (
    content_hash_of,
    freeze_pdf,
    integrity_code,
    memorandum_content,
    memorandum_content_hash,
    render_memorandum,
)
from .programme import render_programme

__all__ = [
    "NothingToExport",
    "RefusedURL",
    "SafeURLFetcher",
    "content_hash_of",
    "freeze_pdf",
    "integrity_code",
    "memorandum_content",
    "memorandum_content_hash",
    "render_dossier",
    "render_memorandum",
    "render_programme",
    "signed_mou_zip",
    "stream_signed_mou_export",
]
