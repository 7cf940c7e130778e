"""Persian through and through: every page and document a Persian reader opens is
Persian, with Persian digits.

Each persona signs in, switches to Persian and opens every page of the product (the
agreement list, page, history, every record form, approvals, dashboard, import page,
the calendar-feed page, exports, the directory and a city's page, the sign-in page,
the 403 and 404 pages; not the admin and not the API) and every document (the memorandum PDF and the dossier,
which holds the history, read back with pdftotext). The visible text (text nodes and
the title, placeholder, aria-label and alt attributes; not scripts or styles) fails on

- an English system phrase: a run of Latin letters that is not a code, an ISO value, a
  hash, a value the test itself stored (city names in English, the English text of the
  memorandum, user names, e-mail addresses: every text field of the rows built below)
  or one of ALLOWED_TERMS;
- a Latin digit outside those codes and values.

The message names the page and the offending text. test_checker_* below prove the
checker catches both kinds of fault.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from agreements import errors, services
from agreements.memoranda import add_default_articles
from agreements.models import (
    Counterpart,
    ExportJob,
    Kind,
    PartnerConfirmation,
    RequestAction,
    Stage,
)
from agreements.pdf.memorandum import integrity_code, memorandum_content_hash
from agreements.services import calendar as feed_tokens
from agreements.views.delegations import PART_KINDS
from agreements.views.sections import KINDS
from tests.factories import (
    ActivityFactory,
    AgreementFactory,
    CityFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DocumentFactory,
    GoalFactory,
    MemorandumFactory,
    officials_form_data,
)
from tests.workflow_helpers import agreement_at, approved_move, fulfil_gate

pytestmark = pytest.mark.django_db

# Words a Persian page may show in Latin letters: names of file formats and of the
# interface, which Persian readers use as they are.
ALLOWED_TERMS = {
    "PDF", "CSV", "XLSX", "ZIP", "API", "English", "SHA", "ISO", "Vazirmatn", "GeoJSON",
}  # fmt: skip
# The language switch is labelled in the language it switches to, for the reader who
# needs it (templates/_language_switch.html).
ALLOWED_PHRASES = ["Switch to English"]

# Codes, ISO values and hashes, removed before the text is judged.
CODE_PATTERNS = [
    re.compile(
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    ),
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),  # UUID
    re.compile(r"\b[0-9a-fA-F]{12,}\b"),  # SHA-256 and other digests, error ids
    re.compile(r"SHA-256|UTF-8"),
    re.compile(r"\b[A-Z]{2}\b"),  # an ISO country code (IR, IT)
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"https?://\S+"),
    re.compile(r"\bU\+[0-9A-F]{4,6}\b"),  # a character's code point
]
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
# Persian text up to the next Latin letter (the memorandum's Persian half).
PERSIAN_RUN = re.compile(r"[\u0600-\u06ff][^A-Za-z]*")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
LATIN_DIGITS = re.compile(r"[0-9]+(?:[.,:/][0-9]+)*")
SKIPPED_ELEMENTS = {"script", "style", "code", "template"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes outside scripts, styles and
    <code>, and the attributes a browser or a screen reader shows."""

    def __init__(self, *, skip_classes: set[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skip_classes = skip_classes
        self._stack: list[bool] = []  # per open element: does it hide its text?

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        hides = tag in SKIPPED_ELEMENTS or bool(classes & self.skip_classes)
        if not self._hidden() and not hides:
            for name in VISIBLE_ATTRIBUTES:
                if attrs.get(name):
                    self.texts.append(attrs[name])
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID_ELEMENTS:
            self._stack.append(hides)

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self._stack:
            self._stack.pop()

    def handle_endtag(self, tag) -> None:
        if tag not in VOID_ELEMENTS and self._stack:
            self._stack.pop()

    def handle_data(self, data) -> None:
        if not self._hidden() and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str, *, skip_classes: set[str] = frozenset()) -> list[str]:
    parser = VisibleText(skip_classes=skip_classes)
    parser.feed(html)
    parser.close()
    return parser.texts


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def located_faults(text: str, allowed_values: list[str]) -> list[tuple[str, int]]:
    """What is wrong in one piece of visible Persian text, with where it starts:
    English words and Latin digits that are not codes, hashes, ISO values, listed
    terms or stored values (each blanked out before the rest is judged)."""
    rest = text
    for value in [*ALLOWED_PHRASES, *allowed_values]:  # longest first
        start = rest.find(value)
        while start != -1:
            rest = _blank(rest, start, start + len(value))
            start = rest.find(value, start + len(value))
    for pattern in CODE_PATTERNS:
        for match in pattern.finditer(rest):
            rest = _blank(rest, *match.span())
    found = [
        (f"English {match.group()!r}", match.start())
        for match in LATIN_WORD.finditer(rest)
        if match.group() not in ALLOWED_TERMS
    ]
    found += [
        (f"Latin digits {match.group()!r}", match.start()) for match in LATIN_DIGITS.finditer(rest)
    ]
    return sorted(found, key=lambda fault: fault[1])


def faults(text: str, allowed_values: list[str]) -> list[str]:
    return [fault for fault, _start in located_faults(text, allowed_values)]


def page_faults(name: str, texts: list[str], allowed_values: list[str]) -> list[str]:
    problems = []
    for text in texts:
        for fault, start in located_faults(text, allowed_values):
            context = text if len(text) <= 160 else text[max(0, start - 70) : start + 90]
            problems.append(f"{name}: {fault} in {context!r}")
    return problems


def report(problems: list[str]) -> str:
    """Each fault once, with the pages it is on ("page: fault in 'text'")."""
    pages_of: dict[str, list[str]] = {}
    for problem in problems:
        page, _sep, fault = problem.partition(": ")
        pages_of.setdefault(fault, [])
        if page not in pages_of[fault]:
            pages_of[fault].append(page)
    return "\n".join(
        f"{fault}\n    on {', '.join(pages[:4])}{' …' if len(pages) > 4 else ''}"
        for fault, pages in pages_of.items()
    )


# --- The checker can fail --------------------------------------------------------------


def test_checker_finds_latin_digits_in_persian_text():
    assert faults("۳ تفاهم‌نامه، نسخهٔ 2", []) == ["Latin digits '2'"]
    assert faults("سطر 3: تاریخ نامعتبر است", []) == ["Latin digits '3'"]
    assert faults("نسخهٔ ۲ از ۱۴۰۴/۰۱/۱۲", []) == []


def test_checker_finds_an_english_phrase():
    assert faults("بازگشت به Dashboard", []) == ["English 'Dashboard'"]
    assert faults("Save changes", []) == ["English 'Save'", "English 'changes'"]


def test_checker_lets_codes_values_and_terms_through():
    digest = "ab" * 32
    assert faults(f"کد یکپارچگی {digest}، تاریخ 2025-03-01، PDF", []) == []
    assert faults("شهر Florence با dana@example.org", ["Florence"]) == []
    assert faults("شهر Florence", []) == ["English 'Florence'"]


def test_checker_reads_attributes_and_skips_scripts():
    html = (
        '<p title="Close">متن <b>۱</b></p><input placeholder="Search"><script>var x = 1'
        '</script><input type="hidden" value="hidden 2"><img alt="Logo"><code>ISO 12</code>'
    )
    assert visible_texts(html) == ["Close", "متن", "۱", "Search", "Logo"]


# --- The world a Persian reader opens ------------------------------------------------------


def text_values() -> list[str]:
    """Every value of a free-text field stored by the test (choice codes excluded: a
    page must show their labels), user names and e-mail addresses, longest first."""
    values: set[str] = set()
    labels = {"agreements", "cities"}
    for model in apps.get_models():
        if model._meta.label_lower == "auth.user":
            fields = ["username", "email", "first_name", "last_name"]
        elif model._meta.app_label in labels and not model.__name__.startswith("Historical"):
            fields = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, (models.CharField, models.TextField, models.FileField))
                and not field.choices
            ]
        else:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if isinstance(value, str) and value.strip():
                    values.add(value.strip())
                    values.update(line.strip() for line in value.splitlines() if line.strip())
                    values.update(value.rsplit("/", 1)[-1:])  # a stored file's name
    return sorted(values, key=len, reverse=True)


