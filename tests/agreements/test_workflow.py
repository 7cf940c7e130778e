"""The lifecycle as pure functions: no database."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agreements import workflow
from agreements.models import Authority, Direction, Kind, Stage, StageRequest, Status
from agreements.workflow import GateFacts


def test_stages_in_order():
    assert workflow.STAGES == ["contact", "goals", "legal", "signing", "delegations", "active"]
    assert workflow.next_stage("contact") == "goals"
    assert workflow.next_stage("active") is None
    assert workflow.previous_stages("legal") == ["contact", "goals"]


def test_contact_gate():
    assert workflow.missing(Stage.CONTACT, GateFacts()) == [str(workflow.MISSING_CONTACT)]
    assert workflow.missing(Stage.CONTACT, GateFacts(contacts=1)) == []


def test_goals_gate_names_each_missing_item():
    missing = workflow.missing(Stage.GOALS, GateFacts())
    assert missing == [
        str(workflow.MISSING_GOAL),
        str(workflow.MISSING_COMMONALITY),
        str(workflow.MISSING_COUNCIL),
    ]
    assert "city council's support is not recorded" in missing[2]
    done = GateFacts(goals_with_sector=1, commonalities=2, council_support=True)
    assert workflow.missing(Stage.GOALS, done) == []
    assert workflow.missing(Stage.GOALS, replace(done, council_support=False)) == [
        str(workflow.MISSING_COUNCIL)
    ]


def test_legal_gate_follows_the_required_authorities():
    facts = GateFacts(granted_authorities=frozenset({"home_council", "home_ministry"}))
    assert workflow.missing(Stage.LEGAL, facts) == [
        "The partner authority's approval is not granted."
    ]
    # An administrator configured only the home council as required.
    configured = replace(facts, required_authorities=("home_council",))
    assert workflow.missing(Stage.LEGAL, configured) == []
    assert workflow.missing(Stage.LEGAL, GateFacts(required_authorities=())) == []


def test_signing_gate():
    full = GateFacts(
        memorandum_exists=True,
        memorandum_frozen=True,
        memorandum_signed_on=True,
        memorandum_home_signatory=True,
        memorandum_partner_signatory=True,
        memorandum_home_officials=True,
        memorandum_partner_officials=True,
        signed_copy_uploaded=True,
    )
    assert workflow.missing(Stage.SIGNING, full) == []
    assert workflow.missing(Stage.SIGNING, replace(full, memorandum_frozen=False)) == [
        str(workflow.MISSING_MEMORANDUM_FROZEN)
    ]
    assert workflow.missing(Stage.SIGNING, replace(full, signed_copy_uploaded=False)) == [
        str(workflow.MISSING_SIGNED_COPY)
    ]
    # The paper's fifth condition: officials of both sides present, each side named.
    assert workflow.missing(Stage.SIGNING, replace(full, memorandum_partner_officials=False)) == [
        str(workflow.MISSING_PARTNER_OFFICIALS)
    ]
    assert workflow.missing(Stage.SIGNING, replace(full, memorandum_home_officials=False)) == [
        str(workflow.MISSING_HOME_OFFICIALS)
    ]
    assert len(workflow.missing(Stage.SIGNING, GateFacts())) == 7


def test_delegations_gate_one_or_each_way():
    assert workflow.missing(Stage.DELEGATIONS, GateFacts()) == [str(workflow.MISSING_DELEGATION)]
    one = GateFacts(completed_official_delegations=frozenset({"outgoing"}))
    assert workflow.missing(Stage.DELEGATIONS, one) == []
    each_way = replace(one, delegations_each_way=True)
    assert workflow.missing(Stage.DELEGATIONS, each_way) == [
        str(workflow.MISSING_DELEGATION_INCOMING)
    ]


def test_active_stage_has_no_gate():
    assert workflow.checklist(Stage.ACTIVE, GateFacts()) == []


def test_checklist_items_link_to_the_form_that_fixes_them():
    items = workflow.checklist(Stage.GOALS, GateFacts())
    assert [item.fix for item in items] == ["goals", "commonalities", "department-supports"]
    assert not any(item.done for item in items)


@pytest.mark.parametrize(
    ("stage", "status", "refused"),
    [
        ("contact", Status.IN_PROGRESS, False),
        ("delegations", Status.IN_PROGRESS, False),
        ("active", Status.ACTIVE, True),
        ("goals", Status.SUSPENDED, True),
        ("goals", Status.TERMINATED, True),
    ],
)
def test_advance_allowed_only_in_progress_before_active(stage, status, refused):
    assert bool(workflow.refuse_advance(stage, status)) is refused


def test_reopen_only_to_an_earlier_stage():
    assert workflow.refuse_reopen("legal", Status.IN_PROGRESS, "goals") is None
    assert workflow.refuse_reopen("legal", Status.IN_PROGRESS, "legal")
    assert workflow.refuse_reopen("legal", Status.IN_PROGRESS, "signing")
    assert workflow.refuse_reopen("legal", Status.IN_PROGRESS, "nonsense")
    assert workflow.refuse_reopen("legal", Status.TERMINATED, "contact")


def test_suspend_resume_terminate():
    assert workflow.refuse_suspend(Status.ACTIVE) is None
    assert workflow.refuse_suspend(Status.SUSPENDED)
    assert workflow.refuse_resume(Status.SUSPENDED) is None
    assert workflow.refuse_resume(Status.ACTIVE)
    assert workflow.refuse_terminate(Status.SUSPENDED) is None
    assert workflow.refuse_terminate(Status.TERMINATED)


def test_upgrade_only_active_friendship():
    assert workflow.refuse_upgrade("active", Status.ACTIVE, "friendship") is None
    assert workflow.refuse_upgrade("active", Status.ACTIVE, "sister")
    assert workflow.refuse_upgrade("signing", Status.IN_PROGRESS, "friendship")
    assert workflow.refuse_upgrade("active", Status.SUSPENDED, "friendship")


def test_status_follows_stage():
    assert workflow.status_for("active") == Status.ACTIVE
    assert workflow.status_for("legal") == Status.IN_PROGRESS


_facts = st.builds(
    GateFacts,
    contacts=st.integers(0, 2),
    goals_with_sector=st.integers(0, 2),
    commonalities=st.integers(0, 2),
    council_support=st.booleans(),
    granted_authorities=st.frozensets(st.sampled_from(Authority.values)),
    required_authorities=st.lists(st.sampled_from(Authority.values), unique=True).map(tuple),
    memorandum_exists=st.booleans(),
    memorandum_frozen=st.booleans(),
    memorandum_signed_on=st.booleans(),
    memorandum_home_signatory=st.booleans(),
    memorandum_partner_signatory=st.booleans(),
    signed_copy_uploaded=st.booleans(),
    completed_official_delegations=st.frozensets(st.sampled_from(Direction.values)),
    delegations_each_way=st.booleans(),
)


@given(stage=st.sampled_from(Stage.values), read=_facts, elsewhere=_facts)
def test_a_gate_looks_only_at_the_facts_read_for_its_stage(stage, read, elsewhere):
    """selectors.gates.collect_facts() reads GATE_READS[stage] only; whatever the
    other facts hold, the stage's checklist is the same."""
    kept = {name: getattr(read, name) for name in workflow.GATE_READS[stage]}
    assert workflow.checklist(stage, replace(elsewhere, **kept)) == workflow.checklist(stage, read)


