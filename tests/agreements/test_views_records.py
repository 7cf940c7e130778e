"""Record and agreement forms: the access ladder, every kind of record through
its form, htmx fragments, validation in the user's language, Jalali dates,
uploads, memoranda with their articles, and lost-update protection."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agreements import services
from agreements.models import (
    Activity,
    Agreement,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
)
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    GoalFactory,
    MemorandumArticleFactory,
    MemorandumFactory,
    officials_form_data,
)
from tests.workflow_helpers import approved_move, db_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def create_url(agreement, kind: str) -> str:
    return reverse("agreements:record-create", args=[agreement.pk, kind])


def edit_url(agreement, kind: str, record) -> str:
    return reverse("agreements:record-edit", args=[agreement.pk, kind, record.pk])


def delete_url(agreement, kind: str, record) -> str:
    return reverse("agreements:record-delete", args=[agreement.pk, kind, record.pk])


# --- The ladder -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, agreement):
    for response in [
        client.get(create_url(agreement, "contacts")),
        client.post(create_url(agreement, "contacts"), {}),
        client.get(reverse("agreements:create")),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_outsider_gets_404(client, personas, agreement):
    contact = ContactFactory(agreement=agreement)
    client.force_login(personas.isfahan_officer)
    assert client.get(create_url(agreement, "contacts")).status_code == 404
    assert client.get(edit_url(agreement, "contacts", contact)).status_code == 404
    assert client.post(delete_url(agreement, "contacts", contact)).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_viewer_gets_403_on_every_write(client, personas, agreement):
    contact = ContactFactory(agreement=agreement)
    client.force_login(personas.viewer)
    before = db_state()
    assert client.get(create_url(agreement, "contacts")).status_code == 403
    response = client.post(
        create_url(agreement, "contacts"), {"date": "2024-05-01", "participants": "Mayors"}
    )
    assert response.status_code == 403
    assert client.get(edit_url(agreement, "contacts", contact)).status_code == 403
    assert client.post(delete_url(agreement, "contacts", contact)).status_code == 403
    assert client.get(reverse("agreements:edit", args=[agreement.pk])).status_code == 403
    assert client.get(reverse("agreements:create")).status_code == 403
    assert db_state() == before


def test_delete_is_post_only(client, personas, agreement):
    contact = ContactFactory(agreement=agreement)
    client.force_login(personas.officer)
    assert client.get(delete_url(agreement, "contacts", contact)).status_code == 405
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_unknown_kind_is_not_found(client, personas, agreement):
    client.force_login(personas.officer)
    assert client.get(create_url(agreement, "secrets")).status_code == 404


def test_record_of_another_agreement_is_not_found(client, personas, agreement):
    other = AgreementFactory(home_city=personas.tehran)
    contact = ContactFactory(agreement=other)
    client.force_login(personas.officer)
    assert client.get(edit_url(agreement, "contacts", contact)).status_code == 404
    assert client.post(delete_url(agreement, "contacts", contact)).status_code == 404


def test_terminated_agreement_is_read_only(client, personas, agreement):
    approved_move(
        agreement,
        "terminate",
        by=personas.officer,
        approver=personas.approver,
        note="Ended by both councils",
    )
    client.force_login(personas.officer)
    assert client.get(create_url(agreement, "contacts")).status_code == 409
    assert client.get(reverse("agreements:edit", args=[agreement.pk])).status_code == 409


# --- Every kind through its form ------------------------------------------------------------------

VALID = {
    "contacts": (Contact, {"date": "2024-05-01", "participants": "Both mayors", "place": "Rome"}),
    "goals": (Goal, {"sector": "culture", "description": "A yearly cultural week"}),
    "commonalities": (Commonality, {"kind": "historical", "description": "Silk Road"}),
    "department-supports": (
        DepartmentSupport,
        {"department": "council", "supported_on": "2024-06-01", "joint_committee": "on"},
    ),
    "legal-approvals": (
        LegalApproval,
        {"side": "home", "authority": "home_council", "status": "granted", "reference": "R-1"},
    ),
    "delegations": (
        Delegation,
        {
            "direction": "outgoing",
            "start_date": "2024-07-01",
            "end_date": "2024-07-05",
            "head": "Deputy mayor",
            "official": "on",
        },
    ),
    "activities": (
        Activity,
        {"sector": "arts", "title": "Calligraphy exhibition", "start_date": "2024-09-01"},
    ),
}


@pytest.mark.parametrize("kind", sorted(VALID))
def test_officer_creates_and_edits_every_kind(english, personas, agreement, kind):
    model, data = VALID[kind]
    english.force_login(personas.officer)
    assert english.get(create_url(agreement, kind)).status_code == 200
    response = english.post(create_url(agreement, kind), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].endswith(f"#section-{kind}")
    record = model.objects.get(agreement=agreement)
    assert record.created_by == personas.officer
    assert record.history.first().history_user == personas.officer

    form = english.get(edit_url(agreement, kind, record))
    assert form.status_code == 200
    assert f'name="version" value="{record.version}"' in form.content.decode()
    changed = {**data, "version": record.version}
    text_field = {
        "contacts": "notes",
        "goals": "indicator",
        "commonalities": "description",
        "department-supports": "notes",
        "legal-approvals": "notes",
        "delegations": "purpose",
        "activities": "description",
    }[kind]
    changed[text_field] = "Edited through the page"
    response = english.post(edit_url(agreement, kind, record), changed)
    assert response.status_code == 302
    record.refresh_from_db()
    assert getattr(record, text_field) == "Edited through the page"
    assert record.version == 2


def test_forms_never_offer_workflow_fields(client, personas, agreement):
    client.force_login(personas.officer)
    html = client.get(reverse("agreements:edit", args=[agreement.pk])).content.decode()
    for name in ["stage", "status", "stage_changed_at", "created_by", "signed_year"]:
        assert f'name="{name}"' not in html
    memorandum = MemorandumFactory(agreement=agreement)
    html = client.get(edit_url(agreement, "memoranda", memorandum)).content.decode()
    for name in ["frozen_at", "frozen_by", "pdf", "pdf_sha256", "number", "supersedes"]:
        assert f'name="{name}"' not in html


def test_delete_removes_the_record_and_keeps_its_history(client, personas, agreement):
    contact = ContactFactory(agreement=agreement)
    client.force_login(personas.officer)
    response = client.post(delete_url(agreement, "contacts", contact))
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.history.filter(id=contact.pk, history_type="-").exists()


# --- htmx -------------------------------------------------------------------------------------------


def test_htmx_add_returns_the_section_and_the_checklist(client, personas, agreement):
    client.force_login(personas.officer)
    form = client.get(create_url(agreement, "contacts"), headers={"HX-Request": "true"})
    assert b"<html" not in form.content
    assert b'hx-post="' in form.content
    response = client.post(
        create_url(agreement, "contacts"),
        {"date": "2024-05-01", "participants": "Both mayors"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="section-contacts"' in html
    assert "Both mayors" in html
    assert (
        'id="checklist" aria-labelledby="checklist-heading" aria-live="polite" hx-swap-oob="true"'
        in html
    )
    assert 'data-code="contact"' in html
    # The contact gate is now met.
    assert "is-done" in html and "is-missing" not in html


def test_htmx_invalid_form_goes_back_into_the_form_slot(client, personas, agreement):
    client.force_login(personas.officer)
    response = client.post(
        create_url(agreement, "contacts"), {"date": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#form-slot-contacts"
    assert response["HX-Reswap"] == "innerHTML"
    assert not Contact.objects.exists()


def test_htmx_delete_returns_the_section(client, personas, agreement):
    goal = GoalFactory(agreement=agreement)
    client.force_login(personas.officer)
    response = client.post(delete_url(agreement, "goals", goal), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'id="section-goals"' in response.content
    assert not Goal.objects.exists()


# --- Validation and dates ----------------------------------------------------------------------------


def test_validation_messages_in_persian(client, personas, agreement):
    client.force_login(personas.officer)
    response = client.post(create_url(agreement, "contacts"), {"date": "", "participants": ""})
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("fa"):
        required = str(forms.Field.default_error_messages["required"])
    assert required != "This field is required."
    assert required in html
    assert "This field is required." not in html
    assert 'aria-invalid="true"' in html
    assert not Contact.objects.exists()


def test_validation_messages_in_english(english, personas, agreement):
    english.force_login(personas.officer)
    response = english.post(create_url(agreement, "contacts"), {"date": "", "participants": ""})
    assert "This field is required." in response.content.decode()


def test_jalali_date_on_persian_page(client, personas, agreement):
    client.force_login(personas.officer)
    form = client.get(create_url(agreement, "contacts")).content.decode()
    assert 'placeholder="۱۴۰۳/۰۲/۱۵"' in form
    response = client.post(
        create_url(agreement, "contacts"), {"date": "۱۴۰۳/۰۲/۱۵", "participants": "Mayors"}
    )
    assert response.status_code == 302
    assert Contact.objects.get().date == datetime.date(2024, 5, 4)


def test_end_before_start_is_refused_with_a_message(english, personas, agreement):
    english.force_login(personas.officer)
    response = english.post(
        create_url(agreement, "delegations"),
        {
            "direction": "incoming",
            "start_date": "2024-07-05",
            "end_date": "2024-07-01",
            "head": "X",
        },
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Delegation.objects.exists()


def test_checklist_link_preselects_the_choice(client, personas, agreement):
    client.force_login(personas.officer)
    html = client.get(
        create_url(agreement, "department-supports") + "?department=council"
    ).content.decode()
    assert '<option value="council" selected>' in html


# --- Lost updates --------------------------------------------------------------------------------------


def test_second_of_two_edits_is_refused_and_keeps_what_was_typed(english, personas, agreement):
    contact = ContactFactory(agreement=agreement, participants="Original")
    english.force_login(personas.officer)
    first = {"date": "2024-05-01", "participants": "First editor", "version": contact.version}
    second = {"date": "2024-05-01", "participants": "Second editor", "version": contact.version}
    assert english.post(edit_url(agreement, "contacts", contact), first).status_code == 302
    response = english.post(edit_url(agreement, "contacts", contact), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert str(services.STALE) in html
    assert "Second editor" in html  # what the user typed is still in the form
    assert "First editor" in html  # and what was saved meanwhile is shown
    contact.refresh_from_db()
    assert contact.participants == "First editor"
    # The form now carries the stored version: saving again is a deliberate overwrite.
    assert f'name="version" value="{contact.version}"' in html
    again = english.post(
        edit_url(agreement, "contacts", contact), {**second, "version": contact.version}
    )
    assert again.status_code == 302
    contact.refresh_from_db()
    assert contact.participants == "Second editor"


def test_edit_without_version_is_refused(english, personas, agreement):
    contact = ContactFactory(agreement=agreement, participants="Original")
    english.force_login(personas.officer)
    response = english.post(
        edit_url(agreement, "contacts", contact), {"date": "2024-05-01", "participants": "X"}
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.participants == "Original"


def test_htmx_conflict_is_shown_in_the_form_slot(client, personas, agreement):
    goal = GoalFactory(agreement=agreement)
    stale = goal.version
    goal.description = "Changed elsewhere"
    goal.save()
    client.force_login(personas.officer)
    response = client.post(
        edit_url(agreement, "goals", goal),
        {"sector": "culture", "description": "Mine", "version": stale},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#form-slot-goals"
    assert "Mine" in response.content.decode()
    goal.refresh_from_db()
    assert goal.description == "Changed elsewhere"


def test_agreement_edit_conflict(english, personas, agreement):
    english.force_login(personas.officer)
    data = {"title": "First", "origin": "trade", "kind": "friendship", "version": 1}
    assert english.post(reverse("agreements:edit", args=[agreement.pk]), data).status_code == 302
    response = english.post(
        reverse("agreements:edit", args=[agreement.pk]), {**data, "title": "Second"}
    )
    assert response.status_code == 409
    assert 'value="Second"' in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title == "First"


# --- The agreement itself --------------------------------------------------------------------------------


def test_officer_creates_an_agreement(english, personas):
    partner = CityFactory(name="Florence")
    english.force_login(personas.officer)
    assert english.get(reverse("agreements:create")).status_code == 200
    response = english.post(
        reverse("agreements:create"),
        {
            "home_city": personas.tehran.pk,
            "partner_city": partner.pk,
            "kind": "friendship",
            "origin": "trade",
            "title": "Tehran and Florence",
            "first_contact_on": "2024-03-01",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(partner_city=partner)
    assert response["Location"] == reverse("agreements:detail", args=[agreement.pk])
    assert agreement.stage == "contact"
    assert agreement.created_by == personas.officer
    assert agreement.first_contact_on == datetime.date(2024, 3, 1)


def test_officer_cannot_create_for_another_municipality(english, personas):
    partner = CityFactory()
    english.force_login(personas.isfahan_officer)
    response = english.post(
        reverse("agreements:create"),
        {
            "home_city": personas.tehran.pk,
            "partner_city": partner.pk,
            "kind": "friendship",
            "origin": "trade",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Agreement.objects.exists()


def test_duplicate_pair_is_refused_with_a_message(english, personas, agreement):
    english.force_login(personas.officer)
    response = english.post(
        reverse("agreements:create"),
        {
            "home_city": personas.tehran.pk,
            "partner_city": agreement.partner_city.pk,
            "kind": "friendship",
            "origin": "trade",
        },
    )
    assert response.status_code == 200
    assert "These two cities already have a live agreement." in response.content.decode()
    assert Agreement.objects.count() == 1


# --- Documents ---------------------------------------------------------------------------------------------


def test_upload_stores_the_file_with_its_hash(client, personas, agreement):
    client.force_login(personas.officer)
    content = b"%PDF-1.4 signed scan"
    upload = SimpleUploadedFile("امضا شده.pdf", content, content_type="application/pdf")
    response = client.post(
        create_url(agreement, "documents"),
        {"kind": "letter", "title": "Mayor's letter", "file": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.original_name == "امضا شده.pdf"
    assert "امضا" not in document.file.name  # stored under a generated name
    download = client.get(reverse("agreements:document-download", args=[agreement.pk, document.pk]))
    assert b"".join(download.streaming_content) == content


def test_upload_of_a_program_is_refused(english, personas, agreement):
    english.force_login(personas.officer)
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = english.post(create_url(agreement, "documents"), {"kind": "other", "file": upload})
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_upload_over_the_limit_is_refused(english, personas, agreement, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    english.force_login(personas.officer)
    upload = SimpleUploadedFile("big.pdf", b"x" * 2048, content_type="application/pdf")
    response = english.post(create_url(agreement, "documents"), {"kind": "other", "file": upload})
    assert "too large" in response.content.decode()
    assert not Document.objects.exists()


# --- Memoranda ------------------------------------------------------------------------------------------------


def test_new_memorandum_is_made_from_the_goals(client, personas, agreement):
    GoalFactory(agreement=agreement, description="Student exchanges")
    client.force_login(personas.officer)
    assert client.get(create_url(agreement, "memoranda")).status_code == 200
    assert not Memorandum.objects.exists()
    response = client.post(create_url(agreement, "memoranda"))
    memorandum = Memorandum.objects.get()
    assert response["Location"] == edit_url(agreement, "memoranda", memorandum)
    assert memorandum.articles.count() >= 5
    assert any("Student exchanges" in a.body_en for a in memorandum.articles.all())


def _memorandum_post(memorandum, articles, **changes) -> dict:
    data = {
        "signed_on": "2025-03-01",
        "place": "Tehran",
        "term_years": "5",
        "home_signatory_name": "Home Mayor",
        "partner_signatory_name": "Partner Mayor",
        "version": memorandum.version,
        "articles-TOTAL_FORMS": str(len(articles)),
        "articles-INITIAL_FORMS": str(len(articles)),
        "articles-MIN_NUM_FORMS": "0",
        "articles-MAX_NUM_FORMS": "1000",
        **officials_form_data(memorandum),
    }
    for index, article in enumerate(articles):
        data.update(
            {
                f"articles-{index}-id": article.pk,
                f"articles-{index}-memorandum": memorandum.pk,
                f"articles-{index}-version": article.version,
                f"articles-{index}-position": article.position,
                f"articles-{index}-key": article.key,
                f"articles-{index}-heading_en": article.heading_en,
                f"articles-{index}-heading_fa": article.heading_fa,
                f"articles-{index}-body_en": article.body_en,
                f"articles-{index}-body_fa": article.body_fa,
            }
        )
    data.update(changes)
    return data


def test_memorandum_and_articles_are_saved_together(english, personas, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    first = MemorandumArticleFactory(memorandum=memorandum, position=1)
    second = MemorandumArticleFactory(memorandum=memorandum, position=2)
    english.force_login(personas.officer)
    page = english.get(edit_url(agreement, "memoranda", memorandum))
    assert page.status_code == 200
    data = _memorandum_post(
        memorandum,
        [first, second],
        **{"place": "Florence", "articles-0-body_en": "Revised text", "articles-1-DELETE": "on"},
    )
    response = english.post(edit_url(agreement, "memoranda", memorandum), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    memorandum.refresh_from_db()
    first.refresh_from_db()
    assert memorandum.place == "Florence"
    assert first.body_en == "Revised text"
    assert not MemorandumArticle.objects.filter(pk=second.pk).exists()


def test_an_overlong_article_is_refused_with_a_message_and_changes_nothing(personas, agreement):
    # 20,000 characters per language at most: a 100,000-character article would
    # hold a worker for most of a minute when the PDF is rendered.
    from django.test import Client

    memorandum = MemorandumFactory(agreement=agreement)
    article = MemorandumArticleFactory(memorandum=memorandum, position=1)
    client = Client()
    client.force_login(personas.officer)
    page = client.get(edit_url(agreement, "memoranda", memorandum)).content.decode()
    assert 'maxlength="20000"' in page
    data = _memorandum_post(memorandum, [article], **{"articles-0-body_fa": "م" * 20_001})
    response = client.post(edit_url(agreement, "memoranda", memorandum), data)
    assert response.status_code == 200
    body = response.content.decode()
    # Django's own message, from its Persian catalogue, beside the field.
    assert "حداکثر ۲۰۰۰۰ کاراکتر" in body  # the page is Persian, in Persian digits
    article.refresh_from_db()
    assert article.body_fa != "م" * 20_001 and article.version == 1


def test_stale_article_edit_changes_nothing(english, personas, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    article = MemorandumArticleFactory(memorandum=memorandum)
    data = _memorandum_post(
        memorandum, [article], **{"place": "Florence", "articles-0-body_en": "Mine"}
    )
    article.body_en = "Someone else's"
    article.save()
    english.force_login(personas.officer)
    response = english.post(edit_url(agreement, "memoranda", memorandum), data)
    assert response.status_code == 409
    assert "Mine" in response.content.decode()
    memorandum.refresh_from_db()
    article.refresh_from_db()
    assert memorandum.place == "Tehran"  # the whole save was rolled back
    assert article.body_en == "Someone else's"


def test_frozen_memorandum_cannot_be_edited(client, personas, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.frozen_at = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    memorandum.save()
    client.force_login(personas.officer)
    assert client.get(edit_url(agreement, "memoranda", memorandum)).status_code == 409
    assert client.post(delete_url(agreement, "memoranda", memorandum)).status_code == 409
    assert Memorandum.objects.filter(pk=memorandum.pk).exists()
