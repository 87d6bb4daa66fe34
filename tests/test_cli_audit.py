"""``pyward audit`` and ``pyward explain`` through ``pyward._cli.main``: exit codes,
outputs and messages, on real corpus inputs and a store of real PyPA records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pyward._cli import main
from tests.audit._data import PACKAGES
from tests.conftest import CORPUS, run_cli, store_of

WAREHOUSE = CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt"
LITESTAR = CORPUS / "uv" / "litestar-2024" / "uv.lock"
WAREHOUSE_IDS = [
    "PYSEC-2023-192", "PYSEC-2023-212", "PYSEC-2023-254", "PYSEC-2023-11", "PYSEC-2024-40",
    "PYSEC-2023-74", "PYSEC-2024-60", "PYSEC-2023-228", "PYSEC-2023-135", "PYSEC-2023-117",
    "PYSEC-2023-45", "PYSEC-2023-46",
]  # fmt: skip


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file of the real records of the packages these inputs use."""
    return store_of(tmp_path_factory, (*PACKAGES, "piccolo"))


def _json_ids(out: str) -> list[str]:
    return [f["id"] for f in json.loads(out)["findings"]]


def test_findings_fail_with_exit_1(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys, "audit", str(WAREHOUSE), "--format", "json", "--cache-dir", str(cache)
    )
    assert code == 1
    doc = json.loads(out)
    assert sorted(_json_ids(out)) == sorted(WAREHOUSE_IDS)
    assert doc["summary"]["failed"] is True
    assert doc["fix_plan"][0]["name"] == "cryptography"
    assert err.startswith("pyward: warning: advisory data is ")


