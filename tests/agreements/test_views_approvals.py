"""The approvals queue: pending requests of one's municipalities, oldest first,
with the gate state; the requester's own requests shown but not decidable."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agreements import services, workflow
from tests.factories import ContactFactory
from tests.querycount import captured
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db

QUEUE = "/approvals/"


def _ready(personas, city=None):
    agreement = agreement_at("contact", home_city=city or personas.tehran)
    ContactFactory(agreement=agreement)
    return agreement


def test_queue_url_matches_the_navbar_link():
    assert reverse("agreements:approvals") == QUEUE


def test_anonymous_is_sent_to_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(client, personas):
    client.force_login(personas.approver)
    assert client.post(QUEUE).status_code == 405


def test_pending_requests_oldest_first_with_decision_buttons(client, personas):
    newer = _ready(personas)
    older = _ready(personas)
    first = services.request_advance(
        agreement=older, by=personas.officer, note="Ready for the next stage"
    )
    second = services.request_advance(
        agreement=newer, by=personas.officer, note="Ready for the next stage"
    )
    # Make the order unambiguous whatever the clock resolution.
    first.created_at = timezone.now() - datetime.timedelta(days=3)
    first.save()
    client.force_login(personas.approver)
    response = client.get(QUEUE)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["request"].pk for row in rows] == [first.pk, second.pk]
    assert all(row["can_decide"] for row in rows)
    html = response.content.decode()
    assert reverse("agreements:approve", args=[older.pk, first.pk]) in html
    assert reverse("agreements:reject", args=[newer.pk, second.pk]) in html
    assert f'name="next" value="{QUEUE}"' in html


def test_gate_state_is_shown(client, personas):
    agreement = _ready(personas)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    # The contact is deleted after the request: the gate is no longer met.
    agreement.contacts.get().delete()
    client.cookies["django_language"] = "en"
    client.force_login(personas.approver)
    response = client.get(QUEUE)
    row = response.context["rows"][0]
    assert row["request"].pk == stage_request.pk
    assert row["missing"] == [str(workflow.MISSING_CONTACT)]
    assert escape(str(workflow.MISSING_CONTACT)) in response.content.decode()


def test_own_request_is_shown_but_cannot_be_decided(client, personas):
    agreement = _ready(personas)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.approver, note="Ready for the next stage"
    )
    client.force_login(personas.approver)
    response = client.get(QUEUE)
    (row,) = response.context["rows"]
    assert row["own"] and not row["can_decide"]
    html = response.content.decode()
    assert reverse("agreements:approve", args=[agreement.pk, stage_request.pk]) not in html
    # Another approver may decide it.
    client.force_login(personas.approver2)
    other = client.get(QUEUE)
    assert other.context["rows"][0]["can_decide"]


def test_other_municipalities_requests_are_not_shown(client, personas):
    isfahan = _ready(personas, city=personas.isfahan)
    services.request_advance(
        agreement=isfahan, by=personas.isfahan_officer, note="Ready for the next stage"
    )
    client.force_login(personas.approver)
    response = client.get(QUEUE)
    assert response.context["rows"] == []


def test_officer_sees_the_queue_without_decision_buttons(client, personas):
    agreement = _ready(personas)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.approver, note="Ready for the next stage"
    )
    client.force_login(personas.officer)
    response = client.get(QUEUE)
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert not row["can_decide"]
    assert (
        reverse("agreements:approve", args=[agreement.pk, stage_request.pk])
        not in response.content.decode()
    )


def test_decided_requests_leave_the_queue(client, personas):
    agreement = _ready(personas)
    stage_request = services.request_advance(
        agreement=agreement, by=personas.officer, note="Ready for the next stage"
    )
    client.force_login(personas.approver)
    response = client.post(
        reverse("agreements:approve", args=[agreement.pk, stage_request.pk]), {"next": QUEUE}
    )
    assert response["Location"] == QUEUE
    assert client.get(QUEUE).context["rows"] == []


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's plans, which need no statistics"
)
def test_the_queue_reads_pending_requests_in_order_and_a_page_by_id(client, personas):
    # More requests on the page than SQLite guesses an equality on an index matches
    # (ten rows, without statistics).
    for _ in range(12):
        services.request_advance(
            agreement=_ready(personas), by=personas.officer, note="Ready for the next stage"
        )
    client.force_login(personas.admin)
    queries = captured(lambda: client.get(QUEUE))
    on_requests = [sql for sql in queries if 'FROM "agreements_stagerequest"' in sql]
    ids_sql, rows_sql = on_requests[:2]

    def plan(sql: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return " | ".join(str(row[-1]) for row in cursor.fetchall())

    # The order from the partial index (no sort); the page's rows by their ids, not
    # by reading every pending request (stage_request_queue_idx in models.py).
    assert "stage_request_queue_idx" in plan(ids_sql)
    assert "TEMP B-TREE" not in plan(ids_sql)
    assert "agreements_stagerequest USING INTEGER PRIMARY KEY" in plan(rows_sql)
