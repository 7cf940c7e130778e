"""The dossier of one agreement, for a council meeting: parties, stage, every
record, the timeline, the stage requests and the history, in the reader's
language only.

Two steps. `dossier_data(agreement, language)` reads everything the dossier
shows, in a fixed number of queries, as plain data (codes, ISO dates, texts,
people by the name they go by): it is embedded in the PDF as `dossier.json`
(PDF/A-3b), and the template is filled from it alone (`_context`), so that the
hash of its canonical JSON is the hash of what the dossier shows.
`render_dossier` keeps each rendering in the default storage under
`dossiers/<agreement id>/<language>-<hash>.pdf` (the hash also covers the
layout, `engine.render_version()`, and the message catalogue): a second request
for an unchanged agreement reads the stored file; any change (a record, a stage,
a history row) names a new file and the older ones of that language are deleted.

Bounded for absurd input: at most RECORD_LIMIT rows of each kind of record,
the latest TIMELINE_LIMIT events (of those rows: agreements.selectors.timeline,
the agreement page's events) and the latest HISTORY_LIMIT history rows, each
with a note saying how many were left out, and long texts cut at TEXT_LIMIT
characters.

Every value a person typed (names, titles, notes) is wrapped in Unicode isolates
(FSI … PDI, `isolate`): WeasyPrint 70 ignores `unicode-bidi: isolate`, `<bdi>`
and `dir="auto"`, but Pango honours the characters, so "Dushanbe (Tajikistan)"
on a Persian page keeps its brackets and its place.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import (
    Activity,
    Agreement,
    Commonality,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    StageRequest,
)
from ..selectors.display import choice_label, person_name, yes_no
from ..selectors.timeline import timeline
from . import engine
from .common import canonical_json, number, reader_date, sha256_hex, text_direction, truncate
from .history import history_rows

logger = logging.getLogger(__name__)

# Version of the embedded JSON's shape. Changing the shape: bump it.
SCHEMA = "sistercities.dossier/1"
ATTACHMENT_NAME = "dossier.json"
STORAGE_FOLDER = "dossiers"

HISTORY_LIMIT = 500
TIMELINE_LIMIT = 500
# WeasyPrint lays out about 2 table pages a second (less for long unbroken words):
# 200 rows of 2,000 characters of one kind took 8 minutes and 421 pages; 50 rows
# of 500 take about 13 s (tests/hardening/test_pdf_bounds.py).
RECORD_LIMIT = 50
TEXT_LIMIT = 500
CHANGE_VALUE_LIMIT = 80
INTEGRITY_CODE_LENGTH = 12  # as the memorandum prints it

FSI, PDI = "\u2068", "\u2069"


def isolate(text: str) -> str:
    """Each line of a person's text as its own bidi isolate (a line break ends an
    isolate, so each line gets its own): its direction from its first strong
    letter, its neutrals (brackets, full stops) kept inside."""
    if not text:
        return ""
    return "\n".join(f"{FSI}{line}{PDI}" if line else "" for line in text.split("\n"))


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime.date | datetime.datetime | None:
    """An ISO date or moment of the data back to a date or an aware datetime."""
    if not value:
        return None
    if "T" in value:
        return datetime.datetime.fromisoformat(value)
    return datetime.date.fromisoformat(value)


def _name(user) -> str | None:
    return person_name(user) if user is not None else None


def _local(language: str, fa: str, en: str) -> str:
    """The Persian variant of a bilingual field for a Persian reader, when there is one."""
    return fa if language == "fa" and fa else en


def _label(model: type[models.Model], field: str, code: str) -> str:
    return choice_label(model._meta.get_field(field), code)


def _limited(queryset: models.QuerySet) -> tuple[list, int]:
    """At most RECORD_LIMIT rows, and how many were left out."""
    limit = RECORD_LIMIT
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, 0
    return rows[:limit], queryset.count() - limit


# --- The data ----------------------------------------------------------------------------------


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


def _city(city, language: str) -> dict:
    with translation.override(language):
        country = str(city.country.name)
    return {
        "name": city.name,
        "name_fa": city.name_fa,
        "country": city.country.code,
        "country_name": country,
        "region": city.region,
        "region_fa": city.region_fa,
    }


def _record_data(name: str, x) -> dict:
    if name == "contacts":
        return {
            "date": _iso(x.date),
            "participants": x.participants,
            "place": x.place,
            "notes": x.notes,
        }
    if name == "goals":
        return {
            "sector": x.sector,
            "description": x.description,
            "description_fa": x.description_fa,
            "indicator": x.indicator,
            "target_date": _iso(x.target_date),
        }
    if name == "commonalities":
        return {"kind": x.kind, "description": x.description, "description_fa": x.description_fa}
    if name == "department_supports":
        return {
            "department": x.department,
            "date": _iso(x.supported_on),
            "joint_committee": x.joint_committee,
            "notes": x.notes,
        }
    if name == "legal_approvals":
        return {
            "side": x.side,
            "authority": x.authority,
            "status": x.status,
            "reference": x.reference,
            "requested_on": _iso(x.requested_on),
            "decided_on": _iso(x.decided_on),
        }
    if name == "memoranda":
        return {
            "version": x.number,
            "signed_on": _iso(x.signed_on),
            "place": x.place,
            "place_fa": x.place_fa,
            "frozen_at": _iso(x.frozen_at),
            "frozen_by": _name(x.frozen_by) if x.frozen_at else None,
            "pdf_sha256": x.pdf_sha256 or None,
            "content_sha256": x.content_sha256 or None,
            "integrity_code": (x.content_sha256 or "")[:INTEGRITY_CODE_LENGTH] or None,
        }
    if name == "delegations":
        return {
            "direction": x.direction,
            "start_date": _iso(x.start_date),
            "end_date": _iso(x.end_date),
            "head": x.head,
            "purpose": x.purpose,
            "outcomes": x.outcomes,
            "official": x.official,
        }
    if name == "activities":
        return {
            "sector": x.sector,
            "title": x.title,
            "start_date": _iso(x.start_date),
            "end_date": _iso(x.end_date),
            "description": x.description,
            "outcome": x.outcome,
        }
    if name == "documents":
        return {
            "kind": x.kind,
            "title": str(x),
            "added": _iso(x.created_at),
            "sha256": x.sha256 or None,
        }
    if name == "stage_requests":
        return {
            "action": x.action,
            "from_stage": x.from_stage,
            "to_stage": x.to_stage,
            "note": x.note,
            "requested_by": _name(x.requested_by),
            "requested_at": _iso(x.created_at),
            "state": x.state,
            "decided_by": _name(x.decided_by) if x.decided_by_id else None,
            "decided_at": _iso(x.decided_at),
            "decision_note": x.decision_note,
        }
    raise KeyError(name)


# The timeline's events that name a move, written without arrows (the page's
# labels have one; Vazirmatn has no arrow glyph).
def _event_title(event, language: str) -> str:
    data = {key: str(value) for key, value in event.data.items()}
    if event.kind == "stage":
        return _("Stage changed from %(from)s to %(to)s") % data
    if event.kind == "status":
        return _("Status changed from %(from)s to %(to)s") % data
    if event.kind == "request" and "from" in data:
        return _("%(action)s requested: from %(from)s to %(to)s") % data
    return event.title(lambda value: number(value, language))


def _event_detail(event, language: str) -> str:
    """The record's words, in Persian for a Persian reader when the record has them."""
    record = event.record
    if language == "fa" and event.kind in ("goal", "commonality") and record.description_fa:
        return record.description_fa
    if language == "fa" and event.kind == "memorandum-signed" and record.place_fa:
        return record.place_fa
    return event.detail


