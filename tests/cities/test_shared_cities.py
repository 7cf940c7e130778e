"""A partner city of more than one home municipality is edited only by an
administrator; a city of one municipality is edited by officers as before
(agreements.city_directory.check_may_edit_city). The API's side: tests/api/test_cities.py."""

from __future__ import annotations

import pytest

from agreements.city_directory import is_shared_partner
from cities.models import City
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db

MESSAGE = "only an administrator may edit it"
MESSAGE_FA = "فقط مدیر سامانه"


@pytest.fixture
def shared(personas):
    paris = CityFactory(name="Paris", name_fa="پاریس", country="FR")
    AgreementFactory(home_city=personas.tehran, partner_city=paris)
    AgreementFactory(home_city=personas.isfahan, partner_city=paris, status="terminated")
    return paris


@pytest.fixture
def own(personas):
    """A partner of Tehran only, even with two agreements."""
    lyon = CityFactory(name="Lyon", name_fa="لیون", country="FR")
    AgreementFactory(home_city=personas.tehran, partner_city=lyon, kind="sister")
    AgreementFactory(home_city=personas.tehran, partner_city=lyon, status="terminated")
    return lyon


def _form(city: City, **changes) -> dict:
    data = {"name": city.name, "name_fa": city.name_fa, "country": city.country.code}
    return {**data, "version": city.version, **changes}


def test_shared_means_more_than_one_home_municipality(shared, own):
    assert is_shared_partner(shared)
    assert not is_shared_partner(own)
    assert not is_shared_partner(CityFactory())


# --- Pages ---------------------------------------------------------------------------------------


def test_officer_gets_a_403_page_saying_why_and_nothing_changes(client, personas, shared):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cities/{shared.pk}/edit/")
    assert page.status_code == 403
    assert MESSAGE in page.content.decode()
    response = client.post(f"/cities/{shared.pk}/edit/", _form(shared, name="Lutetia"))
    assert response.status_code == 403
    assert MESSAGE in response.content.decode()
    shared.refresh_from_db()
    assert shared.name == "Paris" and shared.version == 1
    assert shared.history.count() == 1


def test_the_refusal_is_translated(client, personas, shared):
    client.force_login(personas.isfahan_officer)
    client.cookies["django_language"] = "fa"
    page = client.get(f"/cities/{shared.pk}/edit/")
    assert page.status_code == 403
    assert MESSAGE_FA in page.content.decode()


def test_the_city_page_offers_no_edit_to_the_officer(client, personas, shared, own):
    client.force_login(personas.officer)
    assert client.get(f"/cities/{shared.pk}/").context["can_edit"] is False
    assert client.get(f"/cities/{own.pk}/").context["can_edit"] is True
    client.force_login(personas.admin)
    assert client.get(f"/cities/{shared.pk}/").context["can_edit"] is True


def test_administrator_edits_a_shared_city(client, personas, shared):
    client.force_login(personas.admin)
    assert client.get(f"/cities/{shared.pk}/edit/").status_code == 200
    response = client.post(f"/cities/{shared.pk}/edit/", _form(shared, region="Île-de-France"))
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.region == "Île-de-France"


def test_officer_still_edits_a_city_of_one_municipality(client, personas, own):
    client.force_login(personas.officer)
    assert client.get(f"/cities/{own.pk}/edit/").status_code == 200
    response = client.post(f"/cities/{own.pk}/edit/", _form(own, region="Rhône"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.region == "Rhône"


def test_a_city_becoming_shared_between_opening_and_saving_is_refused(client, personas, own):
    client.force_login(personas.officer)
    assert client.get(f"/cities/{own.pk}/edit/").status_code == 200
    AgreementFactory(home_city=personas.isfahan, partner_city=own)
    response = client.post(f"/cities/{own.pk}/edit/", _form(own, region="Rhône"))
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.region == ""
