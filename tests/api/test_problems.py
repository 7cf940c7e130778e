"""Every API error is a problem detail (RFC 9457) with a stable code; every 201 says
where the new object lives."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import Memorandum, StageRequest
from tests.api.problems import field_messages, problem
from tests.factories import AgreementFactory, CityFactory, ContactFactory, MemorandumFactory
from tests.workflow_helpers import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


@pytest.fixture
def client_for(client_for):
    """API clients in English (the language cookie); `_persian` switches one."""

    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def _persian(client: APIClient) -> APIClient:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    return client


# --- 4xx of the request itself -----------------------------------------------------------------


def test_no_credentials_is_401_not_authenticated(agreement):
    body = problem(APIClient().get("/api/v1/agreements/"), 401, "not_authenticated")
    assert body["instance"] == "/api/v1/agreements/"


def test_a_revoked_token_is_401_authentication_failed():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = client.get("/api/v1/agreements/")
    problem(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_form_body_is_415_and_json_is_expected(personas, client_for, agreement):
    response = client_for(personas.officer).post(
        f"/api/v1/agreements/{agreement.pk}/contacts/",
        {"date": "2026-11-20", "participants": "Mayors"},
        format="multipart",
    )
    problem(response, 415, "unsupported_media_type")


def test_a_broken_body_is_400_parse_error(personas, client_for):
    response = client_for(personas.officer).post(
        "/api/v1/cities/", '{"name": ', content_type="application/json"
    )
    problem(response, 400, "parse_error")


def test_an_unknown_parameter_is_400_invalid_parameter(personas, client_for, agreement):
    response = client_for(personas.officer).get("/api/v1/agreements/", {"stgae": "goals"})
    assert field_messages(response, "invalid_parameter") == {
        "stgae": ["This list has no such parameter."]
    }


def test_an_empty_choice_is_400_but_empty_free_text_is_no_filter(personas, client_for, agreement):
    client = client_for(personas.officer)
    for path in ("/api/v1/agreements/", "/api/v1/agreements/export.xlsx"):
        response = client.get(path, {"sector": "youth", "kind": "", "signed_year": ""})
        assert field_messages(response, "invalid_parameter") == {
            "kind": ["Give a value, or leave the parameter out."],
            "signed_year": ["Give a value, or leave the parameter out."],
        }
    assert client.get("/api/v1/agreements/", {"q": ""}).status_code == 200


def test_a_wrong_method_is_405(personas, client_for, agreement):
    response = client_for(personas.officer).delete(f"/api/v1/agreements/{agreement.pk}/")
    problem(response, 405, "method_not_allowed")


def test_another_municipalitys_agreement_is_404_not_found(personas, client_for):
    other = AgreementFactory(home_city=personas.isfahan)
    problem(client_for(personas.officer).get(f"/api/v1/agreements/{other.pk}/"), 404, "not_found")


def test_a_viewer_writing_is_403_forbidden(personas, client_for, agreement):
    response = client_for(personas.viewer).patch(
        f"/api/v1/agreements/{agreement.pk}/", {"title": "x"}
    )
    problem(response, 403, "forbidden")


# --- 400 validation ------------------------------------------------------------------------------


def test_field_errors_carry_their_codes(personas, client_for):
    response = client_for(personas.officer).post(
        "/api/v1/agreements/", {"home_city": personas.tehran.pk, "partner_city": 10**9}
    )
    body = problem(response, 400, "validation")
    codes = {error["field"]: error["code"] for error in body["errors"]}
    assert codes == {"partner_city": "does_not_exist"}


def test_a_model_rule_is_a_field_error_with_its_code(personas, client_for):
    response = client_for(personas.officer).post(
        "/api/v1/agreements/",
        {"home_city": personas.tehran.pk, "partner_city": personas.tehran.pk, "kind": "sister"},
    )
    assert "partner_city" in field_messages(response)


# --- 409 and 403 of the workflow ---------------------------------------------------------------------


def test_an_unmet_gate_lists_what_is_missing_with_codes_in_persian_too(personas, client_for):
    agreement = AgreementFactory(home_city=personas.tehran)
    url = f"/api/v1/agreements/{agreement.pk}/advance/"
    english = problem(client_for(personas.officer).post(url, {"note": "Ready"}), 409, "gate_unmet")
    persian = problem(
        _persian(client_for(personas.officer)).post(url, {"note": "Ready"}), 409, "gate_unmet"
    )
    assert [item["code"] for item in english["missing"]] == ["contact"]
    assert [(i["code"], i["fix"]) for i in persian["missing"]] == [("contact", "contacts")]
    assert persian["title"] != english["title"] and persian["detail"] != english["detail"]
    assert persian["missing"][0]["message"] != english["missing"][0]["message"]
    assert persian["type"] == english["type"]
    assert not StageRequest.objects.exists()


def test_the_requester_deciding_is_403_four_eyes(personas, client_for):
    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    api = client_for(personas.approver)
    made = api.post(f"/api/v1/agreements/{agreement.pk}/advance/", {"note": "Ready"})
    before = db_state()
    response = api.post(f"/api/v1/stage-requests/{made.json()['id']}/approve/", {"note": ""})
    problem(response, 403, "four_eyes")
    assert db_state() == before


def test_a_second_request_is_409_request_pending_and_a_decided_one_already_decided(
    personas, client_for
):
    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    officer = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/advance/"
    made = officer.post(url, {"note": "Ready"}).json()
    problem(officer.post(url, {"note": "Again"}), 409, "request_pending")
    approver = client_for(personas.approver)
    decide = f"/api/v1/stage-requests/{made['id']}/reject/"
    assert approver.post(decide, {"note": "Not yet"}).status_code == 200
    problem(approver.post(decide, {"note": "Twice"}), 409, "already_decided")


def test_a_stale_version_is_409_version_conflict(personas, client_for, agreement):
    api = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/"
    version = api.get(url).json()["version"]
    assert api.patch(url, {"title": "first", "version": version}).status_code == 200
    problem(api.patch(url, {"title": "second", "version": version}), 409, "version_conflict")
    agreement.refresh_from_db()
    assert agreement.title == "first"


def test_a_frozen_memorandum_is_409_frozen(personas, client_for, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    Memorandum.objects.filter(pk=memorandum.pk).update(frozen_at=timezone.now())
    response = client_for(personas.officer).patch(
        f"/api/v1/agreements/{agreement.pk}/memoranda/{memorandum.pk}/", {"place": "Elsewhere"}
    )
    problem(response, 409, "frozen")


def test_a_shared_partner_city_is_403_shared_city_for_an_officer(personas, client_for):
    city = CityFactory()
    AgreementFactory(home_city=personas.tehran, partner_city=city)
    AgreementFactory(home_city=personas.isfahan, partner_city=city)
    response = client_for(personas.officer).patch(f"/api/v1/cities/{city.pk}/", {"name_fa": "x"})
    problem(response, 403, "shared_city")


def test_every_code_has_a_title_in_both_languages():
    from django.utils import translation

    from agreements.problems import CODES

    for code, title in CODES.items():
        with translation.override("fa"):
            persian = str(title)
        with translation.override("en"):
            english = str(title)
        assert persian != english, code


# --- Location on 201 -----------------------------------------------------------------------------


def test_every_201_says_where_the_new_object_is(personas, client_for, agreement):
    api = client_for(personas.officer)
    created = {
        "agreement": api.post(
            "/api/v1/agreements/",
            {"home_city": personas.tehran.pk, "partner_city": CityFactory().pk, "kind": "sister"},
        ),
        "city": api.post("/api/v1/cities/", {"name": "Kyoto", "country": "JP"}),
        "contact": api.post(
            f"/api/v1/agreements/{agreement.pk}/contacts/",
            {"date": "2026-11-20", "participants": "Mayors"},
        ),
        "request": api.post(f"/api/v1/agreements/{agreement.pk}/advance/", {"note": "Ready"}),
    }
    for name, response in created.items():
        assert response.status_code == 201, (name, response.content)
        location = response["Location"]
        assert location.startswith("http://testserver/api/v1/"), location
        read = api.get(location)
        assert read.status_code == 200 and read.json()["id"] == response.json()["id"], name


# --- Pagination bounds and links -------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"page_size": "0"}, {"page_size": "-1"}, {"page_size": "501"}, {"page": "0"}, {"page": "x"}],
)
def test_page_and_page_size_out_of_bounds_are_400(personas, client_for, agreement, params):
    response = client_for(personas.viewer).get("/api/v1/agreements/", params)
    assert list(field_messages(response, "invalid_parameter")) == list(params)


def test_lists_link_their_pages_in_a_link_header(personas, client_for):
    for _ in range(5):
        AgreementFactory(home_city=personas.tehran)
    api = client_for(personas.viewer)
    first = api.get("/api/v1/agreements/", {"page_size": 2})
    assert first["Link"] == (
        f'<{first.json()["next"]}>; rel="next", '
        '<http://testserver/api/v1/agreements/?page_size=2>; rel="first"'
    )
    second = api.get(first.json()["next"])
    assert f'<{second.json()["next"]}>; rel="next"' in second["Link"]
    assert f'<{second.json()["previous"]}>; rel="prev"' in second["Link"]
    last = api.get("/api/v1/agreements/", {"page_size": 2, "page": 3})
    assert 'rel="next"' not in last["Link"]


# --- ETag and If-Match -------------------------------------------------------------------------------


def test_a_read_carries_the_etag_and_if_match_guards_the_write(personas, client_for, agreement):
    api = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/"
    read = api.get(url)
    assert read["ETag"] == f'"v{read.json()["version"]}"'
    written = api.patch(url, {"title": "First"}, HTTP_IF_MATCH=read["ETag"])
    assert written.status_code == 200 and written["ETag"] != read["ETag"]
    before = db_state()
    stale = api.patch(url, {"title": "Second"}, HTTP_IF_MATCH=read["ETag"])
    problem(stale, 412, "precondition_failed")
    assert db_state() == before
    for odd in ['W/"v1"', "v2", '"v2", "v3"', '"abc"']:
        problem(api.patch(url, {"title": "Odd"}, HTTP_IF_MATCH=odd), 412, "precondition_failed")
    assert api.patch(url, {"title": "Any"}, HTTP_IF_MATCH="*").status_code == 200
    agreement.refresh_from_db()
    assert agreement.title == "Any"


def test_if_match_guards_a_record_delete(personas, client_for, agreement):
    contact = ContactFactory(agreement=agreement)
    api = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/contacts/{contact.pk}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"place": "Tehran"}, HTTP_IF_MATCH=etag).status_code == 200
    problem(api.delete(url, HTTP_IF_MATCH=etag), 412, "precondition_failed")
    assert type(contact).objects.filter(pk=contact.pk).exists()
    assert api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"]).status_code == 204


def test_a_change_between_the_check_and_the_lock_is_412_too(personas, client_for, agreement):
    # The service compares the version again under the row lock.
    from agreements import services

    api = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/"
    etag = api.get(url)["ETag"]
    real = services.update_agreement

    def meanwhile(**kwargs):
        type(agreement).objects.filter(pk=agreement.pk).update(
            version=kwargs["agreement"].version + 1
        )
        return real(**kwargs)

    import unittest.mock

    with unittest.mock.patch.object(services, "update_agreement", meanwhile):
        problem(api.patch(url, {"title": "Late"}, HTTP_IF_MATCH=etag), 412, "precondition_failed")
