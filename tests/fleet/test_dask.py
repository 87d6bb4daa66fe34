"""The fleet on a Dask cluster: a ``LocalCluster`` on the loopback interface gives the
same results as the serial runner, byte for byte after sorting."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from pyward._fleet import _dask
from pyward._fleet._dask import DaskRunner, JobFile, Returned, Shipment, remote_environ, ship
from pyward._fleet._model import FleetJob, Project, ProjectResult
from pyward._fleet._runner import SerialRunner
from pyward.errors import NetworkError
from tests.conftest import CORPUS, run_cli

distributed = pytest.importorskip("distributed")

#: One project per format: a directory, or the file itself when its name is not one a
#: directory is searched for.
SOURCES = {
    "uv": ("uv/flask/uv.lock", False),
    "poetry": ("poetry/saleor-2020/poetry.lock", False),
    "pdm": ("pdm/pdm/pdm.lock", False),
    "pipenv": ("pipenv/httpbin-2018/Pipfile.lock", False),
    "pylock": ("pylock/pdm-demo-fixture/pylock.toml", False),
    "requirements": ("requirements/ctfd-2019/requirements.txt", False),
    "hashes": ("requirements-hashes/warehouse-2022/main.txt", True),
    "cyclonedx": ("sbom-cyclonedx/sbom4python/sbom4python.cdx.json", True),
    "spdx": ("sbom-spdx/sbom4python/sbom4python.spdx.json", True),
}

JOB = FleetJob(command="audit", argv=("--offline",))


def _project(root: Path, name: str, source: str, as_file: bool) -> Project:
    directory = root / name
    directory.mkdir(parents=True)
    copy = directory / Path(source).name
    shutil.copyfile(CORPUS / source, copy)
    target = copy if as_file else directory
    return Project(id=f"repos/{name}", target=str(target), inputs=(str(copy),))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two worker processes, one thread each, on 127.0.0.1; their own empty store (the
    built-in snapshot serves, as for the serial runner) and no user cache or home."""
    import dask

    env = {
        "PYWARD_CACHE_DIR": str(tmp_path_factory.mktemp("worker-cache")),
        "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("worker-xdg")),
        "HOME": str(tmp_path_factory.mktemp("worker-home")),
    }
    # A task whose worker dies twice is given up (the default waits for four deaths).
    with (
        pytest.MonkeyPatch.context() as mp,
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
    ):
        for key, value in env.items():
            mp.setenv(key, value)
        with distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            # The scheduler serves HTTP (health, metrics) even with no dashboard, by
            # default on port 8787: a free port on the loopback interface instead, so
            # that two clusters (another test's) never collide.
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
        ) as local:
            yield local.scheduler_address


def _json(results: Sequence[ProjectResult]) -> str:
    ordered = sorted(results, key=lambda r: r.project)
    return json.dumps([r.to_json() for r in ordered], indent=1, sort_keys=True)


def _both(projects: Sequence[Project], job: FleetJob, address: str) -> tuple[str, str, str]:
    with SerialRunner() as serial:
        local = _json(list(serial.run(projects, job)))
    with DaskRunner(address) as runner:
        remote = _json(list(runner.run(projects, job)))
        description = runner.description
    return local, remote, description


def test_every_format_equals_the_serial_run(tmp_path: Path, cluster: str) -> None:
    projects = [_project(tmp_path, n, s, f) for n, (s, f) in SOURCES.items()]
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "uv.lock").write_text('version = 1\n[[package]]\nname = "a"\nversion = [\n')
    projects.append(
        Project(id="repos/corrupt", target=str(corrupt), inputs=(str(corrupt / "uv.lock"),))
    )

    local, remote, description = _both(projects, JOB, cluster)

    assert remote == local
    assert description == f"Dask at {cluster} (2 workers)"
    results = {r["project"]: r for r in json.loads(local)}
    assert len(results) == len(SOURCES) + 1
    assert all(results[f"repos/{n}"]["state"] == "audited" for n in SOURCES)
    assert results["repos/poetry"]["findings"]  # a real audit, not empty results
    failed = results["repos/corrupt"]
    assert failed["state"] == "failed"
    # The project's own path, not the worker's copy.
    assert failed["error"].startswith(f"{corrupt / 'uv.lock'}:")
    assert tmp_path.as_posix() not in json.dumps(results["repos/poetry"]["inputs"])


def test_the_fleet_report_equals_the_local_one(
    tmp_path: Path, cluster: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repos"
    for name, (source, _) in SOURCES.items():
        _project(root, name, source, False)
    (root / "broken").mkdir()
    (root / "broken" / "poetry.lock").write_text("[[package]]\nname = 1\n")
    common = ("fleet", "audit", str(root), "--offline", "--no-cache", "-q", "-f", "json")

    local_code, local_out, local_err = run_cli(capsys, *common, "-j", "1")
    code, out, err = run_cli(capsys, *common, "--dask", cluster)

    assert (code, err) == (local_code, local_err)
    assert code == 2  # the broken project, after the report was written
    local, remote = json.loads(local_out), json.loads(out)
    assert remote.pop("run")["runner"] == f"Dask at {cluster} (2 workers)"
    local.pop("run")
    assert remote == local
    # Every project but the one whose file (main.txt) is no name discovery looks for.
    assert remote["totals"]["projects"] == len(SOURCES)
    assert remote["totals"]["failed"] == 1


def test_a_bad_address_on_the_command_line_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, "app", SOURCES["uv"][0], False)
    code, out, err = run_cli(
        capsys, "fleet", "audit", str(tmp_path), "--offline", "--dask", "nonsense://x:1"
    )
    assert (code, out) == (2, "")
    assert err.startswith("pyward: error: --dask nonsense://x:1: cannot reach the Dask scheduler")
    assert err.count("\n") == 1


