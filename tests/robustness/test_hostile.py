"""Hostile input over every reader, every output format and every command (issue 12).

The cases are built from the registries (:data:`pyward._inventory._registry.READERS`,
:data:`pyward._render.RENDERERS`, :data:`pyward._sbom.FORMATS`,
:data:`pyward._cli.COMMANDS`), so a new reader, format or command is covered, or fails
:func:`test_every_command_has_hostile_cases` until it is. Every case asserts the
issue's closing criteria: no traceback and no "internal error", a documented exit code
(0-3), no raw control character in stdout or stderr (JSON carries them escaped), and
for bombs a peak memory under :data:`BOMB_RSS_LIMIT`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from pyward._advisory._sync import update
from pyward._cli import COMMANDS
from pyward._commands.sbom import FORMATS as SBOM_COMMAND_FORMATS
from pyward._inventory._registry import READERS
from pyward._release._render import FORMATS as RELEASE_RENDERERS
from pyward._render import RENDERERS
from pyward._sbom import FORMATS
from tests.fleet._tree import refuse_listing
from tests.robustness._seeds import SEEDS
from tests.robustness._support import Outcome, run, write
from tests.serve._support import serve_process

#: A window-title change, a bell, a screen clear, a C1 CSI and a bidirectional override.
ESC = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"
#: Bytes that are not UTF-8 plus a raw escape sequence, for file and directory names.
BAD_NAME = b"bad\xff\xfe\x1b]0;owned\x07name"
#: What no stdout or stderr line may hold raw: controls but newline and tab, lone
#: surrogates (a name that is not UTF-8), bidirectional overrides.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
#: Peak resident memory allowed to a command run over a bomb (a small input that
#: expands): the interpreter, pyward and its libraries take about a third of it. See
#: docs/security.md.
BOMB_RSS_LIMIT = 256 * 1024 * 1024
#: Wall-clock limit of a subprocess case: a hang fails instead of stalling the suite.
TIMEOUT = 60.0
#: The same for a bomb or a special file: pyward refuses them at once, and a case that
#: waits for another engineer's fix must not hold the suite for long.
BOMB_TIMEOUT = 15.0
#: C0 controls but newline and tab: what JSON never holds raw (RFC 8259, section 7).
RAW_C0 = re.compile("[\x00-\x08\x0b-\x1f]")

#: Every format of ``pyward sbom``: the SBOM formats and the HTML summary.
SBOM_FORMATS = list(SBOM_COMMAND_FORMATS)
AUDIT_FORMATS = list(RENDERERS)


def check(outcome: Outcome) -> Outcome:
    """The invariants every hostile case keeps (``run`` checked the others)."""
    assert RAW.findall(outcome.out) == [], outcome.out[:2000]
    assert RAW.findall(outcome.err) == [], outcome.err[:2000]
    return outcome


def hostile_run(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> Outcome:
    return check(run(capsys, *argv))


# --------------------------------------------------------------------------------------
# A store of hostile advisory records: what a mirror the user does not control can hold.

HOSTILE_RECORDS = {
    "summary": {
        "schema_version": "1.6.0",
        "id": "PYSEC-2099-1",
        "modified": "2024-01-01T00:00:00Z",
        "published": "2024-01-01T00:00:00Z",
        "aliases": [f"CVE-2099-{ESC}"],
        "summary": f"summary {ESC} end",
        "details": f"details\n{ESC}\n# Injected heading\n<img src=x onerror=alert(1)>",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "hostile-pkg"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
        "references": [
            {"type": "ADVISORY", "url": "https://evil.invalid/x)|\n# Heading <b>"},
            {"type": "ADVISORY", "url": "https://evil.invalid/PYSEC-2099-1)|<b>"},
            {"type": "WEB", "url": f"https://evil.invalid/{ESC}"},
            {"type": "WEB", "url": "javascript:alert(1)"},
        ],
    },
    "id": {
        "schema_version": "1.6.0",
        "id": f"PYSEC-2099-{ESC}",
        "modified": "2024-01-01T00:00:00Z",
        "summary": "an id with an escape sequence",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "hostile-pkg"},
                "versions": ["1.0"],
            }
        ],
    },
}

#: Huge strings and numbers in a record (a version of 5000 digits).
BIG_RECORD = {
    "schema_version": "1.6.0",
    "id": "PYSEC-2099-3",
    "modified": "2024-01-01T00:00:00Z",
    "summary": "x" * 200_000,
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "hostile-pkg"},
            "versions": ["1.0", "9" * 5000],
            "ranges": [
                {
                    "type": "ECOSYSTEM",
                    "events": [{"introduced": "0"}, {"fixed": "1" + "0" * 4000}],
                }
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = tmp_path_factory.mktemp("hostile-records")
    for name, record in HOSTILE_RECORDS.items():
        (records / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")
    cache = tmp_path_factory.mktemp("hostile-store")
    update(str(records), cache)
    return cache


@pytest.fixture
def hostile_project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    write(tmp_path / "requirements.txt", b"hostile-pkg==1.0\n")
    return tmp_path


@pytest.mark.parametrize("fmt", AUDIT_FORMATS)
def test_hostile_advisories_in_every_format(
    fmt: str, hostile_store: Path, hostile_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = hostile_run(capsys, "audit", hostile_project, "-f", fmt, "--cache-dir", hostile_store)
    assert outcome.code == 1, outcome.err
    if fmt == "markdown":
        assert "\n# " not in outcome.out
        assert "<img" not in outcome.out
        assert "<b>" not in outcome.out
        assert "](javascript:" not in outcome.out
    if fmt == "sarif":
        rules = json.loads(outcome.out)["runs"][0]["tool"]["driver"]["rules"]
        uris = {r["id"]: r["helpUri"] for r in rules}
        assert uris["PYSEC-2099-1"] == "https://evil.invalid/PYSEC-2099-1%29%7C%3Cb%3E"


#: A policy whose rules need no data but the advisories, with a deny entry that matches.
HOSTILE_POLICY = b"""[tool.pyward.policy]
typosquat = false
cooldown = false
yanked = false
project-status = false
packages = { deny = ["hostile-pkg>=1"] }
"""


@pytest.mark.parametrize("fmt", AUDIT_FORMATS)
def test_check_of_hostile_advisories_in_every_format(
    fmt: str, hostile_store: Path, hostile_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(hostile_project / "pyproject.toml", HOSTILE_POLICY)
    outcome = hostile_run(
        capsys,
        "check",
        hostile_project,
        "-f",
        fmt,
        "--cache-dir",
        hostile_store,
        "--config",
        hostile_project / "pyproject.toml",
    )
    assert outcome.code == 1, outcome.err
    assert "package:hostile-pkg@1.0" in outcome.out


@pytest.mark.parametrize(
    "policy",
    [
        f'[tool.pyward.policy]\npackages = {{ deny = ["hostile{ESC}"] }}\n'.encode(),
        f'[tool.pyward.policy]\ntyposquat = {{ allow = ["{ESC}"] }}\n'.encode(),
        f'[tool.pyward.policy]\nlicenses = {{ allow = ["MIT{ESC}"] }}\n'.encode(),
        f'[tool.pyward.policy]\nextend = "{ESC}.toml"\n'.encode(),
        f'[tool.pyward.policy]\n"rule{ESC}" = true\n'.encode(),
        b'[tool.pyward.policy]\npackages = { deny = ["' + b"x" * 200_000 + b'<"] }\n',
    ],
    ids=["deny", "allow", "licence", "extend", "rule", "huge"],
)
def test_check_of_a_hostile_policy_is_one_plain_line(
    policy: bytes, hostile_store: Path, hostile_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(hostile_project / "pyproject.toml", policy)
    outcome = hostile_run(
        capsys,
        "check",
        hostile_project,
        "--cache-dir",
        hostile_store,
        "--config",
        hostile_project / "pyproject.toml",
    )
    assert outcome.code == 2, outcome.err
    assert outcome.out == ""
    assert outcome.err.count("\n") == 1


@pytest.mark.parametrize(
    "root",
    [f'{{"mediaType": "{ESC}"}}'.encode(), b"\xff\xfe" + ESC.encode(), b"[]"],
    ids=["value", "bytes", "shape"],
)
def test_provenance_with_a_hostile_trust_root_is_one_plain_line(
    root: bytes, hostile_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sigstore", reason="needs the 'provenance' extra")
    path = hostile_project / f"root{ESC}.json"
    write(path, root)
    outcome = hostile_run(capsys, "provenance", hostile_project, "--trust-root", path)
    assert outcome.code == 2, outcome.err
    assert outcome.out == ""
    assert outcome.err.count("\n") == 1


@pytest.mark.parametrize("fmt", SBOM_FORMATS)
def test_hostile_advisories_in_every_sbom_format(
    fmt: str, hostile_store: Path, hostile_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = hostile_run(
        capsys,
        "sbom",
        hostile_project / "requirements.txt",
        "-f",
        fmt,
        "--with-vulnerabilities",
        "--cache-dir",
        hostile_store,
    )
    assert outcome.code == 0, outcome.err
    if fmt == "html":  # the summary names the advisories and their summaries
        assert "PYSEC-2099-1" in outcome.out
        assert "summary \\x1b]0;owned" in outcome.out
        assert outcome.out.count("<script") == 1
        assert 'href="javascript:' not in outcome.out


@pytest.mark.parametrize("advisory", ["PYSEC-2099-1", f"PYSEC-2099-{ESC}", f"CVE-2099-{ESC}"])
def test_explain_hostile_advisories(
    advisory: str, hostile_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_run(capsys, "explain", advisory, "hostile-pkg==1.0", "--cache-dir", hostile_store)
    hostile_run(capsys, "explain", advisory, "--cache-dir", hostile_store)


def test_db_commands_over_a_hostile_mirror(
    tmp_path: Path, hostile_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / f"mirror{ESC}"
    write(records / "bad.json", f'{{"id": "{ESC}"'.encode())
    write(records / "ok.json", json.dumps(HOSTILE_RECORDS["summary"]).encode())
    outcome = hostile_run(capsys, "db", "update", "--source", records, "--cache-dir", tmp_path)
    assert outcome.code == 0, outcome.err
    hostile_run(capsys, "db", "status", "--cache-dir", tmp_path)
    hostile_run(capsys, "db", "status", "--cache-dir", hostile_store)


def test_db_update_of_huge_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "records" / "big.json", json.dumps(BIG_RECORD).encode())
    outcome = hostile_run(
        capsys, "db", "update", "--source", tmp_path / "records", "--cache-dir", tmp_path
    )
    assert outcome.code == 0


def test_install_relays_the_installer_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip's own messages quote the requirement: they reach stderr escaped, and nothing
    # is installed.
    monkeypatch.chdir(tmp_path)
    policy = write(tmp_path / "policy.toml", b"[policy]\ntyposquat = false\n")
    target = tmp_path / "site"
    outcome = hostile_run(
        capsys, "install", "--policy", policy, "--", "--no-index", "-t", target, f"demo{ESC}"
    )
    assert outcome.code == 2
    assert outcome.errors[0].startswith("pip could not resolve the requirements"), outcome.err
    assert not target.exists()


def test_rules_is_plain(capsys: pytest.CaptureFixture[str]) -> None:
    assert hostile_run(capsys, "rules").code == 0
    assert hostile_run(capsys, "rules", "-f", "json").code == 0


#: Every format of ``pyward release-check``.
RELEASE_FORMATS = list(RELEASE_RENDERERS)


def _hostile_repository(root: Path) -> Path:
    """A checkout whose workflow names, commands and file names carry escape sequences,
    with a workflow that is a YAML alias bomb and one whose name is not UTF-8."""
    workflows = root / ".github" / "workflows"
    # TOML refuses raw control characters: the escapes come in as TOML escapes.
    write(root / "pyproject.toml", b'[tool.poetry]\nname = "x\\u001b]0;owned\\u0007"\n')
    # YAML refuses raw control characters too: double-quoted strings' escapes.
    hostile = "\\e]0;owned\\a\\e[2J\\x9b31m\\u202e"
    write(
        workflows / "release.yml",
        (
            f'jobs:\n  "build{hostile}":\n    steps:\n'
            f'      - run: "pip install build{hostile} twine"\n'
            "      - run: python -m build\n"
        ).encode(),
    )
    write(workflows / "bomb.yml", _yaml_bomb())
    write(Path(os.fsdecode(bytes(workflows) + b"/" + BAD_NAME + b".yml")), b"jobs: [\n")
    write(root / "renovate.json", b'{"enabledManagers": ["\\u001b]0;owned\\u0007"]}')
    return root


@pytest.mark.parametrize("fmt", RELEASE_FORMATS)
def test_release_check_of_a_hostile_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    root = _hostile_repository(tmp_path / "repo")
    outcome = hostile_run(capsys, "release-check", root, "--format", fmt)
    assert outcome.code == 1
    assert "unpinned-build-deps" in outcome.out  # the hostile job's finding is shown
    if fmt in ("json", "sarif"):
        assert RAW_C0.findall(outcome.out) == []
        json.loads(outcome.out)
    if fmt == "html":
        assert outcome.out.count("<script") == 1  # the page's own


def test_release_check_of_hostile_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = Path(os.fsdecode(bytes(tmp_path) + b"/" + BAD_NAME))
    outcome = hostile_run(capsys, "release-check", missing)
    assert outcome.code == 2
    assert len(outcome.errors) == 1
    write(tmp_path / "repo" / "pyproject.toml", f"x = [{ESC}\n".encode())
    outcome = hostile_run(capsys, "release-check", tmp_path / "repo")
    assert outcome.code == 2
    assert len(outcome.errors) == 1


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_advisory_validate_of_hostile_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """``advisory validate`` over the hostile mirror's records, a YAML alias bomb and a
    file whose name is not UTF-8: every problem reported in escaped form, nothing raw."""
    records = tmp_path / "records"
    for name, record in HOSTILE_RECORDS.items():
        write(records / f"{name}.json", json.dumps(record).encode())
    outcome = hostile_run(capsys, "advisory", "validate", records, "--format", fmt)
    assert outcome.code == 1
    if fmt == "json":
        assert RAW_C0.findall(outcome.out) == []
        json.loads(outcome.out)
    write(tmp_path / "bomb" / "PYSEC-2099-9.yaml", _yaml_bomb())
    outcome = hostile_run(capsys, "advisory", "validate", tmp_path / "bomb")
    assert outcome.code == 2
    assert len(outcome.errors) == 1
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/" + BAD_NAME + b".json"))
    write(odd, b"{")
    outcome = hostile_run(capsys, "advisory", "validate", odd)
    assert outcome.code == 2
    assert len(outcome.errors) == 1


def test_advisory_export_of_a_hostile_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hostile record's text goes into the CVE container as JSON escapes; its
    hostile reference URL, or a record that is not an object, is one plain line."""
    record = write(tmp_path / "r.json", json.dumps(HOSTILE_RECORDS["summary"]).encode())
    argv = ("advisory", "export", record, "--container-only", "--cve-id", "CVE-2099-1")
    outcome = hostile_run(capsys, *argv)
    assert (outcome.code, outcome.out, len(outcome.errors)) == (2, "", 1)
    assert "references[2].url" in outcome.err
    # With a plain reference the record exports: its hostile text escaped.
    plain = {
        **HOSTILE_RECORDS["summary"],
        "references": [{"type": "WEB", "url": "https://a.invalid/"}],
    }
    write(record, json.dumps(plain).encode())
    outcome = hostile_run(capsys, *argv)
    assert outcome.code == 0, outcome.err
    assert json.loads(outcome.out)["title"] == plain["summary"]
    write(tmp_path / "list.json", b"[]")
    outcome = hostile_run(capsys, "advisory", "export", tmp_path / "list.json", "--container-only")
    assert (outcome.code, len(outcome.errors)) == (2, 1)


