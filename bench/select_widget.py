"""`python -m bench.select_widget`: one <select> of the 250 countries, rendered by
Django's own Select and by agreements.widgets.FastSelect (issue #15 asks whether the
copy of Django's markup still pays). Needs no database.

    DEBUG=true .venv/bin/python -m bench.select_widget

Prints the median of 50 renders of each (ms) and checks that both write the same HTML.
"""

from __future__ import annotations

import os
import statistics
import timeit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django import forms  # noqa: E402
from django_countries import countries  # noqa: E402

from agreements.widgets import FastSelect  # noqa: E402


def measure(repeat: int = 50) -> dict[str, float]:
    choices = [("", "---------"), *countries]
    widgets = {
        "django Select": forms.Select(attrs={"class": "form-select"}, choices=choices),
        "FastSelect": FastSelect(attrs={"class": "form-select"}, choices=choices),
    }
    html = {name: widget.render("country", "IT") for name, widget in widgets.items()}
    assert len(set(html.values())) == 1, "the two widgets write different HTML"
    return {
        name: statistics.median(
            timeit.repeat(lambda w=widget: w.render("country", "IT"), number=1, repeat=repeat)
        )
        * 1000
        for name, widget in widgets.items()
    }


if __name__ == "__main__":
    for name, ms in measure().items():
        print(f"{name}: {ms:.2f} ms per render of 251 options")
