"""The agreement's history: every saved change of the agreement and of its
records, newest first, with field-level differences, who and when.

An agreement may have thousands of history rows spread over a dozen
django-simple-history tables. One page is read with a fixed number of queries:

1. a UNION over the history tables gives the page's (table, history_id) pairs,
   each with the history_id of the row before it, and a COUNT of that UNION for
   the pager (agreements.selectors.history.history_queryset);
2. one query per history table fetches the page's rows and the rows before
   them (selectors.history.load_rows);
3. one query for the users and one for the cities that appear in the changes
   (selectors.history.referenced_objects).

Which rows and which fields (every tracked field but selectors.history's
HIDDEN_FIELDS: stage and status are what people look for) is the selector's;
this module turns them into display text (names and labels through
selectors.display, dates through the jdate filter).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import truncatechars
from django.utils.text import capfirst
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import reasons
from ..dates import reader_digits
from ..models import (
    ActionPlan,
    ActionPlanItem,
    Activity,
    Agreement,
    CommitteeMeeting,
    CommitteeMember,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
    MemorandumOfficial,
    StageRequest,
)
from ..permissions import get_agreement_for_user
from ..selectors.display import person_name, value_label
from ..selectors.history import field_changes, history_queryset, load_rows, referenced_objects
from ..templatetags.sistercities import jdate
from .access import role_required
from .common import is_htmx

PER_PAGE = 25


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


def _display(model_field: models.Field, value, users: dict, cities: dict) -> str:
    if value is None or value == "":
        return "—"
    label = value_label(model_field, value, users=users, cities=cities)
    if label is not None:
        return label
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
        return _g("version %(number)s") % {"number": reader_digits(row.number)}
    if model is MemorandumArticle:
        heading = row.heading_fa if get_language_bidi() and row.heading_fa else row.heading_en
        return f"{reader_digits(row.position)}. {heading}"
    if model is MemorandumOfficial:
        name = row.name_fa if get_language_bidi() and row.name_fa else row.name
        return f"{row.get_side_display()}: {name or row.name_fa}"
    if model in (Delegation,):
        return f"{row.get_direction_display()} {jdate(row.start_date)}: {row.head}"
    if model is Activity:
        return truncatechars(row.title, 60)
    if model is Document:
        return row.title or row.original_name or str(row.get_kind_display())
    if model is CommitteeMember:
        return f"{row.get_side_display()}: {row.name}"
    if model is CommitteeMeeting:
        return jdate(row.date)
    if model is ActionPlan:
        return str(row.instance)
    if model is ActionPlanItem:
        return truncatechars(row.description, 60)
    if model is StageRequest:
        arrow = "←" if get_language_bidi() else "→"
        return f"{row.get_from_stage_display()} {arrow} {row.get_to_stage_display()}"
    return ""


_ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def history_page(agreement: Agreement, page_number: str | int | None) -> dict:
    """One page of history entries and its pager."""
    paginator = Paginator(history_queryset(agreement.pk), PER_PAGE)
    page = paginator.get_page(page_number)
    refs = list(page.object_list)

    pairs = []
    for row, previous in load_rows(refs):
        changes = field_changes(row, previous) if row.history_type == "~" and previous else []
        pairs.append((row, changes))
    users, cities = referenced_objects(change for _row, changes in pairs for change in changes)

    entries = []
    for row, changes in pairs:
        entries.append(
            Entry(
                when=row.history_date,
                who=person_name(row.history_user),
                kind=capfirst(row.instance_type._meta.verbose_name),
                label=_label(row),
                action=str(_ACTIONS.get(row.history_type, "")),
                reason=reasons.describe(row.history_change_reason),
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