def _timeline(agreement: Agreement, records: dict, language: str) -> tuple[list, list, int]:
    """The latest TIMELINE_LIMIT events (newest first) and every stage or status
    change (oldest first), as data; and how many events are left out."""
    events = timeline(agreement, records)
    rows = [
        {
            "when": _iso(event.when),
            "kind": event.kind,
            "title": _event_title(event, language),
            "by": _name(event.who),
            "detail": truncate(_event_detail(event, language), CHANGE_VALUE_LIMIT * 2),
        }
        for event in events[:TIMELINE_LIMIT]
    ]
    moves: dict[int, dict] = {}
    for event in reversed(events):
        if event.source == "history":
            row = event.record
            moves.setdefault(
                row.history_id,
                {
                    "when": _iso(row.history_date),
                    "from_stage": row.prev_stage,
                    "to_stage": row.stage,
                    "from_status": row.prev_status,
                    "to_status": row.status,
                    "by": _name(row.history_user),
                    "reason": event.detail,
                },
            )
    return rows, list(moves.values()), max(0, len(events) - TIMELINE_LIMIT)


def dossier_data(agreement: Agreement, language: str) -> dict:
    """Everything the dossier shows, as plain data (JSON-ready), in `language`
    where it is words (the history's labels and values, the timeline's events);
    call inside translation.override(language). A fixed number of queries."""
    agreement = Agreement.objects.select_related(
        "home_city", "partner_city", "responsible_officer"
    ).get(pk=agreement.pk)
    records, left_out = _records(agreement)
    events, moves, events_left_out = _timeline(agreement, records, language)
    history, history_left_out = history_rows(agreement, language, limit=HISTORY_LIMIT)
    return {
        "schema": SCHEMA,
        "language": language,
        "agreement": {
            "id": agreement.pk,
            "kind": agreement.kind,
            "stage": agreement.stage,
            "status": agreement.status,
            "stage_changed_at": _iso(agreement.stage_changed_at),
            "origin": agreement.origin,
            "title": agreement.title,
            "summary": agreement.summary,
            "first_contact_on": _iso(agreement.first_contact_on),
            "signed_on": _iso(agreement.signed_on),
            "signed_year": agreement.signed_year,
            "term_years": agreement.term_years,
            "expires_on": _iso(agreement.expires_on),
            "responsible_officer": _name(agreement.responsible_officer),
            "home_city": _city(agreement.home_city, language),
            "partner_city": _city(agreement.partner_city, language),
        },
        **{name: [_record_data(name, record) for record in rows] for name, rows in records.items()},
        "left_out": left_out,
        "stage_history": moves,
        "timeline": events,
        "timeline_left_out": events_left_out,
        "history": [
            {
                "when": _iso(row.when),
                "by": row.who,
                "record": row.what,
                "action": row.action,
                "reason": row.reason,
                "changes": row.changes,
            }
            for row in history
        ],
        "history_left_out": history_left_out,
    }


