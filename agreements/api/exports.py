"""/api/v1/exports/: exports of the agreement list written in the background.

`GET /api/v1/agreements/export.csv|xlsx` answers a long list with 202 Accepted,
this module's job body and `Location: /api/v1/exports/{id}/`; the client polls
that until `state` is `done` and then fetches `download`. Only the job's owner
sees a job (404 for anyone else); the download re-checks the owner's roles and the
file's SHA-256, as the page does (agreements.export_jobs).
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .. import export_jobs, tasks
from ..models import ExportJob, ExportSource, ExportState
from ..permissions import Forbidden
from .exceptions import problem
from .filters import QueryFilterBackend
from .pagination import CappedPagination
from .permissions import HasRole, get_visible
from .responses import UNAUTHORISED, errors, problem_response

UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="This job's status (poll it).")
    download = serializers.SerializerMethodField(
        help_text="The file, once `state` is `done`; null before."
    )
    error_message = serializers.SerializerMethodField(
        help_text="Why the export failed, in the request's language; empty otherwise."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "format",
            "state",
            "rows_done",
            "rows_total",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "size",
            "sha256",
            "error",
            "error_message",
            "url",
            "download",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ExportJob) -> str:
        return self._absolute(reverse("api:export-detail", args=[job.pk]))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download(self, job: ExportJob) -> str | None:
        if job.state != ExportState.DONE:
            return None
        return self._absolute(reverse("api:export-download", args=[job.pk]))

    def get_error_message(self, job: ExportJob) -> str:
        return str(job.get_error_display()) if job.error else ""


ACCEPTED = {
    (202, "application/json"): OpenApiResponse(
        response=ExportJobSerializer,
        description="More rows than an answer at once may hold (EXPORT_INLINE_MAX_ROWS): "
        "the export is written in the background. `Location` is the job's status; "
        "poll it until `state` is `done`, then fetch `download`. Asking again while it "
        "is written answers the same job.",
    ),
    **problem_response(429, "`too_many_exports`: too many of your exports are unfinished."),
}


def accepted(request: Request, format: str) -> Response:
    """202 with the job of this export (a new one, or the same one still being written)."""
    try:
        job = tasks.start_export(
            user=request.user,
            format=format,
            query=export_jobs.filter_query(request.query_params, ExportSource.API),
            source=ExportSource.API,
            language=(get_language() or settings.LANGUAGE_CODE)[:2],
        )
    except export_jobs.TooManyExports as exc:
        return problem(429, "too_many_exports", exc.message, instance=request.path)
    data = ExportJobSerializer(job, context={"request": request}).data
    # JSON whatever the client asked the file to be (its Accept named the file's type).
    return Response(
        data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": data["url"]},
        content_type="application/json",
    )


class ExportFileRenderer(JSONRenderer):
    """Lets a client ask for the file with any Accept; errors stay JSON."""

    media_type = "*/*"
    format = "file"


@extend_schema_view(
    list=extend_schema(
        summary="Your recent exports",
        description="Exports written in the background that have not expired, newest first.",
        # 400 and 404: the page bounds and a page past the last; 403 without a role.
        responses={200: ExportJobSerializer(many=True), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="An export's status",
        description="`rows_done` of `rows_total` while it is written; `download` when done.",
        responses={
            200: ExportJobSerializer,
            **errors(401, 403),
            **problem_response(404, "Not found, not yours, or expired."),
        },
    ),
)
class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExportJobSerializer
    permission_classes = [HasRole]
    pagination_class = CappedPagination
    filter_backends = [QueryFilterBackend]  # no filters: unknown parameters are 400
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ExportJob.objects.none()
        return export_jobs.jobs_of(self.request.user)

    def get_object(self) -> ExportJob:
        return get_visible(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        summary="Download an export",
        description="The file (CSV, XLSX or ZIP) once `state` is `done`, checked against "
        "its SHA-256 before it is sent.",
        responses={
            (200, "*/*"): OpenApiTypes.BINARY,
            **UNAUTHORISED,
            **problem_response(
                403,
                "`scope_changed`: your roles changed since the export was written: start it again.",
            ),
            **problem_response(404, "Not found, not yours, or expired."),
            **problem_response(
                409,
                "`export_not_ready`, or `file_mismatch`: the stored file failed its checksum "
                "(the job is failed now).",
            ),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, ExportFileRenderer])
    def download(self, request: Request, pk: str) -> FileResponse | Response:
        job = self.get_object()
        if job.state != ExportState.DONE:
            return problem(409, "export_not_ready", _("The export is not ready yet."))
        if not export_jobs.still_in_scope(request.user, job):
            raise Forbidden("download", export_jobs.SCOPE_CHANGED, code="scope_changed")
        handle = export_jobs.open_verified(job)
        if handle is None:
            return problem(409, "file_mismatch", job.get_error_display())
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=export_jobs.download_name(job),
            content_type=export_jobs.CONTENT_TYPES[job.format],
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
