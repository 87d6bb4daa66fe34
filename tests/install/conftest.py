"""Fixtures of the install tests: real wheels built here, a loopback index serving them,
and a fresh virtual environment with pip (made once per module: ``python -m venv`` with
pip takes seconds)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.install._wheels import Dist, build_wheels, wheel_index

#: The distributions every install test's index serves.
DISTS = (
    Dist(name="demo-app", version="1.0", requires=("demo-lib>=1.0",)),
    Dist(name="demo-lib", version="1.2", license_expression="Apache-2.0"),
    Dist(name="demo-lib", version="1.1", license_expression="Apache-2.0"),
    Dist(name="demo-bad", version="2.0", requires=("demo-lib",)),
    Dist(name="demo-tool", version="0.5"),
    Dist(name="demo-evil", version="1.0"),
    Dist(name="reqeusts", version="2.0"),
)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wheels")
    build_wheels(directory, DISTS)
    return directory


@pytest.fixture(scope="module")
def index(wheels: Path) -> Iterator[str]:
    with wheel_index(wheels) as url:
        yield url


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with pip; the interpreter's path."""
    directory = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True)
    return directory / "bin" / "python"


def installed(python: Path) -> dict[str, str]:
    """Name -> version of what ``python``'s environment holds (pip's own list)."""
    import json

    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "list", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return {p["name"]: p["version"] for p in json.loads(done.stdout)}
