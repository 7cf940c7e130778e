"""A signed memorandum stays as signed, by every route; the admin is no side door.

The generated walk (test_side_doors.py) tries every field of every route; these
tests name the cases of the issue one by one and check what the user is told:
an officer detaching or deleting the signed copy (API and page), the admin
replacing or deleting it, a second signed copy, a letter slipped into a frozen
memorandum, the admin changing the kind, dates, term or home municipality of an
agreement, the admin adding to a terminated agreement, and an admin change
without a reason.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from agreements import reasons, services
from agreements.models import Agreement, Contact, Document, Kind, Stage
from tests.api.problems import field_messages
from tests.factories import AgreementFactory, CityFactory, MemorandumFactory
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% scan\n%%EOF\n"


def _upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def signed(personas):
    """An agreement at signing with a frozen memorandum and its signed copy."""
    agreement = agreement_at(Stage.SIGNING, home_city=personas.tehran)
    Document.objects.filter(agreement=agreement).delete()
    agreement.memoranda.all().delete()
    memorandum = services.freeze_memorandum(
        memorandum=MemorandumFactory(agreement=agreement), by=personas.officer
    )
    copy = services.save_record(
        record=Document(
            agreement=agreement, memorandum=memorandum, kind="signed_mou", file=_upload()
        ),
        by=personas.officer,
    )
    return agreement, memorandum, copy


def _api(user, language: str = "en") -> APIClient:
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_authenticate(user)
    return client


def _unchanged(document: Document) -> None:
    stored = Document.objects.get(pk=document.pk)
    assert (stored.memorandum_id, stored.kind, stored.file.name, stored.version) == (
        document.memorandum_id,
        document.kind,
        document.file.name,
        document.version,
    )


# --- The signed copy, by the API and the pages ---------------------------------------------------


@pytest.mark.parametrize(
    "body", [{"memorandum": None}, {"kind": "letter"}, {"title": "Renamed"}], ids=str
)
def test_the_api_cannot_detach_or_change_the_signed_copy(personas, signed, body):
    agreement, _memorandum, copy = signed
    url = f"/api/v1/agreements/{agreement.pk}/documents/{copy.pk}/"
    response = _api(personas.officer).patch(url, body, format="json")
    assert response.status_code == 409, response.content
    assert "signed copy" in response.json()["detail"]
    _unchanged(copy)
    assert _api(personas.officer).delete(url).status_code == 409
    _unchanged(copy)


def test_the_refusal_is_in_persian(personas, signed):
    agreement, _memorandum, copy = signed
    url = f"/api/v1/agreements/{agreement.pk}/documents/{copy.pk}/"
    response = _api(personas.officer, "fa").delete(url)
    assert response.status_code == 409
    assert "نسخهٔ امضاشده" in response.json()["detail"]


def test_the_page_cannot_detach_or_delete_the_signed_copy(client, personas, signed):
    agreement, _memorandum, copy = signed
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    edit = reverse("agreements:record-edit", args=[agreement.pk, "documents", copy.pk])
    response = client.post(
        edit, {"kind": "letter", "title": "x", "memorandum": "", "version": copy.version}
    )
    assert response.status_code == 409
    assert "cannot be changed or removed" in response.content.decode()
    delete = reverse("agreements:record-delete", args=[agreement.pk, "documents", copy.pk])
    response = client.post(delete)
    assert response.status_code in (403, 409)
    _unchanged(copy)


def test_a_second_signed_copy_and_a_letter_cannot_join_a_frozen_memorandum(personas, signed):
    agreement, memorandum, _copy = signed
    api = _api(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/documents/"
    count = Document.objects.count()
    for kind, expected in [("signed_mou", "already has its signed copy"), ("letter", "frozen")]:
        response = api.post(
            url, {"kind": kind, "memorandum": memorandum.pk, "file": _upload()}, format="multipart"
        )
        assert response.status_code == 409, response.content
        assert expected in response.json()["detail"]
    assert Document.objects.count() == count


def test_a_letter_cannot_be_moved_into_a_frozen_memorandum(personas, signed):
    agreement, memorandum, _copy = signed
    letter = services.save_record(
        record=Document(agreement=agreement, kind="letter", file=_upload()), by=personas.officer
    )
    url = f"/api/v1/agreements/{agreement.pk}/documents/{letter.pk}/"
    response = _api(personas.officer).patch(url, {"memorandum": memorandum.pk}, format="json")
    assert response.status_code == 409
    _unchanged(letter)
    # Nor can a letter become a signed copy: a signed copy is uploaded as one.
    response = _api(personas.officer).patch(url, {"kind": "signed_mou"}, format="json")
    assert response.status_code == 400
    assert field_messages(response)["kind"] == [str(services.SIGNED_COPY_FIXED)]
    _unchanged(letter)


def test_a_new_signed_copy_names_its_memorandum_version(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=agreement)
    other = MemorandumFactory(agreement=AgreementFactory(home_city=personas.tehran))
    api = _api(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/documents/"
    response = api.post(url, {"kind": "signed_mou", "file": _upload()}, format="multipart")
    assert response.status_code == 400
    assert field_messages(response)["memorandum"] == [str(services.SIGNED_COPY_NEEDS_MEMORANDUM)]
    response = api.post(
        url, {"kind": "signed_mou", "memorandum": other.pk, "file": _upload()}, format="multipart"
    )
    assert response.status_code == 400
    assert not Document.objects.exists()
    response = api.post(
        url,
        {"kind": "signed_mou", "memorandum": memorandum.pk, "file": _upload()},
        format="multipart",
    )
    assert response.status_code == 201, response.content


def test_the_checklist_link_fills_in_the_latest_memorandum(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    MemorandumFactory(agreement=agreement, number=1)
    latest = MemorandumFactory(agreement=agreement, number=2)
    client.force_login(personas.officer)
    url = reverse("agreements:record-create", args=[agreement.pk, "documents"])
    form = client.get(url, {"kind": "signed_mou"}).context["form"]
    assert form["memorandum"].value() == latest.pk
    response = client.post(
        url + "?kind=signed_mou",
        {"kind": "signed_mou", "memorandum": latest.pk, "file": _upload()},
    )
    assert response.status_code == 302
    assert Document.objects.get().memorandum == latest


# --- The admin ----------------------------------------------------------------------------------------


def _admin(client, personas):
    client.force_login(personas.admin)
    client.cookies["django_language"] = "en"
    return client


def _change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def test_the_admin_cannot_replace_detach_or_delete_the_signed_copy(client, personas, signed):
    agreement, memorandum, copy = signed
    admin = _admin(client, personas)
    url = _change_url(copy)
    response = admin.post(
        url,
        {
            "kind": "letter",
            "memorandum": "",
            "title": "",
            "file": _upload("new.pdf"),
            "reason": "Fix",
        },
    )
    assert response.status_code == 200
    assert "cannot be changed or removed" in response.content.decode()
    _unchanged(copy)
    delete = reverse("admin:agreements_document_delete", args=[copy.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    _unchanged(copy)
    changelist = reverse("admin:agreements_document_changelist")
    response = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": [copy.pk], "post": "yes"}
    )
    assert response.status_code < 500
    _unchanged(copy)


def test_the_admin_cannot_add_a_second_signed_copy(client, personas, signed):
    agreement, memorandum, _copy = signed
    admin = _admin(client, personas)
    response = admin.post(
        reverse("admin:agreements_document_add"),
        {
            "agreement": agreement.pk,
            "memorandum": memorandum.pk,
            "kind": "signed_mou",
            "file": _upload(),
            "reason": "A better scan",
        },
    )
    assert response.status_code == 200
    assert "already has its signed copy" in response.content.decode()
    assert Document.objects.filter(kind="signed_mou").count() == 1


def _agreement_form(admin, agreement: Agreement, **changes) -> dict:
    form = admin.get(_change_url(agreement)).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in ((n, form[n].value()) for n in form.fields)
        if not isinstance(value, list)
    }
    return {**data, **changes}


def test_the_admin_cannot_change_what_the_workflow_sets(client, personas):
    agreement = agreement_at(Stage.ACTIVE, home_city=personas.tehran, kind=Kind.FRIENDSHIP)
    before = Agreement.objects.filter(pk=agreement.pk).values().get()
    admin = _admin(client, personas)
    data = _agreement_form(
        admin,
        agreement,
        kind="sister",
        home_city=personas.isfahan.pk,
        partner_city=CityFactory().pk,
        signed_on="2001-01-01",
        term_years="7",
        expires_on="2002-02-02",
        stage="contact",
        status="terminated",
        title="Corrected title",
        reason="Typo in the title",
    )
    response = admin.post(_change_url(agreement), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = Agreement.objects.filter(pk=agreement.pk).values().get()
    assert after["title"] == "Corrected title"
    for name in ("kind", "home_city_id", "partner_city_id", "signed_on", "term_years"):
        assert after[name] == before[name], name
    for name in ("expires_on", "stage", "status"):
        assert after[name] == before[name], name
    assert reasons.parse(agreement.history.first().history_change_reason) == {
        "code": "agreement_edited",
        "note": "Typo in the title",
        "via": "admin",
    }


def test_an_admin_change_needs_a_reason(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran, title="Before")
    admin = _admin(client, personas)
    data = _agreement_form(admin, agreement, title="After")
    data.pop("reason", None)
    response = admin.post(_change_url(agreement), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"]
    agreement.refresh_from_db()
    assert agreement.title == "Before"


def test_the_admin_cannot_add_to_a_terminated_agreement(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    Agreement.objects.filter(pk=agreement.pk).update(status="terminated")
    admin = _admin(client, personas)
    response = admin.post(
        reverse("admin:agreements_contact_add"),
        {"agreement": agreement.pk, "date": "2024-01-01", "participants": "X", "reason": "Late"},
    )
    assert response.status_code == 200
    assert "A terminated agreement cannot be changed." in response.content.decode()
    assert not Contact.objects.exists()


def test_the_admin_cannot_move_a_record_to_another_agreement(client, personas):
    first = AgreementFactory(home_city=personas.tehran)
    second = AgreementFactory(home_city=personas.isfahan)
    contact = services.save_record(
        record=Contact(agreement=first, date="2024-01-01", participants="Mayors"),
        by=personas.officer,
    )
    admin = _admin(client, personas)
    response = admin.post(
        _change_url(contact),
        {
            "agreement": second.pk,
            "date": "2024-01-01",
            "participants": "Mayors and deputies",
            "reason": "Fix",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.agreement_id == first.pk  # read-only in the admin
    assert contact.participants == "Mayors and deputies"
    # And the service refuses it by any route.
    contact.agreement = second
    with pytest.raises(services.ValidationError):
        services.save_record(record=contact, by=personas.admin, as_administrator=True)


def test_the_admin_writes_as_administrator_only(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    contact = Contact(agreement=agreement, date="2024-01-01", participants="Mayors")
    with pytest.raises(services.Forbidden):
        services.save_record(record=contact, by=personas.officer, as_administrator=True)
    with pytest.raises(services.Forbidden):
        services.save_record(record=contact, by=personas.admin)  # pages and API: no role
