"""Error pages show an error id and no traceback; the id is logged with the exception."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.hardening.error_urls")]

ERROR_ID = re.compile(r"<code dir=\"ltr\">([0-9a-f]{12})</code>")


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


def _error_id(response) -> str:
    match = ERROR_ID.search(response.content.decode())
    assert match, response.content.decode()[:500]
    assert match.group(1) == response["X-Error-Id"]
    return match.group(1)


def test_500_shows_an_error_id_and_logs_it_with_the_exception(quiet_client, caplog):
    with caplog.at_level(logging.ERROR, logger="sistercities.errors"):
        response = quiet_client.get("/test-errors/boom/")
    assert response.status_code == 500
    error_id = _error_id(response)
    body = response.content.decode()
    assert "Traceback" not in body
    assert "secret detail" not in body
    logged = [
        r for r in caplog.records if r.name == "sistercities.errors" and error_id in r.getMessage()
    ]
    assert logged, caplog.text
    assert logged[0].exc_info and logged[0].exc_info[0] is RuntimeError


def test_500_renders_when_the_database_is_down(quiet_client, personas, monkeypatch, caplog):
    quiet_client.force_login(personas.officer)

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", database_down)
    monkeypatch.setattr(connection, "ensure_connection", database_down)
    with caplog.at_level(logging.ERROR, logger="sistercities.errors"):
        response = quiet_client.get("/")
    assert response.status_code == 500
    error_id = _error_id(response)
    assert "connection refused" not in response.content.decode()
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_404_page(quiet_client, personas):
    quiet_client.force_login(personas.officer)
    response = quiet_client.get("/no-such-page/")
    assert response.status_code == 404
    _error_id(response)
    assert "<html" in response.content.decode()


def test_403_page(quiet_client, personas):
    quiet_client.force_login(personas.officer)
    response = quiet_client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    _error_id(response)


def test_400_page(quiet_client):
    response = quiet_client.get("/test-errors/suspicious/")
    assert response.status_code == 400
    _error_id(response)


def test_csrf_failure_page_has_an_error_id(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "officer", "password": "pw"})
    assert response.status_code == 403
    _error_id(response)


def test_api_errors_are_json_with_an_error_id(quiet_client):
    response = quiet_client.get("/api/test-errors/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["error_id"] == response["X-Error-Id"]
    assert response.json()["code"] == "server_error"
    assert "secret detail" not in response.content.decode()


def test_error_pages_are_translated(quiet_client):
    # Persian is the default language: the page is in Persian, right to left.
    response = quiet_client.get("/test-errors/suspicious/")
    body = response.content.decode()
    assert 'dir="rtl"' in body
    assert 'lang="fa"' in body
