"""Records under a delegation: the permission ladder, history, validation, and a
participant's passport and visa hidden from viewers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from agreements import services
from agreements.models import (
    BudgetLine,
    Ceremony,
    DelegationParticipant,
    Gift,
    ProgrammeItem,
)
from agreements.permissions import Forbidden
from tests.factories import AgreementFactory, DelegationFactory

pytestmark = pytest.mark.django_db

KINDS = {
    "participants": (DelegationParticipant, {"name": "Reza Karimi", "side": "home"}),
    "programme": (
        ProgrammeItem,
        {
            "date": "2025-04-02",
            "start_time": "09:00",
            "end_time": "10:00",
            "description": "Welcome",
        },
    ),
    "budget-lines": (
        BudgetLine,
        {"category": "travel", "planned_amount": "100.50", "currency": "EUR", "paid_by": "home"},
    ),
    "gifts": (
        Gift,
        {
            "direction": "received",
            "description": "Vase",
            "estimated_value": "30",
            "currency": "EUR",
        },
    ),
    "ceremonies": (Ceremony, {"kind": "signing", "date": "2025-04-03", "venue": "City Hall"}),
}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(delegation, kind: str, pk: int | None = None) -> str:
    base = f"/api/v1/agreements/{delegation.agreement_id}/delegations/{delegation.pk}/{kind}/"
    return f"{base}{pk}/" if pk else base


@pytest.mark.parametrize("kind", KINDS)
def test_permission_ladder_and_history(personas, delegation, kind):
    model, body = KINDS[kind]
    # viewer reads, cannot write
    assert _api(personas.viewer).get(_url(delegation, kind)).status_code == 200
    assert (
        _api(personas.viewer).post(_url(delegation, kind), body, format="json").status_code == 403
    )
    # another municipality: 404, reading or writing
    assert _api(personas.isfahan_officer).get(_url(delegation, kind)).status_code == 404
    assert (
        _api(personas.isfahan_officer).post(_url(delegation, kind), body, format="json").status_code
        == 404
    )
    # outsider: no role
    assert _api(personas.outsider).get(_url(delegation, kind)).status_code == 403
    # officer writes
    response = _api(personas.officer).post(_url(delegation, kind), body, format="json")
    assert response.status_code == 201, response.content
    record = model.objects.get(pk=response.json()["id"])
    assert record.delegation == delegation and record.created_by == personas.officer
    assert model.history.filter(id=record.pk, history_type="+").count() == 1
    # an edit is a second history row
    first_field = next(iter(body))
    response = _api(personas.officer).patch(
        _url(delegation, kind, record.pk), {first_field: body[first_field]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert model.history.filter(id=record.pk).count() == 2
    # a delegation of another agreement is 404 under this agreement
    other = DelegationFactory(agreement=AgreementFactory(home_city=personas.tehran))
    wrong = f"/api/v1/agreements/{delegation.agreement_id}/delegations/{other.pk}/{kind}/"
    assert _api(personas.officer).get(wrong).status_code == 404
    # terminated agreement takes no write
    agreement = delegation.agreement
    agreement.status = "terminated"
    agreement.save()
    response = _api(personas.officer).post(_url(delegation, kind), body, format="json")
    assert response.status_code == 409
    with pytest.raises(services.WorkflowError):
        services.delete_record(record=model.objects.get(pk=record.pk), by=personas.officer)
    # deleting (on a live agreement) leaves a history row
    agreement.status = "in_progress"
    agreement.save()
    response = _api(personas.officer).delete(_url(delegation, kind, record.pk))
    assert response.status_code == 204
    assert model.history.filter(id=record.pk, history_type="-").count() == 1


def test_services_refuse_a_viewer_and_a_move_to_another_delegation(personas, delegation):
    item = DelegationParticipant(delegation=delegation, name="A")
    with pytest.raises(Forbidden):
        services.save_record(record=item, by=personas.viewer)
    saved = services.save_record(record=item, by=personas.officer)
    saved.delegation = DelegationFactory(agreement=delegation.agreement)
    with pytest.raises(ValidationError):
        services.save_record(record=saved, by=personas.officer)


def _invalid(personas, delegation, kind: str, body: dict) -> dict:
    response = _api(personas.officer).post(_url(delegation, kind), body, format="json")
    assert response.status_code == 400, response.content
    return {error["field"] for error in response.json()["errors"]}


def test_programme_end_before_start_refused(personas, delegation):
    errors = _invalid(
        personas,
        delegation,
        "programme",
        {"date": "2025-04-02", "start_time": "10:00", "end_time": "09:00", "description": "X"},
    )
    assert "end_time" in errors
    assert ProgrammeItem.objects.count() == 0


@pytest.mark.parametrize("day", ["2025-03-31", "2025-04-06"])
def test_programme_date_outside_the_delegation_refused(personas, delegation, day):
    errors = _invalid(personas, delegation, "programme", {"date": day, "description": "X"})
    assert "date" in errors


def test_programme_on_the_first_and_last_day_accepted(personas, delegation):
    for day in ("2025-04-01", "2025-04-05"):
        response = _api(personas.officer).post(
            _url(delegation, "programme"), {"date": day, "description": "X"}, format="json"
        )
        assert response.status_code == 201


def test_programme_responsible_must_hold_a_role_at_home(personas, delegation):
    errors = _invalid(
        personas,
        delegation,
        "programme",
        {
            "date": "2025-04-02",
            "description": "X",
            "responsible": personas.isfahan_officer.username,
        },
    )
    assert "responsible" in errors
    response = _api(personas.officer).post(
        _url(delegation, "programme"),
        {"date": "2025-04-02", "description": "X", "responsible": personas.viewer.username},
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize("field", ["planned_amount", "actual_amount"])
def test_negative_amounts_refused(personas, delegation, field):
    body = {"category": "travel", "planned_amount": "1", "currency": "EUR", field: "-0.01"}
    assert field in _invalid(personas, delegation, "budget-lines", body)
    errors = _invalid(
        personas,
        delegation,
        "gifts",
        {"direction": "given", "description": "X", "estimated_value": "-5", "currency": "EUR"},
    )
    assert "estimated_value" in errors
    assert BudgetLine.objects.count() == Gift.objects.count() == 0


@pytest.mark.parametrize("currency", ["XYZ", "eur", "EURO", ""])
def test_unknown_currency_refused(personas, delegation, currency):
    body = {"category": "travel", "planned_amount": "1", "currency": currency}
    assert "currency" in _invalid(personas, delegation, "budget-lines", body)


def test_gift_value_needs_a_currency(personas, delegation):
    body = {"direction": "given", "description": "X", "estimated_value": "5"}
    assert "currency" in _invalid(personas, delegation, "gifts", body)


def test_press_release_must_be_a_web_address(personas, delegation):
    for url in ["javascript:alert(1)", "ftp://example.org/x", "not a url"]:
        body = {"kind": "signing", "date": "2025-04-02", "venue": "Hall", "press_release_url": url}
        assert "press_release_url" in _invalid(personas, delegation, "ceremonies", body)


def test_gift_photo_must_be_an_image_of_the_same_agreement(personas, delegation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.models import Document

    pdf = services.save_record(
        record=Document(
            agreement=delegation.agreement,
            kind="letter",
            file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        ),
        by=personas.officer,
    )
    body = {"direction": "given", "description": "X", "photo": pdf.pk}
    assert "photo" in _invalid(personas, delegation, "gifts", body)


def test_travel_documents_hidden_from_viewers(personas, delegation, client):
    services.save_record(
        record=DelegationParticipant(
            delegation=delegation, name="Sara", travel_documents="visa_requested"
        ),
        by=personas.officer,
    )
    url = _url(delegation, "participants")
    officer_row = _api(personas.officer).get(url).json()["results"][0]
    assert officer_row["travel_documents"] == "visa_requested"
    approver_row = _api(personas.approver).get(url).json()["results"][0]
    assert approver_row["travel_documents"] == "visa_requested"
    viewer_row = _api(personas.viewer).get(url).json()["results"][0]
    assert "travel_documents" not in viewer_row
    assert "visa" not in str(viewer_row).lower()
    # the page
    page = reverse("agreements:delegation", args=[delegation.agreement_id, delegation.pk])
    client.force_login(personas.viewer)
    body = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sara" in body
    assert "Visa requested" not in body and "travel-documents" not in body
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    body = client.get(page).content.decode()
    assert "Visa requested" in body


def test_the_programme_pdf_never_names_a_participant(personas, delegation):
    from agreements.pdf.programme import programme_context

    services.save_record(
        record=DelegationParticipant(
            delegation=delegation, name="Secret Traveller", travel_documents="visa_refused"
        ),
        by=personas.officer,
    )
    assert "Secret Traveller" not in str(programme_context(delegation))


def test_admin_inline_saves_through_the_services(personas, delegation, client):
    client.force_login(personas.admin)
    url = reverse("admin:agreements_delegation_change", args=[delegation.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert (
        "programme_items" in response.content.decode()
        or "programmeitem" in response.content.decode().lower()
    )
