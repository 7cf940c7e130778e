"""Every form and serializer names its fields; none lets a user set what only the
workflow sets (stage, status, decisions, roles, versions, frozen PDFs)."""

from __future__ import annotations

import importlib
import inspect
import io
import re

import pytest
from django import forms
from django.test import Client
from rest_framework import serializers

from agreements.models import Agreement, StageRequest
from tests.factories import AgreementFactory, CityFactory

FORBIDDEN = {
    "stage",
    "status",
    "state",
    "decided_by",
    "decided_at",
    "decision_note",
    "role",
    "version",
    "frozen_at",
    "pdf_sha256",
}
# Writable fields with a forbidden name that are something else, and why.
EXCEPTIONS = {
    # The legal authority's answer, recorded by the officer from its letter.
    ("LegalApprovalForm", "status"),
    ("LegalApprovalSerializer", "status"),
}
# `version` on a form or serializer is the version the user started from (optimistic
# locking): compared, never stored. Checked by behaviour below, not by name.
CONCURRENCY_TOKEN = "version"

MODULES = ["agreements.forms", "cities.forms", "agreements.api.serializers"]


def _classes(module_name: str, base: type) -> list[type]:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return []
    return [
        cls
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, base) and cls.__module__ == module_name
    ]


def _forms() -> list[type]:
    return [c for m in MODULES[:2] for c in _classes(m, forms.BaseForm)]


def _serializers() -> list[type]:
    return _classes("agreements.api.serializers", serializers.BaseSerializer)


def test_there_is_something_to_check():
    assert len(_forms()) >= 10
    assert len(_serializers()) >= 10


@pytest.mark.parametrize("form_class", _forms(), ids=lambda c: c.__name__)
def test_form_lists_its_fields_and_none_is_forbidden(form_class):
    meta = getattr(form_class, "Meta", None) or getattr(form_class, "_meta", None)
    model = getattr(meta, "model", None)
    if meta is not None and model is not None:
        assert meta.fields != "__all__", form_class
        assert isinstance(meta.fields, list | tuple), form_class
        assert not getattr(meta, "exclude", None), form_class
    for name in form_class.base_fields:
        if name in FORBIDDEN and name != CONCURRENCY_TOKEN:
            key = (form_class.__name__, name)
            assert key in EXCEPTIONS, f"{form_class.__name__}.{name} is writable"
    if CONCURRENCY_TOKEN in form_class.base_fields and model is not None:
        # Declared on the form, not taken from the model: Django never copies it
        # onto the instance (the model field is not editable).
        assert not model._meta.get_field(CONCURRENCY_TOKEN).editable


@pytest.mark.parametrize("serializer_class", _serializers(), ids=lambda c: c.__name__)
def test_serializer_lists_its_fields_and_none_is_forbidden(serializer_class):
    meta = getattr(serializer_class, "Meta", None)
    if meta is not None and hasattr(meta, "fields"):
        assert meta.fields != serializers.ALL_FIELDS, serializer_class
        assert not getattr(meta, "exclude", None), serializer_class
    try:
        fields = serializer_class().fields
    except Exception:  # noqa: BLE001 - needs context to build; check declared fields
        fields = serializer_class._declared_fields
    for name, field in fields.items():
        if field.read_only or name not in FORBIDDEN or name == CONCURRENCY_TOKEN:
            continue
        key = (serializer_class.__name__, name)
        assert key in EXCEPTIONS, f"{serializer_class.__name__}.{name} is writable"


# --- The same from the outside ------------------------------------------------------------------


@pytest.mark.django_db
def test_api_create_and_update_ignore_stage_status_and_version(personas):
    client = Client()
    client.force_login(personas.officer)
    partner = CityFactory()
    response = client.post(
        "/api/v1/agreements/",
        {
            "home_city": personas.tehran.pk,
            "partner_city": partner.pk,
            "kind": "friendship",
            "origin": "trade",
            "stage": "active",
            "status": "terminated",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    agreement = Agreement.objects.get(pk=response.json()["id"])
    assert (agreement.stage, agreement.status) == ("contact", "in_progress")
    response = client.patch(
        f"/api/v1/agreements/{agreement.pk}/",
        {"title": "New title", "stage": "active", "status": "active", "version": agreement.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert (agreement.title, agreement.stage, agreement.status) == (
        "New title",
        "contact",
        "in_progress",
    )
    # The version is compared, not stored: a made-up one is a conflict.
    assert agreement.version == 2
    response = client.patch(
        f"/api/v1/agreements/{agreement.pk}/",
        {"title": "Other", "version": 999},
        content_type="application/json",
    )
    assert response.status_code == 409
    agreement.refresh_from_db()
    assert (agreement.title, agreement.version) == ("New title", 2)


@pytest.mark.django_db
def test_api_cannot_decide_a_request_by_writing_it(personas):
    from tests.factories import ContactFactory

    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)
    client = Client()
    client.force_login(personas.officer)
    response = client.post(
        f"/api/v1/agreements/{agreement.pk}/advance/",
        {"note": "Ready"},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    stage_request = StageRequest.objects.get()
    for method in ["put", "patch"]:
        response = getattr(client, method)(
            f"/api/v1/stage-requests/{stage_request.pk}/",
            {"state": "approved", "decided_by": personas.officer.pk},
            content_type="application/json",
        )
        assert response.status_code in (403, 405)
    stage_request.refresh_from_db()
    assert stage_request.state == "pending"


@pytest.mark.django_db
def test_page_forms_ignore_stage_and_status(personas):
    partner = CityFactory()
    client = Client()
    client.force_login(personas.officer)
    client.post(
        "/agreements/new/",
        {
            "home_city": personas.tehran.pk,
            "partner_city": partner.pk,
            "kind": "friendship",
            "origin": "trade",
            "stage": "active",
            "status": "terminated",
        },
    )
    agreement = Agreement.objects.get(partner_city=partner)
    assert (agreement.stage, agreement.status) == ("contact", "in_progress")
    client.post(
        f"/agreements/{agreement.pk}/edit/",
        {
            "origin": "trade",
            "kind": "friendship",
            "title": "Edited",
            "stage": "active",
            "status": "suspended",
            "version": agreement.version,
        },
    )
    agreement.refresh_from_db()
    assert (agreement.stage, agreement.status) == ("contact", "in_progress")


def test_roles_are_granted_only_in_the_admin_and_by_command():
    """No page or API route touches roles or users; the admin (administrators only)
    and `manage.py grant_role` / `revoke_role` do, through services.grant_role."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def routes(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from routes(pattern, route)
            elif isinstance(pattern, URLPattern):
                yield route

    touching = [
        r
        for r in routes(get_resolver())
        if not r.startswith("admin/") and re.search(r"role|user|permission|group", r)
    ]
    assert touching == []


@pytest.mark.django_db
def test_import_does_not_move_an_existing_agreement(personas):
    from agreements import importing

    agreement = AgreementFactory(home_city=personas.tehran)
    partner = agreement.partner_city
    csv = (
        "home_city,home_country,partner_city,partner_country,kind,stage\n"
        f"Tehran,IR,{partner.name},{partner.country.code},friendship,active\n"
    ).encode()
    rows = importing.read_rows(io.BytesIO(csv), "agreements.csv")
    plan = importing.plan_import(rows)
    if not plan.errors:
        importing.apply_import(plan, by=personas.admin, reason="test")
    agreement.refresh_from_db()
    assert (agreement.stage, agreement.status) == ("contact", "in_progress")
