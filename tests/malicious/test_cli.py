"""End to end through the CLI: ``pyward db update --source DIR`` of the real
ossf/malicious-packages layout into a temporary cache, ``pyward audit`` of a requirements
file (JSON, validated against the published schema), ``--fix``, and ``pyward explain``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import run_cli
from tests.index._loopback_index import LoopbackIndex, loopback_index
from tests.malicious._records import MALICIOUS_PACKAGES

ROOT = Path(__file__).parent.parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "audit-report-4.2.schema.json").read_text())
PINS = "num2words==0.5.15\n0requests==0.0.1\nfastapi==0.136.3\n123bla==0.0.2\nsix==1.16.0\n"


@pytest.fixture
def cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    directory = tmp_path / "cache"
    code, out, err = run_cli(
        capsys, "db", "update", "--offline", "--source", str(MALICIOUS_PACKAGES),
        "--cache-dir", str(directory),
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith(
        f"4 records from {MALICIOUS_PACKAGES.resolve()}: 4 added, 0 changed, 0 unchanged, "
        "0 removed, 0 skipped ("
    )
    return directory


@pytest.fixture
def requirements(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text(PINS)
    return path


def _audit(
    capsys: pytest.CaptureFixture[str], cache: Path, requirements: Path, *options: str
) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(
        capsys, "audit", str(requirements), "--format", "json", "--cache-dir", str(cache),
        "--checks", "vulnerabilities", *options,
    )  # fmt: skip
    report = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return code, report, err


def test_an_audit_reports_the_malicious_releases_and_fails(
    cache: Path, requirements: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = _audit(capsys, cache, requirements)
    assert code == 1
    findings = {f["name"]: f for f in report["findings"]}
    assert sorted(findings) == ["0requests", "num2words"]  # not fastapi: withdrawn
    num2words = findings["num2words"]
    assert (num2words["kind"], num2words["check"], num2words["fails"]) == (
        "malicious",
        "malicious",
        True,
    )
    assert [num2words["id"], *num2words["aliases"]] == [
        "MAL-2025-6794",
        "PYSEC-2025-72",
        "GHSA-jxr6-qrxx-2ph2",
        "malicious:num2words@0.5.15",
        "malicious:num2words",
    ]
    assert num2words["severity"]["level"] == "critical"
    assert num2words["url"] == "https://osv.dev/vulnerability/MAL-2025-6794"
    assert num2words["detail"] == {
        "matches": [
            {
                "advisory_id": "MAL-2025-6794",
                "reason": "listed in versions as 0.5.15",
                "fixed": [],
                "last_affected": [],
            }
        ],
        "published": "2025-08-06T01:01:03Z",
        "modified": "2025-08-06T01:01:03Z",
        "origins": ["google-open-source-security"],
        "every_version": False,
    }
    assert report["summary"]["by_kind"] == {"malicious": 2}
    assert [(s["name"], s["action"], s["target"]) for s in report["fix_plan"]] == [
        ("0requests", "remove", None),
        ("num2words", "remove", None),
    ]


def test_an_ignore_rule_names_the_mal_id_or_the_package(
    cache: Path, requirements: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.pyward]\nignore = [\n"
        '  {id = "MAL-2026-15859", reason = "a test package"},\n'
        '  {id = "malicious:num2words", reason = "vendored copy, checked by hand"},\n]\n'
    )
    code, report, _ = _audit(capsys, cache, requirements, "--config", str(config))
    assert code == 0
    assert report["findings"] == []
    assert sorted(s["id"] for s in report["suppressed"]) == ["MAL-2025-6794", "MAL-2026-15859"]


@pytest.fixture
def index(online: None) -> Iterator[LoopbackIndex]:
    # A made-up page of num2words (no recorded one): the releases around the two the
    # MAL record names.
    files = [
        {
            "filename": f"num2words-{v}-py3-none-any.whl",
            "url": f"../../files/num2words-{v}-py3-none-any.whl",
            "hashes": {"sha256": f"{i:064x}"},
            "upload-time": f"2025-0{i}-01T00:00:00Z",
        }
        for i, v in enumerate(("0.5.13", "0.5.14", "0.5.15", "0.5.16", "0.5.17"), start=1)
    ]
    page = {"meta": {"api-version": "1.1"}, "name": "num2words", "files": files}
    with loopback_index() as served:
        served.pages["num2words"] = json.dumps(page).encode()
        yield served


def test_fix_names_a_release_the_records_do_not_and_never_applies_it(
    cache: Path,
    requirements: Path,
    index: LoopbackIndex,
    capsys: pytest.CaptureFixture[str],
) -> None:
    requirements.write_text("num2words==0.5.15\n")
    code, out, err = run_cli(
        capsys, "audit", str(requirements), "--cache-dir", str(cache), "--checks", "malicious",
        "--index-url", index.simple_url, "--fix", "--apply",
    )  # fmt: skip
    assert code == 1
    # The table's fix plan section, then what --apply did (nothing).
    assert (
        "remove num2words==0.5.15: malicious (MAL-2025-6794); or move to 0.5.17, a release "
        "its records do not name"
    ) in " ".join(out.split())
    assert (
        "pyward: warning: num2words 0.5.15 is malicious (MAL-2025-6794): remove it by hand "
        "(--fix --apply does not)"
    ) in out + err
    assert "upgrade" not in out + err
    # With the plan on stderr (JSON on stdout), each step on one line.
    code, out, err = run_cli(
        capsys, "audit", str(requirements), "--cache-dir", str(cache), "--checks", "malicious",
        "--index-url", index.simple_url, "--fix", "--format", "json",
    )  # fmt: skip
    assert (
        "  num2words 0.5.15: malicious, remove it (MAL-2025-6794); or move to 0.5.17, a "
        "release its records do not name"
    ) in err.splitlines()
    assert [(s["action"], s["target"]) for s in json.loads(out)["fix_plan"]] == [
        ("remove", "0.5.17")
    ]
    assert requirements.read_text() == "num2words==0.5.15\n"


def test_explain_a_mal_record(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "explain", "MAL-2025-6794", "num2words==0.5.15", "--cache-dir", str(cache)
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[:5] == [
        "MAL-2025-6794",
        "aliases: PYSEC-2025-72, GHSA-jxr6-qrxx-2ph2",
        "summary: Malicious code in num2words (PyPI)",
        "malicious package: MAL-2025-6794; reported by google-open-source-security",
        "severity: critical (a malicious release; the malicious check's severity)",
    ]
    assert lines[-1] == (
        "verdict: num2words 0.5.15 is malicious; remove it, or pin a release its malicious "
        "records do not name"
    )
    # By an alias too.
    code, out, _ = run_cli(capsys, "explain", "GHSA-jxr6-qrxx-2ph2", "--cache-dir", str(cache))
    assert (code, out.splitlines()[0]) == (0, "MAL-2025-6794")


def test_explain_the_withdrawn_false_positive(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "explain", "MAL-2026-4750", "fastapi==0.136.3", "--cache-dir", str(cache)
    )
    assert code == 0
    assert "MAL-2026-4750 withdrawn: 2026-05-26T13:04:03Z (it never matches)" in out
    assert out.splitlines()[-1] == "verdict: fastapi 0.136.3 is not affected"


def test_an_sbom_with_vulnerabilities_lists_the_malicious_releases(
    cache: Path, requirements: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "sbom", str(requirements), "--with-vulnerabilities", "--cache-dir", str(cache)
    )
    assert code == 0
    vulns = {v["id"]: v for v in json.loads(out)["vulnerabilities"]}
    assert sorted(vulns) == ["MAL-2025-6794", "MAL-2026-15859"]  # not the withdrawn one
    v = vulns["MAL-2025-6794"]
    assert (v["cwes"], v["recommendation"]) == (
        [506],
        "Remove it: a malicious release (OSV MAL record).",
    )
    assert [r["severity"] for r in v["ratings"]] == ["critical"]
    assert [a["ref"] for a in v["affects"]] == ["pkg:pypi/num2words@0.5.15"]
