"""Why a history row was written: stored as a code with its values, read in the
reader's language.

Every save the product makes gives its history row a reason (simple-history's
`history_change_reason`). It is stored as a small JSON object, a code and the
values the sentence needs, never as a sentence: the history page, the dossier,
the API and the dashboard then say it in the language of whoever reads it.

    reason("request_approved", user=person_name(by))
        -> '{"code": "request_approved", "user": "Sara Ahmadi"}'
    describe('{"code": "request_approved", "user": "Sara Ahmadi"}')
        -> "تأییدشده به دست Sara Ahmadi" on a Persian page

Values:

- people are stored by the full name they had when they acted (a history row
  says who did it then; no query is needed to read it back);
- stages, actions and record kinds by their codes (`stage`, `kind` is a model's
  name such as "goal"), numbers as numbers (Persian digits in Persian);
- `note`: a person's own words (an administrator's reason, a request's reason),
  shown as written; `via`: the route when it is not a page ("admin", "api",
  "command").

A stored reason that is not such an object (a row written before reasons were
codes and not recognised by migration 0014, or a reason an older tool wrote) is
shown as stored. Reading never fails on a stored value.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .dates import format_number

# The sentence of each code, with the %(name)s values it takes.
SENTENCES = {
    "agreement_created": _("Agreement created"),
    "agreement_edited": _("Agreement edited"),
    "record_added": _("%(kind)s added"),
    "record_edited": _("%(kind)s edited"),
    "record_deleted": _("%(kind)s deleted"),
    "articles_edited": _("Articles edited"),
    "officials_edited": _("Officials present edited"),
    "officials_moved": _("Moved from the memorandum's free text “officials present”"),
    "request_made": _("Request to %(action)s made by %(user)s"),
    "request_approved": _("Approved by %(user)s"),
    "request_rejected": _("Rejected by %(user)s"),
    "request_withdrawn": _("Withdrawn by %(user)s"),
    "stage_advanced": _(
        "Moved from “%(from_stage)s” to “%(to_stage)s”: request no. %(request)s "
        "of %(requester)s approved by %(user)s"
    ),
    "upgraded": _(
        "Upgraded to a sister city: request no. %(request)s of %(requester)s approved by %(user)s"
    ),
    "reopened": _(
        "Reopened from “%(from_stage)s” at “%(to_stage)s”: request no. %(request)s "
        "of %(requester)s approved by %(user)s"
    ),
    "suspended": _("Suspended: request no. %(request)s of %(requester)s approved by %(user)s"),
    "resumed": _("Resumed: request no. %(request)s of %(requester)s approved by %(user)s"),
    "terminated": _("Terminated: request no. %(request)s of %(requester)s approved by %(user)s"),
    "memorandum_created": _("Memorandum version %(number)s created"),
    "memorandum_superseded": _(
        "Memorandum version %(number)s created, replacing version %(previous)s"
    ),
    "memorandum_frozen": _(
        "Memorandum version %(number)s frozen by %(user)s (PDF SHA-256 %(sha)s)"
    ),
    "signing_dates_taken": _("Signing dates taken from memorandum version %(number)s"),
    "role_granted": _("Role granted"),
    "role_changed": _("Role changed"),
    "role_revoked": _("Role revoked"),
    "imported": _("Imported from %(file)s"),
    "city_created": _("Created in the directory"),
    "city_edited": _("Edited in the directory"),
    "city_geonames": _("Coordinates and population from GeoNames"),
    "reminder_sent": _("Reminder sent"),
    "partner_link_created": _("Partner review link created by %(user)s"),
    "partner_link_revoked": _("Partner review link revoked by %(user)s"),
    "partner_commented": _("Comment from the partner city by %(name)s"),
    "partner_replied": _("Reply to the partner city by %(user)s"),
    "partner_confirmed": _("Text confirmed for the partner city by %(name)s (code %(integrity)s)"),
    "demo_data": _("Demo data"),
    "demo_import": _("Imported from the seed paper's table"),
    "demo_frozen": _("Demo data: frozen at signing"),
}

# What a request asks, as the request_made sentence names it.
ACTIONS = {
    "advance": _("move to “%(stage)s”"),
    "upgrade": _("upgrade to a sister city"),
    "reopen": _("reopen at “%(stage)s”"),
    "suspend": _("suspend"),
    "resume": _("resume"),
    "terminate": _("terminate"),
}

ROUTES = {
    "admin": pgettext_lazy("route of a change", "administration"),
    "api": pgettext_lazy("route of a change", "API"),
    "command": pgettext_lazy("route of a change", "command"),
    "import_page": pgettext_lazy("route of a change", "import page"),
}

# Values that are numbers (written in the reader's digits) and codes read by a label.
_NUMBERS = {"number", "previous", "request"}
_STAGES = {"stage", "from_stage", "to_stage"}


def who(user) -> str:
    """A person as a reason stores them: full name, else user name; "" for no user
    (read back as "system" in the reader's language)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def reason(code: str, **values: Any) -> str:
    """The stored form of a reason: `code` (one of SENTENCES) and its values.
    Empty values are left out."""
    if code not in SENTENCES:
        raise ValueError(f"unknown history reason code {code!r}")
    kept = {name: value for name, value in values.items() if value not in (None, "")}
    return json.dumps({"code": code, **kept}, ensure_ascii=False, sort_keys=True)


def with_note(stored: str, note: str) -> str:
    """`stored` (a reason) with a person's own words added; free text stays free text."""
    parsed = parse(stored)
    if parsed is None:
        return f"{stored}: {note}" if note else stored
    if note:
        parsed["note"] = note
    return json.dumps(parsed, ensure_ascii=False, sort_keys=True)


def parse(stored: object) -> dict | None:
    """The code and values of a stored reason; None when it is free text."""
    if not isinstance(stored, str) or not stored.startswith("{"):
        return None
    try:
        parsed = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(parsed, dict) or parsed.get("code") not in SENTENCES:
        return None
    return parsed


def code_of(stored: object) -> str:
    """The reason's code ("" for free text), for machines (the API)."""
    parsed = parse(stored)
    return parsed["code"] if parsed else ""


def _kind(model_name: object) -> str:
    try:
        model = apps.get_model("agreements", str(model_name))
    except LookupError:
        try:
            model = apps.get_model("cities", str(model_name))
        except LookupError:
            return str(model_name)
    return capfirst(str(model._meta.verbose_name))


def _stage(code: object) -> str:
    from .models import Stage

    try:
        return str(Stage(code).label)
    except ValueError:
        return str(code)


def _value(name: str, value: Any) -> str:
    if name in _NUMBERS and isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    if name in _STAGES:
        return _stage(value)
    if name == "kind":
        return _kind(value)
    if name == "user" or name == "requester":
        return str(value) if value else gettext("system")
    return str(value)


def describe(stored: object) -> str:
    """The reason in the active language ("" for none)."""
    if not stored:
        return ""
    parsed = parse(stored)
    if parsed is None:
        return str(stored)
    code = parsed["code"]
    values = {name: _value(name, value) for name, value in parsed.items() if name != "code"}
    if code == "request_made":
        action = ACTIONS.get(str(parsed.get("action")))
        values["action"] = (action % values) if action is not None else str(parsed.get("action"))
    values.setdefault("user", gettext("system"))
    values.setdefault("requester", gettext("system"))
    try:
        text = SENTENCES[code] % values
    except (KeyError, TypeError, ValueError):
        # A code stored with fewer values than its sentence now takes.
        text = str(SENTENCES[code]).split("%(", 1)[0].rstrip(" :") or code
    route = ROUTES.get(str(parsed.get("via", "")))
    if route is not None:
        text = gettext("%(text)s (%(route)s)") % {"text": text, "route": route}
    if parsed.get("note"):
        text = gettext("%(text)s. Reason: %(note)s") % {"text": text, "note": parsed["note"]}
    return text
