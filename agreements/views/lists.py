"""The agreement list: filters in the URL, sortable columns, cheap pagination."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import permissions
from ..export_jobs import filter_query
from ..filters import AgreementFilter
from ..models import RoleName
from ..pagination import paginate
from .access import role_required

# (sort key, column heading); keys are AgreementFilter's allow-list.
COLUMNS = [
    ("home", _("Home municipality")),
    ("partner", _("Partner city")),
    ("country", _("Country")),
    ("kind", _("Kind")),
    ("stage", _("Stage")),
    (None, _("Status")),
    ("signed_year", _("Signed")),
]


def sort_columns(current: str) -> list[dict]:
    """Column headings with the sort each link switches to and the aria-sort state."""
    columns = []
    for key, label in COLUMNS:
        column = {"key": key, "label": label, "next": None, "aria_sort": None}
        if key:
            if current == key:
                column.update(next=f"-{key}", aria_sort="ascending")
            elif current == f"-{key}":
                column.update(next=key, aria_sort="descending")
            else:
                column["next"] = key
        columns.append(column)
    return columns


def wants_fragment(request: HttpRequest) -> bool:
    """htmx swaps in only the results; a history restore or a plain request gets the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def export_buttons(request: HttpRequest, page) -> dict:
    """Which export buttons start a background export, from the page's count (no
    query of its own). The ZIP's rows are the agreements with a frozen memorandum,
    at most the list's; the start view counts them before it queues anything."""
    longer = page.total_capped

    def over(limit: int) -> bool:
        return longer or page.total > limit

    return {
        "query": filter_query(request.GET),
        "rows_in_background": over(settings.EXPORT_INLINE_MAX_ROWS),
        "zip_in_background": over(settings.EXPORT_INLINE_MAX_MEMORANDA),
    }


def filters_in_effect(request: HttpRequest) -> bool:
    """Whether the address asks for any filter (the sort and the page are not filters)."""
    names = set(AgreementFilter.base_filters) - {"sort"}
    return any(request.GET.get(name, "").strip() for name in names)


@role_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    visible = permissions.visible_agreements(request.user).with_cities()
    agreement_filter = AgreementFilter(request.GET, queryset=visible, request=request)
    page = paginate(request, agreement_filter.qs)
    context = {
        "filter": agreement_filter,
        "page": page,
        "columns": sort_columns(agreement_filter.sort_key),
        # Officers of a home municipality may start an agreement.
        "can_create": bool(permissions.home_city_ids(request.user, RoleName.OFFICER)),
        "exports": export_buttons(request, page),
        # The folded filters (phones) start open when one is in effect or wrong.
        "filters_open": bool(agreement_filter.errors) or filters_in_effect(request),
    }
    template = "agreements/list.html"
    if wants_fragment(request):
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
