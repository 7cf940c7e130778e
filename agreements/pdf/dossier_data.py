"""What the dossier shows, as plain data: `dossier_data(agreement, language)`.

Read in a fixed number of queries (each kind of record at most RECORD_LIMIT rows,
the latest TIMELINE_LIMIT events of agreements.selectors.timeline, the latest
HISTORY_LIMIT history rows of pdf.history, each with how many were left out):
codes, ISO dates, texts as stored, people by the name they go by, and the
timeline's and history's lines in the reader's language. It is embedded in the
dossier as `dossier.json` and hashed to name the stored copy; the template is
filled from it alone (pdf.dossier).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import Agreement
from ..selectors.display import person_name
from ..selectors.timeline import timeline
from .common import number, truncate
from .history import history_rows

# Version of the embedded JSON's shape. Changing the shape: bump it.
SCHEMA = "sistercities.dossier/1"

HISTORY_LIMIT = 500
TIMELINE_LIMIT = 500
# WeasyPrint lays out about 2 table pages a second (less for long unbroken words):
# 200 rows of 2,000 characters of one kind took 8 minutes and 421 pages; 50 rows
# of 500 take about 13 s (tests/hardening/test_pdf_bounds.py).
RECORD_LIMIT = 50
CHANGE_VALUE_LIMIT = 80
INTEGRITY_CODE_LENGTH = 12  # as the memorandum prints it


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(user) -> str | None:
    return person_name(user) if user is not None else None


def local_variant(language: str, fa: str, en: str) -> str:
    """The Persian variant of a bilingual field for a Persian reader, when there is one."""
    return fa if language == "fa" and fa else en


def _limited(queryset: models.QuerySet) -> tuple[list, int]:
    """At most RECORD_LIMIT rows, and how many were left out."""
    limit = RECORD_LIMIT
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, 0
    return rows[:limit], queryset.count() - limit


# --- Records, timeline, history ----------------------------------------------------------------------------------


def _records(agreement: Agreement) -> tuple[dict, dict]:
    sources = {
        "contacts": agreement.contacts.order_by("date", "id"),
        "goals": agreement.goals.order_by("id"),
        "commonalities": agreement.commonalities.order_by("id"),
        "department_supports": agreement.department_supports.order_by("id"),
        "legal_approvals": agreement.legal_approvals.order_by("id"),
        "memoranda": agreement.memoranda.select_related("frozen_by").order_by("number"),
        "delegations": agreement.delegations.order_by("start_date", "id"),
        "activities": agreement.activities.order_by("start_date", "id"),
        "documents": agreement.documents.order_by("created_at", "id"),
        "stage_requests": agreement.stage_requests.select_related(
            "requested_by", "decided_by"
        ).order_by("created_at", "id"),
    }
    records, left_out = {}, {}
    for name, queryset in sources.items():
        records[name], left_out[name] = _limited(queryset)
    return records, left_out


def _city(city, language: str) -> dict:
    with translation.override(language):
        country = str(city.country.name)
    return {
        "name": city.name,
        "name_fa": city.name_fa,
        "country": city.country.code,
        "country_name": country,
        "region": city.region,
        "region_fa": city.region_fa,
    }


def _record_data(name: str, x) -> dict:
    if name == "contacts":
        return {
            "date": _iso(x.date),
            "participants": x.participants,
            "place": x.place,
            "notes": x.notes,
        }
    if name == "goals":
        return {
            "sector": x.sector,
            "description": x.description,
            "description_fa": x.description_fa,
            "indicator": x.indicator,
            "target_date": _iso(x.target_date),
        }
    if name == "commonalities":
        return {"kind": x.kind, "description": x.description, "description_fa": x.description_fa}
    if name == "department_supports":
        return {
            "department": x.department,
            "date": _iso(x.supported_on),
            "joint_committee": x.joint_committee,
            "notes": x.notes,
        }
    if name == "legal_approvals":
        return {
            "side": x.side,
            "authority": x.authority,
            "status": x.status,
            "reference": x.reference,
            "requested_on": _iso(x.requested_on),
            "decided_on": _iso(x.decided_on),
        }
    if name == "memoranda":
        return {
            "version": x.number,
            "signed_on": _iso(x.signed_on),
            "place": x.place,
            "place_fa": x.place_fa,
            "frozen_at": _iso(x.frozen_at),
            "frozen_by": _name(x.frozen_by) if x.frozen_at else None,
            "pdf_sha256": x.pdf_sha256 or None,
            "content_sha256": x.content_sha256 or None,
            "integrity_code": (x.content_sha256 or "")[:INTEGRITY_CODE_LENGTH] or None,
        }
    if name == "delegations":
        return {
            "direction": x.direction,
            "start_date": _iso(x.start_date),
            "end_date": _iso(x.end_date),
            "head": x.head,
            "purpose": x.purpose,
            "outcomes": x.outcomes,
            "official": x.official,
        }
    if name == "activities":
        return {
            "sector": x.sector,
            "title": x.title,
            "start_date": _iso(x.start_date),
            "end_date": _iso(x.end_date),
            "description": x.description,
            "outcome": x.outcome,
        }
    if name == "documents":
        return {
            "kind": x.kind,
            "title": str(x),
            "added": _iso(x.created_at),
            "sha256": x.sha256 or None,
        }
    if name == "stage_requests":
        return {
            "action": x.action,
            "from_stage": x.from_stage,
            "to_stage": x.to_stage,
            "note": x.note,
            "requested_by": _name(x.requested_by),
            "requested_at": _iso(x.created_at),
            "state": x.state,
            "decided_by": _name(x.decided_by) if x.decided_by_id else None,
            "decided_at": _iso(x.decided_at),
            "decision_note": x.decision_note,
        }
    raise KeyError(name)


# The timeline's events that name a move, written without arrows (the page's
# labels have one; Vazirmatn has no arrow glyph).
def _event_title(event, language: str) -> str:
    data = {key: str(value) for key, value in event.data.items()}
    if event.kind == "stage":
        return _("Stage changed from %(from)s to %(to)s") % data
    if event.kind == "status":
        return _("Status changed from %(from)s to %(to)s") % data
    if event.kind == "request" and "from" in data:
        return _("%(action)s requested: from %(from)s to %(to)s") % data
    return event.title(lambda value: number(value, language))


def _event_detail(event, language: str) -> str:
    """The record's words, in Persian for a Persian reader when the record has them."""
    record = event.record
    if language == "fa" and event.kind in ("goal", "commonality") and record.description_fa:
        return record.description_fa
    if language == "fa" and event.kind == "memorandum-signed" and record.place_fa:
        return record.place_fa
    return event.detail


