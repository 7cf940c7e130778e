"""The data behind the public pages: city coordinates and addresses, the public flag
and summary through every edit path, the world map, and fixed query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from agreements import services, worldmap
from agreements.forms import AgreementEditForm
from agreements.importing import apply_import, plan_import
from agreements.models import Agreement
from cities import geo
from cities.models import City
from tests.factories import ActivityFactory, CityFactory, DelegationFactory, HomeCityFactory
from tests.querycount import assert_same_query_count, captured

from .conftest import active, partner

pytestmark = pytest.mark.django_db


# --- Cities: GeoNames, slugs ------------------------------------------------------------


def test_a_new_city_gets_coordinates_and_population_from_geonames():
    city = CityFactory(name="Saint Petersburg", country="RU")
    assert 59 < city.latitude < 60 and 30 < city.longitude < 31
    assert city.population > 1_000_000
    assert geo.lookup("No Such Place", "IR") is None


def test_typed_values_are_kept_and_unknown_cities_stay_blank():
    city = CityFactory(name="Kuala Lumpur", country="MY", latitude=Decimal("1.5"), longitude=None)
    assert city.latitude == Decimal("1.5") and city.longitude is None
    assert city.population  # only the blank one filled
    unknown = CityFactory(name="Nowhere Village 77", country="IR")
    assert unknown.latitude is None and unknown.population is None


def test_the_match_is_by_name_and_country():
    paris_fr = geo.lookup("Paris", "FR")
    paris_us = geo.lookup("Paris", "US")
    assert paris_fr.longitude > 0 > paris_us.longitude
    assert geo.lookup("tehran", "ir").population > 5_000_000  # the capital, not a village


def test_slugs_are_unique_and_from_the_english_name():
    a = CityFactory(name="Springfield Public", country="US")
    b = CityFactory(name="Springfield Public", country="GB")
    c = CityFactory(name="Springfield Public", country="AU", slug=None)
    assert a.slug == "springfield-public"
    assert b.slug == "springfield-public-gb"
    assert c.slug == "springfield-public-au"
    a.name = "Renamed Springfield"
    a.save()
    a.refresh_from_db()
    assert a.slug == "springfield-public"  # published links keep working


def test_the_importer_fills_coordinates_and_slugs(personas):
    plan = plan_import(
        [
            {
                "home_city": "Tehran",
                "home_country": "IR",
                "home_name_fa": "تهران",
                "partner_city": "Lahore",
                "partner_country": "PK",
                "partner_name_fa": "لاهور",
                "kind": "sister",
                "stage": "active",
                "year": "2004",
                "notes": "",
            }
        ]
    )
    assert not plan.errors, plan.errors
    apply_import(plan, reason="test import")
    lahore = City.objects.get(name="Lahore", country="PK")
    assert lahore.slug == "lahore"
    assert 31 < lahore.latitude < 32 and 74 < lahore.longitude < 75


def test_fill_city_profiles_backfills_with_history(capsys):
    city = CityFactory(name="Xi'an", country="CN")
    City.objects.filter(pk=city.pk).update(
        latitude=None, longitude=None, population=None, slug=None
    )
    call_command("fill_city_profiles")
    city.refresh_from_db()
    assert city.latitude is not None and city.slug == "xian"
    assert "cities from GeoNames" in capsys.readouterr().out
    assert city.history.first().history_change_reason.startswith('{"code": "city_geonames"')


# --- The public flag and summary through every edit path --------------------------------


def test_the_edit_form_offers_the_public_fields(personas):
    agreement = active(personas.tehran, partner())
    form = AgreementEditForm(instance=agreement)
    assert {"public", "public_summary", "public_summary_fa"} <= set(form.fields)
    assert "public" in services.agreement_editable_fields(agreement)


def test_the_page_edit_hides_an_agreement(personas):
    agreement = active(personas.tehran, partner())
    client = Client()
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/agreements/{agreement.pk}/edit/",
        {
            "title": agreement.title,
            "summary": "",
            "origin": agreement.origin,
            "public_summary": "For citizens.",
            "public_summary_fa": "برای شهروندان",
            "version": agreement.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement.refresh_from_db()
    assert agreement.public is False  # an unticked box
    assert agreement.public_summary == "For citizens."


def test_the_api_sets_and_shows_the_flag(personas, api_for):
    agreement = active(personas.tehran, partner())
    url = f"/api/v1/agreements/{agreement.pk}/"
    api = api_for(personas.officer)
    assert api.get(url).json()["public"] is True
    response = api.patch(url, {"public": False, "public_summary_fa": "خلاصه"}, format="json")
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert agreement.public is False and agreement.public_summary_fa == "خلاصه"
    assert api_for(personas.viewer).patch(url, {"public": True}, format="json").status_code == 403
    assert (
        api_for(personas.isfahan_officer).patch(url, {"public": True}, format="json").status_code
        == 404
    )


@pytest.mark.parametrize(
    "field,value",
    [
        ("public_summary", "خلاصهٔ فارسی"),  # Persian in the English summary
        ("public_summary_fa", "English only"),
        ("public_summary", "x" * 601),
        ("public_summary", "bad \x07 bell"),
    ],
)
def test_bad_summaries_are_refused_and_nothing_changes(personas, api_for, field, value):
    agreement = active(personas.tehran, partner())
    response = api_for(personas.officer).patch(
        f"/api/v1/agreements/{agreement.pk}/", {field: value}, format="json"
    )
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    agreement.refresh_from_db()
    assert getattr(agreement, field) == ""


# --- The map -----------------------------------------------------------------------------


def test_the_map_has_the_world_and_one_marker_per_partner():
    countries = worldmap.country_paths()
    assert len(countries) > 150
    assert {"364", "380", "392"} <= {c.code for c in countries}  # Iran, Italy, Japan
    the_map = worldmap.world_map(
        (1, 35.7, 51.4, "Tehran"), [(2, 43.8, 11.2, "Florence"), (3, None, None, "Unknown")]
    )
    assert [m.city_id for m in the_map.markers] == [2]
    x, y = worldmap.project(43.8, 11.2)
    assert the_map.markers[0].x == round(x, 1)
    assert the_map.markers[0].arc.startswith(f"M{the_map.home.x:.1f},{the_map.home.y:.1f}Q")
    # West is left and north is up, on Persian pages too (nothing is mirrored).
    assert worldmap.project(0, -100)[0] < worldmap.project(0, 100)[0]
    assert worldmap.project(60, 0)[1] < worldmap.project(-30, 0)[1]
    # Out-of-range stored values stay on the map.
    assert 0 <= worldmap.project(95, 200)[0] <= worldmap.WIDTH


# --- Query counts -------------------------------------------------------------------------


def _grow(home, count: int) -> None:
    for _ in range(count):
        agreement = active(home, partner(latitude=Decimal("10"), longitude=Decimal("20")))
        ActivityFactory(agreement=agreement)
        DelegationFactory(agreement=agreement)


@pytest.mark.parametrize("suffix", ["/", ".geojson"])
def test_the_public_pages_cost_the_same_queries_with_3_or_30_partnerships(suffix):
    home = HomeCityFactory(name="Querycount Home")
    _grow(home, 3)
    client = Client()
    url = f"/public/{home.slug}{suffix}"
    small = captured(lambda: client.get(url))
    _grow(home, 27)
    assert Agreement.objects.filter(home_city=home).count() == 30
    from django.core.cache import cache

    cache.clear()
    large = captured(lambda: client.get(url))
    assert_same_query_count(small, large)
    assert len(small) <= 6, small
    # Unchanged: the version and the cache only (no partnership, activity or delegation read).
    again = captured(lambda: client.get(url))
    assert len(again) <= 2, again


def test_a_change_shows_at_once_despite_the_cache():
    home = HomeCityFactory(name="Cache Home")
    _grow(home, 2)
    client = Client()
    client.cookies["django_language"] = "en"
    url = f"/public/{home.slug}/"
    assert "Fresh festival" not in client.get(url).content.decode()
    ActivityFactory(
        agreement=Agreement.objects.filter(home_city=home).first(), title="Fresh festival"
    )
    assert "Fresh festival" in client.get(url).content.decode()
