"""Database constraints of the domain: refused with a clear message, nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreements.models import Activity, Agreement, Delegation, LegalApproval, Status
from tests.factories import AgreementFactory, CityFactory, HomeCityFactory

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def test_one_live_agreement_per_pair_in_the_database():
    first = AgreementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(home_city=first.home_city, partner_city=first.partner_city)
    assert Agreement.objects.count() == 1


def test_one_live_agreement_per_pair_message():
    first = AgreementFactory()
    second = Agreement(home_city=first.home_city, partner_city=first.partner_city)
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert "already have a live agreement" in _messages(exc.value)


def test_terminated_agreement_does_not_block_a_new_one():
    first = AgreementFactory()
    first.status = Status.TERMINATED
    first.save()
    second = Agreement(home_city=first.home_city, partner_city=first.partner_city)
    second.full_clean()
    second.save()
    assert Agreement.objects.count() == 2


def test_reverse_pair_is_a_different_agreement():
    a, b = HomeCityFactory(), HomeCityFactory()
    AgreementFactory(home_city=a, partner_city=b)
    reverse = Agreement(home_city=b, partner_city=a)
    reverse.full_clean()


def test_city_cannot_partner_itself():
    city = HomeCityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(home_city=city, partner_city=city)
    with pytest.raises(ValidationError) as exc:
        Agreement(home_city=city, partner_city=city).full_clean()
    assert "cannot partner itself" in _messages(exc.value)
    assert Agreement.objects.count() == 0


def test_home_city_must_be_a_home_municipality():
    not_home, partner = CityFactory(), CityFactory()
    with pytest.raises(ValidationError) as exc:
        Agreement(home_city=not_home, partner_city=partner).full_clean()
    assert "must be a home municipality" in _messages(exc.value)


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Delegation, {"direction": "outgoing", "head": "Mayor"}),
        (Activity, {"sector": "culture", "title": "Week"}),
    ],
)
def test_end_date_not_before_start_date(model, fields):
    agreement = AgreementFactory()
    record = model(
        agreement=agreement,
        start_date=datetime.date(2025, 5, 2),
        end_date=datetime.date(2025, 5, 1),
        **fields,
    )
    with pytest.raises(ValidationError) as exc:
        record.full_clean()
    assert "end date cannot be before the start date" in _messages(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()
    assert model.objects.count() == 0


def test_legal_approval_decided_not_before_requested():
    record = LegalApproval(
        agreement=AgreementFactory(),
        authority="home_council",
        requested_on=datetime.date(2025, 5, 2),
        decided_on=datetime.date(2025, 5, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_agreement_expiry_not_before_signing():
    agreement = AgreementFactory.build(
        home_city=HomeCityFactory(),
        partner_city=CityFactory(),
        signed_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError):
        agreement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement.save()


def test_city_name_unique_per_country_ignoring_case():
    CityFactory(name="Florence", country="IT")
    with pytest.raises(ValidationError) as exc:
        CityFactory.build(name="florence", country="IT").full_clean()
    assert "already exists in this country" in _messages(exc.value)
    CityFactory.build(name="Florence", country="US").full_clean()


def test_signed_year_follows_signing_date():
    agreement = AgreementFactory(signed_on=datetime.date(2015, 5, 1))
    assert agreement.signed_year == 2015
