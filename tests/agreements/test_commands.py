"""grant_role, revoke_role and send_reminders from the command line."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from agreements.models import Reminder, Role, UserProfile
from tests.factories import AgreementFactory, DelegationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_grant_and_revoke_a_municipal_role(personas):
    user = UserFactory(username="newcomer")
    _call("grant_role", "newcomer", "officer", "tehran")
    assert Role.objects.get(user=user).role == "officer"
    _call("grant_role", "newcomer", "approver", "Tehran")
    assert Role.objects.get(user=user).role == "approver"
    assert Role.history.filter(user_id=user.pk).count() == 2
    _call("revoke_role", "newcomer", "approver", "Tehran")
    assert not Role.objects.filter(user=user).exists()


def test_grant_administrator_needs_no_city(personas):
    user = UserFactory(username="chief")
    _call("grant_role", "chief", "administrator")
    user.refresh_from_db()
    assert Role.objects.filter(user=user, role="administrator", city=None).exists()
    assert user.is_staff
    with pytest.raises(CommandError):
        _call("grant_role", "chief", "administrator", "Tehran")


@pytest.mark.parametrize(
    "args",
    [
        ("nobody", "officer", "Tehran"),  # unknown user
        ("viewer", "officer", "Atlantis"),  # unknown city
        ("viewer", "officer"),  # municipal role without a city
    ],
)
def test_grant_role_refuses_bad_input_and_changes_nothing(personas, args):
    before = list(Role.objects.values_list("user_id", "city_id", "role"))
    with pytest.raises(CommandError):
        _call("grant_role", *args)
    assert list(Role.objects.values_list("user_id", "city_id", "role")) == before


def test_grant_role_refuses_a_partner_city(personas):
    AgreementFactory(home_city=personas.tehran, partner_city__name="Florence")
    with pytest.raises(CommandError):
        _call("grant_role", "viewer", "officer", "Florence")


def test_send_reminders_is_idempotent_per_day_and_in_the_recipients_language(personas):
    personas.officer.email = "officer@example.org"
    personas.officer.save()
    UserProfile.objects.create(user=personas.officer, language="fa")
    stalled = AgreementFactory(home_city=personas.tehran)
    stalled.stage_changed_at = timezone.now() - datetime.timedelta(days=400)
    stalled.save()
    lively = AgreementFactory(home_city=personas.tehran)
    DelegationFactory(agreement=lively)

    _call("send_reminders")
    assert Reminder.objects.filter(agreement=stalled, reason="stalled").count() == 1
    assert not Reminder.objects.filter(agreement=lively).exists()
    sent = [m for m in mail.outbox if "officer@example.org" in m.to]
    assert len(sent) == 1
    assert "تهران" in sent[0].subject  # Persian for a Persian reader

    out = _call("send_reminders")
    assert "0 reminder(s) sent" in out
    assert Reminder.objects.count() == 1
    assert len([m for m in mail.outbox if "officer@example.org" in m.to]) == 1
