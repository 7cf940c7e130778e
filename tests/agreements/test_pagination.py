"""page_rows (the list's deep pages by id first) gives exactly what slicing gives."""

from __future__ import annotations

import pytest

from agreements.filters import sort_expressions
from agreements.models import Agreement
from agreements.pagination import page_rows
from tests.factories import AgreementFactory, CityFactory
from tests.querycount import captured

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["-created", "partner", "-partner", "signed_year", "-stage"])
def test_same_rows_in_the_same_order_as_a_slice(personas, sort):
    for n in range(13):
        AgreementFactory(
            home_city=personas.tehran if n % 2 else personas.isfahan,
            partner_city=CityFactory(name=f"City {n % 5} {n}"),
            stage=["contact", "goals", "legal"][n % 3],
            signed_year=2000 + n % 4 if n % 3 else None,
        )
    queryset = Agreement.objects.with_cities().order_by(*sort_expressions(sort))
    for offset in (0, 4, 10, 13):
        assert page_rows(queryset, offset, 4) == list(queryset[offset : offset + 4])


def test_an_empty_page_costs_the_same_queries(personas):
    AgreementFactory(home_city=personas.tehran)
    queryset = Agreement.objects.with_cities().order_by("id")
    assert len(captured(lambda: page_rows(queryset, 0, 5))) == 2
    assert len(captured(lambda: page_rows(queryset, 50, 5))) == 2
