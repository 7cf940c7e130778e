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
    """sign_in(user, language) -> a Page of a fresh browser context, signed in as `user`
    (session cookie from Django's test client) and reading `language`.

    Every request to another host is refused and recorded; every console error
    (a Content-Security-Policy violation, a script error) is recorded; the test
    fails at the end if there was any."""
    contexts = []
    foreign: list[str] = []
    errors: list[str] = []

    def make(user, language: str = "fa"):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1366, "height": 900}
        )
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )

        def only_this_site(route):
            if route.request.url.startswith(live_server.url):
                route.continue_()
            else:
                foreign.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_site)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(15_000)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not foreign, f"pages asked another host for: {foreign}"
    assert not errors, f"errors in the browser console: {errors}"
