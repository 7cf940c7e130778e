"""The partner city's review of a memorandum draft: review links (create, revoke,
find by token), the partner's comments and confirmation, the officer's reply.

Officers (and approvers) of the home municipality create and revoke links and reply;
the partner acts through an active link only, without an account. A link's token
is returned once by `create_partner_link` and never stored: the row holds its
SHA-256. Every row has its history (comments and confirmations are history rows);
an e-mail to the officers follows a comment or a confirmation, after commit.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import reasons
from ..models import (
    Counterpart,
    Memorandum,
    MemorandumArticle,
    PartnerComment,
    PartnerConfirmation,
    PartnerLink,
    Status,
)
from ..permissions import can_edit_agreement
from ..tasks import enqueue_on_commit, notify_partner_feedback
from .base import FROZEN, TERMINATED_READ_ONLY, WorkflowError, _forbid, _lock_agreement, _save

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

CONTENT_CHANGED = _(
    "The text of the memorandum has changed since this page was opened: nothing was "
    "confirmed. Read the current text below and confirm it again."
)
LINK_DAYS_OUT_OF_RANGE = _("A link is valid for 1 to %(days)s days.")
COUNTERPART_OF_ANOTHER_AGREEMENT = _("This counterpart belongs to another agreement.")
ARTICLE_OF_ANOTHER_MEMORANDUM = _("This article is not part of this memorandum.")
LINK_NOT_ACTIVE = _("This link has expired or was revoked.")
REPLY_REQUIRED = _("Write a reply.")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def current_content_hash(memorandum: Memorandum) -> str:
    """The content hash of the memorandum's text as it stands (what a frozen PDF's
    integrity code is the start of)."""
    from ..pdf import memorandum_content_hash

    return memorandum_content_hash(memorandum)


def _check_writable(memorandum: Memorandum, agreement, by, action: str) -> None:
    if not can_edit_agreement(by, agreement):
        raise _forbid(by, action, memorandum)
    if agreement.status == Status.TERMINATED:
        raise WorkflowError(TERMINATED_READ_ONLY, code="terminated")
    if memorandum.is_frozen:
        raise WorkflowError(FROZEN, code="frozen")


def create_partner_link(
    *,
    memorandum: Memorandum,
    by: AbstractBaseUser,
    counterpart: Counterpart | None = None,
    days: int | None = None,
) -> tuple[PartnerLink, str]:
    """A new review link of a draft; returns the link and its token (shown once)."""
    longest = settings.PARTNER_LINK_MAX_DAYS
    days = settings.PARTNER_LINK_DAYS if days is None else days
    if not 1 <= days <= longest:
        raise ValidationError({"days": [LINK_DAYS_OUT_OF_RANGE % {"days": longest}]})
    with transaction.atomic():
        agreement = _lock_agreement(memorandum.agreement_id)
        fresh = Memorandum.objects.get(pk=memorandum.pk)
        _check_writable(fresh, agreement, by, "partner_link")
        if counterpart is not None and counterpart.agreement_id != agreement.pk:
            raise ValidationError({"counterpart": [COUNTERPART_OF_ANOTHER_AGREEMENT]})
        token = secrets.token_urlsafe(32)
        link = PartnerLink(
            memorandum=fresh,
            counterpart=counterpart,
            token_hash=token_hash(token),
            expires_at=timezone.now() + datetime.timedelta(days=days),
            created_by=by,
        )
        _save(link, reasons.reason("partner_link_created", user=reasons.who(by)))
    return link, token


def revoke_partner_link(*, link: PartnerLink, by: AbstractBaseUser) -> PartnerLink:
    """The link no longer opens (404); revoking a revoked link changes nothing."""
    with transaction.atomic():
        agreement = _lock_agreement(link.memorandum.agreement_id)
        fresh = PartnerLink.objects.select_for_update().get(pk=link.pk)
        if not can_edit_agreement(by, agreement):
            raise _forbid(by, "partner_link_revoke", fresh)
        if fresh.revoked_at is None:
            fresh.revoked_at = timezone.now()
            fresh.revoked_by = by
            _save(fresh, reasons.reason("partner_link_revoked", user=reasons.who(by)))
    return fresh


def find_active_link(token: str) -> PartnerLink | None:
    """The active (not expired, not revoked) link of `token`, or None."""
    if not token or len(token) > 100:
        return None
    link = (
        PartnerLink.objects.select_related(
            "memorandum__agreement__home_city", "memorandum__agreement__partner_city"
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or not link.is_active:
        return None
    return link


def _locked_active(link: PartnerLink) -> tuple[PartnerLink, Memorandum]:
    """Under the agreement's lock: the link again (still active) and its memorandum
    (still a draft of a live agreement)."""
    agreement = _lock_agreement(link.memorandum.agreement_id)
    fresh = PartnerLink.objects.select_related("memorandum").get(pk=link.pk)
    if not fresh.is_active:
        raise WorkflowError(LINK_NOT_ACTIVE, code="link_inactive")
    memorandum = fresh.memorandum
    memorandum.agreement = agreement
    if agreement.status == Status.TERMINATED:
        raise WorkflowError(TERMINATED_READ_ONLY, code="terminated")
    if memorandum.is_frozen:
        raise WorkflowError(FROZEN, code="frozen")
    return fresh, memorandum


def add_partner_comment(
    *, link: PartnerLink, name: str, body: str, email: str = "", article_id: int | None = None
) -> PartnerComment:
    """The partner's comment on one article of the memorandum (or on all of it)."""
    with transaction.atomic():
        fresh, memorandum = _locked_active(link)
        article = None
        if article_id is not None:
            article = MemorandumArticle.objects.filter(pk=article_id, memorandum=memorandum).first()
            if article is None:
                raise ValidationError({"article": [ARTICLE_OF_ANOTHER_MEMORANDUM]})
        comment = PartnerComment(
            link=fresh,
            memorandum=memorandum,
            article=article,
            name=name,
            email=email,
            body=body,
            content_hash=current_content_hash(memorandum),
        )
        comment.full_clean()
        _save(comment, reasons.reason("partner_commented", name=name))
        enqueue_on_commit(notify_partner_feedback, comment_id=comment.pk)
    return comment


