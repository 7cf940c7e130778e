"""The API's access checks: adapters that only call agreements.permissions.

Users without any role get 403 everywhere (as on the pages); objects outside
the user's municipalities are 404; a write the user's role does not allow on an
object they may see is 403 (Forbidden, mapped in exceptions.py).
"""

from __future__ import annotations

from django.db.models import Model
from django.http import Http404
from rest_framework.permissions import BasePermission

from .. import permissions
from ..models import Agreement, Memorandum, RoleName, StageRequest


class HasRole(BasePermission):
    """Signed in (token or session) and holding at least one role."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and permissions.has_any_role(user))


def agreement_for(request, pk: int, *, edit: bool = False) -> Agreement:
    """The agreement if the user may see it (else 404); with edit=True, 403 unless
    the user may also change it."""
    agreement, can_edit = permissions.get_agreement_for_user(request.user, pk)
    if edit:
        permissions.require(can_edit)
    return agreement


def require_may_create_agreements(request) -> None:
    """As the create page: officers (or approvers) of some home municipality; the
    service then checks the chosen one."""
    permissions.require(bool(permissions.home_city_ids(request.user, RoleName.OFFICER)))


def require_may_create_cities(request) -> None:
    """As the city page: officers anywhere and administrators; the service then
    checks home municipalities (administrators only)."""
    permissions.require(permissions.can_manage_partner_cities(request.user))


def require_edit(request, agreement: Agreement) -> None:
    permissions.require(permissions.can_edit_agreement(request.user, agreement))


def require_decide(request, agreement: Agreement) -> None:
    permissions.require(permissions.can_decide(request.user, agreement))


def visible_stage_requests(request):
    return permissions.visible_through_agreement(request.user, StageRequest.objects.all())


def visible_memoranda(request):
    return permissions.visible_through_agreement(request.user, Memorandum.objects.all())


def get_visible(queryset, pk: int) -> Model:
    """One object of an already-restricted queryset, or 404."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404
