"""Fleet trees for the tests: project directories holding copies of the corpus's lock
files, requirements files and SBOMs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pyward._fleet._model import FleetJob
from tests.conftest import CORPUS

#: One lock file of each format, and an SBOM (a file of its own).
SAMPLES = (
    CORPUS / "uv" / "flask" / "uv.lock",
    CORPUS / "poetry" / "poetry" / "poetry.lock",
    CORPUS / "pdm" / "pdm" / "pdm.lock",
    CORPUS / "pipenv" / "httpbin-2018" / "Pipfile.lock",
    CORPUS / "pylock" / "pdm-demo-fixture" / "pylock.toml",
    CORPUS / "requirements" / "httpx" / "requirements.txt",
    CORPUS / "sbom-cyclonedx" / "sbom4python" / "sbom4python.cdx.json",
)


def corpus_files() -> list[Path]:
    """Every lock, requirements and SBOM file of the corpus (one per project)."""
    from pyward._inventory._registry import for_filename

    files = sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name != "SOURCES.md" and for_filename(p.name) is not None
    )
    seen: set[Path] = set()
    out = []
    for p in files:
        if p.parent not in seen:
            seen.add(p.parent)
            out.append(p)
    return out


def build_tree(root: Path, count: int, files: list[Path] | None = None) -> list[str]:
    """``count`` project directories under ``root`` (``p0000-uv.lock``...), each with one
    corpus file; their names."""
    files = files if files is not None else list(SAMPLES)
    names = []
    for i in range(count):
        src = files[i % len(files)]
        name = f"p{i:04d}-{src.name}"
        directory = root / name
        directory.mkdir(parents=True)
        shutil.copyfile(src, directory / src.name)
        names.append(name)
    return names


def job(command: str = "audit", *argv: str) -> FleetJob:
    """An offline job in this test's cache directory."""
    environ = {"PYWARD_CACHE_DIR": os.environ["PYWARD_CACHE_DIR"], "PYWARD_OFFLINE": "1"}
    return FleetJob(
        command=command,  # type: ignore[arg-type]
        argv=("--offline", *argv),
        environ=tuple(sorted(environ.items())),
    )


def refuse_listing(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Listing any directory called ``name`` fails as chmod 000 makes it fail, for root
    too (whom chmod 000 does not stop)."""
    real = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