# --- What the template shows, from the data ----------------------------------------------------


@dataclass
class Section:
    """One table of the dossier; cells are plain text (escaped by the template)."""

    title: str
    columns: list[str]
    widths: list[int]  # percent
    rows: list[list[dict]]
    left_out: int = 0


def _cell(text: str, language: str, *, typed: bool = False) -> dict:
    """A cell's text, cut at TEXT_LIMIT, with the direction its text starts in;
    `typed`: a person's words, isolated."""
    text = truncate(text, TEXT_LIMIT)
    default = "rtl" if language == "fa" else "ltr"
    return {"text": isolate(text) if typed else text, "dir": text_direction(text, default)}


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _sections(data: dict, language: str) -> list[Section]:
    d = lambda value: reader_date(_parse(value), language)  # noqa: E731
    local = lambda fa, en: _local(language, fa, en)  # noqa: E731
    span = lambda start, end: f"{d(start)} – {d(end)}" if end else d(start)  # noqa: E731
    T = lambda text: isolate(text or "")  # noqa: E731  a person's words
    sections = {
        "contacts": Section(
            _("Contacts"),
            [_("Date"), _("Participants"), _("Place"), _("Notes")],
            [14, 30, 20, 36],
            [
                [d(c["date"]), T(c["participants"]), T(c["place"]), T(c["notes"])]
                for c in data["contacts"]
            ],
        ),
        "goals": Section(
            _("Goals"),
            [_("Sector"), _("Objective"), _("How it is checked"), _("Target date")],
            [18, 44, 24, 14],
            [
                [
                    _label(Goal, "sector", g["sector"]),
                    T(local(g["description_fa"], g["description"])),
                    T(g["indicator"]),
                    d(g["target_date"]),
                ]
                for g in data["goals"]
            ],
        ),
        "commonalities": Section(
            _("Commonalities"),
            [_("Kind"), _("Description")],
            [20, 80],
            [
                [
                    _label(Commonality, "kind", c["kind"]),
                    T(local(c["description_fa"], c["description"])),
                ]
                for c in data["commonalities"]
            ],
        ),
        "department_supports": Section(
            _("Department support"),
            [_("Department"), _("Date"), _("Joint committee"), _("Notes")],
            [24, 14, 14, 48],
            [
                [
                    _label(DepartmentSupport, "department", s["department"]),
                    d(s["date"]),
                    yes_no(s["joint_committee"]),
                    T(s["notes"]),
                ]
                for s in data["department_supports"]
            ],
        ),
        "legal_approvals": Section(
            _("Legal approvals"),
            [_("Side"), _("Authority"), _("Status"), _("Reference"), _("Requested"), _("Decided")],
            [12, 24, 14, 20, 15, 15],
            [
                [
                    _label(LegalApproval, "side", a["side"]),
                    _label(LegalApproval, "authority", a["authority"]),
                    _label(LegalApproval, "status", a["status"]),
                    T(a["reference"]),
                    d(a["requested_on"]),
                    d(a["decided_on"]),
                ]
                for a in data["legal_approvals"]
            ],
        ),
        "memoranda": Section(
            _("Memoranda"),
            [
                _("Version"),
                _("Signing date"),
                _("Place"),
                _("Frozen"),
                _("Integrity code"),
                _("SHA-256 of the PDF"),
            ],
            [9, 14, 15, 19, 15, 28],
            [
                [
                    number(m["version"], language),
                    d(m["signed_on"]),
                    T(local(m["place_fa"], m["place"])),
                    _lines(d(m["frozen_at"]), T(m["frozen_by"])) if m["frozen_at"] else "—",
                    m["integrity_code"] or "—",
                    m["pdf_sha256"] or "—",
                ]
                for m in data["memoranda"]
            ],
        ),
        "delegations": Section(
            _("Delegations"),
            [_("Direction"), _("Dates"), _("Head"), _("Purpose and outcomes"), _("Official")],
            [13, 20, 20, 37, 10],
            [
                [
                    _label(Delegation, "direction", x["direction"]),
                    span(x["start_date"], x["end_date"]),
                    T(x["head"]),
                    _lines(T(x["purpose"]), T(x["outcomes"])),
                    yes_no(x["official"]),
                ]
                for x in data["delegations"]
            ],
        ),
        "activities": Section(
            _("Activities"),
            [_("Dates"), _("Sector"), _("Title"), _("Description and outcome")],
            [20, 16, 24, 40],
            [
                [
                    span(x["start_date"], x["end_date"]),
                    _label(Activity, "sector", x["sector"]),
                    T(x["title"]),
                    _lines(T(x["description"]), T(x["outcome"])),
                ]
                for x in data["activities"]
            ],
        ),
        "documents": Section(
            _("Documents"),
            [_("Kind"), _("Title"), _("Added"), _("SHA-256")],
            [14, 30, 16, 40],
            [
                [
                    _label(Document, "kind", x["kind"]),
                    T(x["title"]),
                    d(x["added"]),
                    x["sha256"] or "—",
                ]
                for x in data["documents"]
            ],
        ),
        "stage_requests": Section(
            _("Stage requests"),
            [_("Request"), _("Requested"), _("Decision")],
            [34, 28, 38],
            [
                [
                    _lines(
                        _("From %(from)s to %(to)s")
                        % {
                            "from": _label(StageRequest, "from_stage", r["from_stage"]),
                            "to": _label(StageRequest, "to_stage", r["to_stage"]),
                        },
                        _label(StageRequest, "action", r["action"]),
                        T(r["note"]),
                    ),
                    _lines(T(r["requested_by"]), d(r["requested_at"])),
                    _lines(
                        _label(StageRequest, "state", r["state"]),
                        T(r["decided_by"]),
                        d(r["decided_at"]),
                        T(r["decision_note"]),
                    ),
                ]
                for r in data["stage_requests"]
            ],
        ),
    }
    for name, section in sections.items():
        section.left_out = data["left_out"][name]
        section.rows = [[_cell(text, language) for text in row] for row in section.rows]
    return list(sections.values())


