"""The live schema against the API, with every schemathesis check.

The schema is the one integrators fetch (`/api/schema/`). Every operation is
called with generated requests, valid and invalid, as an officer and as an
approver of Tehran, and each answer is checked by all of schemathesis' checks:
no server error, a status, content type, headers and body the schema declares
for it, invalid data refused, valid data accepted, a deleted object gone, a
created one readable, authentication not ignored... Then the stateful phase:
schemathesis' state machine chains operations through the links it infers from
the schema (ids in response bodies, `Location` headers), so that records are
created, read, changed and deleted in sequence.

Bounded and repeatable: a few examples per operation, derandomised.
"""

from __future__ import annotations

import itertools
import json
import uuid

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable
from knox.models import AuthToken
from rest_framework.test import APIClient
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.stateful import run_state_machine_as_test

from agreements.models import (
    ActionPlan,
    Activity,
    Agreement,
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

EXAMPLES = 3
STATEFUL_SCENARIOS = 12
STATEFUL_STEPS = 8
# A stateful run talks to a live server whose data the steps change, so Hypothesis
# may find that the rules it could choose from differ between two scenarios with the
# same start (FlakyStrategyDefinition: a statement about generation, not about the
# server). A run it stops that way still counts if it checked this many answers;
# every answer checked before it passed every check (a failure is raised at once:
# only the generate phase runs, nothing is shrunk).
STATEFUL_MIN_CHECKED = 40

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": EXAMPLES, "deterministic": True},
        "phases": {"stateful": {"enabled": True, "max-steps": STATEFUL_STEPS}},
        "checks": {
            # 412 is the answer to an If-Match that names another version, which a
            # valid (and an invalid) header may well do: not a refusal of the data.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "429"]
            },
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "412"]
                + ["415", "422", "428", "429"]
            },
        },
    }
)

# Checks that cannot apply to an operation, and why.
NOT_APPLICABLE = {
    # Valid credentials are not a matter of the schema: a well-formed username and
    # password that belong to nobody is 400, as it must be.
    ("POST", "/api/v1/auth/token/"): [positive_data_acceptance],
    # `to_stage` is required for `reopen` and only for it: a rule across two fields
    # that OpenAPI 3.0 cannot state without oneOf per action (the description says it).
    ("POST", "/api/v1/agreements/{id}/requests/"): [positive_data_acceptance],
    # An upload is checked by its content (allowed types, size): bytes a schema
    # cannot describe.
    ("POST", "/api/v1/agreements/{agreement_pk}/documents/"): [positive_data_acceptance],
    # A document's kind moves neither to nor from `signed_mou` (a signed copy is
    # uploaded as one and stays one): a rule on the stored object, not on the body.
    ("PUT", "/api/v1/agreements/{agreement_pk}/documents/{record_id}/"): [positive_data_acceptance],
    ("PATCH", "/api/v1/agreements/{agreement_pk}/documents/{record_id}/"): [
        positive_data_acceptance
    ],
    # A city's name is unique in its country (whatever the case): a rule across rows,
    # which a sequence that names two cities alike meets with 400 `validation`.
    ("POST", "/api/v1/cities/"): [positive_data_acceptance],
    ("PUT", "/api/v1/cities/{id}/"): [positive_data_acceptance],
    ("PATCH", "/api/v1/cities/{id}/"): [positive_data_acceptance],
}

_calls = itertools.count()


