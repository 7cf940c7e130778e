"""The bilingual memorandum of understanding as a PDF.

Persian (right to left) and English (left to right) side by side, article by
article. The text is the legal text in both languages at once, whatever the
reader's language: its wording is in the template and the articles, not in the
message catalogue.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import Kind, Memorandum, Side
from ..selectors.verification import verify_url
from . import engine
from .common import canonical_json, clean_text, jalali_iso, sha256_hex, text_direction
from .qr import qr_svg
from .wording import isolate, supersedes_line, wording

# Version of the canonical content's shape (and of the embedded JSON). Changing
# the shape changes every hash: bump this and say so in the changelog.
CONTENT_SCHEMA = "sistercities.memorandum/2"
ATTACHMENT_NAME = "memorandum.json"
INTEGRITY_CODE_LENGTH = 12
CACHE_SECONDS = 7 * 24 * 3600


def _country(city, language: str) -> str:
    with translation.override(language):
        return str(city.country.name)


def _party(city, name_partner: str, partner_language: str) -> dict:
    return {
        "name_en": clean_text(city.name),
        "name_fa": clean_text(city.name_fa or city.name),
        "name_partner": clean_text(name_partner),
        "country": city.country.code,
        "country_en": _country(city, "en"),
        "country_fa": _country(city, "fa"),
        "country_partner": _country(city, partner_language) if partner_language else "",
    }


def _signatory(memorandum: Memorandum, side: str) -> dict:
    return {
        field: clean_text(getattr(memorandum, f"{side}_signatory_{field}"))
        for field in ("name", "name_fa", "name_partner", "title", "title_fa", "title_partner")
    }


def languages_of(memorandum: Memorandum) -> list[str]:
    """The memorandum's languages as its columns stand, left to right: English,
    the partner's language when there is one, Persian."""
    return ["en", *([memorandum.partner_language] if memorandum.partner_language else []), "fa"]


def in_language(data: dict, field: str, language: str, partner_language: str) -> str:
    """One of a text's versions: `field_fa` in Persian, `field_partner` in the
    partner's language, `field_en` (or `field`) in English; a missing Persian or
    partner text falls back to the English one."""
    english = data.get(f"{field}_en", data.get(field, ""))
    if language == "fa":
        return data.get(f"{field}_fa") or english
    if language == partner_language:
        return data.get(f"{field}_partner") or english
    return english


def _wordings(memorandum: Memorandum, content: dict) -> dict:
    partner_language = content["partner_language"]
    # The "done at" sentence names Persian first, then the partner's language, then English.
    spoken = ["fa", *([partner_language] if partner_language else []), "en"]
    wordings = {}
    for language in content["languages"]:
        parties = {
            side: {
                "name": in_language(content["parties"][side], "name", language, partner_language),
                "country": in_language(
                    content["parties"][side], "country", language, partner_language
                ),
            }
            for side in ("home", "partner")
        }
        wordings[language] = wording(
            language,
            kind=memorandum.kind,
            languages=spoken,
            home=parties["home"],
            partner=parties["partner"],
            version=memorandum.number,
            signed_on=memorandum.signed_on,
            place=in_language(content["signing"], "place", language, partner_language),
            has_commonalities=bool(content["commonalities"]),
            article_count=len(content["articles"]),
        )
        supersedes = content["supersedes"]
        wordings[language]["supersedes"] = (
            supersedes_line(
                language,
                version=supersedes["number"],
                date=datetime.date.fromisoformat(supersedes["date"])
                if supersedes["date"]
                else None,
                code=supersedes["integrity_code"],
            )
            if supersedes
            else ""
        )
    return wordings


