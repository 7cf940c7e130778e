"""The programme of a delegation, for its guests: one bilingual A4 document,
English on the left and Persian on the right of every line (the day, each item's
time, what happens and where), the fixed wording of both languages from the
message catalogues. Dates: Gregorian in English, Jalali with Persian digits in
Persian. A text typed in one language only (no Persian description) is printed
in both columns as typed. Nothing private: no participant, no passport or visa,
no budget. Fonts are the bundled Vazirmatn (static/css/pdf.css) and the layout
is static/css/pdf-programme.css.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..dates import clock_text, format_jalali, weekday_text
from ..models import Delegation
from ..selectors.delegations import agenda
from . import engine
from .common import gregorian_en, text_direction, truncate, who
from .dossier import isolate

STYLESHEET = "css/pdf-programme.css"
TEXT_LIMIT = 600


def _words(language: str, delegation: Delegation) -> dict:
    agreement = delegation.agreement
    home, partner = agreement.home_city, agreement.partner_city
    persian = language == "fa"
    with translation.override(language):
        home_name = (home.name_fa or home.name) if persian else home.name
        partner_name = (partner.name_fa or partner.name) if persian else partner.name
        start, end = delegation.start_date, delegation.end_date or delegation.start_date
        if persian:
            dates = (
                format_jalali(start)
                if start == end
                else f"{format_jalali(start)} تا {format_jalali(end)}"
            )
        else:
            dates = (
                gregorian_en(start)
                if start == end
                else f"{gregorian_en(start)} – {gregorian_en(end)}"
            )
        if delegation.direction == "incoming":
            visit = _("Visit of the delegation of %(partner)s to %(home)s")
        else:
            visit = _("Visit of the delegation of %(home)s to %(partner)s")
        return {
            "title": _("Programme of the visit"),
            "visit": visit % {"home": isolate(home_name), "partner": isolate(partner_name)},
            "dates": dates,
            "head": _("Head of delegation: %(name)s") % {"name": isolate(delegation.head)},
            "place": _("Place"),
            "attendees": _("Attending"),
            "contact": _("Contact person"),
            "nothing": _("No programme yet."),
            "all_day": _("All day"),
        }


def _time(item, persian: bool) -> str:
    start = clock_text(item.start_time, persian=persian)
    end = clock_text(item.end_time, persian=persian)
    if start and end:
        return f"{start}–{end}"
    return start


@dataclass(frozen=True)
class Column:
    lang: str
    dir: str
    words: dict


def programme_context(delegation: Delegation) -> dict:
    days = []
    for day in agenda(delegation):
        items = []
        for item in day.items:
            english = truncate(item.description, TEXT_LIMIT)
            persian = truncate(item.description_fa or item.description, TEXT_LIMIT)
            place_en = truncate(item.place or item.place_fa, 200)
            place_fa = truncate(item.place_fa or item.place, 200)
            attendees = truncate(item.attendees, TEXT_LIMIT)
            items.append(
                {
                    "en": {
                        "time": _time(item, False),
                        "what": isolate(english),
                        "what_dir": text_direction(english, "ltr"),
                        "place": isolate(place_en),
                    },
                    "fa": {
                        "time": _time(item, True),
                        "what": isolate(persian),
                        "what_dir": text_direction(persian, "rtl"),
                        "place": isolate(place_fa),
                    },
                    "attendees": isolate(attendees),
                    "attendees_dir": text_direction(attendees, "ltr"),
                    "contact": isolate(who(item.responsible)) if item.responsible else "",
                }
            )
        days.append(
            {
                "en": f"{weekday_text(day.date, persian=False)}, {gregorian_en(day.date)}",
                "fa": f"{weekday_text(day.date, persian=True)} {format_jalali(day.date)}",
                "items": items,
            }
        )
    en, fa = _words("en", delegation), _words("fa", delegation)
    return {
        "en": en,
        "fa": fa,
        "days": days,
        "title": f"{en['title']} | {fa['title']}",
    }


def render_programme(delegation: Delegation) -> bytes:
    """The delegation's programme as PDF bytes (rendered now; it is short)."""
    html = render_to_string("pdf/programme.html", programme_context(delegation))
    return engine.html_to_pdf(html, extra_stylesheets=[STYLESHEET])
