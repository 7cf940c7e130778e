from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_login_page_is_served(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200


def test_login_and_logout(client, personas):
    response = client.post("/accounts/login/", {"username": "officer", "password": "pw"})
    assert response.status_code == 302
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