def test_advisory_publish_never_writes_outside_its_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft whose package name climbs out of the advisory directory, or holds control
    characters, is refused in one plain line, and nothing is written anywhere."""
    for name in ("../../escaped", f"pkg{ESC}", "/etc/passwd"):
        draft = {
            "schema_version": "1.7.0",
            "id": "PYSEC-0000-DRAFT",
            "modified": "2026-01-01T00:00:00Z",
            "summary": "x",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": name},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                }
            ],
        }
        path = write(tmp_path / "draft.json", json.dumps(draft).encode())
        before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
        outcome = hostile_run(capsys, "advisory", "publish", path, "--dir", tmp_path / "adv")
        assert (outcome.code, len(outcome.errors)) == (2, 1), name
        after = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.name != ".pyward.lock")
        assert after == before, name


def test_advisory_cases_over_a_hostile_case_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A case file with control characters or broken TOML: one plain line, exit 2."""
    cases = tmp_path / "adv" / "cases"
    write(cases / "CASE-2026-001.toml", f'package = "{ESC}"\n[[[\n'.encode())
    outcome = hostile_run(capsys, "advisory", "cases", "--dir", tmp_path / "adv")
    assert (outcome.code, len(outcome.errors)) == (2, 1)
    outcome = hostile_run(
        capsys,
        "advisory",
        "case",
        "assign",
        "CASE-2026-001",
        "--coordinator",
        ESC,
        "--dir",
        tmp_path / "adv",
    )
    assert (outcome.code, len(outcome.errors)) == (2, 1)


