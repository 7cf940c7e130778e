"""The memorandum's fixed wording (title, parties, preamble, "done at", signature
lines) in each language it is signed in.

The texts live in the message catalogues under the context "memorandum", not
here: Persian in locale/fa, English is the msgid, and each partner language in
locale/<code>/ (hand-kept catalogues that hold only these texts; a test checks
each is complete). `wording(language, ...)` renders them under that language,
with its digits and its dates, for memorandum_content: so what is printed is
what the integrity code hashes.
"""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.dates import MONTHS_ALT
from django.utils.translation import pgettext, pgettext_lazy
from hijridate import Gregorian

from ..models import Kind
from .common import date_both_en, date_both_fa, number, text_direction

RIGHT_TO_LEFT = {"fa", "ar"}

# Each language's name as the "done at" sentence uses it ("each in Persian,
# Arabic and English"): a translator gives the form that sentence needs.
LANGUAGE_NAMES = {
    "fa": pgettext_lazy("memorandum language", "Persian"),
    "en": pgettext_lazy("memorandum language", "English"),
    "ar": pgettext_lazy("memorandum language", "Arabic"),
    "ru": pgettext_lazy("memorandum language", "Russian"),
    "tr": pgettext_lazy("memorandum language", "Turkish"),
    "zh-hans": pgettext_lazy("memorandum language", "Chinese"),
    "es": pgettext_lazy("memorandum language", "Spanish"),
    "fr": pgettext_lazy("memorandum language", "French"),
    "de": pgettext_lazy("memorandum language", "German"),
    "hu": pgettext_lazy("memorandum language", "Hungarian"),
    "hy": pgettext_lazy("memorandum language", "Armenian"),
    "ka": pgettext_lazy("memorandum language", "Georgian"),
}

# Hijri dates (Umm al-Qura) hold only inside the converter's table.
HIJRI_FIRST = datetime.date(1924, 8, 1)
HIJRI_LAST = datetime.date(2077, 11, 16)


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def hijri(value: datetime.date) -> str:
    """6 رجب 1436 هـ (Umm al-Qura), in Arabic-Indic digits; "" outside the table."""
    if not HIJRI_FIRST <= value <= HIJRI_LAST:
        return ""
    date = Gregorian(value.year, value.month, value.day).to_hijri()
    return number(f"{date.day} {date.month_name('ar')} {date.year} {date.notation('ar')}", "ar")


def local_date(value: datetime.date, language: str) -> str:
    """The date as the language writes it: Persian and English give both the
    Gregorian and the Jalali date; Arabic gives the Gregorian and the Hijri."""
    if language == "fa":
        return date_both_fa(value)
    if language == "en":
        return date_both_en(value)
    with translation.override(language):
        text = pgettext("memorandum date", "%(day)s %(month)s %(year)s") % {
            "day": value.day,
            "month": str(MONTHS_ALT[value.month]),
            "month_number": value.month,
            "year": value.year,
        }
        text = number(text, language)
        if language == "ar" and hijri(value):
            text = pgettext("memorandum date", "%(gregorian)s (Hijri: %(hijri)s)") % {
                "gregorian": text,
                "hijri": hijri(value),
            }
    return text


def isolate(value: str, base: str) -> str:
    """A name or place set into text whose direction is `base` ("rtl" or "ltr"): when it runs the other
    way (an English name in Persian text), it is wrapped in Unicode's first-strong
    isolate marks, so its own brackets and the sentence's punctuation stay where
    they belong (WeasyPrint implements no CSS unicode-bidi; Pango honours the marks)."""
    if value and text_direction(value, base) != base:
        return f"\u2068{value}\u2069"
    return value


