"""GET /api/v1/verify/{code}/: the public facts of a signed memorandum by its
integrity code, for anyone (no credentials); the JSON twin of the page
/verify/{code}/ (views/verify.py), from the same selector and with the same
throttling of misses per address (agreements/throttling.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import throttling
from ..models import Kind, Status
from ..selectors.verification import public_data, public_memorandum
from .responses import problem_response

SCOPE = "verify"  # shared with the page: one count of misses per address
NOT_FOUND = _("No signed memorandum has this integrity code.")
TOO_MANY = _(
    "Too many codes that were not found were checked from this address. Wait a minute "
    "and try again."
)


class PublicPartySerializer(serializers.Serializer):
    name = serializers.CharField()
    name_fa = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")


class PublicSignatorySerializer(serializers.Serializer):
    name = serializers.CharField()
    name_fa = serializers.CharField()
    title = serializers.CharField()
    title_fa = serializers.CharField()


class PublicPartiesSerializer(serializers.Serializer):
    home = PublicPartySerializer()
    partner = PublicPartySerializer()


class PublicSignatoriesSerializer(serializers.Serializer):
    home = PublicSignatorySerializer(allow_null=True)
    partner = PublicSignatorySerializer(allow_null=True)


class VerificationSerializer(serializers.Serializer):
    integrity_code = serializers.CharField()
    genuine = serializers.BooleanField(help_text="Always true: an unknown code is a 404.")
    content_sha256 = serializers.CharField(
        help_text="SHA-256 of the memorandum's canonical content; the code is its start."
    )
    pdf_sha256 = serializers.CharField(help_text="SHA-256 of the PDF file issued at signing.")
    kind = serializers.ChoiceField(choices=Kind.choices)
    version = serializers.IntegerField()
    parties = PublicPartiesSerializer()
    signed_on = serializers.DateField(allow_null=True)
    place = serializers.CharField()
    place_fa = serializers.CharField()
    languages = serializers.ListField(
        child=serializers.CharField(),
        help_text="fa, en and the partner language's code when there is one.",
    )
    signatories = PublicSignatoriesSerializer()
    frozen_at = serializers.DateTimeField(allow_null=True)
    partnership_status = serializers.ChoiceField(choices=Status.choices)
    superseded_by_version = serializers.IntegerField(
        allow_null=True, help_text="A later signed version that replaces this one."
    )
    url = serializers.URLField(help_text="The verify page (the QR code on every page).")


class VerifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                description="The integrity code printed on the memorandum: 12 hex characters.",
                pattern="^[0-9a-fA-F]{12}$",
            )
        ],
        responses={
            200: VerificationSerializer,
            **problem_response(404, "No signed memorandum has this code (`not_found`)."),
            **problem_response(
                429, "`throttled`: too many unknown codes from this address; see Retry-After."
            ),
        },
        auth=[],
        summary="Verify a signed memorandum",
        description="Anyone, without credentials: the public facts of the signed "
        "memorandum whose integrity code this is (parties, kind, version, signing date "
        "and place, languages, signatories, the partnership's status). A malformed, "
        "unknown or draft code is a 404; after VERIFY_MISSES_PER_MINUTE of them from one "
        "address in a minute every look-up from it answers 429.",
    )
    def get(self, request: Request, code: str) -> Response:
        if throttling.over_limit(SCOPE, request._request, settings.VERIFY_MISSES_PER_MINUTE):
            raise exceptions.Throttled(wait=throttling.seconds_left(), detail=str(TOO_MANY))
        memorandum = public_memorandum(code)
        if memorandum is None:
            throttling.count_miss(SCOPE, request._request)
            raise exceptions.NotFound(str(NOT_FOUND))
        return Response(VerificationSerializer(public_data(memorandum)).data)
