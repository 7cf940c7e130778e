"""Every user-facing string has a Persian translation, and the catalogue is current.

Fails when a template or Python string was added without `make messages` and a
translation, or when a translation is empty or marked fuzzy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FA_PO = ROOT / "locale" / "fa" / "LC_MESSAGES" / "django.po"
_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), fuzzy.
    Obsolete entries (#~) are skipped; the header (empty msgid) is left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"msgctxt": None, "msgstr": {}, "fuzzy": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line
                continue
            if line.startswith("#"):
                continue
            match = _LINE.match(line)
            if match:
                key, value = match.group(1), json.loads(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"][key] = value
                else:
                    entry[key] = value
            elif line.startswith('"') and key:
                value = json.loads(line)
                if key.startswith("msgstr"):
                    entry["msgstr"][key] += value
                else:
                    entry[key] += value
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_persian_string_is_translated():
    entries = read_po(FA_PO)
    assert entries, "locale/fa/LC_MESSAGES/django.po has no entries"
    untranslated = [
        entry["msgid"]
        for entry in entries
        if entry["fuzzy"]
        or not entry["msgstr"]
        or any(not value.strip() for value in entry["msgstr"].values())
    ]
    assert not untranslated, (
        f"{len(untranslated)} Persian msgids have an empty or fuzzy translation "
        f"(translate them in {FA_PO.relative_to(ROOT)}):\n" + "\n".join(untranslated)
    )


def test_persian_placeholders_match_the_english():
    """A translation that drops or renames %(name)s would crash or mislead at runtime."""
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    wrong = []
    for entry in read_po(FA_PO):
        expected = sorted(placeholder.findall(entry["msgid"]))
        for value in entry["msgstr"].values():
            if value and sorted(placeholder.findall(value)) != expected:
                wrong.append(entry["msgid"])
    assert not wrong, "Placeholders differ in:\n" + "\n".join(wrong)


def _keys(entries: list[dict]) -> set[tuple[str | None, str]]:
    return {(entry["msgctxt"], entry["msgid"]) for entry in entries}


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """Runs makemessages (as `make messages` does) on a copy of the code and compares
    the msgids with the committed catalogue."""
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for name in ("agreements", "cities", "config", "templates"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    (copy / "locale").mkdir()
    env = {**os.environ, "SISTERCITIES_TESTING": "true", "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fa",
            "--no-obsolete",
            "--add-location=file",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = _keys(read_po(copy / "locale" / "fa" / "LC_MESSAGES" / "django.po"))
    committed = _keys(read_po(FA_PO))
    missing = sorted(msgid for _ctx, msgid in fresh - committed)
    stale = sorted(msgid for _ctx, msgid in committed - fresh)
    assert not missing and not stale, (
        "locale/fa/LC_MESSAGES/django.po is out of date: run `make messages` and translate.\n"
        f"Not in the catalogue ({len(missing)}):\n"
        + "\n".join(missing)
        + f"\nNo longer in the code ({len(stale)}):\n"
        + "\n".join(stale)
    )
