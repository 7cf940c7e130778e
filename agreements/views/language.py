"""The language switch: Django's set_language, also remembered on the profile."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from ..models import UserProfile


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Sets the language cookie (Django's view) and, for a signed-in user, the
    profile, so the choice follows them to other browsers and wins over a stale
    cookie on a shared machine."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        profile, _created = UserProfile.objects.get_or_create(user=request.user)
        if profile.language != language:
            profile.language = language
            profile.save(update_fields=["language"])
    return response
