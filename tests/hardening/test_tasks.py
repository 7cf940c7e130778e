"""Background work goes through django-tasks: immediate in tests, a database queue
(django-tasks-db, run by `manage.py db_worker`) in production."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from agreements import services
from agreements.models import RequestState, StageRequest, UserProfile
from agreements.tasks import queue_email, queued_with_the_transaction, send_email
from tests.factories import AgreementFactory, ContactFactory

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DECIDED = "agreements.tasks.notify_request_decided"


def test_tests_run_tasks_at_once():
    queue_email(subject="Hello", body="Body", to=["a@example.org"])
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert not DBTaskResult.objects.exists()


# The worker closes and reopens database connections: a real transaction, not a test one.
@pytest.mark.django_db(transaction=True)
def test_production_queues_mail_in_the_database_and_a_worker_sends_it(settings):
    settings.TASKS = DATABASE_QUEUE
    result = send_email.enqueue(subject="Queued", body="Body", to=["a@example.org"])
    # Nothing sent by the request; a row any worker process can pick up.
    assert mail.outbox == []
    row = DBTaskResult.objects.get()
    assert str(row.id) == str(result.id)
    assert row.task_path == "agreements.tasks.send_email"
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [m.subject for m in mail.outbox] == ["Queued"]
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_workflow_notifications_go_through_the_queue(personas, settings):
    settings.TASKS = DATABASE_QUEUE
    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    # The request queued one small task (ids only) and composed nothing itself.
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "agreements.tasks.notify_request_made"
    assert queued.args_kwargs["kwargs"] == {"stage_request_id": StageRequest.objects.get().pk}
    assert mail.outbox == []
    # The worker writes each approver's e-mail and sends it.
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [personas.approver.email, personas.approver2.email]
    )


def _persian_officers_request(personas, settings) -> StageRequest:
    """A pending request by an officer who reads Persian; from now on the database queue."""
    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    personas.officer.email = "officer@example.org"
    personas.officer.save()
    UserProfile.objects.create(user=personas.officer, language="fa")
    settings.TASKS = DATABASE_QUEUE
    mail.outbox.clear()
    return request


@pytest.mark.django_db(transaction=True)
def test_a_decision_is_queued_with_its_commit(personas, settings):
    """A transactional outbox: the task row is written in the transition's transaction,
    so a committed approval always has its e-mail queued, in the requester's language."""
    request = _persian_officers_request(personas, settings)
    with transaction.atomic():
        services.approve_stage_request(stage_request=request, by=personas.approver)
        # Written inside the transaction, with the transition: no second commit for it.
        assert DBTaskResult.objects.filter(task_path=DECIDED).count() == 1
    queued = DBTaskResult.objects.get(task_path=DECIDED)
    assert queued.args_kwargs["kwargs"] == {"stage_request_id": request.pk}
    assert mail.outbox == []
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]
    assert "تهران" in mail.outbox[0].subject  # written by the worker, in Persian


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_decision_queues_no_mail(personas, settings):
    request = _persian_officers_request(personas, settings)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve_stage_request(stage_request=request, by=personas.approver)
        raise RuntimeError("the surrounding work failed")
    assert not DBTaskResult.objects.exists()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert mail.outbox == []
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_only_a_queue_in_the_same_database_is_written_inside_the_transaction(settings):
    from django_tasks import task_backends

    assert not queued_with_the_transaction(task_backends["default"])  # immediate in tests
    settings.TASKS = DATABASE_QUEUE
    assert queued_with_the_transaction(task_backends["default"])
