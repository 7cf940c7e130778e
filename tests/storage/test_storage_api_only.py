"""No code reaches a stored file but through Django's storage API: nothing reads
MEDIA_ROOT or a FieldFile's local `.path` (which S3Storage does not have), so the
same code works with files on disk and objects in a bucket."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["agreements", "cities", "config"]
# config/settings.py defines MEDIA_ROOT for FileSystemStorage.
ALLOWED = {("config/settings.py", "MEDIA_ROOT")}
FILE_FIELDS = {"file", "pdf"}


def _findings() -> list[str]:
    found = []
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Name | ast.Attribute):
                    ident = node.id if isinstance(node, ast.Name) else node.attr
                    if ident == "MEDIA_ROOT" and (name, ident) not in ALLOWED:
                        found.append(f"{name}:{node.lineno}: MEDIA_ROOT")
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == "path"
                    and isinstance(node.value, ast.Attribute)
                    and node.value.attr in FILE_FIELDS
                ):
                    found.append(f"{name}:{node.lineno}: .{node.value.attr}.path")
    return found


def test_stored_files_are_reached_only_through_the_storage_api():
    assert _findings() == []
