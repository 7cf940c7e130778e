"""Workflow endpoints: advance, stage requests (approve, reject), freeze, the
memorandum PDF and the history."""

from __future__ import annotations

import pytest

from agreements.models import RequestState, Stage, StageRequest
from tests.api.problems import field_messages, problem
from tests.factories import AgreementFactory, MemorandumFactory
from tests.workflow_helpers import agreement_at, fulfil_gate

pytestmark = pytest.mark.django_db

REASON = {"note": "Ready for the next stage"}


def advance_url(agreement) -> str:
    return f"/api/v1/agreements/{agreement.pk}/advance/"


def request_url(stage_request, action: str = "") -> str:
    base = f"/api/v1/stage-requests/{stage_request.pk}/"
    return f"{base}{action}/" if action else base


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


# --- Advance -------------------------------------------------------------------------------


def test_advance_with_unmet_gate_is_409_with_missing(personas, agreement, client_for):
    api = client_for(personas.officer)
    api.cookies["django_language"] = "en"
    response = api.post(advance_url(agreement), {"note": "please"}, format="json")
    body = problem(response, 409, "gate_unmet")
    assert body["missing"] == [
        {
            "code": "contact",
            "message": "No contact between the mayors or their representatives is recorded "
            "(date and participants).",
            "fix": "contacts",
        }
    ]
    assert not StageRequest.objects.exists()


