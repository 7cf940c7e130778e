"""page_rows (the list's deep pages by id first) gives exactly what slicing gives."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from agreements.filters import sort_expressions
from agreements.models import Agreement
from agreements.pagination import page_rows, paginate
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
        # Read backwards from the end when the total is known (deep pages).
        for limit in (1, 4, 5):
            expected = list(queryset[offset : offset + limit])
            assert page_rows(queryset, offset, limit, total=13) == expected


def test_deep_pages_are_counted_exactly_and_read_from_the_end(personas):
    for _ in range(23):
        AgreementFactory(home_city=personas.tehran)
    queryset = Agreement.objects.with_cities().order_by("-created_at", "-id")
    everything = list(queryset)

    def page(number: int):
        request = RequestFactory().get("/", {"page": str(number)})
        return paginate(request, queryset, per_page=5, count_cap=10)

    for number in (1, 2, 3, 4, 5, 6):
        shown = page(number)
        assert shown.object_list == everything[(number - 1) * 5 : number * 5]
        assert shown.has_next == (number < 5)
        if number >= 3:  # offset 10 and more: past the cap, counted exactly
            assert (shown.total, shown.total_capped) == (23, False)
        else:
            assert (shown.total, shown.total_capped) == (10, True)
    # The same three queries on every page, read from the start or from the end;
    # the last page skips 0 rows from the end, not 20 from the start.
    assert {len(captured(lambda n=n: page(n))) for n in (1, 3, 5)} == {3}
    assert not any("OFFSET 20" in sql for sql in captured(lambda: page(5)))


def test_an_empty_page_costs_the_same_queries(personas):
    AgreementFactory(home_city=personas.tehran)
    queryset = Agreement.objects.with_cities().order_by("id")
    assert len(captured(lambda: page_rows(queryset, 0, 5))) == 2
    assert len(captured(lambda: page_rows(queryset, 50, 5))) == 2
