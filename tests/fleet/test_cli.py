"""``pyward fleet`` end to end: exit codes, formats, options checked once, progress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyward._fleet._render import FORMATS
from tests.conftest import run_cli
from tests.fleet._tree import build_tree

SAFE = "idna==3.7\n"
VULNERABLE = "requests==2.19.0\n"


def tree(root: Path, **projects: str) -> Path:
    for name, text in projects.items():
        (root / name).mkdir(parents=True)
        (root / name / "requirements.txt").write_text(text)
    return root


def fleet(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code, out, err = run_cli(capsys, "fleet", *argv)
    assert "Traceback" not in err
    assert "internal error" not in err + out
    return code, out, err


def test_exit_0_when_every_project_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(tmp_path, a=SAFE, b=SAFE)
    code, out, err = fleet(capsys, "audit", str(tmp_path), "--offline", "-f", "json", "-j", "2")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["totals"]["projects"] == 2
    assert report["totals"]["audited"] == 2


def test_exit_1_when_a_project_fails_its_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(tmp_path, a=SAFE, b=VULNERABLE)
    code, out, _ = fleet(capsys, "audit", str(tmp_path), "--offline", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["totals"]["findings"] > 0
    # A threshold above every finding passes it.
    code, _, _ = fleet(
        capsys, "audit", str(tmp_path), "--offline", "-f", "json", "--fail-on-kind", "none"
    )
    assert code == 0


def test_exit_2_after_writing_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(tmp_path / "t", a=SAFE, b=VULNERABLE)
    (tmp_path / "t" / "c").mkdir()
    (tmp_path / "t" / "c" / "uv.lock").write_text("version = [[[\n")
    out_file = tmp_path / "fleet.json"
    code, out, _ = fleet(
        capsys,
        "audit",
        str(tmp_path / "t"),
        str(tmp_path / "gone"),
        "--offline",
        "-f",
        "json",
        "-o",
        str(out_file),
    )
    assert code == 2
    assert out == ""
    report = json.loads(out_file.read_text())
    assert report["totals"]["projects"] == 4
    assert report["totals"]["failed"] == 2


def test_no_advisory_data_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyward._advisory import _store

    monkeypatch.setattr(_store, "open_snapshot", lambda directory: None)
    monkeypatch.setenv("PYWARD_CACHE_DIR", str(tmp_path / "empty"))
    tree(tmp_path / "t", a=SAFE)
    code, out, err = fleet(capsys, "audit", str(tmp_path / "t"), "--offline")
    assert code == 3
    assert out == ""
    assert err.startswith("pyward: error: no advisory data")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit", "--fail-on", "bogus"], "--fail-on"),
        (["audit", "--policy", "p.toml"], "unrecognized arguments: --policy"),
        (["audit", "--checks", "nope"], "nope"),
        (["audit", "--offline", "--refresh"], "contradict"),
        (["audit", "--jobs", "0"], "--jobs must be at least 1"),
        (["audit", "--timeout", "0"], "--timeout must be a positive"),
        (["audit", "--dask", "tcp://127.0.0.1:9", "--timeout", "5"], "local processes only"),
    ],
)
def test_bad_options_are_one_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    tree(tmp_path, a=SAFE)
    code, out, err = fleet(capsys, argv[0], str(tmp_path), *argv[1:])
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert message in err


def test_nothing_found_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = fleet(capsys, "audit", str(tmp_path / "empty"))
    assert (code, out) == (2, "")
    assert err == f"pyward: error: no projects found in {tmp_path / 'empty'}\n"
    code, _, err = fleet(capsys, "audit")
    assert code == 2
    assert "--from FILE" in err


def test_from_file_and_check_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree(tmp_path / "repos", a=SAFE, b=VULNERABLE)
    listing = tmp_path / "fleet.txt"
    listing.write_text("# all of them\nrepos/a\nrepos/b\n")
    code, out, _ = fleet(capsys, "status", "--from", str(listing), "--offline", "-f", "json")
    assert code == 0
    report = json.loads(out)
    assert report["run"]["command"] == "status"
    assert [(p["project"], p["state"]) for p in report["projects"]] == [
        ("repos/a", "audited"),
        ("repos/b", "audited"),
    ]
    policy = tmp_path / "policy.toml"
    policy.write_text("[packages]\ndeny = ['requests']\n")
    code, out, _ = fleet(
        capsys, "check", "--from", str(listing), "--offline", "--policy", str(policy), "-f", "json"
    )
    assert code == 1
    report = json.loads(out)
    assert report["run"]["command"] == "check"
    denied = {
        p["project"]: "package:requests@2.19.0" in [f["id"] for f in p["findings"]]
        for p in report["projects"]
        if p["state"] == "audited"
    }
    assert denied == {"repos/a": False, "repos/b": True}


def test_warm_cache_gives_the_same_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_tree(tmp_path / "t", 6)
    argv = ("audit", str(tmp_path / "t"), "--offline", "-f", "json", "-j", "2")
    code1, cold, _ = fleet(capsys, *argv)
    code2, warm, _ = fleet(capsys, *argv)
    assert code1 == code2
    cold_doc, warm_doc = json.loads(cold), json.loads(warm)
    assert warm_doc["run"]["cached"] == sorted(p["project"] for p in cold_doc["projects"])
    for doc in (cold_doc, warm_doc):
        doc["run"].pop("cached")
        doc["run"].pop("generated", None)
    assert cold_doc == warm_doc
    _, nocache, _ = fleet(capsys, *argv, "--no-cache")
    assert json.loads(nocache)["run"]["cached"] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    tree(tmp_path, a=SAFE, b=VULNERABLE)
    code, out, err = fleet(capsys, "audit", str(tmp_path), "--offline", "-f", fmt, "-j", "1")
    assert code == 1, err
    assert "requests" in out


def test_no_progress_when_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(tmp_path, a=SAFE)
    _, _, err = fleet(capsys, "audit", str(tmp_path), "--offline", "-f", "json")
    assert err == ""


def test_progress_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    tree(tmp_path, a=SAFE, b=SAFE)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _, _, err = fleet(capsys, "audit", str(tmp_path), "--offline", "-f", "json", "-j", "1")
    assert "fleet: 2/2 projects, 0 cached, 0 failed" in err
    _, _, err = fleet(capsys, "audit", str(tmp_path), "--offline", "-f", "json", "-q")
    assert err == ""


def test_pages_one_per_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree(tmp_path / "t", a=SAFE, b=VULNERABLE)
    pages = tmp_path / "pages"
    code, out, _ = fleet(
        capsys, "audit", str(tmp_path / "t"), "--offline", "-f", "json", "--pages", str(pages)
    )
    assert code == 1
    written = {p["project"]: p["page"] for p in json.loads(out)["projects"]}
    assert sorted(p.name for p in pages.iterdir()) == sorted(written.values())
    assert "requests" in (pages / written[f"{tmp_path}/t/b"]).read_text()


def test_a_policy_url_is_passed_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from pyward._commands.fleet import add_arguments, project_argv

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    monkeypatch.chdir(tmp_path)
    args = parser.parse_args(
        ["check", ".", "--policy", "https://policy.invalid/p.toml", "--vex", "v.json"]
    )
    assert project_argv(args) == (
        "--vex",
        str(tmp_path / "v.json"),
        "--policy",
        "https://policy.invalid/p.toml",
    )


def test_pages_link_advisories_as_the_project_s_own_audit_does(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A project's page links an advisory whose records name no page (PYSEC-2024-60)
    where ``pyward audit --format html`` there would: the project's configured
    ``advisory-url``, else ``PYWARD_ADVISORY_URL``."""
    from tests.conftest import store_of

    monkeypatch.setenv("PYWARD_CACHE_DIR", str(store_of(tmp_path_factory, ("idna",))))
    monkeypatch.setenv("PYWARD_ADVISORY_URL", "https://env.example.invalid/{id}")
    tree(tmp_path / "t", env="idna==3.4\n", conf="idna==3.4\n")
    for name in ("env", "conf"):
        (tmp_path / "t" / name / ".git").mkdir()  # the configuration search stops here
    (tmp_path / "t" / "conf" / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.pyward]\n'
        'advisory-url = "https://config.example.invalid/a/{id}"\n'
    )
    pages = tmp_path / "pages"
    _, out, _ = fleet(
        capsys, "audit", str(tmp_path / "t"), "--offline", "-f", "json", "--pages", str(pages)
    )
    written = {p["project"]: p["page"] for p in json.loads(out)["projects"]}
    env = (pages / written[f"{tmp_path}/t/env"]).read_text()
    conf = (pages / written[f"{tmp_path}/t/conf"]).read_text()
    assert 'href="https://env.example.invalid/PYSEC-2024-60"' in env
    assert 'href="https://config.example.invalid/a/PYSEC-2024-60"' in conf
