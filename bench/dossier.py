"""The dossier alone, on whatever database the settings point at (a bench data
set built with `python -m bench.build small`, or the demo data of `make run`):
`python -m bench.dossier [agreement id]`, by default the long-history agreement
of a bench set. Prints the figures `make bench` records for it: a rendering
(cache miss) and the stored copy served again (hit)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db.models import Count

    from agreements.models import Agreement
    from bench.dataset import LONG_HISTORY_TITLE
    from bench.harness import measure_dossier

    agreements = Agreement.objects.with_cities()
    if len(sys.argv) > 1:
        agreement = agreements.get(pk=int(sys.argv[1]))
    elif agreements.filter(title=LONG_HISTORY_TITLE).exists():  # a bench data set
        agreement = agreements.get(title=LONG_HISTORY_TITLE)
    else:  # the one with the most stage requests (the demo data, say)
        agreement = agreements.annotate(n=Count("stage_requests")).order_by("-n", "pk").first()
    figures = measure_dossier(agreement)
    print(
        f"agreement {agreement.pk}: {figures['dossier_pages']} pages, "
        f"{figures['dossier_bytes'] / 1024:.0f} KiB"
    )
    print(f"rendered (cache miss), median of 5: {figures['dossier_ms']:.0f} ms")
    print(f"served again (stored copy), median: {figures['dossier_cached_ms']:.1f} ms")


if __name__ == "__main__":
    main()
