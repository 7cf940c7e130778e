"""seed_demo loads the paper's data and is idempotent."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from agreements.models import Agreement, Memorandum, Role, Stage
from cities.models import City

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, str]:
    data = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "contenttypes", "admin"}:
            continue
        rows = model._default_manager.order_by("pk")
        data[model._meta.label] = serializers.serialize("json", rows)
    return data


def test_seed_demo_loads_the_paper_and_is_idempotent():
    call_command("seed_demo", "--password", "pw", stdout=io.StringIO())
    first = _snapshot()
    call_command("seed_demo", "--password", "pw", stdout=io.StringIO())
    assert _snapshot() == first

    assert City.objects.homes().count() == 7
    assert City.objects.get(name="Isfahan").name_fa == "اصفهان"
    # Every pair of the paper's table is there.
    with open("cities/fixtures/sister_cities.csv", encoding="utf-8") as f:
        pairs = len(f.readlines()) - 1
    paper = Agreement.objects.exclude(
        home_city__name="Tehran",
        partner_city__country__in=["KZ", "MY", "GE", "RU", "TJ", "CN", "CU"],
    )
    assert paper.count() == pairs
    # Tehran has an example in every stage; its active ones have memoranda with signatories.
    tehran_stages = set(
        Agreement.objects.filter(home_city__name="Tehran").values_list("stage", flat=True)
    )
    assert tehran_stages == set(Stage.values)
    for memorandum in Memorandum.objects.filter(
        agreement__home_city__name="Tehran", agreement__stage=Stage.ACTIVE
    ):
        assert memorandum.home_signatory_name and memorandum.partner_signatory_name
        assert memorandum.articles.count() == 7
    assert Role.objects.filter(
        user__username="isfahan_approver", city__name="Isfahan", role="approver"
    ).exists()


def test_the_demo_data_keeps_the_date_rules():
    """No demo contact, decision, signing or held delegation is after today: every
    demo record passes the models' own clean()."""
    from agreements.models import (
        Contact,
        Delegation,
        DepartmentSupport,
        LegalApproval,
    )

    call_command("seed_demo", "--password", "pw", stdout=io.StringIO())
    models = [Agreement, Contact, DepartmentSupport, LegalApproval, Memorandum, Delegation]
    checked = 0
    for model in models:
        for record in model.objects.all():
            record.clean()
            checked += 1
    assert checked > 50


def test_the_demo_memoranda_are_dated_as_the_paper_and_have_officials():
    """Budapest: Ordibehesht 1394 (April/May 2015); Bishkek: 1373 SH, the agreement's
    1994. Every signed memorandum's date is its agreement's; every frozen one has
    officials present on both sides."""
    import datetime

    call_command("seed_demo", "--password", "pw", stdout=io.StringIO())
    budapest = Memorandum.objects.get(agreement__partner_city__name="Budapest")
    assert datetime.date(2015, 4, 21) <= budapest.signed_on <= datetime.date(2015, 5, 21)
    bishkek = Memorandum.objects.get(agreement__partner_city__name="Bishkek")
    assert bishkek.signed_on.year == 1994
    for memorandum in Memorandum.objects.filter(signed_on__isnull=False):
        agreement = memorandum.agreement
        assert agreement.signed_year == memorandum.signed_on.year, agreement
        if agreement.signed_on is not None:
            assert agreement.signed_on == memorandum.signed_on, agreement
        # The contacts and decisions before it lead up to the signing.
        assert agreement.contacts.earliest("date").date < memorandum.signed_on
    for memorandum in Memorandum.objects.filter(frozen_at__isnull=False):
        sides = set(memorandum.officials.values_list("side", flat=True))
        assert sides == {"home", "partner"}, memorandum.agreement
    assert Memorandum.objects.filter(frozen_at__isnull=False).count() >= 4


def test_some_demo_memoranda_are_signed_in_the_partner_language_too():
    """Budapest in Hungarian, Bishkek in Russian, Beijing in Chinese, Havana in Spanish:
    their articles' partner texts come from the catalogues, and the frozen PDF holds them."""
    from django.utils import translation
    from django.utils.translation import pgettext

    from agreements.pdf.memorandum import memorandum_content

    call_command("seed_demo", "--password", "pw", stdout=io.StringIO())
    languages = dict(
        Memorandum.objects.exclude(partner_language="").values_list(
            "agreement__partner_city__name", "partner_language"
        )
    )
    assert languages == {"Budapest": "hu", "Bishkek": "ru", "Beijing": "zh-hans", "Havana": "es"}
    bishkek = Memorandum.objects.get(agreement__partner_city__name="Bishkek")
    subject = bishkek.articles.get(key="subject")
    with translation.override("ru"):
        assert subject.heading_partner == pgettext("memorandum article", "Subject")
    assert "Бишкек" in subject.body_partner and "Тегеран" in subject.body_partner
    assert "Бишкек" in memorandum_content(bishkek)["wording"]["ru"]["title"]
