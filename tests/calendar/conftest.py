from __future__ import annotations

import datetime

import pytest

from agreements.services import calendar as feed_tokens
from tests.factories import AgreementFactory, CityFactory, DelegationFactory


@pytest.fixture
def feed_world(personas):
    """A Tehran agreement with Florence holding two delegations, and an Isfahan one
    with Lyon holding another (which no Tehran user may see)."""
    florence = CityFactory(name="Florence", name_fa="فلورانس", country="IT")
    lyon = CityFactory(name="Lyon", name_fa="لیون", country="FR")
    tehran_agreement = AgreementFactory(home_city=personas.tehran, partner_city=florence)
    isfahan_agreement = AgreementFactory(home_city=personas.isfahan, partner_city=lyon)
    outgoing = DelegationFactory(
        agreement=tehran_agreement,
        direction="outgoing",
        start_date=datetime.date(2027, 4, 1),
        end_date=datetime.date(2027, 4, 5),
        head="Deputy mayor",
        purpose="Craft fair",
    )
    incoming = DelegationFactory(
        agreement=tehran_agreement,
        direction="incoming",
        start_date=datetime.date(2027, 6, 10),
        end_date=None,
        head="Mayor of Florence",
    )
    other = DelegationFactory(
        agreement=isfahan_agreement,
        start_date=datetime.date(2027, 5, 1),
        end_date=datetime.date(2027, 5, 3),
        head="Isfahan head",
    )
    return {
        "agreement": tehran_agreement,
        "outgoing": outgoing,
        "incoming": incoming,
        "other": other,
    }


def feed_url_of(user) -> str:
    _row, token = feed_tokens.feed_token(user)
    return feed_tokens.feed_path(token)
