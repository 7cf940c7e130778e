"""/verify/<code>/: anyone checks a signed memorandum by its integrity code.

The memoranda here are frozen by hand (frozen_at and the stored content hash,
as services.freeze_memorandum leaves them) so no PDF is rendered; the freeze
itself, with its PDF and QR code, is tests/verify/test_verify_qr.py."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from agreements.models import Memorandum, Status
from agreements.pdf import memorandum_content_hash
from agreements.selectors.verification import public_data, public_memorandum, verify_url
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    DocumentFactory,
    MemorandumFactory,
    MemorandumOfficialFactory,
)

pytestmark = pytest.mark.django_db


def frozen(memorandum: Memorandum) -> str:
    """Freeze `memorandum` as the workflow leaves it (without its PDF); its code."""
    memorandum.content_sha256 = memorandum_content_hash(memorandum)
    memorandum.pdf_sha256 = "f" * 64
    memorandum.frozen_at = timezone.now()
    memorandum.save()
    return memorandum.content_sha256[:12]


def signed(status: str = "active", **memorandum_fields) -> tuple[Memorandum, str]:
    home = CityFactory(name=f"Tehran {status}", name_fa="تهران", country="IR")
    partner = CityFactory(name=f"Florence {status}", name_fa="فلورانس", country="IT")
    agreement = AgreementFactory(
        home_city=home,
        partner_city=partner,
        kind="sister",
        stage="active",
        status=status,
        title="Private working title of the partnership",
        summary="Internal summary nobody outside may read",
    )
    memorandum = MemorandumFactory(
        agreement=agreement,
        kind="sister",
        signed_on=datetime.date(2025, 3, 1),
        place="Tehran",
        place_fa="تهران",
        home_signatory_name="Home Mayor",
        home_signatory_name_fa="شهردار تهران",
        partner_signatory_name="Partner Mayor",
        officials=False,
        **memorandum_fields,
    )
    return memorandum, frozen(memorandum)


def anonymous(language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("status", "label_en"),
    [("active", "Active"), ("suspended", "Suspended"), ("terminated", "Terminated")],
)
def test_the_page_shows_the_partnership_status(status, label_en):
    with translation.override("fa"):
        label_fa = str(Status(status).label)  # the product's own status labels
    assert label_fa and label_fa != label_en
    memorandum, code = signed(status)
    response = anonymous("en").get(f"/verify/{code}/")
    assert response.status_code == 200
    page = text(response)
    assert f'data-status="{status}">{label_en}</strong>' in page
    assert "Signed memorandum verified" in page
    assert f"Tehran {status}" in page and f"Florence {status}" in page
    assert "Italy" in page and "Iran" in page
    assert "Sister city" in page
    assert "March 1, 2025" in page and "Tehran" in page
    assert "Persian, English" in page
    assert code in page
    persian = text(anonymous("fa").get(f"/verify/{code}/"))
    assert 'lang="fa" dir="rtl"' in persian
    assert f'data-status="{status}">{label_fa}</strong>' in persian
    assert "فلورانس" in persian and "ایتالیا" in persian and "۱۴۰۳" in persian


def test_the_page_names_the_partner_language_and_a_later_version():
    memorandum, code = signed("active", partner_language="ar")
    later = MemorandumFactory(agreement=memorandum.agreement, supersedes=memorandum)
    frozen(later)
    page = text(anonymous("en").get(f"/verify/{code}/"))
    assert "Persian, English, Arabic" in page
    assert "A later signed version (version 2) replaces this one." in page


def test_nothing_private_is_shown(personas):
    personas.officer.email = "sara.private@tehran.example"
    personas.officer.save()
    memorandum, code = signed("active")
    agreement = memorandum.agreement
    agreement.responsible_officer = personas.officer
    agreement.save()
    memorandum.frozen_by = personas.officer
    memorandum.save()
    MemorandumOfficialFactory(memorandum=memorandum, name="Official Present Person")
    ContactFactory(agreement=agreement, participants="Secret Participant", notes="A private note")
    DocumentFactory(agreement=agreement, title="Confidential letter", original_name="letter.pdf")
    response = anonymous("en").get(f"/verify/{code}/")
    page = text(response)
    for private in [
        "sara.private@tehran.example",
        personas.officer.username,
        "Private working title",
        "Internal summary",
        "Official Present Person",
        "Secret Participant",
        "A private note",
        "Confidential letter",
        "letter.pdf",
        f"/agreements/{agreement.pk}",
        "@",
    ]:
        assert private not in page, private
    data = anonymous().get(f"/verify/{code}/", HTTP_ACCEPT="application/json").json()
    assert set(data) == {
        "integrity_code", "genuine", "content_sha256", "pdf_sha256", "kind", "version",
        "parties", "signed_on", "place", "place_fa", "languages", "signatories", "frozen_at",
        "partnership_status", "superseded_by_version", "url",
    }  # fmt: skip
    assert "@" not in str(data) and "Official Present" not in str(data)


def test_json_answer():
    memorandum, code = signed("suspended")
    response = anonymous().get(f"/verify/{code}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["partnership_status"] == "suspended" and data["genuine"] is True
    assert data["url"] == f"{settings.SITE_URL}/verify/{code}/" == verify_url(code)
    assert data["parties"]["partner"] == {
        "name": "Florence suspended",
        "name_fa": "فلورانس",
        "country": "IT",
    }
    assert data["signed_on"] == "2025-03-01" and data["languages"] == ["fa", "en"]
    assert data == public_data(public_memorandum(code))


def test_unknown_draft_and_malformed_codes_are_404():
    draft = MemorandumFactory()
    draft_code = memorandum_content_hash(draft)[:12]  # printed on the draft's pages
    memorandum, code = signed("active")
    client = anonymous("en")
    for bad in [
        "0" * 12,
        draft_code,
        code[:11],
        code + "0",
        "zzzzzzzzzzzz",
        "%20" + code,
        "'%20OR%201=1--",
        "a" * 200,
    ]:
        response = client.get(f"/verify/{bad}/")
        assert response.status_code == 404, bad
        assert "No signed memorandum has this integrity code." in text(response)
    assert (
        client.get(f"/verify/{draft_code}/", HTTP_ACCEPT="application/json").json()["code"]
        == "not_found"
    )
    # The code as someone types it from the paper: upper case is the same code.
    assert client.get(f"/verify/{code.upper()}/").status_code == 200


def test_a_code_finds_its_memorandum_among_its_neighbours():
    """The lookup is a range on the index of content_sha256 (gte code, lt code + "g"):
    codes that share all but the last digit, or end where another goes on, stay apart."""
    hashes = {
        "abcdef012345": "abcdef012345" + "0" * 52,
        "abcdef012346": "abcdef012346" + "f" * 52,
        "abcdef01234f": "abcdef01234f" + "9" * 52,
    }
    found = {}
    for status, (code, content_hash) in zip(
        ("active", "suspended", "terminated"), hashes.items(), strict=True
    ):
        memorandum, _code = signed(status)
        memorandum.content_sha256 = content_hash
        memorandum.save()
        found[code] = content_hash
    for code, content_hash in found.items():
        assert public_memorandum(code).content_sha256 == content_hash
        assert public_memorandum(code.upper()).content_sha256 == content_hash
    assert public_memorandum("abcdef012344") is None
    assert public_memorandum("abcdef012347") is None


def test_rate_limit_on_misses(settings):
    settings.VERIFY_MISSES_PER_MINUTE = 3
    memorandum, code = signed("active")
    client = anonymous("en")
    other = Client(REMOTE_ADDR="10.9.9.9")
    for number in range(3):
        assert client.get(f"/verify/{number:012d}/").status_code == 404
    blocked = client.get(f"/verify/{'1' * 12}/")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) <= 60
    assert "Wait a minute" in text(blocked)
    # Once over the limit even a known code is refused, so misses cannot hide among hits...
    assert client.get(f"/verify/{code}/").status_code == 429
    json = client.get(f"/verify/{code}/", HTTP_ACCEPT="application/json")
    assert json.status_code == 429 and json.json()["code"] == "throttled"
    # ...from that address only.
    assert other.get(f"/verify/{code}/").status_code == 200


def test_hits_do_not_count(settings):
    settings.VERIFY_MISSES_PER_MINUTE = 2
    memorandum, code = signed("active")
    client = anonymous("en")
    for _number in range(5):
        assert client.get(f"/verify/{code}/").status_code == 200


def test_anonymous_no_session_no_login():
    memorandum, code = signed("active")
    client = Client()
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "Sign out" not in text(response)
    assert "no-store" in response["Cache-Control"]
    # Persian by default, right to left, under the product's Content-Security-Policy.
    assert '<html lang="fa" dir="rtl">' in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert client.post(f"/verify/{code}/").status_code in {403, 405}


def test_the_form_sends_a_typed_code_to_its_page():
    memorandum, code = signed("active")
    client = anonymous("en")
    assert client.get("/verify/").status_code == 200
    response = client.get("/verify/", {"code": f" {code[:6].upper()} {code[6:]} "})
    assert response.status_code == 302 and response["Location"] == f"/verify/{code}/"
    refused = client.get("/verify/", {"code": "not a code"})
    assert refused.status_code == 400 and "This is not an integrity code" in text(refused)


def test_query_count(django_assert_num_queries):
    memorandum, code = signed("active")
    client = anonymous("en")
    client.get(f"/verify/{code}/")
    with django_assert_num_queries(2):
        assert client.get(f"/verify/{code}/").status_code == 200


def test_the_api_answers_anyone(settings):
    settings.VERIFY_MISSES_PER_MINUTE = 2
    memorandum, code = signed("terminated")
    client = Client()
    response = client.get(f"/api/v1/verify/{code}/")
    assert response.status_code == 200
    data = response.json()
    assert data["partnership_status"] == "terminated" and data["integrity_code"] == code
    assert data == public_data(public_memorandum(code)) | {"frozen_at": data["frozen_at"]}
    # A token or session is not needed, and a wrong one does not matter.
    assert (
        client.get(f"/api/v1/verify/{code}/", HTTP_AUTHORIZATION="Token nonsense").status_code
        == 200
    )
    missing = client.get(f"/api/v1/verify/{'0' * 12}/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/v1/verify/nonsense/").status_code == 404
    throttled = client.get(f"/api/v1/verify/{code}/")
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) <= 60
    # The page and the API count misses together.
    assert client.get(f"/verify/{code}/").status_code == 429
