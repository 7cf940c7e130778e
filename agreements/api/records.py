"""Records logged against an agreement: /api/v1/agreements/{id}/<kind>/[{record_id}/].

One view set class, configured per kind. The agreement is looked up first (404
outside the user's municipalities); writes need the officer role (403) and go
through services.save_record / delete_record, which also refuse what the
workflow does not allow (a frozen memorandum, a terminated agreement: 409).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .. import services
from ..files import verified_open
from ..forms import DocumentForm
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
    MemorandumOfficial,
)
from .conditional import ConditionalWrites
from .filters import QueryFilterBackend
from .idempotency import IdempotentPosts
from .locations import LocationOnCreate, member_url
from .pagination import CappedPagination
from .parsers import JSONParser
from .permissions import HasRole, agreement_for, require_edit
from .responses import CONFLICT, ERRORS, FILE_CONFLICT, IDEMPOTENT, KEY_REUSED, PRECONDITION, WRITE
from .serializers import (
    ActivitySerializer,
    CommonalitySerializer,
    ContactSerializer,
    DelegationSerializer,
    DepartmentSupportSerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    GoalSerializer,
    LegalApprovalSerializer,
    MemorandumSerializer,
    OfficialSerializer,
)
from .views import ID_PATTERN, AnyFileRenderer


def _schema(label: str, serializer):
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {label}", responses={200: serializer(many=True), **ERRORS}
        ),
        create=extend_schema(
            summary=f"Add {label}",
            responses={201: serializer, **ERRORS, **CONFLICT, **KEY_REUSED},
            **IDEMPOTENT,
        ),
        retrieve=extend_schema(
            summary=f"Read one of the {label}", responses={200: serializer, **ERRORS}
        ),
        update=extend_schema(
            summary=f"Update one of the {label}",
            responses={200: serializer, **ERRORS, **CONFLICT, **PRECONDITION},
            **WRITE,
        ),
        partial_update=extend_schema(
            summary=f"Update some fields of one of the {label}",
            responses={200: serializer, **ERRORS, **CONFLICT, **PRECONDITION},
            **WRITE,
        ),
        destroy=extend_schema(
            summary=f"Delete one of the {label}",
            description="Where the workflow allows it (not a frozen memorandum or its "
            "signed copy, nothing of a terminated agreement).",
            responses={204: None, **ERRORS, **CONFLICT, **PRECONDITION},
            **WRITE,
        ),
    )


class RecordViewSet(IdempotentPosts, ConditionalWrites, LocationOnCreate, viewsets.ModelViewSet):
    model: type[Model]
    permission_classes = [HasRole]
    pagination_class = CappedPagination
    # No filters: an unknown query parameter is 400, as on the filtered lists.
    filter_backends = [QueryFilterBackend]
    lookup_value_regex = ID_PATTERN
    lookup_url_kwarg = "record_id"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    agreement: Agreement

    def check_permissions(self, request: Request) -> None:
        # In initial(), after authentication (401 first) and before the Idempotency-Key
        # is claimed (IdempotentPosts.initial): a 404 or 403 here is not stored.
        super().check_permissions(request)
        self.agreement = agreement_for(request, int(self.kwargs["agreement_pk"]))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            require_edit(request, self.agreement)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        return self.model.objects.filter(agreement=self.agreement).select_related("created_by")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["agreement"] = getattr(self, "agreement", None)
        return context

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        record = self.model(agreement=self.agreement, **data)
        serializer.instance = services.save_record(record=record, by=self.request.user)

    def perform_update(self, serializer) -> None:
        record = serializer.instance
        data = dict(serializer.validated_data)
        expected = self.expected_version(data.pop("version", None), serializer.instance)
        for name, value in data.items():
            setattr(record, name, value)
        serializer.instance = services.save_record(
            record=record, by=self.request.user, expected_version=expected
        )

    def perform_destroy(self, instance: Model) -> None:
        services.delete_record(
            record=instance,
            by=self.request.user,
            expected_version=self.expected_version(None, instance),
        )


@_schema("contacts", ContactSerializer)
class ContactViewSet(RecordViewSet):
    model = Contact
    serializer_class = ContactSerializer


@_schema("goals", GoalSerializer)
class GoalViewSet(RecordViewSet):
    model = Goal
    serializer_class = GoalSerializer


@_schema("commonalities", CommonalitySerializer)
class CommonalityViewSet(RecordViewSet):
    model = Commonality
    serializer_class = CommonalitySerializer


@_schema("department supports", DepartmentSupportSerializer)
class DepartmentSupportViewSet(RecordViewSet):
    model = DepartmentSupport
    serializer_class = DepartmentSupportSerializer


@_schema("legal approvals", LegalApprovalSerializer)
class LegalApprovalViewSet(RecordViewSet):
    model = LegalApproval
    serializer_class = LegalApprovalSerializer

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("document")


@_schema("delegations", DelegationSerializer)
class DelegationViewSet(RecordViewSet):
    model = Delegation
    serializer_class = DelegationSerializer


@_schema("activities", ActivitySerializer)
class ActivityViewSet(RecordViewSet):
    model = Activity
    serializer_class = ActivitySerializer


@_schema("memoranda", MemorandumSerializer)
class MemorandumRecordViewSet(RecordViewSet):
    """A new memorandum is a new version with the default articles (and the
    signing details of the frozen version it supersedes); given fields are then
    saved on it, in the same transaction."""

    model = Memorandum
    serializer_class = MemorandumSerializer

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("frozen_by")
            .prefetch_related("articles", "officials")
            .order_by("number")
        )

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        with transaction.atomic():
            memorandum = services.new_memorandum(agreement=self.agreement, by=self.request.user)
            if data:
                for name, value in data.items():
                    setattr(memorandum, name, value)
                memorandum = services.save_record(record=memorandum, by=self.request.user)
        serializer.instance = Memorandum.objects.prefetch_related("articles", "officials").get(
            pk=memorandum.pk
        )


@_schema("officials present", OfficialSerializer)
class OfficialViewSet(RecordViewSet):
    """/api/v1/agreements/{id}/memoranda/{memorandum_id}/officials/: the officials
    present of one memorandum version, both sides. The memorandum is looked up
    within the agreement (404 otherwise); a frozen one's officials are read-only (409)."""

    model = MemorandumOfficial
    serializer_class = OfficialSerializer

    memorandum: Memorandum

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        memorandum = Memorandum.objects.filter(
            pk=int(self.kwargs["memorandum_pk"]), agreement=self.agreement
        ).first()
        if memorandum is None:
            raise Http404
        self.memorandum = memorandum

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        return self.model.objects.filter(memorandum=self.memorandum).order_by(
            "side", "position", "id"
        )

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        record = self.model(memorandum=self.memorandum, **data)
        serializer.instance = services.save_record(record=record, by=self.request.user)


