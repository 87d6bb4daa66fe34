"""Bandit over a list of files, as fast as a run can be without checking less.

* **Cache per file.** A file's Bandit result is stored under
  ``CACHE_DIR/release/bandit/`` as one JSON document (never pickle: reading an entry
  runs no code), keyed by the SHA-256 of the file's bytes, its path as Bandit is given
  it (Bandit's ``assert_used`` skips match on it), the Bandit version and a hash of the
  effective configuration (the ``[tool.bandit]`` table, the tests and skips, the
  installed plugins). A warm run scans only the files that changed; an entry that is
  not what this module wrote is ignored with a note and the file is scanned again.
* **Parallel misses.** When the files to scan are many, they are split by size over the
  available CPUs: the calling process scans one share while worker processes scan the
  others. On Linux, in a process with no other thread, the workers are forked (they
  inherit Bandit, already imported: the faster way, see bench/README.md); elsewhere each
  is a command: this interpreter running :mod:`pyward._release._bandit_worker` (file
  list in on standard input, results out as JSON), with the directory of the pyward this
  process runs first on its path, so that it never imports another copy. Neither is
  :mod:`multiprocessing`'s "spawn" or "forkserver", which re-run the caller's main
  module: a caller needs no ``__main__`` guard. A worker that fails leaves its share to
  the calling process. Few files are scanned serially: starting a worker costs more
  than it saves.

Every function here expects Bandit importable (the ``release`` extra); the caller
(:mod:`pyward._release._code`) checks that first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyward.errors import InputError

__all__ = [
    "PARALLEL_MIN_BYTES",
    "BanditSetup",
    "FileResult",
    "Issue",
    "available_cpus",
    "quiet",
    "scan_files",
]

#: Scan in parallel only when the files to scan hold at least this many bytes: a worker
#: process pays the interpreter's and Bandit's start-up before its first file.
PARALLEL_MIN_BYTES = 96 * 1024
#: Version of the cache entries' layout; part of every key.
_CACHE_FORMAT = 1
_QUIET = ("bandit", "stevedore")


@contextmanager
def quiet() -> Iterator[None]:
    """Bandit's and stevedore's loggers (and their children) silenced for the run,
    then restored: Bandit logs warnings and per-file errors itself, and pyward reports
    them as findings or "not checked" instead."""
    loggers = [logging.getLogger(name) for name in _QUIET]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            # stevedore deprecates the verify_requirements argument Bandit's plugin
            # loader passes on import: not pyward's call to fix.
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        for logger, level in zip(loggers, saved, strict=True):
            logger.setLevel(level)


@dataclass(frozen=True, slots=True, kw_only=True)
class BanditSetup:
    """How Bandit is configured for a run, as ``bandit -c pyproject.toml`` would be."""

    config_file: str | None = None
    """``pyproject.toml`` when it has a ``[tool.bandit]`` table, else ``None``."""
    table: Mapping[str, Any] = field(default_factory=dict)
    """The ``[tool.bandit]`` table (part of the cache key)."""
    tests: tuple[str, ...] = ()
    """Test ids to run (``[tool.bandit] tests``; empty: all)."""
    skips: tuple[str, ...] = ()
    """Test ids to skip (``[tool.bandit] skips``)."""

    def to_json(self) -> dict[str, Any]:
        """The setup as a worker process reads it."""
        return {"config_file": self.config_file, "tests": self.tests, "skips": self.skips}


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One Bandit issue in a file, with Bandit's own words and grades."""

    test_id: str
    """Bandit's test id (``B602``)."""
    test: str
    """The test's name (``subprocess_popen_with_shell_equals_true``)."""
    text: str
    """Bandit's message."""
    line: int | None
    """1-based line."""
    column: int | None
    """0-based column offset, as Bandit gives it."""
    severity: str
    """``HIGH``, ``MEDIUM`` or ``LOW``."""
    confidence: str
    """``HIGH``, ``MEDIUM`` or ``LOW``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileResult:
    """What Bandit made of one file."""

    issues: tuple[Issue, ...] = ()
    """Its issues, in line order."""
    skipped: str | None = None
    """Why Bandit could not scan it (a syntax error), else ``None``."""

    def to_json(self) -> dict[str, Any]:
        """The JSON document of a cache entry or a worker's answer."""
        return {
            "issues": [
                {
                    "test_id": i.test_id,
                    "test": i.test,
                    "text": i.text,
                    "line": i.line,
                    "column": i.column,
                    "severity": i.severity,
                    "confidence": i.confidence,
                }
                for i in self.issues
            ],
            "skipped": self.skipped,
        }

    @classmethod
    def from_json(cls, data: object) -> FileResult:
        """The result :meth:`to_json` wrote; ``ValueError`` for anything else."""
        if not isinstance(data, dict) or set(data) != {"issues", "skipped"}:
            raise ValueError("not a Bandit result object")
        skipped, raw = data["skipped"], data["issues"]
        if not (skipped is None or isinstance(skipped, str)) or not isinstance(raw, list):
            raise ValueError("bad 'issues' or 'skipped'")
        issues = []
        for n, item in enumerate(raw):
            if not isinstance(item, dict):
                raise ValueError(f"issues[{n}] is not an object")
            try:
                issue = Issue(**item)
            except TypeError:
                raise ValueError(f"issues[{n}] has unknown or missing keys") from None
            texts = (issue.test_id, issue.test, issue.text, issue.severity, issue.confidence)
            numbers = (issue.line, issue.column)
            if not all(isinstance(t, str) for t in texts) or not all(
                n is None or (isinstance(n, int) and not isinstance(n, bool)) for n in numbers
            ):
                raise ValueError(f"issues[{n}] has a value of the wrong type")
            issues.append(issue)
        return cls(issues=tuple(issues), skipped=skipped)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def validate(setup: BanditSetup) -> Any:
    """Bandit's configuration object for ``setup``; :class:`InputError` naming
    ``pyproject.toml`` when Bandit refuses the table or an unknown test id."""
    from bandit.core import config as b_config
    from bandit.core import extension_loader
    from bandit.core import utils as b_utils

    try:
        conf = b_config.BanditConfig(config_file=setup.config_file)
    except b_utils.ConfigError as exc:
        raise InputError("pyproject.toml", f"[tool.bandit]: {exc}") from None
    try:
        extension_loader.MANAGER.validate_profile(_profile(setup))
    except ValueError as exc:
        raise InputError("pyproject.toml", str(exc), where="tool.bandit") from None
    return conf


