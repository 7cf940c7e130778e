from __future__ import annotations

import pytest

from tests.api.conftest import _media, client_for  # noqa: F401 (fixtures)
from tests.factories import AgreementFactory


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran, status="active", stage="active")
