"""Serializers of the API. Every one lists its fields explicitly.

Serializers only validate and present: they never save. Views hand the
validated data to agreements.services (or agreements.city_directory), which check the
permission and the workflow, run full_clean and write history. Stage, status,
decisions, freezing data and roles are read-only here: they change only through
the workflow endpoints.
"""

from __future__ import annotations

import contextlib
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cities.models import Characteristic, City
from cities.validators import jalali_date_error, validate_text

from .. import workflow
from ..models import (
    Activity,
    Agreement,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
    MemorandumOfficial,
    RequestAction,
    RequestState,
    Stage,
    StageRequest,
)
from ..permissions import can_decide, can_edit_agreement
from ..selectors.gates import gate_checklist
from ..selectors.partners import partner_confirmation
from ..selectors.plans import percent, with_plan_follow_up
from ..services import REJECTION_REASON_REQUIRED, REQUEST_REASON_REQUIRED

VERSION_HELP = _(
    "The version you read. Send it back with a change: if someone else saved in "
    "between, the answer is 409 and nothing is changed."
)


def _username_field(help_text: str, *, nullable: bool = True) -> serializers.SlugRelatedField:
    """A user as their username. Nullable where the model's is (a user deleted,
    a request not decided yet, a memorandum not frozen)."""
    return serializers.SlugRelatedField(
        read_only=True,
        allow_null=nullable,
        slug_field=get_user_model().USERNAME_FIELD,
        help_text=help_text,
    )


class NoModelValidators:
    """The model's constraints are checked by the services' full_clean (and the
    database); DRF's copies of them would be a second implementation."""

    def get_validators(self) -> list:
        return []


