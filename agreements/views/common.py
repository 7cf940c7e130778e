"""Small helpers shared by the agreement page, the record forms and the actions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from ..permissions import NOT_ALLOWED, Forbidden


def forbidden(request: HttpRequest, exc: Forbidden | None = None) -> HttpResponse:
    """The 403 page, saying why (e.g. the four-eyes rule) when the service said so."""
    message = exc.message if exc is not None else str(NOT_ALLOWED)
    return render(request, "agreements/forbidden.html", {"message": message}, status=403)


def refused(
    request: HttpRequest, message: str, *, status: int = 409, agreement=None
) -> HttpResponse:
    """A move the workflow does not allow now (nothing was changed)."""
    context = {"message": message, "agreement": agreement}
    return render(request, "agreements/refused.html", context, status=status)


def add_validation_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Errors raised by a service's full_clean(), shown on the form's fields where
    the form has them and above the form otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it is a path on this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
