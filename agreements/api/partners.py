"""The partner's side in the API:

- /api/v1/agreements/{id}/counterparts/[{record_id}/]: the partner city's people,
  records of the agreement as the others (records.RecordViewSet);
- /api/v1/memoranda/{memorandum_pk}/partner-links/[{link_id}/]: review links of a
  draft: list, create (201 `{"url", "expires_at"}`: the token is in the URL and only
  in this answer), DELETE revokes (the row stays, with its history);
- the memorandum's `partner_confirmation` is serializers.MemorandumDetailSerializer's
  (GET /api/v1/memoranda/{id}/, views.MemorandumViewSet).

A link's creation is the one POST without `Idempotency-Key`: its answer carries a
secret that is stored nowhere, so it cannot be replayed (a retry makes a second
link; revoke the one not sent). Officers write, viewers read (403 on a write),
other municipalities 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from .. import services
from ..models import Counterpart, Memorandum, PartnerLink
from .pagination import CappedPagination
from .permissions import HasRole, get_visible, require_edit, visible_memoranda
from .records import RecordViewSet, _schema
from .responses import CONFLICT, ERRORS
from .serializers import RecordSerializer, _record_meta
from .views import ID_PATTERN


class CounterpartSerializer(RecordSerializer):
    Meta = _record_meta(Counterpart)


@_schema("counterparts", CounterpartSerializer)
class CounterpartViewSet(RecordViewSet):
    model = Counterpart
    serializer_class = CounterpartSerializer


class PartnerLinkSerializer(serializers.ModelSerializer):
    counterpart = serializers.PrimaryKeyRelatedField(
        queryset=Counterpart.objects.none(),
        required=False,
        allow_null=True,
        help_text="The counterpart of the agreement the link is sent to.",
    )
    days = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=1,
        max_value=365,
        help_text="How many days the link is valid (default 30; at most the site's limit).",
    )
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = PartnerLink
        fields = [
            "id",
            "counterpart",
            "days",
            "created_at",
            "expires_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = ["id", "created_at", "expires_at", "revoked_at", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        memorandum = self.context.get("memorandum")
        self.fields["counterpart"].queryset = (
            Counterpart.objects.filter(agreement_id=memorandum.agreement_id)
            if memorandum is not None
            else Counterpart.objects.none()
        )


class PartnerLinkCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="The review link; shown only in this answer.")
    expires_at = serializers.DateTimeField()


@extend_schema_view(
    list=extend_schema(
        summary="List a memorandum's partner review links",
        responses={200: PartnerLinkSerializer(many=True), **ERRORS},
    ),
    create=extend_schema(
        summary="Create a partner review link",
        description="For a draft (409 `frozen` otherwise). The URL carries a token "
        "that is stored nowhere: it is in this answer only (no Idempotency-Key: the "
        "answer cannot be stored for a replay).",
        request=PartnerLinkSerializer,
        responses={201: PartnerLinkCreatedSerializer, **ERRORS, **CONFLICT},
    ),
    retrieve=extend_schema(
        summary="Read one partner review link",
        responses={200: PartnerLinkSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Revoke a partner review link",
        description="The link no longer opens (404); the row and its history stay.",
        responses={204: None, **ERRORS},
    ),
)
class PartnerLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PartnerLinkSerializer
    permission_classes = [HasRole]
    pagination_class = CappedPagination
    lookup_value_regex = ID_PATTERN
    lookup_url_kwarg = "link_id"

    memorandum: Memorandum

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        self.memorandum = get_visible(
            visible_memoranda(request).select_related("agreement"),
            int(self.kwargs["memorandum_pk"]),
        )
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            require_edit(request, self.memorandum.agreement)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return PartnerLink.objects.none()
        return PartnerLink.objects.filter(memorandum=self.memorandum).order_by("-created_at", "-id")

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["memorandum"] = getattr(self, "memorandum", None)
        return context

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        link, token = services.create_partner_link(
            memorandum=self.memorandum,
            by=request.user,
            counterpart=data.get("counterpart"),
            days=data.get("days"),
        )
        url = request.build_absolute_uri(reverse("partner:page", args=[token]))
        body = PartnerLinkCreatedSerializer(
            {"id": link.pk, "url": url, "expires_at": link.expires_at}
        ).data
        response = Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(f"{request.path}{link.pk}/")},
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def perform_destroy(self, instance: PartnerLink) -> None:
        services.revoke_partner_link(link=instance, by=self.request.user)
