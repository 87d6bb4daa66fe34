"""The Python an audited project runs on: whose end of life the ``eol`` check reports,
and which releases the ``outdated`` check may propose.

First match wins (docs/lifecycle.md):

1. ``--python-version X.Y`` (the option's value, passed in);
2. ``.python-version`` in the directory of the first input (pyenv's and uv's file:
   its first line that is not a comment, ``3.12``, ``3.12.1``, ``cpython-3.12``);
3. the lower bound of the ``requires-python`` the inventories record (``uv.lock``,
   ``pylock.toml``, ``pyproject.toml``, ``Pipfile.lock``, ``poetry.lock``, ``pdm.lock``);
4. the audited environment's interpreter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pyward._checks import PythonTarget
from pyward._model import Inventory, Location

__all__ = ["lower_bound", "read_python_version", "resolve_python_target"]

_X_Y = re.compile(r"\d+\.\d+(?:\.\d+)?")
# pyenv writes ``3.12.1`` or ``pypy3.10-7.3.12``; uv also ``cpython-3.12``,
# ``cpython@3.12``, ``3.12t`` (https://docs.astral.sh/uv/concepts/python-versions/).
_PYTHON_VERSION = re.compile(r"(?:c?python|cp|pypy)?[-@]?(\d+\.\d+(?:\.\d+)?)[a-z0-9+.-]*", re.I)
# A clause of a specifier: operator and version, as PEP 440 writes them.
_CLAUSE = re.compile(r"\s*(~=|===|==|!=|<=|>=|<|>)\s*([^\s,;]+)\s*")


def _x_y(version: str) -> str:
    """``3.12.1`` -> ``3.12.1``; ``3.12.*`` -> ``3.12``; ``3`` -> ``3.0``."""
    parts = version.split(".")
    while parts and parts[-1] == "*":
        parts.pop()
    if len(parts) == 1:
        parts.append("0")
    return ".".join(parts[:3])


def lower_bound(spec: str) -> str | None:
    """The lowest ``X.Y`` (or ``X.Y.Z``) a ``requires-python`` specifier allows:
    ``>=3.9,<4`` -> ``3.9``; ``~=3.10`` -> ``3.10``; ``==3.11.*`` -> ``3.11``; ``>3.8``
    -> ``3.8`` (``3.8.1`` is above it: the line is still in). Poetry's ``^3.9``,
    ``~3.8``, bare ``3.11`` and ``>=3.9 || ...`` forms give their first bound. ``None``
    when no clause bounds it from below or the text does not parse. ``!=`` clauses are
    not read: the ones locks write exclude other lines (``>=2.7,!=3.0.*``), and
    ``>=3.9,!=3.9.*`` gives ``3.9``."""
    text = spec.strip()
    if not text:
        return None
    # Poetry: ``^3.9`` (caret), ``>=3.8,<4.0 || >=4.1`` (union: the first alternative
    # has the lowest bound in practice; a union is rare in python-versions).
    text = text.split("||", 1)[0].strip()
    if text.startswith("^") or (text.startswith("~") and not text.startswith("~=")):
        text = ">=" + text[1:]
    best: tuple[int, ...] | None = None
    best_text: str | None = None
    for clause in text.split(","):
        if not clause.strip():
            continue
        m = _CLAUSE.fullmatch(clause)
        if m is None:
            if _X_Y.fullmatch(clause.strip()):  # Poetry: a bare ``3.9`` means ``==3.9``
                m = _CLAUSE.fullmatch("==" + clause.strip())
            if m is None:
                return None
        op, version = m.group(1), m.group(2)
        if op in ("<", "<=", "!="):
            continue
        base = _x_y(version.removesuffix(".*"))
        if not re.fullmatch(r"\d+\.\d+(?:\.\d+)?", base):
            return None
        key = tuple(int(p) for p in base.split("."))
        if best is None or key > best:
            best, best_text = key, base
    return best_text


def read_python_version(path: Path) -> tuple[str | None, int | None, str | None]:
    """(version, line, note) of a ``.python-version`` file: the first line that is not
    blank or a comment. A version that is not ``X.Y[.Z]`` gives a note instead."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return None, None, f"{path}: cannot read: {exc.strerror or exc}"
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        m = _PYTHON_VERSION.fullmatch(entry)
        if m is None:
            return None, number, f"{path}: line {number}: not a Python version: {entry!r}"
        return m.group(1), number, None
    return None, None, f"{path}: no Python version in it"


_ORIGIN = {
    "uv.lock": "uv.lock requires-python",
    "pylock.toml": "pylock.toml requires-python",
    "pyproject.toml": "pyproject.toml requires-python",
    "Pipfile.lock": "Pipfile.lock python_version",
    "poetry.lock": "poetry.lock python-versions",
    "pdm.lock": "pdm.lock requires_python",
}


def resolve_python_target(
    inventories: Sequence[Inventory],
    *,
    option: str | None = None,
    first_input: Path | None = None,
) -> tuple[PythonTarget | None, list[str]]:
    """The Python the audited project runs on (first match wins, see the module's
    docstring), and notes about sources that could not be read. ``option`` is
    ``--python-version``'s value; ``first_input`` the first input path (a file or a
    directory), whose directory may hold ``.python-version``."""
    notes: list[str] = []
    if option is not None:
        m = _X_Y.fullmatch(option.strip())
        if m is None:
            notes.append(f"--python-version: not a Python version (X.Y): {option!r}")
        else:
            return PythonTarget(version=option.strip(), origin="--python-version"), notes
    if first_input is not None:
        folder = first_input if first_input.is_dir() else first_input.parent
        file = folder / ".python-version"
        if file.is_file():
            version, line, note = read_python_version(file)
            if version is not None:
                location = Location(file=str(file), line=line)
                return PythonTarget(
                    version=version, origin=".python-version", location=location
                ), notes
            if note:
                notes.append(note)
    for inv in inventories:
        spec = inv.requires_python
        if spec is None:
            continue
        bound = lower_bound(spec)
        origin = _ORIGIN.get(inv.format, f"{inv.format} requires-python")
        if bound is None:
            notes.append(f"{inv.source}: {origin} {spec!r}: no lower bound read; no Python target")
            continue
        return PythonTarget(version=bound, origin=origin, location=Location(file=inv.source)), notes
    for inv in inventories:
        if inv.python_version is not None:
            return PythonTarget(
                version=inv.python_version,
                origin="the audited environment",
                location=Location(file=inv.source),
            ), notes
    return None, notes
