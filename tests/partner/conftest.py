from __future__ import annotations

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements import services
from agreements.models import Counterpart
from tests.factories import AgreementFactory, MemorandumOfficialFactory


@pytest.fixture
def draft(personas):
    """A Tehran memorandum draft with the default articles and a partner language."""
    agreement = AgreementFactory(home_city=personas.tehran, responsible_officer=personas.officer)
    memorandum = services.new_memorandum(agreement=agreement, by=personas.officer)
    memorandum.partner_language = "ar"
    memorandum.place = "Tehran"
    memorandum = services.save_record(record=memorandum, by=personas.officer)
    for side in ("home", "partner"):
        MemorandumOfficialFactory(memorandum=memorandum, side=side)
    return memorandum


@pytest.fixture
def counterpart(personas, draft):
    return services.save_record(
        record=Counterpart(
            agreement=draft.agreement,
            name="Layla Haddad",
            title="Director of International Relations",
            email="layla@example.org",
            language="ar",
        ),
        by=personas.officer,
    )


@pytest.fixture
def api_for(db):
    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = AuthToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def link(personas, draft):
    """(link, token, path) of an active review link of the draft."""
    link, token = services.create_partner_link(memorandum=draft, by=personas.officer)
    return link, token, f"/partner/{token}/"


@pytest.fixture
def partner_client():
    """A browser of the partner city: no account, CSRF checked as in production."""
    return Client(enforce_csrf_checks=True)


def csrf_of(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return (
        response.cookies["csrftoken"].value
        if "csrftoken" in response.cookies
        else client.cookies["csrftoken"].value
    )
