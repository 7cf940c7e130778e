"""What is already stored never breaks a page: dates outside 1900-2100 (0001-01-01,
9999-12-31, which have no Jalali date in jdatetime) and text with control
characters and line breaks, written before the models refused them. Every page,
document, export and e-mail that shows them answers; dates show as ISO dates.

The values are written with QuerySet.update (no validation, as an old row or a
raw SQL fix would be) and then saved once more, so a history row holds them too.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from openpyxl import load_workbook
from rest_framework.test import APIClient

from agreements.dates import persian_digits
from agreements.models import (
    Activity,
    Agreement,
    Contact,
    Delegation,
    DepartmentSupport,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
    UserProfile,
)
from cities.models import City
from tests.factories import (
    ActivityFactory,
    AgreementFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DepartmentSupportFactory,
    GoalFactory,
    LegalApprovalFactory,
    MemorandumArticleFactory,
    MemorandumFactory,
)
from tests.workflow_helpers import fulfil_gate

pytestmark = pytest.mark.django_db

DATE_FIELDS = {
    Agreement: ["first_contact_on", "signed_on", "expires_on"],
    Contact: ["date"],
    Goal: ["target_date"],
    DepartmentSupport: ["supported_on"],
    LegalApproval: ["requested_on", "decided_on"],
    Memorandum: ["signed_on"],
    Delegation: ["start_date", "end_date"],
    Activity: ["start_date", "end_date"],
}


def hostile_text() -> str:
    """Control characters, line breaks, bidi marks; NUL only where the database can
    hold it (PostgreSQL's text cannot)."""
    nul = "\x00" if connection.vendor != "postgresql" else ""
    return f"Ro{nul}me\x01\x08\x0b\x0c\x1b\r\nline\u2028two\x7f\x85\x9f\u200f\ufffe end"


@pytest.fixture
def world(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    for factory in (
        ContactFactory,
        GoalFactory,
        CommonalityFactory,
        DepartmentSupportFactory,
        LegalApprovalFactory,
        DelegationFactory,
        ActivityFactory,
    ):
        factory(agreement=agreement)
    MemorandumArticleFactory(memorandum=MemorandumFactory(agreement=agreement))
    return agreement


def _rows(model, agreement):
    if model is Agreement:
        return Agreement.objects.filter(pk=agreement.pk)
    return model.objects.filter(agreement=agreement)


def store_dates(agreement, day: datetime.date) -> None:
    for model, fields in DATE_FIELDS.items():
        _rows(model, agreement).update(**dict.fromkeys(fields, day))
        for row in _rows(model, agreement):
            row.save()  # a history row with the value


def store_text(agreement, text: str) -> None:
    City.objects.filter(pk=agreement.partner_city_id).update(name=text, name_fa=text, region=text)
    _rows(Agreement, agreement).update(title=text, summary=text)
    _rows(Contact, agreement).update(participants=text, place=text, notes=text)
    _rows(Delegation, agreement).update(head=text, purpose=text)
    _rows(Memorandum, agreement).update(place=text, home_signatory_name=text)
    MemorandumArticle.objects.filter(memorandum__agreement=agreement).update(
        heading_en=text, body_en=text, heading_fa=text, body_fa=text
    )
    for model in (Agreement, Contact, Delegation, Memorandum):
        for row in _rows(model, agreement):
            row.save()


def urls(agreement) -> list[str]:
    contact = agreement.contacts.get()
    memorandum = agreement.memoranda.get()
    return [
        f"/agreements/{agreement.pk}/",
        f"/agreements/{agreement.pk}/history/",
        f"/agreements/{agreement.pk}/dossier.pdf",
        f"/agreements/{agreement.pk}/edit/",
        f"/agreements/{agreement.pk}/contacts/{contact.pk}/edit/",
        reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk]),
        "/agreements/export.csv",
        "/agreements/export.xlsx",
        "/agreements/",
        "/",
        f"/cities/{agreement.partner_city_id}/",
        "/cities/",
        f"/api/v1/agreements/{agreement.pk}/",
        f"/api/v1/agreements/{agreement.pk}/history/",
        f"/api/v1/agreements/{agreement.pk}/contacts/",
        f"/api/v1/cities/{agreement.partner_city_id}/",
        "/api/v1/agreements/export.csv",
        "/api/v1/agreements/export.xlsx",
    ]


