"""The fixture repositories of the policy, tests, metadata, code and artifacts rules
(``tests/data/release/<case>``), copied to a temporary directory: Python files are
stored as ``*.py.txt`` (so that pyward's linters and pytest leave them alone) and get
their real name in the copy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pyward._release._model import Hit, Repo
from tests.release._repos import copy_fixture, write_tree


def checkout(case: str, into: Path) -> Path:
    """A copy of fixture ``case`` under ``into``, with ``*.py.txt`` renamed ``*.py``."""
    root = copy_fixture(case, into)
    for path in list(root.rglob("*.py.txt")):
        path.rename(path.with_name(path.name.removesuffix(".txt")))
    return root


def write(root: Path, files: dict[str, str]) -> Repo:
    """A repository at ``root`` holding ``files`` (relative path -> text)."""
    return Repo(root=write_tree(root, files))


def rules_of(hits: Iterable[Hit]) -> list[str]:
    """The rule ids of ``hits``, in order."""
    return [hit.rule for hit in hits]
