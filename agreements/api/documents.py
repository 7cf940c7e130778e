"""The API's file answers: the memorandum PDFs, the dossier and the signed-MoU ZIPs.

The same documents, checks and names as the pages (agreements.downloads and
agreements.pdf's public functions): a frozen memorandum is its stored file while
it matches its SHA-256 (else 409 `file_mismatch`, nothing sent), the dossier is in
the reader's language, the bulk ZIP holds the filtered list's agreements that have
a frozen memorandum. Who may: whoever sees the agreement (404 otherwise), as on
the pages. The methods are mixed into the view sets of views.py and routed in
urls.py, whose paths end in the file's extension without a trailing slash.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request

from .. import downloads, export_jobs
from ..models import ExportFormat, Memorandum
from .exports import ACCEPTED, accepted
from .permissions import agreement_for, get_visible
from .responses import FILE_CONFLICT, NOT_ACCEPTABLE, errors

_READ_ERRORS = {**errors(401, 403, 404), **NOT_ACCEPTABLE}


def _memorandum_response(memorandum: Memorandum) -> HttpResponse:
    return downloads.file_response(
        downloads.memorandum_content(memorandum),
        filename=downloads.memorandum_filename(memorandum),
        content_type=downloads.PDF,
    )


class AgreementFiles:
    """For AgreementViewSet: the files of one agreement, and the bulk ZIP of the list."""

    @extend_schema(
        operation_id="v1_agreements_memorandum_pdf_retrieve",
        summary="The latest memorandum as PDF",
        description="The latest version of the agreement's memorandum, as "
        "`GET /api/v1/memoranda/{id}/pdf` answers it: a frozen memorandum is the stored "
        "file, byte for byte; a draft is rendered with DRAFT marks. 404 when the "
        "agreement has no memorandum; 409 when the stored file is missing or no longer "
        "matches its SHA-256 (nothing is sent).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **_READ_ERRORS,
            **FILE_CONFLICT,
        },
        filters=False,
    )
    def memorandum_pdf(self, request: Request, pk: str) -> HttpResponse:
        agreement = agreement_for(request, int(pk))
        memorandum = (
            agreement.memoranda.select_related("agreement__home_city", "agreement__partner_city")
            .order_by("-number")
            .first()
        )
        if memorandum is None:
            raise Http404
        return _memorandum_response(memorandum)

    @extend_schema(
        operation_id="v1_agreements_dossier_pdf_retrieve",
        summary="The agreement's dossier as PDF",
        description="Everything recorded about the agreement, its stage requests and its "
        "history, as the agreement page's dossier: written in your language (your "
        "profile's, else the `django_language` cookie, else Persian). A PDF/A-3b file "
        "with the same data embedded as `dossier.json` (schema `sistercities.dossier/1`); "
        "asked for again while nothing it shows has changed, the stored file is sent.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_READ_ERRORS},
        filters=False,
    )
    def dossier_pdf(self, request: Request, pk: str) -> HttpResponse:
        from ..pdf import render_dossier

        agreement = agreement_for(request, int(pk))
        language = downloads.dossier_language()
        return downloads.file_response(
            render_dossier(agreement, language=language),
            filename=downloads.dossier_filename(agreement, language),
            content_type=downloads.PDF,
        )

    @extend_schema(
        operation_id="v1_agreements_signed_mou_zip_retrieve",
        summary="The signed memorandum of an agreement as ZIP",
        description="The frozen memorandum PDF and the uploaded signed copy, with "
        "`manifest.csv` (each file's SHA-256). 404 when the agreement has neither; 409 "
        "when a stored file is missing or no longer matches its SHA-256 (nothing is sent).",
        responses={
            (200, downloads.ZIP): OpenApiTypes.BINARY,
            **_READ_ERRORS,
            **FILE_CONFLICT,
        },
        filters=False,
    )
    def signed_mou_zip(self, request: Request, pk: str) -> HttpResponse:
        from ..pdf import signed_mou_zip

        agreement = agreement_for(request, int(pk))
        # Neither file: NothingToExport, an Http404.
        return downloads.file_response(
            signed_mou_zip(agreement),
            filename=downloads.signed_mou_filename(agreement),
            content_type=downloads.ZIP,
        )

    @extend_schema(
        operation_id="v1_agreements_signed_memoranda_zip_retrieve",
        summary="The signed memoranda of the filtered list as ZIP",
        filters=True,
        description="A folder per agreement of the filtered list that has a frozen "
        "memorandum (its PDF and signed copy) and `manifest.csv`; a stored file that no "
        "longer matches its SHA-256 is left out, with a manifest row saying so. Takes the "
        "list's filters. More than EXPORT_INLINE_MAX_MEMORANDA agreements are written in "
        "the background: 202.",
        responses={
            (200, downloads.ZIP): OpenApiTypes.BINARY,
            **ACCEPTED,
            **errors(400, 401, 403),
            **NOT_ACCEPTABLE,
        },
    )
    def signed_memoranda_zip(self, request: Request) -> HttpResponse:
        queryset = export_jobs.signed_agreements(self.filter_queryset(self.get_queryset()))
        if export_jobs.runs_in_background(queryset, ExportFormat.SIGNED_MOU_ZIP):
            return accepted(request, ExportFormat.SIGNED_MOU_ZIP)
        return downloads.signed_memoranda_response(queryset)


class MemorandumFiles:
    """For MemorandumViewSet: the PDF of one memorandum version."""

    @extend_schema(
        operation_id="v1_memoranda_pdf_retrieve",
        summary="A memorandum version as PDF",
        description="A frozen memorandum is its stored file, byte for byte; a draft is "
        "rendered with DRAFT marks. The versions are listed at "
        "`/api/v1/agreements/{id}/memoranda/`. 409 when the stored file is missing or no "
        "longer matches its SHA-256 (nothing is sent).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **_READ_ERRORS,
            **FILE_CONFLICT,
        },
        filters=False,
    )
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        memorandum = get_visible(
            self.get_queryset().select_related("agreement__home_city", "agreement__partner_city"),
            int(pk),
        )
        return _memorandum_response(memorandum)