def test_configuration_in_the_project_and_on_the_command_line(tmp_path: Path, cluster: str) -> None:
    project = _project(tmp_path, "app", "poetry/saleor-2020/poetry.lock", False)
    with SerialRunner() as serial:
        (plain,) = serial.run([project], JOB)
    first, second = plain.findings[0].id, plain.findings[-1].id
    config = tmp_path / "app" / "pyward.toml"
    config.write_text(f'ignore = [{{ id = "{first}", reason = "test" }}]\n')
    # A configuration named on the command line is a file of the client's: it travels
    # with the tasks, and messages name it as given.
    (tmp_path / "shared").mkdir()
    extra = tmp_path / "shared" / "pyward.toml"
    extra.write_text(f'ignore = [{{ id = "{second}", reason = "test" }}]\n')
    with_config = Project(
        id=project.id, target=project.target, inputs=(*project.inputs, str(config))
    )

    local, remote, _ = _both([with_config], JOB, cluster)
    assert remote == local
    (result,) = json.loads(local)
    assert result["suppressed"] >= 1

    job = FleetJob(command="audit", argv=("--offline", "--config", str(extra)))
    local, remote, _ = _both([project], job, cluster)
    assert remote == local
    (result,) = json.loads(local)
    assert result["suppressed"] >= 1
    assert second not in {f["id"] for f in result["findings"]}


def test_pages_equal_the_local_ones(tmp_path: Path, cluster: str) -> None:
    projects = [_project(tmp_path / "p", n, SOURCES[n][0], False) for n in ("uv", "pipenv")]
    pages_local, pages_remote = tmp_path / "local", tmp_path / "remote"
    pages_local.mkdir()
    pages_remote.mkdir()
    env = (("SOURCE_DATE_EPOCH", "1700000000"),)
    with SerialRunner() as serial:
        local = list(
            serial.run(
                projects,
                FleetJob(command="audit", argv=("--offline",), environ=env, pages=str(pages_local)),
            )
        )
    with DaskRunner(cluster) as runner:
        remote = list(
            runner.run(
                projects,
                FleetJob(
                    command="audit", argv=("--offline",), environ=env, pages=str(pages_remote)
                ),
            )
        )
    assert _json(remote) == _json(local)
    names = sorted(p.name for p in pages_local.iterdir())
    assert len(names) == 2
    assert sorted(p.name for p in pages_remote.iterdir()) == names
    for name in names:
        assert (pages_remote / name).read_bytes() == (pages_local / name).read_bytes()


def test_a_large_project_travels_on_its_own(tmp_path: Path, cluster: str) -> None:
    # Above the bytes a task carries in its arguments: scattered to the cluster first.
    big = tmp_path / "big"
    big.mkdir()
    padding = "# padding to make the file larger than a batch\n" * 120_000
    (big / "requirements.txt").write_text(f"requests==2.19.0\n{padding}idna==2.7\n")
    small = _project(tmp_path, "small", SOURCES["uv"][0], False)
    projects = [
        Project(id="big", target=str(big), inputs=(str(big / "requirements.txt"),)),
        small,
    ]
    assert (big / "requirements.txt").stat().st_size > 4 * 1024 * 1024

    local, remote, _ = _both(projects, JOB, cluster)

    assert remote == local
    results = {r["project"]: r for r in json.loads(local)}
    assert results["big"]["state"] == "audited"
    assert results["big"]["components"] == 2


def test_an_environment_is_refused_with_the_reason(tmp_path: Path, cluster: str) -> None:
    project = Project(id="venv", target=str(tmp_path / ".venv"), environment=True)
    with DaskRunner(cluster) as runner:
        (result,) = runner.run([project], JOB)
    assert result.state == "failed"
    assert result.error == (
        f"{tmp_path / '.venv'}: an installed environment cannot be shipped to a Dask "
        "worker; audit it on its own machine (pyward audit, or pyward fleet without --dask)"
    )


def test_a_project_above_the_size_cap_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, "big", "uv/flask/uv.lock", False)
    result = ship(project, {}, limit=1000)
    assert isinstance(result, ProjectResult)
    assert result.state == "failed"
    assert result.error == (
        f"{project.target}: its inputs hold more than 1000 bytes, the most shipped to a "
        "Dask worker; audit it without --dask"
    )


