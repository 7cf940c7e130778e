"""What every ModelAdmin of the product shares."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .permissions import is_administrator


class AdministratorOnly:
    """The admin is the administrators' tool; other roles use the pages."""

    def has_module_permission(self, request) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_administrator(request.user)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history's "revert" form saves the historical instance, stage and
        # status included, behind the workflow's back. The history list stays.
        raise PermissionDenied
