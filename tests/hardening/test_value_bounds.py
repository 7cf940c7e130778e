"""Value bounds seen from outside: dates from 1900-01-01 to 2100-12-31, no line break
in one-line text, no control character in any text. Each way in (pages, API,
admin, import) refuses with the message in the reader's language, and writes
nothing."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from knox.models import AuthToken
from openpyxl import Workbook
from rest_framework.test import APIClient

from agreements import importing
from agreements.models import Agreement, Contact, Goal
from cities.models import City
from cities.validators import (
    CONTROL_CHARACTER,
    DATE_LOOKS_JALALI,
    DATE_OUT_OF_RANGE,
    LINE_BREAK,
)
from tests.api.problems import field_messages
from tests.factories import AgreementFactory, MemorandumFactory
from tests.workflow_helpers import db_state

pytestmark = pytest.mark.django_db

RANGE = {
    "min": "1900-01-01",
    "max": "2100-12-31",
    "min_jalali": "1278-10-11",
    "max_jalali": "1479-10-10",
}


def message(template, language: str, **params) -> str:
    with translation.override(language):
        return str(template) % params if params else str(template)


def page_client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def api_client(user, language: str) -> APIClient:
    client = APIClient()
    _token, key = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran, title="Before")


def _contact_url(agreement) -> str:
    return reverse("agreements:record-create", args=[agreement.pk, "contacts"])


# --- Pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("fa", "۰۰۰۱/۰۱/۰۱"),  # Jalali year 1: 622 CE
        ("fa", "1899/12/31"),
        ("fa", "9999/12/31"),
        ("en", "1899-12-31"),
        ("en", "2101-01-01"),
    ],
)
def test_page_refuses_a_date_out_of_bounds(personas, agreement, language, typed):
    client = page_client(personas.officer, language)
    before = db_state()
    response = client.post(_contact_url(agreement), {"date": typed, "participants": "Mayors"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message(DATE_OUT_OF_RANGE, language, **RANGE) in html
    assert 'aria-invalid="true"' in html
    assert db_state() == before


def test_page_keeps_accepting_the_bounds_themselves(personas, agreement):
    client = page_client(personas.officer, "fa")
    # 1900-01-01 as a contact's date; 2100-12-31 as a goal's target date (a contact
    # has happened, so it cannot be after today).
    first = client.post(_contact_url(agreement), {"date": "1278/10/11", "participants": "M"})
    assert first.status_code == 302
    goal = {"sector": "culture", "description": "A week", "target_date": "1479/10/10"}
    goal_url = reverse("agreements:record-create", args=[agreement.pk, "goals"])
    assert client.post(goal_url, goal).status_code == 302
    assert list(Contact.objects.values_list("date", flat=True)) == [datetime.date(1900, 1, 1)]
    assert list(Goal.objects.values_list("target_date", flat=True)) == [datetime.date(2100, 12, 31)]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_page_refuses_control_characters_and_line_breaks(personas, agreement, language):
    client = page_client(personas.officer, language)
    before = db_state()
    response = client.post(
        _contact_url(agreement),
        {"date": "2024-05-01", "participants": "Both\x1b mayors", "place": "Rome\nMilan"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message(CONTROL_CHARACTER, language, character="U+001B") in html
    assert message(LINE_BREAK, language) in html
    assert db_state() == before


@pytest.mark.parametrize("language", ["fa", "en"])
def test_agreement_edit_refuses_a_title_on_two_lines(personas, agreement, language):
    client = page_client(personas.officer, language)
    response = client.post(
        reverse("agreements:edit", args=[agreement.pk]),
        {
            "title": "First\r\nSecond",
            "kind": agreement.kind,
            "origin": agreement.origin,
            "version": agreement.version,
        },
    )
    assert response.status_code == 200
    assert message(LINE_BREAK, language) in response.content.decode()
    agreement.refresh_from_db()
    assert (agreement.title, agreement.version) == ("Before", 1)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_city_page_refuses_a_control_character_in_a_name(personas, language):
    client = page_client(personas.officer, language)
    before = db_state()
    response = client.post(
        reverse("cities:create"), {"name": "Rome\x7f", "country": "IT", "name_fa": "رم"}
    )
    assert response.status_code == 200
    assert message(CONTROL_CHARACTER, language, character="U+007F") in response.content.decode()
    assert db_state() == before


# --- API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fa", "en"])
def test_api_names_a_jalali_date_sent_as_gregorian(personas, agreement, language):
    api = api_client(personas.officer, language)
    before = db_state()
    url = f"/api/v1/agreements/{agreement.pk}/contacts/"
    for sent, gregorian in [("1405-09-12", "2026-12-03"), ("1403-06-31", "2024-09-21")]:
        response = api.post(url, {"date": sent, "participants": "Mayors"}, format="json")
        assert response.status_code == 400, response.content
        assert field_messages(response)["date"] == [
            message(DATE_LOOKS_JALALI, language, value=sent, gregorian=gregorian)
        ]
    assert db_state() == before


@pytest.mark.parametrize("language", ["fa", "en"])
def test_api_refuses_dates_out_of_bounds_and_changes_nothing(personas, agreement, language):
    api = api_client(personas.officer, language)
    url = f"/api/v1/agreements/{agreement.pk}/"
    for field in ("first_contact_on",):  # expires_on is the workflow's (read-only)
        for sent in ("0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"):
            response = api.patch(url, {field: sent, "title": "After"}, format="json")
            assert response.status_code == 400, response.content
            assert field_messages(response)[field] == [
                message(DATE_OUT_OF_RANGE, language, **RANGE)
            ]
    agreement.refresh_from_db()
    assert (agreement.title, agreement.version) == ("Before", 1)
    assert agreement.first_contact_on is None and agreement.expires_on is None


@pytest.mark.parametrize("language", ["fa", "en"])
def test_api_refuses_line_breaks_and_control_characters(personas, agreement, language):
    api = api_client(personas.officer, language)
    before = db_state()
    response = api.patch(
        f"/api/v1/agreements/{agreement.pk}/",
        {"title": "First\nSecond", "summary": "ok\x00"},
        format="json",
    )
    assert response.status_code == 400
    body = field_messages(response)
    assert body["title"] == [message(LINE_BREAK, language)]
    assert message(CONTROL_CHARACTER, language, character="U+0000") in body["summary"]
    response = api.post("/api/v1/cities/", {"name": "Ro\u0085me", "country": "IT"}, format="json")
    assert response.status_code == 400
    assert field_messages(response)["name"] == [message(LINE_BREAK, language)]
    response = api.post(
        f"/api/v1/agreements/{agreement.pk}/delegations/",
        {
            "direction": "outgoing",
            "start_date": "2025-01-01",
            "head": "Mayor",
            "purpose": "\x1b[31m",
        },
        format="json",
    )
    assert response.status_code == 400
    assert field_messages(response)["purpose"] == [
        message(CONTROL_CHARACTER, language, character="U+001B")
    ]
    assert db_state() == before
    agreement.refresh_from_db()
    assert (agreement.title, agreement.summary, agreement.version) == ("Before", "", 1)


def test_api_keeps_text_that_is_not_control(personas, agreement):
    api = api_client(personas.officer, "en")
    text = "Line one\r\nLine two\twith a tab, \u200fRTL mark and \u200cZWNJ"
    response = api.patch(
        f"/api/v1/agreements/{agreement.pk}/",
        {"summary": text, "title": "تهران – Roma"},
        format="json",
    )
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert agreement.summary == text and agreement.title == "تهران – Roma"


# --- Admin ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fa", "en"])
def test_admin_refuses_out_of_bounds_values(personas, language):
    client = page_client(personas.admin, language)
    partner = City.objects.create(name="Florence", country="IT")
    before = db_state()
    response = client.post(
        reverse("admin:agreements_agreement_add"),
        {
            "home_city": personas.tehran.pk,
            "partner_city": partner.pk,
            "kind": "friendship",
            "origin": "trade",
            "title": "One\nTwo",
            "first_contact_on": "1405-09-12",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message(LINE_BREAK, language) in html
    assert message(DATE_LOOKS_JALALI, language, value="1405-09-12", gregorian="2026-12-03") in html
    assert db_state() == before


# --- Import -------------------------------------------------------------------------------------------

ROW = {
    "home_city": "Tehran",
    "home_country": "IR",
    "home_name_fa": "تهران",
    "partner_city": "Florence",
    "partner_country": "IT",
    "partner_name_fa": "فلورانس",
    "kind": "sister",
    "stage": "active",
    "year": "1998",
    "notes": "",
}


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importing.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(importing.COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in importing.COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_import_names_the_column_with_a_control_character(personas, language, settings):
    client = page_client(personas.admin, language)
    rows = [
        {**ROW, "partner_city": "Kyoto", "partner_country": "JP", "notes": "bad\x00note"},
        {**ROW, "partner_city": "Osaka\nCity", "partner_country": "JP"},  # lines 3 and 4
        {**ROW, "notes": "fine\r\non two lines"},  # line 5: notes may span lines
    ]
    before = db_state()
    upload = SimpleUploadedFile("partners.csv", _csv(rows), content_type="text/csv")
    response = client.post("/agreements/import/", {"action": "check", "file": upload})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    with translation.override(language):
        control = str(
            importing.RowError(
                2,
                str(importing._CONTROL_IN_COLUMN) % {"character": "U+0000", "column": "notes"},
            )
        )
        line_break = str(
            importing.RowError(3, str(importing._LINE_BREAK_IN_COLUMN) % {"column": "partner_city"})
        )
    assert control in html
    assert line_break in html
    assert "Line 5" not in html and "سطر 5:" not in html  # the good row is not blamed
    assert db_state() == before


def test_import_of_xlsx_with_c1_characters_writes_nothing(personas):
    rows = [{**ROW, "home_name_fa": "ته\x85ران", "notes": "o\x7fk"}]
    plan = importing.plan_import(importing.read_rows(io.BytesIO(_xlsx(rows)), "x.xlsx"))
    assert [e.message for e in plan.errors] == [
        "Line break in column home_name_fa: use one line.",
        "Control character U+007F in column notes: remove it (it is invisible and "
        "cannot be stored).",
    ]
    with pytest.raises(importing.ImportRefused):
        importing.apply_import(plan, by=personas.admin, reason="test")
    assert not Agreement.objects.exists()
    assert not City.objects.filter(name="Florence").exists()


# --- Terms ---------------------------------------------------------------------------------------------


def test_a_term_past_99_years_is_refused(personas, agreement):
    # The workflow adds the term to the signing date: 32,767 years passed year 9999
    # and the approval of the signing stage failed.
    memorandum = MemorandumFactory(agreement=agreement)
    api = api_client(personas.officer, "en")
    before = db_state()
    # The agreement's term is the workflow's (taken from the memorandum at signing).
    for url, body in [
        (f"/api/v1/agreements/{agreement.pk}/memoranda/{memorandum.pk}/", {"term_years": 100}),
    ]:
        response = api.patch(url, body, format="json")
        assert response.status_code == 400
        assert field_messages(response) == {
            "term_years": ["Ensure this value is less than or equal to 99."]
        }
    assert db_state() == before
    response = api.patch(
        f"/api/v1/agreements/{agreement.pk}/memoranda/{memorandum.pk}/",
        {"term_years": 99},
        format="json",
    )
    assert response.status_code == 200
