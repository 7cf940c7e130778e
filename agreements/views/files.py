"""Downloads: uploaded documents and the generated PDFs.

MEDIA_ROOT is never served by URL; every file goes through a view that first
checks the user may see the agreement. Files are sent as attachments with
X-Content-Type-Options: nosniff, so an uploaded file is never run as a page.
Stored files (documents, frozen memoranda) are read through
agreements.files.verified_open: a file that is missing or no longer matches its
recorded SHA-256 is refused with 409 and an audit line, never sent.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .. import downloads
from ..files import StoredFileMismatch, verified_open
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
    return downloads.private(response)


def file_refused(
    request: HttpRequest, error: StoredFileMismatch, agreement: Agreement
) -> HttpResponse:
    """409 Conflict: the stored file is corrupt or gone, not the user's request
    wrong; the audit line was written by verified_open."""
    context = {"message": error.message, "agreement": agreement}
    return render(request, "agreements/file_refused.html", context, status=409)


@role_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    document = get_object_or_404(Document, pk=document_id, agreement=agreement)
    try:
        handle = verified_open(document.file, document.sha256, record=document)
    except StoredFileMismatch as error:
        return file_refused(request, error, agreement)
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
    try:
        content = downloads.memorandum_content(memorandum)
    except StoredFileMismatch as error:
        return file_refused(request, error, agreement)
    return downloads.file_response(
        content, filename=downloads.memorandum_filename(memorandum), content_type=downloads.PDF
    )


@role_required
@require_GET
def dossier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The dossier in the reader's language: its stored copy while nothing it
    shows has changed (agreements.pdf.dossier), after the same access check."""
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    from ..pdf import render_dossier

    language = downloads.dossier_language()
    return downloads.file_response(
        render_dossier(agreement, language=language),
        filename=downloads.dossier_filename(agreement, language),
        content_type=downloads.PDF,
    )


@role_required
@require_GET
def signed_mou_export(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    from ..pdf import signed_mou_zip

    try:
        data = signed_mou_zip(agreement)
    except StoredFileMismatch as error:
        return file_refused(request, error, agreement)
    return downloads.file_response(
        data, filename=downloads.signed_mou_filename(agreement), content_type=downloads.ZIP
    )
