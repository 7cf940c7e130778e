"""The calendar address through the API and the subscribe page; the dashboard's
next delegations; the dormancy clock unchanged."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements.models import Agreement, CalendarFeedToken, Stage
from tests.factories import AgreementFactory, CityFactory, DelegationFactory
from tests.querycount import assert_same_query_count, captured
from tests.workflow_helpers import agreement_at

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_api_gives_the_address_renews_and_revokes_it(personas, feed_world):
    client = api(personas.viewer)
    first = client.get("/api/v1/calendar-feed/")
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"url", "webcal_url", "created_at"}
    assert body["url"].startswith("http://127.0.0.1:8000/calendar/")
    assert body["webcal_url"] == "webcal://" + body["url"].split("://", 1)[1]
    assert client.get("/api/v1/calendar-feed/").json()["url"] == body["url"]
    feed = Client().get(path_of(body["url"]))
    assert len(icalendar.Calendar.from_ical(feed.content).walk("VEVENT")) == 2

    renewed = client.post("/api/v1/calendar-feed/renew/")
    assert renewed.status_code == 201
    assert renewed.json()["url"] != body["url"]
    assert Client().get(path_of(body["url"])).status_code == 404
    assert Client().get(path_of(renewed.json()["url"])).status_code == 200

    assert client.delete("/api/v1/calendar-feed/").status_code == 204
    assert Client().get(path_of(renewed.json()["url"])).status_code == 404
    assert not CalendarFeedToken.objects.live().filter(user=personas.viewer).exists()
    # Asked again: a new address.
    again = client.get("/api/v1/calendar-feed/").json()["url"]
    assert again not in (body["url"], renewed.json()["url"])


def test_the_api_refuses_strangers(personas):
    assert api(None).get("/api/v1/calendar-feed/").status_code == 401
    assert api(personas.outsider).get("/api/v1/calendar-feed/").status_code == 403
    assert api(personas.outsider).post("/api/v1/calendar-feed/renew/").status_code == 403
    assert not CalendarFeedToken.objects.exists()


def test_the_endpoints_are_in_the_schema():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/calendar-feed/"]
    assert {"get", "delete"} <= set(operations)
    assert "200" in operations["get"]["responses"]
    renew = schema["paths"]["/api/v1/calendar-feed/renew/"]["post"]
    assert "201" in renew["responses"]
    assert "Idempotency-Key" in {p["name"] for p in renew.get("parameters", [])}


def signed_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_subscribe_page_makes_shows_renews_and_revokes_the_address(personas, feed_world):
    client = signed_in(personas.officer)
    page = client.get("/calendar/")
    assert page.status_code == 200
    assert b"Make my calendar address" in page.content
    assert not CalendarFeedToken.objects.exists()  # not made by looking
    client.post("/calendar/renew/")
    row = CalendarFeedToken.objects.live().get(user=personas.officer)
    page = client.get("/calendar/").content.decode()
    url = api(personas.officer).get("/api/v1/calendar-feed/").json()["url"]
    assert f'value="{url}"' in page
    assert 'href="webcal://' in page
    for name in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert name in page
    client.post("/calendar/renew/")
    assert CalendarFeedToken.objects.get(pk=row.pk).revoked_at is not None
    assert Client().get(path_of(url)).status_code == 404
    client.post("/calendar/revoke/")
    assert not CalendarFeedToken.objects.live().exists()
    # GET does not change anything, POST only.
    assert client.get("/calendar/renew/").status_code == 405


def test_the_subscribe_page_is_persian_by_default(personas, feed_world):
    client = signed_in(personas.officer, "fa")
    client.post("/calendar/renew/")
    page = client.get("/calendar/").content.decode()
    assert 'dir="rtl"' in page
    assert "اشتراک تقویم" in page and "تقویم گوگل" in page
    renewed = client.post("/calendar/renew/", follow=True).content.decode()
    assert "تقویم شما نشانی تازه‌ای دارد" in renewed


def test_the_subscribe_page_is_for_people_with_a_role(personas):
    assert Client().get("/calendar/").status_code == 302
    assert signed_in(personas.outsider).get("/calendar/").status_code == 403
    assert signed_in(personas.outsider).post("/calendar/renew/").status_code == 403


def test_the_dashboard_shows_the_next_delegations_of_the_municipality(personas, feed_world):
    today = timezone.localdate()
    agreement = feed_world["agreement"]
    past = DelegationFactory(
        agreement=agreement,
        start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=28),
        head="Past head",
    )
    under_way = DelegationFactory(
        agreement=agreement,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=2),
        head="Under way head",
    )
    page = signed_in(personas.viewer).get("/").content.decode()
    section = page.split('id="next-delegations"', 1)[1].split("</table>", 1)[0]
    assert "Under way head" in section and "Deputy mayor" in section
    assert "Mayor of Florence" in section
    assert "Past head" not in section and "Isfahan head" not in section
    assert "Lyon" not in section
    # Soonest first.
    assert section.index("Under way head") < section.index("Deputy mayor")
    assert section.index("Deputy mayor") < section.index("Mayor of Florence")
    assert past.pk and under_way.pk
    # In Persian, Jalali dates in Persian digits: 1 April 2027 is 12 Farvardin 1406.
    persian = signed_in(personas.viewer, "fa").get("/").content.decode()
    section = persian.split('id="next-delegations"', 1)[1].split("</table>", 1)[0]
    assert "۱۲ فروردین ۱۴۰۶" in section and "به فلورانس" in section
    # Isfahan's officer sees Isfahan's.
    other = signed_in(personas.isfahan_officer).get("/").content.decode()
    section = other.split('id="next-delegations"', 1)[1].split("</table>", 1)[0]
    assert "Isfahan head" in section and "Deputy mayor" not in section


def test_the_dashboard_costs_the_same_queries_with_many_delegations(personas, feed_world):
    client = signed_in(personas.officer)
    small = captured(lambda: client.get("/"))
    for number in range(12):
        agreement = AgreementFactory(
            home_city=personas.tehran,
            partner_city=CityFactory(name=f"Dashboard City {number}", country="FR"),
        )
        start = timezone.localdate() + datetime.timedelta(days=number + 1)
        DelegationFactory(agreement=agreement, start_date=start, end_date=start)
    from django.core.cache import cache

    cache.clear()
    large = captured(lambda: client.get("/"))
    assert_same_query_count(small, large)


def test_the_dormancy_clock_still_counts_completed_delegations(personas):
    """A delegation that took place within DORMANT_MONTHS keeps an active
    partnership from being dormant; older ones do not (unchanged by the calendar)."""
    today = timezone.localdate()
    active = agreement_at(
        Stage.ACTIVE,
        home_city=personas.tehran,
        partner_city=CityFactory(name="Dormancy City", country="FR"),
        signed_on=today - datetime.timedelta(days=365 * 5),
        signed_year=today.year - 5,
    )
    # The gates' own records (set-up) moved to before the dormancy period.
    long_ago = today - datetime.timedelta(days=365 * 4)
    for record in [*active.delegations.all(), *active.activities.all()]:
        record.start_date, record.end_date = long_ago, long_ago
        record.save()
    assert Agreement.objects.dormant().filter(pk=active.pk).exists()
    DelegationFactory(
        agreement=active,
        start_date=today - datetime.timedelta(days=20),
        end_date=today - datetime.timedelta(days=18),
        outcomes="Signed a cultural programme",
    )
    assert not Agreement.objects.dormant().filter(pk=active.pk).exists()
