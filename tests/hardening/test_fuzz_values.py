"""Property-based fuzzing of the values the API stores (hypothesis).

For every API write of a text or date field (agreements, every record kind under
/api/v1/agreements/{id}/<kind>/, cities; POST and PATCH), arbitrary text (control
characters, CR/LF, NUL, lone surrogates, bidi marks, very long) and any date
Python has (0001-01-01 to 9999-12-31). Two properties:

- the API never answers 5xx;
- whatever it stored lies within the bounds (cities.validators), and renders:
  the agreement page, its history page, the API detail and history (and the CSV
  and XLSX exports, for the fields they hold) answer 200 after each stored value;
  the dossier PDF (Persian and English) and the exports once per field group over
  everything stored (records accumulate; earlier values of a patched field stay
  in the history the dossier prints).

Bounded (EXAMPLES per field group, derandomised, so a run is repeatable and takes
well under a minute); marked `fuzz`, and part of the default run.
"""

from __future__ import annotations

import itertools
import json

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements.api.records import RECORD_VIEWSETS
from agreements.models import Agreement, Document
from cities.models import City
from cities.validators import DATE_MAX, DATE_MIN
from tests.factories import (
    ActivityFactory,
    AgreementFactory,
    CityFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DepartmentSupportFactory,
    GoalFactory,
    LegalApprovalFactory,
    MemorandumFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = 30

# Characters that have broken something somewhere: controls, line and paragraph
# separators, bidi controls, BOM, noncharacters, a lone surrogate, Persian letters.
AWKWARD = (
    "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9f\xa0\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202e\u2028\u2029\u2066\u2069\ufeff\ufffd\ufffe\uffff\ud800\udfff"
    "تهران۱۴۰۵ =+-@'\"<>&%"
)
texts = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.text(st.sampled_from(AWKWARD), max_size=12),
    st.builds(
        lambda text, times: text * times, st.text(min_size=1, max_size=3), st.integers(80, 3000)
    ),
)
dates = st.one_of(st.dates(), st.dates(min_value=DATE_MIN, max_value=DATE_MAX), st.just(None)).map(
    lambda day: day.isoformat() if day else None
)

# Per field group: the writable text and date fields (and a base that makes the
# rest of a POST valid).
TEXT_FIELDS = {
    "agreements": ["title", "summary"],
    "contacts": ["participants", "place", "notes"],
    "goals": ["description", "description_fa", "indicator"],
    "commonalities": ["description", "description_fa"],
    "department-supports": ["notes"],
    "legal-approvals": ["reference", "notes"],
    "memoranda": [
        "place",
        "place_fa",
        "home_signatory_name",
        "home_signatory_name_fa",
        "home_signatory_title",
        "home_signatory_title_fa",
        "partner_signatory_name",
        "partner_signatory_name_fa",
        "partner_signatory_title",
        "partner_signatory_title_fa",
    ],
    "delegations": ["head", "members", "purpose", "outcomes"],
    "activities": ["title", "description", "outcome", "partners"],
    "documents": ["title"],
    "cities": ["name", "name_fa", "region", "region_fa", "titles", "titles_fa"],
}
DATE_FIELDS = {
    "agreements": ["first_contact_on", "expires_on"],
    "contacts": ["date"],
    "goals": ["target_date"],
    "department-supports": ["supported_on"],
    "legal-approvals": ["requested_on", "decided_on"],
    "memoranda": ["signed_on"],
    "delegations": ["start_date", "end_date"],
    "activities": ["start_date", "end_date"],
}
BASE = {
    "contacts": {"date": "2024-05-01", "participants": "Both mayors"},
    "goals": {"sector": "culture", "description": "A cultural week"},
    "commonalities": {"kind": "historical", "description": "Silk Road"},
    "department-supports": {"department": "council"},
    "legal-approvals": {"authority": "home_council", "status": "granted"},
    "memoranda": {},
    "delegations": {"direction": "outgoing", "start_date": "2025-04-01", "head": "Deputy"},
    "activities": {"sector": "arts", "title": "Exhibition", "start_date": "2025-05-01"},
    "cities": {"name": "Fuzz City", "country": "IT"},
}
# Documents are uploaded as files (multipart); their title is fuzzed by PATCH only.
GROUPS = ["agreements", *RECORD_VIEWSETS, "cities"]
assert set(TEXT_FIELDS) == set(GROUPS)


def payloads(group: str):
    optional = dict.fromkeys(TEXT_FIELDS[group], texts)
    optional |= dict.fromkeys(DATE_FIELDS.get(group, []), dates)
    return st.fixed_dictionaries({}, optional=optional).filter(bool)


