"""A user's calendar (iCalendar, RFC 5545), written with the `icalendar` library.

`build_feed(user)` is the body of `/calendar/<token>.ics`: one VEVENT per
delegation the user may see (`delegation_events`) and one per item of their
programmes (`programme_events`), in the user's own language (the profile's, as
the e-mails), whatever asked for it: a calendar client sends no cookie.

- A delegation is an all-day event: DTSTART;VALUE=DATE the first day, DTEND the
  day after the last (DTEND is exclusive in RFC 5545); one without an end date
  lasts its start day. The summary names the partner city in the reader's
  language ("Delegation to Florence", "هیئت اعزامی به فلورانس").
- A programme item is timed, in the municipality's time zone (settings.TIME_ZONE,
  its VTIMEZONE included); one without a start time is all-day on its date.
- UIDs are stable (`delegation-<id>@<host>`, `programme-<id>@<host>`), DTSTAMP and
  LAST-MODIFIED are the record's last save, so the same data gives the same bytes
  (the view's ETag) and a client updates an event in place.

The reads are one query per kind of event whatever the number of rows.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from cities.models import display_name

from . import permissions
from .models import Delegation, Direction, ProgrammeItem
from .notifications import absolute_url, language_of
from .selectors.calendar import visible_delegations
from .selectors.display import person_name

PRODID = "-//Sister Cities//Calendar feed//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "sistercities"


def _city(city) -> str:
    persian = translation.get_language() == "fa"
    return display_name(city.name, city.name_fa, persian=persian) if city else ""


def _stamp(value: datetime.datetime | None) -> datetime.datetime:
    value = value or timezone.now()
    return value.astimezone(datetime.UTC).replace(microsecond=0)


def _agreement_url(agreement_id: int) -> str:
    return absolute_url(f"{reverse('agreements:detail', args=[agreement_id])}#section-delegations")


def delegation_summary(delegation: Delegation) -> str:
    city = _city(delegation.agreement.partner_city)
    if delegation.direction == Direction.INCOMING:
        return _("Delegation from %(city)s") % {"city": city}
    return _("Delegation to %(city)s") % {"city": city}


def delegation_uid(delegation_id: int) -> str:
    return f"delegation-{delegation_id}@{_host()}"


def delegation_events(delegations: Iterable[Delegation]) -> Iterator[Event]:
    """An all-day VEVENT per delegation (agreement and cities joined by the caller)."""
    for delegation in delegations:
        agreement = delegation.agreement
        last_day = delegation.end_date or delegation.start_date
        event = Event()
        event.add("uid", delegation_uid(delegation.pk))
        event.add("dtstamp", _stamp(delegation.updated_at))
        event.add("created", _stamp(delegation.created_at))
        event.add("last-modified", _stamp(delegation.updated_at))
        event.add("dtstart", delegation.start_date)
        event.add("dtend", last_day + datetime.timedelta(days=1))
        event.add("summary", delegation_summary(delegation))
        if delegation.direction == Direction.INCOMING:
            event.add("location", _city(agreement.home_city))
        else:
            event.add("location", _city(agreement.partner_city))
        lines = [
            f"{_city(agreement.home_city)} – {_city(agreement.partner_city)}",
            _("Head of delegation: %(head)s") % {"head": delegation.head},
        ]
        if delegation.purpose:
            lines.append(_("Purpose: %(purpose)s") % {"purpose": delegation.purpose})
        if delegation.members:
            lines.append(_("Members: %(members)s") % {"members": delegation.members})
        event.add("description", "\n".join(lines))
        event.add("url", _agreement_url(agreement.pk))
        event.add("transp", "TRANSPARENT")
        yield event


def _in_language(english: str, persian: str) -> str:
    """A bilingual pair in the reader's language (English when the Persian is blank)."""
    if translation.get_language() == "fa" and (persian or "").strip():
        return persian
    return english or persian or ""


def programme_events(items: Iterable, tz: datetime.tzinfo) -> Iterator[Event]:
    """A VEVENT per programme item: `ProgrammeItem` (agreements/models/delegations.py,
    branch `delegations`: `delegation`, `date`, `start_time`, `end_time`, `place` and
    `place_fa`, `description` and `description_fa`, `attendees`, `responsible`, a
    user), its delegation, agreement and cities joined by the caller. Timed in `tz`;
    an item without a start time is all-day on its date."""
    for item in items:
        delegation = item.delegation
        event = Event()
        event.add("uid", f"programme-{item.pk}@{_host()}")
        stamp = getattr(item, "updated_at", None) or delegation.updated_at
        event.add("dtstamp", _stamp(stamp))
        event.add("last-modified", _stamp(stamp))
        if item.start_time is None:
            event.add("dtstart", item.date)
            event.add("dtend", item.date + datetime.timedelta(days=1))
        else:
            start = datetime.datetime.combine(item.date, item.start_time, tzinfo=tz)
            event.add("dtstart", start)
            if item.end_time is not None and item.end_time > item.start_time:
                event.add("dtend", datetime.datetime.combine(item.date, item.end_time, tzinfo=tz))
        what = _in_language(item.description, item.description_fa)
        event.add(
            "summary",
            _("%(what)s (%(delegation)s)")
            % {"what": what, "delegation": delegation_summary(delegation)},
        )
        place = _in_language(item.place, item.place_fa)
        if place:
            event.add("location", place)
        lines = []
        if item.attendees:
            lines.append(_("Attending: %(who)s") % {"who": item.attendees})
        if item.responsible:
            lines.append(_("Responsible: %(who)s") % {"who": person_name(item.responsible)})
        if lines:
            event.add("description", "\n".join(lines))
        event.add("url", _agreement_url(delegation.agreement_id))
        event.add("related-to", delegation_uid(delegation.pk))
        yield event


def programme_items(user) -> QuerySet:
    """The programme items of the delegations `user` may see, in one query."""
    return (
        permissions.visible_through_delegation(user, ProgrammeItem.objects.all())
        .select_related(
            "delegation__agreement__home_city",
            "delegation__agreement__partner_city",
            "responsible",
        )
        .order_by("date", "start_time", "id")
    )


def build_feed(user) -> bytes:
    """The iCalendar file of `user`'s delegations and programme items."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with translation.override(language_of(user)):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Sister Cities: delegations"))
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        for event in delegation_events(visible_delegations(user).iterator(chunk_size=2000)):
            calendar.add_component(event)
        for event in programme_events(programme_items(user), tz):
            calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical()
