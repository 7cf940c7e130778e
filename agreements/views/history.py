"""The agreement's history: every saved change of the agreement and of its
records, newest first, with field-level differences, who and when.

An agreement may have thousands of history rows spread over a dozen
django-simple-history tables. One page is read with a fixed number of queries:

1. a UNION over the history tables gives the page's (table, history_id) pairs,
   each with the history_id of the row before it (a window function over each
   table's rows of the agreement: one sort, not a subquery per row), and a
   COUNT of that UNION for the pager;
2. one query per history table fetches the page's rows and the rows before
   them (every table is asked, even when the page has none of its rows, so the
   count does not depend on what is on the page);
3. one query for the users and one for the cities that appear in the changes.

Differences come from simple-history's diff_against, over every tracked field
(not only the editable ones: stage and status are what people look for).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import models
from django.db.models import CharField, F, Value, Window
from django.db.models.functions import Lag
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import truncatechars
from django.utils.text import capfirst
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cities.models import City

from ..models import (
    Activity,
    Agreement,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
    StageRequest,
)
from ..permissions import get_agreement_for_user
from ..templatetags.sistercities import city_name, jdate
from .access import role_required
from .common import is_htmx

PER_PAGE = 25

# Bookkeeping that changes on every save and says nothing to a reader.
_SKIPPED_FIELDS = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "agreement",
    "memorandum",
    # Copies of the cities' names kept for sorting (Agreement.*_sort_key).
    "home_sort_key",
    "home_sort_key_fa",
    "partner_sort_key",
    "partner_sort_key_fa",
}


@dataclass(frozen=True)
class _Source:
    key: str
    model: type[models.Model]


SOURCES = [
    _Source("agreement", Agreement),
    _Source("contacts", Contact),
    _Source("goals", Goal),
    _Source("commonalities", Commonality),
    _Source("department-supports", DepartmentSupport),
    _Source("legal-approvals", LegalApproval),
    _Source("memoranda", Memorandum),
    _Source("articles", MemorandumArticle),
    _Source("delegations", Delegation),
    _Source("activities", Activity),
    _Source("documents", Document),
    _Source("requests", StageRequest),
]
_BY_KEY = {source.key: source for source in SOURCES}


@functools.cache
def _history_model(source: _Source):
    # Model.history builds a new manager class on every access (about 1 ms each);
    # the history model behind it never changes.
    return source.model.history.model


def _rows_of(source: _Source, agreement_pk: int) -> models.QuerySet:
    history = _history_model(source)
    if source.model is Agreement:
        return history.objects.filter(id=agreement_pk)
    if source.model is MemorandumArticle:
        # Articles of every memorandum the agreement ever had, deleted ones included.
        memoranda = _history_model(_BY_KEY["memoranda"]).objects.filter(agreement_id=agreement_pk)
        return history.objects.filter(memorandum_id__in=memoranda.values("id"))
    return history.objects.filter(agreement_id=agreement_pk)


def history_queryset(agreement_pk: int) -> models.QuerySet:
    """(source, history_id, history_date, prev_id) of every history row, newest first.

    prev_id, the history_id of the same object's row before it, comes from a
    window function over the agreement's rows of each table (one sort of those
    rows), not from a subquery per row."""
    parts = [
        _rows_of(source, agreement_pk)
        .order_by()
        .annotate(
            source=Value(source.key, output_field=CharField()),
            prev_id=Window(
                Lag("history_id"), partition_by=[F("id")], order_by=F("history_id").asc()
            ),
        )
        .values("source", "history_id", "history_date", "prev_id")
        for source in SOURCES
    ]
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id", "source")


def load_rows(refs: list[dict]) -> list[tuple[models.Model, models.Model | None]]:
    """Each ref's history row and the row of the same object before it (None for
    the first): one query per history table, whatever the page holds."""
    wanted: dict[str, set[int]] = {source.key: set() for source in SOURCES}
    for ref in refs:
        wanted[ref["source"]].add(ref["history_id"])
        if ref["prev_id"]:
            wanted[ref["source"]].add(ref["prev_id"])
    loaded: dict[tuple[str, int], models.Model] = {}
    for source in SOURCES:
        # [0] matches nothing (history ids start at 1) but still runs the query:
        # the page costs the same number of queries whatever is on it.
        ids = wanted[source.key] or {0}
        rows = _history_model(source).objects.filter(history_id__in=ids)
        for row in rows.select_related("history_user"):
            loaded[(source.key, row.history_id)] = row
    return [
        (
            loaded[(ref["source"], ref["history_id"])],
            loaded.get((ref["source"], ref["prev_id"])) if ref["prev_id"] else None,
        )
        for ref in refs
    ]


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    kind: str  # the model's name ("contact", "agreement")
    label: str  # which one ("12 May 2024: both mayors")
    action: str  # "created", "changed", "deleted"
    reason: str
    changes: list[Change] = field(default_factory=list)


def _person(user) -> str:
    if user is None:
        return _g("system")
    return user.get_full_name() or user.get_username()


def _display(model_field: models.Field, value, users: dict, cities: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        related = model_field.related_model
        if related is get_user_model():
            return _person(users.get(value)) if value in users else f"#{value}"
        if related is City:
            return city_name(cities.get(value)) if value in cities else f"#{value}"
        return f"{related._meta.verbose_name} #{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _g("Yes") if value else _g("No")
    if isinstance(value, datetime.date):
        return jdate(value, "time")
    return truncatechars(str(value), 300)


def _label(row) -> str:
    """Which object a history row is about, from the row's own columns (no query)."""
    model = row.instance_type
    if model is Agreement:
        return ""
    if model is Contact:
        return f"{jdate(row.date)}: {truncatechars(row.participants, 60)}"
    if model is Goal:
        return f"{row.get_sector_display()}: {truncatechars(row.description, 60)}"
    if model is Commonality:
        return f"{row.get_kind_display()}: {truncatechars(row.description, 60)}"
    if model is DepartmentSupport:
        return str(row.get_department_display())
    if model is LegalApproval:
        return str(row.get_authority_display())
    if model is Memorandum:
        return _g("version %(number)s") % {"number": row.number}
    if model is MemorandumArticle:
        return f"{row.position}. {row.heading_en}"
    if model in (Delegation,):
        return f"{row.get_direction_display()} {jdate(row.start_date)}: {row.head}"
    if model is Activity:
        return truncatechars(row.title, 60)
    if model is Document:
        return row.title or row.original_name or str(row.get_kind_display())
    if model is StageRequest:
        arrow = "←" if get_language_bidi() else "→"
        return f"{row.get_from_stage_display()} {arrow} {row.get_to_stage_display()}"
    return ""


_ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def field_changes(row, previous) -> list[tuple[models.Field, object, object]]:
    """(model field, old value, new value) of every tracked field that changed.

    diff_against() compares the editable fields (it reads them with
    model_to_dict); the fields only the workflow sets (stage, status, frozen_at,
    created_by...) are not editable, and they are what people look for, so
    those are compared here by their column values."""
    meta = row.instance_type._meta
    tracked = [f for f in row.tracked_fields if f.name not in _SKIPPED_FIELDS]
    editable = [f.name for f in tracked if f.editable]
    changes = [
        (meta.get_field(change.field), change.old, change.new)
        for change in row.diff_against(previous, included_fields=editable).changes
    ]
    for model_field in tracked:
        if model_field.editable:
            continue
        old = getattr(previous, model_field.attname)
        new = getattr(row, model_field.attname)
        if old != new:
            changes.append((meta.get_field(model_field.name), old, new))
    return changes


def history_page(agreement: Agreement, page_number: str | int | None) -> dict:
    """One page of history entries and its pager."""
    paginator = Paginator(history_queryset(agreement.pk), PER_PAGE)
    page = paginator.get_page(page_number)
    refs = list(page.object_list)

    pairs = []
    user_ids: set[int] = {0}
    city_ids: set[int] = {0}
    for row, previous in load_rows(refs):
        changes = field_changes(row, previous) if row.history_type == "~" and previous else []
        for model_field, old, new in changes:
            target = {get_user_model(): user_ids, City: city_ids}.get(model_field.related_model)
            if target is not None:
                target.update(value for value in (old, new) if isinstance(value, int))
        pairs.append((row, changes))

    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=user_ids)}
    cities = {city.pk: city for city in City.objects.filter(pk__in=city_ids)}

    entries = []
    for row, changes in pairs:
        entries.append(
            Entry(
                when=row.history_date,
                who=_person(row.history_user),
                kind=capfirst(row.instance_type._meta.verbose_name),
                label=_label(row),
                action=str(_ACTIONS.get(row.history_type, "")),
                reason=row.history_change_reason or "",
                changes=[
                    Change(
                        label=capfirst(model_field.verbose_name),
                        old=_display(model_field, old, users, cities),
                        new=_display(model_field, new, users, cities),
                    )
                    for model_field, old, new in changes
                ],
            )
        )
    return {"history": entries, "history_pager": page}


@role_required
@require_GET
def agreement_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The history on its own page (and the fragment htmx swaps in when paging)."""
    agreement, _can_edit = get_agreement_for_user(request.user, pk)
    context = {"agreement": agreement, **history_page(agreement, request.GET.get("page"))}
    template = "agreements/_history.html" if is_htmx(request) else "agreements/history.html"
    return render(request, template, context)
