"""Real-browser journeys through the staff pages, in Persian and in English.

An officer creates an agreement, logs a contact (htmx, no page load) and asks for
the next stage; an approver approves it from the queue; a viewer sees no edit
controls; a list filter narrows the list and survives a reload. Screenshots of
the dashboard, the list and the agreement page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement, RequestState, StageRequest
from tests.factories import CityFactory, GoalFactory
from tests.workflow_helpers import agreement_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the user types in the date field: Solar Hijri on Persian pages, the
# browser's date picker (ISO) on English pages. Both are 4 May 2024.
CONTACT_DATE = {"fa": "۱۴۰۳/۰۲/۱۵", "en": "2024-05-04"}
GOALS_LABEL = {"fa": "تعریف اهداف", "en": "Goal definition"}


def assert_styled(page) -> None:
    """Our stylesheet and Bootstrap's were served: the navbar has its colour and
    the body its font (a page without CSS would show neither)."""
    navbar = page.locator(".app-navbar")
    expect(navbar).to_have_css("background-color", "rgb(11, 61, 98)")
    expect(page.locator(".stage-bar, .navbar-brand").first).to_be_visible()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_officer_creates_logs_requests_and_approver_approves(
    sign_in, personas, screenshots, language
):
    partner = CityFactory(name="Florence", name_fa="فلورانس", country="IT")
    officer = sign_in(personas.officer, language)

    # The officer creates the agreement.
    officer.goto("/agreements/new/")
    expect(officer.locator("html")).to_have_attribute("lang", language)
    expect(officer.locator("html")).to_have_attribute("dir", "rtl" if language == "fa" else "ltr")
    officer.select_option("#id_home_city", str(personas.tehran.pk))
    officer.select_option("#id_partner_city", str(partner.pk))
    officer.select_option("#id_kind", "sister")
    officer.select_option("#id_origin", "historical_ties")
    officer.fill("#id_title", "Tehran and Florence")
    officer.locator("main form button[type=submit]").click()
    officer.wait_for_url(re.compile(r"/agreements/\d+/$"))
    agreement = Agreement.objects.get(partner_city=partner)
    assert agreement.created_by == personas.officer
    assert_styled(officer)
    expect(officer.locator("#checklist [data-code=contact]")).to_have_class(
        re.compile("is-missing")
    )

    # Logs a contact: the form opens inside the section and the saved section
    # and checklist come back without a page load.
    officer.evaluate("window.__samePage = true")
    officer.locator("#section-contacts a[href$='/contacts/new/']").click()
    form = officer.locator("#form-slot-contacts form")
    expect(form).to_be_visible()
    form.locator("[name=date]").fill(CONTACT_DATE[language])
    form.locator("[name=participants]").fill("The mayors of Tehran and Florence")
    form.locator("button[type=submit]").click()
    expect(officer.locator("#section-contacts .record-list > li")).to_have_count(1)
    expect(officer.locator("#checklist [data-code=contact]")).to_have_class(re.compile("is-done"))
    assert officer.evaluate("window.__samePage") is True
    contact = agreement.contacts.get()
    assert contact.date.isoformat() == "2024-05-04"
    assert contact.created_by == personas.officer

    # Asks for the next stage, with the reason every request needs.
    request_form = officer.locator("form[action$='/request-advance/']")
    request_form.locator("textarea").fill("The mayors met in Tehran")
    request_form.locator("button[type=submit]").click()
    expect(officer.locator("#pending-request")).to_be_visible()
    stage_request = StageRequest.objects.get(agreement=agreement)
    assert stage_request.state == RequestState.PENDING
    assert stage_request.note == "The mayors met in Tehran"
    # The requester is not offered the decision (four eyes).
    expect(officer.locator("form[action$='/approve/']")).to_have_count(0)
    officer.screenshot(path=screenshots / f"{language}-agreement.png", full_page=True)

    # An approver approves it from the queue.
    approver = sign_in(personas.approver, language)
    approver.goto("/approvals/")
    card = approver.locator(f"#request-{stage_request.pk}")
    expect(card).to_be_visible()
    card.locator("textarea").fill("Well prepared")
    card.locator("button.btn-success").click()
    approver.wait_for_url(re.compile(r"/approvals/$"))
    expect(approver.locator(".alert-success")).to_be_visible()
    expect(approver.locator(f"#request-{stage_request.pk}")).to_have_count(0)
    stage_request.refresh_from_db()
    assert stage_request.state == RequestState.APPROVED
    assert stage_request.decided_by == personas.approver
    agreement.refresh_from_db()
    assert agreement.stage == "goals"

    approver.goto(f"/agreements/{agreement.pk}/")
    expect(approver.locator(".stage-step-current")).to_contain_text(GOALS_LABEL[language])
    approver.screenshot(path=screenshots / f"{language}-agreement-approved.png", full_page=True)

    # The dashboard and the list, for the screenshots.
    approver.goto("/")
    assert_styled(approver)
    approver.screenshot(path=screenshots / f"{language}-dashboard.png", full_page=True)
    approver.goto("/agreements/")
    expect(approver.locator(".agreement-table tbody tr")).to_have_count(1)
    approver.screenshot(path=screenshots / f"{language}-list.png", full_page=True)


def test_viewer_sees_no_edit_controls(sign_in, personas):
    agreement = agreement_at("goals", home_city=personas.tehran)
    GoalFactory(agreement=agreement, description="A yearly cultural week")
    viewer = sign_in(personas.viewer, "fa")
    viewer.goto(f"/agreements/{agreement.pk}/")
    expect(viewer.locator("#section-goals")).to_contain_text("A yearly cultural week")
    for selector in [
        "a[href$='/new/']",
        "a[href$='/edit/']",
        "form[action$='/delete/']",
        "form[action$='/request-advance/']",
        "form[action$='/request-suspend/']",
        "#checklist a",
        "#actions form",
    ]:
        expect(viewer.locator(selector)).to_have_count(0)


def test_filter_narrows_the_list_and_survives_a_reload(sign_in, personas):
    for stage in ["contact", "contact", "goals", "legal"]:
        agreement_at(stage, home_city=personas.tehran)
    page = sign_in(personas.officer, "en")
    page.goto("/agreements/")
    rows = page.locator(".agreement-table tbody tr")
    expect(rows).to_have_count(4)
    page.select_option("#agreement-filter select[name=stage]", "contact")
    page.wait_for_url(re.compile(r"[?&]stage=contact"))
    expect(rows).to_have_count(2)
    page.reload()
    expect(page.locator("#agreement-filter select[name=stage]")).to_have_value("contact")
    expect(rows).to_have_count(2)
