"""The admin of the joint committee and the action plans (issue 22): records as
every other (agreements.admin.RecordAdmin, saved through services)."""

from __future__ import annotations

from django.contrib import admin

from .admin import RecordAdmin
from .models import ActionPlan, ActionPlanItem, CommitteeMeeting, CommitteeMember


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(RecordAdmin):
    list_display = ["agreement", "side", "name", "title", "is_chair"]
    list_filter = ["side", "is_chair"]


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(RecordAdmin):
    list_display = ["agreement", "date", "online", "place"]
    list_filter = ["online"]
    autocomplete_fields = ["agreement", "minutes"]


@admin.register(ActionPlan)
class ActionPlanAdmin(RecordAdmin):
    list_display = ["agreement", "year", "calendar", "starts_on", "ends_on"]
    list_filter = ["calendar"]
    readonly_fields = [*RecordAdmin.readonly_fields, "starts_on", "ends_on"]


@admin.register(ActionPlanItem)
class ActionPlanItemAdmin(RecordAdmin):
    """An item is added to a plan (its agreement is the plan's, set by the model)."""

    list_display = ["plan", "sector", "owner_department", "due_date", "status"]
    list_filter = ["status", "sector", "owner_department"]
    list_select_related = ["plan__agreement__home_city", "plan__agreement__partner_city"]
    autocomplete_fields = [
        "plan",
        "evidence_activity",
        "evidence_delegation",
        "evidence_document",
        "from_meeting",
    ]
    readonly_fields = [*RecordAdmin.readonly_fields, "agreement"]
    fixed_once_saved = ["plan"]

    def get_fields(self, request, obj=None):
        readonly = self.get_readonly_fields(request, obj)
        editable = [name for name in ("plan", *self.model.EDITABLE_FIELDS) if name not in readonly]
        return editable + [name for name in readonly if name not in editable]
