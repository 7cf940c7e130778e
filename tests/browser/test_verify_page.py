"""The public verify page (/verify/<code>/) in a browser, not signed in: in Persian
(right to left) and English, at a phone's width and a laptop's, it fits sideways,
asks no other host and breaks no Content-Security-Policy rule (conftest's
sign_in fails the test otherwise); the language switch works without an account.
Screenshots: test-artifacts/screenshots/verify-page-<language>-<width>.png."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agreements.pdf import memorandum_content_hash
from cities.models import City
from tests.browser.test_layouts import HEIGHT, LONG_WORD, WIDTHS, overflow_of
from tests.factories import AgreementFactory, MemorandumFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def code(personas):
    partner = City.objects.create(
        name=LONG_WORD, name_fa="لانویرپول‌گوینگیل‌گوگری‌خوئیرن‌دروبول‌لانتیسیلیو", country="GB"
    )
    agreement = AgreementFactory(
        home_city=personas.tehran, partner_city=partner, kind="sister", stage="active",
        status="suspended",
    )  # fmt: skip
    memorandum = MemorandumFactory(
        agreement=agreement,
        kind="sister",
        signed_on=datetime.date(2025, 3, 1),
        place="Tehran",
        place_fa="تهران",
        partner_language="ar",
        home_signatory_name="Alireza Zakani",
        home_signatory_name_fa="علیرضا زاکانی",
        home_signatory_title="Mayor of Tehran",
        home_signatory_title_fa="شهردار تهران",
        partner_signatory_name="Partner Mayor",
        partner_signatory_title="Lord Mayor",
    )
    memorandum.content_sha256 = memorandum_content_hash(memorandum)
    memorandum.pdf_sha256 = "ab" * 32
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    return memorandum.content_sha256[:12]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_verify_page_fits_and_reads_in_both_languages(
    code, sign_in, screenshots, language, width
):
    page = sign_in(None, language, width=width, height=HEIGHT[width])
    response = page.goto(f"/verify/{code}/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "fa" else "ltr")
    page.locator("details summary").click()  # the hashes, the longest words on the page
    assert page.locator(".verify-code").inner_text() == code
    status = {"fa": "معلق", "en": "Suspended"}[language]
    expect(page.locator(".verify-status")).to_have_text(status)
    page.screenshot(path=screenshots / f"verify-page-{language}-{width}.png", full_page=True)
    assert overflow_of(page) is None, overflow_of(page)


def test_the_language_switch_works_without_an_account(code, sign_in):
    page = sign_in(None, "fa")
    page.goto(f"/verify/{code}/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(f"/verify/{code}/")
    expect(page.locator("h1")).to_contain_text("Signed memorandum verified")


def test_an_unknown_code_offers_the_form(code, sign_in):
    page = sign_in(None, "en", expect_404="/verify/000000000000/")
    assert page.goto("/verify/000000000000/").status == 404
    page.get_by_label("The integrity code printed at the foot of every page").fill(code.upper())
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".verify-code")).to_have_text(code)
