"""Action plans' years in either calendar, one plan a year, items within their plan."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from agreements import services
from agreements.models import ActionPlan, ActionPlanItem, CommitteeMeeting, year_span
from tests.factories import ActivityFactory, AgreementFactory, DocumentFactory

from .helpers import item, plan

pytestmark = pytest.mark.django_db


def test_year_spans_in_both_calendars():
    assert year_span("gregorian", 2026) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    # 1405 starts on 21 March 2026; 1403 is a leap year (30 Esfand).
    assert year_span("jalali", 1405) == (datetime.date(2026, 3, 21), datetime.date(2027, 3, 20))
    assert year_span("jalali", 1403) == (datetime.date(2024, 3, 20), datetime.date(2025, 3, 20))


def test_a_plan_stores_its_dates(personas, agreement):
    saved = plan(agreement, personas.officer, year=1405, calendar="jalali")
    assert (saved.starts_on, saved.ends_on) == (
        datetime.date(2026, 3, 21),
        datetime.date(2027, 3, 20),
    )
    saved.year = 1406
    saved = services.save_record(record=saved, by=personas.officer)
    assert saved.starts_on == datetime.date(2027, 3, 21)
    assert saved.history.count() == 2


def test_one_plan_a_year_and_no_overlap(personas, agreement):
    plan(agreement, personas.officer, year=2026)
    with pytest.raises(ValidationError):
        plan(agreement, personas.officer, year=2026)
    with pytest.raises(ValidationError) as error:
        plan(agreement, personas.officer, year=1405, calendar="jalali")  # overlaps 2026
    assert "year" in error.value.message_dict
    plan(agreement, personas.officer, year=2027)
    assert ActionPlan.objects.filter(agreement=agreement).count() == 2


def test_a_year_outside_the_calendar_is_refused(personas, agreement):
    with pytest.raises(ValidationError) as error:
        plan(agreement, personas.officer, year=1405, calendar="gregorian")
    assert "year" in error.value.message_dict
    assert not ActionPlan.objects.exists()


def test_an_items_due_date_lies_within_its_plans_year(personas, agreement):
    saved = plan(agreement, personas.officer, year=2026)
    item(saved, personas.officer, due=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        item(saved, personas.officer, due=datetime.date(2027, 1, 1))
    assert "due_date" in error.value.message_dict
    assert ActionPlanItem.objects.count() == 1


def test_evidence_and_meeting_of_another_agreement_are_refused(personas, agreement):
    other = AgreementFactory(home_city=personas.tehran)
    saved = plan(agreement, personas.officer)
    for name, linked in (
        ("evidence_activity", ActivityFactory(agreement=other)),
        ("evidence_document", DocumentFactory(agreement=other)),
    ):
        with pytest.raises(ValidationError) as error:
            item(saved, personas.officer, **{name: linked})
        assert name in error.value.message_dict
    ok = item(
        saved,
        personas.officer,
        status="done",
        evidence_activity=ActivityFactory(agreement=agreement),
    )
    assert ok.evidence is not None


def test_one_piece_of_evidence(personas, agreement):
    saved = plan(agreement, personas.officer)
    with pytest.raises(ValidationError):
        item(
            saved,
            personas.officer,
            evidence_activity=ActivityFactory(agreement=agreement),
            evidence_document=DocumentFactory(agreement=agreement),
        )


def test_an_item_stays_in_its_plan(personas, agreement):
    first = plan(agreement, personas.officer, year=2026)
    second = plan(agreement, personas.officer, year=2027)
    saved = item(first, personas.officer)
    saved.plan = second
    with pytest.raises(ValidationError):
        services.save_record(record=saved, by=personas.officer)


def test_a_meeting_has_a_place_or_is_online_and_its_minutes_are_of_its_agreement(
    personas, agreement
):
    by = personas.officer
    with pytest.raises(ValidationError) as error:
        services.save_record(
            record=CommitteeMeeting(agreement=agreement, date=datetime.date(2025, 1, 5)), by=by
        )
    assert "place" in error.value.message_dict
    services.save_record(
        record=CommitteeMeeting(agreement=agreement, date=datetime.date(2025, 1, 5), online=True),
        by=by,
    )
    other = DocumentFactory(agreement=AgreementFactory(home_city=personas.tehran))
    with pytest.raises(ValidationError) as error:
        services.save_record(
            record=CommitteeMeeting(
                agreement=agreement, date=datetime.date(2025, 1, 5), place="Tehran", minutes=other
            ),
            by=by,
        )
    assert "minutes" in error.value.message_dict


def test_a_meeting_with_decisions_is_not_in_the_future(personas, agreement):
    future = datetime.date.today() + datetime.timedelta(days=30)
    by = personas.officer
    services.save_record(
        record=CommitteeMeeting(agreement=agreement, date=future, place="Karbala"), by=by
    )
    with pytest.raises(ValidationError):
        services.save_record(
            record=CommitteeMeeting(
                agreement=agreement, date=future, place="Karbala", decisions="x"
            ),
            by=by,
        )
