"""The measurements of `make bench`, in one process, on the two data sets.

Both databases are open at once (settings aliases `default` = small and
`large`); `Databases.use(size)` points Django's `default` connection at one of
them, so the same code, templates and caches serve both and requests can be
interleaved: every round asks each page once of each size, the order of the
sizes alternating from round to round, and the figure is the median of the
rounds after the warm-up ones. Server time is the whole request through the
middleware, as django.test.Client runs it (no network, no browser).
"""

from __future__ import annotations

import csv
import datetime
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, Memorandum, RequestState, StageRequest
from bench.dataset import EXPORT_TITLE_PREFIX, LONG_HISTORY_TITLE

WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
SIZES = ("small", "large")
PER_PAGE = 50
TRACED_RENDERS = int(os.environ.get("BENCH_TRACED_RENDERS", "30"))
# A transition and a save take a few milliseconds each, so more rounds than the pages:
# the median of 15 moved the ratio by 0.3 between runs.
TRANSITION_ROUNDS = int(os.environ.get("BENCH_TRANSITION_ROUNDS", "60"))


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


class Databases:
    def __init__(self) -> None:
        self.wrappers = {"small": connections["default"], "large": connections["large"]}
        self.current = "small"

    def use(self, size: str) -> None:
        connections["default"] = self.wrappers[size]
        self.current = size


# --- Pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    path: Callable[[dict], str]
    compare_admin: bool = True
    headers: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)


def pages() -> list[Page]:
    return [
        Page("dashboard", "Dashboard", lambda c: "/"),
        Page("list", "Agreement list, first page", lambda c: "/agreements/"),
        Page(
            "list_filtered",
            "Agreement list, filtered (kind, status)",
            lambda c: "/agreements/?kind=friendship&status=in_progress",
        ),
        Page(
            "list_sorted",
            "Agreement list, sorted by partner city",
            lambda c: "/agreements/?sort=partner",
        ),
        Page(
            "list_deep",
            "Agreement list, last full page",
            lambda c: f"/agreements/?page={c['last_page']}",
        ),
        Page(
            "detail",
            "Agreement page (an agreement with ~2,000 history rows)",
            lambda c: f"/agreements/{c['long_pk']}/",
        ),
        Page(
            "history_lazy",
            "Agreement page's history, loaded as it scrolls in (htmx)",
            lambda c: f"/agreements/{c['long_pk']}/history/",
            headers={"HX-Request": "true"},
        ),
        Page(
            "history_last",
            "Agreement history, last page",
            # Past the end: the paginator answers with the last page.
            lambda c: f"/agreements/{c['long_pk']}/history/?page=9999",
        ),
        Page("approvals", "Approvals queue", lambda c: "/approvals/"),
        Page("api_list", "API: list of agreements", lambda c: "/api/v1/agreements/"),
        Page("directory", "City directory", lambda c: "/cities/"),
        # Issue 23: the public page, anonymous (the signed-in client is ignored there).
        Page(
            "public_biggest",
            "Public page of the municipality with the most public partnerships",
            lambda c: f"/public/{c['public_biggest']}/",
        ),
        Page(
            "public_small",
            "Public page of a municipality with few public partnerships",
            lambda c: f"/public/{c['public_small']}/",
        ),
        Page(
            "public_geojson",
            "GeoJSON of the biggest municipality (cached: ETag, body in the cache)",
            lambda c: f"/public/{c['public_biggest']}.geojson",
        ),
        Page(
            "admin",
            "Baseline: admin changelist of agreements",
            lambda c: "/admin/agreements/agreement/",
            compare_admin=False,
        ),
    ]


class Recorder:
    """Every statement a request sends to the database, with its parameters."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, object, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def run_raw(statements: list[tuple[str, object, bool]]) -> float:
    """The statements straight through the driver's cursor (no ORM, no Django
    cursor wrapper), each result fetched in full: the page's floor."""
    cursor = connection.create_cursor()
    try:
        started = time.perf_counter()
        for sql, params, many in statements:
            if many:
                cursor.executemany(sql, params)
            elif params is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
        return time.perf_counter() - started
    finally:
        cursor.close()


def public_slugs() -> dict[str, str]:
    """The publishing municipalities with the most and the fewest public partnerships."""
    from agreements.selectors import public

    rows = sorted(public.publishing_municipalities(), key=lambda r: (r["partnerships"], r["id"]))
    return {"public_biggest": rows[-1]["slug"], "public_small": rows[0]["slug"]}


