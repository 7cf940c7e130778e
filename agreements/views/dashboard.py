"""The dashboard: what needs attention today, in a fixed number of queries.

Every figure is aggregated in the database (values().annotate(Count)) or read as
a top-10 slice; nothing is queried per row, so the page costs the same with ten
agreements or a hundred thousand. The aggregates over every visible agreement
are cached until something they count changes (agreements/figures.py).

What waits for the reader: requests to decide (approvers), the agreements they
are responsible for that are stalled, expiring or dormant (officers), and their
own requests rejected lately with the reason ("returned to you"). Recent changes
cover every kind of record (selectors.history.SOURCES): the newest rows of each
history table, merged, one query per table whatever the data.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_GET
from django_countries import countries

from .. import figures, permissions, reasons
from ..charts import bar_chart
from ..models import (
    Agreement,
    Memorandum,
    MemorandumArticle,
    MemorandumOfficial,
    RequestState,
    RoleName,
    Stage,
    StageRequest,
)
from ..pagination import capped_count
from ..selectors.calendar import upcoming_delegations
from ..selectors.history import SOURCES, Source, field_changes
from ..selectors.history import _history_model as history_model
from ..selectors.plans import completion_by_partnership, overdue_items, with_plan_follow_up
from ..templatetags.sistercities import city_name
from .access import role_required
from .history import _label as record_label

TOP = 10
# Delegations under way or ahead shown on the dashboard.
NEXT_DELEGATIONS = 5
COUNTRIES_SHOWN = 12
COMPLETION_SHOWN = 12
# How long a rejected request stays in "returned to you" (unless asked again sooner).
RETURNED_DAYS = 30

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
        (
            "plan_overdue",
            _g("Action plan items overdue"),
            with_plan_follow_up(visible.with_overdue_plan_items()).order_by("id"),
        ),
    ]


def counts(visible: QuerySet[Agreement], version: str | None = None) -> dict:
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
            # Action plans (issue 22): overdue items in all, and the completion of
            # the current plans, lowest first.
            "overdue_items": overdue_items()
            .filter(agreement__in=visible.order_by().values("pk"))
            .count(),
            "completion": completion_by_partnership(visible, limit=COMPLETION_SHOWN),
        }

    return figures.cached(
        "dashboard", figures.scope_of(visible.order_by().values("pk")), compute, version
    )


def next_delegations(user, visible: QuerySet[Agreement], version: str | None = None) -> list:
    """The first delegations under way or ahead that `user` may see, soonest first,
    with their agreement and cities. Finding them can mean reading every visible
    delegation (no index orders them across agreements), so they are cached like
    the figures: a save of a delegation shows at once, the day turns within a minute."""

    def compute() -> list:
        return list(upcoming_delegations(user)[:NEXT_DELEGATIONS])

    scope = figures.scope_of(visible.order_by().values("pk"))
    return figures.cached("next-delegations", scope, compute, version)


def completion_chart(pairs: list[tuple[Agreement, int]], rtl: bool):
    """Completion of each partnership's current action plan, in percent."""
    rows = [
        (
            f"{city_name(agreement.home_city)} – {city_name(agreement.partner_city)}",
            completion,
            reverse("agreements:detail", args=[agreement.pk]) + "#section-action-plans",
        )
        for agreement, completion in pairs
    ]
    return bar_chart(rows, rtl=rtl, scale=100)


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


def needing_attention(user, visible: QuerySet[Agreement]) -> tuple[list[Agreement], int]:
    """The visible agreements `user` is the responsible officer of that are stalled,
    expiring or dormant (what the daily reminder names), each with its flags."""
    if not permissions.home_city_ids(user, RoleName.OFFICER):
        return [], 0
    everything = Agreement.objects.all()
    queryset = (
        visible.filter(responsible_officer=user)
        .annotate(
            flag_stalled=Exists(everything.stalled().filter(pk=OuterRef("pk"))),
            flag_expiring=Exists(everything.expiring().filter(pk=OuterRef("pk"))),
            flag_dormant=Exists(everything.dormant().filter(pk=OuterRef("pk"))),
            flag_plan_overdue=Exists(
                everything.with_overdue_plan_items().filter(pk=OuterRef("pk"))
            ),
        )
        .filter(
            Q(flag_stalled=True)
            | Q(flag_expiring=True)
            | Q(flag_dormant=True)
            | Q(flag_plan_overdue=True)
        )
    )
    rows = list(queryset.with_cities().order_by("expires_on", "stage_changed_at", "id")[:TOP])
    return rows, queryset.count()


def returned_to(user, now: datetime.datetime | None = None) -> tuple[list[StageRequest], int]:
    """`user`'s requests rejected in the last RETURNED_DAYS days, newest first, but
    those of an agreement asked about again since (the reason has been acted on)."""
    if not permissions.home_city_ids(user, RoleName.OFFICER):
        return [], 0
    since = (now or timezone.now()) - datetime.timedelta(days=RETURNED_DAYS)
    asked_again = StageRequest.objects.filter(
        agreement_id=OuterRef("agreement_id"), created_at__gt=OuterRef("decided_at")
    )
    queryset = (
        permissions.visible_through_agreement(user, StageRequest.objects.filter(requested_by=user))
        .filter(state=RequestState.REJECTED, decided_at__gte=since)
        .exclude(Exists(asked_again))
        .select_related("agreement__home_city", "agreement__partner_city", "decided_by")
        .order_by("-decided_at", "-id")
    )
    return list(queryset[:TOP]), queryset.count()


