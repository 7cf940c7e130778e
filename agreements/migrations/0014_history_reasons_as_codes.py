"""History reasons written as English (or, for a few, Persian) sentences become codes
with values (agreements.reasons), so that they read in the reader's language.

Reasons repeat (every row of one import has the same), so each table's distinct
reasons are converted once and written back with one UPDATE each. A reason that
matches no known sentence stays as it is (it is shown as stored). People named by
user name are stored by full name, as new reasons are. Reverse: nothing to undo
(the codes read back in English too).
"""

import json
import re

from django.conf import settings
from django.db import migrations

# The route a sentence names, in English and in the Persian it was written in.
_ROUTES = {
    "import page": "import_page",
    "صفحهٔ ورود داده": "import_page",
    "API": "api",
    "import_agreements": "command",
}

_FIXED = {
    "Agreement created": ("agreement_created", {}),
    "Agreement edited": ("agreement_edited", {}),
    "Articles edited": ("articles_edited", {}),
    "Role granted": ("role_granted", {}),
    "Role changed": ("role_changed", {}),
    "Role revoked": ("role_revoked", {}),
    "grant_role command": ("role_granted", {"via": "command"}),
    "revoke_role command": ("role_revoked", {"via": "command"}),
    "send_reminders": ("reminder_sent", {"via": "command"}),
    "Created in the directory": ("city_created", {}),
    "ایجاد در فهرست شهرها": ("city_created", {}),
    "Edited in the directory": ("city_edited", {}),
    "ویرایش در فهرست شهرها": ("city_edited", {}),
    "Created through the API": ("city_created", {"via": "api"}),
    "ایجاد از راه API": ("city_created", {"via": "api"}),
    "Edited through the API": ("city_edited", {"via": "api"}),
    "ویرایش از راه API": ("city_edited", {"via": "api"}),
    "Demo data (seed_demo)": ("demo_data", {"via": "command"}),
    "Imported from the seed paper's table (seed_demo)": ("demo_import", {"via": "command"}),
    "Demo data (seed_demo): frozen at signing": ("demo_frozen", {"via": "command"}),
}

_REQUEST = r"request #(?P<request>\d+)(?: by (?P<requester>\S+))? approved by (?P<user>\S+)"
_PATTERNS = [
    (
        re.compile(
            r"^(?:Requested|Upgrade requested|Suspension requested|Resumption requested"
            r"|Termination requested|Reopen at \S+ requested) by (?P<user>\S+)$"
        ),
        "request_made",
    ),
    (re.compile(r"^Approved by (?P<user>\S+)$"), "request_approved"),
    (re.compile(r"^Rejected by (?P<user>\S+)$"), "request_rejected"),
    (re.compile(r"^Withdrawn by (?P<user>\S+)$"), "request_withdrawn"),
    (
        re.compile(r"^Stage (?P<from_stage>\w+) → (?P<to_stage>\w+): " + _REQUEST + r"$"),
        "stage_advanced",
    ),
    (re.compile(r"^Upgraded to sister city: " + _REQUEST + r"$"), "upgraded"),
    (
        re.compile(
            r"^Reopened (?P<from_stage>\w+) → (?P<to_stage>\w+): "
            + _REQUEST
            + r"(?:: (?P<note>.*))?$",
            re.S,
        ),
        "reopened",
    ),
    (re.compile(r"^Suspended: " + _REQUEST + r"(?:: (?P<note>.*))?$", re.S), "suspended"),
    (re.compile(r"^Resumed: " + _REQUEST + r"(?:: (?P<note>.*))?$", re.S), "resumed"),
    (re.compile(r"^Terminated: " + _REQUEST + r"(?:: (?P<note>.*))?$", re.S), "terminated"),
    (
        re.compile(r"^Memorandum v(?P<number>\d+) created, superseding v(?P<previous>\d+)$"),
        "memorandum_superseded",
    ),
    (re.compile(r"^Memorandum v(?P<number>\d+) created$"), "memorandum_created"),
    (
        re.compile(
            r"^Memorandum v(?P<number>\d+) frozen by (?P<user>\S+) "
            r"\(PDF SHA-256 (?P<sha>[0-9a-f]+)\)$"
        ),
        "memorandum_frozen",
    ),
    (re.compile(r"^Signing dates taken from memorandum v(?P<number>\d+)$"), "signing_dates_taken"),
    (
        re.compile(
            r"^(?:Imported from|واردشده از) (?P<file>.+) \((?P<route>import page|API"
            r"|import_agreements|صفحهٔ ورود داده)\)$",
            re.S,
        ),
        "imported",
    ),
    (re.compile(r"^.+ (?P<verb>added|edited|deleted)$", re.S), "record"),
]
_NUMBERS = {"number", "previous", "request"}


