"""Known vulnerabilities in the pinned dependencies (pip-audit).

It needs the vulnerability service (PyPI's JSON API or OSV). When that cannot be
reached, or answers for none of the packages, the test is skipped with the
reason instead of failing: an unreachable service is not a vulnerability.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pip_audit() -> str:
    candidate = Path(sys.executable).with_name("pip-audit")
    found = str(candidate) if candidate.exists() else shutil.which("pip-audit")
    if not found:
        pytest.skip("pip-audit is not installed")
    return found


def _pinned_requirements(tmp_path: Path) -> Path:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        pins.extend(group)
    unpinned = [pin for pin in pins if "==" not in pin]
    assert not unpinned, f"Dependencies must be pinned with ==: {unpinned}"
    path = tmp_path / "requirements.txt"
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


def _audit(args: list[str]) -> dict:
    try:
        result = subprocess.run(
            [_pip_audit(), "--progress-spinner", "off", "--format", "json", *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("pip-audit: the vulnerability service did not answer within 5 minutes")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.skip(f"pip-audit could not reach the vulnerability service: {result.stderr[-300:]}")
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        pytest.skip(
            "pip-audit could audit none of the packages (the vulnerability service is not "
            f"reachable from here): {dependencies[0]['skip_reason']}"
        )
    return report


def _vulnerable(report: dict) -> list[str]:
    return [
        f"{d['name']} {d.get('version', '')}: "
        + ", ".join(
            v["id"] + (f" (fixed in {v['fix_versions']})" if v.get("fix_versions") else "")
            for v in d["vulns"]
        )
        for d in report.get("dependencies", [])
        if d.get("vulns")
    ]


def test_pinned_dependencies_have_no_known_vulnerabilities(tmp_path):
    requirements = _pinned_requirements(tmp_path)
    report = _audit(["-r", str(requirements), "--no-deps", "--disable-pip"])
    vulnerable = _vulnerable(report)
    assert not vulnerable, "Known vulnerabilities:\n" + "\n".join(vulnerable)


def test_installed_environment_has_no_known_vulnerabilities():
    # The environment installed from the pins, transitive dependencies included.
    report = _audit([])
    vulnerable = _vulnerable(report)
    assert not vulnerable, "Known vulnerabilities:\n" + "\n".join(vulnerable)
