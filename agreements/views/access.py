"""Shared entry checks of the staff pages."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import permissions


def role_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users with at least one role (or the administrator role) get the
    page; everyone else signed in gets a page that says why they see nothing and
    whom to ask. Nothing of any municipality is shown on it."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.has_any_role(request.user):
            return render(request, "no_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
