"""The dashboard's figures are cached between changes, and only between changes."""

from __future__ import annotations

import pytest

from agreements import figures
from agreements.models import Agreement
from tests.factories import AgreementFactory, DelegationFactory
from tests.querycount import captured

pytestmark = pytest.mark.django_db


def _stage_counts(response) -> dict[str, int]:
    return {bar.href.split("=")[-1]: bar.value for bar in response.context["stages"].bars}


@pytest.fixture
def tehran_agreements(personas):
    return [AgreementFactory(home_city=personas.tehran) for _ in range(3)]


def test_unchanged_figures_come_from_the_cache(client, personas, tehran_agreements):
    client.force_login(personas.viewer)
    first = captured(lambda: client.get("/"))
    second = captured(lambda: client.get("/"))
    assert any("COUNT(" in sql and "GROUP BY" in sql for sql in first)
    assert not any("GROUP BY" in sql for sql in second), second
    assert len(second) < len(first)


def test_a_save_shows_at_once(client, personas, tehran_agreements):
    client.force_login(personas.viewer)
    assert _stage_counts(client.get("/"))["contact"] == 3
    agreement = tehran_agreements[0]
    agreement.stage = "goals"
    agreement.save()
    counts = _stage_counts(client.get("/"))
    assert counts["contact"] == 2 and counts["goals"] == 1


def test_a_new_agreement_and_a_delegation_change_the_version(personas, tehran_agreements):
    before = figures.data_version()
    AgreementFactory(home_city=personas.isfahan)
    after_agreement = figures.data_version()
    DelegationFactory(agreement=tehran_agreements[0])
    assert before != after_agreement != figures.data_version()


def test_each_user_gets_the_figures_of_what_they_may_see(client, personas, tehran_agreements):
    AgreementFactory(home_city=personas.isfahan)
    client.force_login(personas.viewer)
    assert sum(_stage_counts(client.get("/")).values()) == 3
    client.force_login(personas.isfahan_officer)
    assert sum(_stage_counts(client.get("/")).values()) == 1
    client.force_login(personas.admin)
    assert sum(_stage_counts(client.get("/")).values()) == Agreement.objects.count() == 4
