"""Reading the gate facts from the database (agreements.selectors.gates): one
agreement's gate reads only the tables its stage's gate looks at, one query each,
and says what the full read says; the full read of a page is a fixed number of
queries."""

from __future__ import annotations

import re

import pytest

from agreements import workflow
from agreements.models import MunicipalitySettings, Stage
from agreements.selectors import gates
from tests.querycount import captured
from tests.workflow_helpers import agreement_at, fulfil_gate

pytestmark = pytest.mark.django_db

TABLES_READ = {
    Stage.CONTACT: {"contact"},
    Stage.GOALS: {"goal", "commonality", "departmentsupport"},
    Stage.LEGAL: {"municipalitysettings", "legalapproval"},
    Stage.SIGNING: {"memorandum", "document"},
    Stage.DELEGATIONS: {"municipalitysettings", "delegation"},
    Stage.ACTIVE: set(),
}


def tables_in(sql: str) -> set[str]:
    return set(re.findall(r'FROM "agreements_(\w+)"', sql)) - {"agreement"}


@pytest.mark.parametrize("met", [True, False], ids=["met", "unmet"])
@pytest.mark.parametrize("stage", Stage.values)
def test_one_agreement_reads_only_what_its_gate_looks_at(personas, stage, met):
    agreement = agreement_at(stage, home_city=personas.tehran)
    if met:
        fulfil_gate(agreement)
    sql = captured(lambda: gates.gate_missing(agreement))
    # One query per table the gate reads (none when the stage has no gate).
    assert sorted(table for query in sql for table in tables_in(query)) == sorted(
        TABLES_READ[stage]
    ), "\n".join(sql)
    assert all(len(tables_in(query)) == 1 for query in sql), sql
    every_fact = gates.gate_missing_for([agreement])[agreement.pk]
    assert gates.gate_missing(agreement) == every_fact
    assert (every_fact == []) is (met or stage == Stage.ACTIVE)


def test_a_municipality_asking_for_a_delegation_each_way(personas):
    MunicipalitySettings.objects.create(city=personas.tehran, delegations_each_way=True)
    agreement = agreement_at(Stage.DELEGATIONS, home_city=personas.tehran)
    fulfil_gate(agreement)  # one outgoing delegation
    assert gates.gate_missing(agreement) == [str(workflow.MISSING_DELEGATION_INCOMING)]
    assert gates.gate_missing_for([agreement])[agreement.pk] == gates.gate_missing(agreement)


def test_the_gates_of_many_agreements_cost_the_same_queries_as_of_one(personas):
    """One query per table (nine), whatever the number of agreements and stages."""
    one = [agreement_at(Stage.CONTACT, home_city=personas.tehran)]
    many = [agreement_at(stage, home_city=personas.tehran) for stage in Stage.values * 3]
    for agreement in many[::2]:
        fulfil_gate(agreement)
    few_sql = captured(lambda: gates.gate_missing_for(one))
    many_sql = captured(lambda: gates.gate_missing_for(many))
    assert len(few_sql) == len(many_sql) == 9, "\n".join(many_sql)
    every = gates.gate_missing_for(many)
    for agreement in many:
        assert every[agreement.pk] == gates.gate_missing(agreement)
