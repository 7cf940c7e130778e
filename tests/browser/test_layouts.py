"""Every page at a phone's width (390 px) and a laptop's (1366 px), in Persian and English.

The pages are filled with what makes layouts break: a city name of one 58-letter
word, a URL without spaces in a contact, history rows with long values, a
memorandum with many articles, documents with long file names and SHA-256s.
Each page must fit its viewport sideways (the document never scrolls
horizontally; a wide data table may scroll inside its own box); the agreement
list is a set of cards on a phone, with its filters folded; long forms have an
error summary at the top and a save bar that stays on screen. Screenshots of
every page go to test-artifacts/screenshots/layout-<language>-<width>-<page>.png.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from agreements import services
from agreements.models import Agreement, Contact, Memorandum
from cities.models import City
from tests.factories import (
    ActivityFactory,
    AgreementFactory,
    ContactFactory,
    DelegationFactory,
    DocumentFactory,
    GoalFactory,
    MemorandumArticleFactory,
    MemorandumFactory,
    MemorandumOfficialFactory,
)
from tests.workflow_helpers import agreement_at, fulfil_gate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "laptop": 1366}
HEIGHT = {390: 844, 1366: 900}
NOT_FOUND = "/agreements/999999/"
LONG_WORD = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
LONG_URL = (
    "https://www.example.org/partnerships/2024/minutes-of-the-meeting-of-the-mayors"
    "-of-tehran-and-llanfairpwllgwyngyll/annex-3-final-signed-version.pdf"
)
LONG_FA = (
    "نمایندگان دو شهر در نشست مشترک دربارهٔ برنامهٔ فرهنگی سالانه، تبادل دانشجو و "
    "همکاری‌های شهری گفت‌وگو کردند و صورت‌جلسه را امضا کردند"
)


@dataclass
class World:
    agreement: Agreement
    memorandum: Memorandum
    contact: Contact
    city: City


def build_world(personas) -> World:
    """One agreement with everything a page can show, a few more for the list, and
    a pending request for the approvals queue."""
    partner = City.objects.create(
        name=LONG_WORD, name_fa="لانویرپول‌گوینگیل‌گوگری‌خوئیرن‌دروبول‌لانتیسیلیو", country="GB"
    )
    agreement = agreement_at(
        "signing",
        home_city=personas.tehran,
        partner_city=partner,
        kind="sister",
        title=f"Tehran and {LONG_WORD}: culture, students and city services",
    )
    for n in range(3):
        ContactFactory(
            agreement=agreement,
            date=datetime.date(2024, 5, 1 + n),
            participants=f"Both mayors and their deputies, minutes at {LONG_URL}",
            notes=LONG_FA,
        )
    for sector in ["culture", "education", "economy"]:
        GoalFactory(
            agreement=agreement,
            sector=sector,
            description=f"Exchange {LONG_URL}",
            description_fa=LONG_FA,
        )
    DelegationFactory(agreement=agreement, head=f"Deputy mayor {LONG_WORD}")
    ActivityFactory(agreement=agreement, title=f"Exhibition {LONG_WORD}", description=LONG_URL)
    frozen = MemorandumFactory(agreement=agreement, place=LONG_WORD)
    frozen.frozen_at = datetime.datetime(2025, 3, 2, tzinfo=datetime.UTC)
    frozen.pdf_sha256 = "9f" * 32
    frozen.save()
    memorandum = MemorandumFactory(agreement=agreement)
    MemorandumOfficialFactory(memorandum=memorandum, side="partner", title=LONG_URL)
    for position in range(1, 9):
        MemorandumArticleFactory(
            memorandum=memorandum,
            position=position,
            heading_en=f"Article heading {position} {LONG_WORD}",
            body_en=("The parties agree to work together. " * 12) + LONG_URL,
            body_fa=(LONG_FA + " ") * 4,
        )
    for n in range(2):
        DocumentFactory(
            agreement=agreement,
            title=f"Signed annex {n} {LONG_WORD}",
            original_name=f"annex-{n}-{LONG_WORD.lower()}-final-signed-version-scanned.pdf",
        )
    # History rows with long old and new values.
    contact = agreement.contacts.order_by("pk").first()
    contact.participants = f"{LONG_URL}?changed=1"
    contact.save()
    agreement.title = f"{agreement.title} ({LONG_URL})"
    agreement.save()

    for stage in ["contact", "goals", "legal", "active", "delegations", "contact"]:
        agreement_at(stage, home_city=personas.tehran)
    AgreementFactory(
        home_city=personas.tehran,
        partner_city=City.objects.create(name="Florence", name_fa="فلورانس", country="IT"),
    )
    waiting = agreement_at("contact", home_city=personas.tehran)
    fulfil_gate(waiting)
    services.make_request(
        agreement=waiting, by=personas.officer, action="advance", note=f"{LONG_FA} {LONG_URL}"
    )
    return World(agreement=agreement, memorandum=memorandum, contact=contact, city=partner)


def pages(world: World) -> list[tuple[str, str, str | None]]:
    """(name, path, persona) for every page; persona None is an anonymous visitor."""
    pk = world.agreement.pk
    found = [
        ("dashboard", "/", "officer"),
        ("list", "/agreements/", "officer"),
        ("detail", f"/agreements/{pk}/", "officer"),
        ("history", f"/agreements/{pk}/history/", "officer"),
        ("agreement-new", "/agreements/new/", "officer"),
        ("agreement-edit", f"/agreements/{pk}/edit/", "officer"),
        ("memorandum-form", f"/agreements/{pk}/memoranda/{world.memorandum.pk}/edit/", "officer"),
        ("memorandum-new", f"/agreements/{pk}/memoranda/new/", "officer"),
        ("contact-edit", f"/agreements/{pk}/contacts/{world.contact.pk}/edit/", "officer"),
        ("approvals", "/approvals/", "approver"),
        ("calendar", "/calendar/", "officer"),
        ("import", "/agreements/import/", "admin"),
        ("exports", "/agreements/exports/", "officer"),
        ("cities", "/cities/", "officer"),
        ("city", f"/cities/{world.city.pk}/", "officer"),
        ("city-edit", f"/cities/{world.city.pk}/edit/", "admin"),
        ("login", "/accounts/login/", None),
        ("not-found", NOT_FOUND, "officer"),
    ]
    for kind in [
        "contacts",
        "goals",
        "commonalities",
        "department-supports",
        "legal-approvals",
        "delegations",
        "activities",
        "documents",
    ]:
        found.append((f"{kind}-new", f"/agreements/{pk}/{kind}/new/", "officer"))
    return found


# What sticks out past the viewport's sides, outside any box that scrolls or clips
# it: the culprits of a page that scrolls sideways, for the failure message.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x !== "visible") return true;
    }
    return false;
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width || (box.right <= width + 1 && box.left >= -1) || clipped(el)) continue;
    if (el.closest(".visually-hidden, .visually-hidden-focusable")) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    culprits.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
    if (culprits.length >= 6) break;
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    culprits,
  };
}"""


