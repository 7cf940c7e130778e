"""Background work goes through django-tasks: immediate in tests, a database queue
(django-tasks-db, run by `manage.py db_worker`) in production."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from agreements import services
from agreements.tasks import queue_email, send_email
from tests.factories import AgreementFactory, ContactFactory

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


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
    services.request_advance(agreement=agreement, by=personas.officer)  # commits, then queues
    queued = DBTaskResult.objects.filter(task_path="agreements.tasks.send_email")
    assert queued.count() == 2  # the two Tehran approvers
    assert mail.outbox == []
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [personas.approver.email, personas.approver2.email]
    )
