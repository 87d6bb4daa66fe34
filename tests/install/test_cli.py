"""``pyward install`` for real: pip resolves from a loopback index of wheels built in the
test, the policy is checked, and the set is installed into a fresh virtual environment
or a ``--target`` directory, or refused with nothing installed."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from pyward._advisory._sync import update
from tests.conftest import run_cli
from tests.install._wheels import Dist, build_wheels, wheel_index
from tests.install.conftest import installed

#: An advisory on demo-bad 2.0 (every version before 3.0).
RECORD = {
    "schema_version": "1.6.0",
    "id": "PYSEC-2099-77",
    "modified": "2024-01-01T00:00:00Z",
    "published": "2024-01-01T00:00:00Z",
    "summary": "demo-bad runs arbitrary code",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo-bad"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0"}]}],
        }
    ],
}

#: A malicious-package record for demo-evil 1.0, as ossf/malicious-packages lays it out.
MALICIOUS = {
    "schema_version": "1.5.0",
    "id": "MAL-2099-1",
    "modified": "2024-01-01T00:00:00Z",
    "published": "2024-01-01T00:00:00Z",
    "summary": "Malicious code in demo-evil (PyPI)",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-evil"}, "versions": ["1.0"]}],
}

#: The policy of these tests: the built-in default rules (a table to add rules to).
POLICY = "[policy]\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory whose store holds :data:`RECORD` (``db update`` from a directory)."""
    records = tmp_path_factory.mktemp("records")
    (records / "PYSEC-2099-77.json").write_text(json.dumps(RECORD))
    directory = tmp_path_factory.mktemp("store")
    update(str(records), directory)
    return directory


@pytest.fixture(scope="module")
def malicious_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory whose store holds :data:`MALICIOUS` (``db update`` from a
    directory laid out like ossf/malicious-packages)."""
    records = tmp_path_factory.mktemp("ossf")
    ossf = records / "osv" / "malicious" / "pypi" / "demo-evil"
    ossf.mkdir(parents=True)
    (ossf / "MAL-2099-1.json").write_text(json.dumps(MALICIOUS))
    directory = tmp_path_factory.mktemp("malicious-store")
    update(str(records), directory)
    return directory


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, online: None) -> Path:
    """The policy file; the working directory is a fresh one (no project configuration),
    and the checks ask the loopback index (``online``)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    path = tmp_path / "policy.toml"
    path.write_text(POLICY)
    return path


def pyward_install(
    capsys: pytest.CaptureFixture[str], store: Path, policy: Path, *argv: str | Path
) -> tuple[int, str, str]:
    return run_cli(
        capsys,
        "install",
        "--cache-dir",
        str(store),
        "--policy",
        str(policy),
        *(str(a) for a in argv),
    )


def site_packages(python: Path) -> Path:
    found = list(python.parent.parent.glob("lib/python*/site-packages"))
    assert len(found) == 1
    return found[0]


