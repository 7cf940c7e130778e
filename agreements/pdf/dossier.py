"""The dossier of one agreement, for a council meeting: parties, stage, every
record, the timeline, the stage requests and the history, in the reader's
language.

Bounded for absurd input: at most RECORD_LIMIT rows of each kind of record,
the latest TIMELINE_LIMIT events (of those rows: agreements.selectors.timeline,
the agreement page's events) and the latest HISTORY_LIMIT history rows, each
with a note saying how many were left out, and long texts cut at TEXT_LIMIT
characters. A dossier of a live agreement is rendered on each request (it is
not cached: its history changes with every save).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Agreement
from ..selectors.display import yes_no
from ..selectors.timeline import timeline
from . import engine
from .common import arrow, number, reader_date, text_direction, truncate, who
from .history import history_rows

HISTORY_LIMIT = 500
TIMELINE_LIMIT = 500
# WeasyPrint lays out about 2 table pages a second (less for long unbroken words):
# 200 rows of 2,000 characters of one kind took 8 minutes and 421 pages; 50 rows
# of 500 take about 13 s (tests/hardening/test_pdf_bounds.py).
RECORD_LIMIT = 50
TEXT_LIMIT = 500
CHANGE_VALUE_LIMIT = 80


def _local(language: str, fa: str, en: str) -> str:
    """The Persian variant of a bilingual field for a Persian reader, when there is one."""
    return fa if language == "fa" and fa else en


def _limited(queryset: models.QuerySet) -> tuple[list, int]:
    """At most RECORD_LIMIT rows, and how many were left out."""
    limit = RECORD_LIMIT
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, 0
    return rows[:limit], queryset.count() - limit


# --- Timeline --------------------------------------------------------------------------------


def _timeline_rows(agreement: Agreement, records: dict, language: str) -> tuple[list, int]:
    """The latest TIMELINE_LIMIT events of selectors.timeline (newest first, as on
    the agreement page), of the rows the tables show, and how many are left out:
    the day, what happened and by whom, and the record's words."""
    events = timeline(agreement, records)
    rows = []
    for event in events[:TIMELINE_LIMIT]:
        what = event.title(lambda value: number(value, language))
        if event.who is not None:
            what = f"{what}\n{who(event.who)}"
        rows.append(
            _cells(
                [
                    reader_date(event.day, language),
                    what,
                    truncate(event.detail, CHANGE_VALUE_LIMIT * 2),
                ],
                language,
            )
        )
    return rows, max(0, len(events) - TIMELINE_LIMIT)


# --- The dossier ---------------------------------------------------------------------------


@dataclass
class Section:
    """One table of the dossier; cells are plain text (escaped by the template)."""

    title: str
    columns: list[str]
    widths: list[int]  # percent
    rows: list[list[str]]
    left_out: int = 0


def _records(agreement: Agreement) -> tuple[dict, dict]:
    sources = {
        "contacts": agreement.contacts.order_by("date", "id"),
        "goals": agreement.goals.order_by("id"),
        "commonalities": agreement.commonalities.order_by("id"),
        "department_supports": agreement.department_supports.order_by("id"),
        "legal_approvals": agreement.legal_approvals.order_by("id"),
        "memoranda": agreement.memoranda.select_related("frozen_by").order_by("number"),
        "delegations": agreement.delegations.order_by("start_date", "id"),
        "activities": agreement.activities.order_by("start_date", "id"),
        "documents": agreement.documents.order_by("created_at", "id"),
        "stage_requests": agreement.stage_requests.select_related(
            "requested_by", "decided_by"
        ).order_by("created_at", "id"),
    }
    records, left_out = {}, {}
    for name, queryset in sources.items():
        records[name], left_out[name] = _limited(queryset)
    return records, left_out


