"""/verify/<code>/: anyone holding a signed memorandum checks that it is genuine.

Anonymous (no sign-in, no session written), read-only, in the reader's language
(the language cookie; Persian by default). The facts come from
`selectors.verification.public_memorandum`, which lets out only what the paper
itself shows and the partnership's status. A malformed, unknown or draft code is
a 404, and counts as a miss: after `VERIFY_MISSES_PER_MINUTE` misses from one
address in a minute every look-up from it answers 429 until the minute ends
(`agreements.throttling`). `Accept: application/json` gives the same facts as JSON
(as `/api/v1/verify/<code>/`).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import throttling
from ..problems import PROBLEM_CONTENT_TYPE, problem_body
from ..selectors.verification import normalised_code, public_data, public_memorandum, verify_path

SCOPE = "verify"
NOT_FOUND = _(
    "No signed memorandum has this integrity code. Check the code printed at the foot "
    "of its pages: a draft has no code that can be verified."
)
TOO_MANY = _(
    "Too many codes that were not found were checked from this address. Wait a minute "
    "and try again."
)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _too_many(request: HttpRequest) -> HttpResponse:
    seconds = throttling.seconds_left()
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            problem_body(429, "throttled", TOO_MANY, instance=request.path, retry_after=seconds),
            status=429,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    else:
        response = render(
            request,
            "verify/memorandum.html",
            {"message": TOO_MANY, "title": _g("Too many requests")},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            problem_body(404, "not_found", NOT_FOUND, instance=request.path),
            status=404,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    return render(
        request,
        "verify/memorandum.html",
        {"message": NOT_FOUND, "title": _g("Code not found")},
        status=404,
    )


@require_GET
@vary_on_headers("Accept", "Cookie")
@cache_control(private=True, no_store=True)
def verify_memorandum(request: HttpRequest, code: str) -> HttpResponse:
    limit = settings.VERIFY_MISSES_PER_MINUTE
    if throttling.over_limit(SCOPE, request, limit):
        return _too_many(request)
    memorandum = public_memorandum(code)
    if memorandum is None:
        throttling.count_miss(SCOPE, request)
        return _not_found(request)
    if _wants_json(request):
        return JsonResponse(public_data(memorandum))
    return render(
        request,
        "verify/memorandum.html",
        {"memorandum": memorandum, "title": _g("Signed memorandum verified")},
    )


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """/verify/: type the code printed on the paper (for a reader without a QR scanner)."""
    typed = request.GET.get("code")
    if typed is not None:
        code = normalised_code("".join(typed.split()))
        if code is not None:
            return redirect(verify_path(code))
    return render(
        request,
        "verify/memorandum.html",
        {
            "title": _g("Verify a signed memorandum"),
            "show_form": True,
            "form_error": typed is not None,
        },
        status=400 if typed is not None else 200,
    )
