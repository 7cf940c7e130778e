from __future__ import annotations

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from agreements.pagination import paginate
from tests.factories import (
    AgreementFactory,
    CityFactory,
    DelegationFactory,
    GoalFactory,
)
from tests.querycount import assert_same_query_count, captured

pytestmark = pytest.mark.django_db

URL = "/agreements/"


def listed(response) -> list[Agreement]:
    return list(response.context["page"].object_list)


@pytest.fixture
def tehran_and_isfahan(personas):
    paris = CityFactory(name="Paris", name_fa="پاریس", country="FR")
    kyoto = CityFactory(name="Kyoto", name_fa="کیوتو", country="JP")
    tehran_paris = AgreementFactory(home_city=personas.tehran, partner_city=paris)
    isfahan_kyoto = AgreementFactory(home_city=personas.isfahan, partner_city=kyoto)
    return tehran_paris, isfahan_kyoto


# --- The ladder -------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/agreements/")


def test_user_without_role_sees_an_explanation_and_no_agreement(
    client, personas, tehran_and_isfahan
):
    client.force_login(personas.outsider)
    response = client.get(URL)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Paris" not in body and "Kyoto" not in body
    assert "no-role" in body or "administrator" in body.lower() or "مدیر" in body


def test_officer_sees_only_their_municipality(client, personas, tehran_and_isfahan):
    tehran_paris, isfahan_kyoto = tehran_and_isfahan
    client.force_login(personas.isfahan_officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == [isfahan_kyoto]
    assert "Paris" not in response.content.decode()


def test_viewer_reads_the_list(client, personas, tehran_and_isfahan):
    tehran_paris, _ = tehran_and_isfahan
    client.force_login(personas.viewer)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == [tehran_paris]
    assert f'href="/agreements/{tehran_paris.pk}/"' in response.content.decode()


def test_administrator_sees_every_municipality(client, personas, tehran_and_isfahan):
    client.force_login(personas.admin)
    assert set(listed(client.get(URL))) == set(tehran_and_isfahan)


def test_post_is_not_allowed(client, personas):
    client.force_login(personas.officer)
    assert client.post(URL).status_code == 405


def test_htmx_request_gets_only_the_results_fragment(client, personas, tehran_and_isfahan):
    client.force_login(personas.viewer)
    full = client.get(URL).content.decode()
    fragment = client.get(URL, {"stage": "contact"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in full and "<html" not in fragment
    assert "agreement-table" in fragment and "<form" not in fragment


# --- Filters -----------------------------------------------------------------------


@pytest.fixture
def varied(personas):
    """Tehran agreements that differ in one attribute each."""
    today = timezone.localdate()
    t = personas.tehran
    rows = {
        "base": AgreementFactory(home_city=t, partner_city=CityFactory(name="Lyon", country="FR")),
        "goals_stage": AgreementFactory(
            home_city=t, stage="goals", partner_city=CityFactory(name="Rome")
        ),
        "sister": AgreementFactory(
            home_city=t, kind="sister", partner_city=CityFactory(name="Osaka", country="JP")
        ),
        "historical": AgreementFactory(
            home_city=t,
            origin="historical_ties",
            partner_city=CityFactory(name="Herat", country="AF"),
        ),
        "signed_1995": AgreementFactory(
            home_city=t,
            signed_on=datetime.date(1995, 6, 1),
            partner_city=CityFactory(name="Minsk", country="BY"),
        ),
        "suspended": AgreementFactory(
            home_city=t, status="suspended", partner_city=CityFactory(name="Oslo", country="NO")
        ),
        "stalled": AgreementFactory(
            home_city=t,
            stage_changed_at=timezone.now() - datetime.timedelta(days=400),
            partner_city=CityFactory(name="Quito", country="EC"),
        ),
        "expiring": AgreementFactory(
            home_city=t,
            stage="active",
            status="active",
            signed_on=today - datetime.timedelta(days=100),
            expires_on=today + datetime.timedelta(days=20),
            partner_city=CityFactory(name="Lima", country="PE"),
        ),
        "dormant": AgreementFactory(
            home_city=t,
            stage="active",
            status="active",
            signed_on=datetime.date(2010, 1, 1),
            partner_city=CityFactory(name="Accra", country="GH"),
        ),
    }
    # Recent exchange: active but not dormant.
    rows["lively"] = AgreementFactory(
        home_city=t,
        stage="active",
        status="active",
        signed_on=datetime.date(2010, 1, 1),
        partner_city=CityFactory(name="Cusco", country="PE"),
    )
    DelegationFactory(
        agreement=rows["lively"],
        start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=25),
    )
    # Two goals in one sector must not list the agreement twice.
    GoalFactory(agreement=rows["sister"], sector="tourism")
    GoalFactory(agreement=rows["sister"], sector="tourism")
    return rows


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "goals"}, ["goals_stage"]),
        ({"status": "suspended"}, ["suspended"]),
        ({"kind": "sister"}, ["sister"]),
        ({"origin": "historical_ties"}, ["historical"]),
        ({"partner_country": "JP"}, ["sister"]),
        ({"sector": "tourism"}, ["sister"]),
        ({"signed_year_min": "1990", "signed_year_max": "2000"}, ["signed_1995"]),
        ({"signed_year_min": "۱۹۹۰", "signed_year_max": "۲۰۰۰"}, ["signed_1995"]),
        ({"flag": "stalled"}, ["stalled"]),
        ({"flag": "expiring"}, ["expiring"]),
        ({"flag": "dormant"}, ["dormant"]),
        ({"q": "lyon"}, ["base"]),
    ],
)
def test_each_filter_narrows_the_list(client, personas, varied, params, expected):
    client.force_login(personas.viewer)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert not response.context["filter"].errors
    assert sorted(a.pk for a in listed(response)) == sorted(varied[name].pk for name in expected)