def _profile(setup: BanditSetup) -> dict[str, set[str]]:
    return {"include": set(setup.tests), "exclude": set(setup.skips)}


def scan_serial(setup: BanditSetup, paths: Sequence[str]) -> dict[str, FileResult]:
    """Bandit run in this process over ``paths`` (as given), one result per path."""
    from bandit.core import constants as b_constants
    from bandit.core import manager as b_manager

    with quiet():
        conf = validate(setup)
        manager = b_manager.BanditManager(conf, "file", quiet=True, profile=_profile(setup))
        manager.files_list = list(paths)
        manager.run_tests()
        found = manager.get_issue_list(b_constants.LOW, b_constants.LOW)
        skipped = dict(manager.get_skipped())
    issues: dict[str, list[Issue]] = {}
    for issue in found:
        issues.setdefault(issue.fname, []).append(
            Issue(
                test_id=str(issue.test_id),
                test=str(issue.test),
                text=str(issue.text),
                line=issue.lineno if isinstance(issue.lineno, int) and issue.lineno > 0 else None,
                column=issue.col_offset if isinstance(issue.col_offset, int) else None,
                severity=str(issue.severity).upper(),
                confidence=str(issue.confidence).upper(),
            )
        )
    return {
        path: FileResult(
            issues=tuple(sorted(issues.get(path, ()), key=lambda i: (i.line or 0, i.test_id))),
            skipped=str(skipped[path]) if path in skipped else None,
        )
        for path in paths
    }