def overflow_of(page) -> str | None:
    """None when the page fits its viewport sideways, else what sticks out."""
    found = page.evaluate(OVERFLOW)
    if found["scrollWidth"] <= found["innerWidth"]:
        return None
    return f"scrollWidth {found['scrollWidth']} > {found['innerWidth']}: {found['culprits']}"


@pytest.fixture
def world(personas):
    return build_world(personas)


@pytest.fixture
def visit(personas, sign_in):
    """visit(persona, language, width) -> a page of that size, signed in as the persona
    (None: not signed in), through conftest's sign_in: every request to another host
    and every console error fails the test, except the console's note of the 404
    that NOT_FOUND is expected to answer."""

    def make(persona: str | None, language: str, width: int):
        user = getattr(personas, persona) if persona is not None else None
        return sign_in(user, language, width=width, height=HEIGHT[width], expect_404=NOT_FOUND)

    return make


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", ["fa", "en"])
def test_no_page_scrolls_sideways(world, visit, screenshots, language, width):
    tabs: dict[str | None, object] = {}
    problems = []
    for name, path, persona in pages(world):
        if persona not in tabs:
            tabs[persona] = visit(persona, language, width)
        page = tabs[persona]
        response = page.goto(path)
        expected = 404 if name == "not-found" else 200
        assert response.status == expected, f"{name} {path}: {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(path=screenshots / f"layout-{language}-{width}-{name}.png", full_page=True)
        problem = overflow_of(page)
        if problem:
            problems.append(f"{name} ({path}): {problem}")
    assert not problems, "\n".join(problems)


