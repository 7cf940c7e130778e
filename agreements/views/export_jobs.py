"""Exports written in the background: start one, follow it, download it.

Only the job's owner sees a job (anyone else, and the owner after it expired, gets
404). The job page polls its progress fragment every 2 s with htmx while the task
writes; without JavaScript its link reloads the page. The download re-checks the
owner's roles and the file's SHA-256 (agreements.export_jobs.open_verified).
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import export_jobs, tasks
from ..models import ExportFormat, ExportJob, ExportSource, ExportState
from ..permissions import Forbidden
from .access import role_required
from .common import forbidden, is_htmx, refused
from .exports import inline_response

RECENT = 20


class StartForm(forms.Form):
    format = forms.ChoiceField(choices=ExportFormat.choices)
    query = forms.CharField(required=False, max_length=export_jobs.MAX_QUERY_LENGTH)


def _job_for(request: HttpRequest, job_id: uuid.UUID) -> ExportJob:
    """The user's own job, not expired; 404 for anyone else's (as for an agreement
    outside one's municipalities)."""
    return get_object_or_404(export_jobs.jobs_of(request.user), pk=job_id)


@role_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """The list's export button for a long list: a short one is answered at once (the
    count may have dropped since the list was shown), a long one becomes a job."""
    form = StartForm(request.POST)
    if not form.is_valid():
        return refused(request, _g("This export cannot be started."), status=400)
    format = form.cleaned_data["format"]
    query = export_jobs.filter_query(QueryDict(form.cleaned_data["query"]))
    try:
        queryset, _filter = export_jobs.export_queryset(request.user, format=format, query=query)
    except export_jobs.InvalidFilters:
        return refused(request, _g("The list's filters are not valid."), status=400)
    if not export_jobs.runs_in_background(queryset, format):
        return inline_response(format, queryset)
    try:
        job = tasks.start_export(
            user=request.user,
            format=format,
            query=query,
            source=ExportSource.PAGE,
            language=(get_language() or settings.LANGUAGE_CODE)[:2],
        )
    except export_jobs.TooManyExports as exc:
        return refused(request, exc.message, status=429)
    return redirect("agreements:export-detail", job_id=job.pk)


@role_required
@require_GET
@never_cache
def export_list(request: HttpRequest) -> HttpResponse:
    jobs = list(export_jobs.jobs_of(request.user)[:RECENT])
    context = {"jobs": jobs, "retention_hours": settings.EXPORT_RETENTION_HOURS}
    return render(request, "agreements/export_list.html", context)


@role_required
@require_GET
@never_cache
def export_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job_for(request, job_id)
    template = "agreements/export_job.html"
    if is_htmx(request):
        template += "#progress"
    response = render(request, template, {"job": job})
    patch_vary_headers(response, ("HX-Request",))
    return response


@role_required
@require_GET
def export_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job_for(request, job_id)
    if job.state != ExportState.DONE:
        raise Http404
    if not export_jobs.still_in_scope(request.user, job):
        return forbidden(
            request, Forbidden("download", export_jobs.SCOPE_CHANGED, code="scope_changed")
        )
    handle = export_jobs.open_verified(job)
    if handle is None:
        # The job is failed now and says why; nothing damaged is sent.
        return render(request, "agreements/export_job.html", {"job": job}, status=409)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export_jobs.download_name(job),
        content_type=export_jobs.CONTENT_TYPES[job.format],
    )
    # As views/files.py sends stored files: never sniffed, never kept by a shared cache.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
