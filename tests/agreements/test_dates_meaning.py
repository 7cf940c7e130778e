"""Dates checked against what they mean (issue 17): what has happened is not in the
future, by every route; the delegations gate names a missing end date; Jalali years
in the list's filter and the import; date boxes that read right in both directions."""

from __future__ import annotations

import csv
import datetime
import io
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from knox.models import AuthToken
from openpyxl import Workbook
from rest_framework.test import APIClient

from agreements import services, workflow
from agreements.forms_fields import JalaliDateField, JalaliDateInput, parse_date
from agreements.importing import ImportRefused, plan_import, read_csv, read_xlsx
from agreements.models import (
    Agreement,
    Contact,
    Delegation,
    DepartmentSupport,
    LegalApproval,
    Memorandum,
    MunicipalitySettings,
    Stage,
)
from agreements.selectors import gates
from tests.api.problems import field_messages, problem
from tests.factories import AgreementFactory, CityFactory, DelegationFactory
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db

CONTACT_FUTURE = "The date of a contact cannot be in the future."


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


@pytest.fixture
def client_for(db):
    """An API client that sends the user's token (as tests/api/conftest.py's)."""

    def make(user) -> APIClient:
        client = APIClient()
        _token, key = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


# --- 1. What has happened is not in the future ---------------------------------------------


# (model, fields of a valid record, the date field, its message)
HAPPENED = [
    (Contact, {"participants": "Mayors"}, "date", CONTACT_FUTURE),
    (
        DepartmentSupport,
        {"department": "council"},
        "supported_on",
        "The date of a department's support cannot be in the future.",
    ),
    (
        LegalApproval,
        {"authority": "home_council", "status": "granted"},
        "decided_on",
        "The decision date of an approval cannot be in the future.",
    ),
    (
        LegalApproval,
        {"authority": "home_council", "status": "requested"},
        "requested_on",
        "The date an approval was requested cannot be in the future.",
    ),
    (Memorandum, {}, "signed_on", "The signing date of a memorandum cannot be in the future."),
    (
        Delegation,
        {"direction": "outgoing", "head": "Deputy", "outcomes": "Festival agreed"},
        "start_date",
        "A delegation whose outcomes are recorded has taken place: "
        "its start date cannot be in the future.",
    ),
]


@pytest.mark.parametrize(("model", "fields", "date_field", "message"), HAPPENED)
def test_the_service_refuses_a_future_date_and_saves_nothing(
    personas, agreement, model, fields, date_field, message
):
    record = model(agreement=agreement, **fields, **{date_field: tomorrow()})
    if model is Delegation:
        record.start_date = tomorrow()
    with pytest.raises(ValidationError) as refused:
        services.save_record(record=record, by=personas.officer)
    assert refused.value.message_dict[date_field] == [message]
    assert not model.objects.exists()
    # Today is fine.
    setattr(record, date_field, today())
    services.save_record(record=record, by=personas.officer)
    assert model.objects.count() == 1


def test_today_is_the_local_day_of_the_project(personas, agreement, settings):
    # 22:00 UTC on 3 December is already 4 December in Tehran (UTC+03:30).
    settings.TIME_ZONE = "Asia/Tehran"
    moment = datetime.datetime(2026, 12, 3, 22, 0, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        ahead = Contact(agreement=agreement, participants="Mayors", date=datetime.date(2026, 12, 5))
        with pytest.raises(ValidationError):
            services.save_record(record=ahead, by=personas.officer)
        local_today = Contact(
            agreement=agreement, participants="Mayors", date=datetime.date(2026, 12, 4)
        )
        services.save_record(record=local_today, by=personas.officer)
    assert Contact.objects.get().date == datetime.date(2026, 12, 4)


def test_a_planned_delegation_may_be_in_the_future(personas, agreement):
    later = today() + datetime.timedelta(days=30)
    planned = Delegation(
        agreement=agreement,
        direction="incoming",
        head="Mayor",
        start_date=later,
        end_date=later + datetime.timedelta(days=3),
    )
    services.save_record(record=planned, by=personas.officer)
    assert Delegation.objects.get().start_date == later


def test_a_delegation_with_outcomes_cannot_end_in_the_future(personas, agreement):
    record = Delegation(
        agreement=agreement,
        direction="incoming",
        head="Mayor",
        start_date=today(),
        end_date=tomorrow(),
        outcomes="A festival",
    )
    with pytest.raises(ValidationError) as refused:
        services.save_record(record=record, by=personas.officer)
    assert list(refused.value.message_dict) == ["end_date"]
    assert not Delegation.objects.exists()


def test_the_agreement_form_refuses_a_future_first_contact(client, personas, agreement):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("agreements:edit", args=[agreement.pk]),
        {
            "kind": agreement.kind,
            "origin": agreement.origin,
            "title": "Changed",
            "first_contact_on": tomorrow().isoformat(),
            "version": agreement.version,
        },
    )
    assert response.status_code in (200, 400)
    assert "The date of the first contact cannot be in the future." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title != "Changed"


