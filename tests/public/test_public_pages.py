"""The public pages (issue 23): what appears, what never does, for anyone."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from agreements import services
from agreements.models import Agreement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client(language: str = "fa") -> Client:
    c = Client()
    c.cookies["django_language"] = language
    return c


def public_urls(tehran) -> list[str]:
    return ["/public/", f"/public/{tehran.slug}/", f"/public/{tehran.slug}.geojson"]


def test_the_pages_are_for_anyone(public_world):
    tehran = public_world["tehran"]
    for url in public_urls(tehran):
        response = client().get(url)
        assert response.status_code == 200, url
    outsider = Client()
    outsider.force_login(UserFactory(username="public-outsider"))
    assert outsider.get(f"/public/{tehran.slug}/").status_code == 200


def test_the_index_lists_municipalities_with_something_public(personas, public_world):
    html = client("en").get("/public/").content.decode()
    assert f'href="/public/{personas.tehran.slug}/"' in html
    # Isfahan has no public partnership: no page.
    assert f"/public/{personas.isfahan.slug}/" not in html
    assert client().get(f"/public/{personas.isfahan.slug}/").status_code == 404
    assert client().get(f"/public/{personas.isfahan.slug}.geojson").status_code == 404


def test_unknown_and_partner_slugs_are_404(public_world):
    partner_city = public_world["shown"][0].partner_city
    assert client().get("/public/no-such-city/").status_code == 404
    assert client().get(f"/public/{partner_city.slug}/").status_code == 404
    assert client().get("/public/no-such-city.geojson").status_code == 404


@pytest.mark.parametrize("language", ["fa", "en"])
def test_public_partnerships_appear_with_their_facts(public_world, language):
    tehran = public_world["tehran"]
    response = client(language).get(f"/public/{tehran.slug}/")
    html = response.content.decode()
    florence, kyoto = (a.partner_city for a in public_world["shown"])
    for city in (florence, kyoto):
        assert f'data-city="{city.pk}"' in html
        assert (city.name_fa if language == "fa" else city.name) in html
    assert html.count("data-city=") == 2
    if language == "fa":
        assert 'dir="rtl"' in html
        assert "۱۳۹۸" in html  # 4 May 2019 is in Jalali 1398
        assert "نمایشگاه مشترک صنایع دستی" in html
        assert "شهر خواهرخوانده" in html
    else:
        assert "2019" in html
        assert "Joint craft fairs since 1998." in html
        assert "Sister city" in html
    assert "Miniature painting week" in html  # a public activity's title


def test_nothing_private_ever_appears(public_world):
    """Every non-public agreement's partner name, and the people, documents and
    notes of public ones, on every public page in both languages and the GeoJSON."""
    tehran = public_world["tehran"]
    forbidden = []
    for agreement in public_world["hidden"].values():
        forbidden += [agreement.partner_city.name, agreement.partner_city.name_fa]
        forbidden.append(f"Private activity {agreement.pk}")
    forbidden += ["Secret Headname", "Hidden Member", "Hush purpose", "Confidential letter"]
    forbidden += ["Private Head", "Deputy mayor"]
    for agreement in public_world["shown"]:
        forbidden.append(agreement.title)
        if agreement.responsible_officer:
            forbidden.append(agreement.responsible_officer.username)
    for language in ("fa", "en"):
        for url in public_urls(tehran):
            body = client(language).get(url).content.decode()
            found = [text for text in forbidden if text and text in body]
            assert found == [], f"{url} ({language}) shows {found}"


def test_hiding_an_agreement_takes_it_off_at_once(personas, public_world):
    tehran = public_world["tehran"]
    florence = public_world["shown"][0]
    services.update_agreement(agreement=florence, by=personas.officer, public=False)
    html = client("en").get(f"/public/{tehran.slug}/").content.decode()
    assert f'data-city="{florence.partner_city_id}"' not in html
    assert florence.partner_city.name not in html
    history = Agreement.history.filter(id=florence.pk).order_by("-history_id").first()
    assert history.public is False


def test_geojson_is_valid_and_lon_lat(public_world):
    tehran = public_world["tehran"]
    response = client().get(f"/public/{tehran.slug}.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 2
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) >= {"name", "name_fa", "country", "kind", "signed_year"}
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    florence = by_name["Florence"]
    assert florence["geometry"]["coordinates"] == [11.24626, 43.77925]  # [lon, lat]
    expected = {"name_fa": "فلورانس", "country": "IT", "kind": "sister", "signed_year": 2019}
    assert {k: florence["properties"][k] for k in expected} == expected
    # Kyoto was filled from GeoNames when it was created (cities.geo).
    kyoto = by_name["Kyoto"]["geometry"]["coordinates"]
    assert 135 < kyoto[0] < 136 and 34 < kyoto[1] < 36


def test_geojson_etag_and_304(personas, public_world):
    tehran = public_world["tehran"]
    url = f"/public/{tehran.slug}.geojson"
    first = client().get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client().get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client().get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # Any change shows at once: an edit of an agreement, a city's rename.
    kyoto = public_world["shown"][1]
    services.update_agreement(agreement=kyoto, by=personas.officer, public=False)
    changed = client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert len(json.loads(changed.content)["features"]) == 1
    florence = public_world["shown"][0].partner_city
    florence.name_fa = "فلورانسِ نو"
    florence.save()
    renamed = client().get(url, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert renamed.status_code == 200
    assert "فلورانسِ نو" in renamed.content.decode()


def test_the_page_keeps_the_content_security_policy(public_world):
    response = client().get(f"/public/{public_world['tehran'].slug}/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_partnerships_come_a_page_at_a_time(public_world, monkeypatch):
    from agreements.views import public as public_views

    monkeypatch.setattr(public_views, "PER_PAGE", 1)
    tehran = public_world["tehran"]
    first = client("en").get(f"/public/{tehran.slug}/").content.decode()
    second = client("en").get(f"/public/{tehran.slug}/?page=2").content.decode()
    assert first.count("data-city=") == second.count("data-city=") == 1
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert "2 active partnerships" in first
    for page in ("3", "0", "x", "99999999999"):
        assert client().get(f"/public/{tehran.slug}/?page={page}").status_code == 404
