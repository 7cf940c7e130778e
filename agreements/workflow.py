"""The lifecycle of an agreement as plain data and pure functions.

Stages in order, the gate of each stage (what must be recorded before leaving
it), which moves are possible in which state and which buttons a user is offered.
Nothing here reads the database: gates are evaluated on a `GateFacts` snapshot,
which agreements/selectors/gates.py reads from the records, and
`allowed_actions()` is given the user's permissions and the pending request by
its caller. So the rules are testable without a database. Writes happen in
agreements/services/.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dates import format_jalali
from .models import (
    Authority,
    Direction,
    Kind,
    RequestAction,
    Stage,
    Status,
    default_required_authorities,
)

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .models import StageRequest

STAGES: list[str] = list(Stage.values)


def stage_index(stage: str) -> int:
    return STAGES.index(stage)


def next_stage(stage: str) -> str | None:
    index = stage_index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def previous_stages(stage: str) -> list[str]:
    return STAGES[: stage_index(stage)]


# --- Facts a gate looks at ------------------------------------------------------------


@dataclass(frozen=True)
class GateFacts:
    contacts: int = 0
    goals_with_sector: int = 0
    commonalities: int = 0
    council_support: bool = False
    granted_authorities: frozenset[str] = frozenset()
    required_authorities: tuple[str, ...] = tuple(default_required_authorities())
    memorandum_exists: bool = False
    memorandum_frozen: bool = False
    memorandum_signed_on: bool = False
    memorandum_home_signatory: bool = False
    memorandum_partner_signatory: bool = False
    memorandum_home_officials: bool = False
    memorandum_partner_officials: bool = False
    signed_copy_uploaded: bool = False
    completed_official_delegations: frozenset[str] = frozenset()
    # Official delegations that have begun (before today) but have no end date:
    # (direction, start date), earliest first. Their end date is what the gate misses.
    open_official_delegations: tuple[tuple[str, datetime.date], ...] = ()
    delegations_each_way: bool = False


# The facts each stage's gate looks at. selectors.gates.collect_facts() reads only
# these for one agreement (a transition looks up one to three tables, not nine, in its one gate
# query); a test checks that no gate looks at a fact left out here. A page of
# several agreements reads every fact (selectors.gates.gate_missing_for), so its
# query does not depend on their stages.
GATE_READS: dict[str, frozenset[str]] = {
    Stage.CONTACT: frozenset({"contacts"}),
    Stage.GOALS: frozenset({"goals_with_sector", "commonalities", "council_support"}),
    Stage.LEGAL: frozenset({"granted_authorities", "required_authorities"}),
    Stage.SIGNING: frozenset(
        {
            "memorandum_exists",
            "memorandum_frozen",
            "memorandum_signed_on",
            "memorandum_home_signatory",
            "memorandum_partner_signatory",
            "memorandum_home_officials",
            "memorandum_partner_officials",
            "signed_copy_uploaded",
        }
    ),
    Stage.DELEGATIONS: frozenset(
        {"completed_official_delegations", "open_official_delegations", "delegations_each_way"}
    ),
    Stage.ACTIVE: frozenset(),
}


# --- Gates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateItem:
    code: str
    label: str | Promise  # what is required, as the checklist shows it
    done: bool
    fix: str  # the kind of record that fulfils it (URL segment of its form)
    missing: str | Promise = ""  # the message when it is not done


@dataclass(frozen=True)
class _Requirement:
    code: str
    label: Promise
    missing: Promise
    fix: str
    check: Callable[[GateFacts], bool]


# Error messages the user sees: translatable constants next to the rule.
MISSING_CONTACT = _(
    "No contact between the mayors or their representatives is recorded (date and participants)."
)
MISSING_GOAL = _("No goal with a sector is recorded.")
MISSING_COMMONALITY = _("No commonality between the two cities is recorded.")
MISSING_COUNCIL = _("The city council's support is not recorded.")
MISSING_MEMORANDUM_FROZEN = _("The final memorandum is not frozen.")
MISSING_SIGNING_DATE = _("The memorandum's signing date is not recorded.")
MISSING_HOME_SIGNATORY = _("The home side's signatory is not recorded.")
MISSING_PARTNER_SIGNATORY = _("The partner side's signatory is not recorded.")
# The paper's fifth condition: the memorandum is exchanged with the relevant officials
# of both sides present (services.freeze_memorandum refuses with the same messages).
MISSING_HOME_OFFICIALS = _("The officials present on the home side are not recorded.")
MISSING_PARTNER_OFFICIALS = _("The officials present on the partner side are not recorded.")
MISSING_SIGNED_COPY = _("The signed copy of the memorandum is not uploaded.")
MISSING_DELEGATION = _("No completed official delegation is recorded.")
MISSING_DELEGATION_OUTGOING = _("No completed official outgoing delegation is recorded.")
MISSING_DELEGATION_INCOMING = _("No completed official incoming delegation is recorded.")
# When an official delegation has begun but its end date is not recorded, the gate
# item says so, naming the delegation by its start date (label, then message).
NO_END_DATE = {
    None: (
        _("The end date of the official delegation of %(date)s"),
        _("The official delegation of %(date)s has no end date: record its end date."),
    ),
    Direction.OUTGOING: (
        _("The end date of the official outgoing delegation of %(date)s"),
        _("The official outgoing delegation of %(date)s has no end date: record its end date."),
    ),
    Direction.INCOMING: (
        _("The end date of the official incoming delegation of %(date)s"),
        _("The official incoming delegation of %(date)s has no end date: record its end date."),
    ),
}

AUTHORITY_LABELS = {
    Authority.HOME_COUNCIL: (
        _("Approval of the home city council granted"),
        _("The home city council's approval is not granted."),
    ),
    Authority.HOME_MINISTRY: (
        _("Approval of the home national ministry granted"),
        _("The home national ministry's approval is not granted."),
    ),
    Authority.PARTNER_AUTHORITY: (
        _("Approval of the partner's authority granted"),
        _("The partner authority's approval is not granted."),
    ),
    Authority.OTHER: (
        _("Other required approval granted"),
        _("Another required approval is not granted."),
    ),
}

_FIXED_GATES: dict[str, list[_Requirement]] = {
    Stage.CONTACT: [
        _Requirement(
            "contact",
            _("A contact is recorded"),
            MISSING_CONTACT,
            "contacts",
            lambda f: f.contacts > 0,
        ),
    ],
    Stage.GOALS: [
        _Requirement(
            "goal",
            _("A goal with a sector"),
            MISSING_GOAL,
            "goals",
            lambda f: f.goals_with_sector > 0,
        ),
        _Requirement(
            "commonality",
            _("A commonality"),
            MISSING_COMMONALITY,
            "commonalities",
            lambda f: f.commonalities > 0,
        ),
        _Requirement(
            "council",
            _("The city council's support"),
            MISSING_COUNCIL,
            "department-supports",
            lambda f: f.council_support,
        ),
    ],
    Stage.SIGNING: [
        _Requirement(
            "memorandum_frozen",
            _("Final memorandum frozen"),
            MISSING_MEMORANDUM_FROZEN,
            "memoranda",
            lambda f: f.memorandum_frozen,
        ),
        _Requirement(
            "signing_date",
            _("Signing date"),
            MISSING_SIGNING_DATE,
            "memoranda",
            lambda f: f.memorandum_signed_on,
        ),
        _Requirement(
            "home_signatory",
            _("Home side's signatory"),
            MISSING_HOME_SIGNATORY,
            "memoranda",
            lambda f: f.memorandum_home_signatory,
        ),
        _Requirement(
            "partner_signatory",
            _("Partner side's signatory"),
            MISSING_PARTNER_SIGNATORY,
            "memoranda",
            lambda f: f.memorandum_partner_signatory,
        ),
        _Requirement(
            "home_officials",
            _("Officials present on the home side"),
            MISSING_HOME_OFFICIALS,
            "memoranda",
            lambda f: f.memorandum_home_officials,
        ),
        _Requirement(
            "partner_officials",
            _("Officials present on the partner side"),
            MISSING_PARTNER_OFFICIALS,
            "memoranda",
            lambda f: f.memorandum_partner_officials,
        ),
        _Requirement(
            "signed_copy",
            _("Signed copy uploaded"),
            MISSING_SIGNED_COPY,
            "documents",
            lambda f: f.signed_copy_uploaded,
        ),
    ],
    Stage.ACTIVE: [],
}


def _legal_gate(facts: GateFacts) -> list[GateItem]:
    items = []
    for authority in facts.required_authorities:
        label, missing = AUTHORITY_LABELS.get(authority, AUTHORITY_LABELS[Authority.OTHER])
        items.append(
            GateItem(
                code=f"approval_{authority}",
                label=label,
                done=authority in facts.granted_authorities,
                fix="legal-approvals",
                missing=missing,
            )
        )
    return items


def _reader_date(value: datetime.date) -> str:
    """A date in the calendar of the language active when the message is shown."""
    if (get_language() or "").startswith("fa"):
        return format_jalali(value)
    return formats.date_format(value, "N j, Y")


def _with_date(message, value: datetime.date) -> str:
    return str(message) % {"date": _reader_date(value)}


# Formatted when shown (str()), in the language of that moment, as gettext_lazy.
_with_date_lazy = lazy(_with_date, str)


def _delegation_item(
    code: str, label, message, direction: str | None, facts: GateFacts
) -> GateItem:
    """The gate item of a completed official delegation (in `direction`, or either):
    when none is completed but one has begun without an end date, the item names
    that delegation and its missing end date."""
    done = facts.completed_official_delegations
    if direction is None:
        met = bool(done)
        open_ones = [start for _way, start in facts.open_official_delegations]
    else:
        met = direction in done
        open_ones = [start for way, start in facts.open_official_delegations if way == direction]
    if not met and open_ones:
        no_end_label, no_end_message = NO_END_DATE[direction]
        start = min(open_ones)
        label = _with_date_lazy(no_end_label, start)
        message = _with_date_lazy(no_end_message, start)
    return GateItem(code, label, met, "delegations", message)


def _delegations_gate(facts: GateFacts) -> list[GateItem]:
    if facts.delegations_each_way:
        return [
            _delegation_item(
                "delegation_outgoing",
                _("A completed official outgoing delegation"),
                MISSING_DELEGATION_OUTGOING,
                Direction.OUTGOING,
                facts,
            ),
            _delegation_item(
                "delegation_incoming",
                _("A completed official incoming delegation"),
                MISSING_DELEGATION_INCOMING,
                Direction.INCOMING,
                facts,
            ),
        ]
    return [
        _delegation_item(
            "delegation",
            _("A completed official delegation"),
            MISSING_DELEGATION,
            None,
            facts,
        )
    ]


def checklist(stage: str, facts: GateFacts) -> list[GateItem]:
    """The gate of `stage`: every requirement, done or not."""
    if stage == Stage.LEGAL:
        return _legal_gate(facts)
    if stage == Stage.DELEGATIONS:
        return _delegations_gate(facts)
    return [
        GateItem(code=r.code, label=r.label, done=r.check(facts), fix=r.fix, missing=r.missing)
        for r in _FIXED_GATES[stage]
    ]


def missing(stage: str, facts: GateFacts) -> list[str]:
    return [str(item.missing) for item in checklist(stage, facts) if not item.done]


# --- Moves -----------------------------------------------------------------------------------
# Each returns None when the move is possible in this state, else the reason.

NOT_LIVE = _("The agreement is terminated.")
NOT_IN_PROGRESS = _("Only an agreement in progress can move to the next stage.")
ALREADY_LAST = _("The agreement is already an active partnership.")
NOT_EARLIER = _("An agreement can only be reopened at an earlier stage.")
NOT_SUSPENDABLE = _("Only an agreement in progress or active can be suspended.")
NOT_SUSPENDED = _("Only a suspended agreement can be resumed.")
NOT_UPGRADABLE = _("Only an active friendship city can be upgraded to a sister city.")


def refuse_advance(stage: str, status: str) -> str | None:
    if status == Status.TERMINATED:
        return str(NOT_LIVE)
    if status != Status.IN_PROGRESS:
        return str(NOT_IN_PROGRESS)
    if next_stage(stage) is None:
        return str(ALREADY_LAST)
    return None


def refuse_reopen(stage: str, status: str, target: str) -> str | None:
    if status == Status.TERMINATED:
        return str(NOT_LIVE)
    if status == Status.SUSPENDED:
        return str(NOT_SUSPENDABLE)
    if target not in STAGES or stage_index(target) >= stage_index(stage):
        return str(NOT_EARLIER)
    return None


def refuse_suspend(status: str) -> str | None:
    if status not in (Status.IN_PROGRESS, Status.ACTIVE):
        return str(NOT_SUSPENDABLE)
    return None


def refuse_resume(status: str) -> str | None:
    if status != Status.SUSPENDED:
        return str(NOT_SUSPENDED)
    return None


def refuse_terminate(status: str) -> str | None:
    if status == Status.TERMINATED:
        return str(NOT_LIVE)
    return None


def refuse_upgrade(stage: str, status: str, kind: str) -> str | None:
    if status == Status.TERMINATED:
        return str(NOT_LIVE)
    if kind != Kind.FRIENDSHIP or stage != Stage.ACTIVE or status != Status.ACTIVE:
        return str(NOT_UPGRADABLE)
    return None


def refuse_request(
    action: str, *, stage: str, status: str, kind: str, to_stage: str | None = None
) -> str | None:
    """The refusal of a requested move (RequestAction code) in this state, or None.
    Checked when the request is made and again when it is approved."""
    if action == RequestAction.ADVANCE:
        return refuse_advance(stage, status)
    if action == RequestAction.UPGRADE:
        return refuse_upgrade(stage, status, kind)
    if action == RequestAction.REOPEN:
        return refuse_reopen(stage, status, to_stage or "")
    if action == RequestAction.SUSPEND:
        return refuse_suspend(status)
    if action == RequestAction.RESUME:
        return refuse_resume(status)
    if action == RequestAction.TERMINATE:
        return refuse_terminate(status)
    raise ValueError(f"Unknown request action: {action!r}")


def status_for(stage: str) -> str:
    """The status of a live, unsuspended agreement in `stage`."""
    return Status.ACTIVE if stage == Stage.ACTIVE else Status.IN_PROGRESS


def allowed_actions(
    *,
    stage: str,
    status: str,
    kind: str,
    user_id: int | None,
    can_edit: bool,
    can_decide: bool,
    pending_request: StageRequest | None,
) -> set[str]:
    """What a user may do to an agreement now (the buttons a page shows), from the
    agreement's `stage`, `status` and `kind`, the user's permissions on it
    (`permissions.can_edit_agreement`, `permissions.can_decide`) and its pending
    StageRequest (None: no request is pending; only its requester is looked at):

    `edit`, `freeze`, `request_<action>` for each RequestAction the workflow allows
    now (an editor; none while a request is pending), `withdraw` (the pending
    request's requester), `approve` and `reject` (a decider who is not the
    requester: four eyes).
    """
    pending = pending_request is not None
    requester_id = pending_request.requested_by_id if pending else None
    actions: set[str] = set()
    if can_edit and status != Status.TERMINATED:
        actions.add("edit")
        if not pending:
            for action in RequestAction.values:
                # A reopen is possible when some earlier stage is: try the first.
                probe = STAGES[0] if action == RequestAction.REOPEN else None
                refusal = refuse_request(
                    action, stage=stage, status=status, kind=kind, to_stage=probe
                )
                if refusal is None:
                    actions.add(f"request_{action}")
        elif requester_id == user_id:
            actions.add("withdraw")
        if stage == Stage.SIGNING or stage == Stage.ACTIVE:
            actions.add("freeze")
    if pending and requester_id != user_id and can_decide:
        actions.update({"approve", "reject"})
    return actions
