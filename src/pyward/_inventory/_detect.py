"""What a path is: an installed environment, a project directory, or one file.

A project directory is read from its most precise source (a lock file before
requirements, requirements before ``pyproject.toml`` alone); the choice is recorded in
``Inventory.notes`` together with the other sources that were found and not read.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from pyward._inventory._registry import PROJECT_ORDER, Reader, by_id
from pyward.errors import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectSource:
    """The file chosen to read a project directory."""

    path: Path
    """The chosen file."""
    reader: Reader
    """Its reader."""
    also_found: tuple[Path, ...]
    """Other project files in the directory, in preference order (not read)."""

    @property
    def note(self) -> str | None:
        """``using uv.lock (also found: requirements.txt, pyproject.toml)``: which file
        was read when others could have been. ``None`` for a lock file alone or beside
        its own ``pyproject.toml``: that is the expected layout of a project (the lock
        is resolved from the manifest), not a choice to warn about on every run (issue
        11, item 16); the report names the file it read in any case."""
        if self.reader.id not in ("requirements", "pyproject.toml") and all(
            p.name == "pyproject.toml" for p in self.also_found
        ):
            return None
        text = f"using {self.path.name}"
        if self.also_found:
            text += f" (also found: {', '.join(p.name for p in self.also_found)})"
        return text


def is_environment(path: Path) -> bool:
    """A virtual environment or a Python installation prefix.

    ``pyvenv.cfg`` marks a venv (PEP 405); a ``site-packages`` directory (or any directory
    holding ``*.dist-info``) is read as one; otherwise an interpreter (``bin/python``,
    ``Scripts/python.exe``) next to a ``site-packages`` directory.
    """
    if (path / "pyvenv.cfg").is_file():
        return True
    # A site-packages directory itself (``pyward sbom .venv/lib/python3.12/site-packages``).
    if path.name in ("site-packages", "dist-packages") or any(path.glob("*.dist-info")):
        return True
    has_python = (path / "bin" / "python").exists() or (path / "Scripts" / "python.exe").exists()
    if not has_python:
        return False
    return (path / "Lib" / "site-packages").is_dir() or any(path.glob("lib/python*/site-packages"))


def _candidates(directory: Path, reader: Reader) -> list[Path]:
    if reader.id == "requirements":
        # Only ``requirements*.txt`` names a project's requirements; other ``.txt`` files
        # in a project directory are not requirements files.
        patterns: tuple[str, ...] = ("requirements*.txt",)
    else:
        patterns = reader.patterns
    found = [
        p
        for p in directory.iterdir()
        if any(fnmatch.fnmatchcase(p.name, pat) for pat in patterns) and p.is_file()
    ]
    # ``requirements.txt`` (or ``pylock.toml``) before its variants, then by name.
    return sorted(found, key=lambda p: (p.name not in ("requirements.txt", "pylock.toml"), p.name))


def detect_project(directory: Path) -> ProjectSource:
    """The most precise project file in ``directory``."""
    try:
        ordered = [
            (p, reader)
            for reader in map(by_id, PROJECT_ORDER)
            for p in _candidates(directory, reader)
        ]
    except OSError as exc:
        raise InputError(directory, f"cannot list: {exc.strerror or exc}") from None
    if not ordered:
        raise InputError(
            directory,
            "no lock file, requirements*.txt or pyproject.toml found "
            "(name a file, or a virtual environment directory)",
        )
    chosen, reader = ordered[0]
    return ProjectSource(path=chosen, reader=reader, also_found=tuple(p for p, _ in ordered[1:]))
