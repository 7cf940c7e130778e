"""Build one data set into an empty database: `python -m bench.build small|large`.

Run by bench/__main__.py in a subprocess (with BENCH_SMALL_DB naming the
database to fill), so that the build's memory is given back before measuring.
Prints the row counts as JSON on its last line.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    shape_name = sys.argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench import dataset

    shape = dataset.shape(shape_name, quick=bool(os.environ.get("BENCH_QUICK")))
    call_command("migrate", verbosity=0, interactive=False)
    counts = dataset.Builder(shape, log=lambda *a: print(*a, file=sys.stderr)).run()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
