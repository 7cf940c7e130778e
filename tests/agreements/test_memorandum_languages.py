"""The memorandum in the partner's language too (agreements/pdf/wording.py,
agreements/memoranda.py): every fixed text from the catalogues, its own font,
Hijri dates on an Arabic one, the content hash over every language, the partner
language set by page and API."""

from __future__ import annotations

import datetime
import gettext
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from hijridate import Gregorian

from agreements.memoranda import add_default_articles
from agreements.models import Memorandum, PartnerLanguage
from agreements.pdf import memorandum_content_hash, render_memorandum
from agreements.pdf.common import number as digits
from agreements.pdf.memorandum import memorandum_content
from tests.pdf_helpers import (
    bundled_font_names,
    contains,
    font_names,
    make_memorandum,
    normalise,
    text_of,
    unembedded_fonts,
)

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
CONTEXTS = ("memorandum", "memorandum article", "memorandum language", "memorandum date")
# The Django language code and the folder of its catalogue.
FOLDER = {"zh-hans": "zh_Hans"}
# The font each language's column is set in (static/css/pdf-languages.css).
FONT = {
    "ar": "Vazirmatn-RTL",
    "ru": "Noto-Sans",
    "tr": "Noto-Sans",
    "zh-hans": "Noto-Sans-SC",
    "es": "Noto-Sans",
    "fr": "Noto-Sans",
    "de": "Noto-Sans",
    "hu": "Noto-Sans",
    "hy": "Noto-Sans-Armenian",
    "ka": "Noto-Sans-Georgian",
}
# Entries a language may leave as the msgid: a date pattern that reads the same,
# the Hijri one (Arabic's alone), "Version" (German).
SAME_AS_MSGID = {
    ("memorandum date", "%(day)s %(month)s %(year)s"),
    ("memorandum date", "%(gregorian)s (Hijri: %(hijri)s)"),
    ("memorandum", "Version %(number)s"),
    ("memorandum", "Article %(number)s"),
}


