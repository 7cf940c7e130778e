"""`python -m bench.public`: only the public pages of `make bench` (issue 23), on data
sets already built, without the PDFs, exports and import.

    BENCH_SMALL_DB=bench/out/run-small.sqlite3 BENCH_LARGE_DB=bench/out/run-large.sqlite3 \\
        python -m bench.public

The same measurement as `make bench` (bench/harness.measure_pages: query counts,
warm-up, interleaved rounds, medians, the SQL alone), restricted to the pages whose
key starts with "public". Prints the table.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from bench import harness, report

    every = harness.pages
    wanted = [page for page in every() if page.key.startswith("public") or page.key == "admin"]
    harness.pages = lambda: wanted
    dbs = harness.Databases()
    pages, context = harness.measure_pages(dbs)
    print("\n".join(report.page_table(pages, context)))
    for size in ("small", "large"):
        print(
            size,
            {k: v for k, v in context[size].items() if k.startswith("public")},
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
