"""Fixture repositories of the release-check tests (``tests/data/release``) and small
trees written on the fly."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

RELEASE = Path(__file__).parent.parent / "data" / "release"


def fixture(name: str) -> Path:
    """The committed fixture repository ``name`` (``good``, ``bad``, ``gitlab``,
    ``broken``)."""
    path = RELEASE / name
    assert path.is_dir(), path
    return path


def copy_fixture(name: str, to: Path) -> Path:
    """A copy of fixture ``name`` under ``to`` that a test may change."""
    target = to / name
    shutil.copytree(fixture(name), target)
    return target


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """``files`` (relative path -> text) written under ``root``; returns ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


#: A project file with nothing but a name (no installer's settings).
PLAIN_PYPROJECT = '[project]\nname = "example"\nversion = "1.0"\n'

#: Dependabot for both ecosystems.
DEPENDABOT_BOTH = """\
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule: {interval: weekly}
  - package-ecosystem: github-actions
    directory: /
    schedule: {interval: weekly}
"""
