"""Completion, overdue items, dormancy and reminders computed on fixed data."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from agreements.models import Agreement, Reminder
from agreements.reminders import flagged, send_reminders
from agreements.selectors.plans import (
    completion_by_partnership,
    plan_completion,
    plan_figures,
    with_plan_follow_up,
)
from tests.factories import AgreementFactory, DelegationFactory

from .helpers import item, plan

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 7, 1)


def _fixed_plan(agreement, by):
    """2026: 3 done, 1 in progress (overdue), 1 planned (not due), 2 dropped (one overdue)."""
    saved = plan(agreement, by, year=2026)
    for status in ("done", "done", "done"):
        item(saved, by, status=status, due=datetime.date(2026, 3, 1))
    item(saved, by, status="in_progress", due=datetime.date(2026, 6, 30))
    item(saved, by, status="planned", due=datetime.date(2026, 7, 1))
    item(saved, by, status="dropped", due=datetime.date(2026, 2, 1))
    item(saved, by, status="dropped", due=datetime.date(2026, 11, 1))
    return saved


def test_completion_leaves_dropped_items_out(personas, agreement):
    saved = _fixed_plan(agreement, personas.officer)
    figures = plan_figures(saved, TODAY)
    assert (figures.total, figures.done, figures.dropped, figures.counted) == (7, 3, 2, 5)
    assert figures.completion == 60  # 3 of 5
    assert figures.overdue == 1  # the item in progress due 30 June; dropped ones are not owed
    assert plan_completion(agreement, 2026, "gregorian") == 60
    # The Jalali year 1405 starts on 21 March 2026, inside the Gregorian plan: that plan.
    assert plan_completion(agreement, 1405, "jalali") == 60


def test_an_empty_plan_and_no_plan_have_no_completion(personas, agreement):
    empty = plan(agreement, personas.officer, year=2026)
    assert plan_figures(empty).completion is None
    assert plan_completion(agreement, 2026, "gregorian") is None
    assert plan_completion(agreement, 2030, "gregorian") is None
    only_dropped = plan(agreement, personas.officer, year=2027)
    item(only_dropped, personas.officer, status="dropped")
    assert plan_figures(only_dropped).completion is None


def test_the_list_annotation_agrees_with_the_figures(personas, agreement):
    _fixed_plan(agreement, personas.officer)
    bare = AgreementFactory(home_city=personas.tehran)
    rows = {a.pk: a for a in with_plan_follow_up(Agreement.objects.all(), TODAY)}
    assert (rows[agreement.pk].plan_items_done, rows[agreement.pk].plan_items_counted) == (3, 5)
    assert rows[agreement.pk].overdue_items == 1
    assert (rows[bare.pk].plan_items_counted, rows[bare.pk].overdue_items) == (0, 0)
    assert completion_by_partnership(Agreement.objects.all(), TODAY) == [(agreement, 60)]


def test_a_stalled_plan_makes_a_partnership_dormant(personas, agreement):
    by = personas.officer
    # A recent delegation: not dormant by the exchanges rule.
    DelegationFactory(agreement=agreement, start_date=datetime.date(2026, 6, 1), end_date=None)
    assert not Agreement.objects.dormant(TODAY).filter(pk=agreement.pk).exists()
    saved = plan(agreement, by, year=2026)
    late = item(saved, by, status="planned", due=datetime.date(2026, 5, 1))
    item(saved, by, status="dropped", due=datetime.date(2026, 4, 1))
    # Items, none done, one overdue: stalled, so dormant.
    assert Agreement.objects.dormant(TODAY).filter(pk=agreement.pk).exists()
    # One done: no longer 0 %.
    late.status = "done"
    from agreements import services

    services.save_record(record=late, by=by)
    assert not Agreement.objects.dormant(TODAY).filter(pk=agreement.pk).exists()


def test_a_plan_with_nothing_overdue_is_not_stalled(personas, agreement):
    DelegationFactory(agreement=agreement, start_date=datetime.date(2026, 6, 1), end_date=None)
    saved = plan(agreement, personas.officer, year=2026)
    item(saved, personas.officer, status="planned", due=datetime.date(2026, 12, 1))
    assert not Agreement.objects.dormant(TODAY).filter(pk=agreement.pk).exists()


def test_overdue_items_are_a_reminder_reason(personas, agreement, settings):
    settings.LANGUAGE_CODE = "en"
    _fixed_plan(agreement, personas.officer)
    on_time = AgreementFactory(home_city=personas.tehran, status="active", stage="active")
    item(
        plan(on_time, personas.officer, year=2026), personas.officer, due=datetime.date(2026, 12, 1)
    )
    assert list(flagged(TODAY)["plan_overdue"].values_list("pk", flat=True)) == [agreement.pk]
    outcome = send_reminders(today=TODAY)
    assert Reminder.objects.filter(agreement=agreement, reason="plan_overdue").count() == 1
    assert not Reminder.objects.filter(agreement=on_time, reason="plan_overdue").exists()
    assert outcome.sent >= 1
    again = send_reminders(today=TODAY)
    assert Reminder.objects.filter(reason="plan_overdue").count() == 1
    assert again.skipped >= 1
    del mail.outbox[:]