def test_the_page_form_refuses_a_future_contact(client, personas, agreement):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    url = reverse("agreements:record-create", args=[agreement.pk, "contacts"])
    response = client.post(url, {"date": tomorrow().isoformat(), "participants": "Mayors"})
    assert response.status_code == 200
    assert CONTACT_FUTURE in response.content.decode()
    assert not Contact.objects.exists()


def test_the_persian_page_says_it_in_persian(client, personas, agreement):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "fa"
    url = reverse("agreements:record-create", args=[agreement.pk, "contacts"])
    response = client.post(url, {"date": tomorrow().isoformat(), "participants": "Mayors"})
    with translation.override("fa"):
        persian = translation.gettext(CONTACT_FUTURE)
    assert persian != CONTACT_FUTURE
    assert persian in response.content.decode()
    assert not Contact.objects.exists()


def test_the_api_refuses_a_future_contact(personas, agreement, client_for):
    api = client_for(personas.officer)
    api.cookies["django_language"] = "en"
    response = api.post(
        f"/api/v1/agreements/{agreement.pk}/contacts/",
        {"date": tomorrow().isoformat(), "participants": "Mayors"},
        format="json",
    )
    assert field_messages(response)["date"] == [CONTACT_FUTURE]
    assert not Contact.objects.exists()


def test_the_api_refuses_a_future_signing_date(personas, agreement, client_for):
    api = client_for(personas.officer)
    api.cookies["django_language"] = "en"
    response = api.post(
        f"/api/v1/agreements/{agreement.pk}/memoranda/",
        {"signed_on": tomorrow().isoformat(), "place": "Tehran"},
        format="json",
    )
    messages = field_messages(response)
    assert messages["signed_on"] == ["The signing date of a memorandum cannot be in the future."]
    assert not Memorandum.objects.exists()


def test_the_admin_refuses_a_future_contact(client, personas, agreement):
    client.force_login(personas.admin)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("admin:agreements_contact_add"),
        {
            "agreement": agreement.pk,
            "date": tomorrow().isoformat(),
            "participants": "X",
            "reason": "Late entry",
        },
    )
    assert response.status_code == 200
    assert CONTACT_FUTURE in response.content.decode()
    assert not Contact.objects.exists()


def test_the_import_refuses_a_future_signing_date():
    rows = [row(signed_on=tomorrow().isoformat(), year="")]
    plan = plan_import(rows)
    assert [e.message for e in plan.errors] == [
        "Column signed_on: The signing date of an agreement cannot be in the future."
    ]


# --- 2. The delegations gate names a missing end date -------------------------------------------


def test_an_official_delegation_without_end_date_is_named_by_the_gate(personas):
    agreement = agreement_at(Stage.DELEGATIONS, home_city=personas.tehran)
    DelegationFactory(agreement=agreement, start_date=datetime.date(2024, 5, 4), end_date=None)
    [item] = gates.gate_checklist(agreement)
    assert item.code == "delegation" and not item.done and item.fix == "delegations"
    assert str(item.missing) == (
        "The official delegation of May 4, 2024 has no end date: record its end date."
    )
    assert str(item.label) == "The end date of the official delegation of May 4, 2024"
    with translation.override("fa"):
        assert "۱۵ اردیبهشت ۱۴۰۳" in str(item.missing)
    assert gates.gate_missing(agreement) == [str(item.missing)]
    assert gates.gate_missing_for([agreement])[agreement.pk] == [str(item.missing)]
    Delegation.objects.update(end_date=datetime.date(2024, 5, 8))
    assert gates.gate_missing(agreement) == []


def test_without_any_delegation_the_gate_keeps_its_general_message(personas):
    agreement = agreement_at(Stage.DELEGATIONS, home_city=personas.tehran)
    # A planned one (not begun) has no end date yet; that is not what is missing.
    DelegationFactory(agreement=agreement, start_date=tomorrow(), end_date=None)
    assert gates.gate_missing(agreement) == [str(workflow.MISSING_DELEGATION)]


