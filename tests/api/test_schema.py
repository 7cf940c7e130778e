"""The OpenAPI schema and the Swagger UI, served without any external host."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from agreements.models import UserProfile

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/cities/",
    "/api/v1/cities/{id}/",
    "/api/v1/agreements/",
    "/api/v1/agreements/{id}/",
    "/api/v1/agreements/{id}/advance/",
    "/api/v1/agreements/{id}/requests/",
    "/api/v1/agreements/{id}/history/",
    "/api/v1/agreements/{id}/memorandum.pdf",
    "/api/v1/stage-requests/",
    "/api/v1/stage-requests/{id}/approve/",
    "/api/v1/stage-requests/{id}/reject/",
    "/api/v1/stage-requests/{id}/withdraw/",
    "/api/v1/memoranda/{id}/freeze/",
    "/api/v1/memoranda/{id}/pdf",
    "/api/v1/agreements/{id}/dossier.pdf",
    "/api/v1/agreements/{id}/signed-mou.zip",
    "/api/v1/agreements/signed-memoranda.zip",
    "/api/v1/imports/",
    *(
        f"/api/v1/agreements/{{agreement_pk}}/{kind}/{suffix}"
        for kind in [
            "contacts",
            "goals",
            "commonalities",
            "department-supports",
            "legal-approvals",
            "memoranda",
            "delegations",
            "activities",
            "documents",
        ]
        for suffix in ["", "{record_id}/"]
    ),
]


@pytest.fixture
def schema():
    response = APIClient().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def test_schema_has_every_contract_path(schema):
    missing = [path for path in CONTRACT_PATHS if path not in schema["paths"]]
    assert not missing


def test_schema_documents_the_error_codes(schema):
    advance = schema["paths"]["/api/v1/agreements/{id}/advance/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(advance)
    listing = schema["paths"]["/api/v1/agreements/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {
        "stage",
        "status",
        "kind",
        "home_city",
        "partner_country",
        "sector",
        "signed_year",
        "q",
    } <= names


def test_stage_and_status_are_read_only_in_the_schema(schema):
    components = schema["components"]["schemas"]
    request_fields = components["AgreementRequest"]["properties"]
    assert "stage" not in request_fields and "status" not in request_fields
    assert "stage" in components["Agreement"]["properties"]


def test_document_upload_is_multipart(schema):
    create = schema["paths"]["/api/v1/agreements/{agreement_pk}/documents/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]


def test_docs_page_loads_only_local_assets():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["']?((?:https?:)?//[^"' >]+)""", html)
    assert external == []
    assets = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert any("/static/drf_spectacular_sidecar/" in asset for asset in assets)
    # No inline script: the Content-Security-Policy allows only script files.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert "<style" not in html and "style=" not in html


