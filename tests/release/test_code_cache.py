"""Bandit's results cached per file and the files to scan split over worker processes
(:mod:`pyward._release._bandit`): the same hits cold, warm, serial and parallel."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from pyward._release import _bandit
from pyward._release._bandit import BanditSetup, FileResult, scan_files
from pyward._release._bandit_worker import main as worker_main
from pyward._release._code import scan
from pyward._release._model import Hit, Repo
from pyward.errors import InputError
from tests.conftest import run_cli

PYPROJECT = """\
[project]
name = "pkg"
version = "1.0"
requires-python = ">=3.10"

[tool.bandit]
skips = ["B404"]
"""

MODULE = '''\
"""Module {n}."""

import pickle
import subprocess


def run_{n}(command: str) -> int:
    assert command
    return subprocess.call(command, shell=True)


def load_{n}(data: bytes) -> object:
    return pickle.loads(data)  # nosec B301 - the test's own data
'''


def make_repo(root: Path, modules: int = 8, *, cache: Path | None = None) -> Repo:
    """A src-layout package of ``modules`` modules with B602, B101 and B403 issues
    (B404 skipped by ``[tool.bandit]``, B301 marked nosec)."""
    package = root / "src" / "pkg"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (package / "__init__.py").write_text('"""Package."""\n', encoding="utf-8")
    for n in range(modules):
        (package / f"mod_{n}.py").write_text(MODULE.format(n=n), encoding="utf-8")
    return Repo(root=root, cache_dir=cache)


def places(hits: Sequence[Hit]) -> list[tuple[str | None, int | None, str | None, str]]:
    return [(h.file, h.line, h.subject, h.message) for h in hits]


def files_of(repo: Repo) -> list[tuple[str, Path]]:
    return [
        (path.relative_to(repo.root).as_posix(), path)
        for path in sorted((repo.root / "src").rglob("*.py"))
    ]


class Scanned:
    """Records the files each in-process Bandit run was given."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = _bandit.scan_serial

        def recording(setup: BanditSetup, paths: Sequence[str]) -> dict[str, FileResult]:
            self.paths.extend(Path(p).name for p in paths)
            return real(setup, paths)

        monkeypatch.setattr(_bandit, "scan_serial", recording)


def test_cold_and_warm_hits_equal_the_uncached_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = places(list(scan(make_repo(tmp_path / "a"))))
    assert [(f, line, s) for f, line, s, _ in baseline[:3]] == [
        ("src/pkg/mod_0.py", 3, "B403"),
        ("src/pkg/mod_0.py", 8, "B101"),
        ("src/pkg/mod_0.py", 9, "B602"),
    ]
    assert len(baseline) == 3 * 8
    cache = tmp_path / "cache"
    repo = make_repo(tmp_path / "b", cache=cache)
    cold = places(list(scan(repo)))
    assert cold == baseline  # paths relative to each root
    assert len(list((cache / "release" / "bandit").rglob("*.json"))) == 9
    scanned = Scanned(monkeypatch)
    warm = places(list(scan(Repo(root=repo.root, cache_dir=cache))))
    assert warm == cold
    assert scanned.paths == []  # every file from the cache
    assert repo.notes == []


def test_warm_run_scans_only_the_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    repo = make_repo(tmp_path / "repo", cache=cache)
    list(scan(repo))
    changed = repo.root / "src" / "pkg" / "mod_3.py"
    changed.write_text('"""Fixed."""\n', encoding="utf-8")
    scanned = Scanned(monkeypatch)
    hits = list(scan(Repo(root=repo.root, cache_dir=cache)))
    assert scanned.paths == ["mod_3.py"]
    assert not [h for h in hits if h.file == "src/pkg/mod_3.py"]
    assert len(hits) == 3 * 7


def test_a_configuration_change_invalidates_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    repo = make_repo(tmp_path / "repo", modules=2, cache=cache)
    assert {h.subject for h in scan(repo)} == {"B101", "B403", "B602"}
    pyproject = repo.root / "pyproject.toml"
    pyproject.write_text(PYPROJECT.replace('["B404"]', '["B404", "B101"]'), encoding="utf-8")
    scanned = Scanned(monkeypatch)
    assert {h.subject for h in scan(Repo(root=repo.root, cache_dir=cache))} == {"B403", "B602"}
    assert sorted(scanned.paths) == ["__init__.py", "mod_0.py", "mod_1.py"]


