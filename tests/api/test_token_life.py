"""API tokens expire, die with a password change or deactivation, and are revoked
one by one by their owner (agreements/api/tokens.py)."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from agreements.api.tokens import MAX_TOKENS_PER_USER

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PROTECTED = "/api/v1/agreements/"


def _sign_in(username: str = "officer") -> dict:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": "pw"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key: str) -> bool:
    status = _with(key).get(PROTECTED).status_code
    assert status in (200, 401), status
    return status == 200


# --- Expiry --------------------------------------------------------------------------------------


def test_a_token_expires_after_api_token_days(personas):
    assert settings.API_TOKEN_DAYS == 30
    before = timezone.now()
    body = _sign_in()
    expires_at = parse_datetime(body["expires_at"])
    assert expires_at is not None and expires_at.tzinfo is not None
    expected = before + datetime.timedelta(days=30)
    assert expected <= expires_at <= expected + datetime.timedelta(minutes=1)
    assert AuthToken.objects.get(user=personas.officer).expiry == expires_at


def test_an_expired_token_is_401_and_gone(personas):
    key = _sign_in()["token"]
    assert _works(key)
    token = AuthToken.objects.get(user=personas.officer)
    token.expiry = timezone.now() - datetime.timedelta(seconds=1)
    token.save()
    response = _with(key).get(PROTECTED)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert not AuthToken.objects.filter(user=personas.officer).exists()


def test_using_a_token_does_not_extend_its_life(personas):
    body = _sign_in()
    assert _works(body["token"])
    stored = AuthToken.objects.get(user=personas.officer)
    assert stored.expiry == parse_datetime(body["expires_at"])


# --- Revoked by a password change or deactivation -----------------------------------------------


def test_set_password_and_save_revokes_every_token_of_the_user(personas):
    first, second = _sign_in()["token"], _sign_in()["token"]
    other_user = _sign_in("approver")["token"]
    personas.officer.set_password("a-new-long-password")
    personas.officer.save()
    assert not _works(first) and not _works(second)
    assert not AuthToken.objects.filter(user=personas.officer).exists()
    assert _works(other_user)


def test_password_change_in_the_admin_revokes_the_tokens(client, personas):
    key = _sign_in()["token"]
    client.force_login(personas.admin)
    url = reverse("admin:auth_user_password_change", args=[personas.officer.pk])
    response = client.post(
        url,
        {"password1": "Another-long-passw0rd", "password2": "Another-long-passw0rd"},
    )
    assert response.status_code == 302, response.content
    assert not _works(key)


def _admin_change_data(response, **changes) -> dict:
    """What the admin's user change page would post back unchanged, with `changes`."""
    from django.forms import CheckboxInput, MultiWidget

    def add(data, form):
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            value = form[name].value()
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[key] = "on"
            elif isinstance(field.widget, MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else str(part)
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            elif value is not None:
                data[key] = str(value)

    data: dict = {}
    add(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(data, formset.management_form)
        for form in formset.forms:
            add(data, form)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_editing_a_user_in_the_admin_without_touching_the_password_keeps_the_tokens(
    client, personas
):
    key = _sign_in()["token"]
    client.force_login(personas.admin)
    url = reverse("admin:auth_user_change", args=[personas.officer.pk])
    response = client.post(url, _admin_change_data(client.get(url), first_name="Renamed"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    personas.officer.refresh_from_db()
    assert personas.officer.first_name == "Renamed"
    assert _works(key)


def test_signing_in_on_the_page_keeps_the_tokens(client, personas):
    """The page login writes last_login: not a credential change."""
    key = _sign_in()["token"]
    response = client.post("/accounts/login/", {"username": "officer", "password": "pw"})
    assert response.status_code == 302
    assert _works(key)


def test_deactivation_revokes_the_tokens(personas):
    key = _sign_in()["token"]
    personas.officer.is_active = False
    personas.officer.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(user=personas.officer).exists()
    assert not _works(key)
    # Active again: the old token does not come back.
    personas.officer.is_active = True
    personas.officer.save()
    assert not _works(key)


def test_deactivation_in_the_admin_revokes_the_tokens(client, personas):
    key = _sign_in()["token"]
    client.force_login(personas.admin)
    url = reverse("admin:auth_user_change", args=[personas.officer.pk])
    response = client.post(url, _admin_change_data(client.get(url), is_active=None))
    assert response.status_code == 302, response.context["adminform"].form.errors
    personas.officer.refresh_from_db()
    assert not personas.officer.is_active
    assert not _works(key)


def test_revocation_is_in_the_audit_log(personas, caplog):
    caplog.set_level(logging.INFO, logger="sistercities.audit")
    _sign_in()
    personas.officer.set_password("a-new-long-password")
    personas.officer.save()
    lines = [r.getMessage() for r in caplog.records if "api tokens revoked" in r.getMessage()]
    assert lines == [lines[0]] and "username=officer" in lines[0]
    assert "reason=password changed" in lines[0]


# --- Revoked by the owner ------------------------------------------------------------------------


def test_delete_revokes_only_the_token_it_was_sent_with(personas):
    first, second = _sign_in()["token"], _sign_in()["token"]
    response = _with(first).delete(TOKEN_URL)
    assert response.status_code == 204
    assert not _works(first)
    assert _works(second)
    assert _with(first).delete(TOKEN_URL).status_code == 401


def test_delete_needs_a_token(client, personas):
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert _with("not-a-real-token").delete(TOKEN_URL).status_code == 401
    # A session is not a token: nothing to revoke.
    session = APIClient()
    session.force_login(personas.officer)
    assert session.delete(TOKEN_URL).status_code == 401


def test_a_bad_token_header_does_not_stop_signing_in(personas):
    response = _with("stale-token-from-yesterday").post(
        TOKEN_URL, {"username": "officer", "password": "pw"}, format="json"
    )
    assert response.status_code == 200


def test_signing_in_again_and_again_keeps_the_newest_tokens(personas):
    keys = [_sign_in()["token"] for _ in range(MAX_TOKENS_PER_USER + 2)]
    assert AuthToken.objects.filter(user=personas.officer).count() == MAX_TOKENS_PER_USER
    assert not _works(keys[0]) and not _works(keys[1])
    assert _works(keys[2]) and _works(keys[-1])


def test_schema_documents_both_token_operations():
    response = APIClient().get("/api/schema/", {"format": "json"})
    schema = response.json()
    operations = schema["paths"]["/api/v1/auth/token/"]
    assert set(operations) == {"post", "delete"}
    assert {"204", "401"} <= set(operations["delete"]["responses"])
    assert "expires_at" in schema["components"]["schemas"]["Token"]["properties"]


# --- Migration from DRF's authtoken ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_drf_tokens_and_their_content_type():
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    migration = importlib.import_module("agreements.migrations.0008_drop_drf_authtoken_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('9944b09199c62bcf9418ad846dd0e4bb')")
    content_type = ContentType.objects.create(app_label="authtoken", model="token")
    Permission.objects.create(content_type=content_type, codename="add_token", name="Can add")
    with connection.schema_editor() as editor:
        migration.drop_drf_tokens(apps, editor)
        migration.drop_drf_tokens(apps, editor)  # again: nothing left to drop
    assert "authtoken_token" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    assert not Permission.objects.filter(codename="add_token").exists()


def test_the_admin_revokes_tokens_but_never_makes_one(client, personas):
    """A token made in the admin would let the administrator act as its user."""

    client.force_login(personas.admin)
    add = reverse("admin:knox_authtoken_add")
    response = client.post(add, {"user": personas.officer.pk, "expiry": ""})
    assert response.status_code == 403
    assert not AuthToken.objects.exists()
    token, key = AuthToken.objects.create(user=personas.officer)
    assert client.get(reverse("admin:knox_authtoken_change", args=[token.pk])).status_code == 200
    delete = reverse("admin:knox_authtoken_delete", args=[token.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not AuthToken.objects.exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/agreements/").status_code == 401
