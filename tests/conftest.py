from __future__ import annotations

import os

os.environ.setdefault("SISTERCITIES_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from tests.factories import make_personas  # noqa: E402


@pytest.fixture
def personas(db):
    """officer, approver, viewer (Tehran), admin, isfahan_officer, isfahan_approver,
    outsider (no role), and the cities tehran and isfahan."""
    return make_personas()


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Code called directly by tests (services, models) speaks English unless a
    test overrides it; requests still pick their language in the middleware."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path):
    """Uploaded files and frozen PDFs of a test go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a test's rollback lets the database
    hand out the same ids again, and cached figures are keyed by ids
    (agreements/figures.py)."""
    from django.core.cache import cache

    cache.clear()
    yield