def test_sector_matches_activities_too(client, personas, varied):
    from agreements.models import Activity

    Activity.objects.create(
        agreement=varied["base"],
        sector="health",
        title="Clinic exchange",
        start_date=datetime.date(2024, 1, 1),
    )
    client.force_login(personas.viewer)
    assert listed(client.get(URL, {"sector": "health"})) == [varied["base"]]


def test_home_city_filter_offers_only_visible_municipalities(client, personas, tehran_and_isfahan):
    tehran_paris, isfahan_kyoto = tehran_and_isfahan
    client.force_login(personas.admin)
    assert listed(client.get(URL, {"home_city": personas.isfahan.pk})) == [isfahan_kyoto]

    client.force_login(personas.viewer)
    response = client.get(URL, {"home_city": personas.isfahan.pk})
    assert listed(response) == []
    assert "home_city" in response.context["filter"].errors
    choices = [c.pk for c in response.context["filter"].form.fields["home_city"].queryset]
    assert choices == [personas.tehran.pk]


def test_home_city_options_are_named_in_the_page_language_and_keep_the_choice(
    client, personas, tehran_and_isfahan
):
    # The options are written from (id, name, name_fa) rows, not City objects.
    client.force_login(personas.admin)
    tehran, isfahan = personas.tehran, personas.isfahan
    body = client.get(URL, {"home_city": isfahan.pk}).content.decode()
    assert f'<option value="{isfahan.pk}" selected>{isfahan.name_fa}</option>' in body
    assert f'<option value="{tehran.pk}">{tehran.name_fa}</option>' in body
    client.cookies["django_language"] = "en"
    body = client.get(URL).content.decode()
    assert f'<option value="{isfahan.pk}">{isfahan.name}</option>' in body


@pytest.mark.parametrize(
    "params",
    [
        {"stage": "nonsense"},
        {"signed_year_min": "abc"},
        {"flag": "everything"},
        {"sort": "password"},
        {"partner_country": "XX"},
        {"stage": "goals", "kind": "cousin"},
    ],
)
def test_invalid_filter_shows_the_error_and_an_empty_list(client, personas, varied, params):
    client.force_login(personas.viewer)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert listed(response) == []
    assert 'role="alert"' in response.content.decode()


def test_search_ignores_arabic_letters_zero_width_and_digit_forms(client, personas):
    t = personas.tehran
    kerman = AgreementFactory(home_city=t, partner_city=CityFactory(name="K1", name_fa="كرمان"))
    sister = AgreementFactory(
        home_city=t, partner_city=CityFactory(name="K2", name_fa="خواهر\u200cشهر")
    )
    district = AgreementFactory(
        home_city=t, partner_city=CityFactory(name="District ۱۲", name_fa="")
    )
    AgreementFactory(home_city=t, partner_city=CityFactory(name="Other", name_fa="دیگر"))
    client.force_login(personas.viewer)
    assert listed(client.get(URL, {"q": "کرمان"})) == [kerman]
    assert listed(client.get(URL, {"q": "خواهرشهر"})) == [sister]
    assert listed(client.get(URL, {"q": "district 12"})) == [district]


def test_sort_by_partner_name_both_ways(client, personas, varied):
    client.force_login(personas.viewer)
    client.cookies["django_language"] = "en"
    ascending = [a.partner_city.name for a in listed(client.get(URL, {"sort": "partner"}))]
    descending = [a.partner_city.name for a in listed(client.get(URL, {"sort": "-partner"}))]
    assert ascending == sorted(ascending) and ascending[0] == "Accra"
    assert descending == ascending[::-1]


def test_persian_pages_sort_by_the_persian_name(client, personas):
    t = personas.tehran
    AgreementFactory(home_city=t, partner_city=CityFactory(name="Zurich", name_fa="آمل"))
    AgreementFactory(home_city=t, partner_city=CityFactory(name="Athens", name_fa="یزد"))
    client.force_login(personas.viewer)
    names = [a.partner_city.name_fa for a in listed(client.get(URL, {"sort": "partner"}))]
    assert names == ["آمل", "یزد"]