def display_of(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).display")


FILTER_LABEL = {"fa": "فیلترها", "en": "Filters"}
HOME_LABEL = {"fa": "شهرداری مبدأ", "en": "Home municipality"}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_list_is_cards_with_folded_filters_on_a_phone(world, visit, screenshots, language):
    phone = visit("officer", language, 390)
    phone.goto("/agreements/")
    first = phone.locator(".agreement-table tbody tr").first
    expect(first).to_be_visible()
    assert display_of(first) in {"block", "grid"}
    # Each value is shown under its column's name.
    label = first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert HOME_LABEL[language] in label
    # The filters are folded: the fold's title shows, the fields do not.
    fold = phone.locator("#agreement-filter details")
    expect(fold.locator("summary")).to_have_text(FILTER_LABEL[language])
    assert fold.evaluate("d => d.open") is False
    expect(phone.locator("#filter-stage")).to_be_hidden()
    phone.screenshot(path=screenshots / f"layout-{language}-390-list-folded.png")

    # Unfolded, a filter narrows the list; with a filter in effect the fold starts open.
    fold.locator("summary").click()
    expect(phone.locator("#filter-stage")).to_be_visible()
    phone.select_option("#filter-stage", "goals")
    phone.wait_for_url(re.compile(r"[?&]stage=goals"))
    in_goals = Agreement.objects.filter(stage="goals").count()
    assert 0 < in_goals < Agreement.objects.count()
    expect(phone.locator(".agreement-table tbody tr")).to_have_count(in_goals)
    phone.reload()
    assert fold.evaluate("d => d.open") is True
    expect(phone.locator("#filter-stage")).to_have_value("goals")
    assert overflow_of(phone) is None

    # On a laptop: a table, the filters open.
    laptop = visit("officer", language, 1366)
    laptop.goto("/agreements/")
    assert display_of(laptop.locator(".agreement-table tbody tr").first) == "table-row"
    expect(laptop.locator("#filter-stage")).to_be_visible()