def test_threshold_gates(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ("audit", str(WAREHOUSE), "-f", "json", "-q", "--cache-dir", str(cache))
    assert run_cli(capsys, *base, "--fail-on", "critical")[0] == 1  # unknown severities fail
    code, _, err = run_cli(capsys, *base, "--fail-on", "critical", "--unknown-severity", "pass")
    assert (code, err) == (0, "")
    assert run_cli(capsys, *base, "--fail-on", "high", "--unknown-severity", "pass")[0] == 1


def test_ignores_from_the_command_line(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["audit", str(WAREHOUSE), "-f", "json", "-q", "--cache-dir", str(cache)]
    for i in WAREHOUSE_IDS:
        args += ["--ignore", i]
    code, out, _ = run_cli(capsys, *args)
    doc = json.loads(out)
    assert code == 0
    assert doc["findings"] == []
    assert sorted(s["rule"] for s in doc["suppressed"]) == sorted(
        f"ignore {i} (command line)" for i in WAREHOUSE_IDS
    )
    assert {s["reason"] for s in doc["suppressed"]} == {"command line"}


def test_project_config_with_an_expired_ignore(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.28.1\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.pyward]\nfail-on = "critical"\n'
        'unknown-severity = "pass"\n'
        'ignore = [{ id = "CVE-2023-32681", reason = "no proxies", until = 2024-01-31 }]\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(
        capsys, "audit", str(tmp_path), "-f", "json", "--cache-dir", str(cache)
    )
    assert code == 1
    assert _json_ids(out) == ["PYSEC-2023-74"]
    cfg = tmp_path / "pyproject.toml"
    assert (
        f"pyward: warning: ignore CVE-2023-32681 ({cfg}: tool.pyward.ignore[0]) expired on "
        "2024-01-31: the run fails until it is renewed or removed; the flaw is reported again\n"
    ) in err


def test_bad_configuration_is_exit_2_with_one_line(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.28.1\n", encoding="utf-8")
    cfg = tmp_path / "pyward.toml"
    cfg.write_text('ignore = [{ id = "CVE-2023-32681" }]\n', encoding="utf-8")
    code, out, err = run_cli(capsys, "audit", str(tmp_path), "--cache-dir", str(cache))
    assert (code, out, err) == (2, "", f"pyward: error: {cfg}: ignore[0].reason: missing\n")


def test_input_errors(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.lock"
    assert run_cli(capsys, "audit", str(missing), "--cache-dir", str(cache)) == (
        2, "", f"pyward: error: {missing}: no such file or directory\n",
    )  # fmt: skip
    code, _, err = run_cli(capsys, "audit", str(WAREHOUSE), "--apply", "--cache-dir", str(cache))
    assert (code, err) == (2, "pyward: error: --apply needs --fix\n")


def test_one_unreadable_input_is_reported_and_the_rest_audited(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "uv.lock"
    bad.write_text("version = [\n", encoding="utf-8")
    out_file = tmp_path / "report.json"
    code, out, err = run_cli(
        capsys,
        "audit",
        str(bad),
        str(WAREHOUSE),
        "-f",
        "json",
        "-o",
        str(out_file),
        "-q",
        "--cache-dir",
        str(cache),
    )
    assert code == 2
    assert out == ""
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert len(doc["findings"]) == 12
    assert doc["errors"] == [
        f"{bad}: line 1: invalid TOML: unclosed array, expected `]` (column 12)"
    ]
    assert (
        err
        == f"pyward: error: {bad}: line 1: invalid TOML: unclosed array, expected `]` (column 12)\n"
    )


def test_no_advisory_data_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pyward._advisory._store.open_snapshot", lambda *a, **k: None)
    code, out, err = run_cli(capsys, "audit", str(WAREHOUSE), "--cache-dir", str(tmp_path))
    assert (code, out) == (3, "")
    assert err == (
        f"pyward: error: no advisory data: no store in {tmp_path} and no built-in snapshot; "
        "run `pyward db update`\n"
    )


def test_vex_option(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vex = tmp_path / "vex.json"
    vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2023-32681"},
                        "products": [{"@id": "pkg:pypi/requests@2.28.1"}],
                        "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = run_cli(
        capsys,
        "audit",
        str(WAREHOUSE),
        "-f",
        "json",
        "-q",
        "--vex",
        str(vex),
        "--cache-dir",
        str(cache),
    )
    doc = json.loads(out)
    assert code == 1
    assert "PYSEC-2023-74" not in _json_ids(out)
    assert [(s["id"], s["rule"]) for s in doc["suppressed"]] == [
        ("PYSEC-2023-74", f"VEX not_affected: {vex} statements[0]")
    ]
    vex.write_text('{"statements": [{"status": "not_affected"}]}', encoding="utf-8")
    argv = ("audit", str(WAREHOUSE), "--vex", str(vex), "--cache-dir", str(cache))
    assert run_cli(capsys, *argv) == (
        2, "", f"pyward: error: {vex}: statements[0].vulnerability: missing\n",
    )  # fmt: skip


def test_fix_apply_rewrites_pins(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "requirements.txt"
    shutil.copyfile(WAREHOUSE, copy)
    code, out, err = run_cli(
        capsys,
        "audit",
        "-r",
        str(copy),
        "-f",
        "json",
        "-q",
        "--fix",
        "--apply",
        "--offline",
        "--cache-dir",
        str(cache),
    )
    assert code == 1  # the report is of the state before the upgrade
    assert json.loads(out)["summary"]["findings"] == 12
    lines = err.splitlines()
    assert lines[:11] == [
        "Fix plan:",
        "  cryptography 38.0.4 -> 41.0.6 (fixes PYSEC-2023-254, PYSEC-2023-11); "
        "a new major version",
        "  urllib3 1.26.13 -> 1.26.18 (fixes PYSEC-2023-192, PYSEC-2023-212)",
        "  orjson 3.8.3 -> 3.9.15 (fixes PYSEC-2024-40)",
        "  requests 2.28.1 -> 2.31.0 (fixes PYSEC-2023-74)",
        "  idna 3.4 -> 3.7 (fixes PYSEC-2024-60)",
        "  pip 22.3.1 -> 23.3 (fixes PYSEC-2023-228); a new major version",
        "  certifi 2022.12.7 -> 2023.7.22 (fixes PYSEC-2023-135); a new major version",
        "  pygments 2.13.0 -> 2.15.1 (fixes PYSEC-2023-117)",
        "  redis 4.4.0 -> 4.4.4 (fixes PYSEC-2023-45, PYSEC-2023-46)",
        "Rewritten:",
    ]
    assert f"  {copy}:1242: requests 2.28.1 -> 2.31.0" in lines
    assert (
        f"pyward: warning: {copy}:1242: removed the --hash options of requests (they were for "
        "2.28.1); regenerate hashes (e.g. pip-compile --generate-hashes) before installing "
        "with --require-hashes"
    ) in lines
    # The corpus file itself is untouched; the rewritten copy audits clean.
    assert "requests==2.28.1 \\\n" in WAREHOUSE.read_text(encoding="utf-8")
    code, out, _ = run_cli(
        capsys, "audit", "-r", str(copy), "-f", "json", "-q", "--cache-dir", str(cache)
    )
    assert (code, _json_ids(out)) == (0, [])


def test_fix_on_a_uv_lock_prints_the_command(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys,
        "audit",
        str(LITESTAR),
        "-f",
        "json",
        "-q",
        "--fix",
        "--offline",
        "--cache-dir",
        str(cache),
    )
    assert code == 1
    assert json.loads(out)["fix_plan"][0]["name"] == "piccolo"
    assert err == "Fix plan:\n  piccolo 1.21.0: no known release fixes PYSEC-2023-241\n"
    example = Path(__file__).parent.parent / "examples" / "vulnerable-app"
    code, out, _ = run_cli(
        capsys, "audit", str(example), "-q", "--fix", "--offline", "--cache-dir", str(cache)
    )
    assert code == 1
    # The table holds the plan; --fix adds the pins to edit and the command that
    # relocks (the manifest pins them: relocking alone cannot move past a pin).
    manifest = example / "pyproject.toml"
    assert (
        "\nTo apply, edit (--fix --apply does it):\n"
        f"  {manifest}:8: requests 2.28.1 -> 2.31.0\n"
        f"  {manifest}:10: urllib3 1.26.15 -> 1.26.18\n"
        f"  {manifest}:11: werkzeug 2.2.2 -> 2.3.8\n"
        "Then run:\n"
        "  uv lock --upgrade-package 'urllib3==1.26.18' --upgrade-package 'werkzeug==2.3.8' "
        "--upgrade-package 'requests==2.31.0'\n"
        "Unchecked: urllib3 1.26.18 is an advisory's bound, not checked against the package "
        # The lock's index is under .invalid (its hosts were blanked out): passed over.
        "index's releases (no package index configured: set --index-url or "
        "PYWARD_INDEX_URL, or configure pip/uv)\n"
    ) in out


def test_explain_alias_and_reasoning(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys, "explain", "CVE-2023-32681", "Requests==2.28.1", "--cache-dir", str(cache)
    )
    assert code == 0
    assert err.startswith("pyward: warning: advisory data is ")
    lines = out.splitlines()
    assert lines[:2] == ["PYSEC-2023-74", "aliases: GHSA-j8r2-6x86-q33q, CVE-2023-32681"]
    assert lines[2].startswith("summary: Requests is a HTTP library. Since Requests 2.3.0, ")
    assert lines[2].endswith(" This issue has been patched in version 2.31.0.")
    assert "severity: unknown" in lines
    assert "  requests (PYSEC-2023-74 affected[0])" in lines
    assert "    ECOSYSTEM: introduced 2.3.0, fixed 2.31.0" in lines
    assert (
        "affected[0].ranges[1] ECOSYSTEM, events sorted by version: introduced 2.3.0, fixed 2.31.0"
        in lines
    )
    assert "  introduced 2.3.0: 2.28.1 >= 2.3.0 -> affected" in lines
    assert "  fixed 2.31.0: 2.28.1 < 2.31.0 -> unchanged (affected)" in lines
    assert lines[-1] == "verdict: requests 2.28.1 is affected; upgrade to 2.31.0 or later"
    code, out, _ = run_cli(
        capsys, "explain", "PYSEC-2023-74", "requests==2.31.0", "--cache-dir", str(cache)
    )
    assert out.splitlines()[-1] == "verdict: requests 2.31.0 is not affected"


def test_explain_errors(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "explain", "CVE-1999-0000", "--cache-dir", str(cache)) == (
        2,
        "",
        f"pyward: error: no advisory CVE-1999-0000 in the advisory data ({cache_source(cache)})\n",
    )
    assert run_cli(capsys, "explain", "PYSEC-2023-74", "requests", "--cache-dir", str(cache)) == (
        2, "", "pyward: error: expected PACKAGE==VERSION, got 'requests'\n",
    )  # fmt: skip


def cache_source(cache: Path) -> str:
    from pyward._advisory import AdvisoryStore

    return AdvisoryStore.open(cache).info.source


def test_collector_threshold_is_raised_for_the_run_and_restored(
    cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from pyward._commands import audit as audit_command

    seen: list[tuple[int, int, int]] = []
    real_run = audit_command.run

    def run(args: object, settings: object) -> int:
        seen.append(gc.get_threshold())
        return real_run(args, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(audit_command, "run", run)
    before = gc.get_threshold()
    assert main(["audit", str(WAREHOUSE), "--cache-dir", str(cache), "-q", "-f", "json"]) == 1
    assert seen == [(200_000, 30, 30)]
    assert gc.get_threshold() == before
    capsys.readouterr()


def test_python_from_inside_a_project_directory(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11 item 5: `.` is the default target, never a directory given with --python.
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /nowhere\nversion = 3.11.9\n", encoding="utf-8")
    (site / "six-1.16.0.dist-info").mkdir()
    (site / "six-1.16.0.dist-info" / "METADATA").write_text(
        "Name: six\nVersion: 1.16.0\n", encoding="utf-8"
    )
    (venv / "bin").mkdir()
    (venv / "bin" / "python").write_text("", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["six"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(project)
    for command in ("audit", "sbom"):
        extra = ("-f", "json") if command == "audit" else ()
        code, out, err = run_cli(
            capsys, command, "--python", str(venv / "bin" / "python"), *extra, "-q",
            "--cache-dir", str(cache),
        )  # fmt: skip
        assert (code, err) == (0, "")
        if command == "audit":
            doc = json.loads(out)
            assert [(i["source"], i["components"]) for i in doc["inventories"]] == [
                (str(venv / "bin" / "python"), 1)
            ]


NOTHING = (
    "nothing was audited: 0 packages with a version to check, 2 not audited (2 not "
    "pinned); lock the project (uv lock, poetry lock, pdm lock or pip-compile) and audit "
    "the lock file, or audit its environment; --strict fails such a run"
)


def test_a_zero_package_audit_says_so_and_strict_fails_it(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11 item 6: a pyproject.toml of ranges passed with "0 packages" and exit 0.
    project = tmp_path / "project"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["six", "uv>=0.4"]\n',
        encoding="utf-8",
    )
    base = ("audit", str(project), "--cache-dir", str(cache))
    code, out, err = run_cli(capsys, *base)
    assert code == 0
    assert f"pyward: warning: {NOTHING}\n" in err
    assert "nothing was audited: 0 packages with a version to check" in out
    code, out, err = run_cli(capsys, *base, "-f", "json")
    assert code == 0
    assert json.loads(out)["warnings"][-1] == NOTHING
    code, out, err = run_cli(capsys, *base, "-f", "json", "--strict")
    assert code == 1
    doc = json.loads(out)
    assert doc["warnings"][-1] == "strict: 2 packages could not be audited: the run fails"
    assert doc["summary"]["failed"] is True
    pyproject.write_text(pyproject.read_text() + "[tool.pyward]\nstrict = true\n")
    code, out, err = run_cli(capsys, *base, "-q")
    assert (code, err) == (1, "")
    code, out, err = run_cli(
        capsys, "sbom", str(project), "--with-vulnerabilities", "--cache-dir", str(cache)
    )
    assert code == 0
    assert f"pyward: warning: {NOTHING}\n" in err


def test_config_warnings_reach_the_json_report(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11, item 15: an unknown key was only said on stderr.
    (tmp_path / "requirements.txt").write_text("requests==2.28.1\n", encoding="utf-8")
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[project]\nname = "app"\n\n[tool.pyward]\nfial-on = "high"\n', "utf-8")
    code, out, err = run_cli(
        capsys, "audit", str(tmp_path), "-f", "json", "--cache-dir", str(cache)
    )
    assert code == 1
    message = (
        f"{cfg}: tool.pyward.fial-on: unknown key (known: fail-on, unknown-severity, ignore, "
        "format, vex, advisory-url, strict, fail-on-kinds, checks, index-url, index-ttl, "
        "unmaintained-years, policy, release-check, advisory); ignored"
    )
    assert json.loads(out)["warnings"][0] == message
    assert err.count(message) == 1


def test_config_warnings_are_said_before_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[project]\nname = "app"\n\n[tool.pyward]\nfial-on = "high"\n', "utf-8")
    missing = tmp_path / "missing.txt"
    code, out, err = run_cli(capsys, "audit", str(missing))
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"pyward: warning: {cfg}: tool.pyward.fial-on: unknown key (known: fail-on, "
        "unknown-severity, ignore, format, vex, advisory-url, strict, fail-on-kinds, checks, "
        "index-url, index-ttl, unmaintained-years, policy, release-check, advisory); ignored",
        f"pyward: error: {missing}: no such file or directory",
    ]
