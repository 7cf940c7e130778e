"""Random sequences of actions by random personas (hypothesis, stateful).

Whatever happens: no stage is ever skipped, no requester decides their own
request, no outsider or read-only persona changes anything, and every
transition leaves a history entry and an approved StageRequest.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from agreements import services, workflow
from agreements.models import Agreement, RequestAction, RequestState, Stage, StageRequest, Status
from agreements.permissions import Forbidden, forget_roles
from tests.factories import AgreementFactory
from tests.workflow_helpers import db_state, fulfil_gate

pytestmark = pytest.mark.django_db

# Insiders appear more often than outsiders so that long lifecycles happen.
PERSONAS = ["officer", "approver", "approver2"] * 3 + [
    "viewer",
    "isfahan_officer",
    "isfahan_approver",
    "outsider",
    "admin",
]
CAN_EDIT = {"officer", "approver", "approver2"}
CAN_DECIDE = {"approver", "approver2"}
EXPECTED = (services.WorkflowError, Forbidden)


def test_random_action_sequences_keep_the_rules(personas):
    class Lifecycle(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.agreement = AgreementFactory(home_city=personas.tehran)
            self.stage = Stage.CONTACT
            self.status = Status.IN_PROGRESS
            self.transitions = 0  # forward moves through approved advance requests
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

        @rule(name=st.sampled_from(PERSONAS))
        def request_advance(self, name):
            before = db_state()
            try:
                services.request_advance(agreement=self.agreement, by=self.user(name), note="")
            except EXPECTED:
                assert db_state() == before
                return
            assert name in CAN_EDIT

        @rule(name=st.sampled_from(PERSONAS), approve=st.booleans())
        def decide(self, name, approve):
            pending = self.pending()
            if pending is None:
                return
            before = db_state()
            function = services.approve_stage_request if approve else services.reject_stage_request
            try:
                function(stage_request=pending, by=self.user(name))
            except EXPECTED:
                assert db_state() == before
                return
            assert name in CAN_DECIDE, f"{name} decided"
            assert pending.requested_by.username != name, "requester decided own request"
            if approve and pending.action == RequestAction.ADVANCE:
                self.stage = workflow.next_stage(self.stage)
                self.status = workflow.status_for(self.stage)
                self.transitions += 1
                self.history += 1

        @rule(name=st.sampled_from(PERSONAS), to=st.sampled_from(Stage.values))
        def reopen(self, name, to):
            before = db_state()
            try:
                services.reopen(agreement=self.agreement, by=self.user(name), stage=to, reason="r")
            except EXPECTED:
                assert db_state() == before
                return
            assert name in CAN_DECIDE
            assert Stage.values.index(to) < Stage.values.index(self.stage)
            self.stage, self.status = to, workflow.status_for(to)
            self.history += 1

        @rule(
            name=st.sampled_from(PERSONAS),
            move=st.sampled_from(["suspend", "resume"] * 3 + ["terminate"]),
        )
        def approver_move(self, name, move):
            before = db_state()
            try:
                getattr(services, move)(agreement=self.agreement, by=self.user(name), reason="r")
            except EXPECTED:
                assert db_state() == before
                return
            assert name in CAN_DECIDE
            self.status = {
                "suspend": Status.SUSPENDED,
                "resume": workflow.status_for(self.stage),
                "terminate": Status.TERMINATED,
            }[move]
            self.history += 1

        @invariant()
        def stage_and_status_as_expected(self):
            agreement = Agreement.objects.get(pk=self.agreement.pk)
            assert agreement.stage == self.stage
            assert agreement.status == self.status

        @invariant()
        def every_transition_has_history_and_a_request(self):
            approved = StageRequest.objects.filter(
                agreement=self.agreement, state=RequestState.APPROVED, action=RequestAction.ADVANCE
            )
            assert approved.count() == self.transitions
            for request in approved:
                assert request.decided_by_id != request.requested_by_id
                assert (
                    Stage.values.index(request.to_stage)
                    == Stage.values.index(request.from_stage) + 1
                )
            assert self.agreement.history.count() == self.history

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
