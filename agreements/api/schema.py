"""What the OpenAPI schema says beyond drf-spectacular's own inference, in one place.

- AutoSchema: the stored-value rules of cities/validators.py as JSON Schema
  (`pattern`): one-line text has no control character or line break, multi-line
  text no control character but tab, LF and CR, a date lies from 1900 to 2100; the
  Persian field of a bilingual pair holds Arabic-script letters and no Latin one, its
  English field no Arabic-script letter (cities.validators.PersianScript).
- QueryFilterExtension: the bounds of the list filters (min/max, max length) and
  true booleans, from the filter fields themselves.
- postprocess: facts about every operation: operationIds without dots (the
  file paths' extensions), the headers each answer carries (X-Request-ID,
  Location, Link, X-Total-Count-Capped, ETag, Retry-After, WWW-Authenticate) and
  the 404 of an unknown `format`.

A client generator or a fuzzer reads the schema alone: whatever the API refuses
with 400 should be visible here. Wired in settings (DEFAULT_SCHEMA_CLASS,
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).
"""

from __future__ import annotations

import re
from typing import Any

from django_countries import countries
from django_countries.fields import CountryField
from django_countries.serializer_fields import CountryField as CountrySerializerField
from django_filters import filters as django_filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import list_hash

from cities.validators import (
    DATE_MAX,
    DATE_MIN,
    PersianScript,
    validate_date,
    validate_line,
    validate_text,
)

from ..problems import PROBLEM_CONTENT_TYPE
from .pagination import CAPPED_HEADER

