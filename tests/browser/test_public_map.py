"""The public page of a municipality in Chromium: both languages, a phone's width and
a laptop's, one marker per public partnership at the right place on the world map,
and not one request to another host (the map is drawn on the server, no tile
server). Screenshots: /work/shots/public-<language>-<width>.png when that folder
can be written (the note of issue 23), else test-artifacts/screenshots/."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from agreements import worldmap
from agreements.models import Stage
from tests.factories import ActivityFactory, CityFactory
from tests.workflow_helpers import agreement_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNERS = [
    # name, Persian name, country, latitude, longitude
    ("Browser Florence", "فلورانسِ آزمون", "IT", "43.779250", "11.246260"),
    ("Browser Kyoto", "کیوتوی آزمون", "JP", "35.021070", "135.753850"),
    ("Browser Havana", "هاوانای آزمون", "CU", "23.133020", "-82.383040"),
    ("Browser Cape Town", "کیپ‌تاونِ آزمون", "ZA", "-33.925840", "18.423220"),
]


def shots_dir(default: Path) -> Path:
    wanted = Path(os.environ.get("PUBLIC_SHOTS_DIR", "/work/shots"))
    try:
        wanted.mkdir(parents=True, exist_ok=True)
        probe = wanted / ".write-test"
        probe.write_text("")
        probe.unlink()
        return wanted
    except OSError:
        return default


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_public_map(sign_in, personas, screenshots, live_server, language, width):
    tehran = personas.tehran
    tehran.latitude, tehran.longitude = Decimal("35.694390"), Decimal("51.421510")
    tehran.save()
    cities = []
    for name, name_fa, country, lat, lon in PARTNERS:
        city = CityFactory(name=name, name_fa=name_fa, country=country, latitude=lat, longitude=lon)
        agreement = agreement_at(Stage.ACTIVE, home_city=tehran, partner_city=city, kind="sister")
        ActivityFactory(agreement=agreement, title=f"Culture week with {name}")
        cities.append(city)
    hidden = CityFactory(name="Browser Hiddenville", country="FR")
    off = agreement_at(Stage.ACTIVE, home_city=tehran, partner_city=hidden, public=False)
    ActivityFactory(agreement=off, title="Hidden activity")
    draft = CityFactory(name="Browser Draftburg", country="DE")
    agreement_at(Stage.LEGAL, home_city=tehran, partner_city=draft)

    page = sign_in(None, language, width=width, height=900 if width > 400 else 844)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"/public/{tehran.slug}/")
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "fa" else "ltr")
    markers = page.locator("svg.world-map [data-city]")
    assert markers.count() == len(PARTNERS)
    assert {markers.nth(i).get_attribute("data-city") for i in range(markers.count())} == {
        str(c.pk) for c in cities
    }
    assert page.locator(f'[data-city="{hidden.pk}"]').count() == 0
    assert "Browser Hiddenville" not in page.content()
    assert "Browser Draftburg" not in page.content()
    assert "Hidden activity" not in page.content()
    assert page.locator(".public-events li").count() >= len(PARTNERS)
    # The same rows in the table beside the map.
    assert page.locator("table.public-partnerships tbody tr").count() == len(PARTNERS)
    # Each marker where its city is: relative position inside the drawn map (not
    # mirrored on the Persian page: Havana left of Florence left of Kyoto).
    svg_box = page.locator("svg.world-map").bounding_box()
    scale = svg_box["width"] / worldmap.WIDTH
    positions = {}
    for city in cities:
        box = page.locator(f'[data-city="{city.pk}"]').bounding_box()
        x = (box["x"] + box["width"] / 2 - svg_box["x"]) / scale
        y = (box["y"] + box["height"] / 2 - svg_box["y"]) / scale
        expected_x, expected_y = worldmap.project(city.latitude, city.longitude)
        assert abs(x - expected_x) < 4 and abs(y - expected_y) < 4, city.name
        positions[city.name] = x
    assert positions["Browser Havana"] < positions["Browser Florence"] < positions["Browser Kyoto"]
    # The page fits the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    # Every request went to this server.
    foreign = [url for url in requests if not url.startswith(live_server.url)]
    assert foreign == []
    assert any(url.endswith("/static/css/public.css") for url in requests)
    target = shots_dir(screenshots) / f"public-{language}-{width}.png"
    page.screenshot(path=str(target), full_page=True)
