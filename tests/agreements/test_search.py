from __future__ import annotations

import pytest

from agreements.models import Agreement
from agreements.search import search_agreements
from cities.models import City
from cities.search import normalise
from tests.factories import AgreementFactory, CityFactory


def test_normalise_maps_arabic_letters_to_persian():
    assert normalise("علي كرمان") == normalise("علی کرمان") == "علی کرمان"


def test_normalise_drops_zero_width_and_direction_marks():
    assert normalise("خواهر\u200cشهر") == "خواهرشهر"
    assert normalise("\u200fتهران\u200e") == "تهران"


def test_normalise_makes_all_digits_latin_and_folds_case():
    assert normalise("منطقه ۱۲") == normalise("منطقه ١٢") == "منطقه 12"
    assert normalise("  Saint   PETERSBURG ") == "saint petersburg"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("كرمان", "کرمان"),  # Arabic kaf stored, Persian typed
        ("کرمان", "كرمان"),  # and the other way round
        ("شيراز", "شیراز"),  # Arabic yeh
        ("خواهر\u200cشهر", "خواهرشهر"),  # ZWNJ stored, none typed
        ("خواهرشهر", "خواهر\u200cشهر"),
        ("منطقه ۱۲", "12"),  # Persian digits stored, Latin typed
        ("District 12", "۱۲"),
        ("منطقه ١٢", "۱۲"),  # Arabic-Indic stored
    ],
)
def test_city_search_in_the_database_ignores_invisible_differences(stored, query):
    city = CityFactory(name="Somewhere", name_fa=stored)
    CityFactory(name="Elsewhere", name_fa="جای دیگر")
    assert list(City.objects.matching(normalise(query))) == [city]


@pytest.mark.django_db
def test_agreement_search_needs_every_word_in_either_city(personas):
    tehran = personas.tehran
    paris = CityFactory(name="Paris", name_fa="پاریس", country="FR")
    rome = CityFactory(name="Rome", name_fa="رم")
    wanted = AgreementFactory(home_city=tehran, partner_city=paris)
    AgreementFactory(home_city=tehran, partner_city=rome)
    found = search_agreements(Agreement.objects.all(), "تهران  PARIS")
    assert list(found) == [wanted]
    assert list(search_agreements(Agreement.objects.all(), "پاريس")) == [wanted]
