from __future__ import annotations

import datetime

import pytest

from agreements.models import Delegation
from tests.factories import AgreementFactory, DelegationFactory


@pytest.fixture
def delegation(personas) -> Delegation:
    agreement = AgreementFactory(home_city=personas.tehran)
    return DelegationFactory(
        agreement=agreement,
        start_date=datetime.date(2025, 4, 1),
        end_date=datetime.date(2025, 4, 5),
    )
