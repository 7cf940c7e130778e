"""Every move through agreements.services: allowed, and refused with nothing changed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from agreements import services
from agreements.models import (
    Agreement,
    Contact,
    Memorandum,
    MunicipalitySettings,
    RequestState,
    Stage,
    StageRequest,
    Status,
    UserProfile,
)
from agreements.permissions import (
    Forbidden,
    can_decide,
    visible_agreements,
    visible_through_agreement,
)
from agreements.reasons import describe, parse
from agreements.reasons import who as reasons_who
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    LegalApprovalFactory,
    MemorandumFactory,
)
from tests.querycount import captured
from tests.workflow_helpers import agreement_at, approved_move, db_state, fulfil_gate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran_agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


def test_officer_creates_agreement_with_history(personas):
    partner = CityFactory()
    agreement = services.create_agreement(
        by=personas.officer,
        home_city=personas.tehran,
        partner_city=partner,
        kind="friendship",
        origin="trade",
    )
    assert agreement.stage == Stage.CONTACT and agreement.status == Status.IN_PROGRESS
    assert parse(agreement.history.get().history_change_reason) == {"code": "agreement_created"}
    assert agreement.created_by == personas.officer


@pytest.mark.parametrize("who", ["viewer", "isfahan_officer", "outsider"])
def test_create_agreement_refused_without_officer_role(personas, who):
    partner = CityFactory()
    before = db_state()
    with pytest.raises(Forbidden):
        services.create_agreement(
            by=getattr(personas, who), home_city=personas.tehran, partner_city=partner
        )
    assert db_state() == before


def test_create_agreement_refuses_duplicate_pair(personas, tehran_agreement):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        services.create_agreement(
            by=personas.officer,
            home_city=personas.tehran,
            partner_city=tehran_agreement.partner_city,
        )
    assert "already have a live agreement" in str(exc.value)
    assert db_state() == before


def test_request_advance_refused_when_gate_unmet(personas, tehran_agreement):
    before = db_state()
    with pytest.raises(services.GateNotMet) as exc:
        services.request_advance(
            agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
        )
    assert exc.value.missing and "contact" in exc.value.missing[0]
    assert db_state() == before


def test_full_lifecycle_through_every_stage(personas, tehran_agreement):
    agreement = tehran_agreement
    for expected in ["goals", "legal", "signing", "delegations", "active"]:
        fulfil_gate(agreement)
        request = services.request_advance(agreement=agreement, by=personas.officer, note="ready")
        assert request.from_stage == agreement.stage and request.to_stage == expected
        services.approve_stage_request(stage_request=request, by=personas.approver, note="ok")
        agreement.refresh_from_db()
        assert agreement.stage == expected
    assert agreement.status == Status.ACTIVE
    reasons = list(agreement.history.values_list("history_change_reason", flat=True))
    moves = [parse(r) for r in reasons if parse(r) and parse(r)["code"] == "stage_advanced"]
    assert len(moves) == 5
    assert {move["user"] for move in moves} == {reasons_who(personas.approver)}
    assert (
        StageRequest.objects.filter(agreement=agreement, state=RequestState.APPROVED).count() == 5
    )
    # Leaving the signing stage took the memorandum's signing date and term.
    assert agreement.signed_on == datetime.date(2025, 3, 1)
    assert agreement.expires_on == datetime.date(2030, 3, 1)
    # Every column the moves change is stored (they save only those columns).
    assert agreement.signed_year == 2025 and agreement.term_years == 5
    assert agreement.stage_changed_at is not None
    decided = StageRequest.objects.filter(agreement=agreement).values_list(
        "decided_by", "decision_note", "decided_at"
    )
    assert all(
        by == personas.approver.pk and note == "ok" and at is not None for by, note, at in decided
    )
    assert agreement.history.first().stage == Stage.ACTIVE


def test_requester_cannot_approve_own_request(personas, tehran_agreement):
    fulfil_gate(tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.approver, note="Ready for the next stage"
    )
    before = db_state()
    with pytest.raises(Forbidden) as exc:
        services.approve_stage_request(stage_request=request, by=personas.approver)
    assert "four-eyes" in exc.value.message
    with pytest.raises(Forbidden):
        services.reject_stage_request(stage_request=request, by=personas.approver, note="Not yet")
    assert db_state() == before
    services.approve_stage_request(stage_request=request, by=personas.approver2)
    tehran_agreement.refresh_from_db()
    assert tehran_agreement.stage == Stage.GOALS


@pytest.mark.parametrize("who", ["officer", "viewer", "isfahan_approver", "admin"])
def test_only_an_approver_of_the_home_municipality_decides(personas, tehran_agreement, who):
    fulfil_gate(tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    before = db_state()
    with pytest.raises(Forbidden):
        services.approve_stage_request(stage_request=request, by=getattr(personas, who))
    assert db_state() == before


def test_gate_checked_again_at_approval(personas, tehran_agreement):
    contact = ContactFactory(agreement=tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    services.delete_record(record=contact, by=personas.officer)
    before = db_state()
    with pytest.raises(services.GateNotMet):
        services.approve_stage_request(stage_request=request, by=personas.approver)
    assert db_state() == before


def test_one_pending_request_at_a_time(personas, tehran_agreement):
    fulfil_gate(tehran_agreement)
    services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    before = db_state()
    with pytest.raises(services.Conflict):
        services.request_advance(
            agreement=tehran_agreement, by=personas.approver, note="Ready for the next stage"
        )
    assert db_state() == before


def test_decided_request_cannot_be_decided_again(personas, tehran_agreement):
    fulfil_gate(tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    services.reject_stage_request(stage_request=request, by=personas.approver, note="not yet")
    before = db_state()
    with pytest.raises(services.Conflict):
        services.approve_stage_request(stage_request=request, by=personas.approver2)
    assert db_state() == before
    tehran_agreement.refresh_from_db()
    assert tehran_agreement.stage == Stage.CONTACT


def test_withdraw_only_by_requester(personas, tehran_agreement):
    fulfil_gate(tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    with pytest.raises(Forbidden):
        services.withdraw_stage_request(stage_request=request, by=personas.approver)
    services.withdraw_stage_request(stage_request=request, by=personas.officer)
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN


def test_reopen_suspend_resume_terminate_are_requests_with_a_reason(personas):
    agreement = agreement_at(Stage.LEGAL, home_city=personas.tehran)
    before = db_state()
    with pytest.raises(Forbidden):
        services.make_request(agreement=agreement, by=personas.viewer, action="suspend", note="why")
    with pytest.raises(ValidationError) as exc:
        services.make_request(agreement=agreement, by=personas.officer, action="suspend", note=" ")
    assert exc.value.message_dict == {"note": [str(services.REQUEST_REASON_REQUIRED)]}
    with pytest.raises(services.WorkflowError):
        services.make_request(
            agreement=agreement,
            by=personas.officer,
            action="reopen",
            note="skip",
            to_stage=Stage.SIGNING,
        )
    with pytest.raises(ValidationError) as exc:
        services.make_request(agreement=agreement, by=personas.officer, action="reopen", note="x")
    assert set(exc.value.message_dict) == {"to_stage"}
    with pytest.raises(ValidationError):
        services.make_request(
            agreement=agreement, by=personas.officer, action="suspend", note="x", to_stage="goals"
        )
    assert db_state() == before

    approved_move(
        agreement,
        "reopen",
        by=personas.officer,
        approver=personas.approver,
        note="new mayor",
        to_stage=Stage.CONTACT,
    )
    assert agreement.stage == Stage.CONTACT
    assert "new mayor" in agreement.history.first().history_change_reason
    approved_move(
        agreement, "suspend", by=personas.approver2, approver=personas.approver, note="elections"
    )
    assert agreement.status == Status.SUSPENDED
    with pytest.raises(services.WorkflowError):
        services.request_advance(
            agreement=agreement, by=personas.officer, note="Ready for the next stage"
        )
    approved_move(
        agreement, "resume", by=personas.officer, approver=personas.approver, note="new council"
    )
    assert agreement.status == Status.IN_PROGRESS
    approved_move(
        agreement, "terminate", by=personas.officer, approver=personas.approver2, note="no interest"
    )
    assert agreement.status == Status.TERMINATED
    with translation.override("en"):
        reason = describe(agreement.history.first().history_change_reason)
    assert reason.startswith("Terminated: request no. ") and "approved by approver2" in reason
    assert reason.endswith(". Reason: no interest")
    # Terminated agreements are read-only, but still there with their history.
    with pytest.raises(services.WorkflowError):
        services.save_record(
            record=Contact(agreement=agreement, date="2025-01-01", participants="x"),
            by=personas.officer,
        )
    with pytest.raises(services.WorkflowError):
        services.make_request(agreement=agreement, by=personas.officer, action="resume", note="x")


def test_rejection_needs_a_reason(personas, tehran_agreement):
    fulfil_gate(tehran_agreement)
    request = services.request_advance(agreement=tehran_agreement, by=personas.officer, note="Go")
    before = db_state()
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            services.reject_stage_request(stage_request=request, by=personas.approver, note=blank)
        assert exc.value.message_dict == {"note": [str(services.REJECTION_REASON_REQUIRED)]}
    assert db_state() == before


def test_the_move_is_checked_again_at_approval(personas):
    """A suspension asked for an agreement in progress; meanwhile (here: set up
    directly) it was terminated: the approval is refused and changes nothing."""
    agreement = agreement_at(Stage.LEGAL, home_city=personas.tehran)
    request = services.make_request(
        agreement=agreement, by=personas.officer, action="suspend", note="elections"
    )
    Agreement.objects.filter(pk=agreement.pk).update(status=Status.TERMINATED)
    before = db_state()
    with pytest.raises(services.WorkflowError):
        services.approve_stage_request(stage_request=request, by=personas.approver)
    assert db_state() == before


def test_upgrade_friendship_to_sister_makes_a_new_memorandum_version(personas):
    agreement = agreement_at(Stage.ACTIVE, home_city=personas.tehran, kind="friendship")
    first = agreement.memoranda.get()
    with pytest.raises(services.WorkflowError):
        services.request_upgrade(
            agreement=agreement_at(Stage.LEGAL, home_city=personas.tehran),
            by=personas.officer,
            note="Ten good years",
        )
    request = services.request_upgrade(
        agreement=agreement, by=personas.officer, note="ten good years"
    )
    services.approve_stage_request(stage_request=request, by=personas.approver)
    agreement.refresh_from_db()
    assert agreement.kind == "sister"
    latest = agreement.memoranda.order_by("-number").first()
    assert latest.number == 2 and latest.supersedes == first and latest.kind == "sister"
    assert latest.articles.count() == 7


def test_required_authorities_are_configurable_per_municipality(personas):
    agreement = agreement_at(Stage.LEGAL, home_city=personas.tehran)
    fulfil_gate(agreement)
    agreement.legal_approvals.filter(authority="partner_authority").delete()
    with pytest.raises(services.GateNotMet):
        services.request_advance(
            agreement=agreement, by=personas.officer, note="Ready for the next stage"
        )
    MunicipalitySettings.objects.create(city=personas.tehran, required_authorities=["home_council"])
    assert (
        services.request_advance(
            agreement=agreement, by=personas.officer, note="Ready for the next stage"
        ).to_stage
        == Stage.SIGNING
    )


def test_stale_record_edit_is_refused(personas, tehran_agreement):
    contact = ContactFactory(agreement=tehran_agreement, participants="A")
    version = contact.version
    first = Contact.objects.get(pk=contact.pk)
    first.participants = "first editor"
    services.save_record(record=first, by=personas.officer, expected_version=version)
    second = Contact.objects.get(pk=contact.pk)
    second.participants = "second editor"
    with pytest.raises(services.Conflict):
        services.save_record(record=second, by=personas.approver, expected_version=version)
    contact.refresh_from_db()
    assert contact.participants == "first editor"


def test_frozen_memorandum_cannot_be_edited(personas, tehran_agreement):
    memorandum = MemorandumFactory(agreement=tehran_agreement)
    memorandum.frozen_at = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    memorandum.save()
    memorandum.place = "Elsewhere"
    with pytest.raises(services.WorkflowError):
        services.save_record(record=memorandum, by=personas.officer)
    article = memorandum.articles.model(
        memorandum=memorandum, heading_en="x", heading_fa="x", body_en="x", body_fa="x"
    )
    with pytest.raises(services.WorkflowError):
        services.save_record(record=article, by=personas.officer)
    with pytest.raises(services.WorkflowError):
        services.delete_record(record=memorandum, by=personas.officer)


def test_viewer_cannot_log_records(personas, tehran_agreement):
    before = db_state()
    with pytest.raises(Forbidden):
        services.save_record(
            record=Contact(agreement=tehran_agreement, date="2025-01-01", participants="x"),
            by=personas.viewer,
        )
    assert db_state() == before


def test_record_change_has_history_with_user(personas, tehran_agreement):
    record = services.save_record(
        record=Contact(agreement=tehran_agreement, date="2025-01-01", participants="mayors"),
        by=personas.officer,
    )
    entry = record.history.get()
    assert parse(entry.history_change_reason) == {"code": "record_added", "kind": "contact"}
    with translation.override("en"):
        assert describe(entry.history_change_reason) == "Contact added"
    with translation.override("fa"):
        assert describe(entry.history_change_reason) == "دیدار افزوده شد"
    assert record.created_by == personas.officer


def test_notifications_in_the_recipients_language(
    personas, tehran_agreement, django_capture_on_commit_callbacks
):
    personas.approver.email = "approver@example.org"
    personas.approver.save()
    UserProfile.objects.create(user=personas.approver, language="fa")
    personas.approver2.email = "approver2@example.org"
    personas.approver2.save()
    UserProfile.objects.create(user=personas.approver2, language="en")
    fulfil_gate(tehran_agreement)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_advance(
            agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
        )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"approver@example.org", "approver2@example.org"}
    assert "Approval requested" in by_recipient["approver2@example.org"].subject
    assert "Approval requested" not in by_recipient["approver@example.org"].subject
    assert "تهران" in by_recipient["approver@example.org"].subject
    mail.outbox.clear()
    personas.officer.email = "officer@example.org"
    personas.officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_stage_request(stage_request=request, by=personas.approver)
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]


def test_role_taken_away_takes_effect_on_next_request(personas, tehran_agreement):
    assert visible_agreements(personas.officer).filter(pk=tehran_agreement.pk).exists()
    services.revoke_role(user=personas.officer, city=personas.tehran)
    # A new request builds a new user object: simulate it with a fresh instance.
    fresh = type(personas.officer).objects.get(pk=personas.officer.pk)
    assert not visible_agreements(fresh).exists()


def test_deactivated_user_sees_nothing(personas, tehran_agreement):
    personas.approver.is_active = False
    personas.approver.save()
    fresh = type(personas.approver).objects.get(pk=personas.approver.pk)
    assert not visible_agreements(fresh).exists()
    fulfil_gate(tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    with pytest.raises(Forbidden):
        services.approve_stage_request(stage_request=request, by=fresh)


def test_grant_role_replaces_role_in_the_same_municipality(personas):
    role = services.grant_role(user=personas.viewer, role="officer", city=personas.tehran)
    assert role.role == "officer"
    assert personas.viewer.roles.count() == 1
    with pytest.raises(ValidationError):
        services.grant_role(user=personas.viewer, role="officer", city=CityFactory())
    with pytest.raises(ValidationError):
        services.grant_role(user=personas.viewer, role="administrator", city=personas.tehran)


def test_legal_approval_granted_unlocks_gate(personas):
    agreement = agreement_at(Stage.LEGAL, home_city=personas.tehran)
    fulfil_gate(agreement)
    assert services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    other = agreement_at(Stage.LEGAL, home_city=personas.tehran)
    other.legal_approvals.all().delete()
    LegalApprovalFactory(agreement=other, authority="home_council", status="refused")
    with pytest.raises(services.GateNotMet) as exc:
        services.request_advance(
            agreement=other, by=personas.officer, note="Ready for the next stage"
        )
    assert len(exc.value.missing) == 3
    assert Agreement.objects.get(pk=other.pk).stage == Stage.LEGAL


@pytest.fixture
def officers_request(personas, tehran_agreement) -> StageRequest:
    """A pending request by an officer who has an e-mail address (nothing sent yet)."""
    personas.officer.email = "officer@example.org"
    personas.officer.save()
    fulfil_gate(tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    mail.outbox.clear()
    return request


def test_requester_is_mailed_only_after_the_approval_commits(
    personas, officers_request, django_capture_on_commit_callbacks
):
    request = officers_request
    with django_capture_on_commit_callbacks() as callbacks:
        services.approve_stage_request(stage_request=request, by=personas.approver)
    assert mail.outbox == []  # committed, but the commit hooks have not run yet
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]


def test_no_mail_for_a_rolled_back_approval(
    personas, officers_request, django_capture_on_commit_callbacks
):
    request = officers_request
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.approve_stage_request(stage_request=request, by=personas.approver)
        raise RuntimeError("the surrounding work failed")
    assert callbacks == []
    assert mail.outbox == []
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


_TABLE = re.compile(r'(?:FROM|UPDATE|INTO) "?(\w+)')


def _verb_and_table(sql: str) -> str:
    """'SELECT agreements_contact' for a statement reading that table first."""
    return f"{sql.split()[0]} {_TABLE.search(sql).group(1)}"


def test_an_approval_reads_the_rows_it_needs_once_and_writes_each_once(
    personas, tehran_agreement, settings
):
    """Lock and read (agreement and request in one statement), the gate of the current
    stage (contacts only), two saves with their history rows, the e-mail task queued in
    the same transaction. Printed in full if it changes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fulfil_gate(tehran_agreement)
    request = services.request_advance(
        agreement=tehran_agreement, by=personas.officer, note="Ready for the next stage"
    )
    can_decide(personas.approver, tehran_agreement)  # roles are read once per request
    sql = captured(
        lambda: services.approve_stage_request(stage_request=request, by=personas.approver)
    )
    # The test's own transaction turns the service's into a savepoint.
    statements = [s for s in sql if "SAVEPOINT" not in s]
    shapes = [_verb_and_table(statement) for statement in statements]
    expected = [
        "SELECT agreements_stagerequest",
        "SELECT agreements_contact",
        "UPDATE agreements_agreement",
        "INSERT agreements_historicalagreement",
        "UPDATE agreements_stagerequest",
        "INSERT agreements_historicalstagerequest",
        "INSERT django_tasks_database_dbtaskresult",
    ]
    assert shapes == expected, "\n".join(statements)
    assert "FOR UPDATE" in statements[0] or not connection.features.has_select_for_update


