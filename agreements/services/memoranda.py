"""Memorandum versions: a new draft with the default articles, and the freeze that
fixes the text and its PDF at the signing stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import reasons, workflow
from ..memoranda import add_default_articles
from ..models import (
    Agreement,
    Memorandum,
    MemorandumOfficial,
    MunicipalitySettings,
    Side,
    Stage,
    Status,
)
from ..permissions import (
    can_edit_agreement,
)
from ..selectors.partners import has_current_confirmation
from .base import (
    FREEZE_INCOMPLETE,
    FREEZE_NOT_LATEST,
    FREEZE_WRONG_STAGE,
    FROZEN,
    TERMINATED_READ_ONLY,
    Conflict,
    WorkflowError,
    _forbid,
    _lock_agreement,
    _refuse,
    _save,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def _take_signing_dates(agreement: Agreement) -> None:
    memorandum = agreement.memoranda.order_by("-number").first()
    if memorandum is None or memorandum.signed_on is None:
        return
    agreement.signed_on = memorandum.signed_on
    agreement.term_years = memorandum.term_years
    if memorandum.term_years:
        signed = memorandum.signed_on
        try:
            agreement.expires_on = signed.replace(year=signed.year + memorandum.term_years)
        except ValueError:  # 29 February
            agreement.expires_on = signed.replace(year=signed.year + memorandum.term_years, day=28)


def _create_memorandum_version(
    agreement: Agreement, by, supersedes: Memorandum | None, *, kind: str | None = None
) -> Memorandum:
    last = agreement.memoranda.order_by("-number").first()
    memorandum = Memorandum(
        agreement=agreement,
        number=(last.number + 1) if last else 1,
        supersedes=supersedes,
        kind=kind or agreement.kind,
        created_by=by,
    )
    if supersedes is not None:
        # The signing details carry over to the new version; the signing date does not.
        for name in Memorandum.EDITABLE_FIELDS:
            if name == "signed_on":
                continue
            setattr(memorandum, name, getattr(supersedes, name))
    if supersedes is None:
        reason = reasons.reason("memorandum_created", number=memorandum.number)
    else:
        reason = reasons.reason(
            "memorandum_superseded", number=memorandum.number, previous=supersedes.number
        )
    _save(memorandum, reason)
    add_default_articles(memorandum, reason=reason)
    if supersedes is not None:
        # ...and so do the officials present, for the officer to review.
        for official in supersedes.officials.order_by("side", "position", "id"):
            copy = MemorandumOfficial(
                memorandum=memorandum,
                **{name: getattr(official, name) for name in MemorandumOfficial.EDITABLE_FIELDS},
            )
            _save(copy, reason)
    return memorandum


def new_memorandum(
    *, agreement: Agreement, by: AbstractBaseUser, supersedes: Memorandum | None = None
) -> Memorandum:
    """A new draft version, with the default articles from the goals."""
    with transaction.atomic():
        locked = _lock_agreement(agreement.pk)
        if not can_edit_agreement(by, locked):
            raise _forbid(by, "new_memorandum", locked)
        if locked.status == Status.TERMINATED:
            raise WorkflowError(TERMINATED_READ_ONLY, code="terminated")
        if supersedes is None:
            supersedes = (
                locked.memoranda.filter(frozen_at__isnull=False).order_by("-number").first()
            )
        return _create_memorandum_version(locked, by, supersedes)


_NO_OFFICIALS = {
    Side.HOME: workflow.MISSING_HOME_OFFICIALS,
    Side.PARTNER: workflow.MISSING_PARTNER_OFFICIALS,
}


def officials_missing(memorandum: Memorandum) -> str:
    """What freezing misses of the officials present (the gate's own messages): ""
    when both sides have at least one, else the missing side's (or both sides') message."""
    sides = set(memorandum.officials.values_list("side", flat=True).distinct())
    return " ".join(str(message) for side, message in _NO_OFFICIALS.items() if side not in sides)


PARTNER_CONFIRMATION_MISSING = _(
    "This municipality freezes a memorandum only when the partner city has confirmed its "
    "current text: send the partner a review link, and freeze once it has confirmed."
)


def partner_confirmation_required(agreement: Agreement) -> bool:
    """The home municipality's setting (MunicipalitySettings)."""
    return MunicipalitySettings.objects.filter(
        city_id=agreement.home_city_id, partner_confirmation_required=True
    ).exists()


def freeze_memorandum(*, memorandum: Memorandum, by: AbstractBaseUser) -> Memorandum:
    """Render the final PDF once, store it with its SHA-256; never again editable."""
    from ..pdf import freeze_pdf, memorandum_content_hash

    with transaction.atomic():
        agreement = _lock_agreement(memorandum.agreement_id)
        fresh = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
        if not can_edit_agreement(by, agreement):
            raise _forbid(by, "freeze", fresh)
        if fresh.is_frozen:
            raise Conflict(FROZEN, code="frozen")
        latest = agreement.memoranda.order_by("-number").first()
        if latest is None or latest.pk != fresh.pk:
            raise WorkflowError(FREEZE_NOT_LATEST, code="not_latest_version")
        at_signing = agreement.stage == Stage.SIGNING and agreement.status == Status.IN_PROGRESS
        new_version_of_active = agreement.stage == Stage.ACTIVE and fresh.supersedes_id is not None
        if not (at_signing or new_version_of_active):
            _refuse(by, "freeze", fresh, "stage")
            raise WorkflowError(FREEZE_WRONG_STAGE, code="wrong_stage")
        if not (
            fresh.signed_on
            and fresh.place
            and fresh.home_signatory_name
            and fresh.partner_signatory_name
        ):
            raise WorkflowError(FREEZE_INCOMPLETE, code="signing_details_missing")
        refusal = officials_missing(fresh)
        if refusal:
            _refuse(by, "freeze", fresh, "officials")
            raise WorkflowError(refusal, code="officials_missing")
        if partner_confirmation_required(agreement) and not has_current_confirmation(
            fresh, memorandum_content_hash(fresh)
        ):
            _refuse(by, "freeze", fresh, "partner_confirmation")
            raise WorkflowError(PARTNER_CONFIRMATION_MISSING, code="partner_confirmation_missing")
        fresh.frozen_at = timezone.now()
        fresh.frozen_by = by
        freeze_pdf(fresh)
        _save(
            fresh,
            reasons.reason(
                "memorandum_frozen",
                number=fresh.number,
                user=reasons.who(by),
                sha=fresh.pdf_sha256[:12],
            ),
        )
        if new_version_of_active and fresh.signed_on:
            _take_signing_dates(agreement)
            _save(agreement, reasons.reason("signing_dates_taken", number=fresh.number))
    return fresh
