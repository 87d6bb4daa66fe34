"""[tool.pyward] / pyward.toml: discovery, values, exact errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pyward._config import Config, IgnoreRule, find_config, load_config
from pyward.errors import InputError


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_tool_table(tmp_path: Path) -> None:
    py = _write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "app"

[tool.pyward]
fail-on = "high"
unknown-severity = "pass"
format = "json"
vex = ["security/vex.json"]
colour = "always"
ignore = [
  { id = "CVE-2023-32681", reason = "no proxies", until = 2026-12-31 },
  { id = "PYSEC-2024-60", reason = "waiting", until = "until-fixed", owner = "me" },
  { id = "GHSA-xxxx", reason = "quoted date", until = "2025-01-02" },
]
""",
    )
    config = load_config(py)
    assert config == Config(
        fail_on="high",
        unknown_severity="pass",
        format="json",
        vex=(tmp_path / "security/vex.json",),
        path=py,
        ignores=(
            IgnoreRule(
                id="CVE-2023-32681",
                reason="no proxies",
                until=dt.date(2026, 12, 31),
                origin=f"{py}: tool.pyward.ignore[0]",
            ),
            IgnoreRule(
                id="PYSEC-2024-60",
                reason="waiting",
                until_fixed=True,
                origin=f"{py}: tool.pyward.ignore[1]",
            ),
            IgnoreRule(
                id="GHSA-xxxx",
                reason="quoted date",
                until=dt.date(2025, 1, 2),
                origin=f"{py}: tool.pyward.ignore[2]",
            ),
        ),
        warnings=(
            f"{py}: tool.pyward.colour: unknown key "
            "(known: fail-on, unknown-severity, ignore, format, vex, advisory-url, strict, "
            "fail-on-kinds, checks, index-url, index-ttl, unmaintained-years, policy, "
            "release-check, advisory); ignored",
            f"{py}: tool.pyward.ignore[1].owner: unknown key (known: id, reason, until); ignored",
        ),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'ignore = [{ id = "A", reason = "r" }, { id = "B", reason = "r" }, { id = "C" }]',
            "tool.pyward.ignore[2].reason: missing",
        ),
        ('ignore = [{ reason = "r" }]', "tool.pyward.ignore[0].id: missing"),
        (
            'ignore = [{ id = "A", reason = "" }]',
            "tool.pyward.ignore[0].reason: must be a non-empty string",
        ),
        (
            'ignore = [{ id = "A", reason = "r", until = 3 }]',
            'tool.pyward.ignore[0].until: must be a date (2026-12-31) or the string "until-fixed"',
        ),
        ('ignore = ["CVE-1"]', "tool.pyward.ignore[0]: must be a table with id and reason"),
        ('ignore = { id = "A" }', "tool.pyward.ignore: must be an array of tables"),
        ('fail-on = "severe"', "tool.pyward.fail-on: must be one of critical, high, medium, low"),
        ("unknown-severity = true", "tool.pyward.unknown-severity: must be 'fail' or 'pass'"),
        (
            'format = "pdf"',
            "tool.pyward.format: must be one of table, json, markdown, sarif, cyclonedx-vex, html",
        ),
        ("vex = [1]", "tool.pyward.vex[0]: must be a file name"),
        ('strict = "yes"', "tool.pyward.strict: must be true or false"),
    ],
)
def test_wrong_values_name_the_key_path(tmp_path: Path, body: str, message: str) -> None:
    py = _write(tmp_path / "pyproject.toml", f"[tool.pyward]\n{body}\n")
    with pytest.raises(InputError) as exc:
        load_config(py)
    assert str(exc.value) == f"{py}: {message}"


def test_pyward_toml_has_top_level_keys(tmp_path: Path) -> None:
    path = _write(tmp_path / "pyward.toml", 'fail-on = "critical"\nignore = [{ id = "X" }]\n')
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert str(exc.value) == f"{path}: ignore[0].reason: missing"


def test_invalid_toml(tmp_path: Path) -> None:
    path = _write(tmp_path / "pyward.toml", 'fail-on = "high\n')
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert str(exc.value).startswith(f"{path}: line 1: invalid TOML")


