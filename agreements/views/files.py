"""Downloads: uploaded documents and the generated PDFs.

MEDIA_ROOT is never served by URL; every file goes through a view that first
checks the user may see the agreement. Files are sent as attachments with
X-Content-Type-Options: nosniff, so an uploaded file is never run as a page.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from ..models import Agreement, Document, Memorandum
from ..permissions import get_agreement_for_user
from .access import role_required

# Content types a browser may be told; anything else is sent as opaque bytes.
SAFE_CONTENT_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
}


def _attachment(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    # Private data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _bytes_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _attachment(response)


def _slug(agreement: Agreement) -> str:
    return f"agreement-{agreement.pk}"


@role_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    document = get_object_or_404(Document, pk=document_id, agreement=agreement)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    content_type = document.content_type if document.content_type in SAFE_CONTENT_TYPES else ""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or document.file.name.rsplit("/", 1)[-1],
        content_type=content_type or "application/octet-stream",
    )
    return _attachment(response)


@role_required
@require_GET
def memorandum_pdf(request: HttpRequest, pk: int, memorandum_id: int) -> HttpResponse:
    """A frozen memorandum's stored file, byte for byte; a draft rendered now."""
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    memorandum = get_object_or_404(
        Memorandum.objects.select_related("agreement__home_city", "agreement__partner_city"),
        pk=memorandum_id,
        agreement=agreement,
    )
    filename = f"{_slug(agreement)}-memorandum-v{memorandum.number}"
    if memorandum.is_frozen and memorandum.pdf:
        try:
            handle = memorandum.pdf.open("rb")
        except FileNotFoundError:
            raise Http404
        response = FileResponse(
            handle, as_attachment=True, filename=f"{filename}.pdf", content_type="application/pdf"
        )
        return _attachment(response)
    from ..documents import render_memorandum

    data = render_memorandum(memorandum)
    return _bytes_response(data, f"{filename}-draft.pdf", "application/pdf")


@role_required
@require_GET
def dossier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    from ..documents import render_dossier

    language = (get_language() or "fa")[:2]
    data = render_dossier(agreement, language=language)
    return _bytes_response(data, f"{_slug(agreement)}-dossier-{language}.pdf", "application/pdf")


@role_required
@require_GET
def signed_mou_export(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    from ..documents import signed_mou_zip

    data = signed_mou_zip(agreement)
    return _bytes_response(data, f"{_slug(agreement)}-signed-mou.zip", "application/zip")
