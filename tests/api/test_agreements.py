"""/api/v1/agreements/: list and filters, create, read, update."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, Stage, Status
from tests.api.problems import field_messages, problem
from tests.factories import (
    AgreementFactory,
    CityFactory,
    GoalFactory,
    UserFactory,
    grant,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"


@pytest.fixture
def agreements(personas):
    florence = CityFactory(name="Florence", name_fa="فلورانس", country="IT")
    kyoto = CityFactory(name="Kyoto", country="JP")
    tehran_florence = AgreementFactory(
        home_city=personas.tehran, partner_city=florence, kind="sister", signed_year=1998
    )
    tehran_kyoto = AgreementFactory(
        home_city=personas.tehran,
        partner_city=kyoto,
        stage=Stage.ACTIVE,
        status=Status.ACTIVE,
        signed_year=2004,
    )
    GoalFactory(agreement=tehran_kyoto, sector="tourism")
    isfahan_kyoto = AgreementFactory(home_city=personas.isfahan, partner_city=kyoto)
    return {
        "tehran_florence": tehran_florence,
        "tehran_kyoto": tehran_kyoto,
        "isfahan_kyoto": isfahan_kyoto,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_list_shows_only_the_users_municipalities(personas, agreements, client_for):
    tehran = {agreements["tehran_florence"].pk, agreements["tehran_kyoto"].pk}
    assert ids(client_for(personas.viewer).get(URL)) == tehran
    assert ids(client_for(personas.isfahan_officer).get(URL)) == {agreements["isfahan_kyoto"].pk}
    assert len(ids(client_for(personas.admin).get(URL))) == 3


def test_list_rows_carry_the_contract_fields(personas, agreements, client_for):
    body = client_for(personas.viewer).get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    row = next(r for r in body["results"] if r["id"] == agreements["tehran_florence"].pk)
    assert row["home_city"] == personas.tehran.pk
    assert row["partner_city_name"] == "Florence" and row["partner_country"] == "IT"
    assert row["kind"] == "sister" and row["stage"] == "contact" and row["status"] == "in_progress"
    assert row["signed_year"] == 1998


def test_list_query_count_does_not_grow_with_rows(personas, agreements, client_for):
    api = client_for(personas.viewer)
    api.get(URL)  # warm up (token, roles)
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for _ in range(10):
        AgreementFactory(home_city=personas.tehran)
    with CaptureQueriesContext(connection) as many:
        response = api.get(URL)
    assert response.json()["count"] == 12
    assert len(many) == len(few), [q["sql"] for q in many]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "active"}, {"tehran_kyoto"}),
        ({"status": "in_progress"}, {"tehran_florence"}),
        ({"kind": "sister"}, {"tehran_florence"}),
        ({"partner_country": "JP"}, {"tehran_kyoto"}),
        ({"sector": "tourism"}, {"tehran_kyoto"}),
        ({"signed_year": "1998"}, {"tehran_florence"}),
        ({"q": "flor"}, {"tehran_florence"}),
        ({"q": "فلورانس"}, {"tehran_florence"}),
        ({"stage": "contact", "kind": "friendship"}, set()),
    ],
)
def test_filters(personas, agreements, client_for, params, expected):
    response = client_for(personas.viewer).get(URL, params)
    assert ids(response) == {agreements[name].pk for name in expected}


def test_home_city_filter(personas, agreements, client_for):
    api = client_for(personas.admin)
    response = api.get(URL, {"home_city": personas.isfahan.pk})
    assert ids(response) == {agreements["isfahan_kyoto"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"stage": "finished"},
        {"status": "x"},
        {"kind": "cousin"},
        {"partner_country": "XX"},
        {"sector": "space"},
        {"signed_year": "nineteen"},
        {"signed_year": "99999999999999999999"},
        {"home_city": "abc"},
    ],
)
def test_invalid_filter_is_400_not_the_whole_list(personas, agreements, client_for, params):
    response = client_for(personas.viewer).get(URL, params)
    assert response.status_code == 400
    assert set(params) <= set(field_messages(response, "invalid_parameter"))


def test_home_city_of_another_municipality_is_an_invalid_filter(personas, agreements, client_for):
    response = client_for(personas.viewer).get(URL, {"home_city": personas.isfahan.pk})
    assert response.status_code == 400


def test_read_has_gate_and_allowed_actions(personas, agreements, client_for):
    agreement = agreements["tehran_florence"]
    response = client_for(personas.officer).get(f"{URL}{agreement.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == agreement.pk and body["partner_city_name"] == "Florence"
    assert [item["code"] for item in body["gate"]] and body["gate"][0]["done"] is False
    assert "request_advance" in body["allowed_actions"]
    viewer = client_for(personas.viewer).get(f"{URL}{agreement.pk}/").json()
    assert viewer["allowed_actions"] == []


def test_agreement_of_another_municipality_is_404(personas, agreements, client_for):
    url = f"{URL}{agreements['isfahan_kyoto'].pk}/"
    api = client_for(personas.officer)
    assert api.get(url).status_code == 404
    assert api.patch(url, {"title": "x"}, format="json").status_code == 404
    assert api.get(f"{URL}999999/").status_code == 404


def test_officer_creates_an_agreement(personas, client_for):
    partner = CityFactory(name="Lyon", country="FR")
    response = client_for(personas.officer).post(
        URL,
        {
            "home_city": personas.tehran.pk,
            "partner_city": partner.pk,
            "kind": "friendship",
            "origin": "trade",
            "title": "Tehran–Lyon",
            "summary": "Trade fair contacts",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    agreement = Agreement.objects.get(pk=response.json()["id"])
    assert (agreement.home_city, agreement.partner_city, agreement.origin) == (
        personas.tehran,
        partner,
        "trade",
    )
    assert agreement.stage == Stage.CONTACT and agreement.created_by == personas.officer
    assert agreement.history.latest("history_date").history_user == personas.officer


def test_stage_and_status_cannot_be_set(personas, client_for):
    partner = CityFactory()
    response = client_for(personas.officer).post(
        URL,
        {
            "home_city": personas.tehran.pk,
            "partner_city": partner.pk,
            "stage": "active",
            "status": "active",
        },
        format="json",
    )
    assert response.status_code == 201
    agreement = Agreement.objects.get(pk=response.json()["id"])
    assert (agreement.stage, agreement.status) == ("contact", "in_progress")
    url = f"{URL}{agreement.pk}/"
    api = client_for(personas.officer)
    assert (
        api.patch(url, {"stage": "active", "status": "terminated"}, format="json").status_code
        == 200
    )
    agreement.refresh_from_db()
    assert (agreement.stage, agreement.status) == ("contact", "in_progress")


def test_viewer_gets_403_even_for_invalid_data(personas, client_for):
    assert client_for(personas.viewer).post(URL, {}, format="json").status_code == 403
    assert client_for(personas.admin).post(URL, {}, format="json").status_code == 403


def test_viewer_cannot_create(personas, client_for):
    response = client_for(personas.viewer).post(
        URL, {"home_city": personas.tehran.pk, "partner_city": CityFactory().pk}, format="json"
    )
    assert response.status_code == 403
    assert not Agreement.objects.exists()


def test_officer_cannot_create_for_another_municipality(personas, client_for):
    response = client_for(personas.officer).post(
        URL, {"home_city": personas.isfahan.pk, "partner_city": CityFactory().pk}, format="json"
    )
    assert response.status_code == 403
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "home_city"),
        ({"partner_city": 999999}, "partner_city"),
        ({"kind": "cousin"}, "kind"),
        ({"origin": "aliens"}, "origin"),
        ({"first_contact_on": "yesterday"}, "first_contact_on"),
    ],
)
def test_invalid_agreement_is_400(personas, client_for, payload, field):
    data = {"home_city": personas.tehran.pk, "partner_city": CityFactory().pk, **payload}
    if field == "home_city":
        data.pop("home_city")
    response = client_for(personas.officer).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in field_messages(response)


def test_city_partnering_itself_is_400(personas, client_for):
    response = client_for(personas.officer).post(
        URL, {"home_city": personas.tehran.pk, "partner_city": personas.tehran.pk}, format="json"
    )
    assert response.status_code == 400
    assert "partner_city" in field_messages(response)


def test_second_live_agreement_for_a_pair_is_400(personas, agreements, client_for):
    existing = agreements["tehran_florence"]
    response = client_for(personas.officer).post(
        URL,
        {"home_city": personas.tehran.pk, "partner_city": existing.partner_city_id},
        format="json",
    )
    assert response.status_code == 400
    assert "partner_city" in field_messages(response)


def test_officer_updates_an_agreement(personas, agreements, client_for):
    agreement = agreements["tehran_florence"]
    url = f"{URL}{agreement.pk}/"
    response = client_for(personas.officer).patch(
        url,
        {"title": "Renamed", "summary": "New summary", "version": agreement.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    agreement.refresh_from_db()
    assert (agreement.title, agreement.summary) == ("Renamed", "New summary")
    assert response.json()["version"] == agreement.version


def test_put_repeating_the_fixed_kind_is_accepted(personas, agreements, client_for):
    """After signing the kind changes only by upgrade; a PUT that repeats it is fine."""
    agreement = agreements["tehran_kyoto"]
    url = f"{URL}{agreement.pk}/"
    api = client_for(personas.officer)
    body = api.get(url).json()
    body["title"] = "Kept kind"
    response = api.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    body["kind"] = "sister"
    response = api.put(url, body, format="json")
    assert "kind" in field_messages(response)


def test_cities_of_an_agreement_are_fixed(personas, agreements, client_for):
    agreement = agreements["tehran_florence"]
    other = CityFactory()
    response = client_for(personas.officer).patch(
        f"{URL}{agreement.pk}/", {"partner_city": other.pk}, format="json"
    )
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.partner_city_id != other.pk


def test_viewer_cannot_update(personas, agreements, client_for):
    url = f"{URL}{agreements['tehran_florence'].pk}/"
    response = client_for(personas.viewer).patch(url, {"title": "x"}, format="json")
    assert response.status_code == 403


def test_stale_update_is_409_and_changes_nothing(personas, agreements, client_for):
    agreement = agreements["tehran_florence"]
    url = f"{URL}{agreement.pk}/"
    api = client_for(personas.officer)
    version = agreement.version
    assert api.patch(url, {"title": "first", "version": version}, format="json").status_code == 200
    response = api.patch(url, {"title": "second", "version": version}, format="json")
    assert response.status_code == 409
    assert "missing" not in problem(response, 409, "version_conflict")
    agreement.refresh_from_db()
    assert agreement.title == "first"


def test_terminated_agreement_cannot_be_edited(personas, agreements, client_for):
    agreement = agreements["tehran_florence"]
    agreement.status = Status.TERMINATED
    agreement.save()
    response = client_for(personas.officer).patch(
        f"{URL}{agreement.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 409


def test_agreements_cannot_be_deleted(personas, agreements, client_for):
    url = f"{URL}{agreements['tehran_florence'].pk}/"
    assert client_for(personas.admin).delete(url).status_code == 405


def test_count_is_capped_with_a_header(personas, client_for, monkeypatch):
    from agreements.api.pagination import CappedPagination

    monkeypatch.setattr(CappedPagination, "count_cap", 3)
    for _ in range(5):
        AgreementFactory(home_city=personas.tehran)
    response = client_for(personas.viewer).get(URL, {"page_size": 2})
    assert response.json()["count"] == 3
    assert response["X-Total-Count-Capped"] == "true"
    pages = 0
    url = f"{URL}?page_size=2"
    seen = set()
    api = client_for(personas.viewer)
    while url:
        body = api.get(url).json()
        seen |= {row["id"] for row in body["results"]}
        url = body["next"]
        pages += 1
    assert len(seen) == 5 and pages == 3


def test_approver_of_two_municipalities_sees_both(personas, agreements, client_for):
    user = UserFactory()
    grant(user, "viewer", personas.tehran)
    grant(user, "viewer", personas.isfahan)
    assert len(ids(client_for(user).get(URL))) == 3
