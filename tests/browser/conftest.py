"""Browser journeys in Debian's Chromium (Playwright) against pytest-django's live server.

The live server serves static files (django.contrib.staticfiles is installed), so
the pages look as they do in production. Tests are marked `browser` and skipped,
with the reason, where /usr/bin/chromium is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"No Chromium at {CHROMIUM} (Debian: apt-get install chromium); browser journeys skipped"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def sign_in(live_server, browser):
    """sign_in(user, language, *, width=1366, height=900, expect_404="") -> a Page of a
    fresh browser context, signed in as `user` (session cookie from Django's test
    client; None: not signed in) and reading `language`.

    Every request to another host is refused and recorded; every console error
    (a Content-Security-Policy violation, a script error) is recorded, except the
    browser's note of the 404 of a page whose URL ends with `expect_404`; the test
    fails at the end if there was any."""
    contexts = []
    foreign: list[str] = []
    errors: list[str] = []

    def make(user, language: str = "fa", *, width=1366, height=900, expect_404: str = ""):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        cookies = {settings.LANGUAGE_COOKIE_NAME: language}
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
                settings.SESSION_COOKIE_NAME
            ].value
        context.add_cookies(
            [{"name": k, "value": v, "url": live_server.url} for k, v in cookies.items()]
        )

        def only_this_site(route):
            if route.request.url.startswith(live_server.url):
                route.continue_()
            else:
                foreign.append(route.request.url)
                route.abort()

        def console(message):
            if message.type != "error":
                return
            if expect_404 and "status of 404" in message.text and page.url.endswith(expect_404):
                return
            errors.append(f"{page.url}: {message.text}")

        context.route("**/*", only_this_site)
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.set_default_timeout(15_000)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not foreign, f"pages asked another host for: {foreign}"
    assert not errors, f"errors in the browser console: {errors}"
