"""Which language a request is served in.

Pages have no language prefix. The language is, in order: the signed-in user's
saved preference (UserProfile.language), the language cookie set by the
language switch, then settings.LANGUAGE_CODE (Persian). The browser's
Accept-Language header is deliberately ignored: a municipality's staff share
machines set up in English, and the office works in Persian unless someone
chooses otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

_SUPPORTED = {code for code, _label in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str:
    """The language code to serve `request` in."""
    from .models import UserProfile

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        saved = (
            UserProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
        )
        if saved in _SUPPORTED:
            return saved
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in _SUPPORTED:
        return cookie
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activates the request's language; goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The same URL is served in either language depending on the cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """400 for a request whose path, query, cookies or headers carry a NUL character.

    PostgreSQL cannot hold NUL in text, not even as a query parameter: psycopg raises
    DataError (a 500) wherever such a value reaches a lookup that no form validated
    first, such as an admin list filter (?stage__exact=%00) or a session cookie
    ("12345678\\000" in quotes, which the cookie parser unescapes). Form and API
    fields already refuse NUL (Django's and DRF's CharField); this covers the rest.
    Goes before the session middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return True
    return any(
        isinstance(value, str) and "\x00" in value
        for key, value in request.META.items()
        if key.startswith("HTTP_")
    )
