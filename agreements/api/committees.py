"""The joint committee and the action plans of an agreement (issue 22).

- /api/v1/agreements/{id}/committee-members/ and .../committee-meetings/: records
  of the agreement as every other (RecordViewSet); a meeting's
  .../committee-meetings/{id}/make-item/ makes one of its decisions an item of a plan.
- /api/v1/agreements/{id}/action-plans/: one plan per year, the year given in the
  calendar of the client's choice (`calendar`: gregorian or jalali) and stored as
  the Gregorian dates `starts_on` and `ends_on`; read with its completion.
- /api/v1/action-plans/{plan_id}/items/: the plan's items. The plan is looked up
  within the user's municipalities (404 otherwise); writes as for every record
  (officer; services.save_record).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import services
from ..models import (
    ActionPlan,
    ActionPlanItem,
    CommitteeMeeting,
    CommitteeMember,
    Department,
    Sector,
)
from ..models.plans import YEAR_LIMITS
from ..selectors.plans import plan_figures
from .permissions import agreement_for, require_edit
from .records import RecordViewSet, _schema
from .responses import CONFLICT, ERRORS, IDEMPOTENT, KEY_REUSED
from .serializers import GregorianDateField, RecordSerializer, _record_meta

# --- Serializers ------------------------------------------------------------------


class CommitteeMemberSerializer(RecordSerializer):
    Meta = _record_meta(CommitteeMember)


class CommitteeMeetingSerializer(RecordSerializer):
    Meta = _record_meta(CommitteeMeeting)


class ActionPlanSerializer(RecordSerializer):
    year = serializers.IntegerField(
        # The widest range of the two calendars (Jalali 1279-1478, Gregorian 1900-2100);
        # each calendar's own range is checked with the calendar.
        min_value=min(low for low, _high in YEAR_LIMITS.values()),
        max_value=max(high for _low, high in YEAR_LIMITS.values()),
        help_text=_(
            "The year in the chosen calendar: Jalali 1279 to 1478, Gregorian 1900 to 2100."
        ),
    )
    plan_completion = serializers.SerializerMethodField(
        help_text=_(
            "Percent of the plan's items done, dropped items left out; null for a plan "
            "without items."
        )
    )
    overdue_items = serializers.SerializerMethodField(
        help_text=_("Items due before today and still planned or in progress.")
    )

    class Meta:
        model = ActionPlan
        fields = RecordSerializer.BOOKKEEPING + [
            *ActionPlan.EDITABLE_FIELDS,
            "starts_on",
            "ends_on",
            "plan_completion",
            "overdue_items",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "starts_on", "ends_on"]

    def _figures(self, plan: ActionPlan):
        cache = self.context.setdefault("plan_figures", {})
        if plan.pk not in cache:
            cache[plan.pk] = plan_figures(plan)
        return cache[plan.pk]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_plan_completion(self, plan: ActionPlan) -> int | None:
        return self._figures(plan).completion

    @extend_schema_field(serializers.IntegerField())
    def get_overdue_items(self, plan: ActionPlan) -> int:
        return self._figures(plan).overdue


class ActionPlanItemSerializer(RecordSerializer):
    plan = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ActionPlanItem
        fields = RecordSerializer.BOOKKEEPING + ["plan", *ActionPlanItem.EDITABLE_FIELDS]
        read_only_fields = ["id", "created_at", "updated_at"]


class MakeItemSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, help_text=_("An action plan of the agreement."))
    decision = serializers.IntegerField(
        min_value=1, max_value=10000, help_text=_("The decision's line, counted from 1.")
    )
    sector = serializers.ChoiceField(Sector.choices, default=Sector.OTHER)
    owner_department = serializers.ChoiceField(Department.choices, default=Department.OTHER)
    due_date = GregorianDateField(
        required=False, allow_null=True, help_text=_("Default: the last day of the plan's year.")
    )


# --- View sets --------------------------------------------------------------------


@_schema("joint committee members", CommitteeMemberSerializer)
class CommitteeMemberViewSet(RecordViewSet):
    model = CommitteeMember
    serializer_class = CommitteeMemberSerializer


@_schema("joint committee meetings", CommitteeMeetingSerializer)
class CommitteeMeetingViewSet(RecordViewSet):
    model = CommitteeMeeting
    serializer_class = CommitteeMeetingSerializer

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("minutes")

    @extend_schema(
        summary="Make a decision of this meeting an item of an action plan",
        request=MakeItemSerializer,
        responses={201: ActionPlanItemSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
    )
    @action(detail=True, methods=["post"], url_path="make-item")
    def make_item(self, request: Request, *args, **kwargs) -> Response:
        meeting = self.get_object()
        given = MakeItemSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        plan = ActionPlan.objects.filter(pk=data.pop("plan"), agreement=self.agreement).first()
        if plan is None:
            raise serializers.ValidationError(
                {"plan": [str(services.plans.PLAN_OF_ANOTHER_AGREEMENT)]}
            )
        item = services.item_from_decision(meeting=meeting, plan=plan, by=request.user, **data)
        output = ActionPlanItemSerializer(item, context=self.get_serializer_context())
        location = request.build_absolute_uri(f"/api/v1/action-plans/{plan.pk}/items/{item.pk}/")
        return Response(output.data, status=status.HTTP_201_CREATED, headers={"Location": location})


@_schema("action plans", ActionPlanSerializer)
class ActionPlanViewSet(RecordViewSet):
    model = ActionPlan
    serializer_class = ActionPlanSerializer


@_schema("action plan items", ActionPlanItemSerializer)
class ActionPlanItemViewSet(RecordViewSet):
    """/api/v1/action-plans/{plan_id}/items/: the items of one plan. The plan is
    found only among the agreements the user may see (404 otherwise)."""

    model = ActionPlanItem
    serializer_class = ActionPlanItemSerializer

    plan: ActionPlan

    def check_permissions(self, request: Request) -> None:
        # RecordViewSet's parent: authentication and role first, then the plan.
        super(RecordViewSet, self).check_permissions(request)
        plan = ActionPlan.objects.filter(pk=int(self.kwargs["plan_pk"])).first()
        if plan is None:
            raise Http404
        self.agreement = agreement_for(request, plan.agreement_id)
        self.plan = plan
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            require_edit(request, self.agreement)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        return self.model.objects.filter(plan=self.plan).select_related("created_by")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        record = self.model(agreement=self.agreement, plan=self.plan, **data)
        serializer.instance = services.save_record(record=record, by=self.request.user)


COMMITTEE_VIEWSETS = {
    "committee-members": CommitteeMemberViewSet,
    "committee-meetings": CommitteeMeetingViewSet,
    "action-plans": ActionPlanViewSet,
}