@pytest.fixture
def world(personas):
    officer, approver = personas.officer, personas.approver
    officer.first_name, officer.last_name = "Sara", "Ahmadi"
    officer.save()
    florence = CityFactory(
        name="Florence",
        name_fa="فلورانس",
        country="IT",
        region="Tuscany",
        region_fa="توسکانی",
        population=360_930,
        titles="European Capital of Culture, 1986",
        titles_fa="پایتخت فرهنگی اروپا، ۱۹۸۶",
        characteristics=["historic", "tourism"],
    )
    agreement = agreement_at(
        Stage.GOALS,
        home_city=personas.tehran,
        partner_city=florence,
        title="همکاری فرهنگی تهران و فلورانس",
        summary="هفتهٔ فرهنگی مشترک و تبادل هنرمندان",
        responsible_officer=officer,
    )
    fulfil_gate(agreement)
    GoalFactory(
        agreement=agreement,
        description="Exchange young artists every summer",
        description_fa="تبادل هنرمندان جوان هر تابستان",
        indicator="Number of artists",
    )
    CommonalityFactory(
        agreement=agreement,
        description="Both are historic capitals of craft",
        description_fa="هر دو پایتخت تاریخی صنایع دستی‌اند",
    )
    ContactFactory(agreement=agreement, participants="Both mayors", place="Tehran City Hall")
    approved_move(agreement, RequestAction.ADVANCE, by=officer, approver=approver)
    rejected = services.make_request(
        agreement=agreement, by=officer, action=RequestAction.SUSPEND, note="Budget freeze"
    )
    services.reject_stage_request(
        stage_request=rejected, by=approver, note="The budget is approved"
    )
    fulfil_gate(agreement)  # the legal approvals
    memorandum = MemorandumFactory(
        agreement=agreement,
        place="Tehran",
        place_fa="تهران",
        home_signatory_name_fa="شهردار تهران",
        partner_signatory_name_fa="شهردار فلورانس",
    )
    add_default_articles(memorandum)
    # The partner's review on the memorandum page: a link, a comment with its reply,
    # a confirmation (now outdated). The partner's own page is not a Persian page: its
    # words are English (agreements/views/partner.py page_language).
    counterpart = services.save_record(
        record=Counterpart(agreement=agreement, name="Giulia Rossi", email="giulia@example.org"),
        by=officer,
    )
    link, _token = services.create_partner_link(
        memorandum=memorandum, by=officer, counterpart=counterpart
    )
    comment = services.add_partner_comment(
        link=link, name="Giulia Rossi", body="Article 2?", article_id=memorandum.articles.first().pk
    )
    services.reply_to_partner_comment(comment=comment, by=officer, reply="بله، اصلاح می‌شود.")
    PartnerConfirmation.objects.create(
        link=link,
        memorandum=memorandum,
        name="Giulia Rossi",
        email="giulia@example.org",
        content_hash="0" * 64,
    )
    DocumentFactory(agreement=agreement, title="Letter of intent", original_name="intent.pdf")
    trip = DelegationFactory(agreement=agreement, head="Deputy mayor", purpose="Craft fair")
    _delegation_protocol(trip, officer)
    ActivityFactory(agreement=agreement, title="Joint exhibition of miniatures")
    meeting = _committee_and_plan(agreement, officer)
    services.make_request(
        agreement=agreement, by=officer, action=RequestAction.ADVANCE, note="All approvals in"
    )
    kyoto = CityFactory(name="Kyoto", name_fa="کیوتو", country="JP", population=1_460_000)
    signed = agreement_at(
        Stage.ACTIVE,
        home_city=personas.tehran,
        partner_city=kyoto,
        title="پیمان خواهرخواندگی تهران و کیوتو",
        kind="sister",
        public_summary_fa="هفتهٔ فرهنگی ژاپن در تهران",
        signed_on=datetime.date(2019, 5, 4),
    )
    # The public page (/public/tehran/) shows its activities and official delegations.
    ActivityFactory(agreement=signed, title="هفتهٔ فیلم کیوتو")
    DelegationFactory(agreement=signed, head="Deputy mayor", direction="incoming")
    # Enough agreements and cities for a second page of the list and the directory.
    for number in range(51):
        AgreementFactory(home_city=personas.tehran, title=f"همکاری شمارهٔ {number}")
    now = timezone.now()
    export = ExportJob.objects.create(
        owner=officer,
        format="xlsx",
        language="fa",
        state="running",
        rows_total=12_500,
        rows_done=5_000,
        size=123_456,
        expires_at=now + datetime.timedelta(days=1),
    )
    # The officer has a calendar address (its page shows it), the others none yet;
    # a delegation ahead, for the dashboard's next delegations.
    feed_tokens.feed_token(officer)
    ahead = timezone.localdate() + datetime.timedelta(days=10)
    DelegationFactory(
        agreement=agreement,
        direction="incoming",
        start_date=ahead,
        end_date=ahead + datetime.timedelta(days=3),
        head="Mayor of Florence",
    )
    agreement.refresh_from_db()
    return {
        "agreement": agreement,
        "signed": signed,
        "memorandum": memorandum,
        "export": export,
        "delegation": trip,
        "meeting": meeting,
    }