def test_a_corrupt_entry_is_ignored_with_a_note(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    repo = make_repo(tmp_path / "repo", modules=2, cache=cache)
    expected = places(list(scan(repo)))
    entries = sorted((cache / "release" / "bandit").rglob("*.json"))
    bad = entries[0]
    bad.write_text('{"issues": [{"test_id": 1}], "skipped": null}', encoding="utf-8")
    entries[1].write_bytes(b"\xff not json")
    again = Repo(root=repo.root, cache_dir=cache)
    assert places(list(scan(again))) == expected
    assert len(again.notes) == 2
    assert all(
        n.startswith("corrupt Bandit cache entry ") and n.endswith("the file was scanned again")
        for n in again.notes
    )
    assert f"{bad} ignored (issues[0] has unknown or missing keys)" in " ".join(again.notes)
    FileResult.from_json(json.loads(bad.read_bytes()))  # written again, valid


def test_the_command_reports_a_corrupt_entry_as_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", modules=1)
    monkeypatch.setenv("PYWARD_CACHE_DIR", str(tmp_path / "cache"))
    code, out, _ = run_cli(capsys, "release-check", str(repo.root), "-f", "json")
    first = json.loads(out)
    [entry, *_] = (tmp_path / "cache" / "release" / "bandit").rglob("*.json")
    entry.write_text("[]", encoding="utf-8")
    again, out, _ = run_cli(capsys, "release-check", str(repo.root), "-f", "json")
    report = json.loads(out)
    assert (again, report["findings"]) == (code, first["findings"])
    [note] = [w for w in report["warnings"] if "Bandit cache" in w]
    assert note == (
        f"corrupt Bandit cache entry {entry} ignored (not a Bandit result object); "
        "the file was scanned again"
    )


def test_an_unwritable_cache_is_one_note(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    repo = make_repo(tmp_path / "repo", modules=2, cache=blocker)
    assert len(list(scan(repo))) == 6
    [note] = repo.notes
    assert note.startswith(f"Bandit results not cached in {blocker / 'release' / 'bandit'} (")


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "worker-command"])
def test_parallel_scan_equals_serial(tmp_path: Path, fork: bool) -> None:
    repo = make_repo(tmp_path / "repo", modules=9)
    (repo.root / "src" / "pkg" / "broken.py").write_text("def (:\n", encoding="utf-8")
    files = files_of(repo)
    setup = BanditSetup(skips=("B404",))
    serial = scan_files(setup, files, workers=1)
    parallel = scan_files(setup, files, workers=3, parallel_min_bytes=0, fork=fork)
    assert parallel == serial
    assert list(parallel) == [relative for relative, _ in files]
    assert serial["src/pkg/broken.py"].skipped == "syntax error while parsing AST from file"
    assert [i.test_id for i in serial["src/pkg/mod_0.py"].issues] == ["B403", "B101", "B602"]


def test_a_failed_worker_leaves_its_share_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = files_of(make_repo(tmp_path / "repo", modules=4))
    setup = BanditSetup()
    serial = scan_files(setup, files, workers=1)
    monkeypatch.setattr(_bandit, "_BOOT", "raise SystemExit(3)")
    assert scan_files(setup, files, workers=2, parallel_min_bytes=0, fork=False) == serial

    def broken(setup: BanditSetup, share: Sequence[str]) -> str:
        return "not json"

    monkeypatch.setattr(_bandit, "_scan_share", broken)
    assert scan_files(setup, files, workers=2, parallel_min_bytes=0, fork=True) == serial

    def no_process(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    assert scan_files(setup, files, workers=2, parallel_min_bytes=0, fork=False) == serial


def test_few_files_stay_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_workers(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(_bandit, "_start_worker", no_workers)
    monkeypatch.setattr(_bandit, "_forked", no_workers)
    repo = make_repo(tmp_path / "repo", modules=3)
    results = scan_files(BanditSetup(), files_of(repo), workers=4)
    assert sum(len(r.issues) for r in results.values()) == 3 * 4  # B404 not skipped here
    assert sum(p.stat().st_size for _, p in files_of(repo)) < _bandit.PARALLEL_MIN_BYTES


def test_a_refused_configuration_is_an_error_even_when_cached(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    repo = make_repo(tmp_path / "repo", modules=1, cache=cache)
    list(scan(repo))
    (repo.root / "pyproject.toml").write_text(PYPROJECT + 'tests = ["B404"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="Non-exclusive include/exclude test sets"):
        list(scan(Repo(root=repo.root, cache_dir=cache)))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([], "not a Bandit result object"),
        ({"issues": [], "skipped": None, "more": 1}, "not a Bandit result object"),
        ({"issues": {}, "skipped": None}, "bad 'issues' or 'skipped'"),
        ({"issues": [1], "skipped": None}, "issues[0] is not an object"),
        (
            {
                "issues": [
                    {
                        "test_id": "B101",
                        "test": "assert_used",
                        "text": "t",
                        "line": "3",
                        "column": 0,
                        "severity": "LOW",
                        "confidence": "HIGH",
                    }
                ],
                "skipped": None,
            },
            "issues[0] has a value of the wrong type",
        ),
    ],
)
def test_entries_are_checked_before_use(data: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        FileResult.from_json(data)


def test_the_worker_command_answers_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = files_of(make_repo(tmp_path / "repo", modules=1))
    names = [str(path) for _, path in files]
    request = {"setup": {"config_file": None, "tests": [], "skips": []}, "files": names}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(request).encode())))
    assert worker_main() == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer == {
        name: result.to_json() for name, result in _bandit.scan_serial(BanditSetup(), names).items()
    }
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"files": []}')))
    assert worker_main() == 2
    assert capsys.readouterr().err == "pyward bandit worker: bad request: 'setup'\n"