def test_unreadable_input_is_a_failed_result(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "uv.lock"
    project = Project(id="gone", target=str(tmp_path / "gone"), inputs=(str(missing),))
    (tmp_path / "gone").mkdir()
    result = ship(project, {})
    assert isinstance(result, ProjectResult)
    assert (
        result.error
        == f"{missing}: cannot be read to ship to a Dask worker: No such file or directory"
    )


def test_shipment_layout_and_variables(tmp_path: Path) -> None:
    (tmp_path / "repo" / "svc").mkdir(parents=True)
    config = tmp_path / "repo" / "pyward.toml"
    config.write_text("")
    lock = tmp_path / "repo" / "svc" / "requirements.txt"
    lock.write_text("requests==${REQ_VERSION}\nidna==3.4 ${UNSET_VAR}\n")
    project = Project(id="svc", target=str(lock.parent), inputs=(str(config), str(lock)))
    shipment = ship(project, {"REQ_VERSION": "2.0.0", "HOME": "/home/me"})
    assert isinstance(shipment, Shipment)
    assert shipment.root == str(tmp_path / "repo")
    assert shipment.target == "svc"
    assert [rel for rel, _ in shipment.files] == ["pyward.toml", "svc/requirements.txt"]
    assert shipment.variables == (("REQ_VERSION", "2.0.0"),)


def test_only_result_deciding_settings_travel() -> None:
    environ = {
        "PYWARD_OFFLINE": "1",
        "PYWARD_CACHE_DIR": "/client/cache",
        "PYWARD_DEBUG": "1",
        "PIP_INDEX_URL": "https://index.invalid/simple/",
        "PIP_CONFIG_FILE": "/client/pip.conf",
        "SOURCE_DATE_EPOCH": "1",
        "SECRET_TOKEN": "x",
    }
    assert remote_environ(environ) == (
        ("PYWARD_OFFLINE", "1"),
        ("SOURCE_DATE_EPOCH", "1"),
        ("PIP_INDEX_URL", "https://index.invalid/simple/"),
    )


def test_a_shipped_path_outside_the_copy_is_refused() -> None:
    project = Project(id="evil", target="/client/evil", inputs=("/client/evil/uv.lock",))
    shipment = Shipment(
        project=project, root="/client/evil", target=".", files=(("../escape", b"x"),)
    )
    (returned,) = _dask.run_batch([shipment], JOB, [])
    assert returned.result.state == "failed"
    assert returned.result.error == "/client/evil: unsafe shipped path"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_unreachable_scheduler_is_one_error_line() -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(NetworkError) as info, DaskRunner(address, timeout=1):
        pass
    message = str(info.value)
    assert message.startswith(f"--dask {address}: cannot reach the Dask scheduler: ")
    assert "\n" not in message
    assert info.value.exit_code == 2


def test_a_bad_address_is_one_error_line() -> None:
    with pytest.raises(NetworkError) as info, DaskRunner("nonsense://x:1", timeout=1):
        pass
    assert str(info.value).startswith("--dask nonsense://x:1: cannot reach the Dask scheduler: ")
    assert "\n" not in str(info.value)


def _dies_on_poison(
    shipments: Sequence[Shipment], job: FleetJob, files: Sequence[JobFile]
) -> list[Returned]:
    """On a worker: its process ends on the project named ``poison``."""
    if any(s.project.id == "poison" for s in shipments):
        os._exit(1)
    from pyward._fleet._dask import run_batch

    return run_batch(shipments, job, files)


def test_a_worker_that_keeps_dying_fails_only_its_project(
    tmp_path: Path, cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cloudpickle  # type: ignore[import-untyped]

    # The test's task travels by value: the workers need not import the test suite.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(_dask, "run_batch", _dies_on_poison)
    projects = [_project(tmp_path, n, SOURCES[n][0], False) for n in ("uv", "pipenv", "pdm")]
    poison = tmp_path / "poison"
    poison.mkdir()
    (poison / "uv.lock").write_bytes((CORPUS / SOURCES["uv"][0]).read_bytes())
    projects.append(Project(id="poison", target=str(poison), inputs=(str(poison / "uv.lock"),)))
    try:
        with DaskRunner(cluster) as runner:
            results = {r.project: r for r in runner.run(projects, JOB)}
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert sorted(results) == sorted(p.id for p in projects)
    assert all(results[p.id].state == "audited" for p in projects[:-1])
    error = results["poison"].error
    assert results["poison"].state == "failed"
    assert error is not None
    assert error.startswith(f"{poison}: the Dask worker running it died (")


def test_losing_the_scheduler_is_one_error_line(tmp_path: Path) -> None:
    projects = [_project(tmp_path, f"p{i}", SOURCES["uv"][0], False) for i in range(40)]
    with distributed.LocalCluster(
        n_workers=1, processes=False, threads_per_worker=1, dashboard_address="127.0.0.1:0"
    ) as local:
        address = local.scheduler_address
        with DaskRunner(address, batch=1, timeout=2) as runner:
            results = runner.run(projects, JOB)
            next(results)
            local.close()
            with pytest.raises(NetworkError) as info:
                list(results)
    assert str(info.value) == (
        f"--dask {address}: lost the connection to the Dask scheduler before the run completed"
    )