@pytest.fixture
def live_schema(db):
    """The schema integrators fetch, called in-process through the WSGI handler."""
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(json.loads(response.content), config=CONFIG)
    # The WSGI handler closes the database connection when a request finishes;
    # inside a test transaction it must stay open (Django's test client does the
    # same, and reconnects the signal after each of its requests: so, after it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    schema.app = get_wsgi_application()
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _world_records(agreement) -> dict:
    return {
        "contacts": lambda: ContactFactory(agreement=agreement),
        "goals": lambda: GoalFactory(agreement=agreement),
        "commonalities": lambda: CommonalityFactory(agreement=agreement),
        "department-supports": lambda: DepartmentSupportFactory(agreement=agreement),
        "legal-approvals": lambda: LegalApprovalFactory(agreement=agreement),
        "memoranda": lambda: MemorandumFactory(
            agreement=agreement,
            number=(agreement.memoranda.aggregate(last=Max("number"))["last"] or 0) + 1,
        ),
        "delegations": lambda: DelegationFactory(agreement=agreement),
        "activities": lambda: Activity.objects.create(
            agreement=agreement, sector="arts", title="Exhibition", start_date="2025-01-01"
        ),
        "documents": lambda: Document.objects.create(
            agreement=agreement, kind="letter", file=ContentFile(b"%PDF-1.4", name="letter.pdf")
        ),
        "counterparts": lambda: Counterpart.objects.create(agreement=agreement, name="Layla"),
        "committee-members": lambda: CommitteeMember.objects.create(
            agreement=agreement, name="Chair", is_chair=True
        ),
        "committee-meetings": lambda: CommitteeMeeting.objects.create(
            agreement=agreement, date="2025-01-05", online=True, decisions="A"
        ),
        "action-plans": lambda: _action_plan(agreement),
    }


def _action_plan(agreement) -> ActionPlan:
    """A plan of a year no other of the agreement's plans holds (one a year)."""
    year = (ActionPlan.objects.aggregate(last=Max("year"))["last"] or 2020) + 1
    plan = ActionPlan(agreement=agreement, calendar="gregorian", year=year)
    plan.set_span()
    plan.save()
    return plan


@pytest.fixture
def world(personas):
    """Objects whose ids three requests in four use, so that the handlers' real code
    paths run, not only their 404s. A record a request deleted is made again
    (_ensure_records), so later operations still find one."""
    agreement = AgreementFactory(home_city=personas.tehran)
    makers = _world_records(agreement)
    records = {kind: make() for kind, make in makers.items()}
    waiting = AgreementFactory(home_city=personas.tehran)
    fulfil_gate(waiting)
    pending = StageRequest.objects.create(
        agreement=waiting,
        from_stage=Stage.CONTACT,
        to_stage=Stage.GOALS,
        requested_by=personas.approver2,
    )
    signing = agreement_at(Stage.SIGNING, home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=signing)
    return {
        "makers": makers,
        "objects": records,
        "body_ids": {
            "home_city": personas.tehran.pk,
            # A new city each time: two agreements between the same cities are refused.
            "partner_city": lambda: CityFactory().pk,
            "memorandum": lambda: records["memoranda"].pk,
            "document": lambda: records["documents"].pk,
            # A meeting's minutes, an item's plan and evidence: records of the agreement.
            "minutes": lambda: records["documents"].pk,
            "evidence_document": lambda: records["documents"].pk,
            "evidence_activity": lambda: records["activities"].pk,
            "evidence_delegation": lambda: records["delegations"].pk,
            "from_meeting": lambda: records["committee-meetings"].pk,
            # A new plan each time: a decision is made an item of a plan once.
            "plan": lambda: _action_plan(agreement).pk,
        },
        "agreement": agreement.pk,
        "stage-requests": pending.pk,
        "memoranda": memorandum.pk,
        "memorandum_agreement": signing.pk,
        "cities": CityFactory().pk,
    }


def _ensure_records(world) -> None:
    for kind, record in world["objects"].items():
        if not type(record).objects.filter(pk=record.pk).exists():
            world["objects"][kind] = world["makers"][kind]()


# Pairs of dates the models keep in order (a check constraint each): a rule across
# two fields that JSON Schema cannot state, so valid bodies are put in order here.
DATE_PAIRS = [
    ("start_date", "end_date"),
    ("requested_on", "decided_on"),
    ("signed_on", "expires_on"),
]