# --------------------------------------------------------------------------------------
# Every reader over hostile content, in every output format.


def _seed_of(reader_id: str) -> Path | None:
    """A real file the reader reads, written under a name that selects it."""
    reader = next(r for r in READERS if r.id == reader_id)
    for seed in SEEDS:
        if reader.matches(seed.name):
            return seed.source
    return None


def _named(reader_id: str) -> str:
    reader = next(r for r in READERS if r.id == reader_id)
    return next(s.name for s in SEEDS if reader.matches(s.name))


FILE_READERS = [r.id for r in READERS if r.patterns]
NAMES = ("flask", "requests", "urllib3", "jinja2", "werkzeug", "django", "idna", "click")


def _inject(data: bytes, name: str) -> bytes:
    """``data`` with the first package name it holds followed by an escape sequence,
    written as the format spells one (JSON and TOML escapes, raw bytes in text)."""
    escaped = name.encode()
    if name.endswith((".json", ".lock", ".toml")):
        suffix = b"\\u001b]0;owned\\u0007\\u001b[2J"
    elif name.endswith(".xml"):
        suffix = b"&#x1b;]0;owned&#x7;"
    else:
        suffix = ESC.encode()
    for pkg in NAMES:
        at = data.find(pkg.encode())
        if at >= 0:
            escaped = pkg.encode()
            return data[: at + len(escaped)] + suffix + data[at + len(escaped) :]
    return data + b"\n" + suffix


