"""The files the pages and the API both hand out, and their names: one function each,
so a page and the API answer the same bytes under the same name.

    memorandum_content(memorandum) -> IO[bytes] | bytes   a frozen one's stored file, verified;
                                                          a draft rendered now
    dossier_language()                                    the reader's, as the page's
    memorandum_filename(memorandum), dossier_filename(agreement, language),
    signed_mou_filename(agreement), signed_memoranda_filename()
    file_response(content, filename=, content_type=)      an attachment never cached or sniffed
    signed_memoranda_response(agreements)                 the bulk ZIP, streamed as it is written

The documents themselves are agreements.pdf's (imported inside the functions that
need them, as importing it imports WeasyPrint).
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from .files import verified_open
from .models import Agreement, Memorandum

PDF = "application/pdf"
ZIP = "application/zip"


def _stem(agreement_id: int) -> str:
    return f"agreement-{agreement_id}"


def memorandum_content(memorandum: Memorandum) -> IO[bytes] | bytes:
    """A frozen memorandum is its stored file, byte for byte, while it matches its
    SHA-256 (else StoredFileMismatch, with an audit line): never a new rendering. A
    draft is rendered now, with its DRAFT marks."""
    if memorandum.is_frozen:
        return verified_open(memorandum.pdf, memorandum.pdf_sha256, record=memorandum)
    from .pdf import render_memorandum

    return render_memorandum(memorandum)


def memorandum_filename(memorandum: Memorandum) -> str:
    name = f"{_stem(memorandum.agreement_id)}-memorandum-v{memorandum.number}"
    return f"{name}.pdf" if memorandum.is_frozen else f"{name}-draft.pdf"


def dossier_language() -> str:
    """The dossier is written in the reader's language: the request's."""
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def dossier_filename(agreement: Agreement, language: str) -> str:
    return f"{_stem(agreement.pk)}-dossier-{language}.pdf"


def signed_mou_filename(agreement: Agreement) -> str:
    return f"{_stem(agreement.pk)}-signed-mou.zip"


def signed_memoranda_filename() -> str:
    return f"signed-memoranda-{timezone.localdate():%Y-%m-%d}.zip"


def private(response: HttpResponseBase) -> HttpResponseBase:
    """Never run as a page (an uploaded file) and never kept by a shared cache."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def file_response(content: IO[bytes] | bytes, *, filename: str, content_type: str) -> HttpResponse:
    """An attachment: bytes in memory, or an open file sent in chunks (and closed)."""
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            content, as_attachment=True, filename=filename, content_type=content_type
        )
    return private(response)


def signed_memoranda_response(agreements: QuerySet[Agreement]) -> StreamingHttpResponse:
    """The signed memoranda of `agreements` as one ZIP, streamed as it is written
    (agreements.pdf reads the stored files one by one), so no worker builds it in
    memory; a file that fails its SHA-256 is left out with a manifest row."""
    from .pdf import stream_signed_mou_export

    response = StreamingHttpResponse(stream_signed_mou_export(agreements), content_type=ZIP)
    response["Content-Disposition"] = f'attachment; filename="{signed_memoranda_filename()}"'
    return private(response)