def _delegation_protocol(delegation, officer) -> None:
    """One record of every kind under the delegation (its page, forms, the register)."""
    from decimal import Decimal

    from agreements.models import BudgetLine, Ceremony, DelegationParticipant, Gift, ProgrammeItem

    day = delegation.start_date
    for record in [
        DelegationParticipant(
            delegation=delegation,
            name="Reza Karimi",
            role="Interpreter",
            travel_documents="visa_requested",
            dietary_needs="Vegetarian",
        ),
        ProgrammeItem(
            delegation=delegation,
            date=day,
            start_time=datetime.time(9, 30),
            end_time=datetime.time(11, 0),
            description="Welcome at City Hall",
            description_fa="خوش‌آمدگویی در شهرداری",
            place="City Hall",
            responsible=officer,
        ),
        BudgetLine(
            delegation=delegation,
            category="travel",
            planned_amount=Decimal("12500.50"),
            actual_amount=Decimal("12000"),
            currency="EUR",
        ),
        Gift(
            delegation=delegation,
            direction="received",
            description="Crystal vase",
            estimated_value=Decimal("300"),
            currency="EUR",
            date=day,
        ),
        Ceremony(delegation=delegation, date=day, venue="Council chamber"),
    ]:
        services.save_record(record=record, by=officer)


