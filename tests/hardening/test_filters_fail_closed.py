"""Filters fail closed, seen from the outside: an invalid value gives a form error
and an empty list on the page, a 400 in the API; never the unfiltered list.
Sorting only on the allow-listed keys."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

INVALID = [
    {"stage": "bogus"},
    {"status": "deleted"},
    {"kind": "enemy"},
    {"home_city": "999999"},
    {"home_city": "1 OR 1=1"},
    {"signed_year_min": "nineteen"},
    {"signed_year_max": "99999"},
    {"flag": "everything"},
    {"sector": "weapons"},
    {"origin": "x"},
    {"partner_country": "XX"},
    # Sorting by something not on the list (a field of another table, a password).
    {"sort": "responsible_officer__password"},
    {"sort": "-created_by__password"},
    {"sort": "pk; DROP TABLE agreements_agreement"},
]


@pytest.fixture
def listed(personas):
    agreements = [AgreementFactory(home_city=personas.tehran) for _ in range(3)]
    client = Client()
    client.force_login(personas.officer)
    return client, agreements


def _rows_on_page(html: str, agreements) -> set[int]:
    found = {int(pk) for pk in re.findall(r'href="/agreements/(\d+)/"', html)}
    return found & {a.pk for a in agreements}


def test_page_lists_them_without_filters(listed):
    client, agreements = listed
    response = client.get("/agreements/")
    assert _rows_on_page(response.content.decode(), agreements) == {a.pk for a in agreements}


@pytest.mark.parametrize(
    "params", INVALID, ids=lambda p: f"{next(iter(p))}={next(iter(p.values()))}"
)
def test_page_invalid_filter_gives_an_error_and_no_rows(listed, params):
    client, agreements = listed
    response = client.get("/agreements/", params)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert _rows_on_page(html, agreements) == set()
    assert "invalid" in html or "is-invalid" in html or "errorlist" in html or "alert" in html


@pytest.mark.parametrize(
    "params", INVALID, ids=lambda p: f"{next(iter(p))}={next(iter(p.values()))}"
)
def test_api_invalid_filter_gives_400(listed, params):
    client, _agreements = listed
    response = client.get("/api/v1/agreements/", params)
    assert response.status_code == 400, (params, response.status_code, response.content[:300])
    assert "results" not in response.json()


def test_api_valid_filter_still_filters(listed, personas):
    client, agreements = listed
    response = client.get("/api/v1/agreements/", {"stage": "contact"})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {a.pk for a in agreements}
    response = client.get("/api/v1/agreements/", {"stage": "active"})
    assert response.json()["results"] == []


def test_search_cannot_reach_other_fields(listed, personas):
    client, agreements = listed
    personas.officer.first_name = "Zebulon"
    personas.officer.save()
    # The search looks at city names only: a user's name or a password hash finds nothing.
    for term in ["Zebulon", "md5$", "pbkdf2"]:
        response = client.get("/api/v1/agreements/", {"q": term})
        assert response.status_code == 200
        assert response.json()["results"] == []
