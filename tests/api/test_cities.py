"""/api/v1/cities/: list with filters, create, read, update."""

from __future__ import annotations

import pytest

from cities.models import City
from tests.api.problems import field_messages, problem
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cities/"


@pytest.fixture
def cities(personas):
    return {
        "florence": CityFactory(name="Florence", name_fa="فلورانس", country="IT"),
        "kyoto": CityFactory(name="Kyoto", name_fa="کیوتو", country="JP"),
        "osaka": CityFactory(name="Osaka", name_fa="", country="JP"),
    }


def names(response) -> set[str]:
    return {city["name"] for city in response.json()["results"]}


def test_list_is_paginated_with_the_fields(personas, cities, client_for):
    response = client_for(personas.viewer).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5  # Tehran, Isfahan and three partners
    kyoto = next(c for c in body["results"] if c["name"] == "Kyoto")
    assert {"id", "name", "name_fa", "country", "is_home"} <= set(kyoto)
    assert kyoto["country"] == "JP" and kyoto["name_fa"] == "کیوتو" and kyoto["is_home"] is False


def test_pages_link_to_each_other(personas, cities, client_for):
    api = client_for(personas.viewer)
    first = api.get(URL, {"page_size": 2}).json()
    assert first["previous"] is None and "page=2" in first["next"]
    second = api.get(first["next"]).json()
    assert second["previous"] and names_of(second) != names_of(first)
    last = api.get(URL, {"page_size": 2, "page": 3}).json()
    assert last["next"] is None and len(last["results"]) == 1


def names_of(body) -> set[str]:
    return {c["name"] for c in body["results"]}


def test_a_page_past_the_last_is_404_and_an_invalid_one_400(personas, cities, client_for):
    api = client_for(personas.viewer)
    problem(api.get(URL, {"page": 99}), 404, "not_found")
    assert list(field_messages(api.get(URL, {"page": "x"}), "invalid_parameter")) == ["page"]
    assert list(field_messages(api.get(URL, {"page": 10**30}), "invalid_parameter")) == ["page"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "kyo"}, {"Kyoto"}),
        ({"search": "فلورانس"}, {"Florence"}),
        ({"country": "JP"}, {"Kyoto", "Osaka"}),
        ({"is_home": "true"}, {"Tehran", "Isfahan"}),
        ({"is_home": "false", "country": "IT"}, {"Florence"}),
    ],
)
def test_filters(personas, cities, client_for, params, expected):
    response = client_for(personas.viewer).get(URL, params)
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize("params", [{"is_home": "maybe"}, {"country": "XX"}])
def test_invalid_filter_is_400(personas, cities, client_for, params):
    response = client_for(personas.viewer).get(URL, params)
    assert response.status_code == 400
    assert set(params) <= set(field_messages(response, "invalid_parameter"))


def test_read(personas, cities, client_for):
    city = cities["kyoto"]
    response = client_for(personas.viewer).get(f"{URL}{city.pk}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Kyoto"


def test_unknown_city_is_404(personas, client_for):
    assert client_for(personas.viewer).get(f"{URL}999999/").status_code == 404


def test_officer_creates_a_partner_city_with_history(personas, client_for):
    response = client_for(personas.officer).post(
        URL, {"name": "Lyon", "name_fa": "لیون", "country": "FR"}, format="json"
    )
    assert response.status_code == 201, response.json()
    city = City.objects.get(pk=response.json()["id"])
    assert (city.name, city.country.code, city.is_home) == ("Lyon", "FR", False)
    entry = city.history.latest("history_date")
    assert entry.history_user == personas.officer and entry.history_change_reason


def test_viewer_cannot_create_a_city(personas, client_for):
    response = client_for(personas.viewer).post(
        URL, {"name": "Lyon", "country": "FR"}, format="json"
    )
    assert response.status_code == 403
    assert not City.objects.filter(name="Lyon").exists()


def test_viewer_gets_403_even_for_invalid_data(personas, client_for):
    assert client_for(personas.viewer).post(URL, {}, format="json").status_code == 403


def test_only_administrators_create_home_municipalities(personas, client_for):
    payload = {"name": "Shiraz", "country": "IR", "is_home": True}
    assert client_for(personas.officer).post(URL, payload, format="json").status_code == 403
    response = client_for(personas.admin).post(URL, payload, format="json")
    assert response.status_code == 201
    assert City.objects.get(name="Shiraz").is_home


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"country": "FR"}, "name"),
        ({"name": "Lyon"}, "country"),
        ({"name": "Lyon", "country": "XX"}, "country"),
        ({"name": "Lyon", "country": "FR", "characteristics": ["volcanic"]}, "characteristics.0"),
        ({"name": "Lyon", "country": "FR", "latitude": "123"}, "latitude"),
    ],
)
def test_invalid_city_is_400_with_field_errors(personas, client_for, payload, field):
    response = client_for(personas.officer).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in field_messages(response)


