"""The incremental cache: hits, misses, and what invalidates an entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from pyward._fleet import run_fleet
from pyward._fleet._cache import FleetCache, data_fingerprint, uses_index
from pyward._fleet._discover import discover
from pyward._fleet._model import FleetJob, Project, ProjectResult
from pyward._fleet._runner import SerialRunner
from tests.fleet._tree import build_tree, job

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


class CountingRunner(SerialRunner):
    """The serial runner, remembering what it was asked to run."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def run(self, projects, job):  # type: ignore[no-untyped-def]
        self.ran += [p.id for p in projects]
        yield from super().run(projects, job)


def fleet(
    tmp_path: Path, projects: list[Project], the_job: FleetJob | None = None
) -> tuple[list[str], list[str]]:
    runner = CountingRunner()
    run = run_fleet(projects, the_job or job(), runner=runner, cache_dir=tmp_path / "cache")
    assert [r.project for r in run.results] == sorted(p.id for p in projects)
    return runner.ran, list(run.cached)


def test_second_run_is_all_cached_and_equal(tmp_path: Path) -> None:
    build_tree(tmp_path / "tree", 5)
    projects, _ = discover([str(tmp_path / "tree")])
    first = run_fleet(projects, job(), runner=SerialRunner(), cache_dir=tmp_path / "cache")
    second = run_fleet(projects, job(), runner=CountingRunner(), cache_dir=tmp_path / "cache")
    assert first.cached == ()
    assert second.cached == tuple(p.id for p in projects)
    assert second.results == first.results
    entries = list((tmp_path / "cache" / "fleet").rglob("*.json"))
    assert len(entries) == 5
    document = json.loads(entries[0].read_text())
    assert set(document) == {"key", "written", "result"}


def test_changed_input_reruns_only_that_project(tmp_path: Path) -> None:
    build_tree(tmp_path / "tree", 3)
    projects, _ = discover([str(tmp_path / "tree")])
    fleet(tmp_path, projects)
    lock = tmp_path / "tree" / "p0001-poetry.lock" / "poetry.lock"
    lock.write_bytes(lock.read_bytes() + b"\n")
    ran, cached = fleet(tmp_path, projects)
    assert ran == [p.id for p in projects if "p0001" in p.id]
    assert len(cached) == 2


def test_changed_job_reruns_everything(tmp_path: Path) -> None:
    build_tree(tmp_path / "tree", 2)
    projects, _ = discover([str(tmp_path / "tree")])
    fleet(tmp_path, projects)
    ran, cached = fleet(tmp_path, projects, job("audit", "--fail-on", "critical"))
    assert len(ran) == 2
    assert cached == []


def test_new_advisory_data_reruns_everything(tmp_path: Path) -> None:
    build_tree(tmp_path / "tree", 2)
    projects, _ = discover([str(tmp_path / "tree")])
    the_job = job()
    from pyward._fleet import advisory_info

    info = advisory_info(the_job)
    assert info is not None
    run_fleet(projects, the_job, runner=SerialRunner(), cache_dir=tmp_path / "cache", info=info)
    same = CountingRunner()
    run_fleet(projects, the_job, runner=same, cache_dir=tmp_path / "cache", info=info)
    assert same.ran == []
    newer = dataclasses.replace(info, newest_modified="2099-01-01T00:00:00Z")
    again = CountingRunner()
    run_fleet(projects, the_job, runner=again, cache_dir=tmp_path / "cache", info=newer)
    assert again.ran == [p.id for p in projects]


def test_corrupt_entries_are_rerun(tmp_path: Path) -> None:
    build_tree(tmp_path / "tree", 3)
    projects, _ = discover([str(tmp_path / "tree")])
    fleet(tmp_path, projects)
    entries = sorted((tmp_path / "cache" / "fleet").rglob("*.json"))
    entries[0].write_bytes(b"\x00garbage{")
    entries[1].write_text(json.dumps({"key": "other", "written": "x", "result": {}}))
    ran, cached = fleet(tmp_path, projects)
    assert len(ran) == 2
    assert len(cached) == 1
    # Rewritten: the next run is all cached.
    assert fleet(tmp_path, projects)[0] == []


def test_online_entries_expire_with_the_index_metadata(tmp_path: Path) -> None:
    online = FleetJob(command="status", argv=(), environ=())
    offline = FleetJob(command="status", argv=("--offline",), environ=())
    assert uses_index(online)
    assert not uses_index(offline)
    assert not uses_index(FleetJob(command="audit", environ=(("PYWARD_OFFLINE", "1"),)))
    project = Project(id="p", target=str(tmp_path))
    result = ProjectResult(project="p", state="audited", components=3)
    cache = FleetCache.for_job(tmp_path, online, None)
    assert cache.max_age is not None
    key = cache.key(project, online)
    assert key is not None
    cache.store(key, result, now=NOW)
    assert cache.load(key, now=NOW + cache.max_age / 2) == result
    assert cache.load(key, now=NOW + cache.max_age) is None
    assert cache.load(key, now=NOW - dt.timedelta(hours=1)) is None  # from the future
    # Offline, the same entry lasts until the key changes.
    kept = FleetCache.for_job(tmp_path, offline, None)
    assert kept.max_age is None
    assert (
        FleetCache.for_job(tmp_path, FleetJob(command="audit", argv=("--refresh",)), None).read
        is False
    )


