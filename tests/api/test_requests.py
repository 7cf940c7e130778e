"""Four eyes through the API (APIClient with tokens): POST /agreements/{id}/requests/
for every consequential move, and /stage-requests/{id}/approve|reject|withdraw/."""

from __future__ import annotations

import pytest

from agreements.models import Agreement, StageRequest, Status
from tests.api.problems import field_messages, problem
from tests.factories import ContactFactory
from tests.workflow_helpers import agreement_at, db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for):
    """The API clients in English (the language cookie), so that messages read as in code."""

    def make(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client

    return make


def _ready_to_advance(personas) -> Agreement:
    agreement = agreement_at("contact", home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    return agreement


def _suspended(personas) -> Agreement:
    agreement = agreement_at("legal", home_city=personas.tehran)
    agreement.status = Status.SUSPENDED  # test set-up only
    agreement.save()
    return agreement


def _at_legal(personas) -> Agreement:
    return agreement_at("legal", home_city=personas.tehran)


# action: (an agreement where it is possible, extra body, did it happen, from → to)
MOVES = {
    "advance": (_ready_to_advance, {}, lambda a: a.stage == "goals", ("contact", "goals")),
    "upgrade": (
        lambda p: agreement_at("active", home_city=p.tehran, kind="friendship"),
        {},
        lambda a: a.kind == "sister",
        ("active", "active"),
    ),
    "reopen": (
        _at_legal,
        {"to_stage": "goals"},
        lambda a: a.stage == "goals" and a.status == "in_progress",
        ("legal", "goals"),
    ),
    "suspend": (_at_legal, {}, lambda a: a.status == "suspended", ("legal", "legal")),
    "resume": (_suspended, {}, lambda a: a.status == "in_progress", ("legal", "legal")),
    "terminate": (_at_legal, {}, lambda a: a.status == "terminated", ("legal", "legal")),
}


def requests_url(agreement) -> str:
    return f"/api/v1/agreements/{agreement.pk}/requests/"


def decision_url(stage_request_id: int, name: str) -> str:
    return f"/api/v1/stage-requests/{stage_request_id}/{name}/"


def agreement_row(agreement) -> tuple[dict, int]:
    return (
        Agreement.objects.filter(pk=agreement.pk).values().get(),
        Agreement.history.filter(id=agreement.pk).count(),
    )


def ask(client_for, personas, action: str, who: str = "approver") -> tuple[Agreement, dict]:
    build, extra, _done, _stages = MOVES[action]
    agreement = build(personas)
    response = client_for(getattr(personas, who)).post(
        requests_url(agreement), {"action": action, "note": f"Why {action}", **extra}, format="json"
    )
    assert response.status_code == 201, response.json()
    return agreement, response.json()


@pytest.mark.parametrize("action", list(MOVES))
def test_request_is_created_pending(personas, client_for, action):
    agreement, body = ask(client_for, personas, action, who="officer")
    assert body["action"] == action and body["state"] == "pending"
    assert (body["from_stage"], body["to_stage"]) == MOVES[action][3]
    assert body["requested_by"] == "officer" and body["note"] == f"Why {action}"
    assert body["agreement"] == agreement.pk and body["decided_by"] is None
    assert not MOVES[action][2](Agreement.objects.get(pk=agreement.pk))


@pytest.mark.parametrize("action", list(MOVES))
def test_requester_cannot_approve_own_request(personas, client_for, action):
    agreement, body = ask(client_for, personas, action)
    api = client_for(personas.approver)
    before, state = agreement_row(agreement), db_state()
    assert api.post(decision_url(body["id"], "approve"), {}, format="json").status_code == 403
    response = api.post(decision_url(body["id"], "reject"), {"note": "Mine"}, format="json")
    assert response.status_code == 403
    assert "four-eyes" in response.json()["detail"]
    assert agreement_row(agreement) == before
    assert db_state() == state


@pytest.mark.parametrize("action", list(MOVES))
def test_approver_of_another_municipality_gets_404(personas, client_for, action):
    agreement, body = ask(client_for, personas, action)
    api = client_for(personas.isfahan_approver)
    before = agreement_row(agreement)
    for name in ("approve", "reject", "withdraw"):
        response = api.post(decision_url(body["id"], name), {"note": "No"}, format="json")
        assert response.status_code == 404, name
    assert agreement_row(agreement) == before


@pytest.mark.parametrize("action", list(MOVES))
def test_second_approver_approves_and_the_move_happens(personas, client_for, action):
    agreement, body = ask(client_for, personas, action)
    history = agreement_row(agreement)[1]
    response = client_for(personas.approver2).post(
        decision_url(body["id"], "approve"), {"note": "Agreed"}, format="json"
    )
    assert response.status_code == 200, response.json()
    decided = response.json()
    assert (decided["state"], decided["decided_by"], decided["decision_note"]) == (
        "approved",
        "approver2",
        "Agreed",
    )
    agreement.refresh_from_db()
    assert MOVES[action][2](agreement)
    assert agreement_row(agreement)[1] == history + 1


@pytest.mark.parametrize("action", list(MOVES))
def test_reject_without_a_reason_is_400_and_changes_nothing(personas, client_for, action):
    agreement, body = ask(client_for, personas, action)
    api = client_for(personas.approver2)
    before, state = agreement_row(agreement), db_state()
    for data in ({}, {"note": ""}, {"note": "  "}):
        response = api.post(decision_url(body["id"], "reject"), data, format="json")
        assert response.status_code == 400, data
        assert field_messages(response) == {"note": ["Give the reason for rejecting this request."]}
    assert agreement_row(agreement) == before
    assert db_state() == state
    response = api.post(decision_url(body["id"], "reject"), {"note": "Not now"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert agreement_row(agreement)[0] == before[0]


@pytest.mark.parametrize("action", list(MOVES))
def test_request_without_a_reason_is_400(personas, client_for, action):
    build, extra, _done, _stages = MOVES[action]
    agreement = build(personas)
    before = db_state()
    for note in ({}, {"note": ""}, {"note": "   "}):
        response = client_for(personas.officer).post(
            requests_url(agreement), {"action": action, **note, **extra}, format="json"
        )
        assert response.status_code == 400
        assert field_messages(response) == {"note": ["Give the reason for this request."]}
    assert db_state() == before


@pytest.mark.parametrize("action", list(MOVES))
def test_viewer_and_outsider_cannot_request(personas, client_for, action):
    build, extra, _done, _stages = MOVES[action]
    agreement = build(personas)
    data = {"action": action, "note": "x", **extra}
    before = db_state()
    viewer = client_for(personas.viewer).post(requests_url(agreement), data, format="json")
    assert viewer.status_code == 403
    isfahan = client_for(personas.isfahan_officer).post(
        requests_url(agreement), data, format="json"
    )
    assert isfahan.status_code == 404
    assert db_state() == before


@pytest.mark.parametrize("to_stage", ["legal", "signing", "active"])
def test_reopen_at_the_same_or_a_later_stage_is_refused(personas, client_for, to_stage):
    agreement = _at_legal(personas)
    before = db_state()
    response = client_for(personas.officer).post(
        requests_url(agreement),
        {"action": "reopen", "note": "Again", "to_stage": to_stage},
        format="json",
    )
    body = problem(response, 409, "move_not_allowed")
    assert body["detail"] == "An agreement can only be reopened at an earlier stage."
    assert "missing" not in body
    assert db_state() == before


def test_reopen_needs_its_stage_and_only_a_reopen_names_one(personas, client_for):
    agreement = _at_legal(personas)
    api = client_for(personas.officer)
    before = db_state()
    for data in (
        {"action": "reopen", "note": "x"},
        {"action": "reopen", "note": "x", "to_stage": ""},
    ):
        response = api.post(requests_url(agreement), data, format="json")
        assert response.status_code == 400
        assert list(field_messages(response)) == ["to_stage"]
    response = api.post(
        requests_url(agreement),
        {"action": "suspend", "note": "x", "to_stage": "goals"},
        format="json",
    )
    assert list(field_messages(response)) == ["to_stage"]
    for data in (
        {"action": "reopen", "note": "x", "to_stage": "nowhere"},
        {"action": "delete", "note": "x"},
        {"note": "x"},
    ):
        assert api.post(requests_url(agreement), data, format="json").status_code == 400, data
    assert db_state() == before


def test_advance_request_with_an_unmet_gate_is_409_with_missing(personas, client_for):
    agreement = agreement_at("contact", home_city=personas.tehran)
    response = client_for(personas.officer).post(
        requests_url(agreement), {"action": "advance", "note": "Go"}, format="json"
    )
    assert response.status_code == 409 and response.json()["missing"]


def test_a_move_the_state_does_not_allow_is_409(personas, client_for):
    agreement = _at_legal(personas)
    for action in ("resume", "upgrade"):
        response = client_for(personas.officer).post(
            requests_url(agreement), {"action": action, "note": "x"}, format="json"
        )
        assert response.status_code == 409, action
    assert not StageRequest.objects.exists()


def test_one_pending_request_at_a_time(personas, client_for):
    agreement, _body = ask(client_for, personas, "suspend")
    response = client_for(personas.officer).post(
        requests_url(agreement), {"action": "terminate", "note": "x"}, format="json"
    )
    assert response.status_code == 409
    assert StageRequest.objects.filter(agreement=agreement).count() == 1


def test_withdraw_by_the_requester_only(personas, client_for):
    agreement, body = ask(client_for, personas, "terminate", who="officer")
    for who in ("approver", "viewer"):
        response = client_for(getattr(personas, who)).post(
            decision_url(body["id"], "withdraw"), {}, format="json"
        )
        assert response.status_code == 403, who
    response = client_for(personas.officer).post(
        decision_url(body["id"], "withdraw"), {"note": "Settled"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    agreement.refresh_from_db()
    assert agreement.status == "in_progress"
    again = client_for(personas.officer).post(decision_url(body["id"], "withdraw"), format="json")
    assert again.status_code == 409


def test_approval_checks_the_move_again(personas, client_for):
    """Requested while possible; by approval time the state no longer allows it."""
    agreement, body = ask(client_for, personas, "suspend")
    agreement.status = Status.TERMINATED  # test set-up only: as if terminated meanwhile
    agreement.save()
    before = agreement_row(agreement)
    response = client_for(personas.approver2).post(
        decision_url(body["id"], "approve"), {}, format="json"
    )
    assert response.status_code == 409
    assert agreement_row(agreement) == before
    assert StageRequest.objects.get(pk=body["id"]).state == "pending"


def test_post_only_urls_answer_get_with_405(personas, client_for):
    agreement, body = ask(client_for, personas, "suspend")
    api = client_for(personas.approver2)
    assert api.get(requests_url(agreement)).status_code == 405
    for name in ("approve", "reject", "withdraw"):
        assert api.get(decision_url(body["id"], name)).status_code == 405, name


def test_no_endpoint_moves_an_agreement_at_once(personas, client_for):
    agreement = _at_legal(personas)
    api = client_for(personas.approver)
    for name in ("reopen", "suspend", "resume", "terminate"):
        response = api.post(
            f"/api/v1/agreements/{agreement.pk}/{name}/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 404, name
    agreement.refresh_from_db()
    assert agreement.status == "in_progress" and agreement.stage == "legal"


def test_allowed_actions_name_the_requests(personas, client_for):
    agreement = _at_legal(personas)
    body = client_for(personas.officer).get(f"/api/v1/agreements/{agreement.pk}/").json()
    assert {"request_reopen", "request_suspend", "request_terminate"} <= set(
        body["allowed_actions"]
    )
    assert "request_resume" not in body["allowed_actions"]
    _agreement, stage_request = ask(client_for, personas, "terminate", who="officer")
    decider = client_for(personas.approver).get(f"/api/v1/agreements/{_agreement.pk}/").json()
    assert {"approve", "reject"} <= set(decider["allowed_actions"])
    requester = client_for(personas.officer).get(f"/api/v1/agreements/{_agreement.pk}/").json()
    assert "withdraw" in requester["allowed_actions"]
    assert "approve" not in requester["allowed_actions"]


def test_schema_documents_the_request_endpoints(client_for):
    schema = client_for(None).get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/v1/agreements/{id}/requests/"]["post"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(create["responses"])
    for name in ("approve", "reject", "withdraw"):
        assert f"/api/v1/stage-requests/{{id}}/{name}/" in schema["paths"]
    body = schema["components"]["schemas"]["StageRequestCreateRequest"]
    assert set(body["required"]) == {"action", "note"}
    assert set(body["properties"]) == {"action", "note", "to_stage"}
