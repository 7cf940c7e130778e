"""The dossier of one agreement, for a council meeting: parties, stage, every
record, the timeline, the stage requests and the history, in the reader's
language only.

Two steps. `dossier_data(agreement, language)` (pdf/dossier_data.py) reads
everything the dossier shows, in a fixed number of queries, as plain data (codes, ISO dates, texts,
people by the name they go by): it is embedded in the PDF as `dossier.json`
(PDF/A-3b), and the template is filled from it alone (`_context`), so that the
hash of its canonical JSON is the hash of what the dossier shows.
`render_dossier` keeps each rendering in the default storage under
`dossiers/<agreement id>/<language>-<hash>.pdf` (the hash also covers the
layout, `engine.render_version()`, and the message catalogue): a second request
for an unchanged agreement reads the stored file; any change (a record, a stage,
a history row) names a new file and the older ones of that language are deleted.

Bounded for absurd input: the data holds at most RECORD_LIMIT rows of each
kind of record, the latest TIMELINE_LIMIT events and HISTORY_LIMIT history rows
(pdf/dossier_data.py), each table with a note saying how many were left out;
here long texts are cut at TEXT_LIMIT characters.

The dossier says when it was rendered ("generated on"): a stored copy keeps the
moment it was rendered, which is after the last change it shows.

Every value a person typed (names, titles, notes) is wrapped in Unicode isolates
(FSI … PDI, `isolate`): WeasyPrint 70 ignores `unicode-bidi: isolate`, `<bdi>`
and `dir="auto"`, but Pango honours the characters, so "Qatar Week!" inside a
Persian line keeps its "!" after its words.
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
from ..selectors.display import choice_label, yes_no
from . import dossier_data as data_module
from . import engine
from .common import canonical_json, number, reader_date, sha256_hex, text_direction, truncate
from .dossier_data import dossier_data, local_variant

logger = logging.getLogger(__name__)

ATTACHMENT_NAME = "dossier.json"
STORAGE_FOLDER = "dossiers"
TEXT_LIMIT = 500

FSI, PDI = "\u2068", "\u2069"


def isolate(text: str) -> str:
    """Each line of a person's text as its own bidi isolate (a line break ends an
    isolate, so each line gets its own): its direction from its first strong
    letter, its neutrals (brackets, full stops) kept inside."""
    if not text:
        return ""
    return "\n".join(f"{FSI}{line}{PDI}" if line else "" for line in text.split("\n"))


def _parse(value: str | None) -> datetime.date | datetime.datetime | None:
    """An ISO date or moment of the data back to a date or an aware datetime."""
    if not value:
        return None
    if "T" in value:
        return datetime.datetime.fromisoformat(value)
    return datetime.date.fromisoformat(value)


def _label(model: type[models.Model], field: str, code: str) -> str:
    return choice_label(model._meta.get_field(field), code)


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
    direction = text_direction(text, default)
    return {
        "text": isolate(text) if typed else text,
        "dir": direction,
        # Each line in its own direction: an English title under a Persian label
        # in one right-to-left cell copied out as ")Signed memorandum (scan".
        "lines": [
            {"text": isolate(line) if typed else line, "dir": text_direction(line, direction)}
            for line in text.split("\n")
        ],
    }


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _sections(data: dict, language: str) -> list[Section]:
    d = lambda value: reader_date(_parse(value), language)  # noqa: E731
    local = lambda fa, en: local_variant(language, fa, en)  # noqa: E731
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
    name = local_variant(language, city["name_fa"], city["name"])
    other = city["name"] if language == "fa" else city["name_fa"]
    other = other if other and other != name else ""
    return {
        "plain_name": name,
        "name": isolate(name),
        # On a line of its own, in its own direction: "تهران (Tehran)" on one line
        # copied out of a Persian page as "تهران ()Tehran" (poppler moves a bracket
        # at the edge of a run of the other direction).
        "other_name": isolate(other),
        "other_direction": text_direction(other, "ltr" if language == "fa" else "rtl"),
        "country": city["country_name"],
        "region": isolate(local_variant(language, city["region_fa"], city["region"])),
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
            _cell(reader_date(_parse(event["day"]), language), language),
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
        "history_limit": data_module.HISTORY_LIMIT,
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


@functools.cache
def _code_version() -> str:
    """A hash of the code that turns the data into the page (this module and
    the history's wording): a deployment that changes a column or a phrase
    renders anew."""
    here = Path(__file__).parent
    return sha256_hex(b"".join((here / name).read_bytes() for name in ("dossier.py", "history.py")))


def dossier_hash(data: dict, language: str) -> str:
    """SHA-256 (hex) of what a dossier shows: its data's canonical JSON, the
    layout's version (stylesheet, templates, this code) and the wording of its
    language."""
    key = "\n".join(
        [
            sha256_hex(canonical_json(data)),
            engine.render_version(),
            _code_version(),
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
    """The stored copy, when it is there and whole: a file another request is
    still writing (FileSystemStorage writes under the final name) is no answer."""
    try:
        with default_storage.open(name, "rb") as stored:
            pdf = stored.read()
    except OSError:
        return None  # not there, or deleted by a newer dossier meanwhile
    if not pdf.startswith(b"%PDF-") or not pdf.rstrip().endswith(b"%%EOF"):
        return None
    return pdf


def _store(name: str, pdf: bytes) -> None:
    """Save under the content-addressed name. Two requests that rendered the same
    dossier at once both succeed: the second finds the name taken (storage then
    picks another name, which is removed again: the content is the same)."""
    if default_storage.exists(name):
        if _read(name) is not None:
            return
        default_storage.delete(name)  # left half-written (a crash): replaced
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
