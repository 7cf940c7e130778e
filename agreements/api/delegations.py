"""Records under a delegation:
/api/v1/agreements/{id}/delegations/{delegation_id}/<kind>/[{record_id}/].

participants, programme, budget-lines (and budget-lines/totals/), gifts,
ceremonies. As every record (api/records.py): the agreement first (404 outside
the user's municipalities), then the delegation within it (404); writes need
the officer role (403) and go through agreements.services, which also refuse a
write to a terminated agreement (409). A participant's `travel_documents` (their
passport and visa) is in the answers only for officers and approvers of the home
municipality and administrators (permissions.can_see_travel_documents); a
viewer's answers leave the field out.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions, services
from ..models import (
    BudgetLine,
    Ceremony,
    Delegation,
    DelegationParticipant,
    Document,
    Gift,
    ProgrammeItem,
)
from ..selectors.delegations import budget_totals, budget_totals_by_year
from .records import RecordViewSet, _schema
from .responses import ERRORS
from .serializers import RecordSerializer

# --- Serializers ----------------------------------------------------------------------------


def _meta(model_class, *extra_read_only: str):
    return type(
        "Meta",
        (),
        {
            "model": model_class,
            "fields": RecordSerializer.BOOKKEEPING + list(model_class.EDITABLE_FIELDS),
            "read_only_fields": ["id", "created_at", "updated_at", *extra_read_only],
        },
    )


class ParticipantSerializer(RecordSerializer):
    """A participant. `travel_documents` (passport and visa, for an outgoing trip)
    is present only in the answers to officers and approvers of the home
    municipality and to administrators."""

    Meta = _meta(DelegationParticipant)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        agreement = self.context.get("agreement")
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return  # the schema documents the field
        if (
            request is None
            or agreement is None
            or not permissions.can_see_travel_documents(request.user, agreement)
        ):
            for name in DelegationParticipant.PRIVATE_FIELDS:
                self.fields.pop(name, None)


class ProgrammeItemSerializer(RecordSerializer):
    responsible = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
        help_text="The responsible officer's username (a user with a role in the "
        "home municipality); null for none.",
    )

    Meta = _meta(ProgrammeItem)


class BudgetLineSerializer(RecordSerializer):
    Meta = _meta(BudgetLine)


class GiftSerializer(RecordSerializer):
    Meta = _meta(Gift)


class CeremonySerializer(RecordSerializer):
    """`photos`: ids of PNG or JPEG documents of the agreement."""

    Meta = type(
        "Meta",
        (),
        {
            "model": Ceremony,
            "fields": RecordSerializer.BOOKKEEPING + [*Ceremony.EDITABLE_FIELDS, "photos"],
            "read_only_fields": ["id", "created_at", "updated_at"],
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreement = self.context.get("agreement")
        photos = self.fields.get("photos")
        if photos is not None and hasattr(photos, "child_relation"):
            photos.child_relation.queryset = (
                Document.objects.filter(agreement=agreement)
                if agreement is not None
                else Document.objects.none()
            )


class TotalSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 code.")
    planned = serializers.DecimalField(max_digits=20, decimal_places=2)
    actual = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Lines without an actual amount add 0."
    )
    lines = serializers.IntegerField()


class YearTotalSerializer(TotalSerializer):
    year = serializers.IntegerField(help_text="Gregorian year of the delegations' start dates.")


class BudgetTotalsSerializer(serializers.Serializer):
    delegation = TotalSerializer(many=True, help_text="This delegation, per currency.")
    agreement_by_year = YearTotalSerializer(
        many=True, help_text="Every delegation of the agreement, per year and currency."
    )


# --- View sets -------------------------------------------------------------------------------


class DelegationPartViewSet(RecordViewSet):
    delegation: Delegation

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        delegation = Delegation.objects.filter(
            pk=int(self.kwargs["delegation_pk"]), agreement=self.agreement
        ).first()
        if delegation is None:
            raise Http404
        delegation.agreement = self.agreement
        self.delegation = delegation

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        return (
            self.model.objects.filter(delegation=self.delegation)
            .select_related("created_by")
            .order_by(*self.model._meta.ordering)
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["delegation"] = getattr(self, "delegation", None)
        return context

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        record = self.model(delegation=self.delegation, **data)
        serializer.instance = services.save_record(record=record, by=self.request.user)


@_schema("participants of a delegation", ParticipantSerializer)
class ParticipantViewSet(DelegationPartViewSet):
    model = DelegationParticipant
    serializer_class = ParticipantSerializer


@_schema("programme items of a delegation", ProgrammeItemSerializer)
class ProgrammeViewSet(DelegationPartViewSet):
    model = ProgrammeItem
    serializer_class = ProgrammeItemSerializer

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("responsible")


@_schema("budget lines of a delegation", BudgetLineSerializer)
class BudgetLineViewSet(DelegationPartViewSet):
    model = BudgetLine
    serializer_class = BudgetLineSerializer

    @extend_schema(
        summary="Budget totals of a delegation and of its agreement per year",
        description="Sums per currency (amounts in different currencies are never "
        "added); `agreement_by_year` groups every delegation of the agreement by the "
        "Gregorian year of its start date.",
        responses={200: BudgetTotalsSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def totals(self, request: Request, *args, **kwargs) -> Response:
        body = {
            "delegation": [vars(t) for t in budget_totals(self.delegation)],
            "agreement_by_year": [
                vars(t) for t in budget_totals_by_year(self.agreement.delegations.all())
            ],
        }
        return Response(BudgetTotalsSerializer(body).data)


@_schema("gifts given and received during a delegation", GiftSerializer)
class GiftViewSet(DelegationPartViewSet):
    model = Gift
    serializer_class = GiftSerializer


@_schema("ceremonies of a delegation", CeremonySerializer)
class CeremonyViewSet(DelegationPartViewSet):
    model = Ceremony
    serializer_class = CeremonySerializer

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().prefetch_related("photos")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        photos = data.pop("photos", None)
        record = Ceremony(delegation=self.delegation, **data)
        serializer.instance = services.save_ceremony(
            record=record, by=self.request.user, photos=photos
        )

    def perform_update(self, serializer) -> None:
        record = serializer.instance
        data = dict(serializer.validated_data)
        expected = self.expected_version(data.pop("version", None), serializer.instance)
        photos = data.pop("photos", None)
        for name, value in data.items():
            setattr(record, name, value)
        serializer.instance = services.save_ceremony(
            record=record, by=self.request.user, photos=photos, expected_version=expected
        )


DELEGATION_VIEWSETS = {
    "participants": ParticipantViewSet,
    "programme": ProgrammeViewSet,
    "budget-lines": BudgetLineViewSet,
    "gifts": GiftViewSet,
    "ceremonies": CeremonyViewSet,
}