def _dates_in_order(body) -> None:
    """The pair in order; one date alone gets its partner on the same day, since a
    date left out keeps the stored one (a PUT of a record too), which the sent one
    might pass."""
    for first, second in DATE_PAIRS:
        start, end = body.get(first), body.get(second)
        if isinstance(start, str) and isinstance(end, str) and end < start:
            body[first], body[second] = end, start
        elif isinstance(start, str) and second not in body:
            body[second] = start
        elif isinstance(end, str) and first not in body:
            body[first] = end


# Dates of what has happened (a contact, a support, a request and decision, a
# signing, a first contact; a delegation held, and an activity alike) cannot be after
# today: a rule against the clock that JSON Schema cannot state (it says 2100-12-31 at
# most), so valid bodies keep them to today at the latest.
PAST_DATES = [
    "date",
    "supported_on",
    "requested_on",
    "decided_on",
    "signed_on",
    "first_contact_on",
    "start_date",
    "end_date",
]


def _dates_not_ahead(body) -> None:
    today = timezone.localdate().isoformat()
    for name in PAST_DATES:
        value = body.get(name)
        if isinstance(value, str) and value > today:
            body[name] = today


def _plan_year_free(case, body) -> None:
    """An action plan's year in its calendar's range and not yet planned (one plan a
    year): rules across fields and rows that JSON Schema cannot state."""
    if (
        "year" not in body and "calendar" not in body
    ) or "/action-plans/" not in case.operation.path:
        return
    taken = set(ActionPlan.objects.values_list("year", flat=True))
    body["calendar"] = "gregorian"
    body["year"] = next(year for year in range(1900, 2101) if year not in taken)


def _meeting_held_somewhere(case, body) -> None:
    """A committee meeting has a place or is online, and a decision made an item is
    one the meeting has (the world's meetings have one): rules across fields."""
    path = case.operation.path
    if "/committee-meetings/" not in path:
        return
    if path.endswith("/make-item/"):
        body["decision"] = 1
        body.pop("due_date", None)  # within the plan's year: by default its last day
    elif not body.get("place") and not body.get("online"):
        body["online"] = True


def _token(user) -> str:
    _row, key = AuthToken.objects.create(user=user)
    return key


def _valid_references(case, world) -> bool:
    """A valid case's body and query name objects that exist; whether any did."""
    referenced = False
    if isinstance(case.body, dict):
        _dates_in_order(case.body)
        _dates_not_ahead(case.body)
        _plan_year_free(case, case.body)
        _meeting_held_somewhere(case, case.body)
    for container in (case.body, case.query):
        if isinstance(container, dict):
            for name, value in world["body_ids"].items():
                if container.get(name) is not None:
                    container[name] = value() if callable(value) else value
                    referenced = True
    return referenced


def _records_of(world, case) -> dict:
    """The world, its references made of the agreement a linked path names (a record
    links only to records of its own agreement)."""
    pk = (case.path_parameters or {}).get("agreement_pk")
    agreement = Agreement.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if agreement is None or agreement.pk == world["agreement"]:
        return world
    makers = _world_records(agreement)
    ids = dict(world["body_ids"])
    ids["memorandum"] = lambda: (agreement.memoranda.first() or makers["memoranda"]()).pk
    ids["document"] = lambda: (agreement.documents.first() or makers["documents"]()).pk
    ids["minutes"] = ids["evidence_document"] = ids["document"]
    ids["evidence_activity"] = lambda: (agreement.activities.first() or makers["activities"]()).pk
    ids["evidence_delegation"] = lambda: (
        (agreement.delegations.first() or makers["delegations"]()).pk
    )
    ids["from_meeting"] = lambda: (
        (agreement.committee_meetings.first() or makers["committee-meetings"]()).pk
    )
    ids["plan"] = makers["action-plans"]
    return {**world, "body_ids": ids}