def test_every_reader_has_a_seed() -> None:
    assert [r for r in FILE_READERS if _seed_of(r) is None] == []


@pytest.mark.parametrize("reader", FILE_READERS)
def test_control_characters_in_every_reader(
    reader: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = _seed_of(reader)
    assert seed is not None
    name = _named(reader)
    path = write(tmp_path / name, _inject(seed.read_bytes(), name))
    for fmt in AUDIT_FORMATS:
        hostile_run(capsys, "audit", path, "-f", fmt, "--cache-dir", store)
    for fmt in SBOM_FORMATS:
        hostile_run(capsys, "sbom", path, "-f", fmt)


@pytest.mark.parametrize("reader", FILE_READERS)
def test_names_that_are_not_utf8_in_every_format(
    reader: str,
    tmp_path: Path,
    store: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The read cache is the input side of item 10: test_names_that_are_not_utf8_cached.
    monkeypatch.setenv("PYWARD_NO_CACHE", "1")
    seed = _seed_of(reader)
    assert seed is not None
    folder = os.fsdecode(os.fsencode(tmp_path) + b"/" + BAD_NAME)
    path = write(Path(folder) / _named(reader), seed.read_bytes())
    for fmt in AUDIT_FORMATS:
        outcome = hostile_run(capsys, "audit", path, "-f", fmt, "--cache-dir", store)
        assert outcome.code in (0, 1), outcome.err
    for fmt in SBOM_FORMATS:
        assert hostile_run(capsys, "sbom", path, "-f", fmt).code == 0
    # A missing file under that name: the error line shows it escaped (the bytes that
    # are not UTF-8 as \\xNN where the name is read, the control characters on output).
    outcome = hostile_run(capsys, "audit", Path(folder) / "gone.txt", "--cache-dir", store)
    assert outcome.errors == [
        f"{tmp_path}/bad\\xff\\xfe\\x1b]0;owned\\x07name/gone.txt: no such file or directory"
    ]


@pytest.mark.parametrize("reader", ["uv.lock", "poetry.lock"])
def test_names_that_are_not_utf8_cached(
    reader: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = _seed_of(reader)
    assert seed is not None
    folder = os.fsdecode(os.fsencode(tmp_path) + b"/" + BAD_NAME)
    path = write(Path(folder) / _named(reader), seed.read_bytes())
    entries = store / "inventory"
    before = sorted(entries.glob("*.entry")) if entries.is_dir() else []
    first = hostile_run(capsys, "audit", path, "-f", "json", "--cache-dir", store)
    again = hostile_run(capsys, "audit", path, "-f", "json", "--cache-dir", store)
    # Such a name has no JSON form: the read cache passes the inventory over (no entry
    # is written) and every run reads the file, with the same result.
    assert (again.code, again.out) == (first.code, first.out)
    assert "bad\\xff\\xfe" in json.loads(first.out)["inventories"][0]["source"]
    assert (sorted(entries.glob("*.entry")) if entries.is_dir() else []) == before


HUGE = {
    "requirements.txt": b"flask==" + b"9" * 100_000 + b"\n" + b"a" * 100_000 + b"==1\n",
    "long-line.txt": b"flask==1.0 " + b"#" * 1_000_000 + b"\n",
    "pyproject.toml": b'[project]\nname = "x"\ndependencies = ["flask>=' + b"9" * 100_000 + b'"]\n',
    "bom.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library",'
        b' "name": "flask", "version": "1e999999", "purl": "pkg:pypi/flask@'
        + b"9" * 100_000
        + b'"}]}'
    ),
    "deep.cdx.json": b"[" * 100_000 + b"]" * 100_000,
    "numbers.cdx.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": 1'
        + b"0" * 5000
        + b', "version": '
        + b"9" * 5000
        + b"}"
    ),
    "uv.lock": b"version = 1" + b"0" * 5000 + b'\n[[package]]\nname = "flask"\nversion = "1"\n',
}


@pytest.mark.parametrize("name", list(HUGE))
def test_huge_numbers_and_strings(
    name: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / name, HUGE[name])
    for fmt in AUDIT_FORMATS:
        hostile_run(capsys, "audit", path, "-f", fmt, "--cache-dir", store)


@pytest.mark.parametrize(
    "name",
    list(HUGE),
)
def test_huge_numbers_and_strings_sbom(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / name, HUGE[name])
    for fmt in SBOM_FORMATS:
        hostile_run(capsys, "sbom", path, "-f", fmt)


def test_include_cycles_and_diamonds(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.txt", b"-r b.txt\n-r c.txt\nflask==2.0.0\n")
    write(tmp_path / "b.txt", b"-r d.txt\n")
    write(tmp_path / "c.txt", b"-r d.txt\n")
    write(tmp_path / "d.txt", b"-r a.txt\nrequests==2.19.0\n")
    hostile_run(capsys, "audit", "-r", tmp_path / "a.txt", "--cache-dir", store)
    hostile_run(capsys, "sbom", tmp_path / "a.txt")


# --------------------------------------------------------------------------------------
# A fleet of hostile projects: the run completes, reports each, and exits 2.


@pytest.fixture
def hostile_fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    root = tmp_path / "fleet"
    write(root / "ok" / "requirements.txt", b"idna==3.7\n")
    write(root / "corrupt" / "uv.lock", b"version = 1\n[[package]]\nname = 3\n")
    write(root / "garbage" / "poetry.lock", bytes(range(256)) * 64 + ESC.encode())
    write(root / "deep" / "uv.lock", b"x = " + b"[" * 50_000_000)
    write(root / os.fsdecode(BAD_NAME) / "requirements.txt", f"idna==3.7 # {ESC}\n".encode())
    write(root / "locked" / "uv.lock", b"version = 1\n")
    os.symlink(root, root / "ok" / "loop")
    refuse_listing(monkeypatch, "locked")
    listing = write(
        tmp_path / "fleet.txt",
        b"fleet/ok\nbad\x00path\n" + b"y" * 100_000 + b"\nnowhere\x1b[2J\n",
    )
    return root, listing


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_fleet_of_hostile_projects(
    fmt: str, hostile_fleet: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, listing = hostile_fleet
    outcome = hostile_run(
        capsys, "fleet", "audit", root, "--from", listing, "--offline", "-j", "2", "-f", fmt
    )
    assert outcome.code == 2, outcome.err
    if fmt != "json":
        return
    assert RAW_C0.findall(outcome.out) == []
    report = json.loads(outcome.out)
    states = {p["project"]: (p["state"], p["error"]) for p in report["projects"]}
    failed = {k for k, (state, _) in states.items() if state == "failed"}
    fleet = f"{root.as_posix()}"
    assert states[f"{fleet}/ok"] == ("audited", None)
    assert failed == {
        f"{fleet}/corrupt",
        f"{fleet}/garbage",
        f"{fleet}/deep",
        f"{fleet}/locked",
        f"{listing}:2",
        f"{listing}:3",
        "nowhere\x1b[2J",
    }
    # The project whose directory name is not UTF-8 and holds controls is audited too.
    (named,) = set(states) - failed - {f"{fleet}/ok"}
    assert named.startswith(f"{fleet}/bad")
    assert states[named] == ("audited", None)
    assert states[f"{fleet}/locked"][1] == f"{fleet}/locked: cannot list: Permission denied"
    for name in ("corrupt", "garbage", "deep"):
        error = states[f"{fleet}/{name}"][1]
        assert error is not None
        assert error.startswith(f"{root}/{name}/"), error


# --------------------------------------------------------------------------------------
# Bombs and special files, in a subprocess: peak memory and a wall-clock limit.


@dataclass(frozen=True, slots=True, kw_only=True)
class Measured:
    """One ``pyward`` run in a subprocess."""

    code: int
    """The exit code."""
    err: str
    """Standard error."""
    peak_rss: int
    """Peak resident set size of the command, in bytes."""


#: Runs the command as its own child and prints the child's peak RSS: the test
#: process's RUSAGE_CHILDREN holds the largest of every child it ever waited for.
_MEASURE = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.buffer.write(proc.stderr)
scale = 1 if sys.platform == "darwin" else 1024
print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale)
"""


def peak_rss(argv: Sequence[str | os.PathLike[str]], *, timeout: float = BOMB_TIMEOUT) -> Measured:
    """Run ``pyward ARGV`` in a subprocess; its exit code, stderr and peak RSS. Fails the
    test after ``timeout`` seconds (the command is killed)."""
    command = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "pyward", *map(str, argv)]
    try:
        proc = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"pyward {' '.join(map(str, argv))}: still running after {timeout} s")
    code, rss = proc.stdout.decode().split()
    return Measured(code=int(code), err=proc.stderr.decode(errors="replace"), peak_rss=int(rss))


def check_bomb(measured: Measured) -> None:
    assert "Traceback" not in measured.err, measured.err
    assert "internal error" not in measured.err, measured.err
    assert measured.code in (0, 1, 2, 3), measured.err
    assert RAW.findall(measured.err) == [], measured.err
    assert measured.peak_rss < BOMB_RSS_LIMIT, (measured.peak_rss, measured.err)


def _yaml_bomb() -> bytes:
    lines = ['a0: &a0 ["' + "x" * 64 + '"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return ("\n".join(lines) + "\nid: PYSEC-2099-9\nmodified: '2024-01-01T00:00:00Z'\n").encode()


def _xml_bomb() -> bytes:
    ents = '<!ENTITY a0 "' + "x" * 64 + '">'
    ents += "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 9))
    return (
        f'<?xml version="1.0"?><!DOCTYPE bom [{ents}]>'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>'
        '<component type="library"><name>&a8;</name><version>1</version></component>'
        "</components></bom>"
    ).encode()


def _zip_bomb(path: Path) -> Path:
    import zipfile

    chunk = b" " * (1 << 20)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("PYSEC-2099-8.json", "w", force_zip64=True) as member,
    ):
        for _ in range(512):  # 512 MiB of spaces, about 500 KiB compressed
            member.write(chunk)
    return path


def test_bomb_xml_entities(tmp_path: Path, store: Path) -> None:
    path = write(tmp_path / "bom.xml", _xml_bomb())
    measured = peak_rss(["audit", path, "--cache-dir", store])
    check_bomb(measured)
    assert measured.code == 2


def test_bomb_yaml_aliases(tmp_path: Path) -> None:
    write(tmp_path / "records" / "PYSEC-2099-9.yaml", _yaml_bomb())
    measured = peak_rss(["db", "update", "--source", tmp_path / "records", "--cache-dir", tmp_path])
    check_bomb(measured)
    assert "alias" in measured.err


def test_bomb_zip_member(tmp_path: Path) -> None:
    archive = _zip_bomb(tmp_path / "osv.zip")
    measured = peak_rss(["db", "update", "--source", archive, "--cache-dir", tmp_path])
    check_bomb(measured)
    assert measured.code == 2


def test_bomb_deep_json(tmp_path: Path, store: Path) -> None:
    path = write(tmp_path / "bom.json", b"[" * 10_000_000)
    check_bomb(peak_rss(["audit", path, "--cache-dir", store]))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_special_file_endless(tmp_path: Path, store: Path) -> None:
    link = tmp_path / "requirements.txt"
    link.symlink_to("/dev/zero")
    # Read up to the input cap, then refused: bounded, linear in the cap.
    measured = peak_rss(["audit", link, "--cache-dir", store], timeout=TIMEOUT)
    check_bomb(measured)
    assert measured.code == 2


def test_special_file_fifo(tmp_path: Path, store: Path) -> None:
    # A FIFO named on the command line is read like any pipe the user points at (a
    # producer writes it), within the input cap; one inside a scanned environment is
    # refused without blocking (tests/robustness/test_special_files.py).
    fifo = tmp_path / "requirements.txt"
    os.mkfifo(fifo)

    def produce() -> None:
        with fifo.open("wb") as pipe:
            pipe.write(b"flask==0.12\n")

    writer = threading.Thread(target=produce)
    writer.start()
    measured = peak_rss(["audit", fifo, "--cache-dir", store], timeout=TIMEOUT)
    writer.join(timeout=TIMEOUT)
    check_bomb(measured)
    assert measured.code == 1  # flask 0.12 has known vulnerabilities


# --------------------------------------------------------------------------------------
# pyward serve through a real client.


#: (method, path, JSON body): what a network client of ``serve`` may send.
SERVE_REQUESTS: list[tuple[str, str, object]] = [
    (
        "POST",
        "/v1/query",
        {"package": {"name": "hostile-pkg", "ecosystem": "PyPI"}, "version": "1.0"},
    ),
    ("POST", "/v1/query", {"package": {"purl": f"pkg:pypi/hostile-pkg@1.0{ESC}"}}),
    (
        "POST",
        "/v1/query",
        {"package": {"name": "x" * 1_000_000, "ecosystem": "PyPI"}, "version": "1"},
    ),
    (
        "POST",
        "/v1/query",
        {"package": {"name": "flask", "ecosystem": "PyPI"}, "version": "9" * 100_000},
    ),
    ("POST", "/v1/query", {"package": {"name": "flask", "ecosystem": "PyPI"}, "version": 1e308}),
    ("POST", "/v1/querybatch", {"queries": [{"package": {"purl": f"pkg:pypi/{ESC}@1"}}] * 100}),
    ("GET", "/v1/vulns/" + quote(f"PYSEC-2099-{ESC}"), None),
    ("GET", "/v1/vulns/PYSEC-2099-1", None),
    ("GET", "/v1/vulns/" + "A" * 60_000, None),
]


def test_serve_over_hostile_requests(hostile_store: Path) -> None:
    with serve_process(["--cache-dir", str(hostile_store)]) as (url, proc):
        with httpx.Client(base_url=url, trust_env=False, timeout=TIMEOUT) as client:
            for method, path, body in SERVE_REQUESTS:
                response = client.request(method, path, json=body)
                assert response.status_code < 500, (path, response.status_code, response.text)
                # JSON: the record exact, C0 controls escaped.
                assert RAW_C0.findall(response.text) == [], response.text[:2000]
            record = client.get("/v1/vulns/PYSEC-2099-1").json()
            # JSON carries the record exact.
            assert record["summary"] == f"summary {ESC} end"
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=TIMEOUT)
    assert "Traceback" not in err, err
    assert RAW.findall(err) == [], err


# --------------------------------------------------------------------------------------
# The registries are covered.

#: Commands with a hostile case in this module.
COVERED = {
    "audit",
    "check",
    "explain",
    "db",
    "sbom",
    "serve",
    "rules",
    "install",
    "release-check",
    "provenance",
    "advisory",
    "fleet",
}


def test_every_command_has_hostile_cases() -> None:
    assert set(COMMANDS) == COVERED


def test_every_output_format_is_exercised() -> None:
    assert list(RENDERERS) == AUDIT_FORMATS
    assert [*FORMATS, "html"] == SBOM_FORMATS
