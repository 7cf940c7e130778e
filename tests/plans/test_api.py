"""The committee and plan endpoints: the permissions ladder, history, the calendar
of a plan's year, items under /api/v1/action-plans/{id}/items/, a decision made an item,
and the agreement's plan_completion with a fixed number of queries on the list."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from agreements.models import ActionPlan, ActionPlanItem, CommitteeMeeting, CommitteeMember
from tests.factories import ActivityFactory, AgreementFactory, DocumentFactory
from tests.querycount import assert_same_query_count, captured

from .helpers import item, plan

pytestmark = pytest.mark.django_db

KINDS = {
    "committee-members": (
        CommitteeMember,
        {"side": "partner", "name": "Mayor of Karbala", "title": "Mayor", "is_chair": True},
        {"title": "Mayor of the city"},
    ),
    "committee-meetings": (
        CommitteeMeeting,
        {"date": "2025-05-01", "place": "Karbala", "agenda": "Pilgrim services", "decisions": "A"},
        {"online": True, "place": ""},
    ),
    "action-plans": (
        ActionPlan,
        {"calendar": "jalali", "year": 1405, "notes": "First plan"},
        {"notes": "Revised"},
    ),
}


def url(agreement, kind, pk=None):
    base = f"/api/v1/agreements/{agreement.pk}/{kind}/"
    return f"{base}{pk}/" if pk else base


@pytest.mark.parametrize("kind", KINDS)
def test_the_ladder_and_history(personas, agreement, client_for, kind):
    model, payload, change = KINDS[kind]
    officer = client_for(personas.officer)
    created = officer.post(url(agreement, kind), payload, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    viewer = client_for(personas.viewer)
    assert viewer.get(url(agreement, kind)).json()["count"] == 1
    assert viewer.post(url(agreement, kind), payload, format="json").status_code == 403
    assert viewer.patch(url(agreement, kind, pk), change, format="json").status_code == 403
    assert viewer.delete(url(agreement, kind, pk)).status_code == 403
    other = client_for(personas.isfahan_officer)
    assert other.get(url(agreement, kind)).status_code == 404
    assert other.patch(url(agreement, kind, pk), change, format="json").status_code == 404
    assert client_for(personas.outsider).get(url(agreement, kind)).status_code in (403, 404)
    updated = officer.patch(url(agreement, kind, pk), change, format="json")
    assert updated.status_code == 200, updated.json()
    assert model.history.filter(id=pk).count() == 2
    assert officer.delete(url(agreement, kind, pk)).status_code == 204
    assert not model.objects.filter(pk=pk).exists()
    assert model.history.filter(id=pk).count() == 3


def test_a_plans_year_in_either_calendar(personas, agreement, client_for):
    api = client_for(personas.officer)
    jalali = api.post(
        url(agreement, "action-plans"), {"calendar": "jalali", "year": 1405}, format="json"
    )
    assert jalali.json()["starts_on"] == "2026-03-21"
    assert jalali.json()["ends_on"] == "2027-03-20"
    assert jalali.json()["plan_completion"] is None
    overlapping = api.post(
        url(agreement, "action-plans"), {"calendar": "gregorian", "year": 2026}, format="json"
    )
    assert overlapping.status_code == 400
    gregorian = api.post(
        url(agreement, "action-plans"), {"calendar": "gregorian", "year": 2028}, format="json"
    )
    assert (gregorian.json()["starts_on"], gregorian.json()["ends_on"]) == (
        "2028-01-01",
        "2028-12-31",
    )
    wrong = api.post(
        url(agreement, "action-plans"), {"calendar": "lunar", "year": 1447}, format="json"
    )
    assert wrong.status_code == 400
    # The dates are derived: sending them changes nothing.
    sent = api.patch(
        url(agreement, "action-plans", gregorian.json()["id"]),
        {"starts_on": "2020-01-01"},
        format="json",
    )
    assert sent.json()["starts_on"] == "2028-01-01"


def test_items_of_a_plan(personas, agreement, client_for):
    saved = plan(agreement, personas.officer, year=2026)
    items = f"/api/v1/action-plans/{saved.pk}/items/"
    activity = ActivityFactory(agreement=agreement)
    foreign = DocumentFactory(agreement=AgreementFactory(home_city=personas.tehran))
    api = client_for(personas.officer)
    payload = {
        "sector": "culture",
        "description": "Week of Karbala in Tehran",
        "owner_department": "economic",
        "partner_counterpart": "Karbala culture office",
        "due_date": "2026-09-01",
        "status": "done",
        "evidence_activity": activity.pk,
    }
    created = api.post(items, payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["plan"] == saved.pk
    assert api.post(items, {**payload, "due_date": "2027-02-01"}, format="json").status_code == 400
    refused = api.post(
        items,
        {**payload, "evidence_activity": None, "evidence_document": foreign.pk},
        format="json",
    )
    assert refused.status_code == 400
    assert api.post(items, {**payload, "status": "finished"}, format="json").status_code == 400
    assert client_for(personas.viewer).get(items).json()["count"] == 1
    assert client_for(personas.viewer).post(items, payload, format="json").status_code == 403
    assert client_for(personas.isfahan_officer).get(items).status_code == 404
    assert (
        client_for(personas.isfahan_officer).get("/api/v1/action-plans/999999/items/").status_code
        == 404
    )
    pk = created.json()["id"]
    assert api.patch(f"{items}{pk}/", {"status": "dropped"}, format="json").status_code == 200
    assert ActionPlanItem.history.filter(id=pk).count() == 2
    assert api.get(url(agreement, "action-plans", saved.pk)).json()["plan_completion"] is None


def test_a_decision_made_an_item(personas, agreement, client_for):
    saved = plan(agreement, personas.officer, year=2026)
    api = client_for(personas.officer)
    meeting = api.post(
        url(agreement, "committee-meetings"),
        {
            "date": "2025-05-01",
            "online": True,
            "decisions": "Open a tourism office\n\nTwin schools",
        },
        format="json",
    ).json()
    make = url(agreement, "committee-meetings", meeting["id"]) + "make-item/"
    made = api.post(make, {"plan": saved.pk, "decision": 2, "sector": "education"}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["description"] == "Twin schools"
    assert made.json()["from_meeting"] == meeting["id"]
    assert made.json()["due_date"] == "2026-12-31"
    assert api.post(make, {"plan": saved.pk, "decision": 2}, format="json").status_code == 400
    assert api.post(make, {"plan": saved.pk, "decision": 3}, format="json").status_code == 400
    other_plan = plan(AgreementFactory(home_city=personas.tehran), personas.officer)
    assert api.post(make, {"plan": other_plan.pk, "decision": 1}, format="json").status_code == 400
    assert (
        client_for(personas.viewer)
        .post(make, {"plan": saved.pk, "decision": 1}, format="json")
        .status_code
        == 403
    )
    assert ActionPlanItem.objects.count() == 1


def test_the_agreement_shows_completion_and_overdue_items(personas, agreement, client_for):
    today = timezone.localdate()
    saved = plan(agreement, personas.officer, year=today.year)
    start = datetime.date(today.year, 1, 1)
    item(saved, personas.officer, status="done", due=start)
    item(saved, personas.officer, status="dropped", due=start)
    if today > start:
        item(saved, personas.officer, status="planned", due=start)
        expected = (50, 1)
    else:
        item(saved, personas.officer, status="planned")
        expected = (50, 0)
    api = client_for(personas.viewer)
    detail = api.get(f"/api/v1/agreements/{agreement.pk}/").json()
    assert (detail["plan_completion"], detail["overdue_items"]) == expected
    row = [a for a in api.get("/api/v1/agreements/").json()["results"] if a["id"] == agreement.pk][
        0
    ]
    assert (row["plan_completion"], row["overdue_items"]) == expected


def test_the_agreement_list_costs_the_same_queries_with_more_plans(personas, client_for):
    api = client_for(personas.viewer)
    year = timezone.localdate().year

    def grow(n):
        for _ in range(n):
            a = AgreementFactory(home_city=personas.tehran)
            p = plan(a, personas.officer, year=year)
            item(p, personas.officer, status="done")

    grow(1)
    small = captured(lambda: api.get("/api/v1/agreements/"))
    grow(5)
    large = captured(lambda: api.get("/api/v1/agreements/"))
    assert_same_query_count(small, large)
