"""Load test: 50 concurrent users against gunicorn on PostgreSQL for one minute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sistercities .venv/bin/python bench/load.py

    # two app servers sharing the database, an S3 bucket and Redis, uploading files:
    DATABASE_URL=... .venv/bin/python bench/load.py --servers 2 --workers 2 --documents \
        --s3 --redis-url redis://127.0.0.1:6379/9

What it does, and nothing else:
- makes a fresh database `<name>_load` on the PostgreSQL server of DATABASE_URL
  (dropped first if it exists; the name must end in `_load`), migrates it, loads the
  demo data and, per virtual user, an officer, an approver and an agreement of its own;
- starts gunicorn (production settings: DEBUG off, whitenoise, the database task
  queue) on a free port of 127.0.0.1 only, `--servers` of them (each user's officer
  on one, its approver on the next); with `--s3` their media is a new bucket of a
  SeaweedFS started on loopback ports for the run (tests/storage/seaweedfs.py), with
  `--redis-url` their cache is that Redis (under a key prefix of the run, removed
  afterwards);
- runs USERS threads, each signed in as its officer and approver, looping until the
  time is up or MAX_ROUNDS rounds: agreement list, agreement page, a new contact
  record, a stage request, its approval by the approver, then the officer's request to
  reopen the agreement and the approver's approval of it (four eyes: so that the next
  round can ask again); with `--documents` also an upload of a PDF (its own bytes) and
  its download through the API, byte for byte;
- stops gunicorn, then checks that every contact the clients created is in the
  database (no lost write), that every approval they saw is recorded and that every
  uploaded document's stored file (on disk or in the bucket) has its SHA-256, and prints
  the figures (docs/performance.md, "Load test").

Loopback only, bounded in time (DURATION, at most 10 minutes) and count, stops by
itself. Exit status 1 on any error or lost write.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
STEPS = [
    "list",
    "page",
    "create record",
    "upload document",
    "download document",
    "request",
    "approve",
    "request reopen",
    "approve reopen",
]
EXPECTED = {
    "upload document": {201},
    "download document": {200},
    "list": {200},
    "page": {200},
    "create record": {200, 302},
    "request": {302},
    "approve": {302},
    "request reopen": {302},
    "approve reopen": {302},
}
PASSWORD = "load-" + secrets.token_hex(8)
# What every server (and this process, for the checks) gets besides the defaults:
# the bucket's and Redis's settings, when asked for.
EXTRA_ENV: dict[str, str] = {}


# --- Database and server ------------------------------------------------------------------


def load_database_url(database_url: str) -> str:
    parsed = urlparse(database_url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        sys.exit("bench/load.py runs against PostgreSQL: set DATABASE_URL=postgres://...")
    name = parsed.path.lstrip("/") + "_load"
    return parsed._replace(path="/" + name).geturl()


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.endswith("_load"):
        raise SystemExit(f"refusing to recreate {name!r}: not a _load database")
    if parsed.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("the load test uses a PostgreSQL server on this machine only")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def server_env(url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SISTERCITIES_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "TEST_DB_SUFFIX"}
    }
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=env.get("SITE_URL") or "http://127.0.0.1:8000",
        TASKS_BACKEND="database",  # e-mail is queued, as in production
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE=env.get("CONN_MAX_AGE", "60"),
    )
    env.update(EXTRA_ENV)
    return env


def prepare(url: str, users: int) -> list[dict]:
    """Migrate, seed, and make each virtual user's officer, approver and agreement."""
    os.environ.update(server_env(url))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from agreements import services
    from agreements.models import Contact, RoleName
    from cities.models import City

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    static_root = Path(os.environ.get("STATIC_ROOT", ROOT / "staticfiles"))
    if not (static_root / "staticfiles.json").exists():
        print("collectstatic (once; reused afterwards)...", flush=True)
        call_command("collectstatic", interactive=False, verbosity=0)
    User = get_user_model()
    tehran = City.objects.get(name="Tehran", is_home=True)
    plan = []
    for number in range(users):
        officer = User.objects.create_user(f"load_officer_{number}", password=PASSWORD)
        approver = User.objects.create_user(f"load_approver_{number}", password=PASSWORD)
        services.grant_role(user=officer, role=RoleName.OFFICER, city=tehran)
        services.grant_role(user=approver, role=RoleName.APPROVER, city=tehran)
        partner = City.objects.create(name=f"Load partner {number}", country="IT")
        agreement = services.create_agreement(
            by=officer, home_city=tehran, partner_city=partner, origin="trade"
        )
        # The contact stage's gate: one contact, so the first request can be made.
        services.save_record(
            record=Contact(agreement=agreement, date="2025-01-01", participants=f"setup-{number}"),
            by=officer,
        )
        plan.append(
            {"officer": officer.username, "approver": approver.username, "pk": agreement.pk}
        )
    return plan


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, workers: int, threads: int, log: Path):
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
        # Longer than a client's pause between two requests, so that a kept-alive
        # connection is not closed just as the client reuses it.
        "--keep-alive",
        "30",
    ]
    output = log.open("wb")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_env(url),
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {log}")
        try:
            if requests.get(base + "/accounts/login/", timeout=10).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit("gunicorn did not answer within 2 minutes")