def _real_ids(case, world) -> None:
    """Three requests in four use path ids of objects that exist (unless the path
    parameter is what a negative case made invalid). Valid bodies name objects that
    exist: the schema cannot say which ids do, so a generated one is mostly 400
    `does_not_exist`, which says nothing about the operation."""
    meta = case.meta
    data = getattr(meta.phase, "data", None) if meta is not None else None
    negative = meta is not None and meta.generation.mode.is_negative
    if negative and getattr(data, "parameter_location", None) is None:
        return  # mutations in several places: leave the case as generated
    _ensure_records(world)
    referenced = not negative and _valid_references(case, world)
    if negative and data.parameter_location == ParameterLocation.PATH:
        return
    # (The records a body names belong to the world's agreement: then its path too.)
    if next(_calls) % 4 == 0 and not referenced:
        return
    path = case.operation.path
    params = case.path_parameters or {}
    if "agreement_pk" in params:
        params["agreement_pk"] = world["agreement"]
        if "record_id" in params:
            params["record_id"] = world["objects"][path.split("/")[5]].pk
    elif "memorandum_pk" in params:
        params["memorandum_pk"] = world["memoranda"]
    elif "id" in params:
        if path.startswith("/api/v1/stage-requests/"):
            params["id"] = world["stage-requests"]
        elif path.startswith("/api/v1/memoranda/"):
            params["id"] = world["memoranda"]
        elif path.startswith("/api/v1/cities/"):
            params["id"] = world["cities"]
        elif path.endswith("memorandum.pdf"):
            params["id"] = world["memorandum_agreement"]
        elif not path.startswith("/api/v1/exports/"):
            params["id"] = world["agreement"]


def _own_key(case) -> None:
    """A valid case's Idempotency-Key is its own, as a client makes one per request:
    the same key generated for two different requests is rightly 422
    `idempotency_key_reused` (tests/api/test_idempotency.py), not data refused."""
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key":
            headers[name] = uuid.uuid4().hex


def _run_operation(operation, mode, headers, world) -> list[str]:
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        _real_ids(case, world)
        if mode == GenerationMode.POSITIVE:
            _own_key(case)
        case.call_and_validate(
            headers=headers,
            excluded_checks=NOT_APPLICABLE.get((operation.method.upper(), operation.path), []),
        )

    try:
        check()
    except Unsatisfiable:
        # Nothing to send (no parameter, no body: GET /api/v1/calendar-feed/) has no
        # invalid request to make; a valid one is still checked.
        if mode != GenerationMode.NEGATIVE:
            raise
    except FailureGroup as exc:
        found.append(f"{operation.label} ({mode}):\n{exc}")
    except AssertionError as exc:
        found.append(f"{operation.label} ({mode}):\n{exc}")
    return found


@pytest.mark.parametrize("persona", ["officer", "approver"])
def test_every_operation_passes_every_check(persona, personas, world, live_schema):
    headers = {"Authorization": f"Token {_token(getattr(personas, persona))}"}
    failures: list[str] = []
    for result in live_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _run_operation(operation, mode, headers, world)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("persona", ["officer", "approver"])
def test_stateful_sequences_pass_every_check(persona, personas, world, live_schema):
    token = _token(getattr(personas, persona))

    # The persona's token as the schema's own authentication (not a bare header),
    # so that ignored_auth knows it is valid and probes without it and with a bad one.
    @live_schema.auth(refresh_interval=None)
    class PersonaToken:
        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    checked = []

    class Scenarios(live_schema.as_state_machine()):
        # Ids in paths come from the links; bodies and queries name objects that
        # exist, as in the fuzzing above.
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            checked.append(case.operation.path)
            key = (case.operation.method.upper(), case.operation.path)
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=NOT_APPLICABLE.get(key, []),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

        def before_call(self, case):
            _ensure_records(world)
            if case.meta is None or not case.meta.generation.mode.is_negative:
                _valid_references(case, _records_of(world, case))
                _own_key(case)

    try:
        _run_scenarios(Scenarios)
    except FlakyStrategyDefinition:
        assert len(checked) >= STATEFUL_MIN_CHECKED, (
            f"the stateful run stopped after {len(checked)} answers "
            f"(Hypothesis: rules differ between scenarios)"
        )


def _run_scenarios(Scenarios) -> None:
    run_state_machine_as_test(
        Scenarios,
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
