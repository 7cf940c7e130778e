"""Reads of the partner's review shared by the officer's memorandum page, the
partner's page and the API: the latest confirmation (and whether the text has
changed since), the comments with their replies, the links. The caller passes the
text's content hash now (agreements.pdf.memorandum_content_hash: a selector imports
no output)."""

from __future__ import annotations

from ..models import Memorandum, PartnerComment, PartnerConfirmation, PartnerLink


def latest_confirmation(memorandum: Memorandum) -> PartnerConfirmation | None:
    return (
        PartnerConfirmation.objects.filter(memorandum=memorandum)
        .order_by("-confirmed_at", "-id")
        .first()
    )


def partner_confirmation(memorandum: Memorandum, current_hash: str) -> dict | None:
    """{name, title, email, confirmed_at, content_hash, outdated} of the latest
    confirmation, or None. `outdated`: the text's hash is no longer the one confirmed."""
    confirmation = latest_confirmation(memorandum)
    if confirmation is None:
        return None
    return {
        "name": confirmation.name,
        "title": confirmation.title,
        "email": confirmation.email,
        "confirmed_at": confirmation.confirmed_at,
        "content_hash": confirmation.content_hash,
        "outdated": confirmation.content_hash != current_hash,
    }


def has_current_confirmation(memorandum: Memorandum, current_hash: str) -> bool:
    return PartnerConfirmation.objects.filter(
        memorandum=memorandum, content_hash=current_hash
    ).exists()


def comments_of(memorandum: Memorandum) -> list[PartnerComment]:
    return list(
        PartnerComment.objects.filter(memorandum=memorandum)
        .select_related("article", "replied_by")
        .order_by("created_at", "id")
    )


def confirmations_of(memorandum: Memorandum) -> list[PartnerConfirmation]:
    return list(
        PartnerConfirmation.objects.filter(memorandum=memorandum).order_by("-confirmed_at", "-id")
    )


def links_of(memorandum: Memorandum) -> list[PartnerLink]:
    return list(
        PartnerLink.objects.filter(memorandum=memorandum)
        .select_related("counterpart", "created_by", "revoked_by")
        .order_by("-created_at", "-id")
    )
