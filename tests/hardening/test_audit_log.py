"""Audit lines (logger "sistercities.audit") carry user, address, path and UTC time,
for failed logins, refused permissions and refused transitions; never a password."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client, RequestFactory

from agreements import services
from agreements.audit import AuditContextFilter, client_ip, request_context
from agreements.permissions import Forbidden
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.33"
UTC_TIME = re.compile(r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _audit_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "sistercities.audit"]


@pytest.fixture
def audit(caplog):
    caplog.set_level(logging.INFO, logger="sistercities.audit")
    return caplog


def test_failed_login_is_logged_with_address_path_and_time_but_no_password(personas, audit):
    Client().post(
        "/accounts/login/",
        {"username": "officer", "password": "Sup3r-secret-guess"},
        REMOTE_ADDR=ADDRESS,
    )
    lines = [line for line in _audit_lines(audit) if "login failed" in line]
    assert len(lines) == 1, _audit_lines(audit)
    line = lines[0]
    assert "username=officer" in line
    assert f"address={ADDRESS}" in line
    assert "path=/accounts/login/" in line
    assert UTC_TIME.search(line)
    assert "Sup3r-secret-guess" not in audit.text
    assert "********" not in line


def test_failed_api_token_login_is_logged(personas, audit):
    Client().post(
        "/api/v1/auth/token/",
        {"username": "officer", "password": "Sup3r-secret-guess"},
        content_type="application/json",
        REMOTE_ADDR=ADDRESS,
    )
    lines = [line for line in _audit_lines(audit) if "login failed" in line]
    assert lines and "path=/api/v1/auth/token/" in lines[0]
    assert "Sup3r-secret-guess" not in audit.text


def test_refused_permission_on_a_page_is_logged(personas, audit):
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.viewer)
    path = f"/agreements/{agreement.pk}/request-advance/"
    response = client.post(path, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    lines = [line for line in _audit_lines(audit) if "status=403" in line]
    assert lines, _audit_lines(audit)
    assert "user=viewer" in lines[0]
    assert f"address={ADDRESS}" in lines[0]
    assert f"path={path}" in lines[0]
    assert UTC_TIME.search(lines[0])


def test_refused_api_call_is_logged(personas, audit):
    client = Client()
    client.force_login(personas.outsider)
    client.get("/api/v1/agreements/", REMOTE_ADDR=ADDRESS)
    lines = [line for line in _audit_lines(audit) if "status=403" in line]
    assert lines and "user=outsider" in lines[0]


def test_refused_transition_is_logged_with_the_request(personas, audit):
    agreement = AgreementFactory(home_city=personas.tehran)
    client = Client()
    client.force_login(personas.officer)
    path = f"/agreements/{agreement.pk}/request-advance/"
    # The contact stage's gate is not met.
    client.post(path, {"advance-note": "Ready"}, REMOTE_ADDR=ADDRESS)
    lines = [line for line in _audit_lines(audit) if "refused action=request_advance" in line]
    assert lines, _audit_lines(audit)
    assert "reason=gate" in lines[0]
    assert "user=officer" in lines[0]
    assert f"address={ADDRESS}" in lines[0] and f"path={path}" in lines[0]


def test_service_refusal_outside_a_request_still_has_time(personas, audit):
    agreement = AgreementFactory(home_city=personas.tehran)
    with pytest.raises(Forbidden):
        services.request_advance(
            agreement=agreement, by=personas.viewer, note="Ready for the next stage"
        )
    line = next(line for line in _audit_lines(audit) if "refused" in line)
    assert "address=- path=-" in line
    assert UTC_TIME.search(line)


def test_filter_uses_the_request_in_context(personas):
    request = RequestFactory().post("/somewhere/", REMOTE_ADDR=ADDRESS)
    request.user = personas.approver
    record = logging.LogRecord(
        "sistercities.audit", logging.WARNING, __file__, 1, "x=%s", ("y",), None
    )
    with request_context(request):
        AuditContextFilter().filter(record)
    assert record.getMessage().startswith("x=y [user=approver address=192.0.2.33 path=/somewhere/")


def test_client_ip_trusts_forwarded_for_only_behind_the_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1, 192.0.2.2"
    )
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.2"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.1"
    forged = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(forged) == "127.0.0.1"