def _facts(data: dict, language: str) -> list[tuple[str, dict]]:
    a = data["agreement"]
    d = lambda value: reader_date(_parse(value), language)  # noqa: E731
    typed = {_("Title"), _("Summary"), _("Responsible officer")}
    facts = [
        (_("Kind"), _label(Agreement, "kind", a["kind"])),
        (_("Stage"), _label(Agreement, "stage", a["stage"])),
        (_("Status"), _label(Agreement, "status", a["status"])),
        (_("In this stage since"), d(a["stage_changed_at"])),
        (_("Origin"), _label(Agreement, "origin", a["origin"]) if a["origin"] else ""),
        (_("Title"), a["title"]),
        (_("First contact"), d(a["first_contact_on"])),
        (_("Signed on"), d(a["signed_on"]) or number(a["signed_year"] or "", language)),
        (_("Term (years)"), number(a["term_years"] or "", language)),
        (_("Expires on"), d(a["expires_on"])),
        (_("Responsible officer"), a["responsible_officer"] or "—"),
        (_("Summary"), a["summary"]),
    ]
    return [
        (label, _cell(value, language, typed=label in typed)) for label, value in facts if value
    ]


def _party(city: dict, language: str) -> dict:
    name = _local(language, city["name_fa"], city["name"])
    other = city["name"] if language == "fa" else city["name_fa"]
    return {
        "name": isolate(name),
        "other_name": isolate(other) if other and other != name else "",
        "country": city["country_name"],
        "region": isolate(_local(language, city["region_fa"], city["region"])),
    }