@pytest.fixture(autouse=True)
def media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def memorandum_msgids() -> list[tuple[str, str]]:
    """Every (context, msgid) of the memorandum's wording, read from the Persian
    catalogue that makemessages keeps in step with the code."""
    text = (LOCALE / "fa" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n"):
        context = re.search(r'^msgctxt "(.*)"$', block, re.M)
        if not context or context.group(1) not in CONTEXTS:
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        value = "".join(re.findall(r'"(.*)"', msgid.group(1))).replace('\\"', '"')
        found.append((context.group(1), value))
    return found


def test_the_wording_is_found_in_the_persian_catalogue():
    assert len(memorandum_msgids()) > 40
    assert "The Parties" in {msgid for _context, msgid in memorandum_msgids()}


@pytest.mark.parametrize("language", PartnerLanguage.values)
def test_every_partner_catalogue_translates_every_text(language):
    catalogue = gettext.translation(
        "django", localedir=LOCALE, languages=[FOLDER.get(language, language)]
    )
    missing = [
        (context, msgid)
        for context, msgid in memorandum_msgids()
        if catalogue.pgettext(context, msgid) == msgid and (context, msgid) not in SAME_AS_MSGID
    ]
    assert missing == []
    for context, msgid in memorandum_msgids():
        placeholders = set(re.findall(r"%\((\w+)\)s", msgid))
        translated = set(re.findall(r"%\((\w+)\)s", catalogue.pgettext(context, msgid)))
        # A date pattern may use the month's number instead of its name.
        assert placeholders - {"month"} <= translated, (context, msgid)


@pytest.mark.parametrize("language", PartnerLanguage.values)
def test_each_language_prints_its_fixed_texts_in_its_font(personas, language):
    memorandum = make_memorandum(personas, partner_language=language)
    pdf = render_memorandum(memorandum)
    text = text_of(pdf)
    with translation.override(language):
        expected = [
            pgettext("memorandum", "The Parties"),
            pgettext("memorandum", "Preamble"),
            pgettext("memorandum", "Officials present"),
            digits(pgettext("memorandum", "Article %(number)s") % {"number": 7}, language),
        ]
    with translation.override("en"):
        assert expected[0] != "The Parties"  # the catalogue's, not the msgid
    for phrase in filter(None, expected):
        assert contains(text, phrase), phrase
    assert FONT[language] in font_names(pdf)
    # Every font one of ours, and in the file.
    assert font_names(pdf) <= bundled_font_names()
    assert unembedded_fonts(pdf) == set()
    # The Persian and English columns are still there.
    assert contains(text, "طرفین") and "The Parties" in text


def test_a_two_language_memorandum_loads_no_partner_font(personas):
    pdf = render_memorandum(make_memorandum(personas))
    assert {name.removesuffix("-Bold") for name in font_names(pdf)} == {
        "Vazirmatn",
        "Vazirmatn-RTL",
    }


def test_an_arabic_memorandum_gives_the_hijri_date(personas):
    signed = datetime.date(2015, 4, 25)
    memorandum = make_memorandum(personas, partner_language="ar", signed_on=signed)
    hijri = Gregorian(2015, 4, 25).to_hijri()
    assert (hijri.year, hijri.month, hijri.day) == (1436, 7, 6)
    text = normalise(text_of(render_memorandum(memorandum)))
    for part in (digits(hijri.day, "ar"), hijri.month_name("ar"), digits(hijri.year, "ar")):
        assert normalise(part) in text
    # The Gregorian date in Arabic-Indic digits beside it.
    assert normalise(digits(2015, "ar")) in text
    wording = memorandum_content(memorandum)["wording"]["ar"]
    assert "رجب ١٤٣٦" in wording["done"]


def test_no_other_language_gets_a_hijri_date(personas):
    memorandum = make_memorandum(
        personas, partner_language="ru", signed_on=datetime.date(2015, 4, 25)
    )
    content = memorandum_content(memorandum)
    assert "١٤٣٦" not in str(content["wording"]) and "1436" not in str(content["wording"])
    assert "25 апреля 2015" in content["wording"]["ru"]["done"]


def test_the_content_hash_covers_every_language(personas):
    memorandum = make_memorandum(personas)
    two = memorandum_content_hash(memorandum)
    memorandum.partner_language = "ar"
    memorandum.save()
    three = memorandum_content_hash(memorandum)
    assert three != two
    article = memorandum.articles.first()
    article.body_partner = "نص آخر"
    article.save()
    assert memorandum_content_hash(memorandum) != three
    memorandum.place_partner = "طهران"
    memorandum.save()
    content = memorandum_content(memorandum)
    assert content["languages"] == ["en", "ar", "fa"]
    assert "طهران" in content["wording"]["ar"]["done"]


def test_default_articles_in_the_partner_language(personas):
    memorandum = make_memorandum(personas, partner_language="ru", term_years=7)
    memorandum.articles.all().delete()
    add_default_articles(memorandum)
    articles = {article.key: article for article in memorandum.articles.all()}
    with translation.override("ru"):
        assert articles["subject"].heading_partner == pgettext("memorandum article", "Subject")
    assert "Dushanbe" in articles["subject"].body_partner
    assert "7" in articles["duration"].body_partner
    # The final article names the three languages, in each language.
    assert "۷" in articles["duration"].body_fa
    assert "Persian, Russian and English" in articles["final"].body_en
    assert "روسی" in articles["final"].body_fa


def test_an_english_name_in_a_persian_or_arabic_sentence_is_isolated(personas):
    memorandum = make_memorandum(personas, partner_language="ar")
    wording = memorandum_content(memorandum)["wording"]
    # No Arabic name for Dushanbe: the English one, isolated, in the Arabic title.
    assert "\u2068Dushanbe\u2069" in wording["ar"]["title"]
    # Names already in the column's direction are left alone.
    assert "\u2068" not in wording["fa"]["title"] and "\u2068" not in wording["en"]["title"]


def test_persian_brackets_copy_out_in_logical_order(personas, tmp_path):
    pdf = tmp_path / "memorandum.pdf"
    pdf.write_bytes(render_memorandum(make_memorandum(personas)))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "(ایران)" in normalise(text)
    assert ")ایران(" not in normalise(text)


def test_changing_the_language_keeps_what_someone_wrote(personas):
    from agreements import services

    memorandum = make_memorandum(personas, partner_language="ar")
    memorandum.articles.all().delete()
    add_default_articles(memorandum)
    subject = memorandum.articles.get(key="subject")
    subject.body_partner = "نص كتبه الموظف"
    subject.save()
    memorandum.refresh_from_db()
    memorandum.partner_language = "ru"
    services.save_record(record=memorandum, by=personas.officer)
    subject.refresh_from_db()
    termination = memorandum.articles.get(key="termination")
    assert subject.body_partner == "نص كتبه الموظف"
    with translation.override("ru"):
        assert termination.heading_partner == pgettext("memorandum article", "Termination")


def test_partner_language_on_the_page(personas, client):
    memorandum = make_memorandum(personas)
    client.force_login(personas.officer)
    url = reverse(
        "agreements:record-edit", args=[memorandum.agreement_id, "memoranda", memorandum.pk]
    )
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fa")
    assert page.status_code == 200
    assert "زبان طرف همتا" in page.content.decode()
    Memorandum.objects.filter(pk=memorandum.pk).update(partner_language="zh-hans")
    page = client.get(url)
    assert 'name="articles-0-body_partner"' in page.content.decode()


def test_choosing_the_language_on_the_page_with_the_articles(personas, client):
    """The whole form as a browser posts it (every article, line ends as CRLF, one
    article edited): the language is saved, the articles' texts in it filled, the
    edit kept; no conflict between the memorandum and its articles."""
    from tests.agreements.test_views_records import _memorandum_post

    memorandum = make_memorandum(personas)
    articles = list(memorandum.articles.order_by("position", "id"))
    client.force_login(personas.officer)
    url = reverse(
        "agreements:record-edit", args=[memorandum.agreement_id, "memoranda", memorandum.pk]
    )
    data = _memorandum_post(memorandum, articles, partner_language="ar")
    for index, article in enumerate(articles):
        data[f"articles-{index}-body_en"] = article.body_en.replace("\n", "\r\n")
        data[f"articles-{index}-body_fa"] = article.body_fa.replace("\n", "\r\n")
    data["articles-2-body_en"] = "An edited text."
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    memorandum.refresh_from_db()
    assert memorandum.partner_language == "ar"
    edited = memorandum.articles.get(pk=articles[2].pk)
    assert edited.body_en == "An edited text."
    with translation.override("ar"):
        assert edited.heading_partner == pgettext("memorandum article", edited.heading_en)
    assert all(article.body_partner for article in memorandum.articles.all())


def test_the_officials_present_in_the_partner_language(personas):
    """An official's name and title in the partner's language are printed in its
    column; one without them falls back to English there."""
    memorandum = make_memorandum(personas, partner_language="ru")
    home = memorandum.officials.filter(side="home").first()
    home.name_partner, home.title_partner = "Мохаммад Али Шахиди", "Генеральный директор"
    home.save()
    content = memorandum_content(memorandum)
    assert content["officials"]["home"][0]["name_partner"] == "Мохаммад Али Шахиди"
    text = text_of(render_memorandum(memorandum))
    assert contains(text, "Мохаммад Али Шахиди") and contains(text, "Генеральный директор")
    partner = memorandum.officials.filter(side="partner").first()
    assert text.count(partner.name) >= 2  # its English name in the English and Russian columns
