"""``[tool.pyward]`` configuration and VEX documents: structured mutations of real-shaped
documents, byte-level mutations, and the exact messages of the bugs the sweep found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
import rtoml

from tests.robustness._mutate import TreeCase, byte_cases, tree_cases
from tests.robustness._support import assert_one_input_error, run, write

REQUIREMENTS = b"flask==2.0.0\nrequests==2.19.0\n"

CONFIG: dict[str, Any] = {
    "project": {"name": "app", "version": "1.0", "dependencies": ["flask==2.0.0"]},
    "tool": {
        "pyward": {
            "fail-on": "high",
            "unknown-severity": "pass",
            "format": "json",
            "vex": ["vex.json"],
            "ignore": [{"id": "PYSEC-2023-62", "reason": "no proxy", "until": "2099-12-31"}],
        }
    },
}
CYCLONEDX_VEX: dict[str, Any] = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "components": [{"bom-ref": "flask", "name": "flask", "purl": "pkg:pypi/flask@2.0.0"}],
    "vulnerabilities": [
        {
            "id": "PYSEC-2023-62",
            "references": [{"id": "GHSA-m2qf-hxjv-5gpq"}],
            "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
            "affects": [
                {"ref": "flask", "versions": [{"version": "2.0.0", "status": "unaffected"}]}
            ],
        }
    ],
}
OPENVEX: dict[str, Any] = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "statements": [
        {
            "vulnerability": {"name": "CVE-2023-30861", "aliases": ["GHSA-m2qf-hxjv-5gpq"]},
            "products": [
                {"@id": "pkg:pypi/flask@2.0.0", "subcomponents": [{"@id": "pkg:pypi/werkzeug"}]}
            ],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
        }
    ],
}

CONFIG_CASES = list(tree_cases(CONFIG, [("tool", "pyward"), ("tool", "pyward", "ignore", 0)]))


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c.id for c in CONFIG_CASES])
def test_mutated_config(
    case: TreeCase, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "requirements.txt", REQUIREMENTS)
    write(tmp_path / "vex.json", orjson.dumps(OPENVEX))
    config = write(tmp_path / "pyproject.toml", rtoml.dumps(case.doc).encode())
    outcome = run(capsys, "audit", tmp_path / "requirements.txt", "-q", "--cache-dir", store)
    if outcome.code == 2:
        assert_one_input_error(outcome, config)
    else:
        assert outcome.errors == []


VEX_CASES = [
    ("cyclonedx", c)
    for c in tree_cases(
        CYCLONEDX_VEX, [(), ("vulnerabilities", 0), ("vulnerabilities", 0, "affects", 0)], depth=4
    )
] + [("openvex", c) for c in tree_cases(OPENVEX, [(), ("statements", 0)], depth=4)]


@pytest.mark.parametrize(("kind", "case"), VEX_CASES, ids=[f"{k}: {c.id}" for k, c in VEX_CASES])
def test_mutated_vex(
    kind: str, case: TreeCase, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = write(tmp_path / "requirements.txt", REQUIREMENTS)
    vex = write(tmp_path / "vex.json", orjson.dumps(case.doc))
    outcome = run(capsys, "audit", reqs, "--vex", vex, "-f", "json", "--cache-dir", store)
    if outcome.code == 2:
        assert_one_input_error(outcome, vex)
    else:
        assert outcome.errors == []
        json.loads(outcome.out)


VEX_BYTES = list(byte_cases(orjson.dumps(CYCLONEDX_VEX, option=orjson.OPT_INDENT_2)))


@pytest.mark.parametrize("case", VEX_BYTES, ids=[c.id for c in VEX_BYTES])
def test_mutated_vex_bytes(
    case: Any, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = write(tmp_path / "requirements.txt", REQUIREMENTS)
    vex = write(tmp_path / "vex.json", case.data)
    outcome = run(capsys, "audit", reqs, "--vex", vex, "-f", "json", "--cache-dir", store)
    if outcome.code == 2:
        assert_one_input_error(outcome, vex)
    else:
        assert not case.always_bad
        assert outcome.errors == []


CONFIG_BYTES = list(byte_cases(rtoml.dumps(CONFIG).encode()))


@pytest.mark.parametrize("case", CONFIG_BYTES, ids=[c.id for c in CONFIG_BYTES])
def test_mutated_config_bytes(
    case: Any, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = write(tmp_path / "requirements.txt", REQUIREMENTS)
    write(tmp_path / "vex.json", orjson.dumps(OPENVEX))
    config = write(tmp_path / "pyward.toml", case.data)
    outcome = run(capsys, "audit", reqs, "-q", "--cache-dir", store)
    if outcome.code == 2:
        assert_one_input_error(outcome, config)
    else:
        assert not case.always_bad
        assert outcome.errors == []


def test_vex_bugs_found_by_the_sweep(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = write(tmp_path / "requirements.txt", REQUIREMENTS)
    # Components of the wrong type were iterated (TypeError: 'int' object is not iterable).
    for components in (3, [{"components": 3}], "x"):
        vex = write(
            tmp_path / "vex.json", orjson.dumps({**CYCLONEDX_VEX, "components": components})
        )
        outcome = run(capsys, "audit", reqs, "--vex", vex, "-f", "json", "--cache-dir", store)
        assert outcome.errors == []
        assert (
            f"pyward: warning: {vex}: vulnerabilities[0].affects[0].ref: 'flask' is neither a "
            "PyPI purl nor the bom-ref of a PyPI component of this document; "
            "it applies to no package"
        ) in outcome.err.splitlines()
    # A byte order mark before the JSON is ignored; an array is not a document.
    vex = write(tmp_path / "vex.json", b"\xef\xbb\xbf" + orjson.dumps(OPENVEX))
    assert run(capsys, "audit", reqs, "--vex", vex, "-q", "--cache-dir", store).errors == []
    vex = write(tmp_path / "vex.json", b"[]")
    outcome = run(capsys, "audit", reqs, "--vex", vex, "-q", "--cache-dir", store)
    assert outcome.errors == [
        f"{vex}: line 1: must be a JSON object (a CycloneDX or OpenVEX document)"
    ]


def test_config_not_utf8_names_the_line(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = write(tmp_path / "requirements.txt", REQUIREMENTS)
    config = write(tmp_path / "pyproject.toml", b'[tool.pyward]\nfail-on = "high"\n# caf\xe9\n')
    outcome = run(capsys, "audit", reqs, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (2, [f"{config}: line 3: not UTF-8 text"])