def _committee_and_plan(agreement, by):
    """The joint committee (a member, a meeting with decisions) and this Jalali year's
    action plan with an item done, one overdue and one made from a decision (issue 22)."""
    from agreements.dates import to_jalali
    from agreements.models import ActionPlan, ActionPlanItem, CommitteeMeeting, CommitteeMember

    services.save_record(
        record=CommitteeMember(agreement=agreement, side="partner", name="Sindaco", is_chair=True),
        by=by,
    )
    meeting = services.save_record(
        record=CommitteeMeeting(
            agreement=agreement,
            date=datetime.date(2025, 5, 1),
            place="Florence",
            agenda="Craft fair",
            decisions="Open a craft school\nTwin museums",
        ),
        by=by,
    )
    today = timezone.localdate()
    plan = services.save_record(
        record=ActionPlan(agreement=agreement, calendar="jalali", year=to_jalali(today).year),
        by=by,
    )
    services.item_from_decision(meeting=meeting, plan=plan, decision=1, by=by)
    for status in ("done", "in_progress"):
        services.save_record(
            record=ActionPlanItem(
                agreement=agreement,
                plan=plan,
                sector="arts",
                owner_department="economic",
                description=f"Miniature workshop {status}",
                partner_counterpart="Uffizi",
                due_date=plan.starts_on,
                status=status,
            ),
            by=by,
        )
    return meeting


def persian_client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    return client


