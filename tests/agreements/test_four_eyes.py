"""Four eyes on every consequential move, through the pages (Django test client).

Advance, upgrade, reopen, suspend, resume and terminate are requests with a
reason; only an approver of the home municipality other than the requester
decides, a rejection needs a reason, and where nobody else could decide the page
says so and names the administrators who can give the approver role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from agreements import services
from agreements.models import Agreement, RoleName, StageRequest, Status, UserProfile
from agreements.reasons import describe
from tests.factories import ContactFactory, HomeCityFactory, UserFactory, grant
from tests.workflow_helpers import agreement_at, db_state

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Move:
    build: Callable  # personas -> an agreement where the move is possible
    data: dict  # the form's fields besides the reason
    done: Callable[[Agreement], bool]  # the move happened


def _ready_to_advance(personas) -> Agreement:
    agreement = agreement_at("contact", home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    return agreement


def _suspended(personas) -> Agreement:
    agreement = agreement_at("legal", home_city=personas.tehran)
    agreement.status = Status.SUSPENDED  # test set-up only
    agreement.save()
    return agreement


MOVES = {
    "advance": Move(_ready_to_advance, {}, lambda a: a.stage == "goals"),
    "upgrade": Move(
        lambda p: agreement_at("active", home_city=p.tehran, kind="friendship"),
        {},
        lambda a: a.kind == "sister",
    ),
    "reopen": Move(
        lambda p: agreement_at("legal", home_city=p.tehran),
        {"reopen-to_stage": "goals"},
        lambda a: a.stage == "goals" and a.status == Status.IN_PROGRESS,
    ),
    "suspend": Move(
        lambda p: agreement_at("legal", home_city=p.tehran),
        {},
        lambda a: a.status == Status.SUSPENDED,
    ),
    "resume": Move(_suspended, {}, lambda a: a.status == Status.IN_PROGRESS),
    "terminate": Move(
        lambda p: agreement_at("legal", home_city=p.tehran),
        {},
        lambda a: a.status == Status.TERMINATED,
    ),
}


def request_url(action: str, agreement) -> str:
    return reverse(f"agreements:request-{action}", args=[agreement.pk])


def decision_url(name: str, stage_request) -> str:
    return reverse(f"agreements:{name}", args=[stage_request.agreement_id, stage_request.pk])


def detail(agreement) -> str:
    return reverse("agreements:detail", args=[agreement.pk])


def agreement_row(agreement) -> tuple[dict, int]:
    """The agreement's row as stored, and its number of history entries."""
    return (
        Agreement.objects.filter(pk=agreement.pk).values().get(),
        Agreement.history.filter(id=agreement.pk).count(),
    )


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _ask(client, personas, action: str, who: str = "approver") -> StageRequest:
    """`who` (an approver, so that the four-eyes refusal is tested, not the role)
    asks for the move through its form."""
    move = MOVES[action]
    agreement = move.build(personas)
    client.force_login(getattr(personas, who))
    data = {f"{action}-note": f"Reason to {action}", **move.data}
    response = client.post(request_url(action, agreement), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stage_request = StageRequest.objects.get(agreement=agreement, state="pending")
    assert stage_request.action == action and stage_request.note == f"Reason to {action}"
    assert not move.done(Agreement.objects.get(pk=agreement.pk)), "moved before any decision"
    return stage_request


@pytest.mark.parametrize("action", list(MOVES))
def test_requester_cannot_approve_own_request(english, personas, action):
    stage_request = _ask(english, personas, action)
    agreement = stage_request.agreement
    # The page offers no decision on one's own request.
    page = english.get(detail(agreement)).content.decode()
    assert decision_url("approve", stage_request) not in page
    before, state = agreement_row(agreement), db_state()
    for name in ("approve", "reject"):
        response = english.post(decision_url(name, stage_request), {"decision-note": "Mine"})
        assert response.status_code == 403, name
        assert escape(str(services.OWN_REQUEST)) in response.content.decode()
    assert agreement_row(agreement) == before
    assert db_state() == state


@pytest.mark.parametrize("action", list(MOVES))
def test_approver_of_another_municipality_cannot_decide(client, personas, action):
    stage_request = _ask(client, personas, action)
    before = agreement_row(stage_request.agreement)
    client.force_login(personas.isfahan_approver)
    for name in ("approve", "reject"):
        response = client.post(decision_url(name, stage_request), {"decision-note": "No"})
        assert response.status_code == 404, name
    assert agreement_row(stage_request.agreement) == before
    stage_request.refresh_from_db()
    assert stage_request.state == "pending"


@pytest.mark.parametrize("action", list(MOVES))
def test_officer_cannot_decide(client, personas, action):
    stage_request = _ask(client, personas, action)
    before = agreement_row(stage_request.agreement)
    client.force_login(personas.officer)
    assert client.post(decision_url("approve", stage_request)).status_code == 403
    assert agreement_row(stage_request.agreement) == before


@pytest.mark.parametrize("action", list(MOVES))
def test_second_approver_approves_and_the_move_happens(client, personas, action):
    stage_request = _ask(client, personas, action)
    agreement = stage_request.agreement
    history = Agreement.history.filter(id=agreement.pk).count()
    client.force_login(personas.approver2)
    response = client.post(decision_url("approve", stage_request))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert MOVES[action].done(agreement)
    assert Agreement.history.filter(id=agreement.pk).count() == history + 1
    stage_request.refresh_from_db()
    assert stage_request.state == "approved" and stage_request.decided_by == personas.approver2
    with translation.override("en"):
        reason = describe(agreement.history.first().history_change_reason)
    assert f"request no. {stage_request.pk} of " in reason and "approved by approver2" in reason


@pytest.mark.parametrize("action", list(MOVES))
def test_rejection_without_a_reason_is_refused(english, personas, action):
    stage_request = _ask(english, personas, action)
    agreement = stage_request.agreement
    english.force_login(personas.approver2)
    before, state = agreement_row(agreement), db_state()
    for note in ("", "   "):
        response = english.post(decision_url("reject", stage_request), {"decision-note": note})
        assert response.status_code == 400
        assert escape(str(services.REJECTION_REASON_REQUIRED)) in response.content.decode()
    assert agreement_row(agreement) == before
    assert db_state() == state
    # With a reason it is rejected, and nothing moves.
    response = english.post(decision_url("reject", stage_request), {"decision-note": "Not now"})
    assert response.status_code == 302
    stage_request.refresh_from_db()
    assert (stage_request.state, stage_request.decision_note) == ("rejected", "Not now")
    assert agreement_row(agreement)[0] == before[0]


@pytest.mark.parametrize("action", list(MOVES))
def test_request_without_a_reason_is_refused(english, personas, action):
    move = MOVES[action]
    agreement = move.build(personas)
    english.force_login(personas.officer)
    before = db_state()
    response = english.post(request_url(action, agreement), {f"{action}-note": " ", **move.data})
    assert response.status_code == 400
    assert escape(str(services.REQUEST_REASON_REQUIRED)) in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("action", list(MOVES))
def test_viewer_cannot_request(client, personas, action):
    move = MOVES[action]
    agreement = move.build(personas)
    client.force_login(personas.viewer)
    before = db_state()
    response = client.post(request_url(action, agreement), {f"{action}-note": "x", **move.data})
    assert response.status_code == 403
    assert db_state() == before


def test_post_only_urls_answer_get_with_405(client, personas):
    stage_request = _ask(client, personas, "suspend")
    agreement = stage_request.agreement
    client.force_login(personas.approver2)
    urls = [request_url(action, agreement) for action in MOVES] + [
        decision_url(name, stage_request) for name in ("approve", "reject", "withdraw")
    ]
    for url in urls:
        assert client.get(url).status_code == 405, url


def test_the_direct_moves_are_gone(personas):
    for name in ("reopen", "suspend", "resume", "terminate"):
        assert not hasattr(services, name), name
    from django.urls import NoReverseMatch

    for name in ("reopen", "suspend", "resume", "terminate"):
        with pytest.raises(NoReverseMatch):
            reverse(f"agreements:{name}", args=[1])


@pytest.mark.parametrize("to_stage", ["legal", "signing", "active", "nonsense"])
def test_reopen_only_at_an_earlier_stage(client, personas, to_stage):
    agreement = agreement_at("legal", home_city=personas.tehran)
    client.force_login(personas.officer)
    before = db_state()
    response = client.post(
        request_url("reopen", agreement), {"reopen-to_stage": to_stage, "reopen-note": "Again"}
    )
    assert response.status_code == 400
    assert db_state() == before


def test_reopen_needs_a_stage(client, personas):
    agreement = agreement_at("legal", home_city=personas.tehran)
    client.force_login(personas.officer)
    before = db_state()
    response = client.post(request_url("reopen", agreement), {"reopen-note": "Again"})
    assert response.status_code == 400
    assert db_state() == before


def test_the_requester_withdraws_any_request(client, personas):
    stage_request = _ask(client, personas, "terminate", who="officer")
    client.force_login(personas.approver)
    assert client.post(decision_url("withdraw", stage_request)).status_code == 403
    client.force_login(personas.officer)
    assert client.post(decision_url("withdraw", stage_request)).status_code == 302
    stage_request.refresh_from_db()
    assert stage_request.state == "withdrawn"
    assert Agreement.objects.get(pk=stage_request.agreement_id).status == Status.IN_PROGRESS


def test_one_pending_request_at_a_time(english, personas):
    stage_request = _ask(english, personas, "suspend", who="officer")
    english.force_login(personas.approver)
    before = db_state()
    response = english.post(
        request_url("terminate", stage_request.agreement), {"terminate-note": "At once"}
    )
    assert response.status_code == 409
    assert escape(str(services.ALREADY_PENDING)) in response.content.decode()
    assert db_state() == before


def test_the_approvals_queue_lists_every_kind_with_its_label(english, personas):
    requests = [_ask(english, personas, action, who="officer") for action in MOVES]
    english.force_login(personas.approver)
    html = english.get(reverse("agreements:approvals")).content.decode()
    for label in [
        "Advance to the next stage",
        "Upgrade to sister city",
        "Reopen an earlier stage",
        "Suspend the partnership",
        "Resume the partnership",
        "Terminate the partnership",
    ]:
        assert label in html, label
    for stage_request in requests:
        assert decision_url("approve", stage_request) in html
        assert decision_url("reject", stage_request) in html
    # The gate's state is shown for an advance only.
    assert html.count("gate-state") == 1


def test_pending_request_shows_its_kind_and_reason_on_the_page(english, personas):
    stage_request = _ask(english, personas, "suspend", who="officer")
    english.force_login(personas.approver)
    html = english.get(detail(stage_request.agreement)).content.decode()
    assert "Suspend the partnership" in html and "Reason to suspend" in html
    assert decision_url("approve", stage_request) in html
    assert decision_url("reject", stage_request) in html


# --- Nobody stuck without being told ---------------------------------------------------------


@pytest.fixture
def tabriz(personas):
    """A municipality with one officer and one approver, and a named administrator."""
    city = HomeCityFactory(name="Tabriz", name_fa="تبریز")
    officer = UserFactory(username="tabriz_officer")
    approver = UserFactory(username="tabriz_approver", first_name="Leila", last_name="Amini")
    grant(officer, RoleName.OFFICER, city)
    grant(approver, RoleName.APPROVER, city)
    personas.admin.first_name, personas.admin.last_name = "Sara", "Administrator"
    personas.admin.save()
    agreement = agreement_at("legal", home_city=city)
    return city, officer, approver, agreement


NOTICE = 'id="four-eyes-notice"'


def test_single_approver_is_told_a_second_approver_is_needed(english, tabriz):
    _city, _officer, approver, agreement = tabriz
    english.force_login(approver)
    response = english.get(detail(agreement))
    html = response.content.decode()
    assert NOTICE in html
    assert "A second approver is needed" in html
    assert "needs an approver of Tabriz other than you" in html
    # Who can give the role: the administrators, by name and username.
    assert "Sara Administrator" in html and '(<bdi dir="ltr">admin</bdi>)' in html


def test_request_of_the_only_approver_tells_everyone_who_sees_it(english, tabriz):
    _city, officer, approver, agreement = tabriz
    services.make_request(agreement=agreement, by=approver, action="suspend", note="Elections")
    english.force_login(officer)
    html = english.get(detail(agreement)).content.decode()
    assert NOTICE in html
    assert "This request needs an approver of Tabriz other than Leila Amini" in html
    english.force_login(approver)
    html = english.get(detail(agreement)).content.decode()
    assert NOTICE in html and "Your request needs an approver of Tabriz other than you" in html


def test_officer_of_a_single_approver_municipality_is_not_stuck(english, tabriz):
    """The one approver can decide the officer's requests: no notice."""
    _city, officer, _approver, agreement = tabriz
    english.force_login(officer)
    assert NOTICE not in english.get(detail(agreement)).content.decode()
    services.make_request(agreement=agreement, by=officer, action="suspend", note="Elections")
    assert NOTICE not in english.get(detail(agreement)).content.decode()


def test_no_approver_at_all_and_no_administrator(english, personas, tabriz):
    city, officer, approver, agreement = tabriz
    services.revoke_role(user=approver, city=city)
    services.revoke_role(user=personas.admin, role=RoleName.ADMINISTRATOR)
    english.force_login(officer)
    html = english.get(detail(agreement)).content.decode()
    assert NOTICE in html
    assert "No administrator is recorded either" in html


def test_two_approvers_no_notice(english, personas):
    agreement = agreement_at("legal", home_city=personas.tehran)
    english.force_login(personas.approver)
    assert NOTICE not in english.get(detail(agreement)).content.decode()


def test_viewer_without_a_pending_request_sees_no_notice(english, personas, tabriz):
    city, _officer, _approver, agreement = tabriz
    viewer = UserFactory(username="tabriz_viewer")
    grant(viewer, RoleName.VIEWER, city)
    english.force_login(viewer)
    assert NOTICE not in english.get(detail(agreement)).content.decode()


# --- E-mail -------------------------------------------------------------------------------------


def test_emails_say_what_is_asked_and_why(personas, django_capture_on_commit_callbacks):
    for user in (personas.officer, personas.approver, personas.approver2):
        UserProfile.objects.create(user=user, language="en")
    agreement = agreement_at("legal", home_city=personas.tehran)
    with django_capture_on_commit_callbacks(execute=True):
        stage_request = services.make_request(
            agreement=agreement, by=personas.officer, action="suspend", note="Council elections"
        )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {personas.approver.email, personas.approver2.email}
    message = by_recipient[personas.approver.email]
    assert message.subject.startswith("Suspension requested")
    assert "Asked: suspend the partnership." in message.body
    assert "Reason: Council elections" in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_stage_request(
            stage_request=stage_request, by=personas.approver, note="Wait for the results"
        )
    [answer] = mail.outbox
    assert answer.to == [personas.officer.email]
    assert answer.subject.startswith("Your request was rejected:")
    assert "Asked: suspend the partnership." in answer.body
    assert "Why it was rejected: Wait for the results" in answer.body