def test_a_renamed_city_sorts_under_its_new_name_in_both_languages(client, personas):
    # The list sorts on copies of the names kept on the agreement (an index
    # serves the order); a rename must reach them.
    t = personas.tehran
    first = AgreementFactory(home_city=t, partner_city=CityFactory(name="Aachen", name_fa="آخن"))
    second = AgreementFactory(home_city=t, partner_city=CityFactory(name="Bonn", name_fa="بن"))
    client.force_login(personas.viewer)
    assert listed(client.get(URL, {"sort": "partner"})) == [first, second]
    city = first.partner_city
    city.name, city.name_fa = "Zwickau", "یزد"
    city.save()
    assert listed(client.get(URL, {"sort": "partner"})) == [second, first]
    client.cookies["django_language"] = "en"
    assert listed(client.get(URL, {"sort": "partner"})) == [second, first]
    city.name_fa = ""  # a Persian page then sorts it by its English name
    city.save()
    first.refresh_from_db()
    assert (first.partner_sort_key, first.partner_sort_key_fa) == ("Zwickau", "Zwickau")


def test_an_agreement_moved_to_another_city_sorts_under_it(personas):
    t = personas.tehran
    agreement = AgreementFactory(home_city=t, partner_city=CityFactory(name="Aachen"))
    agreement = Agreement.objects.get(pk=agreement.pk)  # as a form or the API loads it
    agreement.partner_city = CityFactory(name="Zwickau", name_fa="")
    agreement.save(update_fields=["partner_city", "updated_at"])
    agreement.refresh_from_db()
    assert agreement.partner_sort_key == "Zwickau" and agreement.partner_sort_key_fa == "Zwickau"
    assert agreement.home_sort_key == t.name and agreement.home_sort_key_fa == t.name_fa


def test_sort_keys_are_not_shown_as_changes_in_the_history(client, personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    city = agreement.partner_city
    city.name = "Renamed"
    city.save()
    agreement.refresh_from_db()
    agreement.title = "New title"
    agreement.save()
    client.force_login(personas.viewer)
    body = client.get(reverse("agreements:history", args=[agreement.pk])).content.decode()
    assert "New title" in body and "sort_key" not in body and "sort key" not in body


def test_sort_by_stage_follows_the_lifecycle(client, personas, varied):
    client.force_login(personas.viewer)
    stages = [a.stage for a in listed(client.get(URL, {"sort": "stage"}))]
    assert stages.index("goals") < stages.index("active")
    assert stages[0] == "contact" and stages[-1] == "active"


def test_filters_are_kept_in_page_links(client, personas):
    t = personas.tehran
    for _ in range(55):
        AgreementFactory(home_city=t, kind="sister")
    client.force_login(personas.viewer)
    response = client.get(URL, {"kind": "sister"})
    page = response.context["page"]
    assert len(page.object_list) == 50 and page.has_next and page.total == 55
    body = response.content.decode()
    assert 'href="?kind=sister&amp;page=2"' in body
    second = client.get(URL, {"kind": "sister", "page": "2"})
    assert len(second.context["page"].object_list) == 5


# --- Pagination ------------------------------------------------------------------------


def test_pagination_caps_the_count_instead_of_counting_everything(personas):
    for _ in range(12):
        AgreementFactory(home_city=personas.tehran)
    queryset = Agreement.objects.order_by("id")
    request = RequestFactory().get("/", {"page": "2"})
    page = paginate(request, queryset, per_page=5, count_cap=8)
    assert page.total == 8 and page.total_capped
    assert page.has_next and page.has_previous and len(page.object_list) == 5
    last = paginate(RequestFactory().get("/", {"page": "3"}), queryset, per_page=5, count_cap=100)
    assert not last.has_next and len(last.object_list) == 2 and last.total == 12


def test_garbage_page_number_means_the_first_page(client, personas, tehran_and_isfahan):
    client.force_login(personas.viewer)
    assert client.get(URL, {"page": "abc"}).context["page"].number == 1


def test_list_query_count_does_not_grow_with_the_agreements(client, personas):
    client.force_login(personas.officer)

    def build(n):
        for _ in range(n):
            agreement = AgreementFactory(home_city=personas.tehran)
            GoalFactory(agreement=agreement, sector="culture")

    def fetch():
        response = client.get(URL, {"sector": "culture", "q": "partner"})
        assert response.status_code == 200

    build(3)
    fetch()  # warm caches (content types, etc.)
    small = captured(fetch)
    build(27)
    large = captured(fetch)
    assert_same_query_count(small, large)
    assert len(small) <= 8, small


@pytest.mark.django_db
def test_new_agreement_button_only_for_officers(client, personas):
    client.force_login(personas.officer)
    assert "/agreements/new/" in client.get("/agreements/").content.decode()
    client.force_login(personas.viewer)
    assert "/agreements/new/" not in client.get("/agreements/").content.decode()
