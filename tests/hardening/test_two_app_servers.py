"""Two gunicorn app servers against one PostgreSQL database share sessions and data:
sign in on one, act on the other. Nothing another process needs is kept in one
process's memory (sessions in the database; caches only as optimisations)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from agreements.models import StageRequest
from tests.factories import AgreementFactory, ContactFactory
from tests.processes import stop

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def app_server(port: int, log: Path, extra_env: dict[str, str] | None = None):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DATABASE_URL=_database_url(),
        # The test settings (MD5 hasher of the test users, plain static storage),
        # DEBUG off, one secret for both servers as in production.
        SISTERCITIES_TESTING="true",
        DEBUG="false",
        SECRET_KEY="two-servers-share-this-secret-" + "x" * 30,
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
    )
    env.update(extra_env or {})
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=20)
                    break
                except (requests.ConnectionError, requests.Timeout):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(log.read_text(errors="replace")[-3000:])
                    time.sleep(0.3)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def _csrf_from(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_sign_in_on_one_server_and_act_on_the_other(personas, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Several app servers share one PostgreSQL database; SQLite is a file for one "
            "host (run this suite with DATABASE_URL=postgres://...)."
        )
    agreement = AgreementFactory(home_city=personas.tehran)
    ContactFactory(agreement=agreement)  # the contact stage's gate is met
    with (
        app_server(_free_port(), tmp_path / "a.log") as server_a,
        app_server(_free_port(), tmp_path / "b.log") as server_b,
    ):
        browser = requests.Session()
        login = browser.get(f"{server_a}/accounts/login/", timeout=30)
        response = browser.post(
            f"{server_a}/accounts/login/",
            data={
                "username": "officer",
                "password": "pw",
                "csrfmiddlewaretoken": _csrf_from(login.text),
            },
            headers={"Referer": f"{server_a}/accounts/login/"},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:500]

        # Server B knows the session server A made: the agreement page, signed in.
        page = browser.get(f"{server_b}/agreements/{agreement.pk}/", timeout=30)
        assert page.status_code == 200
        assert "/accounts/login/" not in page.url
        response = browser.post(
            f"{server_b}/agreements/{agreement.pk}/request-advance/",
            data={"csrfmiddlewaretoken": _csrf_from(page.text), "advance-note": "From server B"},
            headers={"Referer": f"{server_b}/agreements/{agreement.pk}/"},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:1000]

        # Both servers and this process see the same request.
        stage_request = StageRequest.objects.get(agreement=agreement)
        assert stage_request.requested_by == personas.officer
        assert stage_request.note == "From server B"
        page_a = browser.get(f"{server_a}/agreements/{agreement.pk}/", timeout=30)
        assert "From server B" in page_a.text or "pending" in page_a.text.lower()