@_schema("documents", DocumentSerializer)
class DocumentViewSet(RecordViewSet):
    """Uploads are validated by the page's DocumentForm (allowed types, size
    limit, SHA-256 and file metadata): one set of upload rules."""

    model = Document

    def get_parsers(self):
        # An upload is multipart (the file and its fields); a change of the
        # title is JSON, as every other body. The action is known from the
        # method before DRF resolves it (initialize_request asks for parsers
        # first); drf-spectacular sets `action` itself.
        action = getattr(self, "action", None) or self.action_map.get(self.request.method.lower())
        if action == "create":
            return [MultiPartParser()]
        return [JSONParser()]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return DocumentUpdateSerializer
        return DocumentSerializer

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {
            name: request.data.get(name, "")
            for name in ("kind", "title", "memorandum")
            if name in request.data
        }
        # The schema's default, as the serializer's (the page's form has no default).
        data.setdefault("kind", Document._meta.get_field("kind").default)
        form = DocumentForm(
            data=data,
            files={"file": serializer.validated_data["file"]},
            instance=Document(agreement=self.agreement),
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    name: [e["message"] for e in errors]
                    for name, errors in form.errors.get_json_data().items()
                }
            )
        document = services.save_record(record=form.instance, by=request.user)
        output = self.get_serializer(document)
        return Response(
            output.data,
            status=status.HTTP_201_CREATED,
            headers={"Location": member_url(request, document.pk)},
        )

    @extend_schema(
        summary="Download a document's file",
        description="409 when the stored file is missing or no longer matches its "
        "SHA-256 (nothing is sent).",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **ERRORS,
            **FILE_CONFLICT,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyFileRenderer])
    def file(self, request: Request, *args, **kwargs) -> FileResponse:
        document = self.get_object()
        return FileResponse(
            verified_open(document.file, document.sha256, record=document),
            as_attachment=True,
            filename=document.original_name or document.file.name.rsplit("/", 1)[-1],
            content_type=document.content_type or "application/octet-stream",
        )


RECORD_VIEWSETS = {
    "contacts": ContactViewSet,
    "goals": GoalViewSet,
    "commonalities": CommonalityViewSet,
    "department-supports": DepartmentSupportViewSet,
    "legal-approvals": LegalApprovalViewSet,
    "memoranda": MemorandumRecordViewSet,
    "delegations": DelegationViewSet,
    "activities": ActivityViewSet,
    "documents": DocumentViewSet,
}