def confirm_partner_text(
    *, link: PartnerLink, name: str, email: str, content_hash: str, title: str = ""
) -> PartnerConfirmation:
    """The partner confirms the text it was shown: `content_hash` must be the text's
    hash now (else WorkflowError `content_changed`, nothing stored)."""
    with transaction.atomic():
        fresh, memorandum = _locked_active(link)
        current = current_content_hash(memorandum)
        if not secrets.compare_digest(str(content_hash), current):
            raise WorkflowError(CONTENT_CHANGED, code="content_changed")
        confirmation = PartnerConfirmation(
            link=fresh,
            memorandum=memorandum,
            name=name,
            title=title,
            email=email,
            content_hash=current,
        )
        confirmation.full_clean()
        _save(
            confirmation,
            reasons.reason("partner_confirmed", name=name, integrity=current[:12]),
        )
        enqueue_on_commit(notify_partner_feedback, confirmation_id=confirmation.pk)
    return confirmation


def reply_to_partner_comment(
    *, comment: PartnerComment, by: AbstractBaseUser, reply: str
) -> PartnerComment:
    """The officer's reply, shown under the comment on the partner's page."""
    if not reply.strip():
        raise ValidationError({"reply": [REPLY_REQUIRED]})
    with transaction.atomic():
        agreement = _lock_agreement(comment.memorandum.agreement_id)
        fresh = PartnerComment.objects.select_for_update().get(pk=comment.pk)
        if not can_edit_agreement(by, agreement):
            raise _forbid(by, "partner_reply", fresh)
        if agreement.status == Status.TERMINATED:
            raise WorkflowError(TERMINATED_READ_ONLY, code="terminated")
        fresh.reply = reply
        fresh.replied_at = timezone.now()
        fresh.replied_by = by
        fresh.full_clean()
        _save(fresh, reasons.reason("partner_replied", user=reasons.who(by)))
    return fresh
