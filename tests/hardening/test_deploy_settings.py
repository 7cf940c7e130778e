"""Production settings: the deploy check passes, CSP, secure cookies, HSTS."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SISTERCITIES_TESTING",
            "DEBUG",
            "SECRET_KEY",
            "HTTPS",
            "TEST_DB_SUFFIX",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        HTTPS="true",
        ALLOWED_HOSTS="sister-cities.example.org",
        SITE_URL="https://sister-cities.example.org",
    )
    env.update(extra)
    return env


def test_deploy_check_reports_nothing_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_would_catch_an_insecure_setting():
    # The check above means something: plain HTTP is reported.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(HTTPS="false"),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE


def _production_settings() -> dict:
    code = (
        "import json, config.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','CSRF_COOKIE_SECURE',"
        "'CSRF_COOKIE_HTTPONLY','LANGUAGE_COOKIE_SECURE','LANGUAGE_COOKIE_HTTPONLY',"
        "'SECURE_HSTS_SECONDS','SECURE_SSL_REDIRECT','SESSION_ENGINE','TASKS','SITE_URL']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_http_only_and_hsts_is_on():
    values = _production_settings()
    for name in ["SESSION_COOKIE", "CSRF_COOKIE", "LANGUAGE_COOKIE"]:
        assert values[f"{name}_SECURE"] is True, name
        assert values[f"{name}_HTTPONLY"] is True, name
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_SSL_REDIRECT"] is True
    # Shared by every app server process.
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    # The e-mails' links (agreements/notifications.py) go to the address people use.
    assert values["SITE_URL"] == "https://sister-cities.example.org"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_hsts_and_secure_cookies_when_served_over_https(client, personas, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    response = client.post(
        "/accounts/login/", {"username": "officer", "password": "pw"}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    # No HSTS over plain HTTP (a browser would ignore it, and it must not be sent there).
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids them; catch one before a browser does."""
    import re

    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if path.parts[-2] == "pdf":  # WeasyPrint, not a browser
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
        for pattern in [
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle=\"",
            r"\son[a-z]+=\"",
            r"javascript:",
        ]:
            for match in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not offenders, "\n".join(offenders)


def test_media_is_not_served_from_a_url():
    assert settings.MEDIA_URL.startswith("/media-not-served/")
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "documents/2025/01/x.pdf")