@pytest.fixture
def world(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    records = {
        "contacts": ContactFactory(agreement=agreement),
        "goals": GoalFactory(agreement=agreement),
        "commonalities": CommonalityFactory(agreement=agreement),
        "department-supports": DepartmentSupportFactory(agreement=agreement),
        "legal-approvals": LegalApprovalFactory(agreement=agreement),
        "memoranda": MemorandumFactory(agreement=agreement),
        "delegations": DelegationFactory(agreement=agreement),
        "activities": ActivityFactory(agreement=agreement),
        "documents": Document.objects.create(
            agreement=agreement, kind="letter", file=ContentFile(b"%PDF-1.4", name="letter.pdf")
        ),
        "cities": agreement.partner_city,
    }
    _token, key = AuthToken.objects.create(user=personas.officer)
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    pages = Client(raise_request_exception=False)
    pages.force_login(personas.officer)
    return {"agreement": agreement, "records": records, "api": api, "pages": pages}


_numbers = itertools.count()


def _write(world, group: str, method: str, payload: dict):
    agreement = world["agreement"]
    if group == "agreements":
        if method == "post":
            partner = CityFactory()
            payload = {"home_city": agreement.home_city_id, "partner_city": partner.pk, **payload}
            url = "/api/v1/agreements/"
        else:
            url = f"/api/v1/agreements/{agreement.pk}/"
    elif group == "cities":
        if method == "post":
            payload = {**BASE["cities"], "name": f"Fuzz City {next(_numbers)}", **payload}
            url = "/api/v1/cities/"
        else:
            url = f"/api/v1/cities/{world['records']['cities'].pk}/"
    else:
        base = f"/api/v1/agreements/{agreement.pk}/{group}/"
        if method == "post":
            payload = {**BASE[group], **payload}
            url = base
        else:
            url = f"{base}{world['records'][group].pk}/"
    # ensure_ascii: a lone surrogate travels as a \ud800 escape, as a client may send it.
    body = json.dumps(payload, ensure_ascii=True)
    return getattr(world["api"], method)(url, body, content_type="application/json"), payload


def _stored(group: str, response, world):
    """The stored object of a successful write, read back from the database."""
    object_id = response.json()["id"]
    if group == "cities":
        return City.objects.get(pk=object_id)
    if group == "agreements":
        return Agreement.objects.get(pk=object_id)
    return RECORD_VIEWSETS[group].model.objects.get(pk=object_id)


def _assert_within_bounds(obj, payload: dict) -> None:
    for name in payload:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        if value not in (None, ""):
            field.run_validators(value)  # raises if something slipped through


def _get_all(client, urls: list[str]) -> None:
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)


def _assert_renders(world, agreement: Agreement, *, exports: bool) -> None:
    """The pages that show the stored value (exports only the agreement's own fields
    and its cities' names)."""
    pages = [f"/agreements/{agreement.pk}/", f"/agreements/{agreement.pk}/history/"]
    if exports:
        pages += ["/agreements/export.csv", "/agreements/export.xlsx"]
    _get_all(world["pages"], pages)
    _get_all(
        world["api"],
        [f"/api/v1/agreements/{agreement.pk}/", f"/api/v1/agreements/{agreement.pk}/history/"],
    )


def _assert_documents_render(world, agreement: Agreement, languages) -> None:
    """Everything stored so far (records accumulate; earlier values of a patched field
    are in the history it prints), in the dossier PDF and the exports."""
    for language in languages:
        world["pages"].cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
        _get_all(
            world["pages"],
            [
                f"/agreements/{agreement.pk}/dossier.pdf",
                f"/agreements/{agreement.pk}/",
                "/agreements/export.csv",
                "/agreements/export.xlsx",
            ],
        )
    world["pages"].cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fa"


@pytest.mark.parametrize("group", GROUPS)
def test_any_text_or_date_is_refused_or_stored_and_rendered(world, group):
    methods = ["patch"] if group == "documents" else ["post", "patch"]
    created: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(method=st.sampled_from(methods), payload=payloads(group))
    def write_then_read(method, payload):
        response, sent = _write(world, group, method, payload)
        assert response.status_code < 500, (method, sent, response.content[:500])
        if response.status_code >= 300:
            return
        stored = _stored(group, response, world)
        _assert_within_bounds(stored, payload)
        agreement = stored if isinstance(stored, Agreement) else world["agreement"]
        if agreement.pk != world["agreement"].pk:
            created.append(agreement.pk)
        _assert_renders(world, agreement, exports=group in ("agreements", "cities"))

    write_then_read()
    _assert_documents_render(world, world["agreement"], ["fa", "en"])
    if created:
        # A dossier costs most of a second: the last agreement created stands for the
        # others (the same fields, which the patched agreement's dossier also prints).
        _assert_documents_render(world, Agreement.objects.get(pk=created[-1]), ["fa"])
