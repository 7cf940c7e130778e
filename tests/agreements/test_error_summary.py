"""Long forms sent back with errors list them at the top, each linked to its
field; the agreement list's filters start folded unless one is in effect.
(The browser side, at phone and laptop widths, is tests/browser/test_layouts.py.)"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.agreements.test_views_records import _memorandum_post
from tests.factories import AgreementFactory, MemorandumArticleFactory, MemorandumFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, personas):
    client.force_login(personas.officer)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def agreement(personas):
    return AgreementFactory(home_city=personas.tehran)


def summary_of(body: str) -> str | None:
    found = re.search(r"<div [^>]*data-error-summary[^>]*>.*?</ul>", body, re.S)
    return found.group(0) if found else None


def test_memorandum_errors_are_listed_at_the_top_with_links(officer, agreement):
    memorandum = MemorandumFactory(agreement=agreement)
    articles = [MemorandumArticleFactory(memorandum=memorandum, position=n) for n in (1, 2)]
    url = reverse("agreements:record-edit", args=[agreement.pk, "memoranda", memorandum.pk])
    assert summary_of(officer.get(url).content.decode()) is None

    data = _memorandum_post(memorandum, articles, **{"term_years": "", "articles-1-heading_en": ""})
    body = officer.post(url, data).content.decode()
    summary = summary_of(body)
    assert summary is not None
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert "Please correct the following:" in summary
    assert '<a href="#id_term_years">' in summary
    assert '<a href="#id_articles-1-heading_en">Article 2 · Heading (English)</a>' in summary
    # Before the first field of the form, and each link's target is on the page.
    assert body.index("data-error-summary") < body.index('id="id_signed_on"')
    assert 'id="id_articles-1-heading_en"' in body
    memorandum.refresh_from_db()
    assert memorandum.term_years == 5


def test_record_form_errors_are_listed_in_persian(client, personas, agreement):
    client.force_login(personas.officer)
    body = client.post(
        reverse("agreements:record-create", args=[agreement.pk, "contacts"]), {"date": ""}
    ).content.decode()
    summary = summary_of(body)
    assert summary is not None
    assert "لطفاً موارد زیر را اصلاح کنید:" in summary
    assert '<a href="#id_date">' in summary
    assert '<a href="#id_participants">' in summary


def test_agreement_form_errors_are_listed_at_the_top(officer):
    body = officer.post(reverse("agreements:create"), {"title": "x"}).content.decode()
    summary = summary_of(body)
    assert summary is not None
    assert '<a href="#id_home_city">' in summary
    assert '<a href="#id_partner_city">' in summary
    assert body.index("data-error-summary") < body.index('id="id_home_city"')


def test_form_pages_have_the_sticky_save_bar(officer, agreement):
    for url in [
        reverse("agreements:create"),
        reverse("agreements:edit", args=[agreement.pk]),
        reverse("agreements:record-create", args=[agreement.pk, "goals"]),
    ]:
        body = officer.get(url).content.decode()
        assert re.search(r'<div class="save-bar">\s*<button type="submit"', body), url


@pytest.mark.parametrize(
    ("query", "folded"),
    [
        ("", True),
        ("?sort=-home", True),
        ("?page=1", True),
        ("?stage=contact", False),
        ("?q=Florence", False),
        ("?signed_year_min=abc", False),  # a wrong filter is shown, to be corrected
    ],
)
def test_list_filters_start_folded_unless_one_is_in_effect(officer, query, folded):
    body = officer.get(reverse("agreements:list") + query).content.decode()
    fold = re.search(r"<details class=\"filter-fold\"[^>]*>", body).group(0)
    assert ("open" not in fold.split("data-open-wide")[1]) is folded