def test_a_passing_set_is_installed_into_a_venv(
    venv: Path, index: str, store: Path, policy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("--python", venv, "demo-app", "-i", index)
    code, out, err = pyward_install(capsys, store, policy, *argv)
    assert code == 0, err
    assert "No policy violation in 2 packages" in out
    assert "Passed: no finding that breaks the policy" in out
    assert "pyward: installing demo-app 1.0, demo-lib 1.2: pinned with their checked hashes" in err
    assert f"pyward: installed 2 checked package(s) into the environment of {venv}" in err
    got = installed(venv)
    assert (got["demo-app"], got["demo-lib"]) == ("1.0", "1.2")
    site = site_packages(venv)
    assert (site / "demo_app" / "__init__.py").read_text() == (
        '"""demo-app."""\n\nVERSION = "1.0"\n'
    )
    assert (site / "demo_lib-1.2.dist-info" / "RECORD").is_file()
    # Asked again, pip has nothing left to install.
    code, _, err = pyward_install(capsys, store, policy, *argv)
    assert code == 0, err
    assert "pyward: nothing to install: every requirement is already satisfied" in err


def test_a_violation_installs_nothing_in_a_venv(
    venv: Path, index: str, store: Path, policy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = installed(venv)
    code, out, err = pyward_install(
        capsys, store, policy, "--python", venv, "demo-bad", "demo-tool", "-i", index
    )
    assert code == 1, err
    assert "PYSEC-2099-77" in out
    assert err.endswith(
        "pyward: refused: the resolution does not pass the policy; nothing was installed\n"
    )
    assert "installing" not in err
    assert installed(venv) == before
    assert not (site_packages(venv) / "demo_tool").exists()


def test_target_directory_and_json_output(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "site"
    code, out, err = pyward_install(
        capsys, store, policy, "-f", "json", "--", "demo-app", "-i", index, "--target", target
    )
    assert code == 0, err
    # stdout is the report alone: pip's own output went to stderr.
    report = json.loads(out)
    assert report["summary"]["failed"] is False
    assert [c["name"] for c in report["components"]] == ["demo-app", "demo-lib"]
    assert sorted(p.name for p in target.iterdir()) == [
        "demo_app",
        "demo_app-1.0.dist-info",
        "demo_lib",
        "demo_lib-1.2.dist-info",
    ]
    assert f"pyward: installed 2 checked package(s) into {target}" in err
    assert "Successfully installed demo-app-1.0 demo-lib-1.2" in err
    # With --quiet, neither pyward's notices nor pip's progress.
    code, out, err = pyward_install(
        capsys, store, policy, "-q", "demo-tool", "-i", index, "-t", tmp_path / "quiet"
    )
    assert code == 0, err
    assert err == ""
    assert (tmp_path / "quiet" / "demo_tool").is_dir()


@pytest.mark.parametrize(
    ("rules", "args", "found"),
    [
        # A known vulnerability.
        ("", ("demo-bad",), "PYSEC-2099-77"),
        # A release an OSV MAL record names (the store of ossf/malicious-packages' layout).
        ("", ("demo-evil",), "MAL-2099-1"),
        # A deny-list entry.
        ('packages = { deny = ["demo-tool"] }', ("demo-tool",), "package:demo-tool@0.5"),
        # demo-lib's licence, from the License-Expression of its wheel in pip's report.
        ('licenses = { allow = ["MIT"] }', ("demo-app",), "license:demo-lib@1.2"),
        # The name is one keystroke from a popular project's.
        ("", ("reqeusts",), "typosquat:reqeusts@2.0"),
    ],
)
def test_policy_rules_refuse_the_resolution(
    rules: str,
    args: tuple[str, ...],
    found: str,
    *,
    index: str,
    store: Path,
    malicious_store: Path,
    policy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if found.startswith("MAL-"):
        store = malicious_store
    policy.write_text(f"{POLICY}{rules}\n")
    target = tmp_path / "site"
    code, out, err = pyward_install(
        capsys, store, policy, "-f", "json", *args, "-i", index, "-t", target
    )
    assert code == 1, err
    assert found in [f["id"] for f in json.loads(out)["findings"]]
    assert "pyward: refused: the resolution does not pass the policy" in err
    assert not target.exists()


def test_a_release_younger_than_the_cooldown_is_refused(
    store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The index says the file was uploaded an hour ago: the cooldown (7 days) refuses it,
    # from the index's upload time (pip's report records none).
    import datetime as dt

    served = tmp_path / "served"
    build_wheels(served, [Dist(name="demo-fresh", version="1.0")])
    hour_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    target = tmp_path / "site"
    with wheel_index(served, upload_time=hour_ago.strftime("%Y-%m-%dT%H:%M:%SZ")) as url:
        code, out, err = pyward_install(
            capsys, store, policy, "-f", "json", "demo-fresh", "-i", url, "-t", target
        )
    assert code == 1, err
    assert "cooldown:demo-fresh@1.0" in [f["id"] for f in json.loads(out)["findings"]]
    assert not target.exists()


def test_dry_run_checks_and_installs_nothing(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "site"
    code, _, err = pyward_install(
        capsys, store, policy, "--dry-run", "demo-app", "-i", index, "-t", target
    )
    assert code == 0, err
    assert (
        "pyward: would install demo-app 1.0, demo-lib 1.2: pinned with their checked hashes"
    ) in err
    assert not target.exists()


def test_a_policy_that_cannot_be_read_installs_nothing_and_runs_no_pip(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy.write_text("[policy]\ncooldown = { days = -1 }\n")
    target = tmp_path / "site"
    # An index that answers nothing: had pip run, its error would be the one shown.
    code, _, err = pyward_install(
        capsys, store, policy, "demo-app", "-i", "http://127.0.0.1:9/simple/", "-t", target
    )
    assert code == 2
    assert err.startswith(f"pyward: error: {policy}: policy.cooldown.days: "), err
    assert not target.exists()


def test_a_missing_policy_file(
    store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pyward_install(capsys, store, tmp_path / "nope.toml", "demo-app")
    assert code == 2
    assert err == f"pyward: error: --policy: {tmp_path / 'nope.toml'}: no such policy file\n"


def test_requirement_files_and_the_index_before_args(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pip's -r and pyward's --index-url before ARGS: pip resolves from that index too.
    requirements = tmp_path / "requirements.in"
    requirements.write_text("demo-tool\n")
    target = tmp_path / "site"
    argv = ("-f", "json", "--index-url", index, "-r", requirements, "--", "-t", target)
    code, out, err = pyward_install(capsys, store, policy, *argv)
    assert code == 0, err
    (inventory,) = json.loads(out)["inventories"]
    assert inventory["source"] == f"pip install -r {requirements} --index-url {index} -t {target}"
    assert inventory["format"] == "pip-report"
    assert (target / "demo_tool" / "__init__.py").is_file()


def test_index_credentials_are_not_shown(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The loopback index ignores the credentials; the report and messages never show them.
    secret_index = index.replace("http://", "http://user:s3cret@")
    argv = ("-f", "json", "demo-tool", "-i", secret_index, "-t", tmp_path / "site")
    code, out, err = pyward_install(capsys, store, policy, *argv)
    assert code == 0, err
    assert "s3cret" not in out
    assert "s3cret" not in err
    (inventory,) = json.loads(out)["inventories"]
    assert inventory["source"].startswith("pip install demo-tool -i http://***@127.0.0.1:")


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")
def test_uv_resolves_pip_installs(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "site"
    code, out, err = pyward_install(
        capsys, store, policy, "--installer", "uv", "demo-app", "-i", index, "-t", target
    )
    assert code == 0, err
    assert "uv pip compile demo-app -i" in out
    assert (target / "demo_lib" / "__init__.py").is_file()
    code, out, err = pyward_install(
        capsys, store, policy, "--installer", "uv", "demo-bad", "-i", index, "-t", tmp_path / "t2"
    )
    assert code == 1
    assert "PYSEC-2099-77" in out
    assert not (tmp_path / "t2").exists()


def local_project(directory: Path) -> Path:
    """A project directory (hatchling builds it: the venv running the tests has it)."""
    project = directory / "demo-local"
    (project / "demo_local").mkdir(parents=True)
    (project / "demo_local" / "__init__.py").write_text('"""demo-local."""\n')
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "demo-local"\nversion = "0.3"\ndependencies = ["demo-lib"]\n'
    )
    return project


def test_a_directory_is_installed_by_its_reference(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = local_project(tmp_path)
    target = tmp_path / "site"
    code, _, err = pyward_install(
        capsys,
        store,
        policy,
        "--python",
        sys.executable,
        "--",
        project,
        "-i",
        index,
        "--no-build-isolation",
        "-t",
        target,
    )
    assert code == 0, err
    assert "pyward: installing demo-lib 1.2: pinned with their checked hashes" in err
    assert (
        f"pyward: installing demo-local @ {project.as_uri()} by its exact reference "
        "(no hash to require)"
    ) in err
    assert (target / "demo_local" / "__init__.py").is_file()
    assert (target / "demo_lib-1.2.dist-info").is_dir()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "pyward install: name what to install (a requirement, -r FILE or -e REF)"),
        (("--", "-i", "http://127.0.0.1:9/simple/"), "pyward install: name what to install"),
        (("demo-app", "--frobnicate"), "pyward install: pip option '--frobnicate' is not one"),
        (("demo-app", "--report", "r.json"), "pyward install: --report is not passed to pip"),
    ],
)
def test_usage_errors(
    argv: tuple[str, ...],
    message: str,
    store: Path,
    policy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = pyward_install(capsys, store, policy, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(f"pyward: error: {message}"), err


def test_a_resolution_pip_cannot_make(
    index: str, store: Path, policy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pyward_install(capsys, store, policy, "demo-missing", "-i", index)
    assert code == 2
    assert out == ""
    assert (
        "pyward: error: pip could not resolve the requirements; nothing was installed (exit 1): "
    ) in err


def test_the_wheels_fixture_serves_what_it_built(wheels: Path, tmp_path: Path) -> None:
    # The index serves a wheel that appears after it started (a test rebuilds one).
    build_wheels(tmp_path, [Dist(name="demo-late", version="0.1")])
    with wheel_index(tmp_path) as url:
        import httpx

        page = httpx.get(f"{url}demo-late/").text
    assert "demo_late-0.1-py3-none-any.whl#sha256=" in page
    assert sorted(p.name for p in wheels.glob("demo_app-*")) == ["demo_app-1.0-py3-none-any.whl"]


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")
def test_uv_and_a_directory(
    index: str, store: Path, policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # uv's output writes the directory as a URL requirement: not audited (the report
    # says so), installed by its reference. The working directory is tmp_path.
    local_project(tmp_path)
    target = tmp_path / "site"
    argv = ("--installer", "uv", "--python", sys.executable, "--", "./demo-local", "-i", index)
    code, out, err = pyward_install(
        capsys, store, policy, *argv, "--no-build-isolation", "-t", target
    )
    assert code == 0, err
    assert "1 not audited" in out
    assert "pyward: installing demo-lib 1.2: pinned with their checked hashes" in err
    assert "by its exact reference (no hash to require)" in err
    assert (target / "demo_local" / "__init__.py").is_file()
