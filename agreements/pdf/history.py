"""The history of an agreement and of everything logged against it, for the
dossier: who changed what, when and why (django-simple-history rows)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from ..models import Agreement
from ..selectors.history import history_querysets, shown_fields
from .common import arrow, number, reader_date, truncate, who, yes_no

CHANGE_VALUE_LIMIT = 80


@dataclass
class HistoryRow:
    when: datetime.datetime
    who: str
    what: str
    action: str
    reason: str
    changes: list[str]


def _display(field: models.Field, value: object, language: str) -> str:
    if value is None or value == "":
        return "∅"
    if field.choices:
        return truncate(dict(field.flatchoices).get(value, value), CHANGE_VALUE_LIMIT)
    if isinstance(value, datetime.date):  # and datetime
        return reader_date(value, language)
    if isinstance(value, bool):
        return yes_no(value)
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
    rows: list[HistoryRow] = []
    for queryset in history_querysets(agreement.pk):
        total += queryset.count()
        historical = list(
            queryset.select_related("history_user").order_by("-history_date", "-history_id")[
                : limit + 1
            ]
        )
        model = queryset.model.instance_type
        fields = shown_fields(model)
        by_object: dict[int, list] = {}
        for row in reversed(historical):  # oldest first
            by_object.setdefault(row.id, []).append(row)
        label = str(model._meta.verbose_name)
        for versions in by_object.values():
            previous = None
            for row in versions:
                rows.append(_history_row(row, previous, fields, label, language))
                previous = row
    rows.sort(key=lambda row: row.when, reverse=True)
    shown = rows[:limit]
    return shown, total - len(shown)


def _history_row(
    row, previous, fields: list[models.Field], label: str, language: str
) -> HistoryRow:
    action = {"+": _("created"), "~": _("changed"), "-": _("deleted")}.get(row.history_type, "")
    changes: list[str] = []
    if row.history_type == "~":
        if previous is None:
            changes = [_("(earlier history not shown)")]
        else:
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(row, field.attname)
                if old != new:
                    old_text = _display(field, old, language)
                    new_text = _display(field, new, language)
                    changes.append(f"{field.verbose_name}: {old_text} {arrow(language)} {new_text}")
    return HistoryRow(
        when=row.history_date,
        who=who(row.history_user),
        what=f"{label} #{number(row.id, language)}",
        action=action,
        reason=truncate(row.history_change_reason or "", 300),
        changes=changes,
    )
