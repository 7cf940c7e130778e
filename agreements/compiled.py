"""Querysets compiled to SQL once, for the reads a stage decision repeats.

Django turns a queryset into SQL every time it runs. On a page that is a small
part of the time; in a stage decision it is not. Its two reads under the lock
(the request with its agreement and requester, then the gate's facts) are
indexed lookups of one row, and compiling them cost as much as running them:
about 0.5 ms each on PostgreSQL, a fifth of a decision (docs/performance.md).

`CompiledQuery(build)` runs `build()` filtered by `pk__in=ids`. It compiles
that SQL once per database connection and number of ids, and afterwards only
binds the ids. Rows come back as the queryset itself returns them: Django's
converters are applied, and model instances are built with their
select_related objects (or dicts, for a `.values()` queryset). Queries run
through the connection's cursor, so query logging and counting see them.

Only the ids may change between calls: whatever else the SQL binds (a date, a
status) is fixed when it is compiled. A query that depends on more, such as
today's date, gets one CompiledQuery per value (workflow._facts_query).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.db.transaction import TransactionManagementError

# Ids no row has, to find where the ids are bound in the compiled SQL.
_PLACEHOLDER_ID = -987_654_321


class CompiledQuery:
    def __init__(self, build: Callable[[], QuerySet]) -> None:
        self.build = build
        # Per connection (Django keeps one per thread): a compiled query keeps
        # the connection whose converters it applies.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __call__(self, ids: Sequence[int], using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        if not ids:
            return []
        connection = connections[using]
        per_count = self._compiled.setdefault(connection, {})
        compiled = per_count.get(len(ids))
        if compiled is None:
            compiled = per_count[len(ids)] = _Compiled(self.build(), len(ids), using)
        return compiled.run(ids)


class _Compiled:
    """One queryset's SQL for `count` ids on one connection, and how to read its rows."""

    def __init__(self, queryset: QuerySet, count: int, using: str) -> None:
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise ImproperlyConfigured("CompiledQuery returns model instances or .values() dicts")
        placeholders = [_PLACEHOLDER_ID - n for n in range(count)]
        query = queryset.filter(pk__in=placeholders).query
        self.connection = connections[using]
        self.compiler = query.get_compiler(connection=self.connection)
        sql, params = self.compiler.as_sql()
        bound, ids = list(params[:-count]), list(params[-count:])
        if ids != placeholders or any(value in placeholders for value in bound):
            # Something is bound after the WHERE clause (an ordering or a HAVING
            # with parameters): the ids could not be swapped in safely.
            raise ImproperlyConfigured(f"The ids are not the last parameters of: {sql}")
        self.sql, self.bound = sql, tuple(bound)
        self.for_update = query.select_for_update and self.connection.features.has_select_for_update
        self.values = queryset._iterable_class is ValuesIterable
        select, klass_info = self.compiler.select, self.compiler.klass_info
        if self.values:
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        else:
            fields = klass_info["select_fields"]
            self.model = klass_info["model"]
            self.model_columns = slice(fields[0], fields[-1] + 1)
            self.init_list = [column[0].target.attname for column in select[self.model_columns]]
            self.related_populators = get_related_populators(klass_info, select, using)
        self.using = using

    def run(self, ids: Sequence[int]) -> list[Any]:
        if self.for_update and self.connection.get_autocommit():
            # As Django refuses select_for_update() outside a transaction: the lock
            # would end with the statement.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, (*self.bound, *ids))
            rows = self.compiler.results_iter([cursor.fetchall()])
        if self.values:
            return [dict(zip(self.names, row, strict=True)) for row in rows]
        objects = []
        for row in rows:
            obj = self.model.from_db(self.using, self.init_list, row[self.model_columns])
            for populator in self.related_populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects
