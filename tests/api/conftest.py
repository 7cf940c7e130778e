from __future__ import annotations

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads and frozen PDFs go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(db):
    """An API client that sends the user's token, as integrators do."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = AuthToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
