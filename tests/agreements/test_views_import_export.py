"""The import page (administrators) and the list's CSV/XLSX export."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from agreements.importing import COLUMNS
from agreements.models import Agreement
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/agreements/import/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_upload(rows: list[list[str]], name: str = "partners.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


GOOD = [
    ["Tehran", "IR", "تهران", "Florence", "IT", "فلورانس", "sister", "active", "1998", ""],
    ["Tehran", "IR", "تهران", "Kyoto", "JP", "", "friendship", "goals", "", "note"],
]


def test_reverse_names():
    assert reverse("agreements:import") == IMPORT_URL
    assert reverse("agreements:export-csv") == "/agreements/export.csv"
    assert reverse("agreements:export-xlsx") == "/agreements/export.xlsx"


def test_import_page_ladder(client, personas):
    assert client.get(IMPORT_URL).status_code == 302  # anonymous: to the login page
    for name in ["officer", "approver", "viewer"]:
        client.force_login(getattr(personas, name))
        assert client.get(IMPORT_URL).status_code == 403, name
        assert client.post(IMPORT_URL, {"file": csv_upload(GOOD)}).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(IMPORT_URL).status_code == 403
    client.force_login(personas.admin)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert "home_partner" not in response.content.decode()
    assert "partner_country" in response.content.decode()
    assert client.put(IMPORT_URL).status_code == 405
    assert not Agreement.objects.exists()


def test_check_then_import(client, personas, settings):
    client.force_login(personas.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    checked = client.post(IMPORT_URL, {"action": "check", "file": csv_upload(GOOD)})
    assert checked.status_code == 200
    assert "2 new agreements" in checked.content.decode()
    assert not Agreement.objects.exists()  # checking writes nothing
    imported = client.post(IMPORT_URL, {"action": "apply"})
    assert imported.status_code == 302 and imported["Location"] == reverse("agreements:list")
    assert Agreement.objects.count() == 2
    entry = Agreement.history.first()
    assert entry.history_user == personas.admin and "partners.csv" in entry.history_change_reason
    # The kept file is gone; applying again without a new check does nothing.
    assert not default_storage.listdir("imports")[1]
    client.post(IMPORT_URL, {"action": "apply"})
    assert Agreement.objects.count() == 2


def test_bad_rows_are_listed_with_line_numbers_and_nothing_is_kept(client, personas):
    client.force_login(personas.admin)
    rows = [GOOD[0], ["Tehran", "IR", "", "Kyoto", "XX", "", "sister", "active", "19x", ""]]
    response = client.post(IMPORT_URL, {"action": "check", "file": csv_upload(rows)})
    assert response.status_code == 400
    content = response.content.decode()
    assert "XX" in content and "19x" in content
    assert client.post(IMPORT_URL, {"action": "apply"}).status_code == 302
    assert not Agreement.objects.exists()


def test_htmx_check_returns_the_result_fragment(client, personas):
    client.force_login(personas.admin)
    response = client.post(
        IMPORT_URL, {"action": "check", "file": csv_upload(GOOD)}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="import-result"') and "<html" not in content


def test_wrong_file_type_is_refused(client, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("partners.pdf", b"%PDF", content_type="application/pdf")
    response = client.post(IMPORT_URL, {"action": "check", "file": upload})
    assert response.status_code == 400
    assert not Agreement.objects.exists()


def test_cancel_forgets_the_checked_file(client, personas):
    client.force_login(personas.admin)
    client.post(IMPORT_URL, {"action": "check", "file": csv_upload(GOOD)})
    client.post(IMPORT_URL, {"action": "cancel"})
    client.post(IMPORT_URL, {"action": "apply"})
    assert not Agreement.objects.exists()


# --- Export ------------------------------------------------------------------------------------


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


def partners(response) -> list[str]:
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return sorted(row["partner_city"] for row in csv.DictReader(io.StringIO(text)))


def test_export_ladder(client, personas, agreements):
    url = reverse("agreements:export-csv")
    assert client.get(url).status_code == 302
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 403
    client.force_login(personas.viewer)
    assert client.post(url).status_code == 405
    response = client.get(url)
    assert response.status_code == 200
    assert partners(response) == ["Florence", "Kyoto"]


def test_export_uses_the_list_filters(client, personas, agreements):
    client.force_login(personas.viewer)
    url = reverse("agreements:export-csv")
    assert partners(client.get(url, {"kind": "sister"})) == ["Florence"]
    assert partners(client.get(url, {"partner_country": "JP"})) == ["Kyoto"]


def test_export_with_invalid_filters_is_400(client, personas, agreements):
    client.force_login(personas.viewer)
    response = client.get(reverse("agreements:export-csv"), {"stage": "nope"})
    assert response.status_code == 400


def test_export_xlsx(client, personas, agreements, settings):
    client.force_login(personas.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("agreements:export-xlsx"), {"partner_country": "JP"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(row[header.index("Partner city")] for row in rows) == ["Kyoto", "Osaka"]
    assert not sheet.sheet_view.rightToLeft


def test_export_xlsx_in_the_pages_language(client, personas, agreements):
    """Persian pages (LANGUAGE_CODE) give a Persian, right-to-left sheet."""
    client.force_login(personas.admin)
    response = client.get(reverse("agreements:export-xlsx"), {"kind": "sister"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft and sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert row["نوع"] == "شهر خواهرخوانده" and row["مرحله"] == "دیدار شهرداران"
