"""Figures that are expensive to count and cheap to know are still current.

The dashboard's charts and flag counts aggregate every visible agreement, and
the city directory counts the agreements of each home municipality it lists: at
100,000 agreements that is most of those pages' time, for figures that change
only when someone saves something. They are cached (Django's cache) under a key
that says what they were counted from:

- `data_version()`: the newest history id of agreements, delegations,
  activities and cities. Every save of those writes a history row
  (django-simple-history; the product never updates them with
  QuerySet.update(), tests/hardening checks it), so any change makes a new key
  and the next request counts again;
- who is asking (all municipalities, or which ones);
- the minute: "stalled" moves with the clock, not only with the data.

So the figures shown are exact as of at most a minute ago and as of the last
save. One exception, on PostgreSQL only: two saves committing in the opposite
order of their history ids can leave the newest id unchanged when the second
commits; the timeout (a minute) bounds that case too. SQLite runs one writer at
a time, so ids follow commits there.

Each app server has its own cache unless CACHES points them at a shared one;
either way a figure is never older than the rules above.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import Max, QuerySet
from django.utils import timezone

from cities.models import City

from .models import ActionPlan, ActionPlanItem, Activity, Agreement, Delegation

TIMEOUT = 60

# What the dashboard's figures are counted from.
# Action plans and their items: the dormant flag and the plan figures read them.
SOURCES = (Agreement, Delegation, Activity, City, ActionPlan, ActionPlanItem)


@functools.cache
def _history_model(model):
    # Model.history builds a new manager class on every access; its model is fixed.
    return model.history.model


def data_version(models=SOURCES) -> str:
    """The newest history id of each model (one index lookup each)."""
    return ".".join(
        str(_history_model(model).objects.aggregate(newest=Max("history_id"))["newest"] or 0)
        for model in models
    )


def scope_of(queryset: QuerySet) -> str:
    """A short name for what `queryset` reads: a hash of its SQL and parameters, so
    a figure counted over one user's visible agreements is never shown to another
    who sees different ones."""
    sql, params = queryset.query.sql_with_params()
    return hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:16]


def cached(name: str, scope: str, compute: Callable[[], Any], version: str | None = None) -> Any:
    """compute(), or its value from the cache when nothing it counts has changed.

    `version` is a `data_version()` the caller already read in this request (a page
    with several figures reads it once)."""
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = f"figures:{name}:{scope}:{version or data_version()}:{minute}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