def test_duplicate_city_is_400(personas, cities, client_for):
    response = client_for(personas.officer).post(
        URL, {"name": "kyoto", "country": "JP"}, format="json"
    )
    assert response.status_code == 400


def test_officer_updates_a_partner_city(personas, cities, client_for):
    city = cities["osaka"]
    response = client_for(personas.officer).patch(
        f"{URL}{city.pk}/", {"name_fa": "اوساکا"}, format="json"
    )
    assert response.status_code == 200, response.json()
    city.refresh_from_db()
    assert city.name_fa == "اوساکا"
    assert response.json()["version"] == city.version


def test_officer_cannot_edit_a_home_municipality(personas, client_for):
    url = f"{URL}{personas.tehran.pk}/"
    response = client_for(personas.officer).patch(url, {"name_fa": "x"}, format="json")
    assert response.status_code == 403
    personas.tehran.refresh_from_db()
    assert personas.tehran.name_fa == "تهران"


def test_officer_cannot_make_a_city_a_home_municipality(personas, cities, client_for):
    url = f"{URL}{cities['osaka'].pk}/"
    response = client_for(personas.officer).patch(url, {"is_home": True}, format="json")
    assert response.status_code == 403


def test_stale_version_is_409(personas, cities, client_for):
    city = cities["osaka"]
    url = f"{URL}{city.pk}/"
    api = client_for(personas.officer)
    version = api.get(url).json()["version"]
    assert api.patch(url, {"name_fa": "a", "version": version}, format="json").status_code == 200
    response = api.patch(url, {"name_fa": "b", "version": version}, format="json")
    assert response.status_code == 409
    problem(response, 409, "version_conflict")
    city.refresh_from_db()
    assert city.name_fa == "a"


def test_delete_is_not_offered(personas, cities, client_for):
    response = client_for(personas.admin).delete(f"{URL}{cities['osaka'].pk}/")
    assert response.status_code == 405


@pytest.fixture
def shared(personas):
    """Paris partners Tehran and Isfahan."""
    paris = CityFactory(name="Paris", name_fa="پاریس", country="FR")
    AgreementFactory(home_city=personas.tehran, partner_city=paris)
    AgreementFactory(home_city=personas.isfahan, partner_city=paris)
    return paris


@pytest.fixture
def own(personas):
    """Lyon partners Tehran only."""
    lyon = CityFactory(name="Lyon", name_fa="لیون", country="FR")
    AgreementFactory(home_city=personas.tehran, partner_city=lyon)
    return lyon


# --- Shared partner cities: administrators only (agreements.city_directory.check_may_edit_city) --------


def test_api_refuses_the_officer_with_the_reason(personas, shared, client_for):
    api = client_for(personas.officer)
    url = f"/api/v1/cities/{shared.pk}/"
    patch = api.patch(url, {"name_fa": "x"}, format="json")
    assert patch.status_code == 403
    assert "فقط مدیر سامانه" in patch.json()["detail"]  # the default language, Persian
    api.cookies["django_language"] = "en"
    patch = api.patch(url, {"name_fa": "x"}, format="json")
    assert "only an administrator may edit it" in patch.json()["detail"]
    put = api.put(url, {"name": "Lutetia", "country": "FR"}, format="json")
    assert put.status_code == 403
    # 403 before the data is looked at: invalid data is not a 400.
    assert api.patch(url, {"latitude": "999"}, format="json").status_code == 403
    shared.refresh_from_db()
    assert (shared.name, shared.name_fa, shared.version) == ("Paris", "پاریس", 1)


def test_api_lets_the_administrator_edit_a_shared_city(personas, shared, client_for):
    response = client_for(personas.admin).patch(
        f"/api/v1/cities/{shared.pk}/", {"region": "Île-de-France"}, format="json"
    )
    assert response.status_code == 200, response.json()
    shared.refresh_from_db()
    assert shared.region == "Île-de-France"


def test_api_lets_the_officer_edit_a_city_of_one_municipality(personas, own, client_for):
    response = client_for(personas.officer).patch(
        f"/api/v1/cities/{own.pk}/", {"region": "Rhône"}, format="json"
    )
    assert response.status_code == 200, response.json()
    own.refresh_from_db()
    assert own.region == "Rhône"


@pytest.mark.parametrize(
    ("value", "status"), [(35.68919999999, 201), ("35.6892", 201), (-7.1e151, 400), (91, 400)]
)
def test_coordinates_are_rounded_numbers_within_bounds(personas, client_for, value, status):
    api = client_for(personas.officer)
    response = api.post(
        "/api/v1/cities/", {"name": "Lyon", "country": "FR", "latitude": value}, format="json"
    )
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["latitude"] == 35.6892
