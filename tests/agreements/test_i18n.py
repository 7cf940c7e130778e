from __future__ import annotations

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from agreements.forms_fields import JalaliDateField, JalaliDateInput
from agreements.models import UserProfile
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/agreements/", "/cities/"]


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def render(template: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load sistercities %}" + template).render(Context(context))


# --- lang and dir -------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_persian_right_to_left_by_default(client, personas, path):
    client.force_login(personas.viewer)
    response = client.get(path)
    assert html_tag(response) == '<html lang="fa" dir="rtl">'
    assert "bootstrap.rtl.min.css" in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_english_pages_are_left_to_right(client, personas, path):
    client.cookies["django_language"] = "en"
    client.force_login(personas.viewer)
    response = client.get(path)
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert "bootstrap.rtl.min.css" not in response.content.decode()


def test_login_page_and_no_role_page_carry_lang_and_dir(client, personas):
    assert html_tag(client.get("/accounts/login/")) == '<html lang="fa" dir="rtl">'
    client.force_login(personas.outsider)
    assert html_tag(client.get("/")) == '<html lang="fa" dir="rtl">'


def test_city_page_carries_lang_and_dir(client, personas):
    client.force_login(personas.viewer)
    response = client.get(f"/cities/{personas.tehran.pk}/")
    assert html_tag(response) == '<html lang="fa" dir="rtl">'


