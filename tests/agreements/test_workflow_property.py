"""Random sequences of actions by random personas (hypothesis, stateful).

Whatever happens: no stage is ever skipped, no requester decides their own
request, nothing moves without a request approved by a second person, no request
or rejection goes without a reason, no outsider or read-only persona changes
anything, and every move leaves a history entry and an approved StageRequest.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from agreements import services, workflow
from agreements.models import (
    Agreement,
    Kind,
    RequestAction,
    RequestState,
    Stage,
    StageRequest,
    Status,
)
from agreements.permissions import Forbidden, forget_roles
from tests.factories import AgreementFactory
from tests.workflow_helpers import db_state, fulfil_gate

pytestmark = pytest.mark.django_db

# Insiders appear more often than outsiders so that long lifecycles happen.
PERSONAS = ["officer", "approver", "approver2"] * 4 + [
    "viewer",
    "isfahan_officer",
    "isfahan_approver",
    "outsider",
    "admin",
]
CAN_EDIT = {"officer", "approver", "approver2"}
CAN_DECIDE = {"approver", "approver2"}
EXPECTED = (services.WorkflowError, Forbidden, ValidationError)
# Advances most often, so that later stages are reached; a termination (which ends
# the lifecycle) least.
ACTIONS = (
    [RequestAction.ADVANCE] * 6
    + [RequestAction.REOPEN, RequestAction.SUSPEND, RequestAction.RESUME] * 2
    + [RequestAction.UPGRADE, RequestAction.TERMINATE]
)
# A reason in most calls, a blank one in some.
NOTES = ["", "  "] + ["Agreed in the council"] * 4


def test_random_action_sequences_keep_the_rules(personas):
    class Lifecycle(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.agreement = AgreementFactory(home_city=personas.tehran, kind=Kind.FRIENDSHIP)
            self.stage = Stage.CONTACT
            self.status = Status.IN_PROGRESS
            self.kind = Kind.FRIENDSHIP
            self.moves = 0  # approved requests, each one move
            self.history = self.agreement.history.count()

        def user(self, name):
            user = getattr(personas, name)
            forget_roles(user)
            return user

        def pending(self):
            return StageRequest.objects.filter(
                agreement=self.agreement, state=RequestState.PENDING
            ).first()

        @rule()
        def log_what_the_gate_needs(self):
            if self.status != Status.TERMINATED:
                fulfil_gate(Agreement.objects.get(pk=self.agreement.pk))
                self.history = self.agreement.history.count()

        @rule(
            name=st.sampled_from(PERSONAS),
            action=st.sampled_from(ACTIONS),
            note=st.sampled_from(NOTES),
            to=st.sampled_from(Stage.values),
            odd=st.sampled_from([False] * 6 + [True]),
        )
        def request(self, name, action, note, to, odd):
            # A stage for a reopen and none for the rest, but now and then the reverse.
            if (action == RequestAction.REOPEN) == odd:
                to = None
            before = db_state()
            had_pending = self.pending() is not None
            try:
                made = services.make_request(
                    agreement=self.agreement,
                    by=self.user(name),
                    action=action,
                    note=note,
                    to_stage=to,
                )
            except EXPECTED:
                assert db_state() == before
                return
            assert name in CAN_EDIT, f"{name} made a request"
            assert note.strip(), "a request without a reason"
            assert not had_pending, "a second pending request"
            assert (action == RequestAction.REOPEN) == (to is not None)
            assert made.from_stage == self.stage
            # Nothing moves until someone else approves.
            assert Agreement.objects.get(pk=self.agreement.pk).status == self.status

        @precondition(lambda self: self.pending() is not None)
        @rule(
            name=st.sampled_from(PERSONAS),
            how=st.sampled_from(["approve"] * 3 + ["reject", "withdraw"]),
            note=st.sampled_from(NOTES),
        )
        def decide(self, name, how, note):
            pending = self.pending()
            before = db_state()
            function = {
                "approve": services.approve_stage_request,
                "reject": services.reject_stage_request,
                "withdraw": services.withdraw_stage_request,
            }[how]
            try:
                function(stage_request=pending, by=self.user(name), note=note)
            except EXPECTED:
                assert db_state() == before
                return
            if how == "withdraw":
                assert pending.requested_by.username == name, "withdrawn by someone else"
                return
            assert name in CAN_DECIDE, f"{name} decided"
            assert pending.requested_by.username != name, "requester decided own request"
            if how == "reject":
                assert note.strip(), "a rejection without a reason"
                return
            self.moves += 1
            self.history += 1
            action = pending.action
            if action == RequestAction.ADVANCE:
                self.stage = workflow.next_stage(self.stage)
                self.status = workflow.status_for(self.stage)
            elif action == RequestAction.REOPEN:
                assert Stage.values.index(pending.to_stage) < Stage.values.index(self.stage)
                self.stage, self.status = pending.to_stage, workflow.status_for(pending.to_stage)
            elif action == RequestAction.UPGRADE:
                self.kind = Kind.SISTER
            else:
                self.status = {
                    RequestAction.SUSPEND: Status.SUSPENDED,
                    RequestAction.RESUME: workflow.status_for(self.stage),
                    RequestAction.TERMINATE: Status.TERMINATED,
                }[action]

        @invariant()
        def stage_status_and_kind_as_expected(self):
            agreement = Agreement.objects.get(pk=self.agreement.pk)
            assert (agreement.stage, agreement.status, agreement.kind) == (
                self.stage,
                self.status,
                self.kind,
            )

        @invariant()
        def every_move_has_history_and_an_approved_request(self):
            approved = StageRequest.objects.filter(
                agreement=self.agreement, state=RequestState.APPROVED
            )
            assert approved.count() == self.moves
            for request in approved:
                assert request.decided_by_id != request.requested_by_id
                assert request.note.strip()
                if request.action == RequestAction.ADVANCE:
                    assert (
                        Stage.values.index(request.to_stage)
                        == Stage.values.index(request.from_stage) + 1
                    )
            for request in StageRequest.objects.filter(
                agreement=self.agreement, state=RequestState.REJECTED
            ):
                assert request.decision_note.strip()
            assert self.agreement.history.count() == self.history

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=40,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
