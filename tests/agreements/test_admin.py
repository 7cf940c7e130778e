"""The admin: administrators only, history recorded with the acting user, no back door."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.models import Agreement, Stage
from cities.models import City
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def test_admin_is_for_administrators_only(client, personas):
    for name in ["officer", "approver", "viewer", "outsider"]:
        client.force_login(getattr(personas, name))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302, name
    client.force_login(personas.admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_change_through_admin_page_is_in_history_with_the_user(client, personas):
    client.force_login(personas.admin)
    city = personas.tehran
    url = reverse("admin:cities_city_change", args=[city.pk])
    response = client.post(
        url,
        {
            "name": "Tehran",
            "name_fa": "تهران",
            "country": "IR",
            "region": "Tehran province",
            "characteristics": "[]",
            "is_home": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content
    latest = City.history.filter(id=city.pk).latest("history_date")
    assert latest.region == "Tehran province"
    assert latest.history_user == personas.admin


def test_admin_lists_agreements_with_both_names(client, personas):
    AgreementFactory(
        home_city=personas.tehran, partner_city__name="Bishkek", partner_city__name_fa="بیشکک"
    )
    client.force_login(personas.admin)
    response = client.get(reverse("admin:agreements_agreement_changelist"))
    content = response.content.decode()
    assert "Bishkek" in content and "بیشکک" in content and "تهران" in content


def test_admin_cannot_set_the_stage(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.admin)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    response = client.post(
        url,
        {
            "home_city": personas.tehran.pk,
            "partner_city": agreement.partner_city.pk,
            "kind": "sister",
            "origin": "trade",
            "stage": Stage.ACTIVE,
            "status": "active",
            "reason": "The mayors agreed on a sister-city partnership",
        },
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.kind == "sister"  # before signing the kind is still editable
    assert agreement.stage == Stage.CONTACT
    assert agreement.status == "in_progress"


def test_admin_cannot_delete_agreements(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:agreements_agreement_delete", args=[agreement.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_admin_refuses_duplicate_pair_with_message(client, personas, settings):
    existing = AgreementFactory(home_city=personas.tehran)
    client.force_login(personas.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("admin:agreements_agreement_add"),
        {
            "home_city": personas.tehran.pk,
            "partner_city": existing.partner_city.pk,
            "kind": "friendship",
            "origin": "trade",
        },
    )
    assert response.status_code == 200
    assert "already have a live agreement" in response.content.decode()
    assert Agreement.objects.count() == 1


def test_history_cannot_be_reverted_in_admin(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    record = agreement.history.first()
    client.force_login(personas.admin)
    url = reverse(
        "admin:agreements_agreement_simple_history", args=[agreement.pk, record.history_id]
    )
    response = client.get(url)
    assert response.status_code == 403
