"""Saving a city: permission, optimistic lock and history in one place.

The rule for shared partner cities lives here too: a city that is the partner of
agreements of more than one home municipality is reference data those
municipalities share, so only an administrator edits it (an officer of one
municipality would otherwise rename or move another municipality's partner).
The pages, the API and the detail page's Edit button all ask
`check_may_edit_city`; `save_city` asks it again under the row lock. Who
partners the city is read through the reverse relation agreements registers on
City (`partner_agreements`). It lives in agreements, above cities: the city
directory's rules need the roles.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cities.models import City

from .permissions import (
    Forbidden,
    can_create_home_city,
    can_edit_city,
    can_manage_partner_cities,
    is_administrator,
)
from .services import Conflict

STALE = _(
    "Someone else saved this city after you opened it. Your changes were not saved; review them and save again."
)
SHARED_CITY = _(
    "This city is a partner of more than one home municipality, so only an administrator "
    "may edit it. Ask an administrator to make the change."
)


def is_shared_partner(city: City) -> bool:
    """True when agreements of more than one home municipality have `city` as partner
    (any status: ended agreements still show its name)."""
    if city.pk is None:
        return False
    homes = city.partner_agreements.order_by().values_list("home_city_id", flat=True).distinct()[:2]
    return len(homes) > 1


def check_may_edit_city(by, city: City) -> None:
    """Raises Forbidden (with the reason to show) unless `by` may edit `city` as
    it is stored: home municipalities and shared partner cities are for
    administrators, other partner cities also for officers."""
    if not can_edit_city(by, city):
        raise Forbidden("edit city")
    if not is_administrator(by) and is_shared_partner(city):
        raise Forbidden("edit shared city", SHARED_CITY, code="shared_city")


def may_edit_city(by, city: City) -> bool:
    try:
        check_may_edit_city(by, city)
    except Forbidden:
        return False
    return True


def save_city(*, city: City, by, expected_version: int | None = None, reason: str = "") -> City:
    """Create or update `city` as `by`. Officers create and edit partner cities,
    administrators also home municipalities and shared partner cities (DESIGN:
    administrators manage cities). Raises Forbidden, Conflict (stale version) or
    ValidationError; saves nothing then."""
    with transaction.atomic():
        if city.pk is None:
            allowed = can_create_home_city(by) if city.is_home else can_manage_partner_cities(by)
            if not allowed:
                raise Forbidden("create city")
        else:
            current = City.objects.select_for_update().get(pk=city.pk)
            # Both the stored and the edited city must be editable: an officer may
            # neither edit a home municipality nor turn a partner city into one.
            check_may_edit_city(by, current)
            if not can_edit_city(by, city):
                raise Forbidden("edit city")
            if expected_version is not None and current.version != expected_version:
                raise Conflict(STALE, code="version_conflict")
            city.version = current.version + 1
        city.full_clean()
        city._change_reason = reason or ""
        city.save()
    return city
