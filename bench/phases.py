"""`python -m bench.phases`: where a stage transition's time goes, phase by phase.

    make bench                                                      # builds the data sets once
    .venv/bin/python -m bench.phases                                # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sistercities .venv/bin/python -m bench.phases

On a fresh copy of the built large data set, approves pending requests one by one,
each followed by a plain save of another agreement (as `make bench` measures the
pair), and times the phases of `services.approve_stage_request` by wrapping the
functions it calls: the locking read, the gate, each save with its history row, the
notification task row; "the rest" is BEGIN, COMMIT and the checks between them.
Prints medians; docs/performance.md quotes its output. Nothing is written.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import time
from collections import defaultdict

from bench import targets

ROUNDS = int(os.environ.get("BENCH_PHASE_ROUNDS", "60"))
WARMUP = 5


def timed(module, name: str, times: dict, label) -> None:
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times[label(args)].append(time.perf_counter() - started)

    setattr(module, name, wrapper)


def measure() -> list[tuple[str, float]]:
    from django.contrib.auth import get_user_model

    from agreements import services
    from agreements.models import Agreement, RequestState, StageRequest
    from agreements.selectors import gates

    User = get_user_model()
    approver = User.objects.get(username="approver")
    officer = User.objects.get(username="officer")
    needed = WARMUP + ROUNDS
    requests = list(
        StageRequest.objects.filter(
            state=RequestState.PENDING, requested_by=officer, action="advance"
        )
        .exclude(agreement__stage="signing")
        .order_by("id")[:needed]
    )
    plain = list(
        Agreement.objects.filter(home_city__name="Tehran", stage="contact")
        .exclude(stage_requests__state=RequestState.PENDING)
        .order_by("id")[:needed]
    )
    if len(requests) < needed or len(plain) < needed:
        sys.exit("Not enough pending requests in the data set for these rounds.")
    times: dict[str, list[float]] = defaultdict(list)
    timed(services, "_lock_request", times, lambda args: "locking read")
    timed(gates, "gate_missing", times, lambda args: "gate")
    timed(services, "_save", times, lambda args: f"save of the {type(args[0]).__name__}")
    timed(services, "enqueue_on_commit", times, lambda args: "notification task row")
    for stage_request, agreement in zip(requests, plain, strict=True):
        started = time.perf_counter()
        services.approve_stage_request(stage_request=stage_request, by=approver)
        times["transition"].append(time.perf_counter() - started)
        agreement.title = f"{agreement.title} (edited)"
        agreement._change_reason = "Benchmark edit"
        started = time.perf_counter()
        agreement.save()
        times["plain save"].append(time.perf_counter() - started)
    medians = {name: statistics.median(values[WARMUP:]) * 1000 for name, values in times.items()}
    phases = [name for name in medians if name not in ("transition", "plain save")]
    rest = medians["transition"] - sum(medians[name] for name in phases)
    return [
        *((name, medians[name]) for name in phases),
        ("the rest (BEGIN, COMMIT, checks)", rest),
        ("transition", medians["transition"]),
        ("plain save", medians["plain save"]),
    ]


def main() -> None:
    engine = targets.engine()
    large = targets.shapes(bool(os.environ.get("BENCH_QUICK")))["large"]
    target = targets.Target(engine, "large", targets.dataset_key(("large", *large)))
    if not target.is_built():
        sys.exit("Build the data sets first: make bench")
    target.make_run_copy()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_SMALL_DB"] = os.environ["BENCH_LARGE_DB"] = target.run_copy
    import django

    django.setup()
    from django.db import connections

    try:
        rows = measure()
    finally:
        connections.close_all()
        target.drop_run_copy()
    print(f"{engine}, {ROUNDS} transitions (median ms):")
    for name, value in rows:
        print(f"  {name:40s} {value:6.2f}")
    print(f"  {'transition / plain save':40s} {rows[-2][1] / rows[-1][1]:6.2f}x")


if __name__ == "__main__":
    main()
