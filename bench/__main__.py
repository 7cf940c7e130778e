"""`make bench` (python -m bench): build or reuse the two data sets, measure, report.

    make bench                                                  # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sistercities make bench
    BENCH_QUICK=1 make bench                                    # a 5,000-agreement "large" set

Prints the table and writes it to docs/performance.md (this engine's block).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bench import targets


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def ensure_built(target: targets.Target) -> dict:
    entry = f"{target.engine}-{target.shape}-{target.key}"
    if target.is_built():
        log(f"{target.shape}: reusing the built data set ({target.cached})")
        return targets.read_manifest().get(entry, {})
    log(f"{target.shape}: building the data set into {target.cached} ...")
    started = time.monotonic()
    target.prepare_build()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_SMALL_DB": target.building,
        "BENCH_LARGE_DB": target.building,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.build", target.shape],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    counts["total_seconds"] = round(time.monotonic() - started)
    target.finish_build()
    targets.write_manifest(entry, counts)
    log(f"{target.shape}: built in {counts['total_seconds']} s")
    return counts


def describe(counts: dict) -> str:
    history = sum(v for k, v in counts.items() if k.startswith("history: "))
    records = sum(
        v
        for k, v in counts.items()
        if k.startswith("agreements.") and k not in ("agreements.Agreement", "agreements.Role")
    )
    return (
        f"{counts.get('agreements.Agreement', 0):,} agreements, "
        f"{counts.get('cities.City', 0):,} cities, {records:,} records and stage requests, "
        f"{history:,} history rows"
    )


def main() -> None:
    quick = bool(os.environ.get("BENCH_QUICK"))
    engine = targets.engine()
    built = {}
    run_targets = {}
    for name, values in targets.shapes(quick).items():
        target = targets.Target(engine, name, targets.dataset_key((name, *values)))
        built[name] = ensure_built(target)
        run_targets[name] = target
    for target in run_targets.values():
        log(f"{target.shape}: copying to {target.run_copy}")
        target.make_run_copy()

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_SMALL_DB"] = run_targets["small"].run_copy
    os.environ["BENCH_LARGE_DB"] = run_targets["large"].run_copy
    import django

    django.setup()
    from django.db import connections

    from bench import harness, report

    dbs = harness.Databases()
    try:
        pages, context = harness.measure_pages(dbs)
        log("\n".join(report.page_table(pages, context)))
        other = {"pdf": harness.measure_pdfs(dbs)}
        log("transition")
        other["transition"] = harness.measure_transition(dbs)
        log("exports")
        other["exports"] = harness.measure_exports(dbs)
        log("import")
        other["import"] = harness.measure_import(dbs)
        dbs.use("large")
        meta = {
            "when": harness.now_iso(),
            "rounds": harness.ROUNDS,
            "warmup": harness.WARMUP,
            "data": "; ".join(
                f"{name}: {describe(counts)}"
                + (f" (built in {counts['total_seconds']} s)" if "total_seconds" in counts else "")
                for name, counts in built.items()
            )
            + ".",
        }
        text = report.block(engine, quick, pages, context, other, meta)
    finally:
        dbs.use("small")
        connections.close_all()
        connections["large"].close()
    print(text)
    report.write_doc(engine, text)
    log(f"written to {report.DOC}")
    for target in run_targets.values():
        target.drop_run_copy()


if __name__ == "__main__":
    main()
