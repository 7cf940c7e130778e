"""Numbers, nesting and characters past what a database or a parser holds get a
4xx, never a 500, and write nothing: a page number past 64 bits, an id past 64
bits in a URL or a query, a JSON body nested 100,000 deep, a NUL in a query,
cookie or header (PostgreSQL cannot hold one). Each request is its own test: on
PostgreSQL an error inside the test's transaction would hide the next one."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements.api.parsers import MAX_DEPTH, TOO_DEEP
from tests.api.problems import field_messages, problem
from tests.factories import AgreementFactory, ContactFactory
from tests.workflow_helpers import db_state

pytestmark = pytest.mark.django_db

HUGE = str(2**64 + 1)  # 20 digits: past every 64-bit column and OFFSET

PAGES = [
    f"/approvals/?page={HUGE}",
    f"/agreements/?page={HUGE}",
    f"/cities/?page={HUGE}",
    f"/cities/{{city}}/?page={HUGE}",
]
NOT_FOUND = PAGES + [
    f"/agreements/{HUGE}/",
    f"/agreements/{HUGE}/history/",
    f"/agreements/{HUGE}/dossier.pdf",
    f"/agreements/{{pk}}/contacts/{HUGE}/edit/",
    f"/cities/{HUGE}/",
    f"/api/v1/agreements/{HUGE}/",
    f"/api/v1/agreements/{HUGE}/memorandum.pdf",
    f"/api/v1/agreements/{HUGE}/contacts/",
    f"/api/v1/agreements/{{pk}}/contacts/{HUGE}/",
    f"/api/v1/cities/{HUGE}/",
    f"/api/v1/stage-requests/{HUGE}/",
]
# The API's page numbers are bounded (1 to 1,000,000): past that, 400 invalid_parameter.
API_PAGES = [
    f"/api/v1/agreements/?page={HUGE}",
    f"/api/v1/cities/?page={HUGE}",
    f"/api/v1/agreements/{{pk}}/history/?page={HUGE}",
    f"/api/v1/agreements/{{pk}}/contacts/?page={HUGE}",
    f"/api/v1/agreements/?page={'9' * 5000}",
]
# Answered normally (200) or refused as invalid (400): never a 500.
ANSWERED = [
    f"/agreements/?page=-{HUGE}",
    f"/agreements/?page={'9' * 5000}",  # past Python's int-from-text limit
    f"/agreements/{{pk}}/history/?page={HUGE}",
    f"/agreements/?signed_year_min={HUGE}",
    f"/agreements/?home_city={HUGE}",
    f"/agreements/?q={HUGE}",
    f"/api/v1/agreements/?page_size={HUGE}",
    f"/api/v1/agreements/?page_size=-{HUGE}",
    f"/api/v1/agreements/?year={HUGE}",
    f"/api/v1/agreements/?signed_year={HUGE}",
    f"/api/v1/agreements/?home_city={HUGE}",
    f"/api/v1/stage-requests/?agreement={HUGE}",
    f"/api/v1/cities/?page_size={HUGE}",
]


@pytest.fixture
def world(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    return agreement


def _get(personas, world, url: str):
    url = url.format(pk=world.pk, city=world.partner_city_id)
    if url.startswith("/api/"):
        client = APIClient(raise_request_exception=False)
        _token, key = AuthToken.objects.create(user=personas.officer)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    else:
        client = Client(raise_request_exception=False)
        client.force_login(personas.officer)
    return client.get(url)


@pytest.mark.parametrize("url", NOT_FOUND)
def test_past_64_bits_is_404(personas, world, url):
    assert _get(personas, world, url).status_code == 404


@pytest.mark.parametrize("url", API_PAGES)
def test_an_api_page_past_its_bound_is_400(personas, world, url):
    assert list(field_messages(_get(personas, world, url), "invalid_parameter")) == ["page"]


@pytest.mark.parametrize("url", ANSWERED)
def test_huge_query_values_are_answered(personas, world, url):
    assert _get(personas, world, url).status_code in (200, 400)


def test_post_to_an_id_past_64_bits_is_404(personas, world):
    client = Client(raise_request_exception=False)
    client.force_login(personas.approver)
    before = db_state()
    for url in [
        f"/agreements/{world.pk}/requests/{HUGE}/approve/",
        f"/agreements/{HUGE}/request-advance/",
    ]:
        assert client.post(url).status_code == 404
    assert db_state() == before


# --- JSON nesting ---------------------------------------------------------------------------------


def _api(user, language: str) -> APIClient:
    client = APIClient(raise_request_exception=False)
    _token, key = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


BODIES = {
    "array-100000": "[" * 100_000 + "]" * 100_000,
    "object-100000": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "unclosed-100000": "[" * 100_000,
    f"object-{MAX_DEPTH + 1}": '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),
}


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("body", BODIES, ids=str)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/agreements/"),
        ("patch", "/api/v1/agreements/{pk}/"),
        ("post", "/api/v1/agreements/{pk}/contacts/"),
        ("post", "/api/v1/cities/"),
    ],
)
def test_deeply_nested_json_is_400_with_a_message(personas, world, method, url, body, language):
    before = db_state()
    response = getattr(_api(personas.officer, language), method)(
        url.format(pk=world.pk), BODIES[body], content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    with translation.override(language):
        expected = str(TOO_DEEP) % {"limit": MAX_DEPTH}
    assert problem(response, 400, "parse_error")["detail"] == expected
    assert db_state() == before


def test_ordinary_nesting_is_still_parsed(personas, world):
    api = _api(personas.officer, "en")
    response = api.post(
        "/api/v1/cities/",
        {"name": "Kyoto", "country": "JP", "characteristics": [["historic"]]},
        format="json",
    )
    assert response.status_code == 400  # a list inside the list: a field error, not a parse error
    assert "characteristics.0" in field_messages(response)
    response = api.post(
        "/api/v1/cities/",
        {"name": "Kyoto", "country": "JP", "characteristics": ["historic"]},
        format="json",
    )
    assert response.status_code == 201, response.content


# --- NUL outside the forms --------------------------------------------------------------------------

NUL_REQUESTS = {
    "admin-choice-filter": ("admin", "/admin/agreements/agreement/?stage__exact=%00", {}),
    "admin-country-filter": ("admin", "/admin/cities/city/?country__exact=%00", {}),
    "list-search": ("officer", "/agreements/?q=Teh%00ran", {}),
    "api-search": ("officer", "/api/v1/cities/?search=%00", {}),
    "path": ("officer", "/agreements/%00/", {}),
    # The cookie parser unescapes octal escapes inside quotes: a NUL in the session key.
    "session-cookie": (None, "/agreements/", {"HTTP_COOKIE": 'sessionid="12345678\\000abc"'}),
    "token-header": (None, "/api/v1/agreements/", {"HTTP_AUTHORIZATION": "Token abc\x00def"}),
}


@pytest.mark.parametrize("name", NUL_REQUESTS)
def test_nul_in_a_request_is_400(personas, world, name):
    user, url, headers = NUL_REQUESTS[name]
    client = Client(raise_request_exception=False)
    if user == "admin":
        personas.admin.is_superuser = True
        personas.admin.save()
    if user:
        client.force_login(getattr(personas, user))
    before = db_state()
    response = client.get(url, **headers)
    assert response.status_code == 400
    assert response["X-Error-Id"]
    assert db_state() == before
