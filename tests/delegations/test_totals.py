"""Budget totals per delegation and per year, against sums done by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from agreements import services
from agreements.models import BudgetLine
from agreements.selectors.delegations import budget_totals, budget_totals_by_year
from tests.factories import AgreementFactory, DelegationFactory

pytestmark = pytest.mark.django_db


def _line(delegation, by, planned, actual, currency, category="travel"):
    return services.save_record(
        record=BudgetLine(
            delegation=delegation,
            category=category,
            planned_amount=Decimal(planned),
            actual_amount=Decimal(actual) if actual is not None else None,
            currency=currency,
        ),
        by=by,
    )


@pytest.fixture
def budgets(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    spring = DelegationFactory(
        agreement=agreement,
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2024, 4, 3),
    )
    autumn = DelegationFactory(
        agreement=agreement,
        start_date=datetime.date(2024, 10, 1),
        end_date=datetime.date(2024, 10, 2),
    )
    next_year = DelegationFactory(
        agreement=agreement,
        start_date=datetime.date(2025, 5, 1),
        end_date=datetime.date(2025, 5, 2),
    )
    by = personas.officer
    _line(spring, by, "1200.50", "1100.25", "EUR")
    _line(spring, by, "300.00", None, "EUR", "lodging")
    _line(spring, by, "250000000", "260000000", "IRR", "interpreting")
    _line(autumn, by, "99.99", "100.01", "EUR")
    _line(autumn, by, "40", "40", "USD", "gifts")
    _line(next_year, by, "10", "0", "EUR")
    # another agreement's line counts nowhere here
    _line(
        DelegationFactory(agreement=AgreementFactory(home_city=personas.tehran)),
        by,
        "5",
        "5",
        "EUR",
    )
    return agreement, spring, autumn, next_year


def test_totals_per_delegation(budgets):
    _agreement, spring, autumn, _next = budgets
    totals = {t.currency: (t.planned, t.actual, t.lines) for t in budget_totals(spring)}
    # by hand: EUR planned 1200.50 + 300.00 = 1500.50; actual 1100.25 + (none) = 1100.25
    assert totals == {
        "EUR": (Decimal("1500.50"), Decimal("1100.25"), 2),
        "IRR": (Decimal("250000000"), Decimal("260000000"), 1),
    }
    totals = {t.currency: (t.planned, t.actual) for t in budget_totals(autumn)}
    assert totals == {
        "EUR": (Decimal("99.99"), Decimal("100.01")),
        "USD": (Decimal("40"), Decimal("40")),
    }


def test_totals_per_year(budgets):
    agreement, *_ = budgets
    rows = {
        (t.year, t.currency): (t.planned, t.actual)
        for t in budget_totals_by_year(agreement.delegations.all())
    }
    # by hand: 2024 EUR planned 1200.50 + 300.00 + 99.99 = 1600.49; actual 1100.25 + 100.01 = 1200.26
    assert rows == {
        (2024, "EUR"): (Decimal("1600.49"), Decimal("1200.26")),
        (2024, "IRR"): (Decimal("250000000"), Decimal("260000000")),
        (2024, "USD"): (Decimal("40"), Decimal("40")),
        (2025, "EUR"): (Decimal("10"), Decimal("0")),
    }
    assert [t.year for t in budget_totals_by_year(agreement.delegations.all())][0] == 2025


def test_totals_endpoint_and_page(budgets, personas, client):
    agreement, spring, *_ = budgets
    api = APIClient()
    api.force_authenticate(personas.viewer)
    body = api.get(
        f"/api/v1/agreements/{agreement.pk}/delegations/{spring.pk}/budget-lines/totals/"
    ).json()
    assert {(t["currency"], t["planned"], t["actual"]) for t in body["delegation"]} == {
        ("EUR", "1500.50", "1100.25"),
        ("IRR", "250000000.00", "260000000.00"),
    }
    assert {
        "year": 2024,
        "currency": "EUR",
        "planned": "1600.49",
        "actual": "1200.26",
        "lines": 3,
    } in body["agreement_by_year"]
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/agreements/{agreement.pk}/delegations/{spring.pk}/").content.decode()
    assert "1,500.50" in page and "1,100.25" in page and "1,600.49" in page
    client.cookies["django_language"] = "fa"
    page = client.get(f"/agreements/{agreement.pk}/delegations/{spring.pk}/").content.decode()
    assert "۱٬۵۰۰٫۵۰" in page
