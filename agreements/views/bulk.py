"""Bulk export of the signed memoranda of the filtered agreement list.

Up to EXPORT_INLINE_MAX_MEMORANDA agreements the ZIP is streamed as it is
written (agreements.pdf.stream_signed_mou_export reads the stored files one
by one), so no worker builds it in memory and the browser shows the download's
progress as it arrives. More are written by a background task, as the list's
CSV/XLSX (views/exports.py, agreements/export_jobs.py).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ..models import ExportFormat
from .access import role_required
from .exports import export_or_offer


@role_required
@require_GET
def signed_mou_bulk_export(request: HttpRequest) -> HttpResponse:
    # Only agreements with a frozen memorandum have something to export
    # (export_jobs.signed_agreements).
    return export_or_offer(request, ExportFormat.SIGNED_MOU_ZIP)
