"""Granting and revoking a user's role in a municipality."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g

from .. import reasons
from ..models import (
    Role,
    RoleName,
)
from ..permissions import (
    forget_roles,
)
from .base import (
    _save,
)

if TYPE_CHECKING:
    from cities.models import City


def grant_role(*, user, role: str, city: City | None = None, reason: str = "") -> Role:
    """Give `user` a role; a user holds one role per municipality (replaced if present)."""
    if role not in RoleName.values:
        raise ValidationError({"role": [_g("Unknown role.")]})
    with transaction.atomic():
        if role == RoleName.ADMINISTRATOR:
            if city is not None:
                raise ValidationError({"city": [_g("Administrators belong to no municipality.")]})
            existing = Role.objects.filter(user=user, role=RoleName.ADMINISTRATOR).first()
            if existing is None:
                existing = Role(user=user, role=role)
                existing.full_clean()
                _save(existing, reason or reasons.reason("role_granted"))
            if not user.is_staff:
                user.is_staff = True  # Django's admin login form asks for it
                user.save(update_fields=["is_staff"])
            forget_roles(user)
            return existing
        if city is None:
            raise ValidationError({"city": [_g("Name the home municipality.")]})
        existing = Role.objects.filter(user=user, city=city).first()
        if existing is None:
            existing = Role(user=user, city=city, role=role)
            existing.full_clean()
            _save(existing, reason or reasons.reason("role_granted"))
        elif existing.role != role:
            existing.role = role
            existing.full_clean()
            _save(existing, reason or reasons.reason("role_changed"))
    forget_roles(user)
    return existing


def revoke_role(
    *, user, role: str | None = None, city: City | None = None, reason: str = ""
) -> int:
    """Take roles away (all of the user's roles in `city`, or the administrator role)."""
    roles = Role.objects.filter(user=user)
    if role == RoleName.ADMINISTRATOR:
        roles = roles.filter(role=RoleName.ADMINISTRATOR)
    else:
        if city is None:
            raise ValidationError({"city": [_g("Name the home municipality.")]})
        roles = roles.filter(city=city)
        if role:
            roles = roles.filter(role=role)
    removed = 0
    with transaction.atomic():
        for row in roles:
            row._change_reason = reason or reasons.reason("role_revoked")
            row.delete()
            removed += 1
        if role == RoleName.ADMINISTRATOR and removed and user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    forget_roles(user)
    return removed
