"""Query-count checks that print the SQL when they fail."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def captured(action: Callable[[], object]) -> list[str]:
    """The SQL statements run by `action()`."""
    with CaptureQueriesContext(connection) as context:
        action()
    return [query["sql"] for query in context.captured_queries]


def assert_same_query_count(small: list[str], large: list[str]) -> None:
    """The page costs as many queries with many rows as with few (no per-row queries)."""
    if len(small) != len(large):

        def listing(queries: list[str]) -> str:
            return "\n".join(f"  {i + 1}. {sql}" for i, sql in enumerate(queries))

        raise AssertionError(
            f"{len(small)} queries with few rows but {len(large)} with many.\n"
            f"Few rows:\n{listing(small)}\nMany rows:\n{listing(large)}"
        )