def _timeline(agreement: Agreement, records: dict, language: str) -> tuple[list, list, int]:
    """The latest TIMELINE_LIMIT events (newest first) and every stage or status
    change (oldest first), as data; and how many events are left out."""
    events = timeline(agreement, records)
    rows = [
        {
            "when": _iso(event.when),
            "day": _iso(event.day),  # the local day, which the dossier shows
            "kind": event.kind,
            "title": _event_title(event, language),
            "by": _name(event.who),
            "detail": truncate(_event_detail(event, language), CHANGE_VALUE_LIMIT * 2),
        }
        for event in events[:TIMELINE_LIMIT]
    ]
    moves: dict[int, dict] = {}
    for event in reversed(events):
        if event.source == "history":
            row = event.record
            moves.setdefault(
                row.history_id,
                {
                    "when": _iso(row.history_date),
                    "from_stage": row.prev_stage,
                    "to_stage": row.stage,
                    "from_status": row.prev_status,
                    "to_status": row.status,
                    "by": _name(row.history_user),
                    "reason": event.detail,
                },
            )
    return rows, list(moves.values()), max(0, len(events) - TIMELINE_LIMIT)


def dossier_data(agreement: Agreement, language: str) -> dict:
    """Everything the dossier shows, as plain data (JSON-ready), in `language`
    where it is words (the history's labels and values, the timeline's events);
    call inside translation.override(language). A fixed number of queries."""
    agreement = Agreement.objects.select_related(
        "home_city", "partner_city", "responsible_officer"
    ).get(pk=agreement.pk)
    records, left_out = _records(agreement)
    events, moves, events_left_out = _timeline(agreement, records, language)
    history, history_left_out = history_rows(agreement, language, limit=HISTORY_LIMIT)
    return {
        "schema": SCHEMA,
        "language": language,
        "agreement": {
            "id": agreement.pk,
            "kind": agreement.kind,
            "stage": agreement.stage,
            "status": agreement.status,
            "stage_changed_at": _iso(agreement.stage_changed_at),
            "origin": agreement.origin,
            "title": agreement.title,
            "summary": agreement.summary,
            "first_contact_on": _iso(agreement.first_contact_on),
            "signed_on": _iso(agreement.signed_on),
            "signed_year": agreement.signed_year,
            "term_years": agreement.term_years,
            "expires_on": _iso(agreement.expires_on),
            "responsible_officer": _name(agreement.responsible_officer),
            "home_city": _city(agreement.home_city, language),
            "partner_city": _city(agreement.partner_city, language),
        },
        **{name: [_record_data(name, record) for record in rows] for name, rows in records.items()},
        "left_out": left_out,
        "stage_history": moves,
        "timeline": events,
        "timeline_left_out": events_left_out,
        "history": [
            {
                "when": _iso(row.when),
                "by": row.who,
                "record": row.what,
                "action": row.action,
                "reason": row.reason,
                "changes": row.changes,
            }
            for row in history
        ],
        "history_left_out": history_left_out,
    }
