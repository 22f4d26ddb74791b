"""No installed dependency with a known advisory, and floors that keep it that way.

Three checks over the project's dependency set (runtime and test extras, with
everything they pull in, as installed):

- the advisory list below (vendored: works offline) against the floors in
  pyproject.toml, so a floor can never again admit a release with a known advisory;
- the same list against the installed versions;
- pip-audit against the installed set, when its advisory service (the PyPI JSON API,
  else OSV) can be reached. Without a network it skips with a note; with one, any
  finding fails the test.

When pip-audit reports a new advisory: raise the floor in pyproject.toml, add the
advisory here, reinstall (`pip install -e '.[test]'`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.server_process import ROOT

# package: (first fixed version, advisories). Checked against pyproject floors and the
# installed set. Sources: the PyPA advisory database and GitHub advisories.
ADVISORIES: dict[str, tuple[str, str]] = {
    "flask": ("3.1.3", "CVE-2023-30861, CVE-2025-47278, CVE-2026-27205"),
    "werkzeug": (
        "3.1.6",
        "CVE-2024-34069, CVE-2024-49766, CVE-2024-49767, CVE-2025-66221, "
        "CVE-2026-21860, CVE-2026-27199",
    ),
    "jinja2": ("3.1.6", "CVE-2024-56201, CVE-2024-56326, CVE-2025-27516"),
    "python-socketio": ("5.16.2", "CVE-2025-61765, CVE-2026-48804"),
    "python-engineio": ("4.13.2", "CVE-2026-48802, CVE-2026-48809"),
    "h11": ("0.16.0", "CVE-2025-43859"),
    "eventlet": ("0.40.3", "CVE-2025-58068, CVE-2023-29483"),
    "dnspython": ("2.6.1", "CVE-2023-29483"),
    "mako": ("1.2.2", "CVE-2022-40023"),
    "babel": ("2.9.1", "CVE-2021-42771"),
    "markdown": ("3.8.1", "CVE-2025-69534"),
    "redis": ("4.5.4", "CVE-2023-28858, CVE-2023-28859"),
    "pyyaml": ("5.4", "CVE-2020-14343"),
    "pydantic": ("2.4.0", "CVE-2024-3772"),
    "requests": ("2.33.0", "CVE-2024-35195, CVE-2024-47081, CVE-2026-25645"),
    "urllib3": (
        "2.7.0",
        "CVE-2025-50181, CVE-2025-66418, CVE-2025-66471, CVE-2026-21441, CVE-2026-44432",
    ),
    "idna": ("3.7", "CVE-2024-3651"),
    "certifi": ("2024.7.4", "CVE-2024-39689"),
}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _declared() -> list[Requirement]:
    project = _pyproject()["project"]
    return [
        Requirement(text)
        for text in project["dependencies"] + project["optional-dependencies"]["test"]
    ]


def _installed_closure() -> dict[str, str]:
    """Return {name: version} of the installed packages the project depends on."""
    found: dict[str, str] = {}
    todo = [(req, frozenset(req.extras)) for req in _declared()]
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency for another platform
        found[name] = dist.version
        for text in dist.requires or []:
            sub = Requirement(text)
            environment = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if sub.marker and not any(sub.marker.evaluate(env) for env in environment):
                continue
            todo.append((sub, frozenset(sub.extras)))
    return found


def test_pyproject_floors_are_above_every_known_advisory():
    """A fresh install can never resolve to a release with a listed advisory."""
    too_low = []
    for req in _declared():
        name = canonicalize_name(req.name)
        if name not in ADVISORIES:
            continue
        fixed = Version(ADVISORIES[name][0])
        floors = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
        if not floors or max(floors) < fixed:
            too_low.append(f"{req} admits < {fixed} ({ADVISORIES[name][1]})")
    assert not too_low, too_low
    # The packages the issue named are pinned as runtime dependencies.
    runtime = {
        canonicalize_name(Requirement(t).name) for t in _pyproject()["project"]["dependencies"]
    }
    assert {"eventlet", "markdown", "python-socketio", "python-engineio"} <= runtime


def test_installed_versions_are_above_every_known_advisory():
    installed = _installed_closure()
    assert "flask" in installed and "eventlet" in installed
    vulnerable = [
        f"{name} {installed[name]} < {fixed} ({ids})"
        for name, (fixed, ids) in ADVISORIES.items()
        if name in installed and Version(installed[name]) < Version(fixed)
    ]
    assert not vulnerable, vulnerable


def _audit(requirements, service: str) -> tuple[dict | None, str]:
    """Run pip-audit on pinned requirements; return its JSON report (None on failure)."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--timeout",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        return json.loads(run.stdout), run.stderr
    except json.JSONDecodeError:
        return None, run.stderr


def test_pip_audit_finds_nothing(tmp_path):
    """pip-audit over the installed dependency set; skipped when it cannot reach a
    vulnerability service (no network), failed by any finding when it can."""
    pytest.importorskip("pip_audit")
    installed = _installed_closure()
    # pip is here only as pip-audit's own dependency: the installer that came with
    # Python, never part of a deployment of the app. Upgrade it separately.
    installed.pop("pip", None)
    requirements = tmp_path / "installed.txt"
    requirements.write_text(
        "".join(f"{name}=={version}\n" for name, version in sorted(installed.items()))
    )
    notes = []
    for service in ("pypi", "osv"):
        report, stderr = _audit(requirements, service)
        if report is None:
            last = (stderr.strip().splitlines() or ["no output"])[-1]
            notes.append(f"{service}: {last[:200]}")
            continue
        audited = [dep for dep in report["dependencies"] if "skip_reason" not in dep]
        if not audited:
            notes.append(f"{service}: every package skipped (service unreachable?)")
            continue
        findings = [
            f"{dep['name']} {dep['version']}: "
            + ", ".join(
                f"{v['id']} (fixed in {', '.join(v.get('fix_versions') or ['?'])})"
                for v in dep["vulns"]
            )
            for dep in audited
            if dep.get("vulns")
        ]
        assert not findings, "known advisories in installed packages:\n" + "\n".join(findings)
        skipped = [dep["name"] for dep in report["dependencies"] if "skip_reason" in dep]
        assert len(audited) >= len(installed) // 2, f"{service} skipped {skipped}"
        return
    pytest.skip(
        "pip-audit could not reach a vulnerability service; the vendored advisory "
        "list was checked instead. " + " | ".join(re.sub(r"\s+", " ", n) for n in notes)
    )
