"""The history of an agreement and of everything logged against it, for the
dossier: who changed what, when and why (django-simple-history rows, read
through agreements.selectors.history; names and labels through
selectors.display, dates and digits the dossier's way)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from .. import reasons
from ..models import Agreement
from ..selectors.display import person_name, value_label
from ..selectors.history import field_changes, history_querysets, referenced_objects
from .common import arrow, number, reader_date, truncate

CHANGE_VALUE_LIMIT = 80


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
        return "∅"
    digits = lambda v: number(v, language)  # noqa: E731
    label = value_label(field, value, users=users, cities=cities, digits=digits)
    if label is not None:
        return truncate(label, CHANGE_VALUE_LIMIT)
    if isinstance(value, datetime.date):  # and datetime
        return reader_date(value, language)
    if isinstance(value, int):
        return number(value, language)
    return truncate(value, CHANGE_VALUE_LIMIT)


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
    # (row, its (field, old, new) changes or None when the row before was not read, label)
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
        label = str(queryset.model.instance_type._meta.verbose_name)
        for versions in by_object.values():
            previous = None
            for row in versions:
                changes = None
                if row.history_type != "~":
                    changes = []
                elif previous is not None:
                    changes = field_changes(row, previous)
                read.append((row, changes, label))
                previous = row
    users, cities = referenced_objects(
        change for _row, changes, _label in read for change in changes or []
    )
    rows = [
        _history_row(row, changes, label, language, users, cities) for row, changes, label in read
    ]
    rows.sort(key=lambda row: row.when, reverse=True)
    shown = rows[:limit]
    return shown, total - len(shown)


def _history_row(
    row, changes: list | None, label: str, language: str, users: dict, cities: dict
) -> HistoryRow:
    action = {"+": _("created"), "~": _("changed"), "-": _("deleted")}.get(row.history_type, "")
    if changes is None:
        lines = [_("(earlier history not shown)")]
    else:
        lines = [
            f"{field.verbose_name}: {_display(field, old, language, users, cities)} "
            f"{arrow(language)} {_display(field, new, language, users, cities)}"
            for field, old, new in changes
        ]
    return HistoryRow(
        when=row.history_date,
        who=person_name(row.history_user),
        what=f"{label} #{number(row.id, language)}",
        action=action,
        reason=truncate(reasons.describe(row.history_change_reason), 300),
        changes=lines,
    )
