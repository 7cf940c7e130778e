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
