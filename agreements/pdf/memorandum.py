"""The bilingual memorandum of understanding as a PDF.

Persian (right to left) and English (left to right) side by side, article by
article. The text is the legal text in both languages at once, whatever the
reader's language: its wording is in the template and the articles, not in the
message catalogue.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..dates import persian_digits
from ..models import Kind, Memorandum, Side
from . import engine
from .common import (
    canonical_json,
    clean_text,
    date_both_en,
    date_both_fa,
    jalali_iso,
    sha256_hex,
)

# Version of the canonical content's shape (and of the embedded JSON). Changing
# the shape changes every hash: bump this and say so in the changelog.
CONTENT_SCHEMA = "sistercities.memorandum/2"
ATTACHMENT_NAME = "memorandum.json"
INTEGRITY_CODE_LENGTH = 12
CACHE_SECONDS = 7 * 24 * 3600

RELATION = {
    Kind.SISTER: ("sister-city", "خواهرخواندگی"),
    Kind.FRIENDSHIP: ("friendship-city", "دوستی"),
}


def _country(city, language: str) -> str:
    with translation.override(language):
        return str(city.country.name)


def _party(city) -> dict:
    return {
        "name_en": clean_text(city.name),
        "name_fa": clean_text(city.name_fa or city.name),
        "country": city.country.code,
        "country_en": _country(city, "en"),
        "country_fa": _country(city, "fa"),
    }


def _signatory(memorandum: Memorandum, side: str) -> dict:
    return {
        field: clean_text(getattr(memorandum, f"{side}_signatory_{field}"))
        for field in ("name", "name_fa", "title", "title_fa")
    }


def _officials(memorandum: Memorandum) -> dict:
    officials: dict[str, list[dict]] = {Side.HOME: [], Side.PARTNER: []}
    for official in memorandum.officials.order_by("side", "position", "id"):
        officials[official.side].append(
            {
                field: clean_text(getattr(official, field))
                for field in ("name", "name_fa", "title", "title_fa")
            }
        )
    return {str(side): names for side, names in officials.items()}


def _superseded_friendship(memorandum: Memorandum) -> dict | None:
    """The friendship memorandum a sister memorandum replaces (an upgrade makes the
    sister version supersede the friendship one; services.requests._apply_upgrade)."""
    previous = memorandum.supersedes
    if (
        previous is None
        or memorandum.kind != Kind.SISTER
        or previous.kind != Kind.FRIENDSHIP
        or not previous.is_frozen
    ):
        return None
    return {
        "number": previous.number,
        "date": previous.signed_on.isoformat() if previous.signed_on else None,
        "integrity_code": integrity_code(previous.content_sha256),
    }


def memorandum_content(memorandum: Memorandum) -> dict:
    """Everything the signed text says, as plain data: the parties, the preamble's
    commonalities, the articles in both languages, place and dates, term and
    signatories. Its canonical JSON is what the integrity code hashes, so it
    holds text only (no database ids, no stage, no timestamps)."""
    agreement = memorandum.agreement
    signed_on = memorandum.signed_on
    return {
        "schema": CONTENT_SCHEMA,
        "kind": memorandum.kind,
        "version": memorandum.number,
        "parties": {
            "home": _party(agreement.home_city),
            "partner": _party(agreement.partner_city),
        },
        "commonalities": [
            {
                "kind": commonality.kind,
                "en": clean_text(commonality.description),
                "fa": clean_text(commonality.description_fa or commonality.description),
            }
            for commonality in agreement.commonalities.order_by("id")
        ],
        "articles": [
            {
                "number": number,
                "key": article.key,
                "heading_en": clean_text(article.heading_en),
                "heading_fa": clean_text(article.heading_fa),
                "body_en": clean_text(article.body_en),
                "body_fa": clean_text(article.body_fa),
            }
            for number, article in enumerate(
                memorandum.articles.order_by("position", "id"), start=1
            )
        ],
        "signing": {
            "date": signed_on.isoformat() if signed_on else None,
            "date_jalali": jalali_iso(signed_on),
            "place_en": clean_text(memorandum.place),
            "place_fa": clean_text(memorandum.place_fa or memorandum.place),
        },
        "term_years": memorandum.term_years,
        "signatories": {
            "home": _signatory(memorandum, "home"),
            "partner": _signatory(memorandum, "partner"),
        },
        "officials": _officials(memorandum),
        "supersedes": _superseded_friendship(memorandum),
    }


def memorandum_content_hash(memorandum: Memorandum) -> str:
    """SHA-256 (hex) of the canonical JSON of the memorandum's content. Its first
    characters are the integrity code printed on every page."""
    return sha256_hex(canonical_json(memorandum_content(memorandum)))


def integrity_code(content_hash: str) -> str:
    return content_hash[:INTEGRITY_CODE_LENGTH]


def attachment_data(memorandum: Memorandum, content: dict, content_hash: str, draft: bool) -> dict:
    """The JSON embedded in the PDF: the content plus what identifies the
    agreement, so another system can read the memorandum without scraping."""
    agreement = memorandum.agreement
    return {
        "schema": CONTENT_SCHEMA,
        "agreement": {
            "id": agreement.pk,
            "kind": agreement.kind,
            "stage": agreement.stage,
            "status": agreement.status,
            "origin": agreement.origin,
            "title": clean_text(agreement.title),
            "goals": [
                {
                    "sector": goal.sector,
                    "en": clean_text(goal.description),
                    "fa": clean_text(goal.description_fa),
                }
                for goal in agreement.goals.order_by("id")
            ],
        },
        "memorandum": {"id": memorandum.pk, "number": memorandum.number, "draft": draft},
        "content_sha256": content_hash,
        "integrity_code": integrity_code(content_hash),
        "content": content,
    }


def _supersedes_context(supersedes: dict | None) -> dict | None:
    if supersedes is None:
        return None
    signed = datetime.date.fromisoformat(supersedes["date"]) if supersedes["date"] else None
    return {
        **supersedes,
        "number_fa": persian_digits(supersedes["number"]),
        "date_en": date_both_en(signed) if signed else "—",
        "date_fa": date_both_fa(signed) if signed else "—",
    }


def _context(
    memorandum: Memorandum,
    content: dict,
    content_hash: str,
    draft: bool,
    created: datetime.datetime,
) -> dict:
    relation_en, relation_fa = RELATION.get(memorandum.kind, RELATION[Kind.FRIENDSHIP])
    signed_on = memorandum.signed_on
    home, partner = content["parties"]["home"], content["parties"]["partner"]
    articles = [
        {
            **article,
            "number_fa": persian_digits(article["number"]),
        }
        for article in content["articles"]
    ]
    return {
        "content": content,
        "home": home,
        "partner": partner,
        "articles": articles,
        "relation_en": relation_en,
        "relation_fa": relation_fa,
        "version": memorandum.number,
        "version_fa": persian_digits(memorandum.number),
        "signed_on_en": date_both_en(signed_on) if signed_on else "",
        "signed_on_fa": date_both_fa(signed_on) if signed_on else "",
        "sides": [
            {
                "party": home,
                "signatory": content["signatories"]["home"],
                "officials": content["officials"]["home"],
            },
            {
                "party": partner,
                "signatory": content["signatories"]["partner"],
                "officials": content["officials"]["partner"],
            },
        ],
        "supersedes": _supersedes_context(content["supersedes"]),
        "integrity_code": integrity_code(content_hash),
        "draft": draft,
        "created_iso": created.isoformat(timespec="seconds"),
        "keywords": [home["name_en"], home["name_fa"], partner["name_en"], partner["name_fa"]],
    }


def _prepare(memorandum: Memorandum, draft: bool) -> tuple[dict, str, bytes]:
    """The content, its hash, and the JSON to embed."""
    content = memorandum_content(memorandum)
    content_hash = sha256_hex(canonical_json(content))
    data = canonical_json(attachment_data(memorandum, content, content_hash, draft))
    return content, content_hash, data


def _render(
    memorandum: Memorandum, content: dict, content_hash: str, data: bytes, draft: bool
) -> bytes:
    created = memorandum.frozen_at or timezone.now()
    # Both languages at once, whatever the reader's: render outside the
    # request's language so Django's number and date formatting stays plain.
    with translation.override("en"):
        html = render_to_string(
            "pdf/memorandum.html", _context(memorandum, content, content_hash, draft, created)
        )
    return engine.html_to_pdf(
        html,
        attachments=[(ATTACHMENT_NAME, data, "Memorandum data (JSON)")],
        pdf_a=True,
        created=created,
    )


def render_memorandum(
    memorandum: Memorandum, *, draft: bool | None = None, use_cache: bool = True
) -> bytes:
    """The memorandum as PDF/A-3b bytes.

    draft=None means "as it stands": a frozen memorandum gives back exactly the
    stored file (verified against `pdf_sha256`); any other is rendered with DRAFT on every page. draft=True or
    False forces a fresh rendering with or without the DRAFT marks.

    Renderings are cached (Django's cache framework) under a hash of everything
    they show and embed, plus the template and stylesheet version: a draft whose
    content has not changed is not rendered again. The cache is only an
    optimisation; a miss, or a separate cache per app server, renders again.
    """
    if draft is None:
        if memorandum.is_frozen and memorandum.pdf:
            from ..files import verified_bytes

            # Only while it still matches its SHA-256 (else StoredFileMismatch).
            return verified_bytes(memorandum.pdf, memorandum.pdf_sha256, record=memorandum)
        draft = not memorandum.is_frozen
    content, content_hash, data = _prepare(memorandum, draft)
    if not use_cache:
        return _render(memorandum, content, content_hash, data, draft)
    key = f"pdf-mou:{engine.render_version()}:{sha256_hex(data)}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = _render(memorandum, content, content_hash, data, draft)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def freeze_pdf(memorandum: Memorandum) -> None:
    """Render the final (non-draft) PDF and store it in `memorandum.pdf`, with
    `pdf_sha256` (of the file) and `content_sha256` (the integrity hash) set.

    Saves the file to storage but NOT the model row: the caller
    (services.freeze_memorandum) sets frozen_at/frozen_by and saves the row in
    its transaction. Set `frozen_at` before calling to have it as the PDF's
    creation date. Refuses to replace a file already stored: a frozen PDF is
    never regenerated. If the caller's transaction rolls back, the stored file
    is left behind unreferenced (harmless; storage never reuses a name).
    """
    if memorandum.pdf:
        raise ValueError("This memorandum already has a frozen PDF.")
    content, content_hash, data = _prepare(memorandum, draft=False)
    pdf = _render(memorandum, content, content_hash, data, draft=False)
    name = f"memorandum-{memorandum.agreement_id}-v{memorandum.number}.pdf"
    memorandum.pdf.save(name, ContentFile(pdf), save=False)
    memorandum.pdf_sha256 = sha256_hex(pdf)
    memorandum.content_sha256 = content_hash
