"""Saving a city: permission, optimistic lock and history in one place."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agreements.permissions import (
    Forbidden,
    can_create_home_city,
    can_edit_city,
    can_manage_partner_cities,
)
from agreements.services import Conflict

from .models import City

STALE = _(
    "Someone else saved this city after you opened it. Your changes were not saved; review them and save again."
)


def save_city(*, city: City, by, expected_version: int | None = None, reason: str = "") -> City:
    """Create or update `city` as `by`. Officers create and edit partner cities,
    administrators also home municipalities (DESIGN: administrators manage cities).
    Raises Forbidden, Conflict (stale version) or ValidationError; saves nothing then."""
    with transaction.atomic():
        if city.pk is None:
            allowed = can_create_home_city(by) if city.is_home else can_manage_partner_cities(by)
            if not allowed:
                raise Forbidden("create city")
        else:
            current = City.objects.select_for_update().get(pk=city.pk)
            # Both the stored and the edited city must be editable: an officer may
            # neither edit a home municipality nor turn a partner city into one.
            if not (can_edit_city(by, current) and can_edit_city(by, city)):
                raise Forbidden("edit city")
            if expected_version is not None and current.version != expected_version:
                raise Conflict(STALE)
            city.version = current.version + 1
        city.full_clean()
        city._change_reason = reason or ""
        city.save()
    return city
