"""Schema-driven fuzzing: schemathesis generates requests from our OpenAPI schema
for every operation and the API must never answer with a server error.

Bounded: a few examples per operation (FUZZ_EXAMPLES), derandomised so a run is
repeatable. Requests carry the token of an approver of Tehran (an administrator's
for the import), and about half of them use ids of real objects (an agreement with
records, a pending stage request, a memorandum at the signing stage), so that the
handlers' real code paths run, not only their 404s.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.config import SchemathesisConfig

from agreements.models import (
    ActionPlan,
    Activity,
    CommitteeMeeting,
    CommitteeMember,
    Counterpart,
    Document,
    Stage,
    StageRequest,
)
from tests.factories import (
    AgreementFactory,
    CityFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DepartmentSupportFactory,
    GoalFactory,
    LegalApprovalFactory,
    MemorandumFactory,
)
from tests.workflow_helpers import agreement_at, fulfil_gate

FUZZ_EXAMPLES = 4

# Only the fuzzing phase (the coverage phase alone sends hundreds of requests per
# operation), valid and invalid inputs both, the same examples on every run.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": FUZZ_EXAMPLES, "deterministic": True, "mode": "all"},
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = get_wsgi_application()

_calls = itertools.count()


@pytest.fixture
def world(personas, settings_override):
    agreement = AgreementFactory(home_city=personas.tehran)
    records = {
        "contacts": ContactFactory(agreement=agreement),
        "goals": GoalFactory(agreement=agreement),
        "commonalities": CommonalityFactory(agreement=agreement),
        "department-supports": DepartmentSupportFactory(agreement=agreement),
        "legal-approvals": LegalApprovalFactory(agreement=agreement),
        "memoranda": MemorandumFactory(agreement=agreement),
        "delegations": DelegationFactory(agreement=agreement),
        "activities": Activity.objects.create(
            agreement=agreement, sector="arts", title="Exhibition", start_date="2025-01-01"
        ),
        "documents": Document.objects.create(
            agreement=agreement, kind="letter", file=ContentFile(b"%PDF-1.4", name="letter.pdf")
        ),
        "counterparts": Counterpart.objects.create(agreement=agreement, name="Layla"),
        "committee-members": CommitteeMember.objects.create(
            agreement=agreement, name="Chair", is_chair=True
        ),
        "committee-meetings": CommitteeMeeting.objects.create(
            agreement=agreement, date="2025-01-05", online=True, decisions="A"
        ),
        "action-plans": _action_plan(agreement),
    }
    waiting = AgreementFactory(home_city=personas.tehran)
    fulfil_gate(waiting)
    pending = StageRequest.objects.create(
        agreement=waiting,
        from_stage=Stage.CONTACT,
        to_stage=Stage.GOALS,
        requested_by=personas.officer,
    )
    signing = agreement_at(Stage.SIGNING, home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=signing)
    _token, key = AuthToken.objects.create(user=personas.approver2)
    _token, admin_key = AuthToken.objects.create(user=personas.admin)
    return {
        "token": key,
        # Imports are for administrators: with theirs, the fuzzer reaches the import.
        "admin_token": admin_key,
        "agreement": agreement.pk,
        "records": {kind: record.pk for kind, record in records.items()},
        "stage-requests": pending.pk,
        "memoranda": memorandum.pk,
        "memorandum_agreement": signing.pk,
        "cities": CityFactory().pk,
    }


@pytest.fixture
def settings_override(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The WSGI handler closes the database connection when a request finishes;
    # inside a test transaction it must stay open (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield settings
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _action_plan(agreement) -> ActionPlan:
    plan = ActionPlan(agreement=agreement, calendar="gregorian", year=2026)
    plan.set_span()
    plan.save()
    return plan


def _real_ids(case, world) -> None:
    """Three requests in four use path ids of objects that exist."""
    if next(_calls) % 4 == 0:
        return
    path = case.operation.path
    params = case.path_parameters or {}
    if "agreement_pk" in params:
        params["agreement_pk"] = world["agreement"]
        if "record_id" in params:
            kind = path.split("/")[5]
            params["record_id"] = world["records"][kind]
    elif "id" in params:
        if path.startswith("/api/v1/stage-requests/"):
            params["id"] = world["stage-requests"]
        elif path.startswith("/api/v1/memoranda/"):
            params["id"] = world["memoranda"]
        elif path.startswith("/api/v1/cities/"):
            params["id"] = world["cities"]
        elif path.endswith("memorandum.pdf"):
            params["id"] = world["memorandum_agreement"]
        else:
            params["id"] = world["agreement"]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_no_server_error(case, world):
    _real_ids(case, world)
    token = world["admin_token"] if case.operation.path == "/api/v1/imports/" else world["token"]
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n{response.text[:2000]}"
    )
