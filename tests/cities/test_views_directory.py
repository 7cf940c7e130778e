from __future__ import annotations

import pytest
from django.core.cache import cache

from cities.models import City
from tests.factories import AgreementFactory, CityFactory
from tests.querycount import assert_same_query_count, captured

pytestmark = pytest.mark.django_db

URL = "/cities/"


def shown(response) -> list[City]:
    return list(response.context["page"].object_list)


@pytest.fixture
def partners(personas):
    paris = CityFactory(name="Paris", name_fa="پاریس", country="FR")
    kyoto = CityFactory(name="Kyoto", name_fa="", country="JP")
    AgreementFactory(home_city=personas.tehran, partner_city=paris)
    AgreementFactory(home_city=personas.isfahan, partner_city=paris)
    AgreementFactory(home_city=personas.isfahan, partner_city=kyoto)
    return paris, kyoto


# --- The ladder -------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/cities/")


def test_user_without_role_sees_an_explanation(client, personas, partners):
    client.force_login(personas.outsider)
    response = client.get(URL)
    assert response.status_code == 403
    assert "Paris" not in response.content.decode()


def test_post_is_not_allowed(client, personas):
    client.force_login(personas.viewer)
    assert client.post(URL).status_code == 405


def test_viewer_reads_the_directory_but_cannot_add(client, personas, partners):
    client.force_login(personas.viewer)
    response = client.get(URL)
    assert response.status_code == 200
    assert not response.context["can_create"]
    assert "/cities/new/" not in response.content.decode()
    assert client.get("/cities/new/").status_code == 403


def test_partners_are_shown_only_through_visible_agreements(client, personas, partners):
    paris, kyoto = partners
    client.force_login(personas.officer)  # Tehran
    response = client.get(URL)
    cities = {city.name: city for city in shown(response)}
    paris_partners = [other.name for _a, other in cities["Paris"].partner_entry["partners"]]
    # Paris also partners Isfahan, and Isfahan partners Kyoto: invisible to Tehran.
    assert paris_partners == ["Tehran"]
    assert cities["Paris"].partner_entry["count"] == 1
    assert cities["Tehran"].partner_entry["as_home"] == 1
    assert cities["Isfahan"].partner_entry["as_home"] == 0
    assert cities["Kyoto"].partner_entry["partners"] == []
    body = response.content.decode()
    assert f'href="/agreements/?home_city={personas.tehran.pk}"' in body
    assert f'href="/agreements/?home_city={personas.isfahan.pk}"' not in body


def test_administrator_sees_every_partner(client, personas, partners):
    client.force_login(personas.admin)
    cities = {city.name: city for city in shown(client.get(URL))}
    assert sorted(o.name for _a, o in cities["Paris"].partner_entry["partners"]) == [
        "Isfahan",
        "Tehran",
    ]
    assert cities["Isfahan"].partner_entry["as_home"] == 2


def test_home_counts_are_cached_per_viewer_and_follow_every_change(client, personas, partners):
    paris, _kyoto = partners

    def isfahan_count(user) -> int:
        client.force_login(user)
        cities = {city.name: city for city in shown(client.get(URL))}
        return cities["Isfahan"].partner_entry["as_home"]

    # The same page, counted for two viewers who see different agreements.
    assert isfahan_count(personas.admin) == 2
    assert isfahan_count(personas.officer) == 0  # Tehran's officer
    # Asked again with nothing changed: the numbers come from the cache.
    again = captured(lambda: isfahan_count(personas.admin))
    assert not [sql for sql in again if 'COUNT("agreements_agreement"."id") AS "n"' in sql]
    # A new agreement, then a terminated one: the next view counts again.
    added = AgreementFactory(home_city=personas.isfahan, partner_city=CityFactory(name="Lyon"))
    assert isfahan_count(personas.admin) == 3
    added.status = "terminated"
    added.save()
    assert isfahan_count(personas.admin) == 2


def test_partner_list_is_cut_with_a_total(client, personas):
    from tests.factories import HomeCityFactory

    popular = CityFactory(name="Popular")
    for n in range(9):
        AgreementFactory(home_city=HomeCityFactory(name=f"Home {n}"), partner_city=popular)
    client.force_login(personas.admin)
    cities = {city.name: city for city in shown(client.get(URL, {"scope": "partner"}))}
    entry = cities["Popular"].partner_entry
    assert len(entry["partners"]) == 6 and entry["count"] == 9


# --- Filters ---------------------------------------------------------------------------


