"""The partner city's review page in the browser, without an account: a memorandum in
English only and one with Arabic (right to left), at a phone's width (390 px) and a
laptop's (1366 px). It fits sideways, loads nothing from another host, breaks no
Content-Security-Policy rule (the sign_in fixture fails on any console error), and its
comment and confirmation forms work. Screenshots: /work/shots/partner-<language>-<width>.png
(and test-artifacts/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from agreements import services
from agreements.models import PartnerComment, PartnerConfirmation
from tests.browser.test_layouts import overflow_of
from tests.factories import AgreementFactory, CityFactory, CommonalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/shots")
HEIGHT = {390: 844, 1366: 900}


def _draft(personas, language: str):
    partner = CityFactory(name=f"Beirut {language}", name_fa=f"بیروت {language}", country="LB")
    agreement = AgreementFactory(
        home_city=personas.tehran, partner_city=partner, responsible_officer=personas.officer
    )
    CommonalityFactory(agreement=agreement)
    memorandum = services.new_memorandum(agreement=agreement, by=personas.officer)
    memorandum.place = "Tehran"
    memorandum.place_fa = "تهران"
    if language == "ar":
        memorandum.partner_language = "ar"
        memorandum.partner_name_partner = "بيروت"
        memorandum.home_name_partner = "طهران"
        memorandum.place_partner = "طهران"
    memorandum = services.save_record(record=memorandum, by=personas.officer)
    _link, token = services.create_partner_link(memorandum=memorandum, by=personas.officer)
    return memorandum, f"/partner/{token}/"


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_partner_page(personas, sign_in, screenshots, language, width):
    memorandum, path = _draft(personas, language)
    page = sign_in(None, "en", width=width, height=HEIGHT[width])
    response = page.goto(path)
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#integrity-code")).to_be_visible()
    if language == "ar":
        arabic = page.locator('.partner-article [lang="ar"]').first
        expect(arabic).to_have_attribute("dir", "rtl")
        assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    else:
        assert page.locator('[lang="ar"]').count() == 0
    assert (
        page.locator('.partner-article [lang="fa"]').first.evaluate(
            "el => getComputedStyle(el).direction"
        )
        == "rtl"
    )
    assert page.locator("a").count() == 0  # no link to anything
    assert overflow_of(page) is None, overflow_of(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, screenshots):
        page.screenshot(path=folder / f"partner-{language}-{width}.png", full_page=True)

    if width == 390:
        # Comment on the first article, then confirm the text, as the partner would.
        first = page.locator(".partner-article").first
        first.locator("summary").click()
        first.get_by_label("Your name").fill("Layla Haddad")
        first.get_by_label("Your comment").fill("Please add “cultural heritage”.")
        first.get_by_role("button", name="Send the comment").click()
        expect(page.get_by_role("status").first).to_contain_text("your comment was sent")
        assert PartnerComment.objects.filter(memorandum=memorandum).count() == 1
        form = page.locator("#confirmation")
        form.get_by_label("Your name").fill("Layla Haddad")
        form.get_by_label("Your e-mail").fill("layla@example.org")
        form.get_by_role("button", name="I confirm this text").click()
        expect(page.locator("#confirmation-current")).to_be_visible()
        assert PartnerConfirmation.objects.filter(memorandum=memorandum).count() == 1
        assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]
        page.screenshot(path=SHOTS / f"partner-{language}-{width}-confirmed.png", full_page=True)


def test_an_unknown_link_is_a_plain_404(personas, sign_in):
    page = sign_in(None, "en", width=390, height=844, expect_404="/partner/nothing-here/")
    response = page.goto("/partner/nothing-here/")
    assert response.status == 404
    expect(page.get_by_role("heading")).to_contain_text("This link does not open anything")
    assert page.locator("a").count() == 0
