"""The agreement page's committee and plan sections, the make-an-item page and the
dashboard's plan figures."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import ActionPlan, ActionPlanItem, CommitteeMeeting, CommitteeMember

from .helpers import item, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _create(agreement, kind):
    return reverse("agreements:record-create", args=[agreement.pk, kind])


def test_officer_adds_members_meetings_plans_and_items_on_the_page(english, personas, agreement):
    english.force_login(personas.officer)
    year = timezone.localdate().year
    posts = [
        (
            "committee-members",
            {"side": "home", "name": "Deputy mayor", "title": "Deputy", "is_chair": "on"},
        ),
        (
            "committee-meetings",
            {"date": "2025-05-01", "place": "Tehran", "decisions": "Twin schools"},
        ),
        ("action-plans", {"calendar": "gregorian", "year": str(year)}),
    ]
    for kind, data in posts:
        response = english.post(_create(agreement, kind), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    saved = ActionPlan.objects.get(agreement=agreement)
    response = english.post(
        _create(agreement, "action-plan-items"),
        {
            "plan": saved.pk,
            "sector": "culture",
            "description": "Cultural week",
            "owner_department": "economic",
            "due_date": f"{year}-01-01",
            "status": "planned",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CommitteeMember.objects.get().is_chair
    assert ActionPlanItem.objects.get().agreement == agreement
    page = english.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    for text in (
        "Joint committee: members",
        "Deputy mayor",
        "Twin schools",
        "Action plans",
        "Cultural week",
    ):
        assert text in page
    assert "Make an item from this decision" in page


def test_a_decision_becomes_an_item_from_the_page(english, personas, agreement):
    english.force_login(personas.officer)
    saved = plan(agreement, personas.officer, year=2026)
    meeting = services.save_record(
        record=CommitteeMeeting(
            agreement=agreement, date=datetime.date(2025, 5, 1), online=True, decisions="A\nB"
        ),
        by=personas.officer,
    )
    url = reverse("agreements:meeting-make-item", args=[agreement.pk, meeting.pk])
    assert english.get(f"{url}?decision=2").status_code == 200
    assert english.get(f"{url}?decision=3").status_code == 409
    response = english.post(
        url, {"plan": saved.pk, "decision": 2, "sector": "health", "owner_department": "ngo"}
    )
    assert response.status_code == 302
    made = ActionPlanItem.objects.get()
    assert (made.description, made.from_meeting, made.sector) == ("B", meeting, "health")
    page = english.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "In the action plan" in page
    english.force_login(personas.viewer)
    assert english.post(url, {"plan": saved.pk, "decision": 1}).status_code == 403
    english.force_login(personas.isfahan_officer)
    assert english.get(f"{url}?decision=1").status_code == 404


def test_the_page_and_the_dashboard_show_overdue_items_and_completion(english, personas, agreement):
    today = timezone.localdate()
    saved = plan(agreement, personas.officer, year=today.year)
    item(saved, personas.officer, status="done")
    item(saved, personas.officer, status="planned")
    if today > datetime.date(today.year, 1, 1):
        item(saved, personas.officer, status="in_progress", due=datetime.date(today.year, 1, 1))
    english.force_login(personas.officer)
    page = english.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "This year&#x27;s plan:" in page or "This year's plan:" in page
    dashboard = english.get(reverse("agreements:dashboard")).content.decode()
    assert "Action plan completion per partnership" in dashboard
    assert 'id="chart-completion"' in dashboard or "chart-completion" in dashboard
    if today > datetime.date(today.year, 1, 1):
        assert "1 item overdue" in dashboard
        assert "1 action plan item overdue" in page
    listed = english.get(reverse("agreements:list") + "?flag=plan_overdue")
    assert listed.status_code == 200
