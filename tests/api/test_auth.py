"""Token and session authentication; 401 without credentials; 403 without a role.
A token's expiry and revocation: test_token_life.py."""

from __future__ import annotations

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_token_for_username_and_password(personas):
    response = APIClient().post(TOKEN_URL, {"username": "officer", "password": "pw"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    (stored,) = AuthToken.objects.filter(user=personas.officer)
    # Only a digest is stored; the key is handed out once.
    assert body["token"] not in (stored.digest, stored.token_key)
    assert body["token"].startswith(stored.token_key)


def test_each_sign_in_gets_its_own_token(personas):
    first = APIClient().post(TOKEN_URL, {"username": "officer", "password": "pw"}, format="json")
    second = APIClient().post(TOKEN_URL, {"username": "officer", "password": "pw"}, format="json")
    assert first.json()["token"] != second.json()["token"]
    for response in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert client.get("/api/v1/agreements/").status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "officer", "password": "wrong"},
        {"username": "nobody", "password": "pw"},
        {"username": "officer"},
        {},
    ],
)
def test_bad_credentials_are_400_without_token(personas, payload):
    response = APIClient().post(TOKEN_URL, payload, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not AuthToken.objects.exists()


def test_inactive_user_gets_no_token(personas):
    personas.officer.is_active = False
    personas.officer.save()
    response = APIClient().post(TOKEN_URL, {"username": "officer", "password": "pw"}, format="json")
    assert response.status_code == 400


def test_token_view_is_post_and_delete_only(personas, client_for):
    assert APIClient().get(TOKEN_URL).status_code == 405
    assert client_for(personas.officer).get(TOKEN_URL).status_code == 405
    assert client_for(personas.officer).put(TOKEN_URL).status_code == 405


def test_token_authenticates_requests(personas):
    key = APIClient().post(TOKEN_URL, {"username": "officer", "password": "pw"}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key.json()['token']}")
    assert client.get("/api/v1/agreements/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/agreements/",
        "/api/v1/agreements/1/",
        "/api/v1/agreements/1/contacts/",
        "/api/v1/agreements/1/history/",
        "/api/v1/agreements/1/memorandum.pdf",
        "/api/v1/agreements/export.csv",
        "/api/v1/cities/",
        "/api/v1/stage-requests/",
    ],
)
def test_no_credentials_is_401(personas, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_invalid_token_is_401(personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/agreements/").status_code == 401


def test_post_without_credentials_is_401(personas):
    response = APIClient().post("/api/v1/agreements/1/advance/", {"note": "x"}, format="json")
    assert response.status_code == 401


def test_session_authentication(client, personas):
    client.force_login(personas.viewer)
    response = client.get("/api/v1/agreements/")
    assert response.status_code == 200


def test_session_writes_need_the_csrf_token(personas):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(personas.officer)
    response = client.post("/api/v1/cities/", {"name": "Lyon", "country": "FR"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_user_without_role_is_403(personas, client_for):
    api = client_for(personas.outsider)
    assert api.get("/api/v1/agreements/").status_code == 403
    assert api.get("/api/v1/cities/").status_code == 403
