"""Discovery: the projects under the paths a fleet run is given.

A directory is a project when the inventory reader would read it
(:func:`pyward._inventory._detect.detect_project` finds a lock file, requirements file
or ``pyproject.toml`` in it); an SBOM or pip report found in a directory is a project
of its own (the reader takes it as a file); a virtual environment (``pyvenv.cfg``) is a
project unless it lies inside a project directory (the project's own environment: its
lock says what the project is). Nested projects (the members of a monorepo with their
own lock) are projects too. Directory symlinks are not followed, so a link loop cannot
make the walk endless, and tool and cache directories are skipped.

What cannot be read is not an exception but a ``failed`` result naming why: a path that
does not exist, a directory that cannot be listed, a ``--from`` line naming nothing.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyward._fleet._model import Project, ProjectResult

__all__ = ["SKIPPED_DIRECTORIES", "discover"]

#: Directories never walked into: tools' caches and installed packages (hidden
#: directories, ``.venv`` and ``.git`` among them, are skipped as well).
SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__", "site-packages", "dist-packages"})
#: A ``--from`` line longer than this is not taken as a path (no file system accepts it).
MAX_PATH_CHARS = 4096
#: How deep ``-r``/``-c`` includes of a requirements file are followed for its inputs.
_INCLUDE_DEPTH = 8
#: Files beside a project's input that its run reads for the project's settings.
_BESIDE = ("pyproject.toml", ".python-version", "uv.toml")
_INCLUDE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)")


@dataclass(slots=True, kw_only=True)
class _Found:
    """What the walk gathered (mutable while walking)."""

    projects: dict[str, Project] = field(default_factory=dict)
    """By real target path: one project however many roots reach it."""
    failed: dict[str, ProjectResult] = field(default_factory=dict)
    """By project id."""


def discover(
    paths: Sequence[str], *, from_file: str | None = None
) -> tuple[list[Project], list[ProjectResult]]:
    """The projects under ``paths`` (and the paths ``from_file`` lists), sorted by id,
    and a ``failed`` result for each path or directory that cannot be read.

    Raises :class:`~pyward.errors.UsageError` only when ``from_file`` itself cannot be
    read.
    """
    found = _Found()
    roots: list[tuple[str, Path, str | None]] = [(p, Path(p), None) for p in paths]
    if from_file is not None:
        roots += _read_from_file(from_file, found)
    for given, path, where in roots:
        _root(given, path, where, found)
    return _unique(found.projects.values()), sorted(found.failed.values(), key=_result_key)


def _read_from_file(from_file: str, found: _Found) -> list[tuple[str, Path, str | None]]:
    """The paths a ``--from`` file lists: ``(as written, path, FILE:LINE)``. Lines that
    cannot be paths (a NUL byte, a line no file system takes) become failed results."""
    from pyward._files import read_capped
    from pyward.errors import UsageError

    try:
        data = read_capped(from_file)
    except OSError as exc:
        raise UsageError(f"{from_file}: cannot read: {exc.strerror or exc}") from None
    text = data.decode("utf-8", "surrogateescape")
    base = Path(from_file).parent
    roots: list[tuple[str, Path, str | None]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{from_file}:{number}"
        if "\x00" in line:
            _fail(found, where, f"{where}: not a path (it holds a NUL byte)")
            continue
        if len(line) > MAX_PATH_CHARS:
            _fail(found, where, f"{where}: not a path (a line of {len(line)} characters)")
            continue
        roots.append((line, base / line, where))
    return roots


def _root(given: str, path: Path, where: str | None, found: _Found) -> None:
    """One path as given: a file, an environment, or a directory to walk."""
    name = _display(given)
    prefix = f"{where}: " if where is not None else ""
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except OSError as exc:  # a name too long, a loop of links
        _fail(found, name, f"{prefix}{given}: cannot read: {exc.strerror or exc}")
        return
    if not exists:
        _fail(found, name, f"{prefix}{given}: no such file or directory")
        return
    if not is_dir:
        _add(found, _file_project(name, path))
        return
    from pyward._inventory._detect import is_environment

    try:
        environment = is_environment(path)
    except OSError as exc:
        _fail(found, name, f"{prefix}{given}: cannot list: {exc.strerror or exc}")
        return
    if environment:
        _add(found, _environment(name, path))
        return
    _walk(name, path, found)


def _walk(root_id: str, root: Path, found: _Found) -> None:
    """Every project under the directory ``root`` (depth-first, no links followed)."""
    # (directory, its id, inside a project directory)
    stack: list[tuple[Path, str, bool]] = [(root, root_id, False)]
    while stack:
        directory, ident, inside = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            _fail(found, ident, f"{ident}: cannot list: {exc.strerror or exc}")
            continue
        names = {e.name for e in entries}
        project = _directory_project(ident, directory, names)
        if project is not None:
            _add(found, project)
        elif "pyvenv.cfg" in names:
            if not inside:
                _add(found, _environment(ident, directory))
            continue  # an environment's packages are not projects
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            child = _join(ident, entry.name)
            if is_dir:
                if entry.name.startswith(".") or entry.name in SKIPPED_DIRECTORIES:
                    continue
                stack.append((Path(entry.path), child, inside or project is not None))
            elif is_file and _is_document(entry.name):
                _add(found, _file_project(child, Path(entry.path)))


def _directory_project(ident: str, directory: Path, names: set[str]) -> Project | None:
    """The project ``directory`` is, when the inventory reader would read it."""
    from pyward._inventory._detect import detect_project
    from pyward._inventory._registry import PROJECT_ORDER, by_id
    from pyward.errors import InputError

    # A cheap test on the names first: most directories of a tree are not projects.
    readers = [by_id(r) for r in PROJECT_ORDER]
    if not any(r.matches(n) for n in names for r in readers):
        return None
    try:
        source = detect_project(directory)
    except InputError:
        return None  # ``.txt`` files but no requirements*.txt: not a project
    inputs = {source.path, *source.also_found}
    if source.reader.id == "requirements":
        inputs |= _includes(source.path)
    return _project(ident, directory, inputs)


def _file_project(ident: str, path: Path) -> Project:
    """A file given or found alone (a lock, a requirements file, an SBOM)."""
    from pyward._inventory._registry import for_filename

    inputs = {path}
    reader = for_filename(path.name)
    if reader is None or reader.id == "requirements":
        inputs |= _includes(path)
    return _project(ident, path, inputs)


def _project(ident: str, target: Path, inputs: set[Path]) -> Project:
    inputs |= _config_inputs(target)
    start = target if target.is_dir() else target.parent
    # Files beside the input read for the project's settings: pyproject.toml even
    # without [tool.pyward] (its name, its Python), .python-version (its Python),
    # uv.toml (its index).
    inputs |= {start / name for name in _BESIDE if (start / name).is_file()}
    return Project(
        id=ident,
        target=os.path.abspath(target),
        inputs=tuple(sorted(os.path.abspath(p) for p in inputs)),
    )


def _config_inputs(target: Path) -> set[Path]:
    """The configuration file in force for ``target`` and the VEX files it names."""
    from pyward._config import find_config

    try:
        config = find_config(target)
    except OSError:
        return set()
    return set() if config is None else {config, *_config_files(config)}


def _config_files(config: Path) -> set[Path]:
    """The VEX documents ``config`` names that exist: they decide the result too (one
    that is missing or a configuration that cannot be read is the project's run's to
    report)."""
    from pyward._config import load_config
    from pyward.errors import PywardError

    try:
        vex = load_config(config).vex
    except (PywardError, OSError, RecursionError):
        return set()
    return {path for path in vex if path.is_file()}


def _environment(ident: str, path: Path) -> Project:
    # Its configuration is looked for from it as from any target.
    inputs = tuple(sorted(os.path.abspath(p) for p in _config_inputs(path)))
    return Project(id=ident, target=os.path.abspath(path), inputs=inputs, environment=True)


def _is_document(name: str) -> bool:
    """An SBOM or installation report: read as a file, not as a directory's project."""
    from pyward._inventory._registry import PROJECT_ORDER, for_filename

    reader = for_filename(name)
    return reader is not None and bool(reader.patterns) and reader.id not in PROJECT_ORDER


