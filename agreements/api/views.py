"""API views: authentication, cities, agreements and the workflow endpoints.

Every view looks objects up through agreements.permissions (404 outside the
user's municipalities, 403 for a write their role does not allow) and writes
only through agreements.services or agreements.city_directory. Errors those raise become
HTTP answers in exceptions.py. Records of an agreement are in records.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from knox.auth import TokenAuthentication
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cities.models import City

from .. import export_jobs, exporting, permissions, reasons, services
from ..city_directory import check_may_edit_city, save_city
from ..models import Agreement, ExportFormat, Memorandum, StageRequest
from ..problems import PROBLEM_CONTENT_TYPE
from ..selectors.plans import with_plan_follow_up
from . import history as api_history
from . import tokens
from .conditional import ConditionalWrites
from .documents import AgreementFiles, MemorandumFiles
from .exports import ACCEPTED, accepted
from .filters import (
    AgreementAPIFilter,
    CityAPIFilter,
    QueryFilterBackend,
    StageRequestAPIFilter,
    reject_unknown_parameters,
)
from .idempotency import IdempotentPosts
from .locations import LocationOnCreate, stage_request_url
from .negotiation import StrictContentNegotiation
from .pagination import CappedPagination
from .permissions import (
    HasRole,
    agreement_for,
    get_visible,
    require_decide,
    require_edit,
    require_may_create_agreements,
    require_may_create_cities,
    visible_memoranda,
    visible_stage_requests,
)
from .responses import (
    CONFLICT,
    ERRORS,
    IDEMPOTENT,
    KEY_REUSED,
    NOT_ACCEPTABLE,
    PRECONDITION,
    WRITE,
    errors,
    problem_response,
)
from .serializers import (
    AgreementDetailSerializer,
    AgreementSerializer,
    AgreementUpdateSerializer,
    CitySerializer,
    HistoryEntrySerializer,
    MemorandumDetailSerializer,
    MemorandumSerializer,
    NoteSerializer,
    RejectionSerializer,
    RequestReasonSerializer,
    StageRequestCreateSerializer,
    StageRequestSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)

# Ids in URLs: digits only, and few enough that no database overflows on them.
ID_PATTERN = "[0-9]{1,18}"


class BinaryRenderer(BaseRenderer):
    """Lets a client ask for a file with its media type in Accept; the views
    answer with the file themselves, errors stay JSON."""

    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        # An error (401, 404, 409...): a problem detail, and labelled so, not as the file's type
        # the client asked for.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = PROBLEM_CONTENT_TYPE
        return JSONRenderer().render(data)


class AnyFileRenderer(BinaryRenderer):
    media_type = "*/*"
    format = "file"


class PDFRenderer(BinaryRenderer):
    media_type = "application/pdf"
    format = "pdf"


class CSVRenderer(BinaryRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(BinaryRenderer):
    media_type = exporting.XLSX_CONTENT_TYPE
    format = "xlsx"


class ZIPRenderer(BinaryRenderer):
    media_type = "application/zip"
    format = "zip"


class FileNegotiation(StrictContentNegotiation):
    """For file answers: a `format` that none of the view's renderers has is 406
    `not_acceptable`, as an `Accept` it cannot meet is; DRF's own answer, 404, would
    say that the agreement or memorandum does not exist."""

    def filter_renderers(self, renderers, format):
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            raise NotAcceptable(available_renderers=renderers)
        return found


# --- The schema ---------------------------------------------------------------------------------


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema in English whoever fetches it: generated clients get the
    same type names, enums and descriptions whatever the language cookie or
    profile (only drf-spectacular's explicit `?lang=fa` asks for a translated
    copy). Rendered inside the override, as its texts are lazy translations."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response


# --- Authentication ------------------------------------------------------------------------


class AuthTokenView(APIView):
    """POST: a new token for a username and password. DELETE: revoke the token
    the request was sent with (agreements/api/tokens.py)."""

    def get_authenticators(self):
        # POST signs in with username and password (throttled by django-axes, like
        # the login page) and reads no credentials; DELETE reads only a token: the
        # one it revokes (a session cannot revoke a token). `self.request` is None
        # while drf-spectacular builds its mock request.
        if getattr(self.request, "method", None) == "DELETE":
            return [TokenAuthentication()]
        return []

    def get_permissions(self):
        if getattr(self.request, "method", None) == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            **problem_response(400, "Wrong username or password (`validation`)."),
            **problem_response(429, "`locked_out`: too many failed sign-ins; see Retry-After."),
        },
        auth=[],
        summary="Get an API token",
        description="A new token for the user, valid until `expires_at` (API_TOKEN_DAYS "
        "days). Send it afterwards as `Authorization: Token <token>`. It is revoked "
        "earlier when the user's password changes, when the user is deactivated, or "
        "with DELETE.",
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # authenticate() with the request, so that login throttling (django-axes)
        # can wrap or watch this view like the login page.
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]}
            )
        token, key = tokens.issue_token(user)
        return Response(TokenSerializer({"token": key, "expires_at": token.expiry}).data)

    @extend_schema(
        request=None,
        responses={204: None, **problem_response(401, "No or invalid token.")},
        summary="Revoke this API token",
        description="Revokes the token sent in `Authorization`; the user's other tokens "
        "stay valid.",
    )
    def delete(self, request: Request) -> Response:
        tokens.revoke_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Cities -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List cities", responses={200: CitySerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="Read a city", responses={200: CitySerializer, **ERRORS}),
    create=extend_schema(
        summary="Create a city",
        description="Officers create partner cities; administrators also home municipalities.",
        responses={201: CitySerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
    ),
    update=extend_schema(
        summary="Update a city",
        responses={200: CitySerializer, **ERRORS, **CONFLICT, **PRECONDITION},
        **WRITE,
    ),
    partial_update=extend_schema(
        summary="Update some fields of a city",
        responses={200: CitySerializer, **ERRORS, **CONFLICT, **PRECONDITION},
        **WRITE,
    ),
)
class CityViewSet(
    IdempotentPosts,
    ConditionalWrites,
    LocationOnCreate,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CitySerializer
    permission_classes = [HasRole]
    pagination_class = CappedPagination
    filter_backends = [QueryFilterBackend]
    filterset_class = CityAPIFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[City]:
        # Cities are shared reference data: everyone with a role reads them.
        return City.objects.order_by("name", "id")

    def create(self, request: Request, *args, **kwargs) -> Response:
        require_may_create_cities(request)  # 403 before looking at the data
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = save_city(
            city=City(**data),
            by=self.request.user,
            reason=reasons.reason("city_created", via="api"),
        )

    def update(self, request: Request, *args, **kwargs) -> Response:
        # 403 with the reason (a home municipality, a shared partner city) before
        # looking at the data; save_city checks again under the row lock.
        check_may_edit_city(request.user, self.get_object())
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer) -> None:
        city = serializer.instance
        data = dict(serializer.validated_data)
        expected = self.expected_version(data.pop("version", None), serializer.instance)
        for name, value in data.items():
            setattr(city, name, value)
        serializer.instance = save_city(
            city=city,
            by=self.request.user,
            expected_version=expected,
            reason=reasons.reason("city_edited", via="api"),
        )


# --- Agreements --------------------------------------------------------------------------------


def _changed(instance: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the stored object: a PUT that repeats a field the
    workflow has fixed (e.g. the kind after signing) is not an attempt to change it."""
    return {name: value for name, value in data.items() if getattr(instance, name) != value}