def _history(data: dict, language: str) -> list[list[dict]]:
    return [
        [
            _cell(reader_date(_parse(row["when"]), language), language),
            _cell(row["by"], language, typed=True),
            _cell(f"{row['record']}: {row['action']}", language),
            _cell(row["reason"], language),
            _cell("\n".join(row["changes"]), language),
        ]
        for row in data["history"]
    ]


def _timeline_rows(data: dict, language: str) -> list[list[dict]]:
    return [
        [
            _cell(reader_date(_parse(event["when"]), language), language),
            _cell(_lines(event["title"], isolate(event["by"] or "")), language),
            _cell(event["detail"], language, typed=True),
        ]
        for event in data["timeline"]
    ]


def _context(data: dict, language: str, generated_at: datetime.datetime) -> dict:
    """Everything the dossier template shows, from the data alone."""
    agreement = data["agreement"]
    return {
        "language": language,
        "direction": "rtl" if language == "fa" else "ltr",
        "kind": _label(Agreement, "kind", agreement["kind"]),
        "stage": _label(Agreement, "stage", agreement["stage"]),
        "status": _label(Agreement, "status", agreement["status"]),
        "home": _party(agreement["home_city"], language),
        "partner": _party(agreement["partner_city"], language),
        "facts": _facts(data, language),
        "sections": _sections(data, language),
        "timeline": _timeline_rows(data, language),
        "timeline_left_out": data["timeline_left_out"],
        "history": _history(data, language),
        "history_left_out": data["history_left_out"],
        "history_limit": HISTORY_LIMIT,
        "generated_at": generated_at,
        "generated_on": reader_date(generated_at, language),
    }


