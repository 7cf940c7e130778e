"""Exporting agreement lists to CSV and XLSX (agreements/exporting.py)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from agreements import export_sheet, exporting
from agreements.exporting import COLUMNS, csv_response, iter_csv, neutralise, xlsx_response
from agreements.importing import COLUMNS as IMPORT_COLUMNS
from agreements.importing import plan_import, read_csv
from agreements.models import Agreement
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreements(personas):
    florence = CityFactory(name="Florence", name_fa="فلورانس", country="IT")
    evil = CityFactory(name='=HYPERLINK("http://evil.example")', name_fa="@SUM(A1)", country="FR")
    return [
        AgreementFactory(
            home_city=personas.tehran,
            partner_city=florence,
            kind="sister",
            signed_year=1998,
            summary="+1 cultural week",
        ),
        AgreementFactory(home_city=personas.tehran, partner_city=evil, summary="-2 days"),
    ]


def parse_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def xlsx(queryset=None, language: str = "en"):
    """The XLSX of `queryset` (all agreements by id) written in `language`, read back."""
    queryset = Agreement.objects.order_by("pk") if queryset is None else queryset
    buffer = io.BytesIO()
    with translation.override(language):
        exporting.write_xlsx(queryset, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).active


def headers(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def sheet_records(sheet) -> list[dict]:
    names = headers(sheet)
    return [
        dict(zip(names, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def test_columns_are_the_import_columns_then_stage_status_and_dates():
    assert COLUMNS[: len(IMPORT_COLUMNS)] == IMPORT_COLUMNS
    assert {"stage", "status", "stage_since", "signed_on", "expires_on", "created_at"} <= set(
        COLUMNS
    )


def test_csv_rows(agreements):
    rows = parse_csv("".join(iter_csv(Agreement.objects.order_by("pk"))))
    assert len(rows) == 2
    first = rows[0]
    assert first["home_city"] == "Tehran" and first["home_name_fa"] == "تهران"
    assert (first["partner_city"], first["partner_country"], first["partner_name_fa"]) == (
        "Florence",
        "IT",
        "فلورانس",
    )
    assert (first["kind"], first["stage"], first["status"], first["year"]) == (
        "sister",
        "contact",
        "in_progress",
        "1998",
    )
    assert first["id"] == str(agreements[0].pk) and first["created_at"]


def test_formula_cells_are_neutralised_in_csv(agreements):
    rows = parse_csv("".join(iter_csv(Agreement.objects.order_by("pk"))))
    assert rows[0]["notes"] == "'+1 cultural week"
    assert rows[1]["partner_city"].startswith("'=HYPERLINK")
    assert rows[1]["partner_name_fa"] == "'@SUM(A1)"
    assert rows[1]["notes"] == "'-2 days"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise("Tehran") == "Tehran"


def test_formula_cells_are_text_in_xlsx(agreements):
    response = xlsx_response(Agreement.objects.order_by("pk"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    records = sheet_records(sheet)
    partner = sheet.cell(row=3, column=headers(sheet).index("Partner city") + 1)
    assert partner.data_type == "s" and partner.value.startswith("'=HYPERLINK")
    assert records[0]["Summary"] == "'+1 cultural week"
    assert records[1]["Summary"] == "'-2 days"
    assert records[0]["Signed in (year)"] == 1998
    with translation.override("fa"):
        sheet = load_workbook(io.BytesIO(xlsx_response(Agreement.objects.order_by("pk")).content))
    # The Persian name of the partner, neutralised as well.
    assert sheet_records(sheet.active)[1]["شهر همتا"] == "'@SUM(A1)"
    assert all(cell.data_type != "f" for row in sheet.active.iter_rows() for cell in row)


def test_csv_response_streams(agreements):
    response = csv_response(Agreement.objects.all(), "list")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="list.csv"'
    assert "text/csv" in response["Content-Type"]
    text = b"".join(response.streaming_content).decode()
    assert len(parse_csv(text)) == 2


def test_export_keeps_the_querysets_filters(agreements):
    rows = parse_csv("".join(iter_csv(Agreement.objects.filter(kind="sister"))))
    assert [r["partner_city"] for r in rows] == ["Florence"]


def test_csv_keeps_codes_and_iso_dates_in_any_language(agreements):
    Agreement.objects.filter(pk=agreements[0].pk).update(signed_on=datetime.date(2020, 3, 20))
    with translation.override("fa"):
        rows = parse_csv("".join(iter_csv(Agreement.objects.order_by("pk"))))
    assert list(rows[0]) == COLUMNS
    assert (rows[0]["kind"], rows[0]["stage"], rows[0]["status"]) == (
        "sister",
        "contact",
        "in_progress",
    )
    assert rows[0]["partner_city"] == "Florence" and rows[0]["partner_country"] == "IT"
    assert rows[0]["signed_on"] == "2020-03-20"
    assert datetime.datetime.fromisoformat(rows[0]["created_at"]).tzinfo is not None


def test_csv_written_in_persian_imports_again(agreements):
    with translation.override("fa"):
        exported = "".join(iter_csv(Agreement.objects.order_by("pk"))).encode()
    plan = plan_import(read_csv(io.BytesIO(exported)))
    assert plan.is_valid, plan.errors
    assert plan.summary()["agreements_unchanged"] == 2


# --- The XLSX, for people -----------------------------------------------------------------------

ENGLISH_HEADERS = [
    "Home municipality",
    "Home country",
    "Partner city",
    "Partner country",
    "Kind",
    "Stage",
    "Status",
    "Origin",
    "Title",
    "Signed in (year)",
    "Summary",
    "In this stage since",
    "First contact",
    "Signed on",
    "Expires on",
    "Created at",
    "Last updated",
    "ID",
]


@pytest.fixture
def signed(agreements):
    """The Florence agreement signed on 20 March 2020 (1 Farvardin 1399), expiring at the
    end of 2030, in its stage since a known moment."""
    moment = datetime.datetime(2024, 5, 4, 20, 45, tzinfo=datetime.UTC)  # 00:15 in Tehran
    Agreement.objects.filter(pk=agreements[0].pk).update(
        signed_on=datetime.date(2020, 3, 20),
        expires_on=datetime.date(2030, 12, 31),
        stage_changed_at=moment,
        origin="trade",
    )
    return Agreement.objects.get(pk=agreements[0].pk)


def test_english_xlsx_has_english_headers_labels_and_gregorian_dates(signed):
    sheet = xlsx()
    assert headers(sheet) == ENGLISH_HEADERS
    assert not sheet.sheet_view.rightToLeft
    assert sheet.title == "Agreements"
    florence = sheet_records(sheet)[0]
    assert florence["Home municipality"] == "Tehran" and florence["Home country"] == "Iran"
    assert florence["Partner city"] == "Florence" and florence["Partner country"] == "Italy"
    assert (florence["Kind"], florence["Stage"], florence["Status"], florence["Origin"]) == (
        "Sister city",
        "Mayoral contact",
        "In progress",
        "Trade relations",
    )
    assert florence["ID"] == signed.pk and florence["Signed in (year)"] == 1998
    assert florence["First contact"] is None
    # Real dates, not text; a moment in Tehran's time, to the minute.
    signed_on = sheet.cell(row=2, column=ENGLISH_HEADERS.index("Signed on") + 1)
    assert signed_on.is_date and signed_on.number_format == export_sheet.DATE_FORMAT
    assert signed_on.value == datetime.datetime(2020, 3, 20)
    since = sheet.cell(row=2, column=ENGLISH_HEADERS.index("In this stage since") + 1)
    assert since.is_date and since.number_format == export_sheet.DATETIME_FORMAT
    assert since.value == datetime.datetime(2024, 5, 5, 0, 15)
    assert florence["Expires on"] == datetime.datetime(2030, 12, 31)
    created = timezone.localtime(signed.created_at).replace(second=0, microsecond=0)
    assert florence["Created at"] == created.replace(tzinfo=None)


def test_persian_xlsx_is_right_to_left_with_persian_labels_and_both_calendars(signed):
    sheet = xlsx(language="fa")
    assert sheet.sheet_view.rightToLeft
    assert sheet.title == "توافق‌نامه‌ها"
    names = headers(sheet)
    assert names[:5] == ["شهرداری مبدأ", "کشور مبدأ", "شهر همتا", "کشور همتا", "نوع"]
    assert names[-1] == "شناسه"
    # The Solar Hijri column comes just before its Gregorian one.
    at = names.index("تاریخ امضا (خورشیدی)")
    assert names[at + 1] == "تاریخ امضا (میلادی)"
    assert "Signed on" not in names and len(names) == len(ENGLISH_HEADERS) + 6
    florence = sheet_records(sheet)[0]
    assert florence["شهرداری مبدأ"] == "تهران" and florence["کشور مبدأ"] == "ایران"
    assert florence["شهر همتا"] == "فلورانس" and florence["کشور همتا"] == "ایتالیا"
    assert (florence["نوع"], florence["وضعیت"]) == ("شهر خواهرخوانده", "در جریان")
    assert florence["تاریخ امضا (خورشیدی)"] == "۱ فروردین ۱۳۹۹"
    assert florence["تاریخ امضا (میلادی)"] == datetime.datetime(2020, 3, 20)
    assert florence["پایان اعتبار (خورشیدی)"] == "۱۰ دی ۱۴۰۹"
    # A moment's Solar Hijri day is its day in Tehran (past midnight there).
    assert florence["در این مرحله از (خورشیدی)"] == "۱۶ اردیبهشت ۱۴۰۳"
    assert florence["در این مرحله از (میلادی)"] == datetime.datetime(2024, 5, 5, 0, 15)
    # Numbers stay numbers.
    assert florence["سال امضا"] == 1998 and florence["شناسه"] == signed.pk
    assert florence["نخستین تماس (خورشیدی)"] is None
    gregorian = sheet.cell(row=2, column=at + 2)
    assert gregorian.is_date and gregorian.number_format == export_sheet.DATE_FORMAT


def test_a_city_without_a_persian_name_keeps_its_english_name_in_persian(personas):
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(name="Nara", name_fa=""))
    assert sheet_records(xlsx(language="fa"))[0]["شهر همتا"] == "Nara"


@pytest.mark.parametrize("language", ["en", "fa"])
def test_xlsx_header_is_bold_frozen_and_filtered(agreements, language):
    sheet = xlsx(language=language)
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(row=1, column=sheet.max_column).column_letter
    # Two agreements: the filter covers the header and both rows.
    assert sheet.auto_filter.ref == f"A1:{last}3"
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet.cell(row=2, column=1).font.b


@pytest.mark.parametrize("language", ["en", "fa"])
def test_xlsx_column_widths_fit_the_content_within_bounds(agreements, language):
    Agreement.objects.filter(pk=agreements[0].pk).update(summary="word " * 100)
    sheet = xlsx(language=language)
    names = headers(sheet)
    widths = {
        name: sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width
        for index, name in enumerate(names, start=1)
    }
    assert all(
        export_sheet.MIN_WIDTH <= width <= export_sheet.MAX_WIDTH for width in widths.values()
    )
    summary = "Summary" if language == "en" else "خلاصه"
    assert widths[summary] == export_sheet.MAX_WIDTH
    # At least as wide as the header (and its filter button), as the longest value.
    for name, width in widths.items():
        assert width >= min(len(name), export_sheet.MAX_WIDTH)
    # The widest partner name (the Persian one in Persian) sets its column's width.
    partner, widest = ("Partner city", '=HYPERLINK("http://evil.example")')
    if language == "fa":
        partner, widest = ("شهر همتا", "@SUM(A1)")
    assert widths[partner] == max(len(widest) + 1, len(partner) + 3, export_sheet.MIN_WIDTH)


def test_xlsx_widths_come_from_the_first_rows_only_and_every_row_is_written(personas, monkeypatch):
    monkeypatch.setattr(exporting, "WIDTH_SAMPLE_ROWS", 1)
    AgreementFactory(home_city=personas.tehran, title="Short")
    AgreementFactory(home_city=personas.tehran, title="A much longer title " * 5)
    sheet = xlsx()
    title = sheet.column_dimensions[sheet.cell(row=1, column=9).column_letter].width
    assert headers(sheet)[8] == "Title" and title < 20
    assert [r["Title"] for r in sheet_records(sheet)] == ["Short", "A much longer title " * 5]
    assert sheet.auto_filter.ref == "A1:R3"


@pytest.mark.parametrize("language", ["en", "fa"])
def test_an_empty_xlsx_has_its_header(personas, language):
    sheet = xlsx(Agreement.objects.none(), language)
    assert sheet.max_row == 1 and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith("1")


@pytest.mark.parametrize("language", ["en", "fa"])
def test_stored_values_outside_the_rules_do_not_break_the_xlsx(personas, language):
    partner = CityFactory(name="Nowhere", name_fa="", country="IT")
    agreement = AgreementFactory(home_city=personas.tehran, partner_city=partner)
    Agreement.objects.filter(pk=agreement.pk).update(
        signed_on=datetime.date.min,
        expires_on=datetime.date.max,
        stage_changed_at=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
        kind="retired_code",
        title="Ro\x01ad\x1b",  # no NUL: PostgreSQL cannot hold one
        summary="",
    )
    type(partner).objects.filter(pk=partner.pk).update(country="ZZ")
    sheet = xlsx(language=language)
    record = sheet_records(sheet)[0]
    if language == "en":
        assert record["Signed on"] == "0001-01-01"  # before Excel's first day: text
        assert record["Expires on"] == datetime.datetime(9999, 12, 31)
        assert record["In this stage since"].startswith("0001-01-01 ")
        assert record["Kind"] == "retired_code"  # an unknown code reads as itself
        assert record["Partner city"] == "Nowhere" and record["Partner country"] == "ZZ"
        assert record["Title"] == "Ro\ufffdad\ufffd" and record["Summary"] is None
    else:
        # No Solar Hijri date exists: the ISO date, in Persian digits.
        assert record["تاریخ امضا (خورشیدی)"] == "۰۰۰۱-۰۱-۰۱"
        assert record["تاریخ امضا (میلادی)"] == "0001-01-01"
        assert record["پایان اعتبار (خورشیدی)"] == "۹۹۹۹-۱۲-۳۱"
        assert record["نوع"] == "retired_code" and record["عنوان"] == "Ro\ufffdad\ufffd"
        # No Persian name: the English one.
        assert record["شهر همتا"] == "Nowhere" and record["کشور همتا"] == "ZZ"