def stop_server(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- Virtual users ----------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    created: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    uploaded: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    approvals: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    rounds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        base + "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": base + "/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not sign in ({response.status_code})")
    return session


def sign_in_pair(bases: tuple[str, str], plan: dict, results: Results) -> None:
    """Before the clock starts: password hashing is slow on purpose. The officer on
    the first server, the approver on the second."""
    try:
        sessions = (sign_in(bases[0], plan["officer"]), sign_in(bases[1], plan["approver"]))
        for session in sessions:
            # Drop the connection that sat idle while the others signed in; the
            # session keeps its cookies and opens a fresh one.
            session.close()
        plan["sessions"] = sessions
    except Exception as exc:  # noqa: BLE001 - counted as an error, the run goes on
        with results.lock:
            results.errors.append(f"sign-in: {exc}")


def virtual_user(
    bases: tuple[str, str],
    plan: dict,
    deadline: float,
    max_rounds: int,
    results: Results,
    documents: bool = False,
):
    """The officer on one server, the approver on another (or the same when one)."""
    pk = plan["pk"]
    if "sessions" not in plan:
        return
    officer, approver = plan["sessions"]
    servers = {id(officer): bases[0], id(approver): bases[1]}

    def call(step: str, session: requests.Session, method: str, path: str, **kwargs):
        base = servers[id(session)]
        headers = {"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": base + path}
        started = time.perf_counter()
        try:
            response = session.request(
                method, base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
            )
        except requests.RequestException as exc:
            with results.lock:
                results.errors.append(f"{step} {path}: {type(exc).__name__}: {exc}"[:300])
            return None
        elapsed = time.perf_counter() - started
        with results.lock:
            results.latencies[step].append(elapsed)
            if response.status_code not in EXPECTED[step]:
                results.errors.append(f"{step} {method} {path}: HTTP {response.status_code}")
                return None
        return response

    def pending_id() -> int | None:
        """The agreement's pending request, read through the API as the approver."""
        pending = approver.get(
            f"{bases[1]}/api/v1/stage-requests/",
            params={"agreement": pk, "state": "pending"},
            timeout=60,
        )
        rows = pending.json().get("results", []) if pending.status_code == 200 else []
        if not rows:
            with results.lock:
                results.errors.append(f"no pending request on {pk} ({pending.status_code})")
            return None
        return rows[0]["id"]

    for round_number in range(max_rounds):
        if time.monotonic() >= deadline:
            break
        if call("list", officer, "GET", "/agreements/") is None:
            continue
        if call("page", officer, "GET", f"/agreements/{pk}/") is None:
            continue
        marker = f"load-{pk}-{round_number}"
        created = call(
            "create record",
            officer,
            "POST",
            f"/agreements/{pk}/contacts/new/",
            data={"date": "2025-05-01", "participants": marker, "place": "Tehran", "notes": ""},
        )
        if created is None:
            continue
        with results.lock:
            results.created[pk].append(marker)
        if documents and not upload_and_download(call, officer, approver, pk, marker, results):
            continue
        request = call(
            "request",
            officer,
            "POST",
            f"/agreements/{pk}/request-advance/",
            data={"advance-note": "Load test round"},
        )
        if request is None:
            continue
        request_id = pending_id()
        if request_id is None:
            continue
        if (
            call("approve", approver, "POST", f"/agreements/{pk}/requests/{request_id}/approve/")
            is None
        ):
            continue
        with results.lock:
            results.approvals[pk] += 1
        reopen = call(
            "request reopen",
            officer,
            "POST",
            f"/agreements/{pk}/request-reopen/",
            data={"reopen-to_stage": "contact", "reopen-note": "Load test round"},
        )
        if reopen is None:
            continue
        request_id = pending_id()
        if request_id is None:
            continue
        if (
            call(
                "approve reopen",
                approver,
                "POST",
                f"/agreements/{pk}/requests/{request_id}/approve/",
            )
            is None
        ):
            continue
        with results.lock:
            results.approvals[pk] += 1
        with results.lock:
            results.rounds += 1


