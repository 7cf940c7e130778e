"""Every page costs the same number of queries with a few agreements as with many
more: nothing is queried per row, per record or per history entry. (Timings are
the benchmark's business, `make bench`; counts are checked here.)

Each test loads a page, grows the data (more agreements in every stage, in both
home cities, with records, edits and pending requests; more records and history
on the agreement whose page is shown), and loads the page again. On failure the
SQL of both loads is printed.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from agreements import services
from agreements.models import Agreement
from tests.factories import (
    ActivityFactory,
    CityFactory,
    ContactFactory,
    DelegationFactory,
    DocumentFactory,
    GoalFactory,
    MemorandumArticleFactory,
    MemorandumFactory,
)
from tests.querycount import assert_same_query_count, captured
from tests.workflow_helpers import agreement_at, fulfil_gate

pytestmark = pytest.mark.django_db

STAGES = ["contact", "goals", "legal", "signing", "delegations", "active"]
_names = itertools.count()
_versions = itertools.count(2)


def grow(personas, count: int, *, pending: int) -> list[Agreement]:
    """`count` agreements spread over the stages and both home cities, each with
    records and an edit; the first `pending` in progress wait for a decision."""
    old = timezone.now() - datetime.timedelta(days=400)
    made = []
    for i in range(count):
        tehran = i % 3 != 2
        stage = STAGES[i % len(STAGES)]
        agreement = agreement_at(
            stage,
            home_city=personas.tehran if tehran else personas.isfahan,
            partner_city=CityFactory(name=f"Growth City {next(_names)}", country="FR"),
            kind="sister" if i % 2 else "friendship",
            stage_changed_at=old,
        )
        ContactFactory(agreement=agreement)
        GoalFactory(agreement=agreement, sector="culture")
        agreement.title = f"Edited {i}"
        agreement.save()
        if stage != "active" and pending > 0:
            fulfil_gate(agreement)
            officer = personas.officer if tehran else personas.isfahan_officer
            services.request_advance(
                agreement=agreement, by=officer, note="Ready for the next stage"
            )
            pending -= 1
        made.append(agreement)
    return made


def thicken(agreement: Agreement, times: int) -> None:
    """More records of every kind on one agreement, each edited, so its page has
    more to show and a longer history."""
    for n in range(times):
        contact = ContactFactory(agreement=agreement)
        contact.notes = f"Edit {n}"
        contact.save()
        ActivityFactory(agreement=agreement)
        DelegationFactory(agreement=agreement)
        DocumentFactory(agreement=agreement)
        memorandum = MemorandumFactory(agreement=agreement, number=next(_versions))
        MemorandumArticleFactory(memorandum=memorandum)


@pytest.fixture
def world(personas):
    """A few agreements: one of each stage, one pending request, in both cities."""
    made = grow(personas, 6, pending=1)
    personas.shown = made[0]  # a Tehran agreement: its page is checked
    thicken(personas.shown, 1)
    return personas


PAGES = {
    "dashboard": lambda p: "/",
    "list": lambda p: "/agreements/",
    "list_filtered": lambda p: "/agreements/?kind=friendship&status=in_progress&sector=culture",
    "list_sorted": lambda p: "/agreements/?sort=partner",
    "list_deep": lambda p: "/agreements/?page=2",
    "agreement": lambda p: f"/agreements/{p.shown.pk}/",
    "history": lambda p: f"/agreements/{p.shown.pk}/history/?page=2",
    "approvals": lambda p: "/approvals/",
    "calendar": lambda p: "/calendar/",
    "api_list": lambda p: "/api/v1/agreements/",
    "directory": lambda p: "/cities/",
    # Rendered on the first load and after the growth (a new hash), read from
    # storage in between: the hash of what it shows costs the same either way.
    "dossier": lambda p: f"/agreements/{p.shown.pk}/dossier.pdf",
}


PERSONAS = ["admin", "approver"]  # sees every municipality; decides Tehran's requests


def test_no_page_costs_more_queries_with_more_data(world):
    """Each page, as each persona: the same number of queries before and after the data
    grows (one comparison per page and persona; every failure is reported, with its SQL)."""
    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        clients[persona].force_login(getattr(world, persona))

    def fetcher(page: str, persona: str):
        url = PAGES[page](world)

        def fetch():
            # The dashboard's figures counted anew each time, as after any change
            # (agreements/figures.py caches them between changes).
            cache.clear()
            response = clients[persona].get(url)
            assert response.status_code == 200, (url, persona, response.status_code)

        return fetch

    cases = [(page, persona) for page in PAGES for persona in PERSONAS]
    few = {}
    for case in cases:
        fetcher(*case)()  # content types, sessions and other per-process caches
        few[case] = captured(fetcher(*case))
    grow(world, 60, pending=45)
    thicken(world.shown, 12)
    failures = []
    for case in cases:
        try:
            assert_same_query_count(few[case], captured(fetcher(*case)))
        except AssertionError as error:
            failures.append(f"{case[0]} as {case[1]}: {error}")
    assert not failures, "\n\n".join(failures)

    # The comparison means something only if the growth fills what 'few' left short:
    # a second list page, a full approvals page, history pages.
    admin = clients["admin"]
    assert admin.get("/agreements/?page=2").context["page"].object_list
    assert len(admin.get("/approvals/").context["rows"]) == 20
    history = admin.get(f"/agreements/{world.shown.pk}/history/?page=2").context
    assert len(history["history"]) == 25
