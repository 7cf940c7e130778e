"""/api/v1/agreements/export.csv and export.xlsx: the filtered list as a file."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.api.problems import field_messages
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreements(personas):
    AgreementFactory(
        home_city=personas.tehran, partner_city=CityFactory(name="Florence"), kind="sister"
    )
    AgreementFactory(
        home_city=personas.tehran, partner_city=CityFactory(name="Kyoto", country="JP")
    )
    AgreementFactory(
        home_city=personas.isfahan, partner_city=CityFactory(name="Osaka", country="JP")
    )


def csv_partners(response) -> list[str]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return sorted(row["partner_city"] for row in csv.DictReader(io.StringIO(text)))


def test_csv_has_only_visible_agreements(personas, agreements, client_for):
    response = client_for(personas.viewer).get("/api/v1/agreements/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert csv_partners(response) == ["Florence", "Kyoto"]


def test_csv_takes_the_list_filters(personas, agreements, client_for):
    api = client_for(personas.viewer)
    assert csv_partners(api.get("/api/v1/agreements/export.csv", {"kind": "sister"})) == [
        "Florence"
    ]
    assert csv_partners(api.get("/api/v1/agreements/export.csv", {"partner_country": "JP"})) == [
        "Kyoto"
    ]


def test_invalid_filter_is_400(personas, agreements, client_for):
    response = client_for(personas.viewer).get("/api/v1/agreements/export.csv", {"stage": "nope"})
    assert "stage" in field_messages(response, "invalid_parameter")


def test_xlsx(personas, agreements, client_for, settings):
    api = client_for(personas.admin)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = api.get("/api/v1/agreements/export.xlsx", {"partner_country": "JP"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    partners = sorted(
        row[header.index("Partner city")] for row in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert partners == ["Kyoto", "Osaka"]
    assert not sheet.sheet_view.rightToLeft
    assert {
        row[header.index("Partner country")] for row in sheet.iter_rows(min_row=2, values_only=True)
    } == {"Japan"}


def test_xlsx_in_persian_by_default(personas, agreements, client_for):
    """The request's language (LANGUAGE_CODE, Persian, without a cookie) is the sheet's."""
    response = client_for(personas.viewer).get("/api/v1/agreements/export.xlsx", {"kind": "sister"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft and sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=sheet.max_column).column_letter}2"
    )
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert row["نوع"] == "شهر خواهرخوانده" and row["کشور همتا"] == "ایتالیا"
    assert "تاریخ امضا (خورشیدی)" in header and "تاریخ امضا (میلادی)" in header


def test_csv_stays_codes_in_persian(personas, agreements, client_for):
    response = client_for(personas.viewer).get("/api/v1/agreements/export.csv", {"kind": "sister"})
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["kind"], row["partner_country"], row["status"]) == ("sister", "IT", "in_progress")
