"""The bilingual pairs: each field says its language, its script is checked on every
way in (pages, API, services' full_clean), and countries sort in Persian order."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements.models import Commonality, Goal, Memorandum, MemorandumArticle
from cities.digits import prose_digits
from cities.models import City, country_choices
from cities.search import persian_sort_key
from cities.validators import NoPersianScript, PersianScript, has_persian_script, is_persian_script
from tests.factories import AgreementFactory, MemorandumArticleFactory, MemorandumFactory

pytestmark = pytest.mark.django_db

PAIRS = {
    Goal: [("description", "description_fa")],
    Commonality: [("description", "description_fa")],
    Memorandum: [
        ("place", "place_fa"),
        ("home_signatory_name", "home_signatory_name_fa"),
        ("home_signatory_title", "home_signatory_title_fa"),
        ("partner_signatory_name", "partner_signatory_name_fa"),
        ("partner_signatory_title", "partner_signatory_title_fa"),
    ],
    MemorandumArticle: [("heading_en", "heading_fa"), ("body_en", "body_fa")],
    City: [("name", "name_fa"), ("region", "region_fa"), ("titles", "titles_fa")],
}


@pytest.mark.parametrize("model", PAIRS, ids=lambda model: model.__name__)
def test_each_field_of_a_pair_names_its_language_in_both_interfaces(model):
    for english, persian in PAIRS[model]:
        for language, (en_mark, fa_mark) in {
            "en": ("(English)", "(Persian)"),
            "fa": ("(انگلیسی)", "(فارسی)"),
        }.items():
            with translation.override(language):
                assert str(model._meta.get_field(english).verbose_name).endswith(en_mark)
                assert str(model._meta.get_field(persian).verbose_name).endswith(fa_mark)


@pytest.mark.parametrize(
    "text",
    [
        "تهران",
        "خیابان ولی‌عصر، پلاک ۱۲",
        "همکاری با یونسکو (2025)",
        "ماده ۳: مدت",
        # Latin names, addresses and acronyms inside Persian text are normal.
        "همکاری با UNESCO",
        "شهرداری Florence",
    ],
)
def test_persian_text_is_persian_script(text):
    assert is_persian_script(text)
    PersianScript("x")(text)


@pytest.mark.parametrize(
    "text", ["Tehran", "۱۲۳", "Article 3 of the memorandum", "é 2025", "UNESCO, 2025"]
)
def test_latin_text_or_digits_alone_are_not_persian_script(text):
    assert not is_persian_script(text)
    with pytest.raises(ValidationError) as refused:
        PersianScript("signing place (Persian)")(text)
    assert "signing place (Persian)" in refused.value.messages[0]


def test_english_field_refuses_persian_or_arabic_letters():
    NoPersianScript("x")("Mayor of Florence, 2025 (No. 12) – “Dear partners”")
    for text in ["شهردار", "Mayor of تهران", "مدينة"]:
        with pytest.raises(ValidationError) as refused:
            NoPersianScript("heading (English)")(text)
        assert refused.value.code == "persian_script_in_english"


def test_the_message_names_the_field_in_persian():
    with translation.override("fa"):
        with pytest.raises(ValidationError) as refused:
            Goal._meta.get_field("description").run_validators("تبادل هنرمندان")
        assert "«هدف (انگلیسی)» متن انگلیسی است" in refused.value.messages[0]


def test_persian_typed_into_the_english_goal_is_refused_on_the_page(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.officer)
    client.cookies["django_language"] = "fa"
    response = client.post(
        f"/agreements/{agreement.pk}/goals/new/",
        {"sector": "culture", "description": "تبادل هنرمندان", "description_fa": "Artists"},
    )
    assert response.status_code in {200, 400}  # the form again, with its errors
    page = response.content.decode()
    assert "«هدف (انگلیسی)» متن انگلیسی است" in page
    assert "«هدف (فارسی)» را به خط فارسی بنویسید" in page
    assert not Goal.objects.filter(agreement=agreement).exists()


def test_the_api_refuses_a_memorandum_with_the_languages_swapped(personas):
    memorandum = MemorandumFactory(agreement=AgreementFactory(home_city=personas.tehran))
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=personas.officer)[1]}"
    )
    response = api.patch(
        f"/api/v1/agreements/{memorandum.agreement_id}/memoranda/{memorandum.pk}/",
        {"place": "تهران", "place_fa": "Tehran"},
        format="json",
    )
    assert response.status_code == 400, response.content
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"place", "place_fa"} <= fields
    memorandum.refresh_from_db()
    assert memorandum.place == "Tehran"


def test_an_article_with_the_languages_swapped_is_refused_by_full_clean(personas):
    article = MemorandumArticleFactory(
        memorandum=MemorandumFactory(agreement=AgreementFactory(home_city=personas.tehran))
    )
    article.heading_en, article.body_fa = "ماده", "The parties agree."
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert {"heading_en", "body_fa"} <= set(refused.value.message_dict)


def test_persian_sort_key_follows_the_persian_alphabet():
    names = ["یمن", "پرو", "بلژیک", "ترکیه", "چین", "ژاپن", "زامبیا", "گرجستان", "کانادا", "آلمان"]
    assert sorted(names, key=persian_sort_key) == [
        "آلمان", "بلژیک", "پرو", "ترکیه", "چین", "زامبیا", "ژاپن", "کانادا", "گرجستان", "یمن",
    ]  # fmt: skip
    # Arabic yeh and kaf, and zero-width marks, sort as the Persian letters they show.
    assert persian_sort_key("كي") == persian_sort_key("کی")
    assert persian_sort_key("سری لانکا") < persian_sort_key("سریلانکا")


def test_countries_are_in_persian_order_on_persian_pages():
    with translation.override("fa"):
        names = [name for _code, name in country_choices()]
    assert len(names) > 240
    assert names == sorted(names, key=persian_sort_key)
    assert names.index("پرو") < names.index("ترکیه") < names.index("یمن")
    assert names.index("کانادا") < names.index("گرجستان") < names.index("لبنان")
    with translation.override("en"):
        english = [name for _code, name in country_choices()]
    assert english.index("Canada") < english.index("Peru")


def test_the_list_filter_offers_countries_in_persian_order(personas):
    client = Client()
    client.force_login(personas.officer)
    client.cookies["django_language"] = "fa"
    page = client.get("/agreements/").content.decode()
    select = page[page.index('name="partner_country"') :]
    select = select[: select.index("</select>")]
    assert select.index(">پرو<") < select.index(">ترکیه<") < select.index(">یمن<")


def test_prose_digits_are_persian_and_codes_stay_latin():
    assert (
        prose_digits("at most 200 characters (it has 250)") == "at most ۲۰۰ characters (it has ۲۵۰)"
    )
    kept = "1403-06-31 is 2024-09-21; U+0007; " + "ab12" * 4 + "; partners2.csv"
    assert prose_digits(kept) == kept


def _script_errors(instance) -> dict:
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as refused:
        return {
            name: messages
            for name, messages in refused.message_dict.items()
            if any(name in pair for pairs in PAIRS.values() for pair in pairs)
        }
    return {}


def test_the_demo_data_passes_the_script_rule(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    rows = [
        *Goal.objects.all(),
        *Commonality.objects.all(),
        *Memorandum.objects.all(),
        *MemorandumArticle.objects.all(),
    ]
    assert len(rows) > 20
    assert {str(row): errors for row in rows if (errors := _script_errors(row))} == {}


def test_the_factories_pass_the_script_rule(personas):
    from tests import factories

    agreement = AgreementFactory(home_city=personas.tehran)
    memorandum = MemorandumFactory(agreement=agreement)
    rows = [
        factories.GoalFactory(agreement=agreement),
        factories.CommonalityFactory(agreement=agreement),
        memorandum,
        MemorandumArticleFactory(memorandum=memorandum),
    ]
    assert [_script_errors(row) for row in rows] == [{}] * 4


@pytest.mark.parametrize("multiline", [False, True])
def test_the_schema_patterns_say_what_the_validators_accept(multiline):
    """The API schema's pattern for each field of a pair (agreements/api/schema.py)
    accepts exactly what the validator does, so a client reading it is not refused."""
    import re

    from cities.validators import no_persian_script_pattern, persian_script_pattern

    persian = re.compile(persian_script_pattern(multiline=multiline))
    english = re.compile(no_persian_script_pattern(multiline=multiline))
    samples = ["", "  ", "تهران", "Tehran", "۱۲۳", "ب a", "شهر\u200cها، ۱۲", "Café", "مدينة", "x ی"]
    for text in samples:
        try:
            PersianScript("x")(text)
            accepted = True
        except ValidationError:
            accepted = False
        assert bool(persian.match(text)) == accepted, text
        assert bool(english.match(text)) == (not has_persian_script(text)), text
