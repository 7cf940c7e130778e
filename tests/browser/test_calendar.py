"""The calendar page in a real browser: the address made, copied with the button,
renewed after a confirmation; the feed it names answers a calendar."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.models import CalendarFeedToken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_officer_makes_copies_and_renews_the_address(sign_in, personas, screenshots, language):
    page = sign_in(personas.officer, language)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/calendar/")
    page.locator("form[action='/calendar/renew/'] button").click()
    field = page.locator("#calendar-url")
    expect(field).to_be_visible()
    url = field.input_value()
    assert url.endswith(".ics") and "/calendar/" in url
    page.locator("[data-copy-target]").click()
    expect(page.locator("#copy-status")).not_to_be_empty()
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.screenshot(path=screenshots / f"calendar-{language}.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action='/calendar/renew/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert page.locator("#calendar-url").input_value() != url
    assert CalendarFeedToken.objects.filter(user=personas.officer).count() == 2
    feed = page.request.get("/calendar/" + url.rsplit("/", 1)[1])
    assert feed.status == 404  # the old address no longer works
