"""E-mails with a way back in: absolute links, the right recipients, a rejection with
its reason, the daily reminder digest per person and its schedule on the task queue."""

from __future__ import annotations

import datetime
import io
import logging
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import resolve
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agreements import notifications, reminders, services, tasks
from agreements.models import Reminder, RoleName, UserProfile
from tests.factories import AgreementFactory, ContactFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

SITE = "https://sc.example.org/partners"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LONG_AGO = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def site_url_and_english(settings):
    settings.SITE_URL = SITE
    settings.LANGUAGE_CODE = "en"  # for readers without a language of their own


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def resolved(link: str):
    """The view a link of the e-mail opens (its path without the site's prefix)."""
    assert link.startswith(SITE + "/"), link
    return resolve(urlsplit(link).path.removeprefix(urlsplit(SITE).path))


def to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def _requested(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    request = services.request_advance(agreement=agreement, by=personas.officer, note="All met")
    return agreement, request


def test_a_request_reaches_the_approvers_with_a_link_to_it_in_the_queue(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement, request = _requested(personas)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [personas.approver.email, personas.approver2.email]
    )
    assert not to(personas.officer)  # not the requester
    (sent,) = to(personas.approver)
    queue, page = links(sent.body)
    assert queue == f"{SITE}/approvals/#request-{request.pk}"
    assert resolved(queue).view_name == "agreements:approvals"
    match = resolved(page)
    assert (match.view_name, match.kwargs) == ("agreements:detail", {"pk": agreement.pk})
    assert "Reason: All met" in sent.body


def test_an_approval_reaches_the_requester_with_the_note_and_a_link(
    personas, django_capture_on_commit_callbacks
):
    agreement, request = _requested(personas)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_stage_request(stage_request=request, by=personas.approver, note="Fine")
    (sent,) = mail.outbox
    assert sent.to == [personas.officer.email]
    assert sent.subject.startswith("Your request was approved:")
    assert "Reason: Fine" in sent.body
    (link,) = links(sent.body)
    assert link.endswith("#requests")
    match = resolved(link.split("#")[0])
    assert (match.view_name, match.kwargs) == ("agreements:detail", {"pk": agreement.pk})


def test_a_rejection_says_it_was_rejected_and_why_in_the_requesters_language(
    personas, django_capture_on_commit_callbacks
):
    agreement, request = _requested(personas)
    UserProfile.objects.create(user=personas.officer, language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_stage_request(
            stage_request=request, by=personas.approver, note="The council minutes are missing"
        )
    (sent,) = mail.outbox
    assert sent.to == [personas.officer.email]
    assert sent.subject.startswith("Your request was rejected:")
    assert "rejected your request" in sent.body
    assert "Why it was rejected: The council minutes are missing" in sent.body
    (link,) = links(sent.body)
    assert resolved(link.split("#")[0]).kwargs == {"pk": agreement.pk}


def test_a_rejection_in_persian(personas, django_capture_on_commit_callbacks):
    _agreement, request = _requested(personas)
    UserProfile.objects.create(user=personas.officer, language="fa")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_stage_request(stage_request=request, by=personas.approver, note="ناقص")
    (sent,) = mail.outbox
    assert "رد شد" in sent.subject
    assert "ناقص" in sent.body and "Rejected" not in sent.body


# --- Who is reminded ------------------------------------------------------------------


def stalled(city, **fields):
    return AgreementFactory(home_city=city, stage_changed_at=LONG_AGO, **fields)


def test_the_responsible_officer_alone_is_reminded(personas):
    second = UserFactory(username="second_officer")
    grant(second, RoleName.OFFICER, personas.tehran)
    agreement = stalled(personas.tehran, responsible_officer=second)
    assert notifications.reminder_recipients(agreement) == [second]


@pytest.mark.parametrize("why", ["none", "inactive", "no address", "left the municipality"])
def test_without_a_reachable_responsible_officer_the_municipalitys_officers(personas, why):
    responsible = UserFactory(username="responsible")
    grant(responsible, RoleName.OFFICER, personas.tehran)
    if why == "inactive":
        responsible.is_active = False
    elif why == "no address":
        responsible.email = ""
    elif why == "left the municipality":
        responsible.roles.all().delete()
    responsible.save()
    agreement = stalled(personas.tehran, responsible_officer=None if why == "none" else responsible)
    expected = [personas.officer] if why != "none" else [personas.officer, responsible]
    assert sorted(u.pk for u in notifications.reminder_recipients(agreement)) == sorted(
        u.pk for u in expected
    )


def test_without_officers_the_approvers_and_never_nobody(personas, caplog):
    city_without_officers = personas.isfahan
    personas.isfahan_officer.roles.all().delete()
    agreement = stalled(city_without_officers)
    assert notifications.reminder_recipients(agreement) == [personas.isfahan_approver]

    personas.isfahan_approver.email = ""
    personas.isfahan_approver.save()
    with caplog.at_level(logging.WARNING, logger="sistercities.mail"):
        assert notifications.reminder_recipients(agreement) == []
    assert f"reminder for agreement {agreement.pk} has no recipient" in caplog.text


# --- The digest -----------------------------------------------------------------------


def _send() -> str:
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_one_digest_per_person_with_every_agreement_and_its_link(personas):
    today = timezone.localdate()
    mine = [
        stalled(personas.tehran, responsible_officer=personas.officer),
        stalled(personas.tehran, responsible_officer=personas.officer),
        AgreementFactory(
            home_city=personas.tehran,
            responsible_officer=personas.officer,
            expires_on=today + datetime.timedelta(days=10),
        ),
    ]
    other = UserFactory(username="other_officer")
    grant(other, RoleName.OFFICER, personas.tehran)
    theirs = stalled(personas.tehran, responsible_officer=other)
    isfahan = stalled(personas.isfahan)  # no responsible officer: Isfahan's officer

    out = _send()
    assert "5 reminder(s) sent in 3 e-mail(s)" in out
    (digest,) = to(personas.officer)
    assert digest.subject == "3 agreements need your attention"
    pages = [resolved(link) for link in links(digest.body)]
    agreement_pages = [m.kwargs["pk"] for m in pages if m.view_name == "agreements:detail"]
    assert sorted(agreement_pages) == sorted(a.pk for a in mine)
    assert "ends soon" in digest.body and "stayed in one stage" in digest.body
    ((theirs_mail,),) = [to(other)]
    assert f"/agreements/{theirs.pk}/" in theirs_mail.body
    assert theirs_mail.subject.startswith("Stalled agreement:")
    (isfahan_mail,) = to(personas.isfahan_officer)
    assert f"/agreements/{isfahan.pk}/" in isfahan_mail.body
    assert not to(personas.approver)  # approvers are the last resort only
    assert Reminder.objects.get(agreement=theirs).recipients == other.email


def test_the_digest_is_idempotent_per_day(personas):
    stalled(personas.tehran, responsible_officer=personas.officer)
    stalled(personas.tehran, responsible_officer=personas.officer)
    _send()
    assert len(to(personas.officer)) == 1
    out = _send()
    assert "0 reminder(s) sent in 0 e-mail(s), 2 already sent today" in out
    assert len(to(personas.officer)) == 1
    assert Reminder.objects.count() == 2


def test_the_digest_is_in_the_readers_language(personas):
    UserProfile.objects.create(user=personas.officer, language="fa")
    stalled(personas.tehran, responsible_officer=personas.officer)
    stalled(personas.tehran, responsible_officer=personas.officer)
    _send()
    (digest,) = to(personas.officer)
    assert "۲" in digest.subject and "2" not in digest.subject
    assert "تهران" in digest.body


def test_a_failed_send_rolls_the_days_rows_back(personas, monkeypatch):
    stalled(personas.tehran, responsible_officer=personas.officer)

    def broken(emails):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(tasks, "queue_emails", broken)
    with pytest.raises(ConnectionError):
        _send()
    assert not Reminder.objects.exists()  # tried again by the next run
    monkeypatch.undo()
    _send()
    assert len(to(personas.officer)) == 1


# --- The schedule ---------------------------------------------------------------------

TEHRAN = ZoneInfo("Asia/Tehran")


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (datetime.datetime(2024, 5, 4, 6, 59, tzinfo=TEHRAN), datetime.datetime(2024, 5, 4, 7)),
        (datetime.datetime(2024, 5, 4, 7, 0, tzinfo=TEHRAN), datetime.datetime(2024, 5, 5, 7)),
        (datetime.datetime(2024, 5, 4, 23, 0, tzinfo=TEHRAN), datetime.datetime(2024, 5, 5, 7)),
    ],
)
def test_the_next_run_is_the_next_seven_oclock(settings, now, due):
    settings.TIME_ZONE = "Asia/Tehran"
    with timezone.override(TEHRAN):
        assert reminders.next_reminders_run(now) == due.replace(tzinfo=TEHRAN)