def get_all(user, agreement, language: str) -> dict[str, object]:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    api = APIClient(raise_request_exception=False)
    _token, key = AuthToken.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    responses = {}
    for url in urls(agreement):
        response = (api if url.startswith("/api/") else client).get(url)
        responses[url] = response
    failed = {url: r.status_code for url, r in responses.items() if r.status_code != 200}
    assert not failed, failed
    return responses


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("day", [datetime.date.min, datetime.date.max], ids=str)
def test_dates_outside_the_bounds_render_everywhere(personas, world, day, language):
    store_dates(world, day)
    responses = get_all(personas.officer, world, language)
    iso = day.isoformat()
    if language == "fa":
        # No Jalali date exists: the ISO date is shown instead.
        assert iso in responses[f"/agreements/{world.pk}/"].content.decode()
    assert iso in responses[f"/api/v1/agreements/{world.pk}/"].json()["first_contact_on"]
    assert iso.encode() in _content(responses["/agreements/export.csv"])
    sheet = load_workbook(io.BytesIO(responses["/agreements/export.xlsx"].content)).active
    values = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    # An Excel date where Excel has one (from 1900), else the ISO text.
    excel = iso if day.year < 1900 else datetime.datetime.combine(day, datetime.time())
    assert excel in values
    if language == "fa":
        # The Solar Hijri column: no such date, the ISO date in Persian digits.
        assert persian_digits(iso) in values
    assert responses[f"/agreements/{world.pk}/dossier.pdf"].content.startswith(b"%PDF")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_text_with_control_characters_renders_everywhere(personas, world, language):
    text = hostile_text()
    store_text(world, text)
    responses = get_all(personas.officer, world, language)
    sheet = load_workbook(io.BytesIO(responses["/agreements/export.xlsx"].content)).active
    row = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    # Every character XML cannot hold was written as U+FFFD; the rest is kept.
    title = row[sheet_columns(sheet).index("عنوان" if language == "fa" else "Title")]
    assert title.startswith("Ro") and "\ufffd" in title and "line\u2028two" in title
    assert all(ch not in title for ch in "\x00\x01\x08\x0b\x0c\x1b\ufffe")
    assert responses[f"/api/v1/agreements/{world.pk}/"].json()["title"] == text


def sheet_columns(sheet) -> list[str]:
    return [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]


def test_reminder_email_is_sent_for_a_city_name_with_line_breaks(personas):
    personas.officer.email = "officer@example.org"
    personas.officer.save()
    UserProfile.objects.create(user=personas.officer, language="en")
    agreement = AgreementFactory(home_city=personas.tehran)
    agreement.stage_changed_at = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    agreement.save()
    City.objects.filter(pk=agreement.partner_city_id).update(name="Flo\r\nrence\x1b")
    call_command("send_reminders", stdout=io.StringIO())
    (sent,) = [m for m in mail.outbox if m.to == ["officer@example.org"]]
    assert sent.subject == "Stalled agreement: Tehran – Flo rence"
    assert sent.message()["Subject"]  # the header is built: no BadHeaderError
    assert "\x1b" not in sent.body and "rence\ufffd" in sent.body


def test_request_email_is_sent_for_a_city_name_with_line_breaks(
    personas, django_capture_on_commit_callbacks
):
    personas.approver.email = "approver@example.org"
    personas.approver.save()
    UserProfile.objects.create(user=personas.approver, language="fa")
    agreement = AgreementFactory(home_city=personas.tehran)
    fulfil_gate(agreement)
    City.objects.filter(pk=agreement.partner_city_id).update(name_fa="فلو\nرانس\x85")
    client = Client()
    client.force_login(personas.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agreements:request-advance", args=[agreement.pk]), {"advance-note": "Ready"}
        )
    assert response.status_code in (200, 302)
    (sent,) = [m for m in mail.outbox if m.to == ["approver@example.org"]]
    assert "فلو رانس" in sent.subject and "\n" not in sent.subject