def wording(
    language: str,
    *,
    kind: str,
    languages: list[str],
    home: dict,
    partner: dict,
    version: int,
    signed_on: datetime.date | None,
    place: str,
    has_commonalities: bool,
    article_count: int,
) -> dict:
    """Every fixed text of one column, with the names, dates and numbers in it.
    `home` and `partner` are {"name", "country"} in this language; `languages`
    the memorandum's languages in the order the "done at" sentence names them."""
    blank = "_______________"
    home = {key: isolate(value, direction(language)) for key, value in home.items()}
    partner = {key: isolate(value, direction(language)) for key, value in partner.items()}
    place = isolate(place, direction(language))
    with translation.override(language):
        names = {
            "home": home["name"],
            "home_country": home["country"],
            "partner": partner["name"],
            "partner_country": partner["country"],
        }
        if kind == Kind.SISTER:
            title = pgettext(
                "memorandum",
                "Memorandum of Understanding on the establishment of sister-city relations "
                "between the Municipality of %(home)s (%(home_country)s) and the Municipality "
                "of %(partner)s (%(partner_country)s)",
            )
        else:
            title = pgettext(
                "memorandum",
                "Memorandum of Understanding on the establishment of friendship-city relations "
                "between the Municipality of %(home)s (%(home_country)s) and the Municipality "
                "of %(partner)s (%(partner_country)s)",
            )
        spoken = [str(LANGUAGE_NAMES[code]) for code in languages]
        when = local_date(signed_on, language) if signed_on else blank
        if len(spoken) == 3:
            done = pgettext(
                "memorandum",
                "Done at %(place)s on %(date)s, in two originals, each in %(first)s, %(second)s "
                "and %(third)s, all texts being equally authentic.",
            ) % {
                "place": place or blank,
                "date": when,
                "first": spoken[0],
                "second": spoken[1],
                "third": spoken[2],
            }
        else:
            done = pgettext(
                "memorandum",
                "Done at %(place)s on %(date)s, in two originals, each in %(first)s and "
                "%(second)s, both texts being equally authentic.",
            ) % {"place": place or blank, "date": when, "first": spoken[0], "second": spoken[1]}
        party = pgettext("memorandum", "The Municipality of %(city)s, %(country)s")
        signs_for = pgettext("memorandum", "For the Municipality of %(city)s")
        return {
            "language": language,
            "direction": direction(language),
            "title": title % names,
            "version": number(
                pgettext("memorandum", "Version %(number)s") % {"number": version}, language
            ),
            "integrity_code": pgettext("memorandum", "Integrity code"),
            "parties": pgettext("memorandum", "The Parties"),
            "home_party": party % {"city": home["name"], "country": home["country"]},
            "partner_party": party % {"city": partner["name"], "country": partner["country"]},
            "hereinafter": pgettext("memorandum", "hereinafter “the Parties”,"),
            "preamble": pgettext("memorandum", "Preamble"),
            "preamble_opening": (
                pgettext(
                    "memorandum", "Recognising the bonds between their two cities, in particular:"
                )
                if has_commonalities
                else pgettext("memorandum", "Recognising the bonds between their two cities,")
            ),
            "preamble_closing": pgettext(
                "memorandum",
                "and wishing to strengthen friendship and cooperation between their citizens, "
                "the Parties have agreed as follows:",
            ),
            "articles": [
                number(pgettext("memorandum", "Article %(number)s") % {"number": n}, language)
                for n in range(1, article_count + 1)
            ],
            "done": done,
            "home_signs": signs_for % {"city": home["name"]},
            "partner_signs": signs_for % {"city": partner["name"]},
            "officials": pgettext("memorandum", "Officials present"),
            "draft": pgettext("memorandum", "DRAFT"),
        }


def supersedes_line(language: str, *, version: int, date: datetime.date | None, code: str) -> str:
    """The sentence naming the friendship memorandum a sister-city one replaces."""
    with translation.override(language):
        return pgettext(
            "memorandum",
            "This memorandum supersedes the friendship memorandum No. %(number)s of %(date)s "
            "(integrity code %(code)s).",
        ) % {
            "number": number(version, language),
            "date": local_date(date, language) if date else "—",
            "code": code,
        }