def test_scheduling_twice_queues_one_run(settings):
    settings.TASKS = DATABASE_QUEUE
    now = datetime.datetime(2024, 5, 4, 12, 0, tzinfo=datetime.UTC)
    assert reminders.schedule_reminders(now) == reminders.next_reminders_run(now)
    assert reminders.schedule_reminders(now) is None
    out = io.StringIO()
    call_command("schedule_reminders", stdout=out)
    assert "queued already" in out.getvalue()
    (row,) = DBTaskResult.objects.all()
    assert row.task_path == "agreements.reminders.send_daily_reminders"
    assert row.status == "READY" and row.run_after == reminders.next_reminders_run(now)


def test_a_running_run_does_not_stop_its_successor_being_queued(settings):
    settings.TASKS = DATABASE_QUEUE
    reminders.schedule_reminders()
    DBTaskResult.objects.update(status="RUNNING")  # a worker has started it
    assert reminders.schedule_reminders() is not None
    assert reminders.waiting_reminder_runs().count() == 1


def test_without_the_database_queue_nothing_is_scheduled():
    out = io.StringIO()
    call_command("schedule_reminders", stdout=out)
    assert "send_reminders" in out.getvalue()
    assert not DBTaskResult.objects.exists()


# The worker closes and reopens database connections: a real transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_reminders_and_queues_the_next_day(personas, settings):
    settings.TASKS = DATABASE_QUEUE
    agreement = stalled(personas.tehran, responsible_officer=personas.officer)
    call_command("schedule_reminders", stdout=io.StringIO())
    DBTaskResult.objects.update(run_after=timezone.now() - datetime.timedelta(minutes=1))
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    done = DBTaskResult.objects.get(
        task_path="agreements.reminders.send_daily_reminders", status="SUCCESSFUL"
    )
    assert done.return_value == "1 reminder(s) in 1 e-mail(s)"
    assert Reminder.objects.filter(agreement=agreement, sent_on=timezone.localdate()).exists()
    (digest,) = to(personas.officer)
    assert f"/agreements/{agreement.pk}/" in digest.body
    # The chain goes on: exactly one run waits, tomorrow (or today) at seven.
    (waiting,) = reminders.waiting_reminder_runs()
    assert waiting.run_after == reminders.next_reminders_run(done.started_at)
    assert waiting.run_after > timezone.now()
    # Starting the server again adds nothing.
    call_command("schedule_reminders", stdout=io.StringIO())
    assert reminders.waiting_reminder_runs().count() == 1
