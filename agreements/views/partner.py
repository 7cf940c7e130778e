"""The partner city's page: /partner/<token>/, opened without an account.

It shows one memorandum draft, the one its link was made for, in each of its
languages (English, the partner's language, Persian) exactly as the integrity code
hashes it (agreements.pdf.memorandum_content), with its code, the latest
confirmation, a comment form per article and the confirmation form. Nothing else
of the product is reachable from it: no navigation, no link, no session (only the
CSRF cookie); its own forms are the only writes (agreements.services.partners).

An unknown, expired or revoked token is 404, and an address that tries too many of
them in a minute gets 429 for the minute (agreements.throttling). The page's own
words are in the partner's language when the product has a catalogue for it, else
in English; each text is marked with its language and direction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from .. import services, throttling
from ..forms_partners import PartnerCommentForm, PartnerConfirmForm
from ..models import PartnerLink
from ..selectors.partners import partner_confirmation

RIGHT_TO_LEFT = {"fa", "ar"}
# Unknown, expired or revoked tokens, counted per address (agreements/throttling.py).
SCOPE = "partner-link"


def page_language(partner_language: str) -> str:
    """The page's own words: the partner's language if the product speaks it, else English."""
    spoken = {code for code, _label in settings.LANGUAGES}
    return partner_language if partner_language in spoken else "en"


def _headers(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never sent to another site, never kept, never
    # indexed. ("no-referrer" would make browsers send `Origin: null` with the forms,
    # which the CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    throttling.count_miss(SCOPE, request)
    with translation.override("en"):
        response = render(request, "partner/not_found.html", status=404)
    return _headers(response)


def _too_many(request: HttpRequest) -> HttpResponse:
    with translation.override("en"):
        response = render(request, "partner/too_many.html", status=429)
    response["Retry-After"] = str(throttling.seconds_left())
    return _headers(response)


def _link_or_refusal(request: HttpRequest, token: str) -> tuple[PartnerLink | None, HttpResponse]:
    if throttling.over_limit(SCOPE, request, settings.PARTNER_BAD_TOKENS_PER_MINUTE):
        return None, _too_many(request)
    link = services.find_active_link(token)
    if link is None:
        return None, _not_found(request)
    return link, None


def _columns(content: dict, field: str, data: dict) -> list[dict]:
    """One text in each of the memorandum's languages (a missing partner or Persian
    text is the English one, as printed)."""
    partner = content["partner_language"]
    english = data.get(f"{field}_en", "")
    columns = []
    for language in content["languages"]:
        if language == "fa":
            text = data.get(f"{field}_fa") or english
        elif language == partner:
            text = data.get(f"{field}_partner") or english
        else:
            text = english
        columns.append(
            {
                "language": language,
                "dir": "rtl" if language in RIGHT_TO_LEFT else "ltr",
                "text": text,
            }
        )
    return columns


def partner_text(memorandum) -> dict:
    """The memorandum as the partner reads it: per language its fixed wording, and
    each article in every language, with the content hash of exactly this text."""
    from ..pdf import content_hash_of, integrity_code, memorandum_content

    content = memorandum_content(memorandum)
    content_hash = content_hash_of(content)
    wordings = [content["wording"][language] for language in content["languages"]]
    articles = list(memorandum.articles.order_by("position", "id"))
    blocks = []
    for index, (article, data) in enumerate(zip(articles, content["articles"], strict=True)):
        blocks.append(
            {
                "id": article.pk,
                "labels": [
                    {"language": w["language"], "dir": w["direction"], "text": w["articles"][index]}
                    for w in wordings
                ],
                "headings": _columns(content, "heading", data),
                "bodies": _columns(content, "body", data),
            }
        )
    commonalities = [
        [
            {
                "language": w["language"],
                "dir": w["direction"],
                "text": c["fa"] if w["language"] == "fa" else c["en"],
            }
            for w in wordings
        ]
        for c in content["commonalities"]
    ]
    return {
        "wordings": wordings,
        "articles": blocks,
        "commonalities": commonalities,
        "content_hash": content_hash,
        "integrity_code": integrity_code(content_hash),
    }


def _render(
    request: HttpRequest,
    link: PartnerLink,
    token: str,
    *,
    comment_form=None,
    confirm_form=None,
    confirm_initial: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    memorandum = link.memorandum
    language = page_language(memorandum.partner_language)
    with translation.override(language):
        text = partner_text(memorandum)
        comments = list(memorandum.partner_comments.order_by("created_at", "id"))
        by_article: dict = {}
        for comment in comments:
            by_article.setdefault(comment.article_id, []).append(comment)
        bound_article = _int_or_none(comment_form["article"].value()) if comment_form else None
        for block in text["articles"]:
            block["comments"] = by_article.get(block["id"], [])
            block["form"] = (
                comment_form
                if bound_article == block["id"]
                else PartnerCommentForm(
                    auto_id=f"article-{block['id']}-%s", initial={"article": block["id"]}
                )
            )
        context = {
            "link": link,
            "memorandum": memorandum,
            "text": text,
            "general_comments": by_article.get(None, []),
            "confirmation": partner_confirmation(memorandum, text["content_hash"]),
            "token": token,
            "confirm_form": confirm_form
            or PartnerConfirmForm(
                auto_id="confirm-%s",
                initial={**(confirm_initial or {}), "content_hash": text["content_hash"]},
            ),
            "open": not memorandum.is_frozen and memorandum.agreement.is_live,
            "done": request.GET.get("done", ""),
            "error": error,
            "page_language": language,
            "page_dir": "rtl" if language in RIGHT_TO_LEFT else "ltr",
        }
        response = render(request, "partner/page.html", context, status=status)
    return _headers(response)


@never_cache
@require_GET
def partner_page(request: HttpRequest, token: str) -> HttpResponse:
    link, refusal = _link_or_refusal(request, token)
    if link is None:
        return refusal
    return _render(request, link, token)


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@never_cache
@csrf_protect
@require_POST
def partner_comment(request: HttpRequest, token: str) -> HttpResponse:
    link, refusal = _link_or_refusal(request, token)
    if link is None:
        return refusal
    article = _int_or_none(request.POST.get("article"))
    form = PartnerCommentForm(request.POST, auto_id=f"article-{article}-%s")
    if not form.is_valid():
        return _render(request, link, token, comment_form=form, status=400)
    data = form.cleaned_data
    try:
        # The refusal's message in the page's language (services word it when raised).
        translation.activate(page_language(link.memorandum.partner_language))
        services.add_partner_comment(
            link=link,
            name=data["name"],
            email=data["email"],
            body=data["body"],
            article_id=_int_or_none(data.get("article")),
        )
    except services.WorkflowError as exc:
        return _render(request, link, token, comment_form=form, error=exc.message, status=409)
    except ValidationError as exc:
        return _render(
            request, link, token, comment_form=form, error=" ".join(exc.messages), status=400
        )
    return redirect(f"{reverse('partner:page', args=[token])}?done=comment#comments")


@never_cache
@csrf_protect
@require_POST
def partner_confirm(request: HttpRequest, token: str) -> HttpResponse:
    link, refusal = _link_or_refusal(request, token)
    if link is None:
        return refusal
    form = PartnerConfirmForm(request.POST, auto_id="confirm-%s")
    if not form.is_valid():
        return _render(request, link, token, confirm_form=form, status=400)
    data = form.cleaned_data
    try:
        translation.activate(page_language(link.memorandum.partner_language))
        services.confirm_partner_text(
            link=link,
            name=data["name"],
            title=data["title"],
            email=data["email"],
            content_hash=data["content_hash"],
        )
    except services.WorkflowError as exc:
        # The text changed: show the current text, its hash in a fresh form.
        typed = {name: data[name] for name in ("name", "title", "email")}
        return _render(request, link, token, confirm_initial=typed, error=exc.message, status=409)
    except ValidationError as exc:
        return _render(
            request, link, token, confirm_form=form, error=" ".join(exc.messages), status=400
        )
    return redirect(f"{reverse('partner:page', args=[token])}?done=confirmed#confirmation")
