"""CSV and XLSX export of the agreement list, with the list's filters.

The same AgreementFilter as the page (agreements/filters.py) and the same
visibility (only the user's municipalities); invalid filter values answer 400
instead of exporting more than was asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import exporting
from ..filters import AgreementFilter
from ..models import Agreement
from .access import role_required
from .common import refused


def _export(request: HttpRequest, write: Callable[..., HttpResponse]) -> HttpResponse:
    visible = Agreement.objects.visible_to(request.user).with_cities()
    agreement_filter = AgreementFilter(request.GET, queryset=visible, request=request)
    if agreement_filter.is_bound and not agreement_filter.form.is_valid():
        return refused(request, _("The list's filters are not valid."), status=400)
    filename = f"agreements-{timezone.localdate():%Y-%m-%d}"
    return write(agreement_filter.qs, filename)


@role_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, exporting.csv_response)


@role_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, exporting.xlsx_response)