def _visible_rows(source: Source, visible: QuerySet[Agreement]) -> QuerySet:
    """The source's history rows of visible agreements, each with `agreement_ref`
    (its agreement's id) and `previous_id` (the same object's row before it)."""
    history = history_model(source).objects
    if source.model is Agreement:
        rows = history.annotate(agreement_ref=F("id"))
    elif source.model in (MemorandumArticle, MemorandumOfficial):
        # An article (an official) names its memorandum; the memorandum's rows name the agreement
        # (deleted memoranda included).
        memoranda = history_model(next(s for s in SOURCES if s.model is Memorandum))
        rows = history.annotate(
            agreement_ref=Subquery(
                memoranda.objects.filter(id=OuterRef("memorandum_id")).values("agreement_id")[:1]
            )
        )
    else:
        rows = history.annotate(agreement_ref=F("agreement_id"))
    previous = (
        history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    return (
        rows.filter(Exists(visible.filter(pk=OuterRef("agreement_ref"))))
        .annotate(previous_id=Subquery(previous))
        .select_related("history_user")
    )


def _agreement_changes(row, old) -> list[str]:
    """What an agreement's row changed, stage and status with their values."""
    stage_labels = dict(Stage.choices)
    field_labels = {f.attname: f.verbose_name for f in Agreement._meta.concrete_fields}
    changed = []
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
    return changed


def recent_changes(visible: QuerySet[Agreement]) -> list[dict]:
    """The latest history rows of visible agreements, of every kind of record, each
    with what changed since the row before it.

    Per history table, newest first by history id (the order rows were written
    in: the primary key is read backwards and each row checked with EXISTS until
    ten are found; an IN list made SQLite read and sort every history row, and
    ordering by history_date made PostgreSQL sort every row sharing the newest
    date, which an import writes by the thousand); the tables' rows are merged by
    date. Then the rows before them (a query per table) and their agreements (one):
    2 × len(SOURCES) + 1 queries, whatever the data."""
    candidates = []
    for source in SOURCES:
        for row in _visible_rows(source, visible).order_by("-history_id")[:TOP]:
            candidates.append((source, row))
    candidates.sort(key=lambda pair: (pair[1].history_date, pair[1].history_id), reverse=True)
    chosen = candidates[:TOP]

    before: dict[tuple[str, int], object] = {}
    for source in SOURCES:
        # {0} matches nothing but still runs: the page's query count stays fixed.
        ids = {row.previous_id for s, row in chosen if s is source and row.previous_id} or {0}
        for old in history_model(source).objects.filter(history_id__in=ids):
            before[(source.key, old.history_id)] = old
    agreements = Agreement.objects.with_cities().in_bulk(
        {row.agreement_ref for _s, row in chosen} or {0}
    )

    changes = []
    for source, row in chosen:
        old = before.get((source.key, row.previous_id))
        changed: list[str] = []
        if row.history_type == "~" and old is not None:
            if source.model is Agreement:
                changed = _agreement_changes(row, old)
            else:
                changed = [
                    capfirst(str(model_field.verbose_name))
                    for model_field, _old, _new in field_changes(row, old)
                ]
        changes.append(
            {
                "record": row,
                "source": source.key,
                "agreement": agreements.get(row.agreement_ref),
                "agreement_id": row.agreement_ref,
                # Which record, for rows that are not the agreement's own.
                "what": (
                    ""
                    if source.model is Agreement
                    else capfirst(str(source.model._meta.verbose_name))
                ),
                "label": record_label(row),
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
    attention, attention_count = needing_attention(user, visible)
    returned, returned_count = returned_to(user)
    version = figures.data_version()
    figures_now = counts(visible, version)
    stages = stage_chart(figures_now["stages"], rtl)
    context = {
        "stages": stages,
        "countries": country_chart(figures_now["countries"], rtl),
        "completion": completion_chart(figures_now["completion"], rtl),
        "overdue_items": figures_now["overdue_items"],
        "total": stages.total,
        "is_approver": bool(permissions.home_city_ids(user, RoleName.APPROVER)),
        "is_officer": bool(permissions.home_city_ids(user, RoleName.OFFICER)),
        "waiting": waiting,
        "waiting_count": waiting_count,
        "mine": mine,
        "mine_count": mine_count,
        "attention": attention,
        "attention_count": attention_count,
        "returned": returned,
        "returned_count": returned_count,
        "flagged": flagged(visible, figures_now),
        "changes": recent_changes(visible),
        "next_delegations": next_delegations(user, visible, version),
    }
    return render(request, "agreements/dashboard.html", context)
