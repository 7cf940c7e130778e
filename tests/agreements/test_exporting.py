"""Exporting agreement lists to CSV and XLSX (agreements/exporting.py)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from agreements.exporting import COLUMNS, csv_response, iter_csv, neutralise, xlsx_response
from agreements.importing import COLUMNS as IMPORT_COLUMNS
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
    header = [cell.value for cell in sheet[1]]
    assert header == COLUMNS
    partner = sheet.cell(row=3, column=COLUMNS.index("partner_city") + 1)
    assert partner.data_type == "s" and partner.value.startswith("'=HYPERLINK")
    year = sheet.cell(row=2, column=COLUMNS.index("year") + 1)
    assert year.value == 1998


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
