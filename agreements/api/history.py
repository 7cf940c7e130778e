"""An agreement's history for the API: the rows and fields of the history page
(agreements.selectors.history), with stored values (codes, ids, ISO dates)
instead of display text.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db.models.fields.files import FieldFile

from .. import reasons
from ..selectors.history import (
    ACTIONS,
    created_values,
    field_changes,
    history_queryset,
    load_rows,
)


def entries_queryset(agreement_pk: int):
    """(source, history_id, history_date) rows, newest first (paginate this)."""
    return history_queryset(agreement_pk)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def entries(refs: list[dict]) -> list[dict[str, Any]]:
    """The entries of one page of refs: one query per history table."""
    result = []
    for ref, (row, previous) in zip(refs, load_rows(refs), strict=True):
        if row.history_type == "~" and previous is not None:
            values = field_changes(row, previous)
        elif row.history_type == "+":
            values = created_values(row)
        else:
            values = []
        changes = [
            {"field": model_field.name, "old": _plain(old), "new": _plain(new)}
            for model_field, old, new in values
        ]
        user = row.history_user
        result.append(
            {
                "id": row.history_id,
                "object_type": ref["source"],
                "object_id": row.id,
                "action": ACTIONS.get(row.history_type, row.history_type),
                "date": row.history_date,
                "user": user.get_username() if user is not None else None,
                "reason": reasons.describe(row.history_change_reason),
                "reason_code": reasons.code_of(row.history_change_reason),
                "changes": changes,
            }
        )
    return result
