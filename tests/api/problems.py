"""Reading the API's problem details (agreements/api/exceptions.py) in tests."""

from __future__ import annotations

from typing import Any


def problem(response, status: int, code: str | None = None) -> dict[str, Any]:
    """The body of a problem answer, checked: its status, media type and shape."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"urn:sister-cities:problem:{body['code']}"
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def error_fields(body: dict[str, Any]) -> set[str | None]:
    """The fields a 400 names (None for the request as a whole)."""
    return {error["field"] for error in body["errors"]}


def messages(body: dict[str, Any]) -> str:
    """Every message of a problem, joined: what a user would read."""
    parts = [body["detail"]]
    parts += [error["message"] for error in body.get("errors", [])]
    parts += [item["message"] for item in body.get("missing", [])]
    return "\n".join(parts)


def field_messages(response, code: str = "validation") -> dict[str | None, list[str]]:
    """A 400's errors as {field: [messages]} (None for the request as a whole)."""
    found: dict[str | None, list[str]] = {}
    for error in problem(response, 400, code)["errors"]:
        found.setdefault(error["field"], []).append(error["message"])
    return found
