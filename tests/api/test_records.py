"""Records of an agreement: /api/v1/agreements/{id}/<kind>/[{record_id}/]."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agreements.models import (
    Activity,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
)
from tests.api.problems import field_messages
from tests.factories import AgreementFactory, MemorandumFactory

pytestmark = pytest.mark.django_db

# kind: (model, valid payload, a change, an invalid payload and the field it names)
KINDS = {
    "contacts": (
        Contact,
        {"date": "2024-05-01", "participants": "Both mayors", "notes": "First meeting"},
        {"notes": "Follow-up agreed"},
        ({"date": "not a date", "participants": "x"}, "date"),
    ),
    "goals": (
        Goal,
        {"sector": "culture", "description": "A cultural week every year"},
        {"description": "Two cultural weeks"},
        ({"sector": "space", "description": "x"}, "sector"),
    ),
    "commonalities": (
        Commonality,
        {"kind": "historical", "description": "Silk Road"},
        {"description": "Silk Road cities"},
        ({"kind": "culinary", "description": "x"}, "kind"),
    ),
    "department-supports": (
        DepartmentSupport,
        {"department": "council", "notes": "Resolution 12"},
        {"notes": "Resolution 12, unanimous"},
        ({"department": "army"}, "department"),
    ),
    "legal-approvals": (
        LegalApproval,
        {
            "authority": "home_council",
            "status": "granted",
            "reference": "12/345",
            "decided_on": "2024-06-01",
        },
        {"reference": "12/346"},
        (
            {"authority": "home_council", "requested_on": "2024-06-02", "decided_on": "2024-06-01"},
            None,
        ),
    ),
    "memoranda": (
        Memorandum,
        {
            "signed_on": "2025-03-01",
            "place": "Tehran",
            "home_signatory_name": "Mayor of Tehran",
            "home_signatory_title": "Mayor",
            "partner_signatory_name": "Mayor of Florence",
            "partner_signatory_title": "Sindaco",
        },
        {"place": "Florence"},
        ({"term_years": -1}, "term_years"),
    ),
    "delegations": (
        Delegation,
        {
            "direction": "outgoing",
            "start_date": "2025-04-01",
            "end_date": "2025-04-05",
            "head": "Deputy mayor",
            "purpose": "Cultural week",
            "official": True,
        },
        {"purpose": "Cultural week and trade fair"},
        (
            {
                "direction": "outgoing",
                "start_date": "2025-04-05",
                "end_date": "2025-04-01",
                "head": "x",
            },
            None,
        ),
    ),
    "activities": (
        Activity,
        {
            "sector": "arts",
            "title": "Photo exhibition",
            "start_date": "2025-05-01",
            "end_date": "2025-05-10",
            "description": "Photos of both cities",
        },
        {"title": "Photo exhibition of Tehran"},
        ({"sector": "arts", "start_date": "2025-05-01"}, "title"),
    ),
}


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


def url(agreement, kind: str, record_id: int | None = None) -> str:
    base = f"/api/v1/agreements/{agreement.pk}/{kind}/"
    return f"{base}{record_id}/" if record_id else base


@pytest.mark.parametrize("kind", KINDS)
def test_create_list_read_update_delete(personas, agreement, client_for, kind):
    model, payload, change, _invalid = KINDS[kind]
    api = client_for(personas.officer)
    created = api.post(url(agreement, kind), payload, format="json")
    assert created.status_code == 201, created.json()
    record = model.objects.get(pk=created.json()["id"])
    assert record.agreement == agreement and record.created_by == personas.officer
    for name, value in payload.items():
        assert created.json()[name] == value
    history = record.history.latest("history_date")
    assert history.history_user == personas.officer

    listed = api.get(url(agreement, kind)).json()
    assert set(listed) == {"count", "next", "previous", "results"}
    assert [row["id"] for row in listed["results"]] == [record.pk]
    assert api.get(url(agreement, kind, record.pk)).json()["id"] == record.pk

    updated = api.patch(url(agreement, kind, record.pk), change, format="json")
    assert updated.status_code == 200, updated.json()
    record.refresh_from_db()
    for name, value in change.items():
        assert getattr(record, name) == value

    deleted = api.delete(url(agreement, kind, record.pk))
    assert deleted.status_code == 204
    assert not model.objects.filter(pk=record.pk).exists()
    assert record.history.filter(history_type="-").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_record_is_400_with_field_errors(personas, agreement, client_for, kind):
    model, _payload, _change, (invalid, field) = KINDS[kind]
    response = client_for(personas.officer).post(url(agreement, kind), invalid, format="json")
    assert response.status_code == 400
    assert field in field_messages(response)
    assert not model.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_viewer_reads_but_cannot_write(personas, agreement, client_for, kind):
    _model, payload, _change, _invalid = KINDS[kind]
    api = client_for(personas.viewer)
    assert api.get(url(agreement, kind)).status_code == 200
    assert api.post(url(agreement, kind), payload, format="json").status_code == 403


@pytest.mark.parametrize("kind", [*KINDS, "documents"])
def test_other_municipality_is_404(personas, agreement, client_for, kind):
    api = client_for(personas.isfahan_officer)
    assert api.get(url(agreement, kind)).status_code == 404
    assert api.post(url(agreement, kind), {}, format="json").status_code == 404


def test_viewer_cannot_update_or_delete(personas, agreement, client_for):
    contact = Contact.objects.create(agreement=agreement, date="2024-01-01", participants="x")
    api = client_for(personas.viewer)
    assert (
        api.patch(url(agreement, "contacts", contact.pk), {"notes": "y"}, format="json").status_code
        == 403
    )
    assert api.delete(url(agreement, "contacts", contact.pk)).status_code == 403
    assert Contact.objects.filter(pk=contact.pk, notes="").exists()


def test_record_of_another_agreement_is_404(personas, agreement, client_for):
    other = AgreementFactory(home_city=personas.tehran)
    contact = Contact.objects.create(agreement=other, date="2024-01-01", participants="x")
    api = client_for(personas.officer)
    assert api.get(url(agreement, "contacts", contact.pk)).status_code == 404
    assert api.delete(url(agreement, "contacts", contact.pk)).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_stale_record_update_is_409(personas, agreement, client_for):
    contact = Contact.objects.create(agreement=agreement, date="2024-01-01", participants="x")
    api = client_for(personas.officer)
    target = url(agreement, "contacts", contact.pk)
    version = api.get(target).json()["version"]
    assert api.patch(target, {"notes": "a", "version": version}, format="json").status_code == 200
    response = api.patch(target, {"notes": "b", "version": version}, format="json")
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.notes == "a"


def test_new_memorandum_gets_version_and_default_articles(personas, agreement, client_for):
    api = client_for(personas.officer)
    first = api.post(url(agreement, "memoranda"), {}, format="json").json()
    second = api.post(url(agreement, "memoranda"), {"place": "Rome"}, format="json").json()
    assert (first["number"], second["number"]) == (1, 2)
    assert first["articles"] and first["is_frozen"] is False
    assert second["place"] == "Rome"


def test_memorandum_number_and_freezing_are_read_only(personas, agreement, client_for):
    response = client_for(personas.officer).post(
        url(agreement, "memoranda"),
        {"number": 7, "frozen_at": "2025-01-01T00:00:00Z", "pdf_sha256": "0" * 64},
        format="json",
    )
    memorandum = Memorandum.objects.get(pk=response.json()["id"])
    assert memorandum.number == 1 and not memorandum.is_frozen and memorandum.pdf_sha256 == ""


def test_frozen_memorandum_cannot_be_changed_or_deleted(personas, agreement, client_for):
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    api = client_for(personas.officer)
    target = url(agreement, "memoranda", memorandum.pk)
    changed = api.patch(target, {"place": "Elsewhere"}, format="json")
    assert changed.status_code == 409 and changed.json()["detail"]
    assert api.delete(target).status_code == 409
    memorandum.refresh_from_db()
    assert memorandum.place == "Tehran"


def test_legal_approval_links_only_documents_of_the_same_agreement(personas, agreement, client_for):
    other = AgreementFactory(home_city=personas.tehran)
    foreign = Document.objects.create(agreement=other, file="documents/x.pdf")
    response = client_for(personas.officer).post(
        url(agreement, "legal-approvals"),
        {"authority": "home_council", "document": foreign.pk},
        format="json",
    )
    assert "document" in field_messages(response)


# --- Documents ---------------------------------------------------------------------------


def upload(name: str = "letter.pdf", content: bytes = b"%PDF-1.4 letter") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_document_upload_keeps_file_metadata(personas, agreement, client_for):
    api = client_for(personas.officer)
    content = b"%PDF-1.4 a letter from the partner city"
    response = api.post(
        url(agreement, "documents"),
        {"kind": "letter", "title": "Invitation", "file": upload(content=content)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["original_name"] == "letter.pdf" and body["size"] == len(content)
    document = Document.objects.get(pk=body["id"])
    assert document.kind == "letter" and document.created_by == personas.officer
    # The stored name is generated, never the uploader's.
    assert "letter" not in document.file.name
    download = api.get(f"{url(agreement, 'documents', document.pk)}file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content


def test_document_needs_a_file(personas, agreement, client_for):
    response = client_for(personas.officer).post(
        url(agreement, "documents"), {"kind": "letter"}, format="multipart"
    )
    assert "file" in field_messages(response)


def test_document_of_a_forbidden_type_is_400(personas, agreement, client_for):
    response = client_for(personas.officer).post(
        url(agreement, "documents"),
        {"kind": "other", "file": upload("script.exe", b"MZ")},
        format="multipart",
    )
    assert "file" in field_messages(response)
    assert not Document.objects.exists()


def test_document_too_large_is_400(personas, agreement, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 10
    response = client_for(personas.officer).post(
        url(agreement, "documents"),
        {"kind": "other", "file": upload(content=b"x" * 100)},
        format="multipart",
    )
    assert "file" in field_messages(response)


def test_document_update_changes_the_description_only(personas, agreement, client_for):
    api = client_for(personas.officer)
    created = api.post(
        url(agreement, "documents"), {"kind": "letter", "file": upload()}, format="multipart"
    ).json()
    response = api.patch(
        url(agreement, "documents", created["id"]),
        {"title": "Renamed", "sha256": "0" * 64},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["sha256"] == created["sha256"]


def test_viewer_cannot_upload(personas, agreement, client_for):
    response = client_for(personas.viewer).post(
        url(agreement, "documents"), {"kind": "letter", "file": upload()}, format="multipart"
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


@pytest.mark.parametrize("suffix", ["contacts/", "memoranda/", "history/"])
def test_unknown_query_parameter_on_a_list_without_filters_is_400(personas, client_for, suffix):
    agreement = AgreementFactory(home_city=personas.tehran)
    api = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/{suffix}"
    assert api.get(url, {"page_size": 5}).status_code == 200
    response = api.get(url, {"stage": "goals"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert response.json()["errors"][0]["field"] == "stage"
