"""The officer's side of the partner's review, on the memorandum page: the review
links (create, revoke), the partner's comments (reply) and confirmations.

URLs under /agreements/<pk>/memoranda/<memorandum_id>/: partner-links/new/,
partner-links/<link_id>/revoke/, partner-comments/<comment_id>/reply/ (POST only).
Officers and approvers of the home municipality; a viewer gets 403, anyone else 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from .. import services
from ..forms_partners import PartnerLinkForm, PartnerReplyForm
from ..models import Memorandum, PartnerComment, PartnerLink
from ..permissions import Forbidden, get_agreement_for_user
from ..selectors.partners import comments_of, confirmations_of, links_of, partner_confirmation
from .access import role_required
from .common import forbidden, refused


def partner_review(memorandum: Memorandum, *, link_form=None) -> dict:
    """What the memorandum page shows of the partner's review."""
    from ..pdf import integrity_code, memorandum_content_hash

    current = memorandum_content_hash(memorandum)
    comments = comments_of(memorandum)
    return {
        "content_hash": current,
        "integrity_code": integrity_code(current),
        "confirmation": partner_confirmation(memorandum, current),
        "confirmations": confirmations_of(memorandum),
        "comments": [
            {"comment": comment, "form": PartnerReplyForm(auto_id=f"reply-{comment.pk}-%s")}
            for comment in comments
        ],
        "links": links_of(memorandum),
        "link_form": link_form or PartnerLinkForm(memorandum=memorandum),
    }


def _memorandum_for_officer(request: HttpRequest, pk: int, memorandum_id: int):
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    memorandum = get_object_or_404(Memorandum, pk=memorandum_id, agreement=agreement)
    return agreement, memorandum, can_edit


def _back(agreement, memorandum) -> HttpResponse:
    url = reverse("agreements:record-edit", args=[agreement.pk, "memoranda", memorandum.pk])
    return redirect(f"{url}#partner-review")


def partner_link_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("partner:page", args=[token]))


@role_required
@require_POST
def partner_link_create(request: HttpRequest, pk: int, memorandum_id: int) -> HttpResponse:
    agreement, memorandum, can_edit = _memorandum_for_officer(request, pk, memorandum_id)
    if not can_edit:
        return forbidden(request)
    form = PartnerLinkForm(request.POST, memorandum=memorandum)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return _back(agreement, memorandum)
    try:
        link, token = services.create_partner_link(
            memorandum=memorandum,
            by=request.user,
            counterpart=form.cleaned_data["counterpart"],
            days=form.cleaned_data["days"],
        )
    except Forbidden as exc:
        return forbidden(request, exc)
    except services.WorkflowError as exc:
        return refused(request, exc.message, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(agreement, memorandum)
    # The token is shown on this answer only (it is not stored): no redirect.
    context = {
        "agreement": agreement,
        "memorandum": memorandum,
        "link": link,
        "url": partner_link_url(request, token),
    }
    response = render(request, "agreements/partner_link_created.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@role_required
@require_POST
def partner_link_revoke(
    request: HttpRequest, pk: int, memorandum_id: int, link_id: int
) -> HttpResponse:
    agreement, memorandum, can_edit = _memorandum_for_officer(request, pk, memorandum_id)
    link = get_object_or_404(PartnerLink, pk=link_id, memorandum=memorandum)
    if not can_edit:
        return forbidden(request)
    try:
        services.revoke_partner_link(link=link, by=request.user)
    except Forbidden as exc:
        return forbidden(request, exc)
    messages.success(request, _g("The link was revoked: it no longer opens."))
    return _back(agreement, memorandum)


@role_required
@require_POST
def partner_comment_reply(
    request: HttpRequest, pk: int, memorandum_id: int, comment_id: int
) -> HttpResponse:
    agreement, memorandum, can_edit = _memorandum_for_officer(request, pk, memorandum_id)
    comment = get_object_or_404(PartnerComment, pk=comment_id, memorandum=memorandum)
    if not can_edit:
        return forbidden(request)
    form = PartnerReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return _back(agreement, memorandum)
    try:
        services.reply_to_partner_comment(
            comment=comment, by=request.user, reply=form.cleaned_data["reply"]
        )
    except Forbidden as exc:
        return forbidden(request, exc)
    except services.WorkflowError as exc:
        return refused(request, exc.message, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(agreement, memorandum)
    messages.success(request, _g("Your reply is shown on the partner's page."))
    return _back(agreement, memorandum)