def measure_pages(dbs: Databases) -> tuple[list[Page], dict]:
    User = get_user_model()
    context: dict[str, dict] = {}
    clients: dict[str, Client] = {}
    for size in SIZES:
        dbs.use(size)
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        clients[size] = client
        total = Agreement.objects.count()
        context[size] = {
            "agreements": total,
            "long_pk": Agreement.objects.get(title=LONG_HISTORY_TITLE).pk,
            "last_page": total // PER_PAGE,
            **public_slugs(),
        }
    page_list = pages()

    def get(page: Page, size: str):
        response = clients[size].get(page.path(context[size]), headers=page.headers)
        if response.status_code != 200:
            raise AssertionError(f"{page.key} ({size}): HTTP {response.status_code}")
        return response

    # Query counts and the SQL of each page (one request each, captured).
    for page in page_list:
        for size in SIZES:
            dbs.use(size)
            get(page, size)  # sessions, caches and the connection are warm
            recorder = Recorder()
            with (
                CaptureQueriesContext(connection) as captured,
                connection.execute_wrapper(recorder),
            ):
                response = get(page, size)
            page.results[size] = {
                "queries": len(captured.captured_queries),
                "bytes": len(response.content),
                "statements": recorder.statements,
                "times": [],
                "raw": [],
            }
    log(f"pages: {WARMUP} warm-up and {ROUNDS} measured rounds")
    for round_number in range(WARMUP + ROUNDS):
        order = SIZES if round_number % 2 == 0 else tuple(reversed(SIZES))
        for page in page_list:
            for size in order:
                dbs.use(size)
                started = time.perf_counter()
                get(page, size)
                elapsed = time.perf_counter() - started
                raw = run_raw(page.results[size]["statements"])
                if round_number >= WARMUP:
                    page.results[size]["times"].append(elapsed)
                    page.results[size]["raw"].append(raw)
        log(f"  round {round_number + 1}/{WARMUP + ROUNDS}")
    for page in page_list:
        for size in SIZES:
            result = page.results[size]
            result["ms"] = median_ms(result.pop("times"))
            result["raw_ms"] = median_ms(result.pop("raw"))
            result["statements"] = len(result["statements"])
    return page_list, context