ERROR_HEADING = {"fa": "لطفاً موارد زیر را اصلاح کنید:", "en": "Please correct the following:"}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_invalid_memorandum_form_lists_its_errors_at_the_top(world, visit, screenshots, language):
    memorandum = world.memorandum
    page = visit("officer", language, 390)
    page.goto(f"/agreements/{world.agreement.pk}/memoranda/{memorandum.pk}/edit/")
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    page.fill("#id_term_years", "")
    heading = page.locator("[name$='-heading_en']").nth(2)
    heading_id = heading.get_attribute("id")
    heading.fill("")
    page.locator(".save-bar button[type=submit]").click()
    page.wait_for_load_state()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text(ERROR_HEADING[language])
    expect(summary.locator("li")).to_have_count(2)
    page.screenshot(path=screenshots / f"layout-{language}-390-memorandum-errors.png")
    assert overflow_of(page) is None

    # Each error's link puts the focus in its field, on screen.
    summary.locator(f"a[href='#{heading_id}']").click()
    expect(page.locator(f"#{heading_id}")).to_be_focused()
    expect(page.locator(f"#{heading_id}")).to_be_in_viewport()
    summary.locator("a[href='#id_term_years']").click()
    expect(page.locator("#id_term_years")).to_be_focused()
    expect(page.locator("#id_term_years")).to_be_in_viewport()

    # Nothing was saved.
    memorandum.refresh_from_db()
    assert memorandum.term_years == 5
    assert memorandum.articles.filter(heading_en="").count() == 0


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", ["fa", "en"])
def test_save_bar_stays_on_screen_in_the_middle_of_a_long_form(world, visit, language, width):
    page = visit("officer", language, width)
    page.goto(f"/agreements/{world.agreement.pk}/memoranda/{world.memorandum.pk}/edit/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 3 * HEIGHT[width], "the memorandum form should be several screens long"
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    save = page.locator(".save-bar button[type=submit]")
    expect(save).to_be_in_viewport()
    box = save.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT[width]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    # The other form pages have the same bar.
    for path in [
        f"/agreements/{world.agreement.pk}/edit/",
        f"/agreements/{world.agreement.pk}/contacts/{world.contact.pk}/edit/",
        f"/agreements/{world.agreement.pk}/delegations/new/",
        "/agreements/new/",
    ]:
        page.goto(path)
        bar = page.locator("main form .save-bar")
        expect(bar).to_have_count(1)
        assert bar.evaluate("el => getComputedStyle(el).position") == "sticky"


NOTICE = {"fa": "ذخیره شد", "en": "Saved"}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_notice_after_saving_is_on_screen_and_fits(world, visit, screenshots, language):
    page = visit("officer", language, 390)
    page.goto(f"/agreements/{world.agreement.pk}/contacts/{world.contact.pk}/edit/")
    page.fill("[name=participants]", f"The mayors of Tehran and {LONG_WORD}")
    page.locator(".save-bar button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/agreements/{world.agreement.pk}/#section-contacts$"))
    notice = page.locator(".messages .alert-success")
    expect(notice).to_contain_text(NOTICE[language])
    # Down at the contacts section (where the save sends the reader), the notice is
    # on screen all the same.
    page.locator("#section-contacts .record-list").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 2 * HEIGHT[390]
    expect(notice).to_be_in_viewport()
    box = notice.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=screenshots / f"layout-{language}-390-notice.png")
    assert overflow_of(page) is None
    # It can be closed.
    notice.locator(".btn-close").click()
    expect(notice).to_have_count(0)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", ["fa", "en"])
def test_date_field_reads_left_to_right_and_its_example_fits(world, visit, language, width):
    page = visit("officer", language, width)
    page.goto(f"/agreements/{world.agreement.pk}/contacts/new/")
    date = page.locator("main input[name=date]")
    expect(date).to_be_visible()
    assert date.evaluate("el => getComputedStyle(el).direction") == "ltr"
    if language == "fa":
        # A text box (Solar Hijri is typed) marked left to right, its example shown whole.
        expect(date).to_have_attribute("dir", "ltr")
        fits = date.evaluate(
            """el => {
              const style = getComputedStyle(el);
              const context = document.createElement("canvas").getContext("2d");
              context.font = style.font;
              const text = context.measureText(el.placeholder).width;
              const room = el.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
              return {placeholder: el.placeholder, text, room};
            }"""
        )
        assert fits["placeholder"], "the Persian date box shows an example"
        assert fits["text"] <= fits["room"], fits
    box = date.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    # Its hint, where the form has one, is on the page and not cut off.
    hints = page.locator("main input[name=date] ~ .form-text")
    for n in range(hints.count()):
        hint = hints.nth(n)
        expect(hint).to_be_visible()
        assert hint.evaluate("el => el.scrollWidth <= el.clientWidth")
        hint_box = hint.bounding_box()
        assert hint_box["x"] >= 0 and hint_box["x"] + hint_box["width"] <= width