def test_each_way_names_the_direction_missing_its_end_date(personas):
    MunicipalitySettings.objects.create(city=personas.tehran, delegations_each_way=True)
    agreement = agreement_at(Stage.DELEGATIONS, home_city=personas.tehran)
    DelegationFactory(agreement=agreement, direction="outgoing")  # completed
    DelegationFactory(
        agreement=agreement,
        direction="incoming",
        start_date=datetime.date(2024, 5, 4),
        end_date=None,
    )
    assert gates.gate_missing(agreement) == [
        "The official incoming delegation of May 4, 2024 has no end date: record its end date."
    ]


def test_the_api_problem_names_the_missing_end_date(personas, client_for):
    agreement = agreement_at(Stage.DELEGATIONS, home_city=personas.tehran)
    DelegationFactory(agreement=agreement, start_date=datetime.date(2024, 5, 4), end_date=None)
    api = client_for(personas.officer)
    api.cookies["django_language"] = "en"
    response = api.post(
        f"/api/v1/agreements/{agreement.pk}/advance/", {"note": "please"}, format="json"
    )
    body = problem(response, 409, "gate_unmet")
    assert body["missing"] == [
        {
            "code": "delegation",
            "message": "The official delegation of May 4, 2024 has no end date: "
            "record its end date.",
            "fix": "delegations",
        }
    ]
    detail = api.get(f"/api/v1/agreements/{agreement.pk}/").json()
    assert detail["gate"][0]["label"] == "The end date of the official delegation of May 4, 2024"


def test_the_agreement_page_shows_the_missing_end_date(client, personas):
    agreement = agreement_at(Stage.DELEGATIONS, home_city=personas.tehran)
    DelegationFactory(agreement=agreement, start_date=datetime.date(2024, 5, 4), end_date=None)
    client.force_login(personas.officer)
    client.cookies["django_language"] = "fa"
    html = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "۱۵ اردیبهشت ۱۴۰۳" in html


# --- 3. Jalali years: the list's filter -----------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"signed_year_min": "۱۴۰۲"}, {2023, 2024, 2025}),
        ({"signed_year_min": "1402"}, {2023, 2024, 2025}),
        ({"signed_year_min": "2023"}, {2023, 2024, 2025}),
        ({"signed_year_max": "۱۴۰۲"}, {2022, 2023, 2024}),
        ({"signed_year_max": "1402"}, {2022, 2023, 2024}),
        ({"signed_year_max": "2023"}, {2022, 2023}),
        ({"signed_year_min": "۱۴۰۲", "signed_year_max": "۱۴۰۲"}, {2023, 2024}),
    ],
)
def test_the_year_filter_reads_jalali_years(client, personas, params, expected):
    for year in (2022, 2023, 2024, 2025):
        partner = CityFactory(name=f"Signedin{year}", name_fa=f"Signedin{year}")
        AgreementFactory(home_city=personas.tehran, partner_city=partner, signed_year=year)
    client.force_login(personas.officer)
    client.cookies["django_language"] = "fa"
    response = client.get(reverse("agreements:list"), params)
    assert response.status_code == 200
    shown = {year for year in (2022, 2023, 2024, 2025) if f"Signedin{year}" in response.text}
    assert shown == expected


def test_a_year_out_of_both_ranges_is_refused_with_both_calendars(client, personas):
    AgreementFactory(home_city=personas.tehran, signed_year=2023, title="signed 2023")
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("agreements:list"), {"signed_year_min": "1100"})
    assert "signed 2023" not in response.text
    assert "Solar Hijri (Jalali) year from 1279" in response.text


