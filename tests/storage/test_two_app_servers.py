"""Two app servers that share only PostgreSQL, one S3 bucket and one Redis: a
memorandum frozen on one downloads byte-identical from the other, the object in the
bucket has the SHA-256 its row records, the dashboard's figures live in the one
shared cache, and a figure changed through one server is seen on the other."""

from __future__ import annotations

import hashlib
import re
import secrets
import time

import pytest
import requests
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from agreements.models import Memorandum
from tests.factories import CityFactory
from tests.hardening.test_two_app_servers import _csrf_from, _free_port, app_server
from tests.pdf_helpers import make_memorandum

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason=(
            "Several app servers share one PostgreSQL database; SQLite is a file for one "
            "host. .ci/run's second pass (DATABASE_URL=postgres://...) runs this test."
        ),
    ),
]

# A database number of its own on the machine's Redis, and a key prefix of this run:
# only this run's keys are read and removed.
REDIS_URL = "redis://127.0.0.1:6379/9"
TOTAL = re.compile(r"(\d[\d,]*) agreements in all")


@pytest.fixture
def shared_cache():
    prefix = "sto-test-" + secrets.token_hex(4)
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    try:
        cache.get("ping")
    except Exception as exc:  # noqa: BLE001 - the reason is in the message
        pytest.fail(f"Redis at {REDIS_URL} does not answer ({exc}); the suite needs it.")
    client = cache._cache.get_client(write=True)
    yield prefix, cache, client
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def _sign_in(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    browser.cookies.set("django_language", "en")
    login = browser.get(f"{base}/accounts/login/", timeout=30)
    response = browser.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": "pw",
            "csrfmiddlewaretoken": _csrf_from(login.text),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def _total(browser: requests.Session, base: str) -> int:
    page = browser.get(f"{base}/", timeout=60)
    assert page.status_code == 200
    match = TOTAL.search(page.text)
    assert match, page.text[:2000]
    return int(match.group(1).replace(",", ""))


def test_two_servers_share_only_postgresql_the_bucket_and_redis(
    personas, bucket, s3_server, shared_cache, tmp_path
):
    prefix, cache, redis = shared_cache
    memorandum = make_memorandum(personas)
    agreement = memorandum.agreement
    env = {
        "MEDIA_STORAGE": "s3",
        "S3_ENDPOINT_URL": s3_server.endpoint_url,
        "S3_BUCKET": bucket,
        "S3_REGION": s3_server.region,
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
    }
    # Each server's own MEDIA_ROOT, which must stay empty: nothing is on local disk.
    media_a, media_b = tmp_path / "media-a", tmp_path / "media-b"
    with (
        app_server(_free_port(), tmp_path / "a.log", env | {"MEDIA_ROOT": str(media_a)}) as a,
        app_server(_free_port(), tmp_path / "b.log", env | {"MEDIA_ROOT": str(media_b)}) as b,
    ):
        officer = _sign_in(a, "officer")

        # Frozen on A ...
        page = officer.get(f"{a}/agreements/{agreement.pk}/", timeout=60)
        freeze = reverse("agreements:memorandum-freeze", args=[agreement.pk, memorandum.pk])
        response = officer.post(
            f"{a}{freeze}",
            data={"csrfmiddlewaretoken": _csrf_from(page.text)},
            headers={"Referer": f"{a}/agreements/{agreement.pk}/"},
            allow_redirects=False,
            timeout=120,
        )
        assert response.status_code == 302, response.text[:1000]
        frozen = Memorandum.objects.get(pk=memorandum.pk)
        assert frozen.is_frozen and frozen.pdf.name
        stored = s3_server.client().get_object(Bucket=bucket, Key=frozen.pdf.name)["Body"].read()
        assert hashlib.sha256(stored).hexdigest() == frozen.pdf_sha256

        # ... downloads byte-identical from B.
        pdf = reverse("agreements:memorandum-pdf", args=[agreement.pk, memorandum.pk])
        from_b = officer.get(f"{b}{pdf}", timeout=60)
        assert from_b.status_code == 200
        assert from_b.content == stored
        assert officer.get(f"{a}{pdf}", timeout=60).content == stored

        # The dashboard's figures are counted on A and kept in the shared Redis ...
        while time.localtime().tm_sec > 45:  # the key names the minute: stay inside one
            time.sleep(1)
        total = _total(officer, a)
        keys = [k.decode() for k in redis.scan_iter(match=f"{prefix}:*figures:dashboard:*")]
        assert len(keys) == 1, keys
        # ... and B answers from that entry: changed in Redis, B shows the change.
        key = keys[0].split(":", 2)[2]
        figures = cache.get(key)
        figures["stages"] = {"contact": 777}
        cache.set(key, figures, 60)
        assert _total(officer, b) == 777
        cache.delete(key)

        # A figure changed through B (a new agreement, through the API) is seen on A.
        assert _total(officer, a) == total
        partner = CityFactory(name="Lyon", country="FR")
        created = officer.post(
            f"{b}/api/v1/agreements/",
            json={
                "home_city": personas.tehran.pk,
                "partner_city": partner.pk,
                "kind": "friendship",
                "origin": "trade",
                "title": "Made on server B",
            },
            headers={"X-CSRFToken": officer.cookies["csrftoken"], "Referer": f"{b}/"},
            timeout=60,
        )
        assert created.status_code == 201, created.text[:1000]
        assert _total(officer, a) == total + 1
        assert _total(officer, b) == total + 1

    for media in (media_a, media_b):
        assert not media.exists() or not any(media.rglob("*")), list(media.rglob("*"))