def test_advance_creates_a_pending_request(personas, agreement, client_for):
    fulfil_gate(agreement)
    response = client_for(personas.officer).post(
        advance_url(agreement), {"note": "Mayors met"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["from_stage"], body["to_stage"], body["state"]) == ("contact", "goals", "pending")
    assert body["requested_by"] == "officer" and body["note"] == "Mayors met"
    assert StageRequest.objects.get(pk=body["id"]).agreement == agreement
    agreement.refresh_from_db()
    assert agreement.stage == Stage.CONTACT  # only an approval moves it


def test_second_advance_while_pending_is_409(personas, agreement, client_for):
    fulfil_gate(agreement)
    api = client_for(personas.officer)
    assert api.post(advance_url(agreement), REASON, format="json").status_code == 201
    response = api.post(advance_url(agreement), REASON, format="json")
    assert "missing" not in problem(response, 409, "request_pending")


def test_viewer_cannot_advance(personas, agreement, client_for):
    fulfil_gate(agreement)
    response = client_for(personas.viewer).post(advance_url(agreement), REASON, format="json")
    assert response.status_code == 403
    assert not StageRequest.objects.exists()


def test_advance_outside_municipalities_is_404(personas, agreement, client_for):
    response = client_for(personas.isfahan_officer).post(
        advance_url(agreement), REASON, format="json"
    )
    assert response.status_code == 404


def test_advance_without_a_reason_is_400(personas, agreement, client_for):
    fulfil_gate(agreement)
    for body in ({}, {"note": ""}, {"note": "   "}):
        response = client_for(personas.officer).post(advance_url(agreement), body, format="json")
        assert response.status_code == 400
        assert list(field_messages(response)) == ["note"]
    assert not StageRequest.objects.exists()


def test_advance_is_post_only(personas, agreement, client_for):
    assert client_for(personas.officer).get(advance_url(agreement)).status_code == 405


def test_advance_note_too_long_is_400(personas, agreement, client_for):
    fulfil_gate(agreement)
    response = client_for(personas.officer).post(
        advance_url(agreement), {"note": "x" * 5000}, format="json"
    )
    assert "note" in field_messages(response)


# --- Stage requests ------------------------------------------------------------------------


@pytest.fixture
def pending(personas, agreement, client_for):
    fulfil_gate(agreement)
    response = client_for(personas.officer).post(advance_url(agreement), REASON, format="json")
    return StageRequest.objects.get(pk=response.json()["id"])


def test_pending_queue(personas, pending, client_for):
    other = AgreementFactory(home_city=personas.isfahan)
    fulfil_gate(other)
    client_for(personas.isfahan_officer).post(advance_url(other), REASON, format="json")
    body = client_for(personas.approver).get("/api/v1/stage-requests/", {"state": "pending"}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["id"] for row in body["results"]] == [pending.pk]
    assert body["results"][0]["agreement"] == pending.agreement_id


def test_stage_request_filters(personas, pending, client_for):
    api = client_for(personas.approver)
    assert api.get("/api/v1/stage-requests/", {"state": "approved"}).json()["count"] == 0
    assert api.get("/api/v1/stage-requests/", {"state": "later"}).status_code == 400
    by_agreement = api.get("/api/v1/stage-requests/", {"agreement": pending.agreement_id})
    assert by_agreement.json()["count"] == 1


def test_read_stage_request(personas, pending, client_for):
    assert client_for(personas.viewer).get(request_url(pending)).json()["state"] == "pending"
    assert client_for(personas.isfahan_approver).get(request_url(pending)).status_code == 404


def test_approve_moves_the_agreement(personas, pending, client_for):
    response = client_for(personas.approver).post(
        request_url(pending, "approve"), {"note": "Agreed"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "approved" and body["decided_by"] == "approver"
    assert body["decision_note"] == "Agreed"
    pending.agreement.refresh_from_db()
    assert pending.agreement.stage == Stage.GOALS


def test_requester_cannot_approve_own_request(personas, agreement, client_for):
    fulfil_gate(agreement)
    api = client_for(personas.approver)
    stage_request = api.post(advance_url(agreement), REASON, format="json").json()
    response = api.post(f"/api/v1/stage-requests/{stage_request['id']}/approve/", {}, format="json")
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.stage == Stage.CONTACT


def test_officer_and_viewer_cannot_decide(personas, pending, client_for):
    for user in (personas.officer, personas.viewer):
        api = client_for(user)
        assert api.post(request_url(pending, "approve"), {}, format="json").status_code == 403
        assert api.post(request_url(pending, "reject"), {}, format="json").status_code == 403
    pending.refresh_from_db()
    assert pending.state == RequestState.PENDING


def test_other_municipality_approver_gets_404(personas, pending, client_for):
    response = client_for(personas.isfahan_approver).post(
        request_url(pending, "approve"), {}, format="json"
    )
    assert response.status_code == 404


def test_deciding_twice_is_409(personas, pending, client_for):
    api = client_for(personas.approver)
    assert api.post(request_url(pending, "approve"), {}, format="json").status_code == 200
    assert api.post(request_url(pending, "approve"), {}, format="json").status_code == 409
    assert api.post(request_url(pending, "reject"), REASON, format="json").status_code == 409


def test_approve_when_the_gate_is_no_longer_met_is_409(personas, pending, client_for):
    pending.agreement.contacts.all().delete()
    response = client_for(personas.approver).post(
        request_url(pending, "approve"), {}, format="json"
    )
    assert response.status_code == 409 and response.json()["missing"]
    pending.refresh_from_db()
    assert pending.state == RequestState.PENDING


def test_reject(personas, pending, client_for):
    response = client_for(personas.approver2).post(
        request_url(pending, "reject"), {"note": "Not yet"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"
    pending.agreement.refresh_from_db()
    assert pending.agreement.stage == Stage.CONTACT


def test_decisions_are_post_only(personas, pending, client_for):
    assert client_for(personas.approver).get(request_url(pending, "approve")).status_code == 405


# --- Memorandum: freeze and PDF --------------------------------------------------------------


@pytest.fixture
def at_signing(personas):
    agreement = agreement_at(Stage.SIGNING, home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=agreement)
    return agreement, memorandum


def test_freeze_stores_the_pdf_and_pdf_endpoint_returns_it(personas, at_signing, client_for):
    agreement, memorandum = at_signing
    api = client_for(personas.officer)
    response = api.post(f"/api/v1/memoranda/{memorandum.pk}/freeze/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["is_frozen"] and len(body["pdf_sha256"]) == 64
    memorandum.refresh_from_db()
    stored = memorandum.pdf.read()
    pdf = api.get(f"/api/v1/agreements/{agreement.pk}/memorandum.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # The stored file, sent in chunks as the page sends it.
    assert b"".join(pdf.streaming_content) == stored
    # Frozen: no further change, and freezing again is a conflict.
    assert api.post(f"/api/v1/memoranda/{memorandum.pk}/freeze/").status_code == 409


def test_draft_pdf(personas, at_signing, client_for):
    agreement, _memorandum = at_signing
    response = client_for(personas.viewer).get(
        f"/api/v1/agreements/{agreement.pk}/memorandum.pdf", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_pdf_of_the_latest_version(personas, at_signing, client_for):
    agreement, _first = at_signing
    MemorandumFactory(agreement=agreement, place="Florence", number=2)
    response = client_for(personas.viewer).get(f"/api/v1/agreements/{agreement.pk}/memorandum.pdf")
    assert "v2" in response["Content-Disposition"]


def test_pdf_without_memorandum_is_404(personas, agreement, client_for):
    api = client_for(personas.viewer)
    assert api.get(f"/api/v1/agreements/{agreement.pk}/memorandum.pdf").status_code == 404


def test_pdf_of_another_municipality_is_404(personas, at_signing, client_for):
    agreement, _memorandum = at_signing
    api = client_for(personas.isfahan_officer)
    assert api.get(f"/api/v1/agreements/{agreement.pk}/memorandum.pdf").status_code == 404


def test_viewer_cannot_freeze(personas, at_signing, client_for):
    _agreement, memorandum = at_signing
    response = client_for(personas.viewer).post(f"/api/v1/memoranda/{memorandum.pk}/freeze/")
    assert response.status_code == 403
    memorandum.refresh_from_db()
    assert not memorandum.is_frozen


def test_freeze_outside_municipalities_is_404(personas, at_signing, client_for):
    _agreement, memorandum = at_signing
    response = client_for(personas.isfahan_officer).post(
        f"/api/v1/memoranda/{memorandum.pk}/freeze/"
    )
    assert response.status_code == 404


def test_freeze_at_the_wrong_stage_is_409(personas, agreement, client_for):
    memorandum = MemorandumFactory(agreement=agreement)
    response = client_for(personas.officer).post(f"/api/v1/memoranda/{memorandum.pk}/freeze/")
    assert response.status_code == 409
    memorandum.refresh_from_db()
    assert not memorandum.is_frozen


def test_freeze_is_post_only(personas, at_signing, client_for):
    _agreement, memorandum = at_signing
    assert (
        client_for(personas.officer).get(f"/api/v1/memoranda/{memorandum.pk}/freeze/").status_code
        == 405
    )


# --- History --------------------------------------------------------------------------------


def test_history_has_user_date_reason_and_changed_fields(personas, agreement, client_for):
    api = client_for(personas.officer)
    api.patch(f"/api/v1/agreements/{agreement.pk}/", {"title": "Renamed"}, format="json")
    api.post(
        f"/api/v1/agreements/{agreement.pk}/contacts/",
        {"date": "2024-05-01", "participants": "Both mayors"},
        format="json",
    )
    response = api.get(f"/api/v1/agreements/{agreement.pk}/history/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    newest, edit = body["results"][0], body["results"][1]
    assert newest["object_type"] == "contacts" and newest["action"] == "created"
    assert {"field": "participants", "old": None, "new": "Both mayors"} in newest["changes"]
    assert edit["object_type"] == "agreement" and edit["action"] == "changed"
    assert edit["user"] == "officer" and edit["reason"] and edit["date"]
    assert {"field": "title", "old": agreement.title, "new": "Renamed"} in edit["changes"]


def test_history_shows_stage_changes(personas, pending, client_for):
    client_for(personas.approver).post(request_url(pending, "approve"), {}, format="json")
    body = (
        client_for(personas.viewer)
        .get(f"/api/v1/agreements/{pending.agreement_id}/history/")
        .json()
    )
    stage_changes = [
        change
        for entry in body["results"]
        if entry["object_type"] == "agreement"
        for change in entry["changes"]
        if change["field"] == "stage"
    ]
    assert {"field": "stage", "old": "contact", "new": "goals"} in stage_changes


def test_history_of_another_municipality_is_404(personas, agreement, client_for):
    response = client_for(personas.isfahan_officer).get(
        f"/api/v1/agreements/{agreement.pk}/history/"
    )
    assert response.status_code == 404


def test_history_hides_the_same_fields_as_the_page_and_the_dossier(
    personas, agreement, client_for, client
):
    """One reader (agreements.selectors.history): the sort-key copies of the cities'
    names, the bookkeeping and a record's own agreement are shown nowhere."""
    from agreements.pdf.history import history_rows
    from agreements.selectors.history import HIDDEN_FIELDS
    from cities.models import City

    api = client_for(personas.officer)
    api.post(
        f"/api/v1/agreements/{agreement.pk}/contacts/",
        {"date": "2024-05-01", "participants": "Both mayors"},
        format="json",
    )
    partner = City.objects.get(pk=agreement.partner_city_id)
    partner.name = "Renamed partner"
    partner.save()  # the agreement's sort keys follow (a history row of the agreement)
    results = api.get(f"/api/v1/agreements/{agreement.pk}/history/").json()["results"]
    created = next(
        e for e in results if e["object_type"] == "agreement" and e["action"] == "created"
    )
    assert {"home_city", "partner_city", "kind", "stage"} <= {
        change["field"] for change in created["changes"]
    }
    shown = {change["field"] for entry in results for change in entry["changes"]}
    assert not shown & HIDDEN_FIELDS, shown & HIDDEN_FIELDS
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/agreements/{agreement.pk}/history/").content.decode()
    rows, _left_out = history_rows(agreement, "en", limit=100)
    dossier = " ".join(change for row in rows for change in row.changes)
    for text in (page, dossier):
        assert "sort key" not in text.lower()
    # The new name is only in the sort keys of the agreement's rows, which are hidden.
    assert "Renamed partner" not in dossier
    assert "Renamed partner" not in str([entry["changes"] for entry in results])