def test_discovery_nearest_first(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path / "pyproject.toml", '[tool.pyward]\nfail-on = "low"\n')
    sub = tmp_path / "service"
    sub.mkdir()
    _write(sub / "pyproject.toml", '[project]\nname = "service"\n')  # no [tool.pyward]
    lock = _write(sub / "uv.lock", "version = 1\n")
    assert find_config(lock) == tmp_path / "pyproject.toml"
    assert find_config(sub) == tmp_path / "pyproject.toml"
    _write(sub / "pyward.toml", 'fail-on = "high"\n')
    assert find_config(lock) == sub / "pyward.toml"
    assert load_config(find_config(sub)).fail_on == "high"
    # The walk stops at the repository root.
    inner = tmp_path / "a"
    inner.mkdir()
    (inner / ".git").mkdir()
    assert find_config(inner) is None
    assert load_config(None) == Config()


def test_fail_on_levels_are_the_report_levels() -> None:
    from pyward._config import FAIL_ON
    from pyward._findings import LEVELS

    assert (*FAIL_ON, "unknown") == LEVELS


def test_strict_key(tmp_path: Path) -> None:
    py = _write(tmp_path / "pyproject.toml", "[tool.pyward]\nstrict = true\n")
    assert load_config(py).strict is True
    assert load_config(None).strict is False


def test_the_status_checks_keys(tmp_path: Path) -> None:
    py = _write(
        tmp_path / "pyward.toml",
        """
fail-on-kinds = ["vulnerability", "project-status:archived", "yanked"]
checks = ["vulnerabilities", "status", "eol"]
index-url = "https://index.invalid/simple/"
index-ttl = "6h"
unmaintained-years = 5
""",
    )
    config = load_config(py)
    assert config.fail_on_kinds == ("vulnerability", "project-status:archived", "yanked")
    assert config.checks == ("vulnerabilities", "status", "eol")
    assert config.index_url == "https://index.invalid/simple/"
    assert config.index_ttl == dt.timedelta(hours=6)
    assert config.unmaintained_years == 5.0
    assert config.warnings == ()
    none = load_config(_write(tmp_path / "pyward.toml", 'fail-on-kinds = ["none"]\n'))
    assert none.fail_on_kinds == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'fail-on-kinds = ["yanked", "stale"]',
            "tool.pyward.fail-on-kinds: unknown kind 'stale' (known: vulnerability, yanked, "
            "project-status, eol, outdated, unmaintained, malicious, typosquat, cooldown, "
            "license, package, source, pinning, provenance, release, project-status:archived, "
            "project-status:quarantined, project-status:deprecated, license:denied, "
            "license:not-allowed, license:unknown, provenance:failed, "
            "provenance:publisher-change, provenance:unattested, undecided, or none)",
        ),
        ("fail-on-kinds = 3", "tool.pyward.fail-on-kinds: must be a list of strings"),
        (
            'checks = ["status", "licences"]',
            "tool.pyward.checks: unknown check 'licences' (known: vulnerability, yanked, "
            "project-status, eol, outdated, unmaintained, malicious, typosquat, cooldown, "
            "license, package, source, pinning, provenance, release-check, vulnerabilities, "
            "status, policy, default, all)",
        ),
        ('index-ttl = "soon"', "tool.pyward.index-ttl: must be a duration"),
        ("index-ttl = -5", "tool.pyward.index-ttl: must be a duration"),
        ("unmaintained-years = 0", "tool.pyward.unmaintained-years: must be a positive number"),
        ("unmaintained-years = true", "tool.pyward.unmaintained-years: must be a positive number"),
        ('index-url = ""', "tool.pyward.index-url: must be a non-empty string"),
    ],
)
def test_the_status_checks_keys_are_validated(tmp_path: Path, text: str, message: str) -> None:
    py = _write(tmp_path / "pyproject.toml", f"[tool.pyward]\n{text}\n")
    with pytest.raises(InputError) as info:
        load_config(py)
    assert message in str(info.value)
