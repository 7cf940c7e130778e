"""The dashboard: what needs attention today, in a fixed number of queries.

Every figure is aggregated in the database (values().annotate(Count)) or read as
a top-10 slice; nothing is queried per row, so the page costs the same with ten
agreements or a hundred thousand. The aggregates over every visible agreement
are cached until something they count changes (agreements/figures.py).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_GET
from django_countries import countries

from .. import figures, permissions, reasons
from ..charts import bar_chart
from ..models import Agreement, RequestState, RoleName, Stage, StageRequest
from ..pagination import capped_count
from .access import role_required

TOP = 10
COUNTRIES_SHOWN = 12

# Agreement fields whose change is worth telling on the dashboard, in this order.
CHANGE_FIELDS = [
    "stage",
    "status",
    "kind",
    "partner_city_id",
    "origin",
    "title",
    "summary",
    "first_contact_on",
    "signed_on",
    "term_years",
    "expires_on",
    "responsible_officer_id",
]


def _list_url(**params) -> str:
    return f"{reverse('agreements:list')}?{urlencode(params)}"


def flag_querysets(visible: QuerySet[Agreement]) -> list[tuple[str, str, QuerySet[Agreement]]]:
    return [
        ("stalled", _g("Stalled"), visible.stalled().order_by("stage_changed_at", "id")),
        ("expiring", _g("Expiring"), visible.expiring().order_by("expires_on", "id")),
        ("dormant", _g("Dormant"), visible.dormant().order_by("signed_year", "id")),
    ]


def counts(visible: QuerySet[Agreement]) -> dict:
    """Every aggregate of the page: agreements per stage, per partner country, per
    flag, and the first agreements of each flag.

    They read every visible agreement (at 100,000, most of the page's time), so
    they are cached until something they count changes (agreements/figures.py);
    the key names the visible set by its SQL, so nobody sees another's figures.
    """

    def compute() -> dict:
        return {
            "stages": dict(visible.order_by().values_list("stage").annotate(n=Count("id"))),
            "countries": list(
                visible.order_by()
                .values_list("partner_city__country")
                .annotate(n=Count("id"))
                .order_by("-n", "partner_city__country")[:COUNTRIES_SHOWN]
            ),
            # Capped: at 100,000 agreements an exact figure above 10,000 costs a full scan.
            "flags": {
                code: capped_count(queryset) for code, _l, queryset in flag_querysets(visible)
            },
            # The first of each flag: finding ten dormant partnerships in signing-year
            # order can mean walking most agreements.
            "flagged": {
                code: list(queryset.with_cities()[:TOP])
                for code, _l, queryset in flag_querysets(visible)
            },
        }

    return figures.cached("dashboard", figures.scope_of(visible.order_by().values("pk")), compute)


def stage_chart(stage_counts: dict[str, int], rtl: bool):
    rows = [
        (label, stage_counts.get(code, 0), _list_url(stage=code)) for code, label in Stage.choices
    ]
    return bar_chart(rows, rtl=rtl)


def country_chart(country_counts: list[tuple[str, int]], rtl: bool):
    rows = [
        (countries.name(code) or code, n, _list_url(partner_country=code))
        for code, n in country_counts
    ]
    return bar_chart(rows, rtl=rtl)


def pending_requests(queryset: QuerySet[StageRequest]) -> QuerySet[StageRequest]:
    return (
        queryset.filter(state=RequestState.PENDING)
        .select_related("agreement__home_city", "agreement__partner_city", "requested_by")
        .order_by("created_at", "id")
    )


def waiting_for(user) -> tuple[list[StageRequest], int]:
    """Pending requests in the municipalities where `user` approves, not their own
    (nobody approves their own request)."""
    city_ids = permissions.home_city_ids(user, RoleName.APPROVER)
    if not city_ids:
        return [], 0
    queryset = pending_requests(
        StageRequest.objects.filter(agreement__home_city_id__in=city_ids).exclude(requested_by=user)
    )
    return list(queryset[:TOP]), queryset.count()


def my_open_requests(user) -> tuple[list[StageRequest], int]:
    if not permissions.home_city_ids(user, RoleName.OFFICER):
        return [], 0
    queryset = pending_requests(
        permissions.visible_through_agreement(user, StageRequest.objects.filter(requested_by=user))
    )
    return list(queryset[:TOP]), queryset.count()


def flagged(visible: QuerySet[Agreement], figures_now: dict) -> list[dict]:
    """Stalled, expiring and dormant agreements: the first ten of each and a count."""
    result = []
    for code, label, _queryset in flag_querysets(visible):
        count, capped = figures_now["flags"][code]
        result.append(
            {
                "code": code,
                "label": label,
                "agreements": figures_now["flagged"][code],
                "count": count,
                "capped": capped,
                "url": _list_url(flag=code),
            }
        )
    return result


def recent_changes(visible: QuerySet[Agreement]) -> list[dict]:
    """The latest history rows of visible agreements, each with what changed since
    the row before it (two queries: the rows, then their predecessors)."""
    history = Agreement.history.model.objects
    previous = (
        history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        # Newest first by history id, the order rows were written in: the primary
        # key is read backwards and each row checked (EXISTS) until ten are found.
        # An IN list made SQLite read and sort every history row of every visible
        # agreement; ordering by history_date made PostgreSQL sort every row
        # sharing the newest date (an import writes thousands with one date).
        history.filter(Exists(visible.filter(pk=OuterRef("id"))))
        .select_related("home_city", "partner_city", "history_user")
        .annotate(previous_id=Subquery(previous))
        .order_by("-history_id")[:TOP]
    )
    before = history.in_bulk([row.previous_id for row in rows if row.previous_id])
    stage_labels = dict(Stage.choices)
    field_labels = {f.attname: f.verbose_name for f in Agreement._meta.concrete_fields}
    changes = []
    for row in rows:
        old = before.get(row.previous_id)
        changed = []
        if row.history_type == "~" and old is not None:
            for name in CHANGE_FIELDS:
                if getattr(old, name) == getattr(row, name):
                    continue
                if name == "stage":
                    changed.append(
                        _g("stage: %(old)s → %(new)s")
                        % {"old": stage_labels.get(old.stage), "new": stage_labels.get(row.stage)}
                    )
                elif name == "status":
                    changed.append(
                        _g("status: %(old)s → %(new)s")
                        % {"old": old.get_status_display(), "new": row.get_status_display()}
                    )
                else:
                    changed.append(capfirst(str(field_labels.get(name, name))))
        changes.append(
            {
                "record": row,
                "agreement_id": row.id,
                "kind": row.history_type,
                "changed": changed,
                "reason": reasons.describe(row.history_change_reason),
            }
        )
    return changes


@role_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    rtl = get_language_bidi()
    visible = permissions.visible_agreements(user)
    waiting, waiting_count = waiting_for(user)
    mine, mine_count = my_open_requests(user)
    figures_now = counts(visible)
    stages = stage_chart(figures_now["stages"], rtl)
    context = {
        "stages": stages,
        "countries": country_chart(figures_now["countries"], rtl),
        "total": stages.total,
        "is_approver": bool(permissions.home_city_ids(user, RoleName.APPROVER)),
        "is_officer": bool(permissions.home_city_ids(user, RoleName.OFFICER)),
        "waiting": waiting,
        "waiting_count": waiting_count,
        "mine": mine,
        "mine_count": mine_count,
        "flagged": flagged(visible, figures_now),
        "changes": recent_changes(visible),
    }
    return render(request, "agreements/dashboard.html", context)