def pages(world) -> list[str]:
    agreement, signed = world["agreement"], world["signed"]
    pk = agreement.pk
    urls = [
        "/",
        "/agreements/",
        "/agreements/?page=2",
        "/agreements/?stage=legal&kind=friendship&partner_country=IT",
        "/agreements/?signed_year_min=abc",
        "/agreements/new/",
        "/agreements/exports/",
        f"/agreements/exports/{world['export'].pk}/",
        "/agreements/import/",
        "/approvals/",
        "/calendar/",
        f"/agreements/{pk}/",
        f"/agreements/{pk}/edit/",
        f"/agreements/{pk}/history/",
        f"/agreements/{signed.pk}/",
        f"/agreements/{signed.pk}/history/",
        "/cities/",
        "/cities/?page=2",
        "/cities/?missing_fa=on",
        "/cities/new/",
        f"/cities/{agreement.partner_city_id}/",
        f"/cities/{agreement.partner_city_id}/edit/",
        f"/cities/{agreement.home_city_id}/",
        "/agreements/999999/",  # 404
        # The public pages (issue 23), for anyone.
        "/public/",
        f"/public/{signed.home_city.slug}/",
        f"/agreements/{pk}/committee-meetings/{world['meeting'].pk}/make-item/?decision=2",
        # A frozen memorandum whose stored PDF is missing: the refusal page (409).
        reverse("agreements:memorandum-pdf", args=[signed.pk, signed.memoranda.get().pk]),
    ]
    trip = world["delegation"]
    urls += [f"/agreements/{pk}/delegations/{trip.pk}/", "/gifts/", "/gifts/?year=2025"]
    for slug, kind in PART_KINDS.items():
        urls.append(f"/agreements/{pk}/delegations/{trip.pk}/{slug}/new/")
        for record in kind.model.objects.filter(delegation=trip):
            urls.append(f"/agreements/{pk}/delegations/{trip.pk}/{slug}/{record.pk}/edit/")
    for slug, kind in KINDS.items():
        urls.append(f"/agreements/{pk}/{slug}/new/")
        for record in kind.records(agreement):
            urls.append(f"/agreements/{pk}/{slug}/{record.pk}/edit/")
    return urls


def check_pages(client: Client, urls: list[str], allowed: list[str]) -> tuple[list, dict]:
    problems, statuses = [], {}
    for url in urls:
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code >= 500:
            problems.append(f"{url}: answered {response.status_code}")
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        texts = visible_texts(response.content.decode())
        problems += page_faults(url, texts, allowed)
    return problems, statuses


def test_every_page_is_persian_for_every_persona(personas, world):
    allowed = text_values()
    problems = []
    for persona in ("officer", "approver", "viewer", "admin", "isfahan_officer", "outsider"):
        found, statuses = check_pages(
            persian_client(getattr(personas, persona)), pages(world), allowed
        )
        problems += [f"[{persona}] {problem}" for problem in found]
        pk = world["agreement"].pk
        expected = {
            # The pages and the error pages each persona meets are all among those judged.
            "officer": {
                f"/agreements/{pk}/": 200,
                "/agreements/?page=2": 200,
                "/cities/?page=2": 200,
                "/calendar/": 200,
            },
            "approver": {"/approvals/": 200, "/calendar/": 200},
            "viewer": {f"/agreements/{pk}/edit/": 403, f"/agreements/{pk}/goals/new/": 403},
            "admin": {"/agreements/import/": 200, "/agreements/999999/": 404},
            "isfahan_officer": {f"/agreements/{pk}/": 404},
            "outsider": {"/": 403, f"/agreements/{pk}/": 403},  # the no-role page
        }[persona]
        assert {url: statuses[url] for url in expected} == expected, persona
    public_pages = ["/public/", f"/public/{personas.tehran.slug}/"]
    anonymous, statuses = check_pages(
        persian_client(), ["/accounts/login/", *public_pages], allowed
    )
    assert [statuses[url] for url in public_pages] == [200, 200]
    problems += [f"[anonymous] {problem}" for problem in anonymous]
    assert not problems, report(problems)


