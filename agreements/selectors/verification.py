"""What anyone may know about a signed memorandum from its integrity code.

The code is the first characters of the memorandum's content hash
(`Memorandum.content_sha256`, stored when it is frozen; `pdf.memorandum.integrity_code`),
printed on every page with a QR code to `verify_url(code)`. The public facts are
those the paper itself shows on its first page: the two parties and their
countries, the kind, the date and place of signing, the languages, the version
and the two signatories (public office-holders signing a public document), plus
the partnership's status today. Nothing else leaves here: no agreement id or
title, no officials present, no people's e-mails, no documents, notes, history,
requests or users. Used by the verify page and the API's verify endpoint.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django_countries import countries

from ..models import Kind, Memorandum, PartnerLanguage, Status

# As printed: twelve lowercase hexadecimal characters (pdf.memorandum.INTEGRITY_CODE_LENGTH).
CODE = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True)
class PublicParty:
    name: str
    name_fa: str
    country: str  # ISO 3166-1 code

    @property
    def country_name(self) -> str:
        """In the active language (django-countries); the code when it is not one."""
        return str(countries.name(self.country)) or self.country


@dataclass(frozen=True)
class PublicSignatory:
    name: str
    name_fa: str
    title: str
    title_fa: str


@dataclass(frozen=True)
class PublicMemorandum:
    code: str
    content_sha256: str
    pdf_sha256: str
    kind: str
    version: int
    home: PublicParty
    partner: PublicParty
    signed_on: datetime.date | None
    place: str
    place_fa: str
    # Persian, English and the partner language when there is one (codes).
    languages: list[str] = field(default_factory=list)
    partner_language: str = ""
    frozen_at: datetime.datetime | None = None
    home_signatory: PublicSignatory | None = None
    partner_signatory: PublicSignatory | None = None
    status: str = ""  # the partnership's status (models.Status)
    # The number of a later signed version of the same memorandum, if one replaces it.
    superseded_by: int | None = None

    @property
    def parties(self) -> list[PublicParty]:
        return [self.home, self.partner]

    @property
    def signatories(self) -> list[PublicSignatory]:
        return [s for s in (self.home_signatory, self.partner_signatory) if s is not None]

    @property
    def kind_label(self) -> str:
        return str(dict(Kind.choices).get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(dict(Status.choices).get(self.status, self.status))

    @property
    def language_labels(self) -> list[str]:
        names = {
            "fa": gettext("Persian"),
            "en": gettext("English"),
            **dict(PartnerLanguage.choices),
        }
        return [str(names.get(code, code)) for code in self.languages]


def normalised_code(code: str) -> str | None:
    """The code as stored (lowercase), or None when it cannot be one (nothing
    around it: the form removes what a person types between its characters)."""
    code = (code or "").lower()
    return code if CODE.fullmatch(code) else None


def verify_path(code: str) -> str:
    return reverse("verify-memorandum", args=[code])


def verify_url(code: str) -> str:
    """The absolute address printed (as a QR code) on every page of a frozen memorandum."""
    return f"{settings.SITE_URL}{verify_path(code)}"


def _signatory(memorandum: Memorandum, side: str) -> PublicSignatory:
    return PublicSignatory(
        name=getattr(memorandum, f"{side}_signatory_name"),
        name_fa=getattr(memorandum, f"{side}_signatory_name_fa"),
        title=getattr(memorandum, f"{side}_signatory_title"),
        title_fa=getattr(memorandum, f"{side}_signatory_title_fa"),
    )


def public_memorandum(code: str) -> PublicMemorandum | None:
    """The public facts of the frozen memorandum whose integrity code is `code`;
    None for a malformed code, an unknown one and a draft's (a draft prints a
    code too, but only a frozen memorandum stores one). Two queries at most."""
    code = normalised_code(code)
    if code is None:
        return None
    memorandum = (
        Memorandum.objects.filter(
            # The range reads the index on content_sha256 (a LIKE does not, on
            # either database); hex digits all sort before "g".
            content_sha256__gte=code,
            content_sha256__lt=f"{code}g",
            content_sha256__startswith=code,
            frozen_at__isnull=False,
        )
        .select_related("agreement__home_city", "agreement__partner_city")
        .order_by("frozen_at", "pk")
        .first()
    )
    if memorandum is None or len(memorandum.content_sha256) != 64:
        return None
    agreement = memorandum.agreement
    later = (
        Memorandum.objects.filter(
            agreement_id=agreement.pk, frozen_at__isnull=False, number__gt=memorandum.number
        )
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    home, partner = agreement.home_city, agreement.partner_city
    return PublicMemorandum(
        code=code,
        content_sha256=memorandum.content_sha256,
        pdf_sha256=memorandum.pdf_sha256,
        kind=memorandum.kind,
        version=memorandum.number,
        home=PublicParty(home.name, home.name_fa or home.name, home.country.code),
        partner=PublicParty(partner.name, partner.name_fa or partner.name, partner.country.code),
        signed_on=memorandum.signed_on,
        place=memorandum.place,
        place_fa=memorandum.place_fa or memorandum.place,
        languages=[
            "fa",
            "en",
            *([memorandum.partner_language] if memorandum.partner_language else []),
        ],
        partner_language=memorandum.partner_language,
        frozen_at=memorandum.frozen_at,
        home_signatory=_signatory(memorandum, "home"),
        partner_signatory=_signatory(memorandum, "partner"),
        status=agreement.status,
        superseded_by=later,
    )


def public_data(memorandum: PublicMemorandum) -> dict:
    """The same facts as plain JSON data (codes, ISO dates; labels in English), for
    the page's `Accept: application/json` answer and the API."""

    def party(value: PublicParty) -> dict:
        return {"name": value.name, "name_fa": value.name_fa, "country": value.country}

    def signatory(value: PublicSignatory | None) -> dict | None:
        if value is None:
            return None
        return {
            "name": value.name,
            "name_fa": value.name_fa,
            "title": value.title,
            "title_fa": value.title_fa,
        }

    return {
        "integrity_code": memorandum.code,
        "genuine": True,
        "content_sha256": memorandum.content_sha256,
        "pdf_sha256": memorandum.pdf_sha256,
        "kind": memorandum.kind,
        "version": memorandum.version,
        "parties": {"home": party(memorandum.home), "partner": party(memorandum.partner)},
        "signed_on": memorandum.signed_on.isoformat() if memorandum.signed_on else None,
        "place": memorandum.place,
        "place_fa": memorandum.place_fa,
        "languages": list(memorandum.languages),
        "signatories": {
            "home": signatory(memorandum.home_signatory),
            "partner": signatory(memorandum.partner_signatory),
        },
        "frozen_at": memorandum.frozen_at.isoformat() if memorandum.frozen_at else None,
        "partnership_status": memorandum.status,
        "superseded_by_version": memorandum.superseded_by,
        "url": verify_url(memorandum.code),
    }
