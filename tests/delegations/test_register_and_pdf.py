"""The gift register page and its CSV/XLSX; the programme page and PDF."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from agreements import services
from agreements.models import Gift, ProgrammeItem
from tests.factories import AgreementFactory, DelegationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gifts(personas):
    by = personas.officer
    home = AgreementFactory(home_city=personas.tehran)
    d2024 = DelegationFactory(
        agreement=home, start_date=datetime.date(2024, 6, 1), end_date=datetime.date(2024, 6, 3)
    )
    d2025 = DelegationFactory(
        agreement=home, start_date=datetime.date(2025, 6, 1), end_date=datetime.date(2025, 6, 3)
    )
    vase = services.save_record(
        record=Gift(
            delegation=d2024,
            direction="received",
            description="Crystal vase",
            estimated_value=Decimal("300"),
            currency="EUR",
            giver="Host mayor",
            recipient="Mayor of Tehran",
            date=datetime.date(2024, 6, 2),
            kept_at="Protocol showcase",
        ),
        by=by,
    )
    carpet = services.save_record(
        record=Gift(
            delegation=d2025,
            direction="given",
            description='=HYPERLINK("x") carpet',
            estimated_value=Decimal("45000000"),
            currency="IRR",
            date=datetime.date(2025, 6, 1),
        ),
        by=by,
    )
    isfahan = AgreementFactory(home_city=personas.isfahan)
    services.save_record(
        record=Gift(
            delegation=DelegationFactory(agreement=isfahan),
            direction="received",
            description="Isfahan secret",
        ),
        by=personas.isfahan_officer,
    )
    return vase, carpet


def _en(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_register_shows_only_visible_gifts_and_filters(gifts, personas, client):
    _en(client, personas.viewer)
    page = client.get("/gifts/").content.decode()
    assert "Crystal vase" in page and "carpet" in page and "Isfahan secret" not in page
    page = client.get("/gifts/?year=2024").content.decode()
    assert "Crystal vase" in page and "carpet" not in page
    page = client.get("/gifts/?direction=given").content.decode()
    assert "Crystal vase" not in page and "carpet" in page
    assert client.get("/gifts/?year=abc&direction=evil").status_code == 200
    _en(client, personas.isfahan_officer)
    page = client.get("/gifts/").content.decode()
    assert "Isfahan secret" in page and "Crystal vase" not in page


def test_register_csv(gifts, personas, client):
    _en(client, personas.viewer)
    response = client.get("/gifts/export.csv?year=2024")
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["direction"] == "received" and row["description"] == "Crystal vase"
    assert row["estimated_value"] == "300.00" and row["currency"] == "EUR"
    assert row["date"] == "2024-06-02" and row["kept_at"] == "Protocol showcase"
    rows = list(
        csv.DictReader(io.StringIO(client.get("/gifts/export.csv").content.decode("utf-8-sig")))
    )
    assert len(rows) == 2
    carpet = next(r for r in rows if "carpet" in r["description"])
    assert carpet["description"].startswith("'=")  # neutralised formula


def test_register_xlsx(gifts, personas, client):
    _en(client, personas.viewer)
    book = load_workbook(io.BytesIO(client.get("/gifts/export.xlsx").content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Home municipality", "Partner city", "Delegation", "Given or received"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 2
    vase = next(v for v in values if v[5] == "Crystal vase")
    assert vase[3] == "Received" and vase[6] == 300 and vase[7] == "EUR"
    carpet = next(v for v in values if v[5] and "carpet" in v[5])
    assert carpet[5].startswith("'=")
    assert not sheet.sheet_view.rightToLeft
    client.cookies["django_language"] = "fa"
    book = load_workbook(io.BytesIO(client.get("/gifts/export.xlsx").content))
    sheet = book.active
    assert sheet.sheet_view.rightToLeft
    assert sheet["D1"].value == "اهدایی یا دریافتی"
    assert "تاریخ (خورشیدی)" in [c.value for c in sheet[1]]


def _programme(personas):
    delegation = DelegationFactory(
        agreement=AgreementFactory(home_city=personas.tehran),
        start_date=datetime.date(2025, 4, 1),
        end_date=datetime.date(2025, 4, 2),
    )
    for day, start, end, what, what_fa in [
        (1, "09:00", "10:30", "Welcome at City Hall", "خوش‌آمدگویی در شهرداری"),
        (2, "15:00", None, "Signing ceremony", "مراسم امضا"),
    ]:
        services.save_record(
            record=ProgrammeItem(
                delegation=delegation,
                date=datetime.date(2025, 4, day),
                start_time=datetime.time.fromisoformat(start),
                end_time=datetime.time.fromisoformat(end) if end else None,
                description=what,
                description_fa=what_fa,
                place="City Hall",
            ),
            by=personas.officer,
        )
    return delegation


def test_agenda_day_by_day_in_both_languages(personas, client):
    delegation = _programme(personas)
    url = f"/agreements/{delegation.agreement_id}/delegations/{delegation.pk}/"
    _en(client, personas.viewer)
    page = client.get(url).content.decode()
    assert page.index("Tuesday") < page.index("Welcome at City Hall") < page.index("Wednesday")
    assert "09:00–10:30" in page
    client.cookies["django_language"] = "fa"
    page = client.get(url).content.decode()
    assert "۱۲ فروردین ۱۴۰۴" in page and "۰۹:۰۰–۱۰:۳۰" in page and "خوش‌آمدگویی در شهرداری" in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils")
def test_programme_pdf_renders_both_languages_with_embedded_fonts(personas, client):
    delegation = _programme(personas)
    _en(client, personas.viewer)
    response = client.get(
        f"/agreements/{delegation.agreement_id}/delegations/{delegation.pk}/programme.pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programme.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        fonts = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout
    assert "Programme of the visit" in text and "Welcome at City Hall" in text
    assert "Tuesday, 1 April 2025" in text
    # pdftotext drops zero-width non-joiners and bidi embeddings and moves the hamza
    # of "برنامهٔ": compared without them, word by word.
    text = text.translate(dict.fromkeys(map(ord, "\u200c\u202a\u202b\u202c")))
    assert "سفر" in text and "مراسم امضا" in text and "خوشآمدگویی در شهرداری" in text
    assert "فروردین" in text and "۱۴۰۴" in text and "۰۹:۰۰" in text
    font_rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_rows and all("Vazirmatn" in line for line in font_rows)
    assert all(" yes " in line for line in font_rows)  # embedded


def test_programme_pdf_of_another_municipality_is_404(personas, client):
    delegation = _programme(personas)
    client.force_login(personas.isfahan_officer)
    url = f"/agreements/{delegation.agreement_id}/delegations/{delegation.pk}/programme.pdf"
    assert client.get(url).status_code == 404


def test_page_forms_ladder(personas, client):
    delegation = _programme(personas)
    base = f"/agreements/{delegation.agreement_id}/delegations/{delegation.pk}"
    client.force_login(personas.isfahan_officer)
    assert client.get(f"{base}/").status_code == 404
    client.force_login(personas.viewer)
    assert client.get(f"{base}/").status_code == 200
    assert client.get(f"{base}/gifts/new/").status_code == 403
    assert (
        client.post(f"{base}/gifts/new/", {"direction": "given", "description": "X"}).status_code
        == 403
    )
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"{base}/budget-lines/new/",
        {"category": "travel", "planned_amount": "۱٬۲۰۰٫۵", "currency": "EUR", "paid_by": "home"},
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    assert delegation.budget_lines.get().planned_amount == Decimal("1200.5")
    response = client.post(
        f"{base}/programme/new/",
        {"date": "2025-04-01", "start_time": "11:00", "end_time": "10:00", "description": "Late"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        response.status_code == 200
        and "An item cannot end before it starts." in response.content.decode()
    )
    item = delegation.programme_items.first()
    response = client.post(f"{base}/programme/{item.pk}/delete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="section-programme"' in response.content.decode()
    agreement = delegation.agreement
    agreement.status = "terminated"
    agreement.save()
    assert client.get(f"{base}/gifts/new/").status_code == 409
