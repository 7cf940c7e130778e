"""Who may do what. The only place these rules are written.

Roles are given per home municipality (viewer, officer, approver); the
administrator role is global. Roles are read from the database once per
request (cached on the user object, which Django builds anew for every
request), so a role taken away or a user deactivated takes effect on the
user's next request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import Agreement, Role, RoleName

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from cities.models import City

    AnyUser = AbstractBaseUser | AnonymousUser

# A role's rank: each role can do what the roles below it can.
_RANK = {RoleName.VIEWER: 1, RoleName.OFFICER: 2, RoleName.APPROVER: 3}

_CACHE_ATTR = "_sistercities_roles"


NOT_ALLOWED = _("You are not allowed to do this.")


class Forbidden(Exception):
    """The user may see the object but not do this to it (HTTP 403)."""

    def __init__(
        self, action: str = "", message: str | None = None, *, code: str = "forbidden"
    ) -> None:
        self.action = action
        self.message = str(message or NOT_ALLOWED)
        self.code = code  # for machines (the API's problem code), never translated
        super().__init__(self.message)


def _roles(user: AnyUser) -> tuple[bool, dict[int, str]]:
    """(is_administrator, {home city id: role}) for an active, authenticated user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False, {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        is_admin = False
        per_city: dict[int, str] = {}
        for city_id, role in Role.objects.filter(user=user).values_list("city_id", "role"):
            if role == RoleName.ADMINISTRATOR:
                is_admin = True
            else:
                per_city[city_id] = role
        cached = (is_admin, per_city)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: AnyUser) -> None:
    """Drop the per-request cache (after a role was granted or revoked in-process)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_administrator(user: AnyUser) -> bool:
    return _roles(user)[0]


def role_in(user: AnyUser, city_id: int | None) -> str | None:
    if city_id is None:
        return None
    return _roles(user)[1].get(city_id)


def _has_at_least(user: AnyUser, city_id: int | None, minimum: str) -> bool:
    role = role_in(user, city_id)
    return role is not None and _RANK[role] >= _RANK[minimum]


def home_city_ids(user: AnyUser, minimum: str = RoleName.VIEWER) -> list[int]:
    """Home municipalities where the user holds at least `minimum`."""
    return sorted(
        city_id for city_id, role in _roles(user)[1].items() if _RANK[role] >= _RANK[minimum]
    )


def has_any_role(user: AnyUser) -> bool:
    is_admin, per_city = _roles(user)
    return is_admin or bool(per_city)


# --- Agreements --------------------------------------------------------------------


def _restrict_to_home_cities(user: AnyUser, queryset: QuerySet, home_city_field: str) -> QuerySet:
    """The visibility rule, once: an administrator sees everything (the queryset
    unfiltered), anyone else the rows of the home municipalities where they hold a
    role, someone without a role nothing."""
    if is_administrator(user):
        return queryset
    city_ids = home_city_ids(user)
    if not city_ids:
        return queryset.none()
    return queryset.filter(**{f"{home_city_field}__in": city_ids})


def visible_agreements(
    user: AnyUser, queryset: QuerySet[Agreement] | None = None
) -> QuerySet[Agreement]:
    queryset = Agreement.objects.all() if queryset is None else queryset
    return _restrict_to_home_cities(user, queryset, "home_city_id")


def visible_through_agreement(user: AnyUser, queryset: QuerySet) -> QuerySet:
    """Rows of a model that belongs to an agreement (stage requests, memoranda...)
    whose agreement `user` may see: visible_agreements' rule applied through the
    join, so an administrator's queryset stays unfiltered (not an
    `agreement IN (every agreement)` that the database would have to build)."""
    return _restrict_to_home_cities(user, queryset, "agreement__home_city_id")


def can_view_agreement(user: AnyUser, agreement: Agreement) -> bool:
    return is_administrator(user) or role_in(user, agreement.home_city_id) is not None


def can_edit_agreement(user: AnyUser, agreement: Agreement) -> bool:
    """Log records, edit the agreement's data, request a move (next stage, upgrade,
    reopen, suspend, resume, terminate)."""
    return _has_at_least(user, agreement.home_city_id, RoleName.OFFICER)


def can_decide(user: AnyUser, agreement: Agreement) -> bool:
    """Approve or reject requests (of someone else: agreements.services, four eyes)."""
    return _has_at_least(user, agreement.home_city_id, RoleName.APPROVER)


def deciders_and_administrators(agreement: Agreement) -> tuple[list, list]:
    """The active approvers of the agreement's home municipality (who decide its
    requests, each but their own) and the active administrators (who give roles),
    as users, in one query."""
    roles = (
        Role.objects.filter(
            Q(city_id=agreement.home_city_id, role=RoleName.APPROVER)
            | Q(role=RoleName.ADMINISTRATOR),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__username")
    )
    deciders, administrators = [], []
    for role in roles:
        (administrators if role.role == RoleName.ADMINISTRATOR else deciders).append(role.user)
    return deciders, administrators


def can_create_agreement_for(user: AnyUser, home_city: City) -> bool:
    return home_city.is_home and _has_at_least(user, home_city.pk, RoleName.OFFICER)


def get_agreement_for_user(
    user: AnyUser, pk: int, *, for_update: bool = False
) -> tuple[Agreement, bool]:
    """The agreement and whether the user may edit it; 404 for outsiders."""
    queryset = visible_agreements(user, Agreement.objects.with_cities())
    try:
        agreement = queryset.get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404
    return agreement, can_edit_agreement(user, agreement)


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden


# --- Cities ----------------------------------------------------------------------------


def can_manage_partner_cities(user: AnyUser) -> bool:
    """Officers (anywhere) and administrators create and edit partner cities."""
    return is_administrator(user) or bool(home_city_ids(user, RoleName.OFFICER))


def can_edit_city(user: AnyUser, city: City) -> bool:
    if city.is_home:
        return is_administrator(user)
    return can_manage_partner_cities(user)


def can_create_home_city(user: AnyUser) -> bool:
    return is_administrator(user)


# --- Delegations -------------------------------------------------------------------------


def can_see_travel_documents(user: AnyUser, agreement: Agreement) -> bool:
    """A participant's passport and visa: officers and approvers of the home
    municipality and administrators; never a viewer, never anything public."""
    return is_administrator(user) or can_edit_agreement(user, agreement)


def visible_through_delegation(user: AnyUser, queryset: QuerySet) -> QuerySet:
    """Rows under a delegation (gifts, budget lines...) whose agreement `user` may
    see: visible_agreements' rule through the delegation's agreement."""
    return _restrict_to_home_cities(user, queryset, "delegation__agreement__home_city_id")