def test_the_workflow_module_reads_no_database():
    """The lifecycle is data and pure functions: agreements/workflow.py imports nothing
    from django.db (its reads are agreements/selectors/gates.py's)."""
    tree = ast.parse(Path(workflow.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("django.db")], imported
    assert not [name for name in imported if "selectors" in name or "compiled" in name], imported


OFFICER, APPROVER, OTHER_APPROVER = 1, 2, 3


def actions(
    *,
    user_id=OFFICER,
    stage=Stage.LEGAL,
    status=Status.IN_PROGRESS,
    kind=Kind.FRIENDSHIP,
    can_edit=True,
    can_decide=False,
    requested_by=None,
):
    pending = None if requested_by is None else StageRequest(requested_by_id=requested_by)
    return workflow.allowed_actions(
        stage=stage,
        status=status,
        kind=kind,
        user_id=user_id,
        can_edit=can_edit,
        can_decide=can_decide,
        pending_request=pending,
    )


def test_an_editor_may_request_the_moves_the_state_allows():
    assert actions() == {
        "edit",
        "request_advance",
        "request_reopen",
        "request_suspend",
        "request_terminate",
    }
    assert actions(stage=Stage.CONTACT) == {
        "edit",
        "request_advance",
        "request_suspend",
        "request_terminate",
    }
    active = actions(stage=Stage.ACTIVE, status=Status.ACTIVE)
    assert {"freeze", "request_upgrade"} <= active and "request_advance" not in active
    assert "request_upgrade" not in actions(stage=Stage.ACTIVE, status=Status.ACTIVE, kind="sister")
    assert actions(status=Status.SUSPENDED) >= {"request_resume", "request_terminate"}


def test_a_pending_request_leaves_the_requester_withdraw_and_another_approver_the_decision():
    assert actions(requested_by=OFFICER) == {"edit", "withdraw"}
    assert actions(user_id=OTHER_APPROVER, can_decide=True, requested_by=OFFICER) == {
        "edit",
        "approve",
        "reject",
    }
    # Four eyes: an approver does not decide their own request.
    assert actions(user_id=APPROVER, can_decide=True, requested_by=APPROVER) == {
        "edit",
        "withdraw",
    }


def test_read_only_roles_and_terminated_agreements_get_no_buttons():
    assert actions(can_edit=False) == set()
    assert actions(can_edit=False, requested_by=APPROVER) == set()
    assert actions(status=Status.TERMINATED) == set()