def upload_and_download(call, officer, approver, pk: int, marker: str, results: Results) -> bool:
    """A PDF of its own bytes uploaded through the API of the officer's server, then
    downloaded through the API of the approver's: the same bytes must come back."""
    data = b"%PDF-1.4\n% " + marker.encode() + b"\n" + secrets.token_bytes(20_000) + b"\n%%EOF\n"
    uploaded = call(
        "upload document",
        officer,
        "POST",
        f"/api/v1/agreements/{pk}/documents/",
        data={"kind": "letter", "title": marker},
        files={"file": (f"{marker}.pdf", data, "application/pdf")},
    )
    if uploaded is None:
        return False
    with results.lock:
        results.uploaded[pk].append(marker)
    download = call(
        "download document",
        approver,
        "GET",
        f"/api/v1/agreements/{pk}/documents/{uploaded.json()['id']}/file/",
    )
    if download is None:
        return False
    if download.content != data:
        with results.lock:
            results.errors.append(f"document {marker}: other bytes came back")
        return False
    return True


# --- Checks and report --------------------------------------------------------------------------


def lost_writes(results: Results) -> list[str]:
    from agreements.files import file_problem
    from agreements.models import Contact, Document, StageRequest

    problems = []
    for pk, markers in results.uploaded.items():
        stored = {
            document.title: document
            for document in Document.objects.filter(agreement_id=pk, title__startswith="load-")
        }
        missing = set(markers) - set(stored)
        if missing:
            problems.append(f"agreement {pk}: {len(missing)} documents missing")
        for marker in set(markers) & set(stored):
            document = stored[marker]
            problem = file_problem(document.file, document.sha256, record=document)
            if problem:
                problems.append(f"document {document.pk}: {problem}")
    for pk, markers in results.created.items():
        stored = set(
            Contact.objects.filter(agreement_id=pk, participants__startswith="load-").values_list(
                "participants", flat=True
            )
        )
        missing = set(markers) - stored
        if missing:
            problems.append(f"agreement {pk}: {len(missing)} contacts missing")
        approved = StageRequest.objects.filter(agreement_id=pk, state="approved").count()
        if approved != results.approvals[pk]:
            problems.append(f"agreement {pk}: {results.approvals[pk]} approvals, {approved} stored")
    return problems


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(
    results: Results, seconds: float, users: int, workers: int, threads: int, setup: str
) -> str:
    total = sum(len(v) for v in results.latencies.values())
    lines = [
        f"{users} users, {seconds:.0f} s, {setup}, gunicorn {workers} workers x {threads} "
        f"threads each, PostgreSQL: {total} requests ({total / seconds:.1f}/s), "
        f"{results.rounds} full rounds, {len(results.errors)} errors",
        "",
        "| step | requests | median ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for step in STEPS:
        values = results.latencies.get(step, [])
        if values:
            lines.append(
                f"| {step} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                f"{percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |"
            )
    return "\n".join(lines)


@contextlib.contextmanager
def media_and_cache(s3: bool, redis_url: str | None):
    """A bucket of a SeaweedFS started for the run, and a Redis key prefix of the run,
    as EXTRA_ENV for the servers and this process; both removed afterwards."""
    with contextlib.ExitStack() as stack:
        if s3:
            sys.path.insert(0, str(ROOT))
            from tests.storage.seaweedfs import cannot_run, running_seaweedfs

            reason = cannot_run()
            if reason:
                raise SystemExit(f"--s3: {reason}")
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-s3-")))
            server = stack.enter_context(running_seaweedfs(folder))
            bucket = server.new_bucket()
            EXTRA_ENV.update(
                MEDIA_STORAGE="s3",
                S3_ENDPOINT_URL=server.endpoint_url,
                S3_BUCKET=bucket,
                S3_REGION=server.region,
                AWS_ACCESS_KEY_ID=server.access_key,
                AWS_SECRET_ACCESS_KEY=server.secret_key,
            )
        else:
            media = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-media-")))
            EXTRA_ENV.update(MEDIA_ROOT=str(media))
        if redis_url:
            prefix = "load-" + secrets.token_hex(4)
            EXTRA_ENV.update(REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix)
            stack.callback(forget_keys, redis_url, prefix)
        yield


def forget_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (at most 600)")
    parser.add_argument("--max-rounds", type=int, default=10_000, help="per user")
    parser.add_argument("--servers", type=int, default=1, help="app servers (1..4)")
    parser.add_argument("--workers", type=int, default=4, help="per server")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--documents", action="store_true", help="upload and download a PDF")
    parser.add_argument("--s3", action="store_true", help="media in a SeaweedFS bucket")
    parser.add_argument("--redis-url", help="a shared cache, e.g. redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 1 <= args.duration <= 600:
        parser.error("--users 1..200 and --duration 1..600")
    if not 1 <= args.servers <= 4:
        parser.error("--servers 1..4")

    url = load_database_url(os.environ.get("DATABASE_URL", ""))
    with media_and_cache(args.s3, args.redis_url):
        return run(url, args)


def run(url: str, args) -> int:
    print(f"database {urlparse(url).path.lstrip('/')} (recreated)", flush=True)
    recreate_database(url)
    plan = prepare(url, args.users)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    servers = []
    results = Results()
    try:
        for number in range(args.servers):
            log = out / (f"load-gunicorn-{number}.log" if args.servers > 1 else "load-gunicorn.log")
            servers.append(start_server(url, free_port(), args.workers, args.threads, log))
        bases = [base for _process, base in servers]
        assert all(urlparse(base).hostname == "127.0.0.1" for base in bases)  # loopback only
        # Each user's officer on one server, its approver on the next.
        pairs = [(bases[i % len(bases)], bases[(i + 1) % len(bases)]) for i in range(len(plan))]
        print(f"signing {args.users * 2} users in at {', '.join(bases)}...", flush=True)
        # A few at a time: each sign-in hashes a password (deliberately slow).
        for first in range(0, len(plan), 4):
            signing = [
                threading.Thread(target=sign_in_pair, args=(pairs[i], plan[i], results))
                for i in range(first, min(first + 4, len(plan)))
            ]
            for thread in signing:
                thread.start()
            for thread in signing:
                thread.join(timeout=300)
        print(f"{args.users} users for {args.duration:.0f} s...", flush=True)
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(
                target=virtual_user,
                args=(pairs[i], p, deadline, args.max_rounds, results, args.documents),
            )
            for i, p in enumerate(plan)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 180)
        seconds = time.monotonic() - started
    finally:
        for process, _base in servers:
            stop_server(process)
    from django.db import connections

    connections.close_all()
    problems = lost_writes(results)
    setup = (
        f"{args.servers} app server{'s' if args.servers > 1 else ''}, "
        f"media {'in an S3 bucket (SeaweedFS)' if args.s3 else 'on local disk'}, "
        f"cache {'in Redis' if args.redis_url else 'per process'}"
    )
    print(report(results, seconds, args.users, args.workers, args.threads, setup))
    print(
        f"created records: {sum(len(m) for m in results.created.values())}, "
        f"documents: {sum(len(m) for m in results.uploaded.values())}, "
        f"approvals: {sum(results.approvals.values())}, lost writes: {len(problems)}"
    )
    for line in results.errors[:20] + problems[:20]:
        print("  ", line)
    return 1 if results.errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
