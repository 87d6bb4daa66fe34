"""The local process pool: the same results as the serial runner, and workers that
die or hang cost only their own project."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._fleet._discover import discover
from pyward._fleet._local import LocalRunner
from pyward._fleet._model import ProjectResult
from pyward._fleet._runner import SerialRunner
from tests.fleet._hooks import dying_work
from tests.fleet._tree import build_tree, job


def by_id(results: object) -> list[ProjectResult]:
    return sorted(results, key=lambda r: r.project)  # type: ignore[call-overload, no-any-return]


def test_local_equals_serial(tmp_path: Path) -> None:
    build_tree(tmp_path, 30)
    (tmp_path / "p9999-broken").mkdir()
    (tmp_path / "p9999-broken" / "uv.lock").write_text("version = [\n")
    projects, failed = discover([str(tmp_path)])
    assert failed == []
    assert len(projects) == 31
    with SerialRunner() as serial:
        expected = by_id(serial.run(projects, job()))
    with LocalRunner(2) as local:
        got = by_id(local.run(projects, job()))
    assert got == expected
    assert sum(r.state == "audited" for r in got) == 30
    assert any(r.findings for r in got)
    (broken,) = [r for r in got if r.state == "failed"]
    assert broken.project.endswith("p9999-broken")
    assert "uv.lock" in (broken.error or "")


def test_runner_is_reusable_within_its_block(tmp_path: Path) -> None:
    build_tree(tmp_path, 3)
    projects, _ = discover([str(tmp_path)])
    with LocalRunner(2) as local:
        first = by_id(local.run(projects, job()))
        second = by_id(local.run(projects[:1], job()))
    assert second == first[:1]


@pytest.mark.parametrize(("name", "how"), [("die-exit", "exit code 7"), ("die-kill", "signal 9")])
def test_a_worker_that_dies_fails_only_its_project(tmp_path: Path, name: str, how: str) -> None:
    build_tree(tmp_path, 12)
    (tmp_path / name).mkdir()
    (tmp_path / name / "uv.lock").write_bytes((tmp_path / "p0000-uv.lock" / "uv.lock").read_bytes())
    projects, _ = discover([str(tmp_path)])
    with LocalRunner(2, work=dying_work) as local:
        results = by_id(local.run(projects, job()))
    with SerialRunner() as serial:
        expected = by_id(
            serial.run([p for p in projects if p.id.endswith("/" + name) is False], job())
        )
    (dead,) = [r for r in results if r.project.endswith("/" + name)]
    assert dead == ProjectResult(
        project=dead.project,
        state="failed",
        error=f"worker died ({how}) while auditing this project",
    )
    assert [r for r in results if r is not dead] == expected


def test_a_project_whose_worker_died_once_is_retried(tmp_path: Path) -> None:
    build_tree(tmp_path, 4)
    (tmp_path / "die-once").mkdir()
    (tmp_path / "die-once" / "uv.lock").write_bytes(
        (tmp_path / "p0000-uv.lock" / "uv.lock").read_bytes()
    )
    projects, _ = discover([str(tmp_path)])
    with LocalRunner(2, work=dying_work) as local:
        results = by_id(local.run(projects, job()))
    assert (tmp_path / "die-once" / "died-once").exists()  # it did die the first time
    assert all(r.state == "audited" for r in results), results
    once = next(r for r in results if r.project.endswith("/die-once"))
    first = next(r for r in results if r.project.endswith("/p0000-uv.lock"))
    assert once.findings == first.findings


def test_a_project_that_hangs_times_out(tmp_path: Path) -> None:
    (tmp_path / "hang").mkdir()
    (tmp_path / "hang" / "requirements.txt").write_text("idna==3.7\n")
    projects, _ = discover([str(tmp_path)])
    with LocalRunner(1, timeout=0.5, work=dying_work) as local:
        (result,) = local.run(projects, job())
    assert result.state == "failed"
    assert result.error == "timed out after 0.5 s"


def test_jobs_must_be_positive() -> None:
    with pytest.raises(ValueError, match="jobs"):
        LocalRunner(0)