def test_browser_language_is_ignored(client, personas):
    client.force_login(personas.viewer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="fa"' in html_tag(response)


def test_persian_pages_are_translated(client, personas):
    client.force_login(personas.viewer)
    body = client.get("/agreements/").content.decode()
    assert "توافق‌نامه‌ها" in body
    assert "Apply filters" not in body


# --- The language switch ---------------------------------------------------------------


def test_switching_language_is_remembered_on_the_profile(client, personas):
    client.force_login(personas.viewer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/agreements/"})
    assert response.status_code == 302 and response["Location"] == "/agreements/"
    assert UserProfile.objects.get(user=personas.viewer).language == "en"
    # Another browser (no cookie): the profile decides.
    other = client.__class__()
    other.force_login(personas.viewer)
    assert 'lang="en"' in html_tag(other.get("/"))


def test_profile_language_wins_over_a_stale_cookie(client, personas):
    UserProfile.objects.create(user=personas.viewer, language="en")
    client.cookies["django_language"] = "fa"
    client.force_login(personas.viewer)
    assert 'lang="en"' in html_tag(client.get("/"))


def test_anonymous_switch_sets_only_the_cookie(client, personas):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert not UserProfile.objects.exists()
    assert 'lang="en"' in html_tag(client.get("/accounts/login/"))


def test_unknown_language_changes_nothing(client, personas):
    client.force_login(personas.viewer)
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert not UserProfile.objects.filter(user=personas.viewer, language="de").exists()
    assert 'lang="fa"' in html_tag(client.get("/"))


def test_language_switch_is_post_only(client, personas):
    client.force_login(personas.viewer)
    assert client.get("/i18n/setlang/?language=en").status_code == 405


# --- Dates and digits ----------------------------------------------------------------------


def test_jdate_is_jalali_with_persian_digits_on_persian_pages():
    day = datetime.date(2024, 5, 4)
    assert render("{{ d|jdate }}", "fa", d=day) == "۱۵ اردیبهشت ۱۴۰۳"
    assert render("{{ d|jdate }}", "en", d=day) == "May 4, 2024"
    assert render("{{ d|jdate }}", "fa", d=None) == ""


def test_jdate_with_time_uses_the_local_time_zone():
    moment = datetime.datetime(2024, 5, 4, 20, 45, tzinfo=datetime.UTC)  # 00:15 next day in Tehran
    assert render('{{ d|jdate:"time" }}', "fa", d=moment) == "۱۶ اردیبهشت ۱۴۰۳، ۰۰:۱۵"
    assert render('{{ d|jdate:"time" }}', "en", d=moment) == "May 5, 2024, 00:15"


def test_digits_and_numbers():
    assert render("{{ n|digits }}", "fa", n=2023) == "۲۰۲۳"
    assert render("{{ n|digits }}", "en", n=2023) == "2023"
    assert render("{{ n|number }}", "fa", n=12345) == "۱۲٬۳۴۵"
    assert render("{{ n|number }}", "en", n=12345) == "12,345"


def test_city_name_follows_the_page_language():
    city = CityFactory.build(name="Isfahan", name_fa="اصفهان")
    bare = CityFactory.build(name="Kyoto", name_fa="")
    assert render("{{ c|city_name }}/{{ c|city_other_name }}", "fa", c=city) == "اصفهان/Isfahan"
    assert render("{{ c|city_name }}/{{ c|city_other_name }}", "en", c=city) == "Isfahan/اصفهان"
    assert render("{{ c|city_name }}/{{ c|city_other_name }}", "fa", c=bare) == "Kyoto/"


def test_list_shows_persian_digits_on_persian_pages_and_latin_on_english(client, personas):
    AgreementFactory(home_city=personas.tehran, signed_on=datetime.date(2023, 3, 1))
    client.force_login(personas.viewer)
    assert "۲۰۲۳" in client.get("/agreements/").content.decode()
    client.cookies["django_language"] = "en"
    body = client.get("/agreements/").content.decode()
    assert "2023" in body and "۲۰۲۳" not in body


def test_dashboard_dates_are_jalali_on_persian_pages_and_gregorian_on_english(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    agreement.title = "x"
    agreement.save()
    client.force_login(personas.viewer)
    fa = client.get("/").content.decode()
    year_fa = agreement.history.first().history_date
    from agreements.dates import to_jalali

    assert str(to_jalali(year_fa).year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in fa
    client.cookies["django_language"] = "en"
    en = client.get("/").content.decode()
    assert f", {year_fa.year}, " in en


# --- Jalali date field ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["1403/02/15", "۱۴۰۳/۰۲/۱۵", "١٤٠٣/٠٢/١٥", "1403-2-15", "2024-05-04"]
)
def test_jalali_field_reads_jalali_dates_on_persian_pages(typed):
    with translation.override("fa"):
        assert JalaliDateField().clean(typed) == datetime.date(2024, 5, 4)


@pytest.mark.parametrize("typed", ["1403/13/01", "1403/12/31", "tomorrow", "14/2/2024"])
def test_jalali_field_refuses_impossible_dates(typed):
    from django.core.exceptions import ValidationError

    # 1403 is a leap year in the Jalali calendar, so 1403/12/30 exists and 12/31 does not.
    with translation.override("fa"), pytest.raises(ValidationError):
        JalaliDateField().clean(typed)


def test_jalali_field_reads_iso_dates_on_english_pages():
    with translation.override("en"):
        assert JalaliDateField().clean("2024-05-04") == datetime.date(2024, 5, 4)


def test_jalali_widget_shows_the_page_calendar():
    widget = JalaliDateInput()
    with translation.override("fa"):
        html = widget.render("date", datetime.date(2024, 5, 4))
        assert 'type="text"' in html and 'value="۱۴۰۳/۰۲/۱۵"' in html
    with translation.override("en"):
        html = widget.render("date", datetime.date(2024, 5, 4))
        assert 'type="date"' in html and 'value="2024-05-04"' in html


def test_every_field_the_history_shows_has_a_persian_label():
    """The history page, the dossier and the admin name each changed field by its
    label: none may fall back to the English column name on a Persian page."""
    import re

    from agreements.selectors.history import SOURCES, shown_fields
    from cities.models import City

    unlabelled = []
    with translation.override("fa"):
        for model in [source.model for source in SOURCES] + [City]:
            for model_field in shown_fields(model):
                if not re.search("[\u0600-\u06ff]", str(model_field.verbose_name)):
                    unlabelled.append(f"{model.__name__}.{model_field.name}")
    assert not unlabelled, unlabelled
