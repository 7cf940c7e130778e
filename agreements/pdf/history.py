"""The history of an agreement and of everything logged against it, for the
dossier: who changed what, when and why (django-simple-history rows, read
through agreements.selectors.history; names and labels through
selectors.display, dates and digits the dossier's way).

All in the reader's language: the record's kind (a memorandum with its version;
never a database id), the field's label,
"from … to …" (no arrows: the bundled font has none), "—" for an empty value,
people by name. Values a person typed are bidi isolates (dossier.isolate)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _

from cities.models import City

from .. import reasons
from ..models import Agreement
from ..selectors.display import person_name, value_label
from ..selectors.history import field_changes, history_querysets, referenced_objects
from .common import number, reader_date, truncate

CHANGE_VALUE_LIMIT = 80
EMPTY = "—"
FSI, PDI = "\u2068", "\u2069"


def _isolated(text: str) -> str:
    return f"{FSI}{text}{PDI}" if text else ""


@dataclass
class HistoryRow:
    when: datetime.datetime
    who: str
    what: str
    action: str
    reason: str
    changes: list[str]


def _display(field: models.Field, value: object, language: str, users: dict, cities: dict) -> str:
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        # By name, never by id: a person (a deleted one says so), a city, or the
        # kind of the record it points at.
        related = field.related_model
        if related is get_user_model():
            return _isolated(person_name(users[value])) if value in users else _("a deleted user")
        if related is City:
            return _isolated(cities[value].display_name) if value in cities else EMPTY
        return str(related._meta.verbose_name)
    label = value_label(field, value, users=users, cities=cities)
    if label is not None:  # a choice, yes or no
        return label
    if isinstance(value, datetime.date):  # and datetime
        return reader_date(value, language)
    if isinstance(value, int):
        return number(value, language)
    return _isolated(truncate(value, CHANGE_VALUE_LIMIT))


def _record_title(row, language: str) -> str:
    """What the record is: its kind (a memorandum with its version), never its
    database id. (Not its own words: a line of the reader's language with a
    stored text of the other cut into it copied out garbled.)"""
    model = row.instance_type._meta
    label = str(model.verbose_name)
    if model.model_name == "memorandum":
        return _("%(record)s, version %(number)s") % {
            "record": label,
            "number": number(row.number, language),
        }
    return label


def history_rows(
    agreement: Agreement, language: str, *, limit: int
) -> tuple[list[HistoryRow], int]:
    """The latest `limit` history rows (newest first), and how many are left out.

    Each model's rows are read newest first, at most `limit` + 1 of them, so an
    agreement with a million saves still reads a bounded number of rows.
    Changed fields are found by comparing each row with the previous row of the
    same object; for the oldest row of an object inside a cut window the
    previous row was not read, and its changes show as unknown.
    """
    total = 0
    # (row, its (field, old, new) changes or None when the row before was not read)
    read: list[tuple] = []
    for queryset in history_querysets(agreement.pk):
        total += queryset.count()
        historical = list(
            queryset.select_related("history_user").order_by("-history_date", "-history_id")[
                : limit + 1
            ]
        )
        by_object: dict[int, list] = {}
        for row in reversed(historical):  # oldest first
            by_object.setdefault(row.id, []).append(row)
        for versions in by_object.values():
            previous = None
            for row in versions:
                changes = None
                if row.history_type != "~":
                    changes = []
                elif previous is not None:
                    changes = field_changes(row, previous)
                read.append((row, changes))
                previous = row
    users, cities = referenced_objects(change for _row, changes in read for change in changes or [])
    rows = [_history_row(row, changes, language, users, cities) for row, changes in read]
    rows.sort(key=lambda row: row.when, reverse=True)
    shown = rows[:limit]
    return shown, total - len(shown)


def _history_row(row, changes: list | None, language: str, users: dict, cities: dict) -> HistoryRow:
    action = {"+": _("created"), "~": _("changed"), "-": _("deleted")}.get(row.history_type, "")
    if changes is None:
        lines = [_("(earlier history not shown)")]
    else:
        lines = [
            _("%(field)s: from %(old)s to %(new)s")
            % {
                "field": field.verbose_name,
                "old": _display(field, old, language, users, cities),
                "new": _display(field, new, language, users, cities),
            }
            for field, old, new in changes
        ]
    return HistoryRow(
        when=row.history_date,
        who=person_name(row.history_user),
        what=_record_title(row, language),
        action=action,
        reason=truncate(reasons.describe(row.history_change_reason), 300),
        changes=lines,
    )
