"""CSV and XLSX export of the agreement list, with the list's filters.

The same AgreementFilter as the page (agreements/filters.py) and the same
visibility (only the user's municipalities); invalid filter values answer 400
instead of exporting more than was asked for.

Up to EXPORT_INLINE_MAX_ROWS rows the file is the answer. A longer list is
written by a background task (agreements/export_jobs.py, pages in
views/export_jobs.py): the list's buttons then post to `export-start`, and a GET
of these URLs (a bookmark) answers a page with that button instead of holding the
worker for minutes.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import downloads, exporting
from ..export_jobs import (
    InvalidFilters,
    export_queryset,
    filter_query,
    inline_limit,
    runs_in_background,
)
from ..models import ExportFormat
from .access import role_required
from .common import refused


def inline_response(format: str, queryset) -> HttpResponse:
    """The export as the answer itself (a list short enough for that)."""
    day = f"{timezone.localdate():%Y-%m-%d}"
    if format == ExportFormat.CSV:
        return exporting.csv_response(queryset, f"agreements-{day}")
    if format == ExportFormat.XLSX:
        return exporting.xlsx_response(queryset, f"agreements-{day}")
    return downloads.signed_memoranda_response(queryset)


def export_or_offer(request: HttpRequest, format: str) -> HttpResponse:
    """GET of an export URL: the file, or (too many rows) the page that starts it in
    the background. Starting is a POST (export-start): a GET changes nothing."""
    query = filter_query(request.GET)
    try:
        queryset, _filter = export_queryset(request.user, format=format, query=query)
    except InvalidFilters:
        return refused(request, _("The list's filters are not valid."), status=400)
    if not runs_in_background(queryset, format):
        return inline_response(format, queryset)
    context = {
        "format": format,
        "format_label": ExportFormat(format).label,
        "query": query,
        "limit": inline_limit(format),
    }
    return render(request, "agreements/export_offer.html", context)


@role_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return export_or_offer(request, ExportFormat.CSV)


@role_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return export_or_offer(request, ExportFormat.XLSX)
