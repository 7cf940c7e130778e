"""Settings for `make bench`: the production settings with two databases.

`default` is the small data set (100 agreements), `large` the large one
(100,000). The harness measures both in one process by pointing Django's
`default` connection at one or the other between requests (bench/harness.py).

The engine comes from DATABASE_URL as in production (SQLite when unset); the
runner (bench/__main__.py) sets BENCH_SMALL_DB and BENCH_LARGE_DB to the SQLite
files or PostgreSQL database names of the copies it measures.
"""

from __future__ import annotations

import os
import warnings

# Production behaviour (DEBUG off, no test shortcuts), minus what needs a real
# deployment: a secret key and HTTPS in front.
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ["HTTPS"] = "false"
os.environ.pop("SISTERCITIES_TESTING", None)
os.environ.setdefault("DEBUG", "false")

from config.settings import *  # noqa: E402, F403
from config.settings import BASE_DIR, DATABASES  # noqa: E402

OUT = BASE_DIR / "bench" / "out"

_base = DATABASES["default"]


def _target(name: str) -> dict:
    settings = {**_base, "NAME": name, "TEST": {}}
    # One persistent connection per database, as app servers with CONN_MAX_AGE keep.
    settings["CONN_MAX_AGE"] = None
    settings["OPTIONS"] = dict(_base.get("OPTIONS", {}))
    return settings


DATABASES = {
    "default": _target(os.environ.get("BENCH_SMALL_DB", str(OUT / "run-small.sqlite3"))),
    "large": _target(os.environ.get("BENCH_LARGE_DB", str(OUT / "run-large.sqlite3"))),
}

# whitenoise looks for collected static files, which the pages do not need here.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

# The test client's host name.
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Static files are served by whitenoise from collected files in production; the
# pages only need their URLs here.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = OUT / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
