"""The registry of inventory readers: one entry per input format.

Adding a format is one module with ``read(path) -> Inventory`` plus one entry here;
``tests/inventory/test_registry.py`` iterates :data:`READERS` and proves each entry
imports, has its function and reads a real file. Only the module of the reader that is
used gets imported.
"""

from __future__ import annotations

import fnmatch
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from pyward._files import read_capped, read_head
from pyward._model import Inventory
from pyward.errors import InputError, UsageError


@dataclass(frozen=True, slots=True, kw_only=True)
class Reader:
    """One input format."""

    id: str
    """The format id (``Inventory.format``, ``--format``): ``uv.lock``, ``requirements``..."""
    module: str
    """Module that reads it."""
    patterns: tuple[str, ...]
    """File-name patterns (``fnmatch``, case-sensitive) that select it."""
    description: str
    """One line for ``--help`` and the docs."""
    function: str = "read"
    """Name of the reading function in :attr:`module`."""
    cacheable: bool = True
    """The result depends only on the file's bytes (so it may be cached)."""
    takes_environ: bool = False
    """Its function takes ``environ=`` (variables the format expands, as pip's ``${NAME}``)."""
    takes_origin: bool = False
    """Its function takes ``origin=``: the path the user gave when the bytes are read
    from a spool of a pipe, to name in the result and errors and to resolve relative
    includes against (issue 12, item 12)."""
    installs_by_graph: bool = False
    """Its installer walks the dependency graph from the project (uv, Poetry, PDM), so a
    package needed only by an excluded one is not installed either. Flat formats
    (requirements, ``pylock.toml``, ``Pipfile.lock``) install every entry whose marker
    holds, and SBOMs and environments list what is there."""

    def load(self) -> Callable[[Path], Inventory]:
        """The reading function (imports the module)."""
        module = importlib.import_module(self.module)
        return cast("Callable[[Path], Inventory]", getattr(module, self.function))

    def matches(self, filename: str) -> bool:
        return any(fnmatch.fnmatchcase(filename, p) for p in self.patterns)


#: Every reader, most specific file names first (``*.spdx.json`` before ``*.json``).
READERS: tuple[Reader, ...] = (
    Reader(
        id="uv.lock",
        installs_by_graph=True,
        module="pyward._inventory._uvlock",
        patterns=("uv.lock",),
        description="uv lock file",
    ),
    Reader(
        id="pylock.toml",
        module="pyward._inventory._pylock",
        patterns=("pylock.toml", "pylock.*.toml"),
        description="PEP 751 lock file (pylock.toml)",
    ),
    Reader(
        id="poetry.lock",
        installs_by_graph=True,
        module="pyward._inventory._poetry",
        patterns=("poetry.lock",),
        description="Poetry lock file",
    ),
    Reader(
        id="pdm.lock",
        installs_by_graph=True,
        module="pyward._inventory._pdm",
        patterns=("pdm.lock",),
        description="PDM lock file",
    ),
    Reader(
        id="Pipfile.lock",
        module="pyward._inventory._pipfile",
        patterns=("Pipfile.lock",),
        description="Pipenv lock file",
    ),
    Reader(
        id="requirements",
        module="pyward._inventory._requirements",
        patterns=("requirements*.txt", "*requirements.txt", "*.txt", "*.in"),
        description="pip requirements file (pinned with == or ===; -r/-c includes)",
        # Its result depends on the files it includes, which the content-hash cache of
        # the one file cannot see.
        cacheable=False,
        takes_environ=True,
        takes_origin=True,
    ),
    Reader(
        id="pyproject.toml",
        module="pyward._inventory._pyproject",
        patterns=("pyproject.toml",),
        description="pyproject.toml alone (exact pins only; lock the project for the rest)",
    ),
    Reader(
        id="cyclonedx",
        module="pyward._inventory._cyclonedx",
        patterns=("*.cdx.json", "bom.json", "*.cdx.xml", "bom.xml", "*.bom.json", "*.bom.xml"),
        description="CycloneDX SBOM, JSON or XML (1.2 to 1.6)",
    ),
    Reader(
        id="spdx",
        module="pyward._inventory._spdx",
        patterns=("*.spdx.json", "*.spdx"),
        description="SPDX 2.x SBOM, JSON or tag-value",
    ),
    Reader(
        id="pip-report",
        module="pyward._inventory._pipreport",
        patterns=("pip-report*.json", "*.pip-report.json"),
        description="pip's installation report (pip install --dry-run --report FILE)",
    ),
    Reader(
        id="environment",
        module="pyward._inventory._environment",
        patterns=(),
        description="installed environment (the running Python, a venv or another interpreter)",
        function="read_environment",
        cacheable=False,
    ),
)

