"""An agreement's timeline: what happened, newest first, each by its own date.

The agreement page (agreements.views.detail) and the dossier PDF
(agreements.pdf.dossier) both show `timeline(agreement, records)`: which events,
their dates, their order and what each says are decided here; the page writes
them as HTML with a link to their section, the dossier as a table row in the
reader's language (Persian digits through its `number`).

The events:

- the first contact (the agreement's date of it);
- each contact (its date), goal, commonality and document (when recorded);
- each department's support (its date, else when recorded);
- each legal approval: asked for (its request date), and decided (its decision
  date, else when recorded) once granted or refused; one still undecided that has
  no request date counts as asked for when recorded;
- each memorandum version signed (its signing date) and frozen (when, by whom);
- each delegation and activity (their start dates);
- each stage request (when, by whom) and its decision (when, by whom);
- each change of the agreement's stage or status (its history row: when, by whom,
  the reason).

`records` are the rows the caller has already read (the page its sections, the
dossier the rows its tables show), by the agreement's related names; nothing is
read per event: only the stage and status changes are read here, in one query.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext_lazy as _

from .. import reasons
from ..dates import local_day, local_time
from ..models import Agreement, ApprovalStatus, RequestAction, RequestState
from .display import choice_label

# The related names of `records`; of two events at one moment, the one later here
# is listed first (timeline's order).
RECORDS = (
    "contacts",
    "goals",
    "commonalities",
    "department_supports",
    "legal_approvals",
    "memoranda",
    "delegations",
    "activities",
    "documents",
    "stage_requests",
)

DECISIONS = {
    RequestState.APPROVED: _("Request approved"),
    RequestState.REJECTED: _("Request rejected"),
    RequestState.WITHDRAWN: _("Request withdrawn"),
}
DECIDED_APPROVALS = (ApprovalStatus.GRANTED, ApprovalStatus.REFUSED)


@dataclass(frozen=True)
class Event:
    """One thing that happened. `label` says what, naming `data` (choice labels
    already in the active language, numbers left for the output's digits);
    `detail` is the record's own words; `who` the user who did it, when known."""

    when: datetime.date | datetime.datetime
    kind: str  # "contact", "request", "decision-approved", "stage"... (the page's CSS hook)
    record: models.Model  # the contact, the stage request, the agreement's history row...
    source: str  # which records: a RECORDS name, "agreement" or "history"
    label: object  # a lazy message with %(name)s of `data`, or the record's own title
    data: Mapping[str, object] = field(default_factory=dict)
    detail: str = ""
    who: models.Model | None = None

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)

    @property
    def day(self) -> datetime.date:
        """The local day of the event."""
        return local_day(self.when)

    @property
    def moment(self) -> tuple[datetime.date, datetime.time]:
        """When, in local time; a date without a time comes before that day's moments."""
        if isinstance(self.when, datetime.datetime):
            local = local_time(self.when)
            return (local.date(), local.time())
        return (self.when, datetime.time.min)

    def title(self, digits: Callable[[object], str] = str) -> str:
        """The label in the active language, its numbers written with `digits`."""
        if not self.data:
            return str(self.label)
        values = {
            name: digits(value) if isinstance(value, int) else str(value)
            for name, value in self.data.items()
        }
        return str(self.label) % values