def dossier_context(agreement: Agreement, language: str) -> dict:
    """The template's context of `agreement` now; call inside translation.override."""
    return _context(dossier_data(agreement, language), language, timezone.now())


# --- Rendering and the stored copies ------------------------------------------------------------


@functools.cache
def _catalogue_version(language: str) -> str:
    """A hash of the compiled message catalogue: a deployment with new wording
    does not serve dossiers in the old one."""
    digest = ""
    for folder in settings.LOCALE_PATHS:
        path = Path(folder) / language / "LC_MESSAGES" / "django.mo"
        if path.is_file():
            digest += sha256_hex(path.read_bytes())
    return sha256_hex(digest.encode())


def dossier_hash(data: dict, language: str) -> str:
    """SHA-256 (hex) of what a dossier shows: its data's canonical JSON, the
    layout's version and the wording of its language."""
    key = "\n".join(
        [
            sha256_hex(canonical_json(data)),
            engine.render_version(),
            language,
            _catalogue_version(language),
        ]
    )
    return sha256_hex(key.encode())


def stored_name(agreement_pk: int, language: str, content_hash: str) -> str:
    return f"{STORAGE_FOLDER}/{agreement_pk}/{language}-{content_hash}.pdf"


def _render(data: dict, language: str) -> bytes:
    generated_at = timezone.now()
    html = render_to_string("pdf/dossier.html", _context(data, language, generated_at))
    return engine.html_to_pdf(
        html,
        attachments=[(ATTACHMENT_NAME, canonical_json(data), "Dossier data (JSON)")],
        pdf_a=True,
        created=generated_at,
    )


def _read(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except (FileNotFoundError, OSError):
        return None  # not there, or deleted by a newer dossier meanwhile


def _store(name: str, pdf: bytes) -> None:
    """Save under the content-addressed name. Two requests that rendered the same
    dossier at once both succeed: the second finds the name taken (storage then
    picks another name, which is removed again: the content is the same)."""
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(pdf))
    if saved != name:
        default_storage.delete(saved)


def _prune(agreement_pk: int, language: str, keep: str) -> None:
    """Delete the older dossiers of this agreement in this language."""
    folder = f"{STORAGE_FOLDER}/{agreement_pk}"
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    kept = keep.rsplit("/", 1)[-1]
    for file_name in files:
        if file_name.startswith(f"{language}-") and file_name != kept:
            # Gone already: a concurrent request pruned it.
            with contextlib.suppress(OSError):
                default_storage.delete(f"{folder}/{file_name}")


def render_dossier(agreement: Agreement, *, language: str, use_storage: bool = True) -> bytes:
    """The dossier of `agreement` as PDF/A-3b bytes, in `language` ("fa" or "en"),
    with its data embedded as `dossier.json`: the stored copy when nothing it
    shows has changed, else rendered now (and stored)."""
    with translation.override(language):
        data = dossier_data(agreement, language)
        if not use_storage:
            return _render(data, language)
        name = stored_name(agreement.pk, language, dossier_hash(data, language))
        pdf = _read(name)
        if pdf is not None:
            return pdf
        pdf = _render(data, language)
    try:
        _store(name, pdf)
        _prune(agreement.pk, language, keep=name)
    except OSError:
        # A storage that cannot be written still gets its reader a dossier.
        logger.exception("Could not store the dossier %s", name)
    return pdf