_BY_ID = {r.id: r for r in READERS}

#: Project files, in the order a directory scan prefers them (most precise first).
PROJECT_ORDER: tuple[str, ...] = (
    "uv.lock",
    "pylock.toml",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "requirements",
    "pyproject.toml",
)


def by_id(reader_id: str) -> Reader:
    """The reader with this id (``--format``); a ``UsageError`` lists the ids."""
    reader = _BY_ID.get(reader_id)
    if reader is None:
        known = ", ".join(r.id for r in READERS if r.patterns)
        raise UsageError(f"unknown input format {reader_id!r} (known: {known})")
    return reader


def installs_by_graph(reader_id: str) -> bool:
    """See :attr:`Reader.installs_by_graph` (``False`` for an unknown id)."""
    reader = _BY_ID.get(reader_id)
    return reader is not None and reader.installs_by_graph


def for_filename(filename: str) -> Reader | None:
    """The reader whose file-name patterns match, or ``None``."""
    for reader in READERS:
        if reader.matches(filename):
            return reader
    return None


def sniff(path: Path) -> Reader:
    """The reader for a file whose name says nothing, from its first bytes."""
    try:
        head = read_head(path, 65536)
        text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
        if text.startswith("{") and len(head) == 65536:
            # JSON keys come in any order: ``bomFormat`` may be the last one.
            text = read_capped(path).decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if text.startswith("{"):
        if '"bomFormat"' in text:
            return _BY_ID["cyclonedx"]
        if '"spdxVersion"' in text:
            return _BY_ID["spdx"]
        if '"_meta"' in text and '"default"' in text:
            return _BY_ID["Pipfile.lock"]
        if '"install"' in text and '"pip_version"' in text:
            return _BY_ID["pip-report"]
    elif text.startswith("<"):
        if "cyclonedx.org/schema/bom" in text:
            return _BY_ID["cyclonedx"]
    elif text.startswith("SPDXVersion:") or "\nSPDXVersion:" in text:
        return _BY_ID["spdx"]
    else:
        toml_reader = _sniff_toml(text)
        if toml_reader is not None:
            return toml_reader
        if _looks_like_requirements(text):
            return _BY_ID["requirements"]
    raise InputError(
        path,
        "cannot tell the format from the name or the content; "
        f"use --format ({', '.join(r.id for r in READERS if r.patterns)})",
    )


def _sniff_toml(text: str) -> Reader | None:
    lines = [line.strip() for line in text.splitlines()]
    starts = {line.split("=", 1)[0].strip() for line in lines if "=" in line}
    if "lock-version" in starts and "[[packages]]" in lines:
        return _BY_ID["pylock.toml"]
    if "[[package]]" in lines:
        if "lock_version" in starts or ("[metadata]" in lines and "content_hash" in starts):
            return _BY_ID["pdm.lock"]
        if "content-hash" in starts or "[metadata.files]" in lines:
            return _BY_ID["poetry.lock"]
        if "version" in starts and ("requires-python" in starts or "source" in starts):
            return _BY_ID["uv.lock"]
    if "[project]" in lines or "[tool.poetry]" in lines or "[dependency-groups]" in lines:
        return _BY_ID["pyproject.toml"]
    return None


def _looks_like_requirements(text: str) -> bool:
    """Every non-comment line is a plausible requirement or pip option."""
    pattern = re.compile(
        r"^(-[-a-zA-Z]+([ =].*)?|[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*([<>=!~;@].*)?|\S+://\S+.*)$"
    )
    seen = False
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip().rstrip("\\").strip()
        if not line or line.startswith("#"):
            continue
        if not pattern.match(line):
            return False
        seen = True
    return seen
