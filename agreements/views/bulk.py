"""Bulk export of the signed memoranda of the filtered agreement list.

The ZIP is streamed as it is written (agreements.documents.stream_signed_mou_export
reads the stored files one by one), so no worker builds it in memory for
minutes and the browser shows the download's progress as it arrives.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..documents import stream_signed_mou_export
from ..filters import AgreementFilter
from ..models import Agreement
from .access import role_required
from .common import refused


@role_required
@require_GET
def signed_mou_bulk_export(request: HttpRequest) -> HttpResponse:
    visible = Agreement.objects.visible_to(request.user).with_cities()
    agreement_filter = AgreementFilter(request.GET, queryset=visible, request=request)
    if agreement_filter.is_bound and not agreement_filter.form.is_valid():
        return refused(request, _("The list's filters are not valid."), status=400)
    # Only agreements with a frozen memorandum have something to export.
    signed = (
        agreement_filter.qs.filter(memoranda__frozen_at__isnull=False).distinct().order_by("pk")
    )
    response = StreamingHttpResponse(
        stream_signed_mou_export(signed), content_type="application/zip"
    )
    filename = f"signed-memoranda-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
