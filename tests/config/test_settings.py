"""Settings fail loudly on a wrong value."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SISTERCITIES_TESTING", "DEBUG", "SECRET_KEY", "SITE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_required_when_debug_is_off():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("LANGUAGE_CODE", "de", "LANGUAGE_CODE must be one of"),
        ("TIME_ZONE", "Mars/Olympus", "not a known time zone"),
        ("DATABASE_URL", "mysql://root@localhost/x", "SQLite or PostgreSQL"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be an integer"),
        ("EXPORT_INLINE_MAX_ROWS", "2k", "EXPORT_INLINE_MAX_ROWS must be an integer"),
        ("EXPORT_RETENTION_HOURS", "0", "EXPORT_RETENTION_HOURS must be at least 1"),
        ("API_TOKEN_DAYS", "0", "API_TOKEN_DAYS must be at least 1"),
        ("SITE_URL", "sister-cities.example.org", "SITE_URL must be an http:// or https://"),
        ("SITE_URL", "https://example.org/?a=1", "SITE_URL must be an http:// or https://"),
        ("MEDIA_STORAGE", "nfs", "MEDIA_STORAGE must be one of"),
        ("MEDIA_STORAGE", "s3", "MEDIA_STORAGE=s3 needs S3_BUCKET"),
        ("REDIS_URL", "127.0.0.1:6379", "REDIS_URL must be a redis://"),
    ],
)
def test_wrong_value_fails_at_start_up(name, value, message):
    env = {"SECRET_KEY": "x" * 50, "SITE_URL": "https://sc.example.org", name: value}
    result = _import_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_values_are_accepted():
    result = _import_settings(
        SECRET_KEY="x" * 50,
        DEBUG="false",
        LANGUAGE_CODE="en",
        TIME_ZONE="UTC",
        SITE_URL="https://sister-cities.example.org/",
    )
    assert result.returncode == 0, result.stderr


def test_site_url_required_when_debug_is_off():
    # The e-mails' links need it and no request is there to take the host from.
    result = _import_settings(SECRET_KEY="x" * 50, DEBUG="false")
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_site_url_loses_its_trailing_slash():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.SITE_URL)"],
        env={**os.environ, "SITE_URL": "https://sc.example.org/partners/"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://sc.example.org/partners"


def test_api_token_days_sets_the_tokens_life():
    environment = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    environment.update(SISTERCITIES_TESTING="true", API_TOKEN_DAYS="7")
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.REST_KNOX['TOKEN_TTL'])"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7 days, 0:00:00"


def _printed(expression: str, **env: str) -> str:
    unset = {"DEBUG", "MEDIA_STORAGE", "REDIS_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(SISTERCITIES_TESTING="true", **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print({expression})"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_media_in_a_bucket_is_private_and_never_overwritten():
    options = _printed(
        "sorted((k, str(v)) for k, v in s.STORAGES['default']['OPTIONS'].items())",
        MEDIA_STORAGE="s3",
        S3_BUCKET="media",
        S3_ENDPOINT_URL="http://127.0.0.1:8333",
    )
    assert "('bucket_name', 'media')" in options
    assert "('default_acl', 'None')" in options
    assert "('file_overwrite', 'False')" in options
    assert "('addressing_style', 'path')" in options
    assert _printed("s.STORAGES['default']['BACKEND']") == (
        "django.core.files.storage.FileSystemStorage"
    )


def test_redis_url_gives_a_shared_cache():
    assert _printed("s.CACHES['default']['BACKEND']", REDIS_URL="redis://127.0.0.1:6379/9") == (
        "django.core.cache.backends.redis.RedisCache"
    )
    assert _printed("s.CACHES['default']['BACKEND']") == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