def _sections(records: dict, left_out: dict, language: str) -> list[Section]:
    d = lambda value: reader_date(value, language)  # noqa: E731
    local = lambda fa, en: _local(language, fa, en)  # noqa: E731
    to = arrow(language)
    sections = [
        Section(
            _("Contacts"),
            [_("Date"), _("Participants"), _("Place"), _("Notes")],
            [14, 30, 20, 36],
            [[d(c.date), c.participants, c.place, c.notes] for c in records["contacts"]],
        ),
        Section(
            _("Goals"),
            [_("Sector"), _("Objective"), _("How it is checked"), _("Target date")],
            [18, 44, 24, 14],
            [
                [
                    g.get_sector_display(),
                    local(g.description_fa, g.description),
                    g.indicator,
                    d(g.target_date),
                ]
                for g in records["goals"]
            ],
        ),
        Section(
            _("Commonalities"),
            [_("Kind"), _("Description")],
            [20, 80],
            [
                [c.get_kind_display(), local(c.description_fa, c.description)]
                for c in records["commonalities"]
            ],
        ),
        Section(
            _("Department support"),
            [_("Department"), _("Date"), _("Joint committee"), _("Notes")],
            [24, 14, 14, 48],
            [
                [s.get_department_display(), d(s.supported_on), yes_no(s.joint_committee), s.notes]
                for s in records["department_supports"]
            ],
        ),
        Section(
            _("Legal approvals"),
            [_("Side"), _("Authority"), _("Status"), _("Reference"), _("Requested"), _("Decided")],
            [12, 24, 14, 20, 15, 15],
            [
                [
                    a.get_side_display(),
                    a.get_authority_display(),
                    a.get_status_display(),
                    a.reference,
                    d(a.requested_on),
                    d(a.decided_on),
                ]
                for a in records["legal_approvals"]
            ],
        ),
        Section(
            _("Memoranda"),
            [_("Version"), _("Signing date"), _("Place"), _("Frozen"), _("SHA-256 of the PDF")],
            [10, 16, 18, 22, 34],
            [
                [
                    number(m.number, language),
                    d(m.signed_on),
                    local(m.place_fa, m.place),
                    f"{d(m.frozen_at)}\n{who(m.frozen_by)}" if m.frozen_at else "—",
                    m.pdf_sha256 or "—",
                ]
                for m in records["memoranda"]
            ],
        ),
        Section(
            _("Delegations"),
            [_("Direction"), _("Dates"), _("Head"), _("Purpose and outcomes"), _("Official")],
            [13, 20, 20, 37, 10],
            [
                [
                    x.get_direction_display(),
                    f"{d(x.start_date)} – {d(x.end_date)}" if x.end_date else d(x.start_date),
                    x.head,
                    "\n".join(filter(None, [x.purpose, x.outcomes])),
                    yes_no(x.official),
                ]
                for x in records["delegations"]
            ],
        ),
        Section(
            _("Activities"),
            [_("Dates"), _("Sector"), _("Title"), _("Description and outcome")],
            [20, 16, 24, 40],
            [
                [
                    f"{d(x.start_date)} – {d(x.end_date)}" if x.end_date else d(x.start_date),
                    x.get_sector_display(),
                    x.title,
                    "\n".join(filter(None, [x.description, x.outcome])),
                ]
                for x in records["activities"]
            ],
        ),
        Section(
            _("Documents"),
            [_("Kind"), _("Title"), _("Added"), _("SHA-256")],
            [14, 30, 16, 40],
            [
                [x.get_kind_display(), str(x), d(x.created_at), x.sha256 or "—"]
                for x in records["documents"]
            ],
        ),
        Section(
            _("Stage requests"),
            [_("Request"), _("Requested"), _("Decision")],
            [34, 28, 38],
            [
                [
                    "\n".join(
                        filter(
                            None,
                            [
                                f"{r.get_from_stage_display()} {to} {r.get_to_stage_display()}",
                                r.get_action_display(),
                                r.note,
                            ],
                        )
                    ),
                    f"{who(r.requested_by)}\n{d(r.created_at)}",
                    "\n".join(
                        filter(
                            None,
                            [
                                r.get_state_display(),
                                who(r.decided_by) if r.decided_by_id else "",
                                d(r.decided_at),
                                r.decision_note,
                            ],
                        )
                    ),
                ]
                for r in records["stage_requests"]
            ],
        ),
    ]
    for section, name in zip(sections, records, strict=True):
        section.left_out = left_out[name]
        section.rows = [_cells(row, language) for row in section.rows]
    return sections


def _cells(row: list[str], language: str) -> list[dict]:
    """Each cell's text, cut at TEXT_LIMIT, with the direction its text starts in."""
    default = "rtl" if language == "fa" else "ltr"
    cells = []
    for value in row:
        text = truncate(value, TEXT_LIMIT)
        cells.append({"text": text, "dir": text_direction(text, default)})
    return cells


def _facts(agreement: Agreement, language: str) -> list[tuple[str, str]]:
    d = lambda value: reader_date(value, language)  # noqa: E731
    facts = [
        (_("Kind"), agreement.get_kind_display()),
        (_("Stage"), agreement.get_stage_display()),
        (_("Status"), agreement.get_status_display()),
        (_("In this stage since"), d(agreement.stage_changed_at)),
        (_("Origin"), agreement.get_origin_display()),
        (_("Title"), agreement.title),
        (_("First contact"), d(agreement.first_contact_on)),
        (_("Signed on"), d(agreement.signed_on) or number(agreement.signed_year or "", language)),
        (_("Term (years)"), number(agreement.term_years or "", language)),
        (_("Expires on"), d(agreement.expires_on)),
        (_("Responsible officer"), who(agreement.responsible_officer)),
        (_("Summary"), agreement.summary),
    ]
    return [(label, _cells([value], language)[0]) for label, value in facts if value]


def _party(city, language: str) -> dict:
    with translation.override(language):
        country = str(city.country.name)
    return {
        "name": city.display_name,
        "other_name": city.name if language == "fa" else city.name_fa,
        "country": country,
        "region": _local(language, city.region_fa, city.region),
    }


def dossier_context(agreement: Agreement, language: str) -> dict:
    """Everything the dossier template shows; call inside translation.override."""
    agreement = Agreement.objects.select_related(
        "home_city", "partner_city", "responsible_officer"
    ).get(pk=agreement.pk)
    records, left_out = _records(agreement)
    timeline_rows, timeline_left_out = _timeline_rows(agreement, records, language)
    history, history_left_out = history_rows(agreement, language, limit=HISTORY_LIMIT)
    generated_at = timezone.now()
    return {
        "agreement": agreement,
        "language": language,
        "direction": "rtl" if language == "fa" else "ltr",
        "home": _party(agreement.home_city, language),
        "partner": _party(agreement.partner_city, language),
        "facts": _facts(agreement, language),
        "sections": _sections(records, left_out, language),
        "timeline": timeline_rows,
        "timeline_left_out": timeline_left_out,
        "history": [
            _cells(
                [
                    reader_date(row.when, language),
                    row.who,
                    f"{row.what}: {row.action}",
                    row.reason,
                    "\n".join(row.changes),
                ],
                language,
            )
            for row in history
        ],
        "history_left_out": history_left_out,
        "history_limit": HISTORY_LIMIT,
        "generated_at": generated_at,
        "generated_on": reader_date(generated_at, language),
    }


def render_dossier(agreement: Agreement, *, language: str) -> bytes:
    """The dossier of `agreement` as PDF bytes, in `language` ("fa" or "en")."""
    with translation.override(language):
        context = dossier_context(agreement, language)
        html = render_to_string("pdf/dossier.html", context)
    return engine.html_to_pdf(html, created=context["generated_at"])