def test_rows_of_an_agreement_are_visible_as_their_agreement_is(personas):
    tehran = MemorandumFactory(agreement=AgreementFactory(home_city=personas.tehran))
    isfahan = MemorandumFactory(agreement=AgreementFactory(home_city=personas.isfahan))
    memoranda = Memorandum.objects.all()
    for user in (personas.admin, personas.officer, personas.isfahan_approver, personas.outsider):
        visible = set(visible_through_agreement(user, memoranda))
        expected = {
            m for m in (tehran, isfahan) if visible_agreements(user).filter(pk=m.agreement_id)
        }
        assert visible == expected, user
    assert set(visible_through_agreement(personas.admin, memoranda)) == {tehran, isfahan}
    assert not visible_through_agreement(personas.outsider, memoranda).exists()
    # An administrator's rows are not filtered through a list of every agreement.
    sql = str(visible_through_agreement(personas.admin, memoranda.order_by()).query)
    assert "agreements_agreement" not in sql


def test_a_new_version_carries_the_signing_details_over_but_not_the_date(personas):
    from agreements.models import Memorandum
    from tests.factories import MemorandumFactory

    agreement = AgreementFactory(home_city=personas.tehran)
    first = MemorandumFactory(agreement=agreement, place_fa="تهران")
    second = services.new_memorandum(agreement=agreement, by=personas.officer, supersedes=first)
    for name in Memorandum.EDITABLE_FIELDS:
        expected = None if name == "signed_on" else getattr(first, name)
        assert getattr(second, name) == expected, name
    assert (second.number, second.supersedes_id) == (2, first.pk)

    def officials(memorandum):
        return list(memorandum.officials.values_list("side", "name", "title"))

    assert officials(second) == officials(first) != []
