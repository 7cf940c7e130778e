"""Problem details (RFC 9457): the codes every API error can carry, and the body.

Lower than the API (agreements/api/exceptions.py turns every error into one)
so that the sign-in lockout (agreements/audit.py) answers the same shape.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:sister-cities:problem:"

# Every code an answer can carry, with its title (one title per code, as RFC 9457 asks).
CODES = {
    # 400
    "validation": _("Invalid data"),
    "parse_error": _("The body could not be read"),
    "invalid_parameter": _("Invalid query parameter"),
    "idempotency_key_invalid": _("Invalid Idempotency-Key"),
    # 401, 403
    "not_authenticated": _("Sign-in needed"),
    "authentication_failed": _("Invalid credentials"),
    "forbidden": _("Not allowed"),
    "four_eyes": _("Another approver must decide"),
    "not_requester": _("Only the requester may do this"),
    "shared_city": _("Shared partner cities are edited by administrators"),
    "scope_changed": _("No longer in your municipalities"),
    # 404, 405, 406, 415
    "not_found": _("Not found"),
    "method_not_allowed": _("Method not allowed"),
    "not_acceptable": _("Not acceptable"),
    "unsupported_media_type": _("Unsupported media type"),
    # 409
    "gate_unmet": _("The stage is not complete"),
    "version_conflict": _("Changed by someone else"),
    "frozen": _("The memorandum is frozen"),
    "terminated": _("The agreement is terminated"),
    "move_not_allowed": _("This move is not possible now"),
    "request_pending": _("A request is already pending"),
    "already_decided": _("The request is already decided"),
    "stage_changed": _("The stage has changed"),
    "signed_copy_exists": _("The signed copy is already uploaded"),
    "not_latest_version": _("Not the latest version"),
    "wrong_stage": _("Not at the right stage"),
    "signing_details_missing": _("Signing details missing"),
    "officials_missing": _("Officials present missing"),
    "not_allowed_now": _("Not possible now"),
    "conflict": _("Conflict"),
    "file_mismatch": _("The stored file does not match"),
    # 412, 422, 429, 500
    "precondition_failed": _("Changed since you read it"),
    "idempotency_key_reused": _("Idempotency-Key already used for another request"),
    "throttled": _("Too many requests"),
    "locked_out": _("Too many failed sign-ins"),
    "too_many_exports": _("Too many unfinished exports"),
    "export_not_ready": _("The export is not ready yet"),
    "server_error": _("Server error"),
}


def problem_body(
    status: int, code: str, detail: Any, *, instance: str | None = None, **extra: Any
) -> dict[str, Any]:
    """{type, title, status, code, detail[, instance], ...extra}; `code` one of CODES."""
    body = {
        "type": TYPE_PREFIX + code,
        "title": str(CODES[code]),
        "status": status,
        "code": code,
        "detail": str(detail),
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body