def test_the_verify_pages_are_persian(world):
    """/verify/<code>/ of a signed memorandum, an unknown code's, the form, a refused
    code and the rate limit's answer, as anyone (no sign-in) reads them."""
    memorandum = world["signed"].memoranda.get()
    memorandum.content_sha256 = memorandum_content_hash(memorandum)
    memorandum.pdf_sha256 = "e" * 64
    memorandum.save()
    code = integrity_code(memorandum.content_sha256)
    later = world["signed"].memoranda.create(number=2, supersedes=memorandum, kind="sister")
    later.frozen_at = timezone.now()
    later.content_sha256 = "d" * 64
    later.save()
    urls = [f"/verify/{code}/", "/verify/", "/verify/?code=xyz", "/verify/000000000000/"]
    problems, statuses = check_pages(persian_client(), urls, text_values())
    assert statuses == dict(zip(urls, [200, 200, 400, 404], strict=True)), statuses
    client = persian_client()
    for _number in range(settings.VERIFY_MISSES_PER_MINUTE):
        client.get("/verify/111111111111/")
    found, statuses = check_pages(client, [f"/verify/{code}/"], text_values())
    assert statuses == {f"/verify/{code}/": 429}
    assert not problems + found, report(problems + found)


def memorandum_post(memorandum, **changes) -> dict:
    """The memorandum form with its articles, as the edit page sends it."""
    data = {
        "version": memorandum.version,
        "signed_on": "",
        "place": memorandum.place,
        "place_fa": memorandum.place_fa,
        "term_years": memorandum.term_years,
        "articles-TOTAL_FORMS": memorandum.articles.count(),
        "articles-INITIAL_FORMS": memorandum.articles.count(),
        **officials_form_data(memorandum),
    }
    for index, article in enumerate(memorandum.articles.all()):
        prefix = f"articles-{index}-"
        data[prefix + "id"] = article.pk
        data[prefix + "version"] = article.version
        for name in ("position", "key", "heading_en", "heading_fa", "body_en", "body_fa"):
            data[prefix + name] = getattr(article, name)
    data.update(changes)
    return data


def test_forms_with_errors_and_messages_are_persian(personas, world):
    """Refused forms (400) and a saved one (its message on the next page)."""
    agreement, memorandum = world["agreement"], world["memorandum"]
    client = persian_client(personas.officer)
    refused = [
        (f"/agreements/{agreement.pk}/request-advance/", {"advance-note": ""}),
        (f"/agreements/{agreement.pk}/goals/new/", {"sector": "culture", "description": "هدف"}),
        (
            f"/agreements/{agreement.pk}/memoranda/{memorandum.pk}/edit/",
            memorandum_post(memorandum, place="تهران", place_fa="Tehran"),
        ),
        # Django's own messages, with their numbers ("at most 99", "200 characters").
        (
            f"/agreements/{agreement.pk}/memoranda/{memorandum.pk}/edit/",
            memorandum_post(memorandum, term_years="150", place="P" * 250),
        ),
        (
            f"/cities/{agreement.partner_city_id}/edit/",
            {
                "name": "Florence",
                "country": "IT",
                "latitude": "100",
                "population": "-5",
                "version": agreement.partner_city.version,
            },
        ),
    ]
    answers = []
    for url, data in refused:
        response = client.post(url, data)
        assert response.status_code in {200, 400, 409}, (url, response.status_code)
        answers.append((f"POST {url}", response))
    refused_script = answers[2][1].content.decode()
    assert "به خط فارسی بنویسید" in refused_script and "متن انگلیسی است" in refused_script
    response = client.post(
        f"/agreements/{agreement.pk}/delegations/new/",
        {"direction": "incoming", "start_date": "۱۴۰۴/۰۲/۰۱", "head": "Mayor of Florence"},
        follow=True,
    )
    answers.append(("after a save", response))
    admin = persian_client(personas.admin)
    rows = (
        "home_city,home_country,partner_city,partner_country,kind,stage,year\n"
        "Tehran,IR,Florence,IT,friendship,contact,1990\n"
        "Tehran,IR,Florence,IT,friendship,contact,1990\n"
        "Tehran,IR,Nowhere,XX,cousin,signing,abc\n"
        "Tehran,IR,Lyon,FR,sister,active,1890\n"
    )
    upload = SimpleUploadedFile("partners.csv", rows.encode(), content_type="text/csv")
    response = admin.post("/agreements/import/", {"action": "check", "file": upload})
    imported = response.content.decode()
    assert "سطر ۳" in imported and "سطر ۴" in imported, imported
    answers.append(("POST /agreements/import/ (rows refused)", response))
    good = "home_city,home_country,partner_city,partner_country,kind,stage\nTehran,IR,Lyon,FR,sister,contact\n"
    upload = SimpleUploadedFile("lyon.csv", good.encode(), content_type="text/csv")
    response = admin.post("/agreements/import/", {"action": "check", "file": upload})
    answers.append(("POST /agreements/import/ (ready)", response))
    allowed = text_values()  # with what the saves stored
    # What the import files held (their names and cells: the user's values) and the
    # codes an import file uses, which its messages name as they are to be typed.
    file_values = ["partners.csv", "lyon.csv", "cousin", "abc", "Nowhere", "Lyon", "P" * 250]
    allowed = sorted({*allowed, *file_values, *Kind.values, *Stage.values}, key=len, reverse=True)
    problems = []
    for name, answer in answers:
        texts = visible_texts(answer.content.decode())
        problems += page_faults(name, texts, allowed)
    assert not problems, report(problems)