def test_the_api_list_reads_jalali_years_too(personas, client_for):
    AgreementFactory(home_city=personas.tehran, signed_year=2022)
    wanted = AgreementFactory(home_city=personas.tehran, signed_year=2024)
    api = client_for(personas.officer)
    response = api.get(
        "/api/v1/agreements/", {"signed_year_min": "1402", "signed_year_max": "1403"}
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [wanted.pk]


# --- 3. Jalali years and dates: the import --------------------------------------------------------

BASE = {
    "home_city": "Tehran",
    "home_country": "IR",
    "partner_city": "Florence",
    "partner_country": "IT",
    "kind": "sister",
    "stage": "active",
}


def row(**values) -> dict[str, str]:
    return {**BASE, **values}


def csv_file(header: list[str], rows: list[list[str]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*BASE, *header])
    for values in rows:
        writer.writerow([*BASE.values(), *values])
    return io.BytesIO(out.getvalue().encode())


def planned(plan) -> list[tuple]:
    assert plan.is_valid, [str(e) for e in plan.errors]
    return [(r.year, r.signed_on, r.first_contact_on) for r in plan.rows]


@pytest.mark.parametrize("year", ["۱۴۰۲", "1402"])
def test_an_unstated_jalali_year_is_read_by_its_value(year):
    assert planned(plan_import([row(year=year)])) == [(2023, None, None)]


def test_a_header_states_the_calendar():
    rows = read_csv(
        csv_file(["signed year (Jalali)", "signed_on (jalali)"], [["1402", "1402/05/10"]])
    )
    assert planned(plan_import(rows)) == [(2023, datetime.date(2023, 8, 1), None)]


def test_a_calendar_column_states_each_rows_calendar():
    rows = read_csv(
        csv_file(
            ["year", "first_contact_on", "calendar"],
            [["۱۴۰۱", "۱۴۰۱/۰۱/۰۱", "jalali"]],
        )
    )
    assert planned(plan_import(rows, calendar="gregorian")) == [
        (2022, None, datetime.date(2022, 3, 21))
    ]


def test_the_form_states_the_calendar_and_the_file_wins():
    assert planned(plan_import([row(signed_on="1402/05/10")], calendar="jalali")) == [
        (2023, datetime.date(2023, 8, 1), None)
    ]
    # Gregorian stated: 1402 is a year out of range, with the usual message.
    plan = plan_import([row(year="1402")], calendar="gregorian")
    assert [e.message for e in plan.errors] == [
        f"The year 1402 is not between 1800 and {today().year + 1}."
    ]
    header_wins = read_csv(csv_file(["year (gregorian)"], [["2023"]]))
    assert planned(plan_import(header_wins, calendar="jalali")) == [(2023, None, None)]


def test_jalali_values_out_of_range_get_the_usual_messages():
    plan = plan_import([row(year="1100", signed_on="1200/01/01")], calendar="jalali")
    messages = [e.message for e in plan.errors]
    assert messages[0].startswith("The Solar Hijri (Jalali) year 1100 is not between 1179 and ")
    assert messages[1].startswith("Column signed_on: Enter a date between 1900-01-01")


def test_the_year_must_be_the_signing_dates():
    plan = plan_import([row(year="1401", signed_on="1402/05/10")])
    assert [e.message for e in plan.errors] == [
        "The year 1401 is not the year of the signing date (1402)."
    ]


def test_an_unknown_calendar_is_a_row_error():
    plan = plan_import([row(calendar="lunar")])
    assert [e.message for e in plan.errors] == ["Unknown calendar lunar (use gregorian, jalali)."]


def test_an_xlsx_date_cell_is_a_gregorian_date():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*BASE, "signed_on (jalali)", "year"])
    sheet.append([*BASE.values(), datetime.datetime(2023, 8, 1), "۱۴۰۲"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    assert planned(plan_import(read_xlsx(buffer))) == [(2023, datetime.date(2023, 8, 1), None)]


def test_the_imported_dates_are_written(personas):
    from agreements.importing import apply_import

    plan = plan_import([row(year="۱۴۰۲", signed_on="۱۴۰۲/۰۵/۱۰", first_contact_on="1401/01/01")])
    apply_import(plan, reason="test")
    agreement = Agreement.objects.get()
    assert (agreement.signed_year, agreement.signed_on, agreement.first_contact_on) == (
        2023,
        datetime.date(2023, 8, 1),
        datetime.date(2022, 3, 21),
    )


def _upload(header: list[str], rows: list[list[str]]) -> SimpleUploadedFile:
    return SimpleUploadedFile("jalali.csv", csv_file(header, rows).getvalue(), "text/csv")


def test_the_import_page_takes_the_calendar(client, personas):
    client.force_login(personas.admin)
    client.cookies["django_language"] = "en"
    page = reverse("agreements:import")
    assert 'name="calendar"' in client.get(page).text
    checked = client.post(
        page,
        {"action": "check", "calendar": "jalali", "file": _upload(["signed_on"], [["1402/05/10"]])},
    )
    assert checked.status_code == 200, checked.text[:3000]
    client.post(page, {"action": "apply"})
    assert Agreement.objects.get().signed_on == datetime.date(2023, 8, 1)


def test_the_api_import_takes_the_calendar(personas, client_for):
    api = client_for(personas.admin)
    api.cookies["django_language"] = "en"
    refused = api.post(
        "/api/v1/imports/",
        {"file": _upload(["year"], [["1402"]]), "calendar": "gregorian"},
        format="multipart",
    )
    assert (
        "The year 1402 is not between"
        in problem(refused, 400, "validation")["errors"][0]["message"]
    )
    response = api.post(
        "/api/v1/imports/",
        {"file": _upload(["year"], [["1402"]]), "calendar": "jalali"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert Agreement.objects.get().signed_year == 2023
    wrong = api.post(
        "/api/v1/imports/",
        {"file": _upload(["year"], [["1402"]]), "calendar": "lunar", "dry_run": "true"},
        format="multipart",
    )
    assert "calendar" in field_messages(wrong)


def test_the_schema_documents_the_calendar(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/v1/imports/"]["post"]["requestBody"]["content"]
    properties = next(iter(body.values()))["schema"]
    if "$ref" in properties:
        name = properties["$ref"].rsplit("/", 1)[-1]
        properties = schema["components"]["schemas"][name]
    calendar = properties["properties"]["calendar"]
    if "$ref" in calendar or "allOf" in calendar:
        ref = calendar.get("$ref") or calendar["allOf"][0]["$ref"]
        calendar = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(calendar["enum"]) == {"gregorian", "jalali"}


def test_a_refused_import_writes_nothing():
    with pytest.raises(ImportRefused):
        from agreements.importing import apply_import

        apply_import(plan_import([row(signed_on=tomorrow().isoformat())]), reason="x")
    assert not Agreement.objects.exists()


# --- 4. Date boxes that read right in both directions ---------------------------------------------


def test_the_persian_date_box_is_ltr_with_a_jalali_placeholder_and_hint():
    with translation.override("fa"):
        field = JalaliDateField()
        html = JalaliDateInput().render("date", None)
        hint = str(field.help_text)
    assert 'dir="ltr"' in html and 'type="text"' in html
    assert 'placeholder="۱۴۰۳/۰۲/۱۵"' in html
    assert hint == "\u2066سال/ماه/روز\u2069، مانند \u2066۱۴۰۳/۰۲/۱۵\u2069"


def test_the_english_date_box_is_the_browsers_date_picker():
    with translation.override("en"):
        field = JalaliDateField()
        html = JalaliDateInput().render("date", None)
        hint = str(field.help_text)
    assert 'type="date"' in html and 'dir="ltr"' in html
    assert hint == "\u2066year-month-day\u2069, e.g. \u20662024-05-04\u2069"


@pytest.mark.parametrize(
    "typed",
    ["۱۴۰۳/۰۲/۱۵", "1403/02/15", "\u2066۱۴۰۳/۰۲/۱۵\u2069", "\u200e۱۴۰۳/۰۲/۱۵", "2024-05-04"],
)
def test_what_the_hint_shows_is_accepted(typed):
    assert parse_date(typed) == datetime.date(2024, 5, 4)
    assert JalaliDateField().clean(typed) == datetime.date(2024, 5, 4)


def test_the_persian_record_form_shows_the_hint_and_takes_the_placeholder(
    client, personas, agreement
):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "fa"
    url = reverse("agreements:record-create", args=[agreement.pk, "contacts"])
    html = client.get(url).text
    assert 'placeholder="۱۴۰۳/۰۲/۱۵"' in html and 'dir="ltr"' in html
    assert "\u2066۱۴۰۳/۰۲/۱۵\u2069" in html
    response = client.post(url, {"date": "۱۴۰۳/۰۲/۱۵", "participants": "Mayors"})
    assert response.status_code == 302
    assert Contact.objects.get().date == datetime.date(2024, 5, 4)


def test_the_persian_year_filter_shows_jalali_examples(client, personas):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "fa"
    html = client.get(reverse("agreements:list")).text
    assert 'placeholder="۱۳۶۹"' in html and 'placeholder="۱۴۰۴"' in html


def test_a_future_date_stored_before_the_rule_does_not_block_other_changes(personas, agreement):
    contact = services.save_record(
        record=Contact(agreement=agreement, date=today(), participants="mayors"),
        by=personas.officer,
    )
    Contact.objects.filter(pk=contact.pk).update(date=tomorrow())
    Agreement.objects.filter(pk=agreement.pk).update(signed_on=tomorrow())
    contact.refresh_from_db()
    contact.participants = "both mayors"
    services.save_record(record=contact, by=personas.officer)  # the date is left as it was
    updated = services.update_agreement(agreement=agreement, by=personas.officer, title="Renamed")
    assert updated.title == "Renamed" and updated.signed_on == tomorrow()
    contact.refresh_from_db()
    contact.date = tomorrow() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.save_record(record=contact, by=personas.officer)
    assert CONTACT_FUTURE in str(refused.value)
    assert Contact.objects.get(pk=contact.pk).date == tomorrow()