def _includes(path: Path) -> set[Path]:
    """The files a requirements file includes (``-r``/``-c``), followed a few levels,
    that exist: they decide its content too."""
    from pyward._files import read_capped

    seen: set[Path] = set()
    todo = [(path, 0)]
    while todo:
        current, depth = todo.pop()
        if depth >= _INCLUDE_DEPTH:
            continue
        try:
            text = read_capped(current).decode("utf-8", "replace")
        except OSError:
            continue
        for line in text.splitlines():
            m = _INCLUDE.match(line)
            if m is None or "://" in m[1] or "$" in m[1]:
                continue
            included = current.parent / m[1]
            if included not in seen and included != path and included.is_file():
                seen.add(included)
                todo.append((included, depth + 1))
    return seen


def _add(found: _Found, project: Project) -> None:
    # The first root that reaches a project names it.
    found.projects.setdefault(os.path.realpath(project.target), project)


def _fail(found: _Found, ident: str, error: str) -> None:
    from pyward._files import safe_text

    found.failed.setdefault(
        ident, ProjectResult(project=ident, state="failed", error=safe_text(error))
    )


def _unique(projects: Iterable[Project]) -> list[Project]:
    """Sorted by id; a second project with an id already taken (two roots whose paths
    read the same) gets ``#2``, ``#3``..."""
    import dataclasses

    out: list[Project] = []
    taken: set[str] = set()
    for project in sorted(projects, key=lambda p: (p.id, p.target)):
        ident = project.id
        n = 1
        while ident in taken:
            n += 1
            ident = f"{project.id}#{n}"
        taken.add(ident)
        out.append(project if ident == project.id else dataclasses.replace(project, id=ident))
    return out


def _display(given: str) -> str:
    """A path as given, ``/``-separated and without ``./`` noise."""
    text = given.replace(os.sep, "/")
    normal = posixpath.normpath(text) if text else "."
    return "/" + normal.lstrip("/") if text.startswith("/") else normal


def _join(ident: str, name: str) -> str:
    return name if ident == "." else f"{ident.rstrip('/')}/{name}"


def _result_key(result: ProjectResult) -> str:
    return result.project
