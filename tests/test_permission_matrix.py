"""Every URL pattern of the project, every persona, GET and POST: deny by default.

The test walks the URL resolver. A pattern that is not in POLICIES (or has no
name and is not listed by its route) fails the test, so a view added later
cannot escape it; the number of patterns checked must equal the number found.

Answers are compared by category:
  ok     the request was served (2xx, a redirect that is not to the login page,
         400 for an empty form or body, 409 for a workflow conflict)
  login  redirected to the login page (anonymous on pages, everyone but
         administrators on the admin)
  401    API without credentials
  403    may see the object, may not do this
  404    outside the user's municipalities
  405    wrong method
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from agreements import services
from agreements.models import (
    Counterpart,
    Document,
    ExportFormat,
    ExportJob,
    ExportState,
    PartnerComment,
    PartnerLink,
    Stage,
)
from agreements.pdf import freeze_pdf
from tests.factories import ActivityFactory, AgreementFactory, CityFactory, MemorandumFactory
from tests.workflow_helpers import agreement_at, fulfil_gate

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "viewer", "officer", "approver", "admin", "isfahan_officer"]
OK_STATUSES = {200, 201, 204, 400, 409}


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name, or "route:<route>" for an unnamed pattern
    route: str


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            key = f"{namespace}{entry.name}" if entry.name else f"route:{route}"
            yield Pattern(key, route)


def all_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


# --- what each persona may do -------------------------------------------------------------

READ_ANY = {
    "anonymous": "login",
    "viewer": "ok",
    "officer": "ok",
    "approver": "ok",
    "admin": "ok",
    "isfahan_officer": "ok",
}
# A Tehran object: an officer of Isfahan gets 404.
READ_TEHRAN = READ_ANY | {"isfahan_officer": "404"}
WRITE_TEHRAN = {**READ_TEHRAN, "viewer": "403", "admin": "403"}
DECIDE_TEHRAN = {**WRITE_TEHRAN, "officer": "403"}
# Writes anyone with an officer role somewhere may try (their own municipality's data).
WRITE_ANY_OFFICER = {**READ_ANY, "viewer": "403", "admin": "ok"}
# For the administrator the admin answers whatever the view answers for the
# made-up object (a form, a redirect, a 404 for a missing user, a 403 for a
# forbidden delete): "served" is any answer but the login page, 401 and 500.
ADMIN_ONLY = dict.fromkeys(PERSONAS, "login") | {"admin": "served"}
PUBLIC = dict.fromkeys(PERSONAS, "ok")
NOT_ALLOWED = dict.fromkeys(PERSONAS, "405")
LOGIN_THEN_405 = {**NOT_ALLOWED, "anonymous": "login"}

# A background export belongs to whoever asked for it (the viewer, in the world below).
OWNER_ONLY = {**dict.fromkeys(PERSONAS, "404"), "anonymous": "login", "viewer": "ok"}

API_READ_ANY = {**READ_ANY, "anonymous": "401"}
API_READ_TEHRAN = {**READ_TEHRAN, "anonymous": "401"}
API_WRITE_TEHRAN = {**WRITE_TEHRAN, "anonymous": "401"}
API_DECIDE_TEHRAN = {**DECIDE_TEHRAN, "anonymous": "401"}
API_NOT_ALLOWED = {**NOT_ALLOWED, "anonymous": "401"}
API_OWNER_ONLY = {**OWNER_ONLY, "anonymous": "401"}
# POST on a record: DRF checks permissions before the method, so the denied see
# their denial (403/404) and the allowed see 405.
API_DETAIL_POST = {**API_NOT_ALLOWED, "viewer": "403", "admin": "403", "isfahan_officer": "404"}


def page(get: dict, post: dict) -> dict[str, dict[str, str]]:
    return {"GET": get, "POST": post}


RECORD_KINDS = [
    "contacts",
    "goals",
    "commonalities",
    "department-supports",
    "legal-approvals",
    "memoranda",
    "delegations",
    "activities",
    "documents",
    "memorandum-officials",  # /agreements/{id}/memoranda/{memorandum_id}/officials/
    "counterparts",
    # /agreements/{id}/delegations/{delegation_id}/<kind>/
    "delegation-participants",
    "delegation-programme",
    "delegation-budget-lines",
    "delegation-gifts",
    "delegation-ceremonies",
    "committee-members",
    "committee-meetings",
    "action-plans",
]

POLICIES: dict[str, dict[str, dict[str, str]]] = {
    "login": page(PUBLIC, PUBLIC),
    # Signing out ends on the login page.
    "logout": page(NOT_ALLOWED, dict.fromkeys(PERSONAS, "login")),
    "set_language": page(NOT_ALLOWED, PUBLIC),
    # Django's admin sends a signed-out visitor of its logout page to its index.
    "admin:logout": page(
        {**dict.fromkeys(PERSONAS, "ok"), "admin": "served"},
        {**dict.fromkeys(PERSONAS, "ok"), "admin": "login"},
    ),
    # The admin has no login of its own: it sends everyone to the product's.
    "admin:login": page(dict.fromkeys(PERSONAS, "login"), dict.fromkeys(PERSONAS, "login")),
    # Pages
    "agreements:dashboard": page(READ_ANY, LOGIN_THEN_405),
    "agreements:list": page(READ_ANY, LOGIN_THEN_405),
    "agreements:approvals": page(READ_ANY, LOGIN_THEN_405),
    # Agreements are created by officers of a home municipality (not by the
    # administrator, who has no municipality).
    "agreements:create": page(
        {**WRITE_ANY_OFFICER, "admin": "403"}, {**WRITE_ANY_OFFICER, "admin": "403"}
    ),
    "agreements:detail": page(READ_TEHRAN, {**LOGIN_THEN_405}),
    "agreements:history": page(READ_TEHRAN, LOGIN_THEN_405),
    "agreements:edit": page(WRITE_TEHRAN, WRITE_TEHRAN),
    # Every consequential move is a request: officers and approvers ask.
    "agreements:request-advance": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:request-upgrade": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:request-reopen": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:request-suspend": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:request-resume": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:request-terminate": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:approve": page(LOGIN_THEN_405, DECIDE_TEHRAN),
    "agreements:reject": page(LOGIN_THEN_405, DECIDE_TEHRAN),
    # Only the requester (the officer) may withdraw.
    "agreements:withdraw": page(
        LOGIN_THEN_405, {**DECIDE_TEHRAN, "officer": "ok", "approver": "403"}
    ),
    "agreements:memorandum-freeze": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:memorandum-pdf": page(READ_TEHRAN, LOGIN_THEN_405),
    "agreements:dossier-pdf": page(READ_TEHRAN, LOGIN_THEN_405),
    "agreements:signed-mou-export": page(READ_TEHRAN, LOGIN_THEN_405),
    "agreements:document-download": page(READ_TEHRAN, LOGIN_THEN_405),
    "agreements:record-create": page(WRITE_TEHRAN, WRITE_TEHRAN),
    "agreements:record-edit": page(WRITE_TEHRAN, WRITE_TEHRAN),
    "agreements:record-delete": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:export-csv": page(READ_ANY, LOGIN_THEN_405),
    "agreements:signed-mou-bulk-export": page(READ_ANY, LOGIN_THEN_405),
    "agreements:export-xlsx": page(READ_ANY, LOGIN_THEN_405),
    "agreements:exports": page(READ_ANY, LOGIN_THEN_405),
    # Starting an export is a POST (an empty one is a 400).
    "agreements:export-start": page(LOGIN_THEN_405, READ_ANY),
    "agreements:export-detail": page(OWNER_ONLY, LOGIN_THEN_405),
    "agreements:export-download": page(OWNER_ONLY, LOGIN_THEN_405),
    # Imports are for administrators.
    "agreements:import": page(
        {**dict.fromkeys(PERSONAS, "403"), "anonymous": "login", "admin": "ok"},
        {**dict.fromkeys(PERSONAS, "403"), "anonymous": "login", "admin": "ok"},
    ),
    # A delegation's page and what is recorded under it; the gift register.
    "agreements:delegation": page(READ_TEHRAN, LOGIN_THEN_405),
    "agreements:delegation-programme-pdf": page(READ_TEHRAN, LOGIN_THEN_405),
    "agreements:delegation-part-create": page(WRITE_TEHRAN, WRITE_TEHRAN),
    "agreements:delegation-part-edit": page(WRITE_TEHRAN, WRITE_TEHRAN),
    "agreements:delegation-part-delete": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:gift-register": page(READ_ANY, LOGIN_THEN_405),
    "agreements:gift-register-csv": page(READ_ANY, LOGIN_THEN_405),
    "agreements:gift-register-xlsx": page(READ_ANY, LOGIN_THEN_405),
    # The calendar page: anyone with a role, for their own address (a POST redirects).
    "agreements:calendar": page(READ_ANY, LOGIN_THEN_405),
    "agreements:calendar-renew": page(LOGIN_THEN_405, READ_ANY),
    "agreements:calendar-revoke": page(LOGIN_THEN_405, READ_ANY),
    # The feed needs no session: an unknown token is 404 whoever asks.
    "agreements:calendar-feed": page(dict.fromkeys(PERSONAS, "404"), NOT_ALLOWED),
    "cities:directory": page(READ_ANY, LOGIN_THEN_405),
    "cities:detail": page(READ_ANY, LOGIN_THEN_405),
    # Partner cities: officers (anywhere) and administrators.
    "cities:create": page(WRITE_ANY_OFFICER, WRITE_ANY_OFFICER),
    "cities:edit": page(WRITE_ANY_OFFICER, WRITE_ANY_OFFICER),
    # The public pages (issue 23): for anyone, signed in or not; read only.
    "public:index": page(PUBLIC, NOT_ALLOWED),
    "public:municipality": page(PUBLIC, NOT_ALLOWED),
    "public:geojson": page(PUBLIC, NOT_ALLOWED),
    # API
    "api:token": page(NOT_ALLOWED, PUBLIC),
    # Anyone verifies a signed memorandum by its integrity code (world's "code"); read only.
    "verify-form": page(PUBLIC, NOT_ALLOWED),
    "verify-memorandum": page(PUBLIC, NOT_ALLOWED),
    "api:verify": page(PUBLIC, NOT_ALLOWED),
    # The schema and its docs describe the contract; they hold no data.
    "api:schema": page(PUBLIC, NOT_ALLOWED),
    "api:docs": page(PUBLIC, NOT_ALLOWED),
    "api:city-list": page(API_READ_ANY, {**API_READ_ANY, "viewer": "403"}),
    "api:city-detail": page(API_READ_ANY, API_NOT_ALLOWED),
    "api:agreement-list": page(API_READ_ANY, {**API_READ_ANY, "viewer": "403", "admin": "403"}),
    "api:agreement-detail": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    "api:agreement-export-csv": page(API_READ_ANY, API_NOT_ALLOWED),
    "api:agreement-export-xlsx": page(API_READ_ANY, API_NOT_ALLOWED),
    "api:agreement-memorandum-pdf": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    "api:agreement-dossier-pdf": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    "api:agreement-signed-mou-zip": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    "api:agreement-signed-memoranda-zip": page(API_READ_ANY, API_NOT_ALLOWED),
    "api:memorandum-pdf": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    # Imports are for administrators (an empty upload is a 400), as the page.
    "api:import": page(
        API_NOT_ALLOWED, {**dict.fromkeys(PERSONAS, "403"), "anonymous": "401", "admin": "ok"}
    ),
    "api:agreement-advance": page(API_NOT_ALLOWED, API_WRITE_TEHRAN),
    "api:agreement-requests": page(API_NOT_ALLOWED, API_WRITE_TEHRAN),
    "api:agreement-history": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    "api:stage-request-list": page(API_READ_ANY, API_NOT_ALLOWED),
    "api:stage-request-detail": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    "api:stage-request-approve": page(API_NOT_ALLOWED, API_DECIDE_TEHRAN),
    "api:stage-request-reject": page(API_NOT_ALLOWED, API_DECIDE_TEHRAN),
    # Only the requester (the officer) may withdraw.
    "api:stage-request-withdraw": page(
        API_NOT_ALLOWED, {**API_DECIDE_TEHRAN, "officer": "ok", "approver": "403"}
    ),
    "api:memorandum-freeze": page(API_NOT_ALLOWED, API_WRITE_TEHRAN),
    "api:memorandum-detail": page(API_READ_TEHRAN, API_NOT_ALLOWED),
    # The partner's review: links of a memorandum (the world's is frozen: 409 for a new one).
    "api:memorandum-partner-links-list": page(API_READ_TEHRAN, API_WRITE_TEHRAN),
    "api:memorandum-partner-links-detail": page(API_READ_TEHRAN, API_DETAIL_POST),
    "agreements:partner-link-create": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:partner-link-revoke": page(LOGIN_THEN_405, WRITE_TEHRAN),
    "agreements:partner-comment-reply": page(LOGIN_THEN_405, WRITE_TEHRAN),
    # The partner's page: anyone holding the token, no account (an empty form is a 400).
    "partner:page": page(PUBLIC, NOT_ALLOWED),
    "partner:comment": page(NOT_ALLOWED, PUBLIC),
    "partner:confirm": page(NOT_ALLOWED, PUBLIC),
    "api:agreement-documents-file": page(API_READ_TEHRAN, API_DETAIL_POST),
    "api:export-list": page(API_READ_ANY, API_NOT_ALLOWED),
    # Each user's own calendar address.
    "api:calendar-feed": page(API_READ_ANY, API_NOT_ALLOWED),
    "api:calendar-feed-renew": page(API_NOT_ALLOWED, API_READ_ANY),
    "api:export-detail": page(API_OWNER_ONLY, API_NOT_ALLOWED),
    "api:export-download": page(API_OWNER_ONLY, API_NOT_ALLOWED),
    "api:agreement-delegation-budget-lines-totals": page(API_READ_TEHRAN, API_DETAIL_POST),
    # Joint committees and action plans (issue 22).
    "agreements:meeting-make-item": page(WRITE_TEHRAN, WRITE_TEHRAN),
    "api:agreement-committee-meetings-make-item": page(
        {**API_NOT_ALLOWED, "isfahan_officer": "404"}, API_WRITE_TEHRAN
    ),
    "api:action-plan-items-list": page(API_READ_TEHRAN, API_WRITE_TEHRAN),
    "api:action-plan-items-detail": page(API_READ_TEHRAN, API_DETAIL_POST),
}
for _kind in RECORD_KINDS:
    POLICIES[f"api:agreement-{_kind}-list"] = page(API_READ_TEHRAN, API_WRITE_TEHRAN)
    POLICIES[f"api:agreement-{_kind}-detail"] = page(API_READ_TEHRAN, API_DETAIL_POST)


def policy_for(pattern: Pattern) -> dict[str, dict[str, str]] | None:
    if pattern.key in POLICIES:
        return POLICIES[pattern.key]
    # The admin: named views, and Django's unnamed legacy redirects of the
    # admin (".../<object_id>/" and the catch-all), which only redirect.
    if pattern.key.startswith("admin:") or (
        pattern.key.startswith("route:admin/")
        and (pattern.route.endswith("<path:object_id>/") or pattern.route == "admin/(?P<url>.*)$")
    ):
        return page(ADMIN_ONLY, ADMIN_ONLY)
    return None


# --- a world to act on ----------------------------------------------------------------------


@pytest.fixture
def world(personas):
    agreement = AgreementFactory(home_city=personas.tehran, kind="friendship")
    fulfil_gate(agreement)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    for stage in [Stage.GOALS, Stage.LEGAL, Stage.DELEGATIONS]:
        fulfil_gate(agreement, stage)
    ActivityFactory(agreement=agreement)
    memorandum = MemorandumFactory(agreement=agreement)
    memorandum.frozen_at = timezone.now()
    freeze_pdf(memorandum)
    memorandum.save()
    document = Document(agreement=agreement, memorandum=memorandum, kind="signed_mou")
    document.file.save("scan.pdf", ContentFile(b"%PDF-1.4 signed scan"), save=False)
    document.sha256 = hashlib.sha256(b"%PDF-1.4 signed scan").hexdigest()
    document.save()
    counterpart = Counterpart.objects.create(agreement=agreement, name="Layla Haddad")
    token = "world-token-" + "x" * 32
    link = PartnerLink.objects.create(
        memorandum=memorandum,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    comment = PartnerComment.objects.create(
        link=link, memorandum=memorandum, name="Layla", body="A comment", content_hash="0" * 64
    )
    records = {
        "counterparts": counterpart.pk,
        "contacts": agreement.contacts.get().pk,
        "goals": agreement.goals.get().pk,
        "commonalities": agreement.commonalities.get().pk,
        "department-supports": agreement.department_supports.get().pk,
        "legal-approvals": agreement.legal_approvals.first().pk,
        "memoranda": memorandum.pk,
        "delegations": agreement.delegations.get().pk,
        "activities": agreement.activities.get().pk,
        "documents": document.pk,
        "memorandum-officials": memorandum.officials.first().pk,
        **_committee_and_plan(agreement, personas.officer),
    }
    delegation = agreement.delegations.get()
    parts = _delegation_parts(delegation, personas.officer)
    records |= {f"delegation-{kind}": part.pk for kind, part in parts.items()}
    partner = CityFactory()
    # Tehran publishes: one public partnership (/public/tehran/).
    agreement_at(Stage.ACTIVE, home_city=personas.tehran, partner_city=CityFactory())
    export = _done_export(personas.viewer, [personas.tehran.pk])
    return {
        "pk": agreement.pk,
        "records": records,
        "request_id": stage_request.pk,
        "memorandum_id": memorandum.pk,
        "memorandum_pk": memorandum.pk,
        "document_id": document.pk,
        "record_id": records["contacts"],
        "agreement_pk": agreement.pk,
        "kind": "contacts",
        "object_id": str(agreement.pk),
        "url": "agreements/agreement/",
        "city_pk": partner.pk,
        "personas": personas,
        "stage": Stage.CONTACT,
        "job_id": str(export.pk),
        "code": memorandum.content_sha256[:12],
        "token": token,
        "link_id": link.pk,
        "comment_id": comment.pk,
        "delegation_id": delegation.pk,
        "delegation_pk": delegation.pk,
        "gift_id": parts["gifts"].pk,
        "plan_pk": records["action-plans"],
        "meeting_id": records["committee-meetings"],
        "public_slug": personas.tehran.slug,
    }


def _committee_and_plan(agreement, by) -> dict[str, int]:
    from agreements.models import ActionPlan, CommitteeMeeting, CommitteeMember

    member = services.save_record(
        record=CommitteeMember(agreement=agreement, name="Chair", is_chair=True), by=by
    )
    meeting = services.save_record(
        record=CommitteeMeeting(
            agreement=agreement, date=datetime.date(2025, 1, 5), online=True, decisions="A"
        ),
        by=by,
    )
    plan = services.save_record(
        record=ActionPlan(agreement=agreement, calendar="gregorian", year=2026), by=by
    )
    item = services.item_from_decision(meeting=meeting, plan=plan, decision=1, by=by)
    return {
        "committee-members": member.pk,
        "committee-meetings": meeting.pk,
        "action-plans": plan.pk,
        "action-plan-items": item.pk,
    }


def _delegation_parts(delegation, officer) -> dict:
    from agreements.models import BudgetLine, Ceremony, DelegationParticipant, Gift, ProgrammeItem

    day = delegation.start_date
    parts = {
        "participants": DelegationParticipant(delegation=delegation, name="Traveller"),
        "programme": ProgrammeItem(delegation=delegation, date=day, description="Welcome"),
        "budget-lines": BudgetLine(
            delegation=delegation, category="travel", planned_amount=1, currency="EUR"
        ),
        "gifts": Gift(delegation=delegation, direction="given", description="Vase"),
        "ceremonies": Ceremony(delegation=delegation, date=day, venue="City Hall"),
    }
    for part in parts.values():
        services.save_record(record=part, by=officer)
    return parts


def _done_export(owner, scope) -> ExportJob:
    data = b"id\n1\n"
    now = timezone.now()
    job = ExportJob(
        owner=owner,
        format=ExportFormat.CSV,
        language="en",
        scope=scope,
        state=ExportState.DONE,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        expires_at=now + datetime.timedelta(hours=1),
    )
    job.file.save("agreements.csv", ContentFile(data), save=False)
    job.save()
    return job


_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def build_path(pattern: Pattern, world: dict) -> str:
    route = pattern.route.replace("^", "").replace("$", "").replace("\\", "")

    def value(match: re.Match) -> str:
        name = match.group("name") or match.group("rname")
        if name == "pk" and pattern.key.startswith(("cities:", "api:city-")):
            return str(world["city_pk"])
        if name == "pk" and pattern.key.startswith("api:stage-request-"):
            return str(world["request_id"])
        if name == "pk" and pattern.key.startswith("api:export-"):
            return world["job_id"]
        if name == "pk" and pattern.key.startswith("api:memorandum-"):
            return str(world["memorandum_id"])
        if name == "record_id" and pattern.key.startswith("api:action-plan-items-"):
            return str(world["records"]["action-plan-items"])
        if name == "record_id" and pattern.key.endswith("-make-item"):
            return str(world["records"]["committee-meetings"])
        if name == "record_id" and pattern.key.startswith("api:agreement-"):
            kind = pattern.key.removeprefix("api:agreement-").rsplit("-", 1)[0]
            return str(world["records"][kind])
        if pattern.key.startswith("agreements:delegation-part-"):
            if name == "kind":
                return "gifts"
            if name == "record_id":
                return str(world["gift_id"])
        if name == "slug" and pattern.key.startswith("public:"):
            return world["public_slug"]
        if name in ("app_label",):
            return "agreements"
        if name == "model_name":
            return "agreement"
        return str(world.get(name, 1))

    return "/" + _PARAM.sub(value, route)


def categorise(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and ("/accounts/login/" in location or "/admin/login/" in location):
        return "login"
    if status in OK_STATUSES or status in (301, 302, 303):
        return "ok"
    return str(status)


def _client_for(client_factory: Callable, persona: str, world: dict):
    client = client_factory()
    if persona != "anonymous":
        client.force_login(getattr(world["personas"], persona))
    return client


def test_every_url_pattern_answers_each_persona_as_expected(world, settings):
    from django.test import Client

    settings.LANGUAGE_CODE = "en"
    patterns = all_patterns()
    unlisted = [p.key for p in patterns if policy_for(p) is None]
    assert not unlisted, f"URL patterns without a policy in the matrix: {unlisted}"

    mismatches: list[str] = []
    checked = 0
    for pattern in patterns:
        policy = policy_for(pattern)
        path = build_path(pattern, world)
        for method, expected_by_persona in policy.items():
            for persona in PERSONAS:
                client = _client_for(lambda: Client(raise_request_exception=False), persona, world)
                call = client.get if method == "GET" else client.post
                # Each request is rolled back: one persona's successful POST must
                # not change what the next persona is asked about.
                # The API reads JSON bodies only (an empty one here), but uploads.
                json_body = path.startswith("/api/") and not path.endswith(
                    ("/documents/", "/imports/")
                )
                kwargs = {"content_type": "application/json"} if json_body else {}
                with transaction.atomic():
                    response = call(path, **kwargs) if method != "GET" else call(path)
                    transaction.set_rollback(True)
                got = categorise(response)
                expected = expected_by_persona[persona]
                if expected == "served" and got not in ("login", "401", "500"):
                    continue
                if got != expected:
                    mismatches.append(
                        f"{method} {path} ({pattern.key}) as {persona}: expected {expected}, got {got}"
                    )
        checked += 1
    assert checked == len(patterns)
    assert not mismatches, "\n".join(mismatches)