def test_error_pages_are_persian():
    """The error pages (rendered without a database) for each status, and CSRF's."""
    factory = RequestFactory()
    problems = []
    with translation.override("fa"):
        for name, handler in {
            "400": errors.bad_request,
            "403": errors.permission_denied,
            "404": errors.page_not_found,
            "500": errors.server_error,
            "CSRF": errors.csrf_failure,
        }.items():
            response = handler(factory.get("/agreements/"))
            assert 'lang="fa"' in response.content.decode()
            problems += page_faults(name, visible_texts(response.content.decode()), [])
    assert not problems, report(problems)


def test_the_long_export_offer_is_persian(personas, world, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 10
    response = persian_client(personas.officer).get("/agreements/export.xlsx")
    assert response.status_code == 200 and "html" in response["Content-Type"]
    texts = visible_texts(response.content.decode())
    problems = page_faults("export offer", texts, text_values())
    assert not problems, report(problems)


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_every_document_is_persian(personas, world):
    allowed = text_values()
    agreement = world["agreement"]
    client = persian_client(personas.officer)
    documents = {
        "dossier": f"/agreements/{agreement.pk}/dossier.pdf",
        "signed dossier": f"/agreements/{world['signed'].pk}/dossier.pdf",
        "memorandum": reverse(
            "agreements:memorandum-pdf", args=[agreement.pk, world["memorandum"].pk]
        ),
    }
    problems = []
    for name, url in documents.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = pdf_text(content)
        # One text, so that a value wrapped over two lines is still found whole.
        text = " ".join(text.translate(BIDI_CONTROLS).split())
        if name == "memorandum":
            # Bilingual by design (each clause in English and Persian, side by side):
            # its Persian runs must hold Persian digits only. The integrity code is a
            # code (Latin hex, printed beside the Persian title), not a number.
            code = integrity_code(memorandum_content_hash(world["memorandum"]))
            text = text.replace(code, " ")
            problems += [
                f"{name}: Latin digits {digits!r} in {run[:160]!r}"
                for run in PERSIAN_RUN.findall(text)
                for digits in LATIN_DIGITS.findall(run)
            ]
            continue
        problems += page_faults(name, [text], allowed)
    assert not problems, report(problems)


def test_user_names_are_allowed_only_as_stored(personas, world):
    """The allow-list is the data: a user name is in it, an interface word is not."""
    allowed = text_values()
    assert "officer" in allowed and "Florence" in allowed
    assert "Dashboard" not in allowed and "friendship" not in allowed
    assert get_user_model().objects.filter(username="officer").exists()
