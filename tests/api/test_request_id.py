"""Every answer carries its request id (X-Request-ID), and audit lines name it."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_id_is_made_when_none_is_sent():
    first, second = Client().get("/api/v1/agreements/"), Client().get("/accounts/login/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_id_is_kept_and_named_in_the_audit_line(caplog):
    with caplog.at_level(logging.WARNING, logger="sistercities.audit"):
        response = Client().get("/api/v1/agreements/", HTTP_X_REQUEST_ID="proxy-42.a:b")
    assert response.status_code == 401 and response["X-Request-ID"] == "proxy-42.a:b"
    assert any("request=proxy-42.a:b" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("sent", ["", "a b", "x" * 129, "id\r\nSet-Cookie: a=b", "ünïcode"])
def test_an_unusable_id_is_replaced(sent):
    response = Client().get("/api/v1/agreements/", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent and len(response["X-Request-ID"]) == 32


def test_a_server_error_is_a_problem_with_the_request_id(personas, monkeypatch):
    from rest_framework.test import APIClient

    from agreements.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.AgreementViewSet, "list", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(personas.officer)
    response = client.get("/api/v1/agreements/", HTTP_X_REQUEST_ID="req-1")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "server_error" and body["request_id"] == "req-1"
    assert "boom" not in response.content.decode()
