"""An agreement's history: every saved change of the agreement and of its records
(django-simple-history rows), with one list of what a reader is not shown.

The history page, the API's history and the dossier PDF all read it here:

- `SOURCES` and `history_querysets(agreement_pk)`: the history tables and each
  one's rows of the agreement (deleted records included: their rows remain);
- `history_queryset(agreement_pk)`: (source, history_id, history_date, prev_id) of
  every row, newest first, in one UNION query (paginate it);
- `load_rows(refs)`: a page's rows and the row before each, one query per table;
- `field_changes(row, previous)` and `created_values(row)`: (field, old, new) of
  what a row changed or was created with, `HIDDEN_FIELDS` left out;
- `referenced_objects(changes)`: the users and cities those values name by id.

Each output formats the values its own way (display text, stored codes, the PDF's
digits); which rows and which fields is decided here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, F, Value, Window
from django.db.models.functions import Lag

from cities.models import City

from ..models import (
    SORT_KEY_FIELDS,
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

# What changes on every save or repeats what the reader already sees: bookkeeping,
# the record's own agreement (or memorandum), and the copies of the cities' names
# kept for sorting (Agreement.*_sort_key).
HIDDEN_FIELDS = frozenset(
    {"id", "version", "created_at", "updated_at", "agreement", "memorandum", *SORT_KEY_FIELDS}
)

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class Source:
    key: str
    model: type[models.Model]


SOURCES = [
    Source("agreement", Agreement),
    Source("contacts", Contact),
    Source("goals", Goal),
    Source("commonalities", Commonality),
    Source("department-supports", DepartmentSupport),
    Source("legal-approvals", LegalApproval),
    Source("memoranda", Memorandum),
    Source("articles", MemorandumArticle),
    Source("officials", MemorandumOfficial),
    Source("delegations", Delegation),
    Source("activities", Activity),
    Source("documents", Document),
    Source("committee-members", CommitteeMember),
    Source("committee-meetings", CommitteeMeeting),
    Source("action-plans", ActionPlan),
    Source("action-plan-items", ActionPlanItem),
    Source("requests", StageRequest),
]
_BY_KEY = {source.key: source for source in SOURCES}


@functools.cache
def _history_model(source: Source):
    # Model.history builds a new manager class on every access (about 1 ms each);
    # the history model behind it never changes.
    return source.model.history.model


def rows_of(source: Source, agreement_pk: int) -> models.QuerySet:
    """The source's history rows of the agreement."""
    history = _history_model(source)
    if source.model is Agreement:
        return history.objects.filter(id=agreement_pk)
    if source.model in (MemorandumArticle, MemorandumOfficial):
        # Articles (officials) of every memorandum the agreement ever had, deleted ones included.
        memoranda = _history_model(_BY_KEY["memoranda"]).objects.filter(agreement_id=agreement_pk)
        return history.objects.filter(memorandum_id__in=memoranda.values("id"))
    return history.objects.filter(agreement_id=agreement_pk)


def history_querysets(agreement_pk: int) -> list[models.QuerySet]:
    return [rows_of(source, agreement_pk) for source in SOURCES]


def history_queryset(agreement_pk: int) -> models.QuerySet:
    """(source, history_id, history_date, prev_id) of every history row, newest first.

    prev_id, the history_id of the same object's row before it, comes from a
    window function over the agreement's rows of each table (one sort of those
    rows), not from a subquery per row."""
    parts = [
        rows_of(source, agreement_pk)
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


def shown_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's tracked fields a reader is shown, in the model's order."""
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def field_changes(row, previous) -> list[tuple[models.Field, object, object]]:
    """(model field, old value, new value) of every shown field that changed, by
    their stored values (a foreign key's id, a choice's code)."""
    return [
        (model_field, old, new)
        for model_field in shown_fields(row.instance_type)
        if (old := getattr(previous, model_field.attname))
        != (new := getattr(row, model_field.attname))
    ]


def created_values(row) -> list[tuple[models.Field, None, object]]:
    """(model field, None, value) of what an object was created with (empty left out)."""
    return [
        (model_field, None, value)
        for model_field in shown_fields(row.instance_type)
        if (value := getattr(row, model_field.attname)) not in (None, "", [], {})
    ]


def referenced_objects(
    changes: Iterable[tuple[models.Field, object, object]],
) -> tuple[dict[int, models.Model], dict[int, City]]:
    """The users and the cities that changes name by id (a responsible officer, a
    home municipality), by primary key: one query each, run even when there is
    none, so that a page costs the same number of queries whatever it holds."""
    wanted: dict[type[models.Model], set[int]] = {get_user_model(): {0}, City: {0}}
    for model_field, old, new in changes:
        ids = wanted.get(model_field.related_model)
        if ids is not None:
            ids.update(value for value in (old, new) if isinstance(value, int))
    users = {
        user.pk: user for user in get_user_model().objects.filter(pk__in=wanted[get_user_model()])
    }
    cities = {city.pk: city for city in City.objects.filter(pk__in=wanted[City])}
    return users, cities
