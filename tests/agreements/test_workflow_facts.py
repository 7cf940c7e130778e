"""Reading the gate facts from the database: one agreement's gate reads only the
tables its stage's gate looks at, and says what the full read says."""

from __future__ import annotations

import pytest

from agreements import workflow
from agreements.models import MunicipalitySettings, Stage
from tests.querycount import captured
from tests.workflow_helpers import agreement_at, fulfil_gate

pytestmark = pytest.mark.django_db

TABLES_READ = {
    Stage.CONTACT: 1,  # contacts
    Stage.GOALS: 3,  # goals, commonalities, the council's support
    Stage.LEGAL: 2,  # the municipality's settings, legal approvals
    Stage.SIGNING: 2,  # memoranda, documents
    Stage.DELEGATIONS: 2,  # the municipality's settings, delegations
    Stage.ACTIVE: 0,
}


@pytest.mark.parametrize("met", [True, False], ids=["met", "unmet"])
@pytest.mark.parametrize("stage", Stage.values)
def test_one_agreement_reads_only_what_its_gate_looks_at(personas, stage, met):
    agreement = agreement_at(stage, home_city=personas.tehran)
    if met:
        fulfil_gate(agreement)
    sql = captured(lambda: workflow.gate_missing(agreement))
    assert len(sql) == TABLES_READ[stage], "\n".join(sql)
    every_fact = workflow.gate_missing_for([agreement])[agreement.pk]
    assert workflow.gate_missing(agreement) == every_fact
    assert (every_fact == []) is (met or stage == Stage.ACTIVE)


def test_a_municipality_asking_for_a_delegation_each_way(personas):
    MunicipalitySettings.objects.create(city=personas.tehran, delegations_each_way=True)
    agreement = agreement_at(Stage.DELEGATIONS, home_city=personas.tehran)
    fulfil_gate(agreement)  # one outgoing delegation
    assert workflow.gate_missing(agreement) == [str(workflow.MISSING_DELEGATION_INCOMING)]
    assert workflow.gate_missing_for([agreement])[agreement.pk] == workflow.gate_missing(agreement)
