"""The error answers of the schema: every one a problem detail (exceptions.py),
described per status so an operation lists each status it can answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from ..problems import CODES, PROBLEM_CONTENT_TYPE


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The field (dotted when nested); null for the whole request."
    )
    code = serializers.CharField(help_text="e.g. required, invalid, max_length, does_not_exist.")
    message = serializers.CharField(help_text="In the user's language.")
    line = serializers.IntegerField(
        required=False,
        help_text="An import's refused row only: its line (CSV) or row (XLSX); 1 is the header.",
    )


class MissingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The requirement, e.g. contact, council, signed_copy.")
    message = serializers.CharField(help_text="What is missing, in the user's language.")
    fix = serializers.CharField(
        help_text="The record kind that fulfils it: POST /api/v1/agreements/{id}/{fix}/."
    )


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, with a stable machine `code`."""

    type = serializers.CharField(help_text="urn:sister-cities:problem:{code}")
    title = serializers.CharField(help_text="The code's title, in the user's language.")
    status = serializers.IntegerField()
    code = serializers.ChoiceField(choices=sorted(CODES), help_text="Never translated.")
    detail = serializers.CharField(help_text="What happened, in the user's language.")
    instance = serializers.CharField(required=False, help_text="The request's path.")
    request_id = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="500 only: the X-Request-ID to quote when reporting it.",
    )
    error_id = serializers.CharField(
        required=False,
        help_text="Errors answered before the API's views (an unknown path, a request "
        "Django refuses): the id our error log names.",
    )
    retry_after = serializers.IntegerField(
        required=False, min_value=0, help_text="429 `locked_out`: seconds until you may retry."
    )
    errors = FieldErrorSerializer(many=True, required=False, help_text="400 only.")
    missing = MissingSerializer(
        many=True, required=False, help_text="409 gate_unmet only: the unmet requirements."
    )


def problem_response(status: int, description: str) -> dict:
    return {(status, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description)}


ERRORS = {
    **problem_response(
        400,
        "Invalid data or query parameters (`validation`, `parse_error`, "
        "`invalid_parameter`); `errors` lists each field's.",
    ),
    **problem_response(
        401, "No or invalid credentials (`not_authenticated`, `authentication_failed`)."
    ),
    **problem_response(
        403,
        "Your role does not allow this on this object (`forbidden`, "
        "`four_eyes`, `not_requester`, `shared_city`).",
    ),
    **problem_response(404, "Not found, or outside your municipalities (`not_found`)."),
}
UNAUTHORISED = problem_response(401, "No or invalid credentials.")
CONFLICT = problem_response(
    409,
    "The workflow does not allow this now (`gate_unmet` with `missing`, `version_conflict`, "
    "`frozen`, `request_pending`, `already_decided`, `stage_changed`, `move_not_allowed`, "
    "`terminated`...); nothing was changed.",
)
FILE_CONFLICT = problem_response(
    409,
    "`file_mismatch`: the stored file is missing or no longer matches its recorded SHA-256; "
    "nothing is sent and the problem is in the audit log.",
)

NOT_ACCEPTABLE = problem_response(
    406,
    "`not_acceptable`: neither `Accept` nor `format` names a type this answer comes in.",
)


def errors(*statuses: int) -> dict:
    """Some of ERRORS: `**errors(401, 404)`."""
    return {key: value for key, value in ERRORS.items() if key[0] in statuses}


PRECONDITION = problem_response(
    412,
    "`precondition_failed`: `If-Match` names another version than the stored one; "
    "nothing was changed.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": r'^[ \t]*(\*|"v[0-9]{1,10}")[ \t]*$'},
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag of your last read (e.g. "v3"): the write is made only if the '
    "object is still that version, else 412 (as for a tag of another form); `*` "
    "matches any version.",
)
WRITE = {"parameters": [IF_MATCH]}
# The key as a client sends it bare (agreements/api/idempotency.py also takes it in
# quotes): printable ASCII but `"` and `\\`, no space at either end (a header's value
# is read without them).
_KEY_CHAR = r"\x21\x23-\x5b\x5d-\x7e"
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": rf"^[{_KEY_CHAR}]([ {_KEY_CHAR}]{{0,253}}[{_KEY_CHAR}])?$",
    },
    OpenApiParameter.HEADER,
    required=False,
    description="A key you make for this request (1 to 255 printable ASCII characters "
    'but `"` and `\\`, e.g. a UUID; else 400 `idempotency_key_invalid`). '
    "A retry with the same key and the "
    "same method, path and body within 24 hours writes nothing and gets the first answer "
    "again, byte for byte (2xx and 4xx; not 5xx), with `Idempotent-Replayed: true`; a "
    "retry while the first request runs waits for its answer. Keys are per user.",
)
IDEMPOTENT = {"parameters": [IDEMPOTENCY_KEY]}
KEY_REUSED = problem_response(
    422,
    "`idempotency_key_reused`: the Idempotency-Key was used in the last 24 hours for "
    "another request (another method, path or body); nothing was changed.",
)
