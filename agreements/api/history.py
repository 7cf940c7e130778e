"""An agreement's history for the API: the same rows as the history page
(agreements/views/history.py, whose UNION query lists them newest first), but
with stored values (codes, ids, ISO dates) instead of display text.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db.models.fields.files import FieldFile

from ..views.history import history_queryset, load_rows

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping that changes on every save and tells nothing.
SKIPPED_FIELDS = {"id", "version", "created_at", "updated_at"}


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
        fields = [f for f in row.tracked_fields if f.name not in SKIPPED_FIELDS]
        changes = []
        for model_field in fields:
            # attname: the stored value (a foreign key's id), with no query.
            new = getattr(row, model_field.attname)
            if row.history_type == "~" and previous is not None:
                old = getattr(previous, model_field.attname)
                if old != new:
                    changes.append(
                        {"field": model_field.name, "old": _plain(old), "new": _plain(new)}
                    )
            elif row.history_type == "+" and new not in (None, "", [], {}):
                # What the object was created with (empty values left out).
                changes.append({"field": model_field.name, "old": None, "new": _plain(new)})
        user = row.history_user
        result.append(
            {
                "id": row.history_id,
                "object_type": ref["source"],
                "object_id": row.id,
                "action": ACTIONS.get(row.history_type, row.history_type),
                "date": row.history_date,
                "user": user.get_username() if user is not None else None,
                "reason": row.history_change_reason or "",
                "changes": changes,
            }
        )
    return result
