from __future__ import annotations

import os

os.environ.setdefault("SISTERCITIES_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import copy  # noqa: E402

import pytest  # noqa: E402

from tests.factories import make_personas  # noqa: E402


@pytest.fixture(scope="session")
def session_personas(django_db_setup, django_db_blocker):
    """The personas, written once per session into the test database, outside any
    test's transaction (as Django's setUpTestData writes them once per class)."""
    with django_db_blocker.unblock():
        return {"built": make_personas()}


@pytest.fixture
def personas(request, session_personas, db):
    """officer, approver, approver2, viewer (Tehran), admin, isfahan_officer,
    isfahan_approver, outsider (no role), and the cities tehran and isfahan.

    Built once per session; each test gets its own copy of the instances (as
    setUpTestData's), and its writes are rolled back with its transaction. A
    transactional test empties the database when it ends (pytest-django runs
    them after all others): the next one builds the personas again.
    """
    from django.contrib.auth import get_user_model

    built = session_personas["built"]
    if not get_user_model().objects.filter(pk=built.officer.pk, username="officer").exists():
        session_personas["built"] = built = make_personas()
    return copy.deepcopy(built)


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
