"""Login throttling (django-axes): by username and address together, with a cool-off,
on the sign-in page and the API token endpoint; X-Forwarded-For only behind our proxy."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import translation

from agreements.audit import LOCKED_OUT

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
# Documentation addresses (RFC 5737): request metadata only, no traffic goes anywhere.
ADDRESS_A = "192.0.2.10"
ADDRESS_B = "198.51.100.20"


def _page_login(client: Client, username: str, password: str, address: str = ADDRESS_A, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def _fail_until_locked(username: str = "officer", address: str = ADDRESS_A) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _page_login(client, username, "wrong", address)
    assert response.status_code == 429


def _signed_in(response) -> bool:
    return response.status_code == 302 and settings.SESSION_COOKIE_NAME in response.cookies


def _expire_cool_off() -> None:
    # Time passing, without waiting: the attempts are moved back past the cool-off.
    past = datetime.timedelta(minutes=1) + settings.AXES_COOLOFF_TIME
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= past
        attempt.save()


def test_failures_below_the_limit_do_not_lock(personas):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _page_login(client, "officer", "wrong").status_code == 200
    assert _signed_in(_page_login(Client(), "officer", "pw"))


def test_limit_locks_username_and_address_and_refuses_the_right_password(personas):
    _fail_until_locked()
    response = _page_login(Client(), "officer", "pw")
    assert response.status_code == 429
    assert not _signed_in(response)
    assert int(response["Retry-After"]) > 0
    with translation.override("fa"):
        message = str(LOCKED_OUT) % {
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        }
    assert message in response.content.decode()


def test_lockout_message_is_in_the_chosen_language(personas):
    _fail_until_locked()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _page_login(client, "officer", "pw")
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_other_address_and_other_users_still_sign_in(personas):
    _fail_until_locked("officer", ADDRESS_A)
    # The same user from another address (a locked pair does not lock the account everywhere).
    assert _signed_in(_page_login(Client(), "officer", "pw", ADDRESS_B))
    # Another user from the locked address (colleagues behind the same office address).
    assert _signed_in(_page_login(Client(), "approver", "pw", ADDRESS_A))


def test_cool_off_expires(personas):
    _fail_until_locked()
    assert _page_login(Client(), "officer", "pw").status_code == 429
    _expire_cool_off()
    assert _signed_in(_page_login(Client(), "officer", "pw"))


def test_forwarded_for_is_ignored_unless_behind_a_proxy(personas):
    # A client cannot escape the lock by inventing X-Forwarded-For values.
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        _page_login(client, "officer", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    response = _page_login(Client(), "officer", "pw", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_behind_a_proxy_the_client_is_the_address_our_proxy_appended(personas, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # The left-most entry is forged by the client; the right-most is what our proxy saw.
        _page_login(
            client, "officer", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.7, {ADDRESS_A}"
        )
    locked = _page_login(Client(), "officer", "pw", proxy, HTTP_X_FORWARDED_FOR=ADDRESS_A)
    assert locked.status_code == 429
    other = _page_login(Client(), "officer", "pw", proxy, HTTP_X_FORWARDED_FOR=ADDRESS_B)
    assert _signed_in(other)
    assert AccessAttempt.objects.get().ip_address == ADDRESS_A


# --- API token endpoint -------------------------------------------------------------------------


def _token(client: Client, username: str, password: str, address: str = ADDRESS_A):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_api_token_endpoint_is_throttled_with_a_json_429(personas):
    client = Client()
    assert _token(client, "officer", "pw").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _token(client, "officer", "wrong")
    assert response.status_code == 429
    response = _token(Client(), "officer", "pw")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "locked_out" and body["status"] == 429
    assert body["type"] == "urn:sister-cities:problem:locked_out"
    assert body["detail"] and body["title"]
    assert "token" not in body
    assert int(response["Retry-After"]) == body["retry_after"] > 0
    # Another address still gets its token; the cool-off ends the lock.
    assert _token(Client(), "officer", "pw", ADDRESS_B).status_code == 200
    _expire_cool_off()
    assert _token(Client(), "officer", "pw").status_code == 200


def test_page_and_api_failures_count_together(personas):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _token(client, "officer", "wrong")
    _page_login(client, "officer", "wrong")
    assert _page_login(Client(), "officer", "pw").status_code == 429
