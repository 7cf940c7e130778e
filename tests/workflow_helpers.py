"""Build agreements whose gates are met, make moves the four-eyes way, and
snapshot the database to prove that a refused action changed nothing."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, Document, Stage, StageRequest
from tests.factories import (
    AgreementFactory,
    CommonalityFactory,
    ContactFactory,
    DelegationFactory,
    DepartmentSupportFactory,
    GoalFactory,
    LegalApprovalFactory,
    MemorandumFactory,
)


def fulfil_gate(agreement: Agreement, stage: str | None = None) -> None:
    """Record what the gate of `stage` (default: the agreement's stage) needs."""
    stage = stage or agreement.stage
    if stage == Stage.CONTACT:
        ContactFactory(agreement=agreement)
    elif stage == Stage.GOALS:
        GoalFactory(agreement=agreement)
        CommonalityFactory(agreement=agreement)
        DepartmentSupportFactory(agreement=agreement, department="council")
    elif stage == Stage.LEGAL:
        for authority in ["home_council", "home_ministry", "partner_authority"]:
            LegalApprovalFactory(agreement=agreement, authority=authority, status="granted")
    elif stage == Stage.SIGNING:
        memorandum = MemorandumFactory(agreement=agreement)
        # The gate looks at the frozen flag; freezing itself (PDF) is tested elsewhere.
        memorandum.frozen_at = timezone.now()
        memorandum.save()
        Document.objects.create(
            agreement=agreement, memorandum=memorandum, kind="signed_mou", file="documents/x.pdf"
        )
    elif stage == Stage.DELEGATIONS:
        DelegationFactory(
            agreement=agreement,
            official=True,
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2025, 1, 5),
        )


def agreement_at(stage: str, **kwargs) -> Agreement:
    """An agreement placed directly in `stage` (test set-up only), its earlier gates met."""
    agreement = AgreementFactory(**kwargs)
    for earlier in Stage.values[: Stage.values.index(stage)]:
        fulfil_gate(agreement, earlier)
    agreement.stage = stage
    agreement.status = "active" if stage == Stage.ACTIVE else "in_progress"
    agreement.save()
    return agreement


def approved_move(
    agreement: Agreement,
    action: str,
    *,
    by,
    approver,
    note: str = "Agreed by both councils",
    to_stage: str | None = None,
) -> StageRequest:
    """`by` requests the move, `approver` (another person) approves it: the only way
    an agreement is reopened, suspended, resumed, terminated, advanced or upgraded.
    The agreement is refreshed afterwards."""
    stage_request = services.make_request(
        agreement=agreement, by=by, action=action, note=note, to_stage=to_stage
    )
    approved = services.approve_stage_request(stage_request=stage_request, by=approver)
    agreement.refresh_from_db()
    return approved


def db_state() -> dict[str, object]:
    """Row counts of every table and the agreements' workflow fields."""
    state: dict[str, object] = {}
    for model in apps.get_models():
        if model._meta.app_label in {"agreements", "cities", "auth"}:
            state[model._meta.label] = model._default_manager.count()
    state["agreements"] = list(
        Agreement.objects.order_by("pk").values_list("pk", "stage", "status", "kind", "version")
    )
    return state
