"""Every write that matters, as one function each. Pages, the API, the admin
and management commands all call these; a rule lives in one place.

By part of the domain: `agreements` (an agreement's own fields), `records` (the
records under it), `requests` (stage requests and their decisions), `memoranda`
(versions and the freeze), `partners` (review links, the partner's comments and
confirmation), `roles`; `base` holds the errors, messages and the
helpers they share. Import from `agreements.services`, not from the modules.

Each function takes keyword-only arguments, checks the permission
(agreements.permissions) and the workflow (agreements.workflow), runs in one
transaction with the agreement row locked, saves with save() so that history
is written with a reason, and queues its e-mail to be written and sent only if
that transaction commits (agreements.tasks.enqueue_on_commit). On failure it
raises one error (WorkflowError and its kinds, Forbidden, or Django's
ValidationError) and the database is left as it was.

Concurrency: on PostgreSQL `select_for_update()` serialises two deciders on
the agreement row; on SQLite (where it is a no-op) the connection opens every
transaction with BEGIN IMMEDIATE (config/settings.py), so the second writer
waits for the first to commit and then sees its result. Either way the state
is re-read after the lock, so a race ends in one transition and one Conflict.
"""

from django.core.exceptions import ValidationError

from ..permissions import Forbidden
from .agreements import (
    AGREEMENT_EDITABLE_FIELDS,
    KIND_EDITABLE_STAGES,
    agreement_editable_fields,
    create_agreement,
    update_agreement,
)
from .base import (
    ALREADY_DECIDED,
    ALREADY_PENDING,
    DUPLICATE_PAIR,
    FIXED_ONCE_SAVED,
    FREEZE_INCOMPLETE,
    FREEZE_NOT_LATEST,
    FREEZE_WRONG_STAGE,
    FROZEN,
    GATE_NOT_MET,
    MEMORANDUM_OF_ANOTHER_AGREEMENT,
    NOT_YOUR_REQUEST,
    OWN_REQUEST,
    REJECTION_REASON_REQUIRED,
    REOPEN_STAGE_REQUIRED,
    REQUEST_REASON_REQUIRED,
    SECOND_SIGNED_COPY,
    SIGNED_COPY_FIXED,
    SIGNED_COPY_NEEDS_MEMORANDUM,
    SIGNED_DOCUMENT_LOCKED,
    STAGE_CHANGED,
    STAGE_ONLY_FOR_REOPEN,
    STALE,
    TERMINATED_READ_ONLY,
    Conflict,
    GateNotMet,
    WorkflowError,
)
from .delegations import (
    save_ceremony,
)
from .memoranda import (
    freeze_memorandum,
    new_memorandum,
)
from .partners import (
    CONTENT_CHANGED,
    add_partner_comment,
    confirm_partner_text,
    create_partner_link,
    find_active_link,
    reply_to_partner_comment,
    revoke_partner_link,
)
from .plans import (
    item_from_decision,
)
from .records import (
    check_record,
    check_record_delete,
    delete_record,
    save_record,
)
from .requests import (
    DECISION_FIELDS,
    SIGNING_DATE_FIELDS,
    approve_stage_request,
    make_request,
    reject_stage_request,
    request_advance,
    request_upgrade,
    withdraw_stage_request,
)
from .roles import (
    grant_role,
    revoke_role,
)

__all__ = [
    "AGREEMENT_EDITABLE_FIELDS",
    "ALREADY_DECIDED",
    "ALREADY_PENDING",
    "CONTENT_CHANGED",
    "Conflict",
    "DECISION_FIELDS",
    "DUPLICATE_PAIR",
    "FIXED_ONCE_SAVED",
    "FREEZE_INCOMPLETE",
    "FREEZE_NOT_LATEST",
    "FREEZE_WRONG_STAGE",
    "FROZEN",
    "Forbidden",
    "GATE_NOT_MET",
    "GateNotMet",
    "KIND_EDITABLE_STAGES",
    "MEMORANDUM_OF_ANOTHER_AGREEMENT",
    "NOT_YOUR_REQUEST",
    "OWN_REQUEST",
    "REJECTION_REASON_REQUIRED",
    "REOPEN_STAGE_REQUIRED",
    "REQUEST_REASON_REQUIRED",
    "SECOND_SIGNED_COPY",
    "SIGNED_COPY_FIXED",
    "SIGNED_COPY_NEEDS_MEMORANDUM",
    "SIGNED_DOCUMENT_LOCKED",
    "SIGNING_DATE_FIELDS",
    "STAGE_CHANGED",
    "STAGE_ONLY_FOR_REOPEN",
    "STALE",
    "TERMINATED_READ_ONLY",
    "ValidationError",
    "WorkflowError",
    "add_partner_comment",
    "agreement_editable_fields",
    "approve_stage_request",
    "check_record",
    "check_record_delete",
    "confirm_partner_text",
    "create_agreement",
    "create_partner_link",
    "delete_record",
    "find_active_link",
    "freeze_memorandum",
    "grant_role",
    "item_from_decision",
    "make_request",
    "new_memorandum",
    "reject_stage_request",
    "reply_to_partner_comment",
    "request_advance",
    "request_upgrade",
    "revoke_partner_link",
    "revoke_role",
    "save_ceremony",
    "save_record",
    "update_agreement",
    "withdraw_stage_request",
]