def _config_hash(setup: BanditSetup) -> str:
    """The part of every cache key that says which Bandit, configured how."""
    import bandit
    from bandit.core import extension_loader

    effective = {
        "format": _CACHE_FORMAT,
        "bandit": bandit.__version__,
        "table": setup.table,
        "tests": sorted(setup.tests),
        "skips": sorted(setup.skips),
        "plugins": sorted(extension_loader.MANAGER.plugins_by_id),
        "blacklist": sorted(extension_loader.MANAGER.blacklist_by_id),
    }
    text = json.dumps(effective, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(slots=True)
class _Cache:
    """The entries of one configuration, under ``directory``."""

    directory: Path
    config: str
    notes: list[str]
    _unwritable: bool = False

    def path(self, name: str, data: bytes) -> Path:
        """The entry of the file ``name`` (as Bandit is given it) holding ``data``."""
        content = hashlib.sha256(data).hexdigest()
        key = hashlib.sha256(f"{self.config}\0{name}\0{content}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, entry: Path) -> FileResult | None:
        try:
            raw = entry.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self.notes.append(f"Bandit cache entry {entry} not read ({exc.strerror or exc})")
            return None
        try:
            return FileResult.from_json(json.loads(raw))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError included
            self.notes.append(
                f"corrupt Bandit cache entry {entry} ignored ({exc}); the file was scanned again"
            )
            return None

    def put(self, entry: Path, result: FileResult) -> None:
        if self._unwritable:
            return
        from pyward._atomic import replace_file

        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            replace_file(entry, json.dumps(result.to_json()).encode())
        except OSError as exc:
            self._unwritable = True
            self.notes.append(
                f"Bandit results not cached in {self.directory} ({exc.strerror or exc})"
            )


def _shares(sizes: Mapping[str, int], count: int) -> list[list[str]]:
    """``sizes``' paths split into ``count`` shares of about equal bytes (largest first
    into the lightest share)."""
    shares: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for path in sorted(sizes, key=lambda p: (-sizes[p], p)):
        lightest = loads.index(min(loads))
        shares[lightest].append(path)
        loads[lightest] += sizes[path]
    return [share for share in shares if share]


_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from pyward._release._bandit_worker import main; raise SystemExit(main())"
)


def _start_worker(setup: BanditSetup, paths: Sequence[str]) -> subprocess.Popen[bytes]:
    """A worker process scanning ``paths``: this interpreter, importing the pyward this
    process runs (its directory first on the path), the request written and closed."""
    import pyward

    home = str(Path(pyward.__file__).resolve().parent.parent)
    # This interpreter, a fixed program, no shell:
    process = subprocess.Popen(  # noqa: S603 # nosec B603
        [sys.executable, "-c", _BOOT, home],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a failed worker's share is scanned here again
    )
    request = json.dumps({"setup": setup.to_json(), "files": paths}).encode()
    try:
        if process.stdin is not None:  # always (stdin=PIPE): mypy's narrowing
            with process.stdin:
                process.stdin.write(request)
    except OSError:
        pass  # the worker died at start: its answer is missing, the share is scanned here
    return process


def _finish_worker(
    process: subprocess.Popen[bytes], paths: Sequence[str]
) -> dict[str, FileResult] | None:
    """The worker's results, or ``None`` when it failed or answered something else."""
    out = b""
    if process.stdout is not None:  # always (stdout=PIPE): mypy's narrowing
        with process.stdout:
            out = process.stdout.read()
    if process.wait() != 0:
        return None
    try:
        answer = json.loads(out)
        results = {path: FileResult.from_json(answer[path]) for path in paths}
    except (ValueError, KeyError, TypeError):
        return None
    return results


def _fork_safe() -> bool:
    """Whether this process may fork: on Linux (macOS's system libraries are not
    fork-safe), with no other thread running (a child gets only the calling thread, and
    a lock another thread held stays held in it)."""
    return sys.platform == "linux" and threading.active_count() == 1


def _scan_share(setup: BanditSetup, share: Sequence[str]) -> str:
    """A forked worker's job: its share's results as JSON text."""
    return json.dumps({name: r.to_json() for name, r in scan_serial(setup, share).items()})


def _forked(
    setup: BanditSetup, shares: Sequence[Sequence[str]]
) -> Iterator[tuple[Sequence[str], dict[str, FileResult] | None]]:
    """The first share scanned here while forked workers scan the others (they inherit
    Bandit, imported): each share with its results, ``None`` for a worker that failed."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(processes=len(shares) - 1) as pool:
        pending = [pool.apply_async(_scan_share, (setup, share)) for share in shares[1:]]
        yield shares[0], scan_serial(setup, shares[0])
        for share, job in zip(shares[1:], pending, strict=True):
            try:
                answer = json.loads(job.get())
                yield share, {name: FileResult.from_json(answer[name]) for name in share}
            except Exception:  # any worker failure: the share is scanned here
                yield share, None


def _spawned(
    setup: BanditSetup, shares: Sequence[Sequence[str]]
) -> Iterator[tuple[Sequence[str], dict[str, FileResult] | None]]:
    """As :func:`_forked`, with worker processes started as commands."""
    started = [(share, _start_worker(setup, share)) for share in shares[1:]]
    yield shares[0], scan_serial(setup, shares[0])
    for share, process in started:
        yield share, _finish_worker(process, share)


def scan_parallel(
    setup: BanditSetup, sizes: Mapping[str, int], workers: int, *, fork: bool | None = None
) -> dict[str, FileResult]:
    """Bandit over ``sizes``' paths on ``workers`` processes, this one included: forked
    workers when :func:`_fork_safe` (``fork`` forces the choice), else worker commands
    (:mod:`pyward._release._bandit_worker`). A failed worker's share is scanned
    in this process."""
    shares = _shares(sizes, workers)
    if len(shares) < 2:
        return scan_serial(setup, list(sizes))
    use_fork = _fork_safe() if fork is None else fork
    results: dict[str, FileResult] = {}
    try:
        for share, answer in (_forked if use_fork else _spawned)(setup, shares):
            results.update(answer if answer is not None else scan_serial(setup, share))
    except OSError:  # no worker could be started (a process limit): this process scans
        results.update(scan_serial(setup, [path for path in sizes if path not in results]))
    return results


def scan_files(
    setup: BanditSetup,
    files: Sequence[tuple[str, Path]],
    *,
    cache_dir: Path | None = None,
    workers: int | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    fork: bool | None = None,
    notes: list[str] | None = None,
) -> dict[str, FileResult]:
    """Bandit's result for each of ``files`` (pairs of the path relative to the
    repository and the file), keyed by the relative path.

    ``cache_dir``: where results are cached (``None``: no cache). ``workers``: processes
    for the files not in the cache (default: the available CPUs); they are used only
    when those files hold ``parallel_min_bytes`` or more; ``fork`` forces how they are
    started (default: :func:`scan_parallel` decides). Notes about the cache (a
    corrupt entry, a directory that cannot be written) are appended to ``notes``.
    Raises :class:`InputError` when Bandit refuses the configuration."""
    with quiet():
        validate(setup)
    notes = notes if notes is not None else []
    cache = (
        _Cache(cache_dir / "release" / "bandit", _config_hash(setup), notes)
        if cache_dir is not None
        else None
    )
    results: dict[str, FileResult] = {}
    misses: dict[str, int] = {}
    entries: dict[str, Path] = {}
    by_name = {str(path): relative for relative, path in files}
    for relative, path in files:
        if cache is not None:
            try:
                data = path.read_bytes()
            except OSError:
                data = None  # Bandit reports it as skipped
            if data is not None:
                # The path as Bandit is given it: its assert_used skips match on it.
                entries[relative] = cache.path(str(path), data)
                hit = cache.get(entries[relative])
                if hit is not None:
                    results[relative] = hit
                    continue
        try:
            misses[str(path)] = path.stat().st_size
        except OSError:
            misses[str(path)] = 0
    count = min(workers or available_cpus(), len(misses))
    if count > 1 and sum(misses.values()) >= parallel_min_bytes:
        scanned = scan_parallel(setup, misses, count, fork=fork)
    else:
        scanned = scan_serial(setup, list(misses)) if misses else {}
    for name, result in scanned.items():
        relative = by_name[name]
        results[relative] = result
        if cache is not None and relative in entries:
            cache.put(entries[relative], result)
    return {relative: results[relative] for relative, _ in files}
