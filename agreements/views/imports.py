"""Importing agreements from CSV or XLSX, for administrators.

Two steps, as with the command's --dry-run: the uploaded file is checked
(every row validated, nothing written) and the page says what would happen or
lists every bad row with its line number. A valid file is kept in storage
under a random name until the administrator confirms; the import then reads it
again, matches it against the database again and writes it in one transaction.
"""

from __future__ import annotations

import os
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods

from .. import permissions, reasons
from ..forms import ImportForm
from ..importing import COLUMNS, ImportRefused, apply_import, plan_import, read_rows
from .access import role_required
from .common import is_htmx

SESSION_KEY = "agreement_import"


def _pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if pending and default_storage.exists(pending["path"]):
        return pending
    return None


def _forget(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "agreements/import.html"
    context["fragment"] = is_htmx(request)
    if context["fragment"]:
        # htmx swaps only 2xx answers: the refused file's errors come as 200 there.
        template += "#result"
        status = 200
    return render(request, template, {"columns": COLUMNS, **context}, status=status)


@role_required
@require_http_methods(["GET", "POST"])
def import_agreements(request: HttpRequest) -> HttpResponse:
    if not permissions.is_administrator(request.user):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "apply":
        return _apply(request)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        _forget(request)
        return redirect("agreements:import")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return _check(request, form.cleaned_data["file"], form.cleaned_data["calendar"])
    status = 400 if form.is_bound else 200
    return _render(request, {"form": form}, status=status)


def _check(request: HttpRequest, upload, calendar: str) -> HttpResponse:
    """Validate every row; keep a valid file (and its calendar) until the administrator
    confirms."""
    _forget(request)
    try:
        plan = plan_import(read_rows(upload, upload.name), calendar=calendar)
        if plan.errors:
            raise ImportRefused(plan.errors)
    except ImportRefused as refusal:
        form = ImportForm(initial={"calendar": calendar})
        context = {"form": form, "errors": refusal.errors, "file_name": upload.name}
        return _render(request, context, status=400)
    upload.seek(0)
    extension = os.path.splitext(upload.name)[1].lower()
    path = default_storage.save(f"imports/{uuid.uuid4().hex}{extension}", upload)
    request.session[SESSION_KEY] = {
        "path": path,
        "name": os.path.basename(upload.name),
        "calendar": calendar,
    }
    form = ImportForm(initial={"calendar": calendar})
    context = {"form": form, "plan": plan, "file_name": upload.name}
    return _render(request, context)


def _apply(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.warning(request, _g("Check the file first."))
        return redirect("agreements:import")
    try:
        with default_storage.open(pending["path"], "rb") as stored:
            rows = read_rows(stored, pending["name"])
            plan = plan_import(rows, calendar=pending.get("calendar") or None)
        result = apply_import(
            plan,
            by=request.user,
            reason=reasons.reason("imported", file=pending["name"], via="import_page"),
        )
    except ImportRefused as refusal:
        _forget(request)
        context = {"form": ImportForm(), "errors": refusal.errors, "file_name": pending["name"]}
        return _render(request, context, status=400)
    _forget(request)
    messages.success(request, _g("Imported: %s") % result.describe())
    return redirect("agreements:list")
