"""POST /api/v1/imports/: agreements from a CSV or XLSX file, as the import page.

For administrators, as the page. The file passes the page's ImportForm (type and
size) and agreements.importing checks every row before anything is written: a file
with any bad row is refused whole, 400 `validation` with one error per refused row
and its line (the page's list). `dry_run` is the page's first step (what the import
would do; nothing written); without it the file is imported at once in one
transaction (apply_import matches it against the database again), and the answer
says what was written.
"""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import permissions, reasons
from ..dates import format_number
from ..forms import ImportForm
from ..importing import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    ImportRefused,
    RowError,
    apply_import,
    plan_import,
    read_rows,
)
from .exceptions import problem
from .idempotency import IdempotentPosts
from .permissions import HasRole
from .responses import IDEMPOTENT, KEY_REUSED, errors, problem_response


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A CSV (UTF-8) or XLSX file (.csv, .xlsx), one agreement per row, with "
        f"the columns {', '.join(COLUMNS)}; the Persian names, year and notes may be empty. "
        f"Optional: {', '.join(OPTIONAL_COLUMNS)} (dates as 2023-08-01 or, Solar Hijri, "
        "1402/05/10; a first contact or signing date cannot be after today)."
    )
    calendar = serializers.ChoiceField(
        choices=["gregorian", "jalali"],
        required=False,
        help_text="The calendar of the file's years and dates, as the import page's "
        "choice: `gregorian` or `jalali` (Solar Hijri). The file's own statement wins "
        "(a header such as `year (jalali)` or `signed_on (gregorian)`, a `calendar` "
        "column per row); absent and unstated, a year below 1700 is Solar Hijri. A "
        "Jalali year alone is kept as the Gregorian year it starts in.",
    )
    # Multipart has no JSON booleans: true/false (or 1/0); absent is false.
    dry_run = serializers.BooleanField(
        default=False,
        help_text="true: check every row and answer what the import would write; "
        "nothing is written.",
    )


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text="true: nothing was written.")
    file_name = serializers.CharField()
    rows = serializers.IntegerField(help_text="Rows read (blank rows are skipped).")
    agreements_created = serializers.IntegerField(
        help_text="Agreements written (a dry run: that would be written)."
    )
    agreements_unchanged = serializers.IntegerField(
        help_text="Rows whose pair of cities already has a live agreement: left alone."
    )
    cities_created = serializers.IntegerField()
    cities_changed = serializers.IntegerField(
        help_text="Existing cities made a home municipality or given their missing Persian name."
    )
    summary = serializers.CharField(
        help_text="The same in one sentence, in the user's language, as the page says it."
    )


def _refused(request: Request, file_name: str, refused: list[RowError]) -> Response:
    """400 `validation`: the page's list of refused rows, one error each with its line."""
    detail = _("%(file)s was not imported (%(count)s errors); nothing was written.") % {
        "file": file_name,
        "count": format_number(len(refused)),
    }
    rows = [
        {"field": "file", "code": "invalid_row", "message": str(error), "line": error.line}
        for error in refused
    ]
    return problem(400, "validation", detail, instance=request.path, errors=rows)


class ImportView(IdempotentPosts, APIView):
    permission_classes = [HasRole]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="v1_imports_create",
        summary="Import agreements from a CSV or XLSX file",
        description="For administrators (403 otherwise), as the import page. Every row is "
        "checked first: if any is wrong, nothing is imported and the answer is 400 "
        "`validation` with an error per refused row (`field` `file`, `code` `invalid_row`, "
        "its `line`; line 1 is the header or the file as a whole). With `dry_run` true the "
        "answer says what the import would write and nothing is written; else the file is "
        "imported in one transaction and the answer says what was written. Cities are "
        "matched by English name and country, or created; a pair of cities that already "
        "has a live agreement is left alone, so importing the same file again adds nothing. "
        "Years and dates may be Gregorian or Solar Hijri (Jalali): `calendar`, or the "
        "file's headers or `calendar` column, say which; a first contact or signing date "
        "after today is refused.",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportReportSerializer,
            **problem_response(
                400,
                "`validation`: no file, not a .csv or .xlsx file, too large, or rows the "
                "import refuses (an error per row, with its `line`); nothing was written.",
            ),
            **errors(401, 403),
            **problem_response(
                415, "`unsupported_media_type`: the body is not multipart/form-data."
            ),
            **KEY_REUSED,
        },
        **IDEMPOTENT,
    )
    def post(self, request: Request) -> Response:
        # 403 before reading the upload.
        permissions.require(permissions.is_administrator(request.user))
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        calendar = data.validated_data.get("calendar", "")
        form = ImportForm({"calendar": calendar}, files={"file": data.validated_data["file"]})
        if not form.is_valid():
            raise DjangoValidationError(form.errors.as_data())  # 400, codes kept
        upload = form.cleaned_data["file"]
        file_name = PurePath(upload.name).name
        dry_run = data.validated_data["dry_run"]
        try:
            plan = plan_import(
                read_rows(upload, upload.name), calendar=form.cleaned_data["calendar"]
            )
            if plan.errors:
                raise ImportRefused(plan.errors)
            if dry_run:
                outcome = plan
            else:
                outcome = apply_import(
                    plan,
                    by=request.user,
                    reason=reasons.reason("imported", file=file_name, via="api"),
                )
        except ImportRefused as refusal:
            return _refused(request, file_name, refusal.errors)
        report = {
            "dry_run": dry_run,
            "file_name": file_name,
            **outcome.summary(),
            "summary": outcome.describe(),
        }
        return Response(ImportReportSerializer(report).data)
