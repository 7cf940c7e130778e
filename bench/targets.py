"""Where the benchmark's databases live, and the cache that makes a second run cheap.

A built data set is kept, untouched, under a key that changes with the schema
(every migration file), the data set builder and the versions of the packages
whose tables it fills:

- SQLite: bench/out/sqlite-<shape>-<key>.sqlite3; each run measures a copy
  (bench/out/run-<shape>.sqlite3), because the run writes (transitions, import);
- PostgreSQL: databases sistercities_bench_small / _large with the key as the
  database's comment; each run measures a copy made with
  CREATE DATABASE ... TEMPLATE (sistercities_bench_<shape>_run).

Nothing here imports Django: the runner decides what to build before Django
is set up.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MANIFEST = OUT / "manifest.json"
# (agreements, cities, home municipalities) of each data set; BENCH_QUICK=1 swaps
# in a "large" set small enough to try things out in a minute.
SHAPES = {"small": (100, 120, 4), "large": (100_000, 20_000, 400)}
QUICK_LARGE = (5_000, 1_000, 20)


def shapes(quick: bool) -> dict[str, tuple[int, int, int]]:
    return {**SHAPES, "large": QUICK_LARGE} if quick else dict(SHAPES)


PACKAGES = [
    "Django",
    "django-simple-history",
    "djangorestframework",
    "django-axes",
    "django-tasks",
    "django-tasks-db",
]


def engine() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "sqlite"
    if dj_database_url.parse(url)["ENGINE"] == "django.db.backends.postgresql":
        return "postgresql"
    return "sqlite"


def dataset_key(shape_values: tuple) -> str:
    digest = hashlib.sha256(repr(shape_values).encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update((ROOT / "bench" / "dataset.py").read_bytes())
    for name in PACKAGES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Target:
    """One data set on one engine: the cached original and the copy a run measures."""

    engine: str
    shape: str
    key: str

    @property
    def cached(self) -> str:
        if self.engine == "sqlite":
            return str(OUT / f"sqlite-{self.shape}-{self.key}.sqlite3")
        return f"sistercities_bench_{self.shape}"

    @property
    def run_copy(self) -> str:
        if self.engine == "sqlite":
            return str(OUT / f"run-{self.shape}.sqlite3")
        return f"sistercities_bench_{self.shape}_run"

    @property
    def building(self) -> str:
        if self.engine == "sqlite":
            return self.cached + ".partial"
        return self.cached

    def is_built(self) -> bool:
        if self.engine == "sqlite":
            return Path(self.cached).exists()
        with _maintenance() as db:
            row = db.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [self.cached],
            ).fetchone()
        return row is not None and row[0] == f"bench:{self.key}"

    def prepare_build(self) -> None:
        if self.engine == "sqlite":
            OUT.mkdir(parents=True, exist_ok=True)
            for old in OUT.glob(f"sqlite-{self.shape}-*.sqlite3*"):
                old.unlink()
            return
        with _maintenance() as db:
            _drop(db, self.run_copy)
            _drop(db, self.cached)
            db.execute(f'CREATE DATABASE "{self.cached}"')

    def finish_build(self) -> None:
        if self.engine == "sqlite":
            os.replace(self.building, self.cached)
            return
        with _maintenance() as db:
            db.execute(f"COMMENT ON DATABASE \"{self.cached}\" IS 'bench:{self.key}'")

    def make_run_copy(self) -> None:
        if self.engine == "sqlite":
            shutil.copyfile(self.cached, self.run_copy)
            return
        with _maintenance() as db:
            _drop(db, self.run_copy)
            # A file-level copy of the built database: seconds, not a rebuild.
            db.execute(
                f'CREATE DATABASE "{self.run_copy}" TEMPLATE "{self.cached}" STRATEGY FILE_COPY'
            )

    def drop_run_copy(self) -> None:
        if self.engine == "sqlite":
            Path(self.run_copy).unlink(missing_ok=True)
            return
        with _maintenance() as db:
            _drop(db, self.run_copy)


def _drop(db, name: str) -> None:
    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _maintenance():
    import psycopg

    settings = dj_database_url.parse(os.environ["DATABASE_URL"])
    return psycopg.connect(
        dbname="postgres",
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        autocommit=True,
    )


def read_manifest() -> dict:
    try:
        return json.loads(MANIFEST.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def write_manifest(entry: str, counts: dict) -> None:
    manifest = read_manifest()
    manifest[entry] = counts
    OUT.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True))