def test_docs_script_is_served_from_this_site():
    response = APIClient().get("/api/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


def test_schema_is_the_same_whatever_the_language_of_who_fetches_it(personas):
    english, persian = APIClient(), APIClient()
    persian.cookies["django_language"] = "fa"
    UserProfile.objects.create(user=personas.officer, language="fa")
    persian.force_authenticate(personas.officer)
    first = english.get("/api/schema/", {"format": "json"}).content
    second = persian.get("/api/schema/", {"format": "json"}).content
    assert first == second
    assert "StageEnum" in second.decode()
    assert "مرحله" not in second.decode()


def test_request_bodies_are_json_only_but_uploads(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = set(operation.get("requestBody", {}).get("content", {}))
            if path.endswith(("/documents/", "/imports/")) and method == "post":
                assert content == {"multipart/form-data"}, path
            elif content:
                assert content == {"application/json"}, (method, path, content)


def test_every_error_answer_is_a_problem_detail(schema):
    wrong = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    content = response.get("content", {})
                    ref = content.get("application/problem+json", {}).get("schema", {})
                    if set(content) != {"application/problem+json"} or not ref:
                        wrong.append(f"{method} {path} {status}")
    assert not wrong
    problem = schema["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "code", "detail", "errors", "missing"} <= set(problem)


def test_every_post_documents_the_idempotency_key_and_takes_it(schema):
    """Each POST but the sign-in and a partner link's creation (its answer carries a
    token stored nowhere, so it is never stored for a replay: api/partners.py) lists
    the header and its 422, and its view set is an IdempotentPosts: the
    documentation and the code cannot drift apart."""
    from django.urls import resolve

    from agreements.api.idempotency import IdempotentPosts

    posts = [
        (path, operations["post"])
        for path, operations in schema["paths"].items()
        if "post" in operations
        and path not in ("/api/v1/auth/token/", "/api/v1/memoranda/{memorandum_pk}/partner-links/")
    ]
    assert len(posts) >= 17
    wrong = []
    for path, operation in posts:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in headers or "422" not in operation["responses"]:
            wrong.append(f"schema: {path}")
        view = resolve(re.sub(r"\{\w+\}", "1", path)).func
        if not issubclass(view.cls, IdempotentPosts):
            wrong.append(f"view: {path}")
    assert not wrong


def test_operation_ids_are_identifiers(schema):
    ids = [
        operation["operationId"]
        for operations in schema["paths"].values()
        for operation in operations.values()
    ]
    assert [name for name in ids if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)] == []
    assert "v1_agreements_memorandum_pdf_retrieve" in ids
    assert len(ids) == len(set(ids))


def test_fields_that_come_back_null_are_nullable(schema):
    components = schema["components"]["schemas"]
    for component, field in [
        ("Agreement", "responsible_officer"),
        ("AgreementDetail", "responsible_officer"),
        ("StageRequest", "decided_by"),
        ("Memorandum", "frozen_by"),
        ("Contact", "created_by"),
    ]:
        assert components[component]["properties"][field].get("nullable") is True, field
    assert "nullable" not in components["StageRequest"]["properties"]["requested_by"]


def test_schema_states_limits_and_bounds(schema):
    paths = schema["paths"]
    cities = {p["name"]: p["schema"] for p in paths["/api/v1/cities/"]["get"]["parameters"]}
    assert cities["is_home"]["type"] == "boolean" and "enum" not in cities["is_home"]
    assert cities["search"]["maxLength"] == 200
    # A NUL is refused anywhere in a request (PostgreSQL cannot hold one).
    assert re.match(cities["search"]["pattern"], "ab")
    assert not re.match(cities["search"]["pattern"], "a\x00b")
    assert "FR" in cities["country"]["enum"]
    listing = {p["name"]: p["schema"] for p in paths["/api/v1/agreements/"]["get"]["parameters"]}
    assert (listing["page_size"]["minimum"], listing["page_size"]["maximum"]) == (1, 500)
    assert (listing["signed_year"]["minimum"], listing["signed_year"]["maximum"]) == (1800, 2200)
    assert listing["home_city"]["type"] == "integer"
    requests = paths["/api/v1/stage-requests/"]["get"]["parameters"]
    assert {p["name"]: p["schema"] for p in requests}["agreement"]["type"] == "integer"
    contact = schema["components"]["schemas"]["ContactRequest"]["properties"]
    assert re.match(contact["place"]["pattern"], "Tehran")
    assert not re.match(contact["place"]["pattern"], "Teh\nran")
    assert re.match(contact["notes"]["pattern"], "two\nlines")
    assert not re.match(contact["date"]["pattern"], "1403-06-31")
    city = schema["components"]["schemas"]["City"]["properties"]
    assert (city["latitude"]["type"], city["latitude"]["maximum"]) == ("number", 90)


def test_schema_lists_every_status_and_header(schema):
    paths = schema["paths"]
    token = paths["/api/v1/auth/token/"]["post"]["responses"]
    assert "Retry-After" in token["429"]["headers"]
    export = paths["/api/v1/agreements/export.csv"]["get"]["responses"]
    assert {"200", "202", "400", "401", "404", "429"} <= set(export)
    assert {"400", "403", "404"} <= set(paths["/api/v1/exports/"]["get"]["responses"])
    listing = paths["/api/v1/agreements/"]["get"]["responses"]["200"]["headers"]
    assert {"Link", "X-Total-Count-Capped", "X-Request-ID"} <= set(listing)
    created = paths["/api/v1/agreements/"]["post"]["responses"]["201"]["headers"]
    assert created["Location"]["required"] is True
    detail = paths["/api/v1/agreements/{id}/"]["get"]["responses"]["200"]["headers"]
    assert "ETag" in detail
    for operations in paths.values():
        for operation in operations.values():
            for response in operation["responses"].values():
                assert "X-Request-ID" in response.get("headers", {})


def test_type_names_do_not_depend_on_an_earlier_translated_schema():
    # `?lang=fa` renders a Persian copy; the English one read afterwards keeps its
    # type names (django-countries' names, read first in Persian, renamed CountryEnum).
    client = APIClient()
    assert client.get("/api/schema/", {"format": "json", "lang": "fa"}).status_code == 200
    english = client.get("/api/schema/", {"format": "json"}).json()
    names = set(english["components"]["schemas"])
    assert "CountryEnum" in names and "CityCountryEnum" not in names
    assert "StageEnum" in names and "AgreementKindEnum" in names