class GregorianDateField(serializers.DateField):
    """DRF's ISO date field. A date that is not Gregorian but reads as a Jalali one
    ("1403-06-31") is refused with a message that says so; one that is both
    ("1405-09-12") is refused by the model's validate_date with the same message."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            error = jalali_date_error(value)
            if error is None:
                raise
            raise serializers.ValidationError(error.messages, code="jalali_date")


class DateFieldsMixin:
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: GregorianDateField,
    }


# --- Authentication ------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


# --- Cities ----------------------------------------------------------------------------------


class CoordinateField(serializers.DecimalField):
    """Degrees as a JSON number (a string is accepted too), rounded to the 6 decimal
    places stored: a GPS reading has more, and is no less valid for it."""

    def validate_precision(self, value: Decimal) -> Decimal:
        step = Decimal(1).scaleb(-self.decimal_places)
        # Too large to round (1e151): left as it is, refused below for its digits.
        with contextlib.suppress(InvalidOperation):
            value = value.quantize(step, rounding=ROUND_HALF_EVEN)
        return super().validate_precision(value)


def _coordinate(limit: int) -> CoordinateField:
    return CoordinateField(
        max_digits=9,
        decimal_places=6,
        min_value=-limit,
        max_value=limit,
        coerce_to_string=False,
        allow_null=True,
        required=False,
    )


class CitySerializer(NoModelValidators, CountryFieldMixin, serializers.ModelSerializer):
    # Numbers, not strings: their bounds are then in the schema as minimum and maximum.
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    characteristics = serializers.ListField(
        child=serializers.ChoiceField(choices=Characteristic.choices),
        required=False,
        max_length=len(Characteristic.values),
    )
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP
    )

    class Meta:
        model = City
        fields = [
            "id",
            "name",
            "name_fa",
            "country",
            "region",
            "region_fa",
            "population",
            "latitude",
            "longitude",
            "titles",
            "titles_fa",
            "characteristics",
            "is_home",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


# --- Agreements ------------------------------------------------------------------------------


class AgreementSerializer(NoModelValidators, DateFieldsMixin, serializers.ModelSerializer):
    """An agreement as lists show it; also what a create accepts."""

    home_city = serializers.PrimaryKeyRelatedField(
        queryset=City.objects.filter(is_home=True),
        help_text=_("A home municipality where you are an officer or approver."),
    )
    partner_city = serializers.PrimaryKeyRelatedField(queryset=City.objects.all())
    home_city_name = serializers.CharField(source="home_city.name", read_only=True)
    home_city_name_fa = serializers.CharField(source="home_city.name_fa", read_only=True)
    partner_city_name = serializers.CharField(source="partner_city.name", read_only=True)
    partner_city_name_fa = serializers.CharField(source="partner_city.name_fa", read_only=True)
    partner_country = serializers.CharField(source="partner_city.country.code", read_only=True)
    responsible_officer = _username_field("The officer in charge; null when none is.")
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP
    )
    plan_completion = serializers.SerializerMethodField(
        help_text=_(
            "Percent of the current action plan's items done (the plan whose year "
            "contains today), dropped items left out; null without a plan or items."
        )
    )
    overdue_items = serializers.SerializerMethodField(
        help_text=_("Action plan items due before today and still planned or in progress.")
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "home_city",
            "home_city_name",
            "home_city_name_fa",
            "partner_city",
            "partner_city_name",
            "partner_city_name_fa",
            "partner_country",
            "kind",
            "stage",
            "status",
            "stage_changed_at",
            "origin",
            "title",
            "summary",
            "first_contact_on",
            "signed_on",
            "signed_year",
            "term_years",
            "expires_on",
            "responsible_officer",
            "public",
            "public_summary",
            "public_summary_fa",
            "created_at",
            "updated_at",
            "version",
            "plan_completion",
            "overdue_items",
        ]
        # Set by the workflow (stage, status, signing date, term and expiry taken from
        # the memorandum when the request to leave signing is approved).
        read_only_fields = [
            "id",
            "stage",
            "status",
            "stage_changed_at",
            "signed_on",
            "signed_year",
            "term_years",
            "expires_on",
            "created_at",
            "updated_at",
        ]

    def _follow_up(self, agreement: Agreement) -> Agreement:
        # The list annotates its queryset (selectors.plans.with_plan_follow_up: a fixed
        # number of queries); one agreement read otherwise is annotated here.
        if not hasattr(agreement, "plan_items_counted"):
            annotated = with_plan_follow_up(Agreement.objects.filter(pk=agreement.pk)).first()
            for name in ("plan_items_counted", "plan_items_done", "overdue_items"):
                setattr(agreement, name, getattr(annotated, name, 0))
        return agreement

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_plan_completion(self, agreement: Agreement) -> int | None:
        agreement = self._follow_up(agreement)
        return percent(agreement.plan_items_done, agreement.plan_items_counted)

    @extend_schema_field(serializers.IntegerField())
    def get_overdue_items(self, agreement: Agreement) -> int:
        return self._follow_up(agreement).overdue_items


class AgreementUpdateSerializer(AgreementSerializer):
    """The two cities are fixed once the agreement exists."""

    home_city = serializers.PrimaryKeyRelatedField(read_only=True)
    partner_city = serializers.PrimaryKeyRelatedField(read_only=True)


class GateItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    fix = serializers.CharField(help_text=_("The kind of record that fulfils the item."))


class AgreementDetailSerializer(AgreementSerializer):
    allowed_actions = serializers.SerializerMethodField()
    gate = serializers.SerializerMethodField(
        help_text=_("The current stage's checklist: what must be recorded to move on.")
    )

    class Meta(AgreementSerializer.Meta):
        fields = AgreementSerializer.Meta.fields + ["allowed_actions", "gate"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, agreement: Agreement) -> list[str]:
        user = self.context["request"].user
        pending = agreement.stage_requests.filter(state=RequestState.PENDING).first()
        actions = workflow.allowed_actions(
            stage=agreement.stage,
            status=agreement.status,
            kind=agreement.kind,
            user_id=user.pk,
            can_edit=can_edit_agreement(user, agreement),
            can_decide=can_decide(user, agreement),
            pending_request=pending,
        )
        return sorted(actions)

    @extend_schema_field(GateItemSerializer(many=True))
    def get_gate(self, agreement: Agreement) -> list[dict[str, Any]]:
        return [
            {"code": item.code, "label": str(item.label), "done": item.done, "fix": item.fix}
            for item in gate_checklist(agreement)
        ]


# --- Records ---------------------------------------------------------------------------------


class RecordSerializer(NoModelValidators, DateFieldsMixin, serializers.ModelSerializer):
    created_by = _username_field("Who recorded it; null when that user was deleted.")
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP
    )

    BOOKKEEPING = ["id", "created_by", "created_at", "updated_at", "version"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreement = self.context.get("agreement")
        # Links to other records only within the same agreement.
        for field in self.fields.values():
            if isinstance(field, serializers.PrimaryKeyRelatedField) and not field.read_only:
                model = field.queryset.model
                field.queryset = (
                    model.objects.filter(agreement=agreement)
                    if agreement is not None
                    else model.objects.none()
                )


def _record_meta(model_class):
    return type(
        "Meta",
        (),
        {
            "model": model_class,
            "fields": RecordSerializer.BOOKKEEPING + list(model_class.EDITABLE_FIELDS),
            "read_only_fields": ["id", "created_at", "updated_at"],
        },
    )


class ContactSerializer(RecordSerializer):
    Meta = _record_meta(Contact)


class GoalSerializer(RecordSerializer):
    Meta = _record_meta(Goal)


class CommonalitySerializer(RecordSerializer):
    Meta = _record_meta(Commonality)


class DepartmentSupportSerializer(RecordSerializer):
    Meta = _record_meta(DepartmentSupport)


class LegalApprovalSerializer(RecordSerializer):
    Meta = _record_meta(LegalApproval)


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemorandumArticle
        fields = ["id", *MemorandumArticle.EDITABLE_FIELDS]
        read_only_fields = fields


class OfficialSerializer(RecordSerializer):
    """An official present at the exchange of the memorandum, on one side
    (/api/v1/agreements/{id}/memoranda/{memorandum_id}/officials/)."""

    created_by = None  # an official, as an article, has no creator of its own

    class Meta:
        model = MemorandumOfficial
        fields = [name for name in RecordSerializer.BOOKKEEPING if name != "created_by"] + list(
            MemorandumOfficial.EDITABLE_FIELDS
        )
        read_only_fields = ["id", "created_at", "updated_at"]


class OfficialSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = MemorandumOfficial
        fields = ["id", *MemorandumOfficial.EDITABLE_FIELDS]
        read_only_fields = fields


MEMORANDUM_EDITABLE = list(Memorandum.EDITABLE_FIELDS)


class MemorandumSerializer(RecordSerializer):
    is_frozen = serializers.BooleanField(read_only=True)
    frozen_by = _username_field("Who froze it; null while it is a draft.")
    articles = ArticleSerializer(many=True, read_only=True)
    officials = OfficialSummarySerializer(
        many=True,
        read_only=True,
        help_text=_("The officials present, both sides; edited at .../officials/."),
    )

    class Meta:
        model = Memorandum
        fields = (
            RecordSerializer.BOOKKEEPING
            + ["number", "supersedes", "kind"]
            + MEMORANDUM_EDITABLE
            + ["is_frozen", "frozen_at", "frozen_by", "pdf_sha256", "content_sha256"]
            + ["articles", "officials"]
        )
        # Version numbers, supersession and freezing belong to the workflow.
        read_only_fields = [
            "id",
            "created_at",
            "updated_at",
            "number",
            "supersedes",
            "kind",
            "frozen_at",
            "pdf_sha256",
            "content_sha256",
        ]


class PartnerConfirmationSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    email = serializers.EmailField()
    confirmed_at = serializers.DateTimeField()
    content_hash = serializers.CharField(help_text="SHA-256 of the text confirmed.")
    outdated = serializers.BooleanField(
        help_text="The text has changed since: its content hash is no longer this one."
    )


class MemorandumDetailSerializer(MemorandumSerializer):
    partner_confirmation = serializers.SerializerMethodField(
        help_text="The partner city's latest confirmation of the text, or null."
    )

    class Meta(MemorandumSerializer.Meta):
        fields = [*MemorandumSerializer.Meta.fields, "partner_confirmation"]

    @extend_schema_field(PartnerConfirmationSerializer(allow_null=True))
    def get_partner_confirmation(self, memorandum: Memorandum) -> dict | None:
        from ..pdf import memorandum_content_hash

        current = memorandum.content_sha256 if memorandum.is_frozen else ""
        data = partner_confirmation(memorandum, current or memorandum_content_hash(memorandum))
        return PartnerConfirmationSerializer(data).data if data is not None else None


class DelegationSerializer(RecordSerializer):
    Meta = _record_meta(Delegation)


class ActivitySerializer(RecordSerializer):
    Meta = _record_meta(Activity)


class DocumentSerializer(RecordSerializer):
    """Upload with multipart/form-data (kind, title, memorandum, file); afterwards
    only kind, title and memorandum change: the file and its SHA-256 stay."""

    file = serializers.FileField(write_only=True, required=True)

    class Meta:
        model = Document
        fields = RecordSerializer.BOOKKEEPING + [
            *Document.EDITABLE_FIELDS,
            "original_name",
            "content_type",
            "size",
            "sha256",
        ]
        read_only_fields = [
            "id",
            "created_at",
            "updated_at",
            "original_name",
            "content_type",
            "size",
            "sha256",
        ]


class DocumentUpdateSerializer(DocumentSerializer):
    file = None

    class Meta(DocumentSerializer.Meta):
        fields = [f for f in DocumentSerializer.Meta.fields if f != "file"]


# --- Workflow --------------------------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", validators=[validate_text]
    )


def _reason(message, help_text) -> serializers.CharField:
    return serializers.CharField(
        max_length=2000,
        help_text=help_text,
        error_messages={"required": message, "blank": message},
    )


class RequestReasonSerializer(serializers.Serializer):
    """The reason of a request (required; agreements.services.make_request checks it too)."""

    note = _reason(REQUEST_REASON_REQUIRED, _("Why the move is asked for (required)."))


class RejectionSerializer(serializers.Serializer):
    """The reason of a rejection (required; sent to the requester)."""

    note = _reason(REJECTION_REASON_REQUIRED, _("Why the request is rejected (required)."))


class StageRequestCreateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=RequestAction.choices)
    note = _reason(REQUEST_REASON_REQUIRED, _("Why the move is asked for (required)."))
    to_stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=_("For a reopen only (then required): the earlier stage to reopen at."),
    )


class StageRequestSerializer(serializers.ModelSerializer):
    requested_by = _username_field("Who asked for the move.", nullable=False)
    decided_by = _username_field("Who decided it; null while it is pending.")

    class Meta:
        model = StageRequest
        fields = [
            "id",
            "agreement",
            "action",
            "from_stage",
            "to_stage",
            "requested_by",
            "note",
            "state",
            "decided_by",
            "decision_note",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class WorkflowErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    missing = serializers.ListField(
        child=serializers.CharField(), help_text=_("Unmet items of the current stage's gate.")
    )


# --- History ---------------------------------------------------------------------------------


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The history row's id within its object type."))
    object_type = serializers.CharField(help_text=_("agreement, contacts, goals, ..."))
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the change was made, in the language asked for.")
    )
    reason_code = serializers.CharField(
        allow_blank=True,
        help_text=_(
            "The reason's code (agreement_created, request_approved, record_edited, ...); "
            "empty for a reason stored as free text."
        ),
    )
    changes = ChangeSerializer(many=True)
