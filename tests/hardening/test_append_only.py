"""History is append-only from the product, and agreements are never deleted:
no page, API call, admin screen or action edits or deletes a history row or an
agreement (agreements are archived by terminating them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from agreements import reasons, services
from agreements.models import Agreement, Status
from tests.factories import AgreementFactory
from tests.workflow_helpers import approved_move

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _history_models() -> list:
    from django.apps import apps

    return [m for m in apps.get_models() if m.__name__.startswith("Historical")]


def test_no_history_model_is_editable_in_the_admin():
    registered = set(admin.site._registry)
    assert not registered & set(_history_models())


def test_admin_history_pages_are_read_only(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    historical = agreement.history.first()
    client = Client()
    client.force_login(personas.admin)
    base = f"/admin/agreements/agreement/{agreement.pk}/history/"
    assert client.get(base).status_code == 200
    # The "revert to this version" form is refused, in both methods.
    assert client.get(f"{base}{historical.history_id}/").status_code == 403
    assert client.post(f"{base}{historical.history_id}/", {}).status_code == 403
    assert agreement.history.count() == 1


def test_admin_never_deletes_agreements(personas, rf):
    model_admin = admin.site._registry[Agreement]
    request = rf.get("/admin/")
    request.user = personas.admin
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.admin)
    url = f"/admin/agreements/agreement/{agreement.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def _all_routes(resolver=None, prefix: str = "") -> list[tuple[str, object]]:
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_all_routes(pattern, route))
        elif isinstance(pattern, URLPattern):
            routes.append((route, pattern))
    return routes


def test_no_url_deletes_an_agreement_or_history():
    suspicious = [
        route
        for route, _pattern in _all_routes()
        if ("delete" in route or "destroy" in route)
        and not route.startswith("admin/")
        and "<slug:kind>" not in route  # record-delete: records, never the agreement (below)
    ]
    assert suspicious == []


def test_pages_and_api_cannot_delete_an_agreement_or_its_history(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    services.update_agreement(agreement=agreement, by=personas.officer, title="Renamed")
    history_before = agreement.history.count()
    client = Client()
    client.force_login(personas.approver)
    attempts = [
        ("delete", f"/api/v1/agreements/{agreement.pk}/"),
        ("post", f"/agreements/{agreement.pk}/delete/"),
        ("post", f"/agreements/{agreement.pk}/agreements/{agreement.pk}/delete/"),
        ("delete", f"/api/v1/agreements/{agreement.pk}/history/"),
        ("post", f"/api/v1/agreements/{agreement.pk}/history/"),
        ("post", f"/agreements/{agreement.pk}/history/"),
    ]
    for method, url in attempts:
        response = getattr(client, method)(url)
        assert response.status_code in (400, 403, 404, 405), (method, url, response.status_code)
    assert Agreement.objects.filter(pk=agreement.pk).exists()
    assert agreement.history.count() == history_before


def test_api_agreement_endpoint_offers_no_delete(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.admin)
    response = client.options(f"/api/v1/agreements/{agreement.pk}/")
    allowed = {m.strip() for m in response["Allow"].split(",")}
    assert "DELETE" not in allowed


def test_terminating_archives_and_keeps_history(personas):
    agreement = AgreementFactory(home_city=personas.tehran)
    approved_move(
        agreement, "terminate", by=personas.officer, approver=personas.approver, note="Withdrew"
    )
    assert agreement.status == Status.TERMINATED
    assert agreement.history.count() == 2
    assert reasons.code_of(agreement.history.first().history_change_reason) == "terminated"


def _history_deletes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"delete", "update", "save"}
        ):
            chain = ast.unparse(node.func.value)
            if "history" in chain.lower() or "Historical" in chain:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {chain}.{node.func.attr}()")
    return found


def test_no_product_code_writes_or_deletes_history_rows():
    skipped = {".venv", "tests", "bench", "migrations", ".git"}
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if skipped & set(path.relative_to(ROOT).parts[:-1]):
            continue
        problems.extend(_history_deletes(path))
    assert problems == []