def stage_changes(agreement_pk: int) -> list:
    """The agreement's history rows where its stage or status changed, oldest
    first, each with `prev_stage` and `prev_status` and its user (one query: a
    window function compares each row with the one before it)."""
    history = Agreement.history.model.objects.filter(id=agreement_pk)
    order = [F("history_date").asc(), F("history_id").asc()]
    return list(
        history.annotate(
            prev_stage=Window(Lag("stage"), order_by=order),
            prev_status=Window(Lag("status"), order_by=order),
        )
        .filter(
            Q(prev_stage__isnull=False) & (~Q(prev_stage=F("stage")) | ~Q(prev_status=F("status")))
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )


def _record_events(name: str, record) -> Iterable[Event]:
    def event(when, kind, label, data=None, detail="", who=None) -> Event:
        return Event(when, kind, record, name, label, data or {}, detail or "", who)

    if name == "contacts":
        yield event(record.date, "contact", _("Contact"), detail=record.participants)
    elif name == "goals":
        yield event(record.created_at, "goal", _("Goal recorded"), detail=record.description)
    elif name == "commonalities":
        yield event(
            record.created_at,
            "commonality",
            _("Commonality recorded"),
            detail=record.description,
        )
    elif name == "department_supports":
        yield event(
            record.supported_on or record.created_at,
            "support",
            _("Support of %(department)s"),
            {"department": record.get_department_display()},
            record.notes,
        )
    elif name == "legal_approvals":
        yield from _approval_events(event, record)
    elif name == "memoranda":
        if record.signed_on:
            yield event(
                record.signed_on,
                "memorandum-signed",
                _("Memorandum v%(number)s signed"),
                {"number": record.number},
                record.place,
            )
        if record.frozen_at:
            yield event(
                record.frozen_at,
                "memorandum-frozen",
                _("Memorandum v%(number)s frozen"),
                {"number": record.number},
                who=record.frozen_by,
            )
    elif name == "delegations":
        yield event(
            record.start_date,
            "delegation",
            _("%(direction)s delegation"),
            {"direction": record.get_direction_display()},
            record.head,
        )
    elif name == "activities":
        yield event(record.start_date, "activity", record.title, detail=record.get_sector_display())
    elif name == "documents":
        yield event(record.created_at, "document", _("Document uploaded"), detail=str(record))
    elif name == "stage_requests":
        yield from _request_events(event, record)


def _approval_events(event, approval) -> Iterable[Event]:
    authority = approval.get_authority_display()
    detail = " · ".join(filter(None, [authority, approval.reference]))
    decided = approval.status in DECIDED_APPROVALS
    if approval.requested_on or not decided:
        yield event(
            approval.requested_on or approval.created_at,
            "approval-requested",
            _("Legal approval requested"),
            detail=detail,
        )
    if decided:
        yield event(
            approval.decided_on or approval.created_at,
            "approval-decided",
            _("Legal approval decided"),
            detail=" · ".join(
                filter(None, [f"{authority}: {approval.get_status_display()}", approval.reference])
            ),
        )


def _request_events(event, stage_request) -> Iterable[Event]:
    data = {
        "action": stage_request.get_action_display(),
        "from": stage_request.get_from_stage_display(),
        "to": stage_request.get_to_stage_display(),
    }
    if stage_request.action in (RequestAction.ADVANCE, RequestAction.REOPEN):
        label = _("%(action)s requested: %(from)s → %(to)s")
    else:  # the stage stays
        label = _("%(action)s requested")
        data = {"action": data["action"]}
    yield event(
        stage_request.created_at,
        "request",
        label,
        data,
        stage_request.note,
        stage_request.requested_by,
    )
    if stage_request.state != RequestState.PENDING and stage_request.decided_at:
        yield event(
            stage_request.decided_at,
            f"decision-{stage_request.state}",
            DECISIONS.get(stage_request.state, ""),
            detail=stage_request.decision_note,
            who=stage_request.decided_by,
        )


def _change_events(agreement: Agreement) -> Iterable[Event]:
    stage_field = Agreement._meta.get_field("stage")
    status_field = Agreement._meta.get_field("status")
    for row in stage_changes(agreement.pk):
        changed = [
            ("stage", _("Stage: %(from)s → %(to)s"), stage_field, row.prev_stage, row.stage),
            ("status", _("Status: %(from)s → %(to)s"), status_field, row.prev_status, row.status),
        ]
        for kind, label, model_field, old, new in changed:
            if old != new:
                yield Event(
                    row.history_date,
                    kind,
                    row,
                    "history",
                    label,
                    {"from": choice_label(model_field, old), "to": choice_label(model_field, new)},
                    reasons.describe(row.history_change_reason),
                    row.history_user,
                )


def timeline(agreement: Agreement, records: Mapping[str, Iterable]) -> list[Event]:
    """Every event of the agreement and of `records` (by RECORDS name; each kind
    the caller has read, with the memoranda's `frozen_by` and the stage requests'
    `requested_by` and `decided_by` joined), newest first.

    The order depends on the data only, not on the order the caller read the
    records in: newest moment first; of one moment, the later in RECORDS first
    (the stage and status changes before them all, the first contact after),
    then the later record (higher id), then the later event of one record (a
    decision before its request)."""
    keyed: list[tuple[tuple, Event]] = []
    if agreement.first_contact_on:
        first = Event(
            agreement.first_contact_on, "first-contact", agreement, "agreement", _("First contact")
        )
        keyed.append(((first.moment, -1, agreement.pk, 0), first))
    for rank, name in enumerate(RECORDS):
        for record in records.get(name, ()):
            for position, event in enumerate(_record_events(name, record)):
                keyed.append(((event.moment, rank, record.pk, position), event))
    for position, event in enumerate(_change_events(agreement)):
        keyed.append(((event.moment, len(RECORDS), event.record.pk, position), event))
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [event for _key, event in keyed]
