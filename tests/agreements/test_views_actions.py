"""Workflow actions through the page: POST only, the access ladder, four eyes,
refused gates that show what is missing and change nothing, reasons."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from agreements import services, workflow
from agreements.models import Agreement, StageRequest
from agreements.selectors.gates import gate_missing
from tests.factories import ContactFactory, MemorandumFactory
from tests.workflow_helpers import agreement_at, db_state, fulfil_gate

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def ready(personas):
    """An agreement at the contact stage whose gate is met."""
    agreement = agreement_at("contact", home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    return agreement


@pytest.fixture
def pending(personas, ready):
    return services.request_advance(agreement=ready, by=personas.officer, note="Please")


def action_url(name: str, agreement, stage_request=None) -> str:
    if stage_request is not None:
        return reverse(f"agreements:{name}", args=[agreement.pk, stage_request.pk])
    return reverse(f"agreements:{name}", args=[agreement.pk])


def detail(agreement) -> str:
    return reverse("agreements:detail", args=[agreement.pk])


# --- The ladder for every action -------------------------------------------------------------------

AGREEMENT_ACTIONS = {
    "request-advance": {"advance-note": "Ready"},
    "request-upgrade": {"upgrade-note": "Ten years"},
    "request-reopen": {"reopen-to_stage": "contact", "reopen-note": "Redo"},
    "request-suspend": {"suspend-note": "Paused"},
    "request-resume": {"resume-note": "Back"},
    "request-terminate": {"terminate-note": "Ended"},
}
REQUEST_ACTIONS = ["approve", "reject", "withdraw"]


def _all_actions(agreement, stage_request):
    for name, data in AGREEMENT_ACTIONS.items():
        yield name, action_url(name, agreement), data
    for name in REQUEST_ACTIONS:
        yield name, action_url(name, agreement, stage_request), {}
    memorandum = MemorandumFactory(agreement=agreement)
    yield (
        "memorandum-freeze",
        reverse("agreements:memorandum-freeze", args=[agreement.pk, memorandum.pk]),
        {},
    )


def test_get_is_not_allowed_on_any_action(client, personas, pending):
    client.force_login(personas.approver)
    for name, target, _data in _all_actions(pending.agreement, pending):
        assert client.get(target).status_code == 405, name


def test_anonymous_is_sent_to_login(client, pending):
    for name, target, data in _all_actions(pending.agreement, pending):
        response = client.post(target, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_outsider_gets_404_and_nothing_changes(client, personas, pending):
    client.force_login(personas.isfahan_approver)
    before = db_state()
    for name, target, data in _all_actions(pending.agreement, pending):
        assert client.post(target, data).status_code == 404, name
    after = db_state()
    # The memoranda made by _all_actions are the only difference.
    before.pop("agreements.Memorandum"), after.pop("agreements.Memorandum")
    before.pop("agreements.HistoricalMemorandum"), after.pop("agreements.HistoricalMemorandum")
    for parts in ("agreements.MemorandumOfficial", "agreements.HistoricalMemorandumOfficial"):
        before.pop(parts), after.pop(parts)  # ...and their officials present
    assert after == before


def test_viewer_gets_403_on_every_action(client, personas, pending):
    client.force_login(personas.viewer)
    for name, target, data in _all_actions(pending.agreement, pending):
        assert client.post(target, data).status_code == 403, name
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_officer_gets_403_on_decisions(client, personas, pending):
    other = services.withdraw_stage_request(stage_request=pending, by=personas.officer)
    stage_request = services.request_advance(
        agreement=other.agreement, by=personas.approver, note="Ready for the next stage"
    )
    client.force_login(personas.officer)
    agreement = stage_request.agreement
    assert client.post(action_url("approve", agreement, stage_request)).status_code == 403
    assert client.post(action_url("reject", agreement, stage_request)).status_code == 403
    stage_request.refresh_from_db()
    assert stage_request.state == "pending"


def test_request_of_another_agreement_is_not_found(client, personas, pending):
    other = agreement_at("contact", home_city=personas.tehran)
    client.force_login(personas.approver)
    response = client.post(action_url("approve", other, pending))
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.state == "pending"


# --- Requests and decisions --------------------------------------------------------------------------


def test_officer_requests_the_next_stage(client, personas, ready):
    client.force_login(personas.officer)
    response = client.post(
        action_url("request-advance", ready), {"advance-note": "Mayors met in May"}
    )
    assert response.status_code == 302
    assert response["Location"] == detail(ready)
    stage_request = StageRequest.objects.get(agreement=ready)
    assert stage_request.state == "pending"
    assert stage_request.to_stage == "goals"
    assert stage_request.note == "Mayors met in May"
    assert stage_request.requested_by == personas.officer


def test_refused_gate_shows_the_missing_items_and_changes_nothing(english, personas):
    agreement = agreement_at("goals", home_city=personas.tehran)
    english.force_login(personas.officer)
    before = db_state()
    response = english.post(action_url("request-advance", agreement), {"advance-note": "Ready"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="action-error"' in html
    missing = gate_missing(agreement)
    assert str(workflow.MISSING_COUNCIL) in missing
    for message in missing:
        assert escape(message) in html
    assert db_state() == before


def test_requester_cannot_approve_own_request(english, personas, ready):
    stage_request = services.request_advance(
        agreement=ready, by=personas.approver, note="Ready for the next stage"
    )
    english.force_login(personas.approver)
    # The page offers no approve button for one's own request...
    page = english.get(detail(ready)).content.decode()
    assert action_url("approve", ready, stage_request) not in page
    # ...and posting anyway is refused with the four-eyes message.
    before = db_state()
    response = english.post(action_url("approve", ready, stage_request))
    assert response.status_code == 403
    assert str(services.OWN_REQUEST) in response.content.decode()
    assert english.post(action_url("reject", ready, stage_request)).status_code == 403
    assert db_state() == before


def test_another_approver_approves(client, personas, pending):
    client.force_login(personas.approver)
    response = client.post(
        action_url("approve", pending.agreement, pending), {"decision-note": "Well prepared"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "approved"
    assert pending.decided_by == personas.approver
    assert pending.decision_note == "Well prepared"
    assert Agreement.objects.get(pk=pending.agreement_id).stage == "goals"


def test_approver_rejects_with_a_note(client, personas, pending):
    client.force_login(personas.approver)
    response = client.post(
        action_url("reject", pending.agreement, pending), {"decision-note": "Minutes missing"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "rejected"
    assert pending.decision_note == "Minutes missing"
    assert Agreement.objects.get(pk=pending.agreement_id).stage == "contact"


def test_deciding_twice_is_a_conflict(client, personas, pending):
    services.reject_stage_request(stage_request=pending, by=personas.approver2, note="Not yet")
    client.force_login(personas.approver)
    response = client.post(action_url("approve", pending.agreement, pending))
    assert response.status_code == 409
    assert str(services.ALREADY_DECIDED) in response.content.decode()
    assert Agreement.objects.get(pk=pending.agreement_id).stage == "contact"


def test_requester_withdraws(client, personas, pending):
    client.force_login(personas.officer)
    response = client.post(action_url("withdraw", pending.agreement, pending))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "withdrawn"


def test_approval_from_the_queue_returns_to_the_queue(client, personas, pending):
    client.force_login(personas.approver)
    response = client.post(
        action_url("approve", pending.agreement, pending), {"next": reverse("agreements:approvals")}
    )
    assert response["Location"] == reverse("agreements:approvals")


def test_next_to_another_site_is_ignored(client, personas, pending):
    client.force_login(personas.approver)
    response = client.post(
        action_url("approve", pending.agreement, pending), {"next": "https://evil.example/"}
    )
    assert response["Location"] == detail(pending.agreement)


# --- Reopen, suspend, resume, terminate: requests too ----------------------------------------------


def _pending_of(agreement) -> StageRequest:
    return StageRequest.objects.get(agreement=agreement, state="pending")


def test_reopen_at_an_earlier_stage_is_asked_and_approved(client, personas):
    agreement = agreement_at("legal", home_city=personas.tehran)
    client.force_login(personas.officer)
    response = client.post(
        action_url("request-reopen", agreement),
        {"reopen-to_stage": "goals", "reopen-note": "Council asked for new goals"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.stage == "legal"  # nothing moves before the decision
    stage_request = _pending_of(agreement)
    assert (stage_request.action, stage_request.to_stage) == ("reopen", "goals")
    client.force_login(personas.approver)
    response = client.post(action_url("approve", agreement, stage_request))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.stage == "goals"
    assert "Council asked for new goals" in agreement.history.first().history_change_reason


def test_reopen_offers_only_earlier_stages(client, personas):
    agreement = agreement_at("legal", home_city=personas.tehran)
    client.force_login(personas.approver)
    before = db_state()
    response = client.post(
        action_url("request-reopen", agreement), {"reopen-to_stage": "active", "reopen-note": "x"}
    )
    assert response.status_code == 400
    assert db_state() == before


@pytest.mark.parametrize("name", ["advance", "suspend", "terminate", "reopen"])
def test_a_reason_is_required(english, personas, name):
    agreement = agreement_at("legal", home_city=personas.tehran)
    fulfil_gate(agreement)
    english.force_login(personas.officer)
    before = db_state()
    url = action_url(f"request-{name}", agreement)
    response = english.post(url, {f"{name}-note": "   ", f"{name}-to_stage": "goals"})
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(str(services.REQUEST_REASON_REQUIRED)) in html
    # The form with the error is on the page.
    assert f'action="{url}"' in html
    assert db_state() == before


def test_suspend_then_resume_then_terminate(client, personas):
    agreement = agreement_at("legal", home_city=personas.tehran)

    def ask_and_approve(name):
        client.force_login(personas.officer)
        response = client.post(action_url(f"request-{name}", agreement), {f"{name}-note": name})
        assert response.status_code == 302, name
        client.force_login(personas.approver)
        response = client.post(action_url("approve", agreement, _pending_of(agreement)))
        assert response.status_code == 302, name
        agreement.refresh_from_db()

    ask_and_approve("suspend")
    assert agreement.status == "suspended"
    page = client.get(detail(agreement)).content.decode()
    assert action_url("request-resume", agreement) in page
    assert action_url("request-suspend", agreement) not in page
    ask_and_approve("resume")
    assert agreement.status == "in_progress"
    ask_and_approve("terminate")
    assert agreement.status == "terminated"
    # A terminated agreement offers no edit controls and no further request.
    client.force_login(personas.officer)
    page = client.get(detail(agreement))
    assert "edit" not in page.context["actions"]
    assert not any(name.startswith("request_") for name in page.context["actions"])


def test_resume_of_an_unsuspended_agreement_is_refused(client, personas):
    agreement = agreement_at("legal", home_city=personas.tehran)
    client.force_login(personas.approver)
    response = client.post(action_url("request-resume", agreement), {"resume-note": "x"})
    assert response.status_code == 409
    agreement.refresh_from_db()
    assert agreement.status == "in_progress"
    assert not StageRequest.objects.filter(agreement=agreement).exists()


def test_upgrade_request_for_an_active_friendship(client, personas):
    agreement = agreement_at("active", home_city=personas.tehran, kind="friendship")
    client.force_login(personas.officer)
    response = client.post(action_url("request-upgrade", agreement), {"upgrade-note": "Ten years"})
    assert response.status_code == 302
    stage_request = StageRequest.objects.get(agreement=agreement)
    assert stage_request.action == "upgrade"


def test_freeze_with_details_missing_is_refused(english, personas):
    agreement = agreement_at("signing", home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=agreement, signed_on=None)
    english.force_login(personas.officer)
    response = english.post(
        reverse("agreements:memorandum-freeze", args=[agreement.pk, memorandum.pk])
    )
    assert response.status_code == 409
    assert str(services.FREEZE_INCOMPLETE) in response.content.decode()
    memorandum.refresh_from_db()
    assert not memorandum.is_frozen