def test_missing_persian_name_filter(client, personas, partners):
    client.force_login(personas.viewer)
    response = client.get(URL, {"missing_fa": "on"})
    assert [c.name for c in shown(response)] == ["Kyoto"]
    assert response.context["missing_fa_count"] == 1


def test_scope_filter(client, personas, partners):
    client.force_login(personas.viewer)
    assert {c.name for c in shown(client.get(URL, {"scope": "home"}))} == {"Tehran", "Isfahan"}
    assert {c.name for c in shown(client.get(URL, {"scope": "partner"}))} == {"Paris", "Kyoto"}


def test_search_is_normalised(client, personas):
    kerman = CityFactory(name="Kerman", name_fa="كرمان")
    client.force_login(personas.viewer)
    assert shown(client.get(URL, {"q": "کرمان"})) == [kerman]
    assert shown(client.get(URL, {"q": "KERMAN"})) == [kerman]


def test_invalid_filter_shows_nothing_and_the_error(client, personas, partners):
    client.force_login(personas.viewer)
    response = client.get(URL, {"scope": "everything"})
    assert shown(response) == []
    assert response.context["form"].errors


def test_directory_query_count_does_not_grow(client, personas):
    client.force_login(personas.officer)

    def build(n):
        for _ in range(n):
            AgreementFactory(home_city=personas.tehran)

    def fetch():
        # Counted with nothing cached, as after any change (agreements/figures.py).
        cache.clear()
        assert client.get(URL).status_code == 200

    build(3)
    fetch()
    small = captured(fetch)
    build(20)
    large = captured(fetch)
    assert_same_query_count(small, large)


# --- City page and forms ----------------------------------------------------------------


def test_city_page_lists_only_visible_agreements(client, personas, partners):
    paris, _kyoto = partners
    client.force_login(personas.officer)
    response = client.get(f"/cities/{paris.pk}/")
    assert response.status_code == 200
    assert [a.home_city for a in response.context["page"].object_list] == [personas.tehran]
    assert client.get("/cities/999999/").status_code == 404


def test_officer_creates_a_partner_city_never_a_home_one(client, personas):
    client.force_login(personas.officer)
    assert client.get("/cities/new/").status_code == 200
    response = client.post(
        "/cities/new/",
        {"name": "Porto", "name_fa": "پورتو", "country": "PT", "is_home": "on"},
    )
    assert response.status_code == 302
    porto = City.objects.get(name="Porto")
    assert not porto.is_home
    assert porto.history.first().history_user == personas.officer


def test_officer_edits_partner_cities_but_not_home_municipalities(client, personas, partners):
    # Paris partners Tehran and Isfahan: shared, administrators only (test_shared_cities.py).
    _paris, kyoto = partners
    client.force_login(personas.officer)
    assert client.get(f"/cities/{kyoto.pk}/edit/").status_code == 200
    assert client.get(f"/cities/{personas.tehran.pk}/edit/").status_code == 403
    assert client.post(f"/cities/{personas.tehran.pk}/edit/", {"name": "X"}).status_code == 403
    personas.tehran.refresh_from_db()
    assert personas.tehran.name == "Tehran"


def test_administrator_edits_a_home_municipality(client, personas):
    client.force_login(personas.admin)
    city = personas.tehran
    response = client.post(
        f"/cities/{city.pk}/edit/",
        {
            "name": "Tehran",
            "name_fa": "تهران",
            "country": "IR",
            "is_home": "on",
            "version": city.version,
        },
    )
    assert response.status_code == 302
    city.refresh_from_db()
    assert city.is_home and city.version == 2


def test_stale_edit_is_refused_and_nothing_is_saved(client, personas, partners):
    _paris, kyoto = partners
    client.force_login(personas.officer)
    data = {"name": "Kyoto", "name_fa": "کیوتو", "country": "JP", "region": "Kansai"}
    first = client.post(f"/cities/{kyoto.pk}/edit/", {**data, "version": kyoto.version})
    assert first.status_code == 302
    second = client.post(
        f"/cities/{kyoto.pk}/edit/", {**data, "region": "Other", "version": kyoto.version}
    )
    assert second.status_code == 200
    assert second.context["form"].non_field_errors()
    kyoto.refresh_from_db()
    assert kyoto.region == "Kansai"


def test_viewer_cannot_edit_a_city(client, personas, partners):
    paris, _kyoto = partners
    client.force_login(personas.viewer)
    assert client.get(f"/cities/{paris.pk}/edit/").status_code == 403
