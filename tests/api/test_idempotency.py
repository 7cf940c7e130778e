"""`Idempotency-Key` on API POSTs (agreements/api/idempotency.py): a retry gets the
first answer again, byte for byte, and writes nothing."""

from __future__ import annotations

import datetime
import io
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements import services
from agreements.api.locations import LocationOnCreate
from agreements.models import Contact, Document, IdempotentRequest, StageRequest
from tests.api.problems import problem
from tests.factories import AgreementFactory, ContactFactory

pytestmark = pytest.mark.django_db

CONTACT = {"date": "2026-11-20", "participants": "The two mayors"}
KEY = "5c1f0b2e-7d4a-4e8b-9a51-0c6a2f3e9d10"


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


def contacts_url(agreement) -> str:
    return f"/api/v1/agreements/{agreement.pk}/contacts/"


def post(api, url, data, key=KEY, **kwargs):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return api.post(url, data, format=kwargs.pop("format", "json"), **headers, **kwargs)


def test_a_retry_gets_the_first_answer_again_and_writes_nothing(personas, agreement, client_for):
    api = client_for(personas.officer)
    first = post(api, contacts_url(agreement), CONTACT)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    history = Contact.history.count()

    again = post(api, contacts_url(agreement), CONTACT)

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Location"] == first["Location"]
    assert Contact.objects.filter(agreement=agreement).count() == 1
    assert Contact.history.count() == history
    assert IdempotentRequest.objects.get().status == 201


def test_the_quoted_key_of_the_draft_is_the_same_key(personas, agreement, client_for):
    api = client_for(personas.officer)
    first = post(api, contacts_url(agreement), CONTACT, key=f'"{KEY}"')
    again = post(api, contacts_url(agreement), CONTACT, key=KEY)
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Contact.objects.filter(agreement=agreement).count() == 1


def test_without_the_header_every_post_writes(personas, agreement, client_for):
    api = client_for(personas.officer)
    first = post(api, contacts_url(agreement), CONTACT, key=None)
    second = post(api, contacts_url(agreement), CONTACT, key=None)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Contact.objects.filter(agreement=agreement).count() == 2
    assert not IdempotentRequest.objects.exists()


def test_the_same_key_with_another_body_is_422(personas, agreement, client_for):
    api = client_for(personas.officer)
    post(api, contacts_url(agreement), CONTACT)
    response = post(api, contacts_url(agreement), {**CONTACT, "participants": "Two deputies"})
    problem(response, 422, "idempotency_key_reused")
    assert Contact.objects.filter(agreement=agreement).count() == 1


def test_the_same_key_on_another_path_or_query_is_422(personas, agreement, client_for):
    api = client_for(personas.officer)
    post(api, contacts_url(agreement), CONTACT)
    other = AgreementFactory(home_city=personas.tehran)
    problem(post(api, contacts_url(other), CONTACT), 422, "idempotency_key_reused")
    problem(post(api, contacts_url(agreement) + "?x=1", CONTACT), 422, "idempotency_key_reused")
    assert not Contact.objects.filter(agreement=other).exists()


def test_keys_are_per_user(personas, agreement, client_for):
    first = post(client_for(personas.officer), contacts_url(agreement), CONTACT)
    second = post(client_for(personas.approver), contacts_url(agreement), CONTACT)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]
    assert Contact.objects.filter(agreement=agreement).count() == 2


def test_a_key_older_than_a_day_counts_as_unused(personas, agreement, client_for):
    api = client_for(personas.officer)
    first = post(api, contacts_url(agreement), CONTACT)
    stored = IdempotentRequest.objects.get()
    stored.created_at = timezone.now() - datetime.timedelta(hours=24, seconds=1)
    stored.save(update_fields=["created_at"])

    again = post(api, contacts_url(agreement), CONTACT)

    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
    assert Contact.objects.filter(agreement=agreement).count() == 2
    renewed = IdempotentRequest.objects.get()  # the old row replaced
    assert renewed.pk != stored.pk and not renewed.is_expired


def test_a_400_is_replayed_too(personas, agreement, client_for):
    api = client_for(personas.officer)
    invalid = {"date": "not a date", "participants": "x"}
    first = post(api, contacts_url(agreement), invalid)
    problem(first, 400, "validation")

    again = post(api, contacts_url(agreement), invalid)

    problem(again, 400, "validation")
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    # A corrected body is another request: a new key for it.
    problem(post(api, contacts_url(agreement), CONTACT), 422, "idempotency_key_reused")


def test_refusals_before_the_work_are_not_stored(personas, agreement, client_for):
    """403 and 404 depend on who asks: nothing is stored, the key stays unused."""
    problem(post(client_for(personas.viewer), contacts_url(agreement), CONTACT), 403)
    problem(post(client_for(personas.isfahan_officer), contacts_url(agreement), CONTACT), 404)
    problem(post(client_for(None), contacts_url(agreement), CONTACT), 401)
    assert not IdempotentRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "schlüssel", 'a"b', "a\\b"])
