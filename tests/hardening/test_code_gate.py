"""CI gate: no write that goes around history.

`QuerySet.update()`, `bulk_create`, `bulk_update` and raw SQL (`.raw()`,
`.extra()`, `cursor.execute()`, `RawSQL`) write or read rows without
django-simple-history seeing them (and without `Tracked.save`'s version bump).
Every model of the product keeps history, so each use outside tests, bench and
migrations must be in ALLOWED below with its reason. The scan is an AST walk,
so comments and strings do not count; it errs towards flagging (a dict's
`.update(key=...)` looks like a QuerySet's and is allow-listed as such).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "tests", "bench", "migrations", "node_modules", "staticfiles", ".git"}

BULK = {"bulk_create", "bulk_update", "bulk_create_with_history", "bulk_update_with_history"}
RAW = {"raw", "extra"}
# Attribute chains that make a receiver look like a QuerySet or manager.
QUERYSET_HINTS = {
    "objects",
    "_base_manager",
    "_default_manager",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "order_by",
    "history",
    "select_related",
    "annotate",
    "using",
    "none",
    "distinct",
}

# (path, enclosing function, call) -> why it is allowed.
ALLOWED: dict[tuple[str, str, str], str] = {
    (
        "agreements/reminders.py",
        "schedule_reminders",
        "execute",
    ): "takes PostgreSQL's advisory lock (pg_advisory_xact_lock) so that two servers "
    "never queue two daily reminder chains; it writes no row",
    (
        "agreements/views/lists.py",
        "sort_columns",
        "update",
    ): "a dict of column metadata, not a QuerySet",
    (
        "agreements/importing.py",
        "*",
        "bulk_create_with_history",
    ): "the importer writes agreements and new cities in bulk with simple_history's helper, "
    "which writes their history rows (with the import's change reason) in the same "
    "transaction",
    (
        "agreements/management/commands/backup.py",
        "Command.handle",
        "execute",
    ): "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ for a consistent dump; touches no table",
    (
        "agreements/models/agreement.py",
        "refresh_sort_keys",
        "update",
    ): "after a city's rename (its own save writes its history): the agreements' sort keys, "
    "copies of the city's names used only to order the list, follow it; not agreement data",
}


def _chain(node: ast.AST) -> list[str]:
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return names


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.stack: list[str] = []
        self.found: list[tuple[str, str, int]] = []

    def _scoped(self, node) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        flagged = False
        if name in BULK or name == "RawSQL" or (isinstance(func, ast.Attribute) and name in RAW):
            flagged = True
        elif isinstance(func, ast.Attribute) and name in {"execute", "executemany"}:
            receiver = " ".join(_chain(func.value)).lower()
            flagged = "cursor" in receiver or "connection" in receiver
        elif isinstance(func, ast.Attribute) and name == "update":
            receiver = _chain(func.value)
            looks_like_queryset = bool(set(receiver) & QUERYSET_HINTS) or any(
                part.lower().endswith(("queryset", "qs", "rows")) for part in receiver
            )
            keyword_only = bool(node.keywords) and not node.args
            flagged = looks_like_queryset or keyword_only
        if flagged:
            self.found.append((".".join(self.stack) or "<module>", name, node.lineno))
        self.generic_visit(node)


def _python_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts[:-1]):
            continue
        files.append(path)
    return sorted(files)


def find_unsafe_writes() -> list[str]:
    problems = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=relative))
        for scope, name, line in finder.found:
            if (relative, scope, name) in ALLOWED or (relative, "*", name) in ALLOWED:
                continue
            problems.append(f"{relative}:{line} {scope}: {name}()")
    return problems


def test_no_write_around_history_outside_the_allow_list():
    problems = find_unsafe_writes()
    assert not problems, (
        "Writes that bypass history (use save() through agreements.services, or add an "
        "entry with a reason to ALLOWED in tests/hardening/test_code_gate.py):\n"
        + "\n".join(problems)
    )


def test_every_allow_list_entry_is_still_needed():
    """An entry whose code is gone would silently allow the next one."""
    used = set()
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=relative))
        for scope, name, _line in finder.found:
            used.add((relative, scope, name))
            used.add((relative, "*", name))
    stale = [key for key in ALLOWED if key not in used]
    assert not stale, f"Allow-list entries with nothing to allow: {stale}"


def test_the_gate_catches_each_kind(tmp_path):
    source = """
from django.db import connection
from django.db.models.expressions import RawSQL

def bad():
    Agreement.objects.filter(pk=1).update(stage="active")
    queryset.update(status="terminated")
    Goal.objects.bulk_create([])
    Goal.objects.bulk_update([], ["sector"])
    Agreement.objects.raw("SELECT 1")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agreements_agreement SET stage = 'active'")
    Agreement.objects.annotate(x=RawSQL("1", []))

def fine():
    hashlib.sha256().update(b"x")
    seen = set()
    seen.update([1, 2])
"""
    finder = _Finder()
    finder.visit(ast.parse(source))
    names = [name for scope, name, _line in finder.found if scope == "bad"]
    assert names.count("update") == 2
    assert {"bulk_create", "bulk_update", "raw", "execute", "RawSQL"} <= set(names)
    assert [name for scope, name, _line in finder.found if scope == "fine"] == []