# The characters cities/validators.py refuses (C0, DEL, C1; in one line also
# U+2028/U+2029), as ECMA-262 classes. Lone surrogates (refused too) are left out:
# no JSON text written as UTF-8 holds one, and validators that read patterns as
# Unicode (Rust's regex, ECMA-262 with the u flag) refuse a class naming them.
LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
assert (DATE_MIN.year, DATE_MAX.isoformat()) == (1900, "2100-12-31")  # noqa: S101 - the pattern's
NO_NUL_PATTERN = r"^[^\u0000]*$"
DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, CountrySerializerField) and "enum" in schema:
            # django-countries' choices carry names in the language they were first
            # read in, and drf-spectacular names an enum by its (code, name) pairs: the
            # type name changed with the language of an earlier request. The codes
            # alone name it, and the schema stays English.
            codes = sorted(code for code in schema["enum"] if code not in ("", None))
            schema["enum"] = codes + [code for code in schema["enum"] if code in ("", None)]
            schema["x-spec-enum-id"] = list_hash([(code, code) for code in codes])
            schema["description"] = "An ISO 3166-1 alpha-2 country code."
        return schema

    def _insert_field_validators(self, field, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        script = [v for v in field.validators if isinstance(v, PersianScript)]
        if script:
            # The script of a bilingual pair's field, joined with its line or text rule.
            multiline = validate_text in field.validators
            schema.setdefault("pattern", script[0].schema_pattern(multiline=multiline))
        for validator in field.validators:
            if validator is validate_line:
                schema.setdefault("pattern", LINE_PATTERN)
            elif validator is validate_text:
                schema.setdefault("pattern", TEXT_PATTERN)
            elif validator is validate_date:
                schema.setdefault("pattern", DATE_PATTERN)


class QueryFilterExtension(DjangoFilterExtension):
    """drf-spectacular's django-filter extension, for the strict backend: the bounds
    a filter field checks (else 400) are in the parameter's schema."""

    target_class = "agreements.api.filters.QueryFilterBackend"
    match_subclasses = True
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            schema = parameter["schema"]
            extra = filter_field.extra
            ids = (django_filters.NumberFilter, django_filters.ModelChoiceFilter)
            if isinstance(filter_field, ids):
                schema.pop("format", None)
                schema["type"] = "integer"
                schema.setdefault("minimum", 1)
            for key, name in (("minimum", "min_value"), ("maximum", "max_value")):
                if extra.get(name) is not None:
                    schema[key] = extra[name]
            if extra.get("max_length") is not None:
                schema["maxLength"] = extra["max_length"]
            if isinstance(filter_field, django_filters.ChoiceFilter) and isinstance(
                self._get_model_field(filter_field, model), CountryField
            ):
                # The choices are a callable (names translated when the form is built),
                # which drf-spectacular does not call; the codes never change with it.
                schema["enum"] = sorted(code for code, _name in countries)
            if schema.get("type") == "string" and "enum" not in schema:
                # A NUL anywhere in a request is 400 (agreements.middleware.RefuseNulMiddleware).
                schema.setdefault("pattern", NO_NUL_PATTERN)
            if schema.get("type") == "boolean":
                # StrictBooleanFilter's choices are its spellings, not an enum of strings.
                schema.pop("enum", None)
                parameter["description"] = parameter.get("description", "").split("\n")[0]
        return parameters


# --- Postprocessing ----------------------------------------------------------------------------

_HEADERS = {
    "X-Request-ID": {
        "schema": {"type": "string"},
        "description": "The id of this request (the one your proxy sent, else a new one); "
        "quote it when you report a problem.",
        "required": True,
    },
    "Location": {
        "schema": {"type": "string", "format": "uri"},
        "description": "The URL of what was created (201) or of the background job (202).",
        "required": True,
    },
    "Link": {
        "schema": {"type": "string"},
        "description": 'RFC 8288 links of the list: rel="next", "prev" and "first".',
        "required": True,
    },
    CAPPED_HEADER: {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Set when more rows match than `count` says (it is capped at "
        "10,000): follow `next` until it is null.",
    },
    "ETag": {
        "schema": {"type": "string"},
        "description": 'The stored version ("v3"): send it back as If-Match with PUT, '
        "PATCH or DELETE.",
    },
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again.",
    },
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": "`Token`: how to authenticate.",
    },
}
_NOT_FOUND = {
    "description": "Not found, outside your municipalities, or a `format` this operation "
    "does not have (`not_found`).",
    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


# Any operation answers 406 to an `Accept` none of its renderers has (DRF's
# negotiation runs before the view), so every operation documents it.
_NOT_ACCEPTABLE = {
    "description": "`not_acceptable`: `Accept` names no type this answer comes in.",
    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _headers(response: dict[str, Any], *names: str) -> None:
    headers = response.setdefault("headers", {})
    for name in names:
        headers.setdefault(name, dict(_HEADERS[name]))


def _body_schema(response: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    for media in response.get("content", {}).values():
        schema = media.get("schema", {})
        ref = schema.get("$ref", "")
        if ref:
            return components.get(ref.rsplit("/", 1)[-1], {})
        return schema
    return {}


def postprocess(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    components = result.get("components", {}).get("schemas", {})
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if "operationId" in operation:
                # `memorandum.pdf`, `export.csv`: generators turn operationIds into
                # function names, and a dot is none.
                operation["operationId"] = re.sub(r"[^A-Za-z0-9_]", "_", operation["operationId"])
            responses = operation.get("responses", {})
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if "format" in names and "404" not in responses:
                responses["404"] = dict(_NOT_FOUND)
            responses.setdefault("406", dict(_NOT_ACCEPTABLE))
            for status, response in responses.items():
                _headers(response, "X-Request-ID")
                body = _body_schema(response, components)
                properties = body.get("properties", {})
                if status in ("201", "202"):
                    _headers(response, "Location")
                if status == "200" and {"count", "next", "results"} <= set(properties):
                    _headers(response, "Link", CAPPED_HEADER)
                detail = path.endswith("}/") or path.endswith("/freeze/")
                if status in ("200", "201") and detail and "version" in properties:
                    _headers(response, "ETag")
                if status == "429":
                    _headers(response, "Retry-After")
                if status == "401":
                    _headers(response, "WWW-Authenticate")
    return result