@extend_schema_view(
    list=extend_schema(
        summary="List agreements",
        description="Agreements of your municipalities. Filters as on the list page; "
        "an invalid filter value answers 400.",
        responses={200: AgreementSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an agreement",
        description="With the current stage's checklist and the actions you may take.",
        responses={200: AgreementDetailSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Create an agreement",
        request=AgreementSerializer,
        responses={201: AgreementSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
    ),
    update=extend_schema(
        summary="Update an agreement",
        description="Stage and status change only through the workflow endpoints.",
        request=AgreementUpdateSerializer,
        responses={200: AgreementSerializer, **ERRORS, **CONFLICT, **PRECONDITION},
        **WRITE,
    ),
    partial_update=extend_schema(
        summary="Update some fields of an agreement",
        request=AgreementUpdateSerializer,
        responses={200: AgreementSerializer, **ERRORS, **CONFLICT, **PRECONDITION},
        **WRITE,
    ),
)
class AgreementViewSet(
    IdempotentPosts,
    AgreementFiles,
    ConditionalWrites,
    LocationOnCreate,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [HasRole]
    pagination_class = CappedPagination
    filter_backends = [QueryFilterBackend]
    filterset_class = AgreementAPIFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Agreement]:
        return with_plan_follow_up(
            permissions.visible_agreements(
                self.request.user,
                Agreement.objects.with_cities().select_related("responsible_officer"),
            )
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AgreementDetailSerializer
        if self.action in ("update", "partial_update"):
            return AgreementUpdateSerializer
        return AgreementSerializer

    def get_object(self) -> Agreement:
        edit = self.action in ("update", "partial_update")
        return agreement_for(self.request, int(self.kwargs["pk"]), edit=edit)

    def create(self, request: Request, *args, **kwargs) -> Response:
        require_may_create_agreements(request)  # 403 before looking at the data
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_agreement(by=self.request.user, **data)

    def perform_update(self, serializer) -> None:
        agreement = serializer.instance
        data = dict(serializer.validated_data)
        expected = self.expected_version(data.pop("version", None), serializer.instance)
        changes = _changed(agreement, data)
        if changes or expected is not None:
            agreement = services.update_agreement(
                agreement=agreement, by=self.request.user, expected_version=expected, **changes
            )
        serializer.instance = agreement_for(self.request, agreement.pk)

    @extend_schema(
        summary="Request a consequential move",
        request=StageRequestCreateSerializer,
        responses={201: StageRequestSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
        description="Creates a pending stage request for `action`: `advance` (to the "
        "next stage), `upgrade` (an active friendship city to a sister city), `reopen` "
        "(at the earlier stage `to_stage`, required for it and only for it), `suspend`, "
        "`resume` or `terminate`. `note` is the reason (required). Officers and "
        "approvers of the home municipality ask; an approver of that municipality other "
        "than you approves (the move is then made) or rejects it. 409 when the move is "
        "not possible now, when another request is pending, or (with `missing`) when "
        "the current stage's gate is not met.",
        filters=False,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="requests",
        url_name="requests",
        filter_backends=[],
    )
    def make_request(self, request: Request, pk: str) -> Response:
        agreement = agreement_for(request, int(pk))
        require_edit(request, agreement)
        data = StageRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stage_request = services.make_request(
            agreement=agreement,
            by=request.user,
            action=data.validated_data["action"],
            note=data.validated_data["note"],
            to_stage=data.validated_data["to_stage"] or None,
        )
        return Response(
            StageRequestSerializer(stage_request).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": stage_request_url(request, stage_request.pk)},
        )

    @extend_schema(
        summary="Ask for the next stage",
        request=RequestReasonSerializer,
        responses={201: StageRequestSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
        description="The shortcut of `POST .../requests/` with `action` `advance`: "
        "creates a pending stage request; an approver of the home municipality (not "
        "you) approves or rejects it. `note` is the reason (required). 409 with "
        "`missing` when the current stage's gate is not met.",
    )
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str) -> Response:
        agreement = agreement_for(request, int(pk))
        require_edit(request, agreement)
        note = RequestReasonSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        stage_request = services.request_advance(
            agreement=agreement, by=request.user, note=note.validated_data["note"]
        )
        return Response(
            StageRequestSerializer(stage_request).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": stage_request_url(request, stage_request.pk)},
        )

    @extend_schema(
        summary="History of an agreement and its records",
        description="Every saved change, newest first: who, when, why and which fields.",
        responses={200: HistoryEntrySerializer(many=True), **ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        agreement = agreement_for(request, int(pk))
        reject_unknown_parameters(request, QueryFilterBackend.common)
        page = self.paginate_queryset(api_history.entries_queryset(agreement.pk))
        return self.get_paginated_response(
            HistoryEntrySerializer(api_history.entries(page), many=True).data
        )

    @extend_schema(
        operation_id="v1_agreements_export_csv_retrieve",
        summary="Export the filtered list as CSV",
        # The list's filters, which drf-spectacular lists for list actions only.
        filters=True,
        description="The import columns, then status and dates. Takes the list's filters. "
        "A list longer than EXPORT_INLINE_MAX_ROWS is written in the background: 202.",
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            **ACCEPTED,
            **errors(400, 401),
            **NOT_ACCEPTABLE,
        },
    )
    def export_csv(self, request: Request) -> HttpResponse:
        # Routed in urls.py, like export_xlsx.
        queryset = self.filter_queryset(self.get_queryset())
        if export_jobs.runs_in_background(queryset, ExportFormat.CSV):
            return accepted(request, ExportFormat.CSV)
        return exporting.csv_response(queryset)

    @extend_schema(
        operation_id="v1_agreements_export_xlsx_retrieve",
        summary="Export the filtered list as XLSX",
        # The list's filters, which drf-spectacular lists for list actions only.
        filters=True,
        description="The list for people, in the request's language: translated headers, "
        "labels instead of codes, Excel dates (in Persian a Solar Hijri column beside each, "
        "and a right-to-left sheet). The CSV is the machine format that imports again. "
        "Takes the list's filters. "
        "A list longer than EXPORT_INLINE_MAX_ROWS is written in the background: 202.",
        responses={
            (200, exporting.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            **ACCEPTED,
            **errors(400, 401),
            **NOT_ACCEPTABLE,
        },
    )
    def export_xlsx(self, request: Request) -> HttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        if export_jobs.runs_in_background(queryset, ExportFormat.XLSX):
            return accepted(request, ExportFormat.XLSX)
        return exporting.xlsx_response(queryset)


# --- Stage requests ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List stage requests",
        description="Requests on agreements of your municipalities; `state=pending` is "
        "the approvals queue.",
        responses={200: StageRequestSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a stage request", responses={200: StageRequestSerializer, **ERRORS}
    ),
)
class StageRequestViewSet(
    IdempotentPosts, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = StageRequestSerializer
    permission_classes = [HasRole]
    pagination_class = CappedPagination
    filter_backends = [QueryFilterBackend]
    filterset_class = StageRequestAPIFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[StageRequest]:
        # Oldest first: the order of the approvals queue (stage_request_queue_idx).
        return (
            visible_stage_requests(self.request)
            .select_related("requested_by", "decided_by")
            .order_by("created_at", "id")
        )

    def _decide(self, request: Request, pk: str, decide, note_serializer) -> Response:
        stage_request = get_visible(self.get_queryset(), int(pk))
        require_decide(request, stage_request.agreement)
        note = note_serializer(data=request.data)
        note.is_valid(raise_exception=True)
        decided = decide(
            stage_request=stage_request, by=request.user, note=note.validated_data["note"]
        )
        return Response(StageRequestSerializer(decided).data)

    @extend_schema(
        summary="Approve a stage request",
        description="Makes the requested move (next stage, upgrade, reopen, suspend, "
        "resume or terminate) in one transaction; `note` is optional. Only an approver "
        "of the home municipality who is not the requester (403 otherwise); 409 when "
        "the move is no longer possible (the gate no longer met, the state changed) or "
        "the request was already decided.",
        request=NoteSerializer,
        responses={200: StageRequestSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(request, pk, services.approve_stage_request, NoteSerializer)

    @extend_schema(
        summary="Reject a stage request",
        description="`note` is the reason (required, 400 without it), sent to the "
        "requester. Only an approver of the home municipality who is not the requester "
        "(403 otherwise); 409 when the request was already decided.",
        request=RejectionSerializer,
        responses={200: StageRequestSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(request, pk, services.reject_stage_request, RejectionSerializer)

    @extend_schema(
        summary="Withdraw your stage request",
        description="Only the requester withdraws (403 for anyone else); 409 when the "
        "request was already decided.",
        request=NoteSerializer,
        responses={200: StageRequestSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request: Request, pk: str) -> Response:
        stage_request = get_visible(self.get_queryset(), int(pk))
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        withdrawn = services.withdraw_stage_request(
            stage_request=stage_request, by=request.user, note=note.validated_data["note"]
        )
        return Response(StageRequestSerializer(withdrawn).data)


# --- Memoranda -------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read one memorandum version",
        description="With `partner_confirmation`: the partner city's latest confirmation "
        "of the text, `outdated` when the text has changed since (null when none).",
        responses={200: MemorandumDetailSerializer, **ERRORS},
    )
)
class MemorandumViewSet(
    IdempotentPosts,
    MemorandumFiles,
    ConditionalWrites,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """One version (with the partner's confirmation), the freeze action and a
    version's PDF (documents.py); memoranda are listed under their agreement."""

    serializer_class = MemorandumSerializer

    def get_serializer_class(self):
        if self.action == "retrieve":
            return MemorandumDetailSerializer
        return MemorandumSerializer

    permission_classes = [HasRole]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Memorandum]:
        queryset = visible_memoranda(self.request).select_related("agreement")
        if self.action == "retrieve":
            queryset = queryset.select_related("frozen_by").prefetch_related(
                "articles", "officials"
            )
        return queryset

    @extend_schema(
        summary="Freeze a memorandum",
        description="Renders the final PDF once and stores it with its SHA-256; the "
        "memorandum can no longer be changed. Only the latest version, at the signing "
        "stage, with signing date, place, both signatories and officials present on "
        "both sides (else 409 `officials_missing`, naming the side).",
        request=None,
        responses={200: MemorandumSerializer, **ERRORS, **CONFLICT, **KEY_REUSED},
        **IDEMPOTENT,
    )
    @action(detail=True, methods=["post"])
    def freeze(self, request: Request, pk: str) -> Response:
        memorandum = get_visible(self.get_queryset(), int(pk))
        require_edit(request, memorandum.agreement)
        frozen = services.freeze_memorandum(memorandum=memorandum, by=request.user)
        return Response(MemorandumSerializer(frozen, context=self.get_serializer_context()).data)
