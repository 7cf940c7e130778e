"""Two approvers deciding the same request at the same moment, on two
connections: exactly one transition, one history entry and one clear refusal."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation

from agreements import services
from agreements.models import Agreement, RequestState, Stage, StageRequest
from tests.factories import AgreementFactory
from tests.workflow_helpers import fulfil_gate

pytestmark = pytest.mark.django_db(transaction=True)


def _race(functions):
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # the active language is per thread
                results[index] = function()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvers_at_once_yield_one_transition(personas, attempt):
    agreement = AgreementFactory(home_city=personas.tehran)
    fulfil_gate(agreement)
    request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    history_before = agreement.history.count()

    def approve(user):
        return lambda: services.approve_stage_request(
            stage_request=StageRequest.objects.get(pk=request.pk), by=user, note="go"
        )

    results = _race([approve(personas.approver), approve(personas.approver2)])

    successes = [r for r in results if isinstance(r, StageRequest)]
    refusals = [r for r in results if isinstance(r, services.Conflict)]
    assert len(successes) == 1, results
    assert len(refusals) == 1, results
    assert "already been decided" in refusals[0].message
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.stage == Stage.GOALS
    assert agreement.history.count() == history_before + 1
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED


def test_approve_and_reject_at_once_yield_one_decision(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    fulfil_gate(agreement)
    request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    results = _race(
        [
            lambda: services.approve_stage_request(stage_request=request, by=personas.approver),
            lambda: services.reject_stage_request(
                stage_request=request, by=personas.approver2, note="Not yet"
            ),
        ]
    )
    assert sum(isinstance(r, StageRequest) for r in results) == 1, results
    assert sum(isinstance(r, services.Conflict) for r in results) == 1, results
    request.refresh_from_db()
    agreement.refresh_from_db()
    assert (request.state == RequestState.APPROVED) == (agreement.stage == Stage.GOALS)


def test_two_approvers_approving_a_termination_at_once_yield_one(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    request = services.make_request(
        agreement=agreement, by=personas.officer, action="terminate", note="Partner withdrew"
    )
    history_before = agreement.history.count()
    results = _race(
        [
            lambda: services.approve_stage_request(stage_request=request, by=personas.approver),
            lambda: services.approve_stage_request(stage_request=request, by=personas.approver2),
        ]
    )
    assert sum(isinstance(r, StageRequest) for r in results) == 1, results
    assert sum(isinstance(r, services.Conflict) for r in results) == 1, results
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.status == "terminated"
    assert agreement.history.count() == history_before + 1


def test_approve_and_a_new_request_at_once_neither_deadlocks(personas):
    """A new request locks the agreement and then looks for a pending one; the
    approval locks both in one statement, the agreement first: whichever is first,
    the other waits and then sees its result (one pending request at most)."""
    agreement = AgreementFactory(home_city=personas.tehran)
    fulfil_gate(agreement)
    request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    results = _race(
        [
            lambda: services.approve_stage_request(stage_request=request, by=personas.approver),
            lambda: services.make_request(
                agreement=agreement, by=personas.approver2, action="suspend", note="audit"
            ),
        ]
    )
    approved, asked = results
    assert isinstance(approved, StageRequest), results
    request.refresh_from_db()
    agreement.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert agreement.stage == Stage.GOALS and agreement.status == "in_progress"
    if isinstance(asked, StageRequest):  # the approval went first
        assert asked.action == "suspend" and asked.from_stage == Stage.GOALS
        assert StageRequest.objects.get(state=RequestState.PENDING) == asked
    else:  # the advance was still pending
        assert isinstance(asked, services.Conflict), results
        assert not StageRequest.objects.filter(state=RequestState.PENDING).exists()