def test_environment_key_follows_its_dist_info(tmp_path: Path) -> None:
    env = tmp_path / "venv"
    site = env / "lib" / "python3.12" / "site-packages"
    (site / "idna-3.7.dist-info").mkdir(parents=True)
    (site / "idna-3.7.dist-info" / "METADATA").write_text("Name: idna\nVersion: 3.7\n")
    (site / "idna").mkdir()
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    project = Project(id="venv", target=str(env), environment=True)
    cache = FleetCache(directory=tmp_path / "c", data=data_fingerprint(None))
    the_job = job()
    before = cache.key(project, the_job)
    (site / "idna" / "core.py").write_text("# not metadata\n")
    assert cache.key(project, the_job) == before
    (site / "idna-3.7.dist-info").rename(site / "idna-3.8.dist-info")
    assert cache.key(project, the_job) != before


def test_unreadable_input_gives_no_key(tmp_path: Path) -> None:
    project = Project(id="p", target=str(tmp_path), inputs=(str(tmp_path / "gone.lock"),))
    cache = FleetCache(directory=tmp_path / "c", data="d")
    assert cache.key(project, job()) is None


def test_runner_failures_are_not_cached(tmp_path: Path) -> None:
    project = Project(id="p", target=str(tmp_path / "p"), inputs=())
    (tmp_path / "p").mkdir()

    errors = [
        "worker died (signal 9) while auditing this project",
        "timed out after 5 s",
        f"{project.target}: the Dask worker running it died (KilledWorker: ...)",
        f"{project.target}: internal error on the Dask worker: OSError: disk full",
    ]

    class Dying(SerialRunner):
        def __init__(self, error: str) -> None:
            self.error = error

        def run(self, projects, job):  # type: ignore[no-untyped-def]
            for p in projects:
                yield ProjectResult(project=p.id, state="failed", error=self.error)

    for error in errors:
        run_fleet([project], job(), runner=Dying(error), cache_dir=tmp_path / "cache")
        assert not list((tmp_path / "cache").rglob("*.json")), error


def test_progress_counts_cached_and_failed(tmp_path: Path) -> None:
    build_tree(tmp_path / "tree", 3)
    (tmp_path / "tree" / "zz-broken").mkdir()
    (tmp_path / "tree" / "zz-broken" / "uv.lock").write_text("[[[\n")
    projects, _ = discover([str(tmp_path / "tree")])
    gone = ProjectResult(project="gone", state="failed", error="gone: no such file or directory")
    calls: list[tuple[int, int, int, int]] = []
    run_fleet(
        projects,
        job(),
        runner=SerialRunner(),
        cache_dir=tmp_path / "cache",
        failed=[gone],
        progress=lambda *a: calls.append(a),
    )
    assert calls[-1] == (5, 5, 0, 2)
    calls.clear()
    run = run_fleet(
        projects,
        job(),
        runner=SerialRunner(),
        cache_dir=tmp_path / "cache",
        failed=[gone],
        progress=lambda *a: calls.append(a),
    )
    # The broken lock is the project's own outcome: cached like any other.
    assert calls[-1] == (5, 5, 4, 2)
    assert "gone" in [r.project for r in run.results]


def test_edited_option_files_rerun_everything(tmp_path: Path) -> None:
    build_tree(tmp_path / "tree", 2)
    projects, _ = discover([str(tmp_path / "tree")])
    vex = tmp_path / "vex.json"
    vex.write_text('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}\n')
    the_job = job("audit", "--vex", str(vex))
    fleet(tmp_path, projects, the_job)
    assert fleet(tmp_path, projects, the_job)[0] == []
    vex.write_text('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [] }\n')
    ran, cached = fleet(tmp_path, projects, the_job)
    assert ran == [p.id for p in projects]
    assert cached == []


def test_policy_file_content_is_in_the_key(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[policy]\n")
    project = Project(id="p", target=str(tmp_path))
    url_job = FleetJob(command="check", argv=("--policy=https://policy.invalid/p.toml",))
    file_job = FleetJob(command="check", argv=("--policy", str(policy)))

    def key(the_job: FleetJob) -> str | None:
        return FleetCache.for_job(tmp_path, the_job, None).key(project, the_job)

    before = key(file_job)
    assert key(file_job) == before
    policy.write_text("[policy]\nallow-licenses = []\n")
    assert key(file_job) != before
    assert key(url_job) == key(url_job)


def test_a_new_day_is_a_new_key(tmp_path: Path) -> None:
    # An ignore's ``until``, end of life and cooldown are measured against the date.
    project = Project(id="p", target=str(tmp_path))
    the_job = job()

    def key(day: dt.date) -> str | None:
        return FleetCache.for_job(tmp_path, the_job, None, today=day).key(project, the_job)

    assert key(dt.date(2026, 1, 2)) == key(dt.date(2026, 1, 2))
    assert key(dt.date(2026, 1, 2)) != key(dt.date(2026, 1, 3))