def test_an_invalid_key_is_400_and_writes_nothing(personas, agreement, client_for, key):
    response = post(client_for(personas.officer), contacts_url(agreement), CONTACT, key=key)
    problem(response, 400, "idempotency_key_invalid")
    assert not Contact.objects.exists() and not IdempotentRequest.objects.exists()


def test_a_key_of_255_characters_is_accepted(personas, agreement, client_for):
    response = post(client_for(personas.officer), contacts_url(agreement), CONTACT, key="k" * 255)
    assert response.status_code == 201


def test_a_5xx_is_not_stored_and_rolls_the_work_back(personas, agreement, client_for, monkeypatch):
    """The contact is saved, then the answer fails: nothing stays, so the retry writes
    it once (without the header the contact would stay and the retry add another)."""
    api = client_for(personas.officer)

    def fail(self, data):
        raise RuntimeError("the answer fails after the work")

    with monkeypatch.context() as patch:
        patch.setattr(LocationOnCreate, "get_success_headers", fail)
        problem(post(api, contacts_url(agreement), CONTACT), 500, "server_error")
    assert not Contact.objects.exists() and not IdempotentRequest.objects.exists()

    again = post(api, contacts_url(agreement), CONTACT)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Contact.objects.filter(agreement=agreement).count() == 1


def test_a_workflow_post_is_replayed(personas, agreement, client_for):
    ContactFactory(agreement=agreement)  # the contact stage's gate is met
    api = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/advance/"
    first = post(api, url, {"note": "The mayors met"})
    assert first.status_code == 201, first.content
    again = post(api, url, {"note": "The mayors met"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content and again["Location"] == first["Location"]
    assert StageRequest.objects.filter(agreement=agreement).count() == 1


def test_a_conflict_is_replayed_in_the_language_it_was_given(personas, agreement, client_for):
    api = client_for(personas.officer)
    api.cookies["django_language"] = "fa"
    url = f"/api/v1/agreements/{agreement.pk}/advance/"
    first = post(api, url, {"note": "Too early"})  # no contact yet: the gate is unmet
    problem(first, 409, "gate_unmet")
    api.cookies["django_language"] = "en"
    again = post(api, url, {"note": "Too early"})
    problem(again, 409, "gate_unmet")
    assert again.content == first.content
    assert again["Content-Language"] == first["Content-Language"] == "fa"


def test_an_upload_retry_is_replayed(personas, agreement, client_for):
    """The test client sends the same multipart boundary each time, real clients a new
    one: the fingerprint reads the fields and the file's bytes, not the raw body."""
    api = client_for(personas.officer)
    url = f"/api/v1/agreements/{agreement.pk}/documents/"

    def upload(content=b"%PDF-1.4 a letter"):
        file = SimpleUploadedFile("letter.pdf", content, content_type="application/pdf")
        return {"kind": "letter", "title": "Invitation", "file": file}

    first = post(api, url, upload(), format="multipart")
    assert first.status_code == 201, first.content
    again = post(api, url, upload(), format="multipart")
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    other = post(api, url, upload(b"%PDF-1.4 another letter"), format="multipart")
    problem(other, 422, "idempotency_key_reused")
    assert Document.objects.filter(agreement=agreement).count() == 1


def test_purge_deletes_only_expired_keys(personas, agreement, client_for):
    api = client_for(personas.officer)
    post(api, contacts_url(agreement), CONTACT, key="old")
    post(api, contacts_url(agreement), CONTACT, key="new")
    old = IdempotentRequest.objects.get(key="old")
    old.created_at = timezone.now() - datetime.timedelta(hours=25)
    old.save(update_fields=["created_at"])
    call_command("purge_idempotency_keys", stdout=io.StringIO())
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


# --- Two retries at the same moment ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_write_once(personas, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Two connections writing at once need PostgreSQL (SQLite has one writer); "
            "run with DATABASE_URL=postgres://..."
        )
    agreement = AgreementFactory(home_city=personas.tehran)
    _token, token = AuthToken.objects.create(user=personas.officer)
    original = services.save_record

    def slow_save_record(**kwargs):
        # The first request holds its transaction a moment: the other one's claim
        # arrives while it runs and has to wait for it.
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(services, "save_record", slow_save_record)
    barrier = threading.Barrier(2)
    responses: list[object] = [None, None]

    def retry(index: int) -> None:
        try:
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait(timeout=10)
            responses[index] = post(api, contacts_url(agreement), CONTACT)
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            responses[index] = exc
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=retry, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = [getattr(r, "status_code", r) for r in responses]
    assert statuses == [201, 201], responses
    assert responses[0].content == responses[1].content
    assert sorted(r.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert Contact.objects.filter(agreement=agreement).count() == 1
    assert IdempotentRequest.objects.count() == 1
