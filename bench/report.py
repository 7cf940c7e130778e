"""The benchmark's table, its verdicts, and its block in docs/performance.md.

Each engine has its own block between markers (`<!-- bench:sqlite:start -->`
... `<!-- bench:sqlite:end -->`); a run replaces only its engine's block and
leaves every other part of the file (the method, the load test) as it is.
"""

from __future__ import annotations

import os
import platform
import re
import sqlite3
from importlib import metadata
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
ENGINE_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# The targets.
SIZE_RATIO = 1.5
RAW_RATIO = 20
MOU_WARM_MS = 200
# The three-language memorandum (issue 18): its target.
MOU3_WARM_MS = 300
TRANSITION_RATIO = 3
IMPORT_SECONDS = 30
LIST_PAGES = {"list", "list_filtered", "list_sorted", "list_deep"}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        memory = "?"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} memory, {platform.system()} {platform.release()}"
    )


def versions(engine: str) -> str:
    from django.db import connection

    parts = [f"Python {platform.python_version()}", f"Django {metadata.version('Django')}"]
    if engine == "sqlite":
        parts.append(f"SQLite {sqlite3.sqlite_version}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            parts.append(f"PostgreSQL {cursor.fetchone()[0].split()[0]}")
        parts.append(f"psycopg {metadata.version('psycopg')}")
    parts.append(f"WeasyPrint {metadata.version('weasyprint')}")
    parts.append(f"django-simple-history {metadata.version('django-simple-history')}")
    return ", ".join(parts)


def command(engine: str, quick: bool) -> str:
    env = []
    if engine == "postgresql":
        url = os.environ.get("DATABASE_URL", "")
        hidden = re.sub(r"://([^:@/]+):[^@/]+@", r"://\1:***@", url)
        env.append(f"DATABASE_URL={hidden}")
    if quick:
        env.append("BENCH_QUICK=1")
    return " ".join([*env, "make bench"])


def ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def verdicts(pages, other: dict) -> list[tuple[str, bool, str]]:
    """(target, met, detail) for each of the issue's ratios."""
    out = []
    admin = next(page for page in pages if page.key == "admin")
    measured = [page for page in pages if page.key != "admin"]
    worst = max(measured, key=lambda p: p.results["large"]["ms"] / p.results["small"]["ms"])
    ratio = worst.results["large"]["ms"] / worst.results["small"]["ms"]
    out.append(
        (
            f"every page at the large size within {SIZE_RATIO}x of the same page at the small size",
            all(
                p.results["large"]["ms"] <= SIZE_RATIO * p.results["small"]["ms"] for p in measured
            ),
            f"worst: {worst.label}, {ratio:.2f}x",
        )
    )
    lists = [p for p in measured if p.key in LIST_PAGES]
    worst = max(lists, key=lambda p: p.results["large"]["ms"] / p.results["large"]["raw_ms"])
    ratio = worst.results["large"]["ms"] / worst.results["large"]["raw_ms"]
    out.append(
        (
            f"the list pages within {RAW_RATIO}x of their own SQL run through the driver",
            all(
                p.results["large"]["ms"] <= RAW_RATIO * p.results["large"]["raw_ms"] for p in lists
            ),
            f"worst: {worst.label}, {ratio:.1f}x",
        )
    )
    slower = [p.label for p in measured if p.results["large"]["ms"] >= admin.results["large"]["ms"]]
    out.append(
        (
            "every page faster than the admin changelist on the same data",
            not slower,
            f"admin changelist {ms(admin.results['large']['ms'])} ms"
            + (f"; slower: {', '.join(slower)}" if slower else ""),
        )
    )
    changing = [
        p.label for p in pages if p.results["small"]["queries"] != p.results["large"]["queries"]
    ]
    out.append(
        (
            "query counts independent of the number of agreements",
            not changing,
            "same count at both sizes on every page"
            if not changing
            else f"differ: {', '.join(changing)}",
        )
    )
    pdf = other["pdf"]
    out.append(
        (
            f"a warm {pdf['mou_pages']}-page MoU render under {MOU_WARM_MS / 1000:g} s",
            pdf["warm_ms"] < MOU_WARM_MS and pdf["mou_pages"] <= 2,
            f"{ms(pdf['warm_ms'])} ms",
        )
    )
    if "mou3_warm_ms" in pdf:
        out.append(
            (
                f"a warm {pdf['mou3_pages']}-page three-language MoU render under "
                f"{MOU3_WARM_MS / 1000:g} s",
                pdf["mou3_warm_ms"] < MOU3_WARM_MS and pdf["mou3_pages"] <= 2,
                f"{ms(pdf['mou3_warm_ms'])} ms",
            )
        )
    rss = pdf["rss_kib"]
    traced = pdf["traced_bytes"]
    rss_growth = (rss[-1] - rss[1]) / 1024
    # From the first checkpoint: the first renders fill caches (fonts, templates).
    traced_growth = (traced[-1] - traced[1]) / 1024 / 1024
    out.append(
        (
            "memory flat over 300 renders",
            rss_growth < 5 and traced_growth < 1,
            f"RSS {rss[1] / 1024:.0f} → {rss[-1] / 1024:.0f} MiB from render 100 to 300 "
            f"({rss_growth:+.1f} MiB); Python allocations held {traced_growth:+.2f} MiB from "
            f"render 10 to {pdf['traced_renders']} under tracemalloc",
        )
    )
    transition = other["transition"]
    ratio = transition["transition_ms"] / transition["save_ms"]
    out.append(
        (
            f"a stage transition under {TRANSITION_RATIO}x a plain save",
            ratio < TRANSITION_RATIO,
            f"{ms(transition['transition_ms'])} ms vs {ms(transition['save_ms'])} ms, {ratio:.1f}x",
        )
    )
    imported = other["import"]
    out.append(
        (
            f"importing 10,000 rows under {IMPORT_SECONDS} s",
            imported["total_s"] < IMPORT_SECONDS,
            f"{imported['total_s']:.1f} s",
        )
    )
    return out


def page_table(pages, context: dict) -> list[str]:
    small, large = context["small"]["agreements"], context["large"]["agreements"]
    admin = next(page for page in pages if page.key == "admin")
    lines = [
        f"| page | queries at {small:,} | queries at {large:,} | ms at {small:,} | "
        f"ms at {large:,} | ratio (≤ {SIZE_RATIO}) | its SQL alone at {large:,}, ms | "
        f"page ÷ SQL | ÷ admin changelist |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in pages:
        s, b = page.results["small"], page.results["large"]
        ratio = b["ms"] / s["ms"]
        raw_ratio = b["ms"] / b["raw_ms"] if b["raw_ms"] else 0
        ratio_text = f"{ratio:.2f}" if ratio <= SIZE_RATIO else f"**{ratio:.2f}**"
        versus_admin = (
            f"{b['ms'] / admin.results['large']['ms']:.2f}" if page.compare_admin else "–"
        )
        lines.append(
            f"| {page.label} | {s['queries']} | {b['queries']} | {ms(s['ms'])} | {ms(b['ms'])} "
            f"| {ratio_text} | {ms(b['raw_ms'])} | {raw_ratio:.1f} | {versus_admin} |"
        )
    return lines


def export_rows(exports: dict | None) -> list[str]:
    """The list exported in the background: the request that queues it, and the job."""
    if not exports:
        return []
    rows = []
    for format, label in (("csv", "CSV"), ("xlsx", "XLSX")):
        job = exports[format]
        rows.append(
            f"| {label} export of all {job['rows']:,} agreements, in the background: the "
            f"request (queues it, answers 202) / the job in the worker, alone, "
            f"{job['bytes'] / 1024 / 1024:.0f} MiB | {ms(job['request_ms'])} ms / "
            f"{job['seconds']:.1f} s, peak memory {job['peak_kib'] / 1024:.0f} MiB "
            f"(idle worker process {job['idle_kib'] / 1024:.0f} MiB) |"
        )
    return rows


def other_table(other: dict) -> list[str]:
    pdf, transition, imported = other["pdf"], other["transition"], other["import"]
    cold = pdf["cold"]
    rss = ", ".join(f"{value / 1024:.0f}" for value in pdf["rss_kib"])
    traced = ", ".join(f"{value / 1024 / 1024:.1f}" for value in pdf["traced_bytes"])
    return [
        "| measurement | figure |",
        "| --- | --- |",
        f"| MoU PDF ({pdf['mou_pages']} pages, {pdf['mou_bytes'] / 1024:.0f} KiB), cold: first "
        f"render in a fresh process | {ms(cold['first'])} ms (+ {ms(cold['import'])} ms to import "
        "WeasyPrint) |",
        f"| MoU PDF, warm: a full render, median of 300 | {ms(pdf['warm_ms'])} ms |",
        f"| MoU PDF, a draft asked for again (from the cache) | {ms(pdf['cached_ms'])} ms |",
        f"| MoU PDF in three languages (English, Arabic, Persian; {pdf.get('mou3_pages', 0)} pages, "
        f"{pdf.get('mou3_bytes', 0) / 1024:.0f} KiB), warm: median of {pdf.get('mou3_renders', 0)} "
        f"| {ms(pdf.get('mou3_warm_ms', 0))} ms |",
        f"| memory over 300 renders: RSS at 0, 100, 200, 300 renders (MiB) | {rss} |",
        f"| Python allocations held (tracemalloc, MiB) at 0, 10, 20... of "
        f"{pdf['traced_renders']} more renders | {traced} |",
        f"| dossier PDF of the long-history agreement ({pdf['dossier_pages']} pages), "
        f"rendered (cache miss) | {ms(pdf['dossier_ms'])} ms |",
        f"| the same dossier asked for again (stored copy: data read, hashed, file read) "
        f"| {ms(pdf.get('dossier_cached_ms', 0))} ms |",
        f"| bulk export of {pdf['export_agreements']} signed MoUs (ZIP, "
        f"{pdf['export_bytes'] / 1024 / 1024:.0f} MiB, streamed) | {ms(pdf['export_ms'])} ms |",
        *export_rows(other.get("exports")),
        f"| import of a {imported['rows']:,}-row CSV ({imported['created']:,} agreements, "
        f"{imported['cities_created']:,} new cities) | {imported['total_s']:.1f} s (validate "
        f"{imported['plan_s']:.1f} s, write {imported['apply_s']:.1f} s) |",
        f"| one stage transition (approve_stage_request), {transition['transition_queries']} "
        f"queries, median of {transition['rounds']} | {ms(transition['transition_ms'])} ms |",
        f"| one plain save of an agreement (with its history row), "
        f"{transition['save_queries']} queries, median of {transition['rounds']} "
        f"| {ms(transition['save_ms'])} ms |",
    ]


def block(engine: str, quick: bool, pages, context: dict, other: dict, meta: dict) -> str:
    lines = [
        f"Run {meta['when']}, `{command(engine, quick)}`.",
        "",
        f"- Machine: {machine()}.",
        f"- Versions: {versions(engine)}.",
        f"- Data: {meta['data']}",
        f"- Each page figure is the median of {meta['rounds']} requests after {meta['warmup']} "
        "warm-up rounds, small and large interleaved; signed in as the national administrator "
        "(sees every agreement).",
        "",
        *page_table(pages, context),
        "",
        f"Other work (on the {context['large']['agreements']:,}-agreement set):",
        "",
        *other_table(other),
        "",
        "Targets:",
        "",
    ]
    for target, met, detail in verdicts(pages, other):
        lines.append(f"- {mark(met)}: {target} ({detail})")
    return "\n".join(lines)


METHOD = """## Benchmark (`make bench`)

`make bench` (code in `bench/`) measures the product at a national deployment's
size against the same product with a hundred agreements, in one run:

```sh
make bench                                                             # SQLite
DATABASE_URL=postgres://postgres@127.0.0.1:5432/sistercities make bench   # PostgreSQL
BENCH_QUICK=1 make bench      # a 5,000-agreement "large" set, to try things out
```

**Data.** Two data sets of the same shape (`bench/dataset.py`): the same personas
and roles (an officer and an approver per home municipality, the demo users for
Tehran and Isfahan, one national administrator), the same share of stages and
statuses (every agreement takes its profile from one fixed 100-slot pattern), the
same records per agreement, and the same Tehran agreement with a long history
(about 2,000 history rows) for the agreement page. *Small*: 100 agreements, 120
cities, 4 home municipalities. *Large*: 100,000 agreements, 20,000 cities, 400 home
municipalities, about 1.5 million history rows. The builder inserts rows with
`executemany` and writes the history rows in SQL (`INSERT ... SELECT`), which the
product never does; it takes minutes. Built sets are kept in `bench/out/` (SQLite
files; PostgreSQL databases `sistercities_bench_small` / `_large`) under a key of
the migrations, the builder and the package versions, and each run measures a
fresh copy of them (file copy; `CREATE DATABASE ... TEMPLATE`), because the run
writes (transitions, an import). On PostgreSQL the builder runs `VACUUM ANALYZE`
(what autovacuum does in production); SQLite gets no statistics (the product does
not run `ANALYZE`).

**Measuring.** One process, production settings (DEBUG off, persistent database
connections, e-mail queued in the database task queue). Both databases are open at
once and Django's `default` connection is pointed at one or the other between
requests (`bench/harness.py`), so the same code, templates and process caches serve
both and the requests are interleaved: each round asks every page once of each
size, the order of the sizes alternating between rounds; the figure is the median
of 15 rounds after 3 warm-up rounds. *Server time* is the whole request through the
middleware (`django.test.Client`: no network, no browser), signed in as the
national administrator (sees every agreement: the largest lists). *Queries* are
counted on one extra request. *Its SQL alone* is the floor: every statement the
page sent (captured with their parameters), run again straight through the
database driver's cursor with all rows fetched, median of the same rounds. The
*baseline* is what a user would otherwise use: the Django admin changelist of
agreements on the same data. The query counts are also asserted by
`tests/test_query_counts.py` (a few agreements against many more, for every page).
A stage transition and a plain save alternate, each on rows of its own, for 60
rounds after the warm-up (a few milliseconds each: the median of 15 moved their
ratio by 0.3 from run to run). The whole large list is exported through the API as
CSV and as XLSX: longer than `EXPORT_INLINE_MAX_ROWS`, so the request only queues a
job and answers 202 (timed in the process), and the job is then run as `db_worker`
runs it, in a fresh process of its own, timed, with that process's peak memory
(`ru_maxrss`) against the same process idle.
"""


def write_doc(engine: str, text: str) -> None:
    """Replace this engine's block; add the benchmark section or the block if missing."""
    start, end = f"<!-- bench:{engine}:start -->", f"<!-- bench:{engine}:end -->"
    content = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    new_block = f"{start}\n{text}\n{end}"
    if start in content and end in content:
        before, rest = content.split(start, 1)
        _old, after = rest.split(end, 1)
        content = before + new_block + after
    else:
        if "## Benchmark" not in content:
            content = content.rstrip("\n") + "\n\n" + METHOD
        head, _sep, tail = content.partition("## Benchmark")
        # The end of the benchmark section: the next second-level heading, if any.
        section, next_heading, rest = tail.partition("\n## ")
        section = section.rstrip("\n") + f"\n\n### {ENGINE_TITLES[engine]}\n\n{new_block}\n"
        content = head + "## Benchmark" + section + (f"\n## {rest}" if next_heading else "")
    DOC.write_text(content, encoding="utf-8")