# --- PDFs ------------------------------------------------------------------------------------


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pdf_pages(data: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def measure_dossier(agreement: Agreement, *, renders: int = 5, rounds: int = ROUNDS) -> dict:
    """The dossier rendered (a cache miss: `use_storage=False`, median of
    `renders`) and served again unchanged (a hit: its data read and hashed, the
    stored file read, median of `rounds`)."""
    from agreements.pdf import render_dossier

    dossier = render_dossier(agreement, language="fa", use_storage=False)
    results = {"dossier_pages": pdf_pages(dossier), "dossier_bytes": len(dossier)}
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        render_dossier(agreement, language="fa", use_storage=False)
        times.append(time.perf_counter() - started)
    results["dossier_ms"] = median_ms(times)
    render_dossier(agreement, language="fa")  # stored
    hits = []
    for _ in range(rounds):
        started = time.perf_counter()
        render_dossier(agreement, language="fa")
        hits.append(time.perf_counter() - started)
    results["dossier_cached_ms"] = median_ms(hits)
    return results


def measure_partner_language(memorandum: Memorandum, renders: int = 100) -> dict:
    """The same memorandum in three languages (Arabic between English and Persian,
    its articles from the catalogue), warm: the change is rolled back."""
    from django.db import transaction

    from agreements.memoranda import refresh_partner_articles
    from agreements.pdf import render_memorandum

    log(f"pdf: {renders} warm renders of a three-language memorandum")
    with transaction.atomic():
        memorandum.partner_language = "ar"
        memorandum.save()
        refresh_partner_articles(memorandum, previous_language="")

        def render() -> bytes:
            return render_memorandum(memorandum, draft=False, use_cache=False)

        data = render()
        for _ in range(WARMUP):
            render()
        times = []
        for _ in range(renders):
            started = time.perf_counter()
            render()
            times.append(time.perf_counter() - started)
        transaction.set_rollback(True)
    return {
        "mou3_pages": pdf_pages(data),
        "mou3_bytes": len(data),
        "mou3_warm_ms": median_ms(times),
        "mou3_renders": renders,
    }


def measure_pdfs(dbs: Databases, renders: int = 300) -> dict:
    from agreements.pdf import (
        render_memorandum,
        stream_signed_mou_export,
    )

    dbs.use("large")
    results: dict = {}
    memorandum = (
        Memorandum.objects.filter(agreement__title__startswith=EXPORT_TITLE_PREFIX)
        .select_related("agreement__home_city", "agreement__partner_city")
        .order_by("id")
        .first()
    )
    results["cold"] = cold_render(memorandum.pk)

    def render() -> bytes:
        return render_memorandum(memorandum, draft=False, use_cache=False)

    data = render()
    results["mou_pages"] = pdf_pages(data)
    results["mou_bytes"] = len(data)
    for _ in range(WARMUP):
        render()
    # Warm renders: each one a full rendering (the cache is bypassed).
    log(f"pdf: {renders} warm renders")
    times = []
    gc.collect()
    rss = [rss_kib()]
    for n in range(renders):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
        if (n + 1) % 100 == 0:
            gc.collect()
            rss.append(rss_kib())
    results["warm_ms"] = median_ms(times)
    results["rss_kib"] = rss
    # Python-level allocations still held, under tracemalloc (which makes each
    # render about four times slower, hence fewer renders): after warm-up, then
    # every ten renders.
    log(f"pdf: {TRACED_RENDERS} renders under tracemalloc")
    tracemalloc.start()
    gc.collect()
    traced = [tracemalloc.get_traced_memory()[0]]
    for n in range(TRACED_RENDERS):
        render()
        if (n + 1) % 10 == 0:
            # Garbage (reference cycles) collected first: what is left is held.
            gc.collect()
            traced.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    results["traced_bytes"] = traced
    results["traced_renders"] = TRACED_RENDERS
    # A draft asked for twice: the second answer comes from the cache.
    render_memorandum(memorandum, draft=True)
    cached = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        render_memorandum(memorandum, draft=True)
        cached.append(time.perf_counter() - started)
    results["cached_ms"] = median_ms(cached)
    results.update(measure_partner_language(memorandum, renders=max(renders // 3, 20)))

    log("pdf: dossier")
    agreement = Agreement.objects.with_cities().get(title=LONG_HISTORY_TITLE)
    results.update(measure_dossier(agreement))

    log("pdf: bulk export")
    signed = Agreement.objects.filter(title__startswith=EXPORT_TITLE_PREFIX).order_by("id")
    results["export_agreements"] = signed.count()
    times = []
    size = 0
    for _ in range(1 + 5):
        started = time.perf_counter()
        size = sum(len(chunk) for chunk in stream_signed_mou_export(signed))
        times.append(time.perf_counter() - started)
    results["export_ms"] = median_ms(times[1:])
    results["export_bytes"] = size
    return results


COLD_SCRIPT = """
import json, os, sys, time
import django
django.setup()
from django.db import connections
connections["default"] = connections["large"]
from agreements.models import Memorandum
memorandum = Memorandum.objects.select_related(
    "agreement__home_city", "agreement__partner_city").get(pk=int(sys.argv[1]))
started = time.perf_counter()
from agreements.pdf import render_memorandum
imported = time.perf_counter()
render_memorandum(memorandum, draft=False, use_cache=False)
first = time.perf_counter()
render_memorandum(memorandum, draft=False, use_cache=False)
second = time.perf_counter()
print(json.dumps({"import": imported - started, "first": first - imported,
                  "second": second - first}))
"""


def cold_render(memorandum_pk: int, runs: int = 3) -> dict:
    """The first render in a fresh process (fonts and stylesheet loaded then), median of a
    few processes; WeasyPrint's import is timed apart."""
    outcomes = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", COLD_SCRIPT, str(memorandum_pk)],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        )
        outcomes.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        key: statistics.median(outcome[key] for outcome in outcomes) * 1000
        for key in ("import", "first", "second")
    }


# --- Exports in the background ---------------------------------------------------------------

EXPORT_SCRIPT = """
import json, resource, sys, time
import django
django.setup()
from django.db import connections
connections["default"] = connections["large"]
# Loaded before the idle figure: a worker has them after its first export.
import openpyxl, openpyxl.cell, openpyxl.workbook
from agreements.export_jobs import run_export_job
from agreements.models import ExportJob
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
outcome = run_export_job(sys.argv[1])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
job = ExportJob.objects.get(pk=sys.argv[1])
print(json.dumps({"outcome": outcome, "state": job.state, "seconds": seconds,
                  "idle_kib": idle, "peak_kib": peak, "rows": job.rows_done,
                  "bytes": job.size}))
"""


def measure_exports(dbs: Databases) -> dict:
    """The whole large list exported as the national administrator through the API:
    the request that asks for it (it queues the job and answers 202; production
    settings, so the task waits in the database queue), then the job run as
    `db_worker` runs it, alone in a fresh process: its time and the process's peak
    memory (ru_maxrss) against the same process idle."""
    from agreements.models import ExportJob

    dbs.use("large")
    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    results: dict = {"agreements": Agreement.objects.count()}
    # Warm: the export view, the filters and the API once (a list of no rows, answered
    # at once), so that the timed request is not the process's first.
    client.get("/api/v1/agreements/export.csv", {"partner_country": "AQ"})
    for format in ("csv", "xlsx"):
        log(f"export: {format} in the background")
        ExportJob.objects.filter(owner=admin).delete()
        started = time.perf_counter()
        response = client.get(f"/api/v1/agreements/export.{format}")
        request_s = time.perf_counter() - started
        if response.status_code != 202:
            raise AssertionError(f"export.{format}: HTTP {response.status_code}, not 202")
        job_id = response.json()["id"]
        done = subprocess.run(
            [sys.executable, "-c", EXPORT_SCRIPT, job_id],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        )
        outcome = json.loads(done.stdout.strip().splitlines()[-1])
        if outcome["state"] != "done":
            raise AssertionError(f"export.{format}: the job ended {outcome}")
        outcome["request_ms"] = request_s * 1000
        results[format] = outcome
        job = ExportJob.objects.get(pk=job_id)
        job.file.delete(save=False)
        job.delete()
    return results


# --- Import ----------------------------------------------------------------------------------


def import_csv(rows: int = 10_000) -> bytes:
    """A spreadsheet of new partnerships: known home municipalities, half of the
    partners already in the directory (without a live agreement with that home),
    half new cities."""
    from cities.models import City

    homes = list(City.objects.homes().order_by("id").values_list("name", "country"))
    partners = list(
        City.objects.filter(is_home=False).order_by("id").values_list("id", "name", "country")
    )
    live = set(Agreement.objects.live().values_list("home_city__name", "partner_city_id"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["home_city", "home_country", "partner_city", "partner_country", "kind", "stage", "year"]
    )
    walk = 0
    for index in range(rows):
        home, home_country = homes[index % len(homes)]
        name = ""
        # Every other round over the home municipalities: a directory city this home
        # has no live agreement with yet (if there is one left).
        if (index // len(homes)) % 2 == 0:
            for _try in range(len(partners)):
                pk, candidate, country = partners[(walk * 7919) % len(partners)]
                walk += 1
                if (home, pk) not in live:
                    live.add((home, pk))
                    name = candidate
                    break
        if not name:
            name, country = f"Imported town {index}", "IT"
        stage = ["contact", "goals", "active"][index % 3]
        year = str(2000 + index % 24) if stage == "active" else ""
        kind = "sister" if index % 4 == 0 else "friendship"
        writer.writerow([home, home_country, name, country, kind, stage, year])
    return out.getvalue().encode("utf-8")


def measure_import(dbs: Databases) -> dict:
    from agreements.importing import apply_import, plan_import, read_rows

    dbs.use("large")
    data = import_csv()
    admin = get_user_model().objects.get(username="admin")
    before = Agreement.objects.count()
    started = time.perf_counter()
    rows = read_rows(io.BytesIO(data), "agreements.csv")
    plan = plan_import(rows)
    planned = time.perf_counter()
    if plan.errors:
        raise AssertionError(f"import refused: {plan.errors[:3]}")
    result = apply_import(plan, by=admin, reason="Benchmark import")
    done = time.perf_counter()
    return {
        "rows": len(rows),
        "created": result.agreements_created,
        "cities_created": result.cities_created,
        "plan_s": planned - started,
        "apply_s": done - planned,
        "total_s": done - started,
        "agreements_after": before + result.agreements_created,
    }


# --- Transition ---------------------------------------------------------------------------


def measure_transition(dbs: Databases) -> dict:
    from agreements import services

    dbs.use("large")
    User = get_user_model()
    approver = User.objects.get(username="approver")
    officer = User.objects.get(username="officer")
    needed = WARMUP + TRANSITION_ROUNDS
    requests = list(
        StageRequest.objects.filter(
            state=RequestState.PENDING, requested_by=officer, action="advance"
        )
        .exclude(agreement__stage="signing")  # leaving signing also reads the memorandum
        .order_by("id")[:needed]
    )
    plain = list(
        Agreement.objects.filter(home_city__name="Tehran", stage="contact")
        .exclude(stage_requests__state=RequestState.PENDING)
        .order_by("id")[:needed]
    )
    if len(requests) < needed or len(plain) < needed:
        raise AssertionError("not enough pending requests for the transition benchmark")
    transition_times, save_times = [], []
    queries = {}
    for n in range(needed):
        warm_up = n < WARMUP
        agreement = plain[n]
        agreement.title = f"{agreement.title} (edited)"
        agreement._change_reason = "Benchmark edit"
        if warm_up:
            # Counted once, outside the timed rounds (capturing costs time).
            with CaptureQueriesContext(connection) as captured:
                services.approve_stage_request(stage_request=requests[n], by=approver)
            queries["transition"] = len(captured.captured_queries)
            with CaptureQueriesContext(connection) as captured:
                agreement.save()
            queries["save"] = len(captured.captured_queries)
            continue
        started = time.perf_counter()
        services.approve_stage_request(stage_request=requests[n], by=approver)
        transition_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        agreement.save()
        save_times.append(time.perf_counter() - started)
    return {
        "transition_ms": median_ms(transition_times),
        "save_ms": median_ms(save_times),
        "transition_queries": queries["transition"],
        "rounds": TRANSITION_ROUNDS,
        "save_queries": queries["save"],
    }


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
