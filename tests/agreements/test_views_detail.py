"""The agreement page: access ladder, checklist, sections, actions shown, timeline,
history with differences and paging, a fixed number of queries, downloads."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import StageRequest
from tests.factories import (
    ActivityFactory,
    AgreementFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DepartmentSupportFactory,
    DocumentFactory,
    GoalFactory,
    LegalApprovalFactory,
    MemorandumArticleFactory,
    MemorandumFactory,
)
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran, title="Tehran and Florence")


def url(agreement) -> str:
    return reverse("agreements:detail", args=[agreement.pk])


# --- Who gets what -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, agreement):
    response = client.get(url(agreement))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_outsider_gets_404(client, personas, agreement):
    client.force_login(personas.isfahan_officer)
    assert client.get(url(agreement)).status_code == 404


def test_user_without_role_gets_no_agreement(client, personas, agreement):
    client.force_login(personas.outsider)
    response = client.get(url(agreement))
    assert response.status_code in (403, 404)
    assert b"Tehran and Florence" not in response.content


def test_post_is_not_allowed(client, personas, agreement):
    client.force_login(personas.officer)
    assert client.post(url(agreement)).status_code == 405


def test_viewer_sees_the_page_without_edit_controls(client, personas, agreement):
    ContactFactory(agreement=agreement)
    client.force_login(personas.viewer)
    response = client.get(url(agreement))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tehran and Florence" in html
    assert 'id="section-contacts"' in html
    assert "/edit/" not in html
    assert "/delete/" not in html
    assert "/new/" not in html
    assert reverse("agreements:request-advance", args=[agreement.pk]) not in html
    assert response.context["actions"] == set()


def test_officer_sees_edit_controls_and_request_button(client, personas, agreement):
    contact = ContactFactory(agreement=agreement)
    client.force_login(personas.officer)
    html = client.get(url(agreement)).content.decode()
    assert reverse("agreements:record-create", args=[agreement.pk, "goals"]) in html
    assert reverse("agreements:record-edit", args=[agreement.pk, "contacts", contact.pk]) in html
    assert reverse("agreements:request-advance", args=[agreement.pk]) in html
    assert "/approve/" not in html


def test_administrator_sees_every_agreement_read_only(client, personas, agreement):
    client.force_login(personas.admin)
    response = client.get(url(agreement))
    assert response.status_code == 200
    assert "edit" not in response.context["actions"]


# --- Checklist and sections -----------------------------------------------------------------


def test_checklist_shows_missing_items_with_links_to_their_forms(client, personas):
    agreement = agreement_at("goals", home_city=personas.tehran)
    GoalFactory(agreement=agreement)
    client.force_login(personas.officer)
    response = client.get(url(agreement))
    rows = {row["item"].code: row for row in response.context["checklist"]}
    assert rows["goal"]["item"].done
    assert not rows["commonality"]["item"].done
    assert not rows["council"]["item"].done
    html = response.content.decode()
    council_link = reverse("agreements:record-create", args=[agreement.pk, "department-supports"])
    assert f'href="{council_link}?department=council"' in html
    assert reverse("agreements:record-create", args=[agreement.pk, "commonalities"]) in html


def test_signing_checklist_links_to_the_draft_memorandum(client, personas):
    agreement = agreement_at("signing", home_city=personas.tehran)
    draft = MemorandumFactory(agreement=agreement, signed_on=None)
    client.force_login(personas.officer)
    html = client.get(url(agreement)).content.decode()
    assert reverse("agreements:record-edit", args=[agreement.pk, "memoranda", draft.pk]) in html


def test_every_section_lists_its_records(client, personas, agreement):
    ContactFactory(agreement=agreement, participants="Mayor Rossi and Mayor Zakani")
    GoalFactory(agreement=agreement, description="A yearly cultural week")
    CommonalityFactory(agreement=agreement, description="Silk Road heritage")
    DepartmentSupportFactory(agreement=agreement, notes="Council resolution 12")
    LegalApprovalFactory(agreement=agreement, reference="REF-4411")
    memorandum = MemorandumFactory(agreement=agreement, place="Florence Town Hall")
    MemorandumArticleFactory(
        memorandum=memorandum, heading_en="Areas of cooperation", heading_fa="زمینه‌های همکاری"
    )
    DelegationFactory(agreement=agreement, head="Deputy Mayor Bianchi")
    ActivityFactory(agreement=agreement, title="Persian calligraphy exhibition")
    DocumentFactory(agreement=agreement, title="Invitation letter")
    client.force_login(personas.viewer)
    # With the history inline: the article's heading shows there (the Persian one on
    # this Persian page).
    html = client.get(url(agreement), {"history_page": 1}).content.decode()
    for text in [
        "Mayor Rossi and Mayor Zakani",
        "A yearly cultural week",
        "Silk Road heritage",
        "Council resolution 12",
        "REF-4411",
        "Florence Town Hall",
        "زمینه‌های همکاری",
        "Deputy Mayor Bianchi",
        "Persian calligraphy exhibition",
        "Invitation letter",
    ]:
        assert text in html, text
    assert reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]) in html


def test_persian_page_is_right_to_left_with_jalali_dates(client, personas, agreement):
    ContactFactory(agreement=agreement, date=datetime.date(2024, 5, 4))
    client.force_login(personas.viewer)
    html = client.get(url(agreement)).content.decode()
    assert 'dir="rtl"' in html
    assert "۱۵ اردیبهشت ۱۴۰۳" in html  # 2024-05-04


# --- Actions shown ----------------------------------------------------------------------------


def test_approver_sees_approve_for_someone_elses_request(client, personas):
    agreement = agreement_at("contact", home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    client.force_login(personas.approver)
    response = client.get(url(agreement))
    html = response.content.decode()
    assert {"approve", "reject"} <= response.context["actions"]
    assert reverse("agreements:approve", args=[agreement.pk, stage_request.pk]) in html
    assert reverse("agreements:reject", args=[agreement.pk, stage_request.pk]) in html


def test_requester_sees_withdraw_but_not_approve(client, personas):
    agreement = agreement_at("contact", home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.approver, note="Ready for the next stage"
    )
    client.force_login(personas.approver)
    html = client.get(url(agreement)).content.decode()
    assert reverse("agreements:approve", args=[agreement.pk, stage_request.pk]) not in html
    assert reverse("agreements:withdraw", args=[agreement.pk, stage_request.pk]) in html


@pytest.mark.parametrize("who", ["officer", "approver"])
def test_officer_and_approver_may_request_reopen_suspend_terminate(client, personas, who):
    agreement = agreement_at("legal", home_city=personas.tehran)
    client.force_login(getattr(personas, who))
    html = client.get(url(agreement)).content.decode()
    for name in ["reopen", "suspend", "terminate"]:
        assert reverse(f"agreements:request-{name}", args=[agreement.pk]) in html
    assert reverse("agreements:request-resume", args=[agreement.pk]) not in html
    # The stage select of a reopen offers the earlier stages only.
    assert 'name="reopen-to_stage"' in html
    assert '<option value="contact"' in html and '<option value="goals"' in html
    assert '<option value="signing"' not in html


# --- Timeline and history -------------------------------------------------------------------------


def test_timeline_has_records_requests_and_stage_changes(client, personas):
    agreement = agreement_at("contact", home_city=personas.tehran)
    ContactFactory(agreement=agreement, participants="Both mayors in Rome")
    stage_request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    services.approve_stage_request(stage_request=stage_request, by=personas.approver)
    client.force_login(personas.viewer)
    events = client.get(url(agreement)).context["timeline"]
    kinds = [event.kind for event in events]
    assert "contact" in kinds
    assert "request" in kinds
    assert "decision-approved" in kinds
    stage_events = [event for event in events if event.kind == "stage"]
    assert len(stage_events) == 1
    # Newest first.
    assert events[0].event.moment >= events[-1].event.moment


def test_history_shows_field_differences_who_and_reason(client, personas, agreement):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    edit = client.post(
        reverse("agreements:edit", args=[agreement.pk]),
        {"title": "Renamed partnership", "origin": "trade", "kind": "friendship", "version": 1},
    )
    assert edit.status_code == 302
    client.force_login(personas.viewer)
    # ?history_page renders the history inline (otherwise it loads as it scrolls in).
    response = client.get(url(agreement), {"history_page": 1})
    entries = response.context["history"]
    edit = entries[0]
    assert edit.action == "changed"
    assert edit.reason == "Agreement edited"
    assert edit.who == "officer"
    labels = {change.label: (change.old, change.new) for change in edit.changes}
    assert labels["Title"] == ("Tehran and Florence", "Renamed partnership")
    html = response.content.decode()
    assert '<del dir="auto">Tehran and Florence</del>' in html


def test_history_shows_stage_changes_of_the_agreement(client, personas):
    agreement = agreement_at("contact", home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    services.approve_stage_request(stage_request=stage_request, by=personas.approver)
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "en"
    entries = client.get(url(agreement), {"history_page": 1}).context["history"]
    stage_changes = [
        change for entry in entries for change in entry.changes if change.label == "Stage"
    ]
    assert stage_changes[0].old == "Mayoral contact"
    assert stage_changes[0].new == "Goal definition"


def test_history_is_paginated(client, personas, agreement):
    for number in range(60):
        agreement.title = f"Title {number}"
        agreement.save()
    client.force_login(personas.viewer)
    first = client.get(url(agreement), {"history_page": 1}).context
    assert len(first["history"]) == 25
    assert first["history_pager"].paginator.count == 61
    history_url = reverse("agreements:history", args=[agreement.pk])
    third = client.get(history_url, {"page": 3})
    assert third.status_code == 200
    assert len(third.context["history"]) == 11
    # The oldest row is the creation.
    assert third.context["history"][-1].action in ("created", "ایجاد شد")
    fragment = client.get(history_url, {"page": 2}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b'id="history"' in fragment.content


def test_history_view_ladder(client, personas, agreement):
    history_url = reverse("agreements:history", args=[agreement.pk])
    assert client.get(history_url).status_code == 302
    client.force_login(personas.isfahan_officer)
    assert client.get(history_url).status_code == 404
    client.force_login(personas.viewer)
    assert client.get(history_url).status_code == 200
    assert client.post(history_url).status_code == 405


# --- A fixed number of queries ------------------------------------------------------------------


def _build(personas, records: int, edits: int):
    agreement = AgreementFactory(home_city=personas.tehran)
    for number in range(1, records + 1):
        ContactFactory(agreement=agreement)
        GoalFactory(agreement=agreement)
        CommonalityFactory(agreement=agreement)
        DepartmentSupportFactory(agreement=agreement)
        document = DocumentFactory(agreement=agreement)
        LegalApprovalFactory(agreement=agreement, document=document)
        memorandum = MemorandumFactory(agreement=agreement, number=number)
        MemorandumArticleFactory(memorandum=memorandum)
        DelegationFactory(agreement=agreement)
        ActivityFactory(agreement=agreement)
    StageRequest.objects.create(
        agreement=agreement,
        from_stage="contact",
        to_stage="goals",
        requested_by=personas.officer,
        state="rejected",
        decided_by=personas.approver,
        decided_at=timezone.now(),
    )
    for number in range(edits):
        agreement.title = f"Title {number}"
        agreement.responsible_officer = personas.officer if number % 2 else personas.approver
        agreement.save()
    return agreement


def _queries(client, agreement) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(agreement))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_agreement_page_query_count_does_not_grow(client, personas):
    small = _build(personas, records=3, edits=5)
    large = _build(personas, records=30, edits=50)
    client.force_login(personas.officer)
    _queries(client, small)  # warm-up: session, content types
    small_queries = _queries(client, small)
    large_queries = _queries(client, large)
    if len(small_queries) != len(large_queries):
        pytest.fail(
            f"{len(small_queries)} queries with 3 records of each kind, "
            f"{len(large_queries)} with 30:\n"
            + "\n".join(re.sub(r"\s+", " ", sql)[:300] for sql in large_queries)
        )
    assert len(large_queries) <= 50, "\n".join(large_queries)


# --- Downloads ---------------------------------------------------------------------------------------


def test_document_download_is_an_attachment_for_those_who_may_see_it(client, personas, agreement):
    document = DocumentFactory(agreement=agreement, original_name="نامه.pdf")
    download = reverse("agreements:document-download", args=[agreement.pk, document.pk])
    assert client.get(download).status_code == 302
    client.force_login(personas.isfahan_officer)
    assert client.get(download).status_code == 404
    client.force_login(personas.viewer)
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 letter"


def test_document_of_another_agreement_is_not_found(client, personas, agreement):
    other = AgreementFactory(home_city=personas.tehran)
    document = DocumentFactory(agreement=other)
    client.force_login(personas.viewer)
    download = reverse("agreements:document-download", args=[agreement.pk, document.pk])
    assert client.get(download).status_code == 404


def test_uploaded_html_is_never_served_as_html(client, personas, agreement):
    document = DocumentFactory(
        agreement=agreement,
        file=ContentFile(b"<script>alert(1)</script>", name="x.html"),
        content_type="text/html",
    )
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:document-download", args=[agreement.pk, document.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_media_is_not_served_by_url(client, personas):
    client.force_login(personas.viewer)
    assert client.get("/media/documents/x.pdf").status_code == 404


def test_frozen_memorandum_pdf_is_the_stored_file_byte_for_byte(client, personas, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    stored = b"%PDF-1.7 frozen bytes \x00\x01"
    memorandum.pdf.save("frozen.pdf", ContentFile(stored), save=False)
    memorandum.pdf_sha256 = hashlib.sha256(stored).hexdigest()
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored


def test_pdf_views_are_not_for_outsiders(client, personas, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    client.force_login(personas.isfahan_officer)
    for target in [
        reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]),
        reverse("agreements:dossier-pdf", args=[agreement.pk]),
        reverse("agreements:signed-mou-export", args=[agreement.pk]),
    ]:
        assert client.get(target).status_code == 404, target


def test_draft_memorandum_pdf_is_rendered_for_download(client, personas, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    MemorandumArticleFactory(memorandum=memorandum)
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "draft" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")


def test_dossier_pdf_in_the_readers_language(client, personas, agreement):
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("agreements:dossier-pdf", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "dossier-en.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_signed_mou_export(client, personas, agreement):
    client.force_login(personas.viewer)
    export = reverse("agreements:signed-mou-export", args=[agreement.pk])
    assert client.get(export).status_code == 404  # nothing signed yet
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.pdf.save("frozen.pdf", ContentFile(b"%PDF-1.7 frozen"), save=False)
    memorandum.pdf_sha256 = hashlib.sha256(b"%PDF-1.7 frozen").hexdigest()
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    response = client.get(export)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"PK")