def _encode(code: str, values: dict) -> str:
    kept = {name: value for name, value in values.items() if value not in (None, "")}
    return json.dumps({"code": code, **kept}, ensure_ascii=False, sort_keys=True)


def convert(
    text: str, *, model_name: str, history_type: str, row: dict, people, requester_of=None
) -> str | None:
    """The coded form of an old sentence; None when it is not one of ours."""
    if not text or text.startswith("{"):
        return None
    via, note = None, None
    if text.endswith(" (admin)"):
        text, via = text[: -len(" (admin)")], "admin"
    if text in _FIXED:
        code, values = _FIXED[text]
        return _encode(code, {**values, "via": via or values.get("via")})
    for pattern, code in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        values = match.groupdict()
        if code == "record":
            code = f"record_{values.pop('verb')}"
            values["kind"] = model_name
        if code == "request_made":
            values |= {"action": row.get("action"), "stage": row.get("to_stage")}
        if "request" in values and not values.get("requester") and requester_of is not None:
            values["requester"] = requester_of(int(values["request"]))
        if code == "imported":
            values["via"] = _ROUTES.get(values.pop("route"))
        for name in ("user", "requester"):
            if name in values and values[name] is not None:
                values[name] = "" if values[name] == "system" else people(values[name])
        for name in _NUMBERS & set(values):
            if values[name] is not None:
                values[name] = int(values[name])
        if via:
            values["via"] = via
        if code == "agreement_edited" and model_name != "agreement":
            code = "record_edited"
        return _encode(code, values)
    if via:
        # An administrator's own words: what the row did, through the admin, and why.
        note = text
        if model_name == "agreement":
            code = {"+": "agreement_created"}.get(history_type, "agreement_edited")
            return _encode(code, {"via": via, "note": note})
        code = {"+": "record_added", "-": "record_deleted"}.get(history_type, "record_edited")
        return _encode(code, {"kind": model_name, "via": via, "note": note})
    return None


def forwards(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    names: dict[str, str] = {}

    def people(username: str) -> str:
        if username not in names:
            user = User.objects.filter(username=username).first()
            full = f"{user.first_name} {user.last_name}".strip() if user else ""
            names[username] = full or username
        return names[username]

    StageRequest = apps.get_model("agreements", "StageRequest")

    def requester_of(request_id: int) -> str | None:
        username = (
            StageRequest.objects.filter(pk=request_id)
            .values_list("requested_by__username", flat=True)
            .first()
        )
        return username

    for app_label in ("agreements", "cities"):
        for model in apps.get_app_config(app_label).get_models():
            if not model.__name__.startswith("Historical"):
                continue
            model_name = model.__name__[len("Historical") :].lower()
            extra = ["action", "to_stage"] if model_name == "stagerequest" else []
            rows = model.objects.exclude(history_change_reason__isnull=True).exclude(
                history_change_reason=""
            )
            seen = rows.values_list("history_change_reason", "history_type", *extra).distinct()
            for text, history_type, *rest in list(seen):
                row = dict(zip(extra, rest, strict=True))
                new = convert(
                    text,
                    model_name=model_name,
                    history_type=history_type,
                    row=row,
                    people=people,
                    requester_of=requester_of,
                )
                if new is not None and new != text:
                    rows.filter(
                        history_change_reason=text, history_type=history_type, **row
                    ).update(history_change_reason=new)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0013_idempotent_requests"),
        ("cities", "0005_field_bounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
