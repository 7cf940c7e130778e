"""The calendar feed, parsed back with `icalendar`: the events and their dates, the
reader's language, nothing of another municipality, the token's life, throttling,
no session, a fixed number of queries."""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo
from types import SimpleNamespace

import icalendar
import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import translation

from agreements.calendar_feed import build_feed, programme_events
from agreements.models import CalendarFeedToken, Role, UserProfile
from agreements.services import calendar as feed_tokens
from tests.factories import AgreementFactory, CityFactory, DelegationFactory
from tests.querycount import assert_same_query_count, captured

from .conftest import feed_url_of

pytestmark = pytest.mark.django_db


def parsed(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def set_language(user, language: str) -> None:
    UserProfile.objects.filter(user=user).delete()
    UserProfile.objects.create(user=user, language=language)


def test_every_visible_delegation_is_an_all_day_event(personas, feed_world):
    set_language(personas.officer, "en")
    response = Client().get(feed_url_of(personas.officer))
    calendar = parsed(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Sister Cities//Calendar feed//EN"
    found = events(calendar)
    outgoing, incoming = feed_world["outgoing"], feed_world["incoming"]
    assert set(found) == {
        f"delegation-{outgoing.pk}@127.0.0.1",
        f"delegation-{incoming.pk}@127.0.0.1",
    }
    first = found[f"delegation-{outgoing.pk}@127.0.0.1"]
    # All-day: DATE values, DTEND the day after the last day (exclusive).
    assert first.decoded("DTSTART") == datetime.date(2027, 4, 1)
    assert first.decoded("DTEND") == datetime.date(2027, 4, 6)
    assert "VALUE=DATE" in first.to_ical().decode()
    assert str(first["SUMMARY"]) == "Delegation to Florence"
    assert str(first["URL"]).endswith(f"/agreements/{outgoing.agreement_id}/#section-delegations")
    assert "Deputy mayor" in str(first["DESCRIPTION"])
    assert first.decoded("LAST-MODIFIED") == outgoing.updated_at.replace(microsecond=0)
    assert first.decoded("DTSTAMP") == outgoing.updated_at.replace(microsecond=0)
    # Without an end date: its start day alone.
    second = found[f"delegation-{incoming.pk}@127.0.0.1"]
    assert second.decoded("DTSTART") == datetime.date(2027, 6, 10)
    assert second.decoded("DTEND") == datetime.date(2027, 6, 11)
    assert str(second["SUMMARY"]) == "Delegation from Florence"


def test_the_file_is_rfc_5545_text(personas, feed_world):
    feed_world["outgoing"].purpose = "A long purpose " * 20
    feed_world["outgoing"].save()
    response = Client().get(feed_url_of(personas.officer))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert lines[0] == b"BEGIN:VCALENDAR"
    # Folded at 75 octets; a folded line goes on with a space.
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)
    assert "private" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    # The same data, the same bytes: a client polling gets 304.
    again = Client().get(feed_url_of(personas.officer), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_summary_is_in_the_owners_language(personas, feed_world):
    set_language(personas.officer, "fa")
    # The request's own language (a cookie) does not matter: the owner's does.
    client = Client()
    client.cookies["django_language"] = "en"
    found = events(parsed(client.get(feed_url_of(personas.officer))))
    summaries = {str(event["SUMMARY"]) for event in found.values()}
    assert summaries == {"هیئت اعزامی به فلورانس", "هیئت میهمان از فلورانس"}
    assert client.get(feed_url_of(personas.officer))["Content-Language"] == "fa"
    set_language(personas.officer, "en")
    found = events(parsed(client.get(feed_url_of(personas.officer))))
    assert {str(event["SUMMARY"]) for event in found.values()} == {
        "Delegation to Florence",
        "Delegation from Florence",
    }


def test_nothing_of_another_municipality(personas, feed_world):
    officer_feed = parsed(Client().get(feed_url_of(personas.officer))).to_ical().decode()
    assert "Lyon" not in officer_feed and "لیون" not in officer_feed
    assert f"delegation-{feed_world['other'].pk}@" not in officer_feed
    isfahan = events(parsed(Client().get(feed_url_of(personas.isfahan_officer))))
    assert set(isfahan) == {f"delegation-{feed_world['other'].pk}@127.0.0.1"}
    # An administrator sees every municipality's.
    assert len(events(parsed(Client().get(feed_url_of(personas.admin))))) == 3


def test_unknown_and_revoked_tokens_are_404(personas, feed_world):
    client = Client()
    assert client.get("/calendar/" + "0" * 64 + ".ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404
    old = feed_url_of(personas.officer)
    assert client.get(old).status_code == 200
    _row, token = feed_tokens.renew_feed_token(personas.officer)
    assert client.get(old).status_code == 404
    new = feed_tokens.feed_path(token)
    assert client.get(new).status_code == 200
    feed_tokens.revoke_feed_token(personas.officer)
    assert client.get(new).status_code == 404


def test_only_the_tokens_sha256_is_stored_and_its_life_has_history(personas):
    row, token = feed_tokens.feed_token(personas.officer)
    assert feed_tokens.feed_token(personas.officer)[1] == token  # the same address again
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    stored = CalendarFeedToken.objects.filter(pk=row.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    feed_tokens.renew_feed_token(personas.officer)
    history = CalendarFeedToken.history.filter(user=personas.officer).order_by("history_id")
    assert [
        (h.history_type, h.revoked_at is not None, h.history_change_reason) for h in history
    ] == [
        ("+", False, "calendar address made"),
        ("~", True, "calendar address renewed"),
        ("+", False, "calendar address made"),
    ]
    assert CalendarFeedToken.objects.filter(user=personas.officer).count() == 2
    assert CalendarFeedToken.objects.live().filter(user=personas.officer).count() == 1


def test_misses_are_throttled_per_address(personas, feed_world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.CALENDAR_FEED_MISSES_PER_MINUTE = 3
    good = feed_url_of(personas.officer)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(3):
        assert guesser.get(f"/calendar/{number:064d}.ics").status_code == 404
    refused = guesser.get(f"/calendar/{9:064d}.ics")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Even the right token, from that address, until the minute has passed.
    assert guesser.get(good).status_code == 429
    # Another address is not held back.
    assert Client(REMOTE_ADDR="203.0.113.10").get(good).status_code == 200
    # Once the minute is over (its counter gone), the address may ask again.
    cache.clear()
    assert guesser.get(good).status_code == 200


def test_no_session_is_needed_and_none_is_made(personas, feed_world):
    url = feed_url_of(personas.officer)
    sessions = Session.objects.count()
    response = Client().get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert Session.objects.count() == sessions
    # Signed in as someone else: still the owner's calendar, and no cookie set.
    other = Client()
    other.force_login(personas.isfahan_officer)
    sessions = Session.objects.count()
    response = other.get(url)
    assert len(events(parsed(response))) == 2
    assert not response.cookies
    assert Session.objects.count() == sessions


def test_a_deactivated_owner_is_404_and_one_without_roles_gets_an_empty_calendar(
    personas, feed_world
):
    url = feed_url_of(personas.viewer)
    assert len(events(parsed(Client().get(url)))) == 2
    Role.objects.filter(user=personas.viewer).delete()
    empty = parsed(Client().get(url))
    assert empty.walk("VEVENT") == []
    personas.viewer.is_active = False
    personas.viewer.save()
    assert Client().get(url).status_code == 404


def test_the_feed_costs_the_same_queries_with_many_delegations(personas, feed_world):
    url = feed_url_of(personas.officer)
    client = Client()
    small = captured(lambda: client.get(url))
    for number in range(15):
        agreement = AgreementFactory(
            home_city=personas.tehran,
            partner_city=CityFactory(name=f"Feed City {number}", country="FR"),
        )
        for day in (1, 10):
            start = datetime.date(2027, 2, day)
            DelegationFactory(agreement=agreement, start_date=start, end_date=start)
    large = captured(lambda: client.get(url))
    assert len(events(parsed(client.get(url)))) == 32
    assert_same_query_count(small, large)


def test_programme_items_are_timed_events_in_the_municipalitys_time_zone(personas, feed_world):
    """`programme_events` against the ProgrammeItem interface (branch `delegations`),
    with stand-ins until that model is merged."""
    delegation = feed_world["outgoing"]
    tz = zoneinfo.ZoneInfo("Asia/Tehran")
    items = [
        SimpleNamespace(
            pk=7,
            delegation=delegation,
            date=datetime.date(2027, 4, 2),
            start_time=datetime.time(9, 30),
            end_time=datetime.time(11, 0),
            place="Palazzo Vecchio",
            place_fa="کاخ وکیو",
            description="Meeting the mayor",
            description_fa="دیدار با شهردار",
            attendees="Both mayors",
            responsible=personas.officer,
            updated_at=delegation.updated_at,
        ),
        SimpleNamespace(
            pk=8,
            delegation=delegation,
            date=datetime.date(2027, 4, 3),
            start_time=None,
            end_time=None,
            place="",
            place_fa="",
            description="Free day",
            description_fa="",
            attendees="",
            responsible=None,
            updated_at=delegation.updated_at,
        ),
    ]
    calendar = icalendar.Calendar()
    for event in programme_events(items, tz):
        calendar.add_component(event)
    calendar.add_missing_timezones()
    calendar = icalendar.Calendar.from_ical(calendar.to_ical())
    found = events(calendar)
    timed = found["programme-7@127.0.0.1"]
    assert timed.decoded("DTSTART") == datetime.datetime(2027, 4, 2, 9, 30, tzinfo=tz)
    assert timed.decoded("DTEND") == datetime.datetime(2027, 4, 2, 11, 0, tzinfo=tz)
    assert "TZID=Asia/Tehran" in timed.to_ical().decode()
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Asia/Tehran"]
    assert str(timed["SUMMARY"]) == "Meeting the mayor (Delegation to Florence)"
    assert str(timed["LOCATION"]) == "Palazzo Vecchio"
    assert str(timed["RELATED-TO"]) == f"delegation-{delegation.pk}@127.0.0.1"
    assert "Responsible: officer" in str(timed["DESCRIPTION"])
    all_day = found["programme-8@127.0.0.1"]
    assert all_day.decoded("DTSTART") == datetime.date(2027, 4, 3)
    assert all_day.decoded("DTEND") == datetime.date(2027, 4, 4)
    # In Persian: the Persian text where there is one.
    with translation.override("fa"):
        persian = {str(e["uid"]): e for e in programme_events(items, tz)}
    assert str(persian["programme-7@127.0.0.1"]["SUMMARY"]) == (
        "دیدار با شهردار (هیئت اعزامی به فلورانس)"
    )
    assert str(persian["programme-7@127.0.0.1"]["LOCATION"]) == "کاخ وکیو"
    assert str(persian["programme-8@127.0.0.1"]["SUMMARY"]).startswith("Free day")


# TO ENABLE AT THE MERGE of branch `delegations`, with `calendar_feed.programme_items`.
def test_the_feed_holds_each_visible_programme_item(personas, feed_world):
    from agreements.models import ProgrammeItem  # exists after the merge

    item = ProgrammeItem.objects.create(
        delegation=feed_world["outgoing"],
        date=datetime.date(2027, 4, 2),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 0),
        place="Palazzo Vecchio",
        description="Meeting the mayor",
        responsible=personas.officer,
    )
    ProgrammeItem.objects.create(
        delegation=feed_world["other"], date=datetime.date(2027, 5, 2), description="Isfahan"
    )
    found = events(icalendar.Calendar.from_ical(build_feed(personas.officer)))
    programme = [uid for uid in found if uid.startswith("programme-")]
    assert programme == [f"programme-{item.pk}@127.0.0.1"]
    event = found[f"programme-{item.pk}@127.0.0.1"]
    tehran = zoneinfo.ZoneInfo("Asia/Tehran")
    assert event.decoded("DTSTART") == datetime.datetime(2027, 4, 2, 9, 30, tzinfo=tehran)
    # Still one query per kind of event with more items.
    url = feed_url_of(personas.officer)
    small = captured(lambda: Client().get(url))
    for hour in range(8, 18):
        ProgrammeItem.objects.create(
            delegation=feed_world["incoming"],
            date=datetime.date(2027, 6, 10),
            start_time=datetime.time(hour, 0),
            description=f"Item {hour}",
            responsible=personas.viewer,
        )
    assert_same_query_count(small, captured(lambda: Client().get(url)))