def _officials(memorandum: Memorandum) -> dict:
    officials: dict[str, list[dict]] = {Side.HOME: [], Side.PARTNER: []}
    for official in memorandum.officials.order_by("side", "position", "id"):
        officials[official.side].append(
            {
                field: clean_text(getattr(official, field))
                for field in (
                    "name",
                    "name_fa",
                    "name_partner",
                    "title",
                    "title_fa",
                    "title_partner",
                )
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
    partner_language = memorandum.partner_language
    content = {
        "schema": CONTENT_SCHEMA,
        "kind": memorandum.kind,
        "version": memorandum.number,
        "languages": languages_of(memorandum),
        "partner_language": partner_language,
        "parties": {
            "home": _party(agreement.home_city, memorandum.home_name_partner, partner_language),
            "partner": _party(
                agreement.partner_city, memorandum.partner_name_partner, partner_language
            ),
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
                "heading_partner": clean_text(article.heading_partner),
                "body_partner": clean_text(article.body_partner),
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
            "place_partner": clean_text(memorandum.place_partner),
        },
        "term_years": memorandum.term_years,
        "signatories": {
            "home": _signatory(memorandum, "home"),
            "partner": _signatory(memorandum, "partner"),
        },
        "officials": _officials(memorandum),
        "supersedes": _superseded_friendship(memorandum),
    }
    # The fixed texts as printed, with the names in them: the hash covers every
    # language's wording, not only the articles.
    content["wording"] = _wordings(memorandum, content)
    return content


def memorandum_content_hash(memorandum: Memorandum) -> str:
    """SHA-256 (hex) of the canonical JSON of the memorandum's content. Its first
    characters are the integrity code printed on every page."""
    return content_hash_of(memorandum_content(memorandum))


def content_hash_of(content: dict) -> str:
    """The hash of a memorandum_content() already read (the partner's page shows the
    content and confirms its hash without reading it twice)."""
    return sha256_hex(canonical_json(content))


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


# The lang attribute of each language's column (BCP 47), which picks its font
# in static/css/pdf-languages.css.
HTML_LANG = {"zh-hans": "zh-Hans"}


def _block(text: str, words: dict) -> dict:
    """A paragraph of stored text with its own direction: an English text where
    the partner's is missing keeps its full stop on the right in an Arabic column.
    A line that runs the other way (an English goal under an Arabic article) is
    isolated, so its leading dash stays at its start."""
    block_direction = text_direction(text, words["direction"])
    lines = [isolate(line, block_direction) for line in text.split("\n")]
    return {"text": "\n".join(lines), "dir": block_direction}


def _column(language: str, content: dict, integrity: str) -> dict:
    partner_language = content["partner_language"]
    words = content["wording"][language]

    def text(data: dict, field: str) -> str:
        return in_language(data, field, language, partner_language)

    return {
        "language": language,
        "lang": HTML_LANG.get(language, language),
        "dir": words["direction"],
        "words": words,
        "integrity_code": integrity,
        "commonalities": [
            _block(commonality["fa"] if language == "fa" else commonality["en"], words)
            for commonality in content["commonalities"]
        ],
        "articles": [
            {
                "label": label,
                "heading": isolate(text(article, "heading"), words["direction"]),
                "body": _block(text(article, "body"), words),
            }
            for label, article in zip(words["articles"], content["articles"], strict=True)
        ],
        "officials": [
            {
                "signs": words[f"{side}_signs"],
                "people": [
                    {
                        "name": isolate(text(official, "name"), words["direction"]),
                        "title": isolate(text(official, "title"), words["direction"]),
                    }
                    for official in content["officials"][side]
                ],
            }
            for side in ("home", "partner")
        ],
        "signatories": {
            side: {
                "name": isolate(text(content["signatories"][side], "name"), words["direction"]),
                "title": isolate(text(content["signatories"][side], "title"), words["direction"]),
            }
            for side in ("home", "partner")
        },
    }


SECTIONS = ("mou-title", "parties", "preamble")
CLOSING = ("signing", "officials")


def _sections(columns: list[dict], article_count: int) -> list[dict]:
    """The memorandum's table, section by section (title, parties, preamble, each
    article, "done at", officials), each a list of rows of cells. Two languages
    stand side by side, English left and Persian right. With a third, the partner's
    language and Persian stand side by side and English runs below them across
    the page: the two signatories' languages read together, and wider columns
    take half the lines that three narrow ones did (a render about twice as fast)."""
    if len(columns) == 3:
        english, partner, persian = columns
        layout = [[(partner, 1), (persian, 1)], [(english, 2)]]
    else:
        layout = [[(column, 1) for column in columns]]
    kinds = [*((kind, None) for kind in SECTIONS)]
    kinds += [("article", index) for index in range(article_count)]
    kinds += [(kind, None) for kind in CLOSING]
    sections = []
    for kind, index in kinds:
        rows = []
        for number, row in enumerate(layout):
            cells = [
                {
                    "column": column,
                    "span": span,
                    "article": column["articles"][index] if index is not None else None,
                }
                for column, span in row
            ]
            rows.append({"below": number > 0, "cells": cells})
        sections.append({"kind": kind, "rows": rows})
    return sections


def _plain(*texts: str) -> tuple[str, ...]:
    """Texts without the isolate marks wording.isolate adds."""
    return tuple(text.strip("\u2068\u2069") for text in texts)


def _signers(columns: list[dict], side: str) -> list[dict]:
    """A side's signature block, a line per language; a name printed in English
    because it has no partner-language form is not printed twice."""
    signers = []
    for column in columns:
        signer = {"column": column, "signs": column["words"][f"{side}_signs"]}
        signer |= column["signatories"][side]
        if signers and _plain(signer["name"], signer["title"]) == _plain(
            signers[-1]["name"], signers[-1]["title"]
        ):
            signer["name"] = signer["title"] = ""
        signers.append(signer)
    return signers


def _context(
    memorandum: Memorandum,
    content: dict,
    content_hash: str,
    draft: bool,
    created: datetime.datetime,
) -> dict:
    code = integrity_code(content_hash)
    columns = [_column(language, content, code) for language in content["languages"]]
    home, partner = content["parties"]["home"], content["parties"]["partner"]
    english = content["wording"]["en"]
    # A signed (non-draft) memorandum carries, beside its code on every page, the
    # QR code of its verify page: derived from the code, so it is not part of the
    # content the code hashes. A draft's code verifies nothing, so it has no QR.
    verify = "" if draft else verify_url(code)
    return {
        "content": content,
        "columns": columns,
        "sections": _sections(columns, len(content["articles"])),
        "signature_sides": [_signers(columns, side) for side in ("home", "partner")],
        "title_en": english["title"],
        "title_fa": content["wording"]["fa"]["title"],
        "draft_words": [{"word": column["words"]["draft"], "column": column} for column in columns],
        "integrity_code": code,
        "integrity_code_en": english["integrity_code"],
        "integrity_code_fa": content["wording"]["fa"]["integrity_code"],
        "verify_url": verify,
        "qr_svg": qr_svg(verify) if verify else "",
        "draft": draft,
        "created_iso": created.isoformat(timespec="seconds"),
        "keywords": [home["name_en"], home["name_fa"], partner["name_en"], partner["name_fa"]],
        "three_languages": len(columns) == 3,
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
        extra_stylesheets=[engine.LANGUAGES_STYLESHEET] if content["partner_language"] else [],
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
    # SITE_URL too: a signed rendering prints it (the QR code and its address).
    site = sha256_hex(settings.SITE_URL.encode())[:8]
    key = f"pdf-mou:{engine.render_version()}:{site}:{sha256_hex(data)}"
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
