"""The Python target: the option, ``.python-version``, the recorded ``requires-python``
lower bound, the audited environment; first match wins."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pyward._checks import PythonTarget
from pyward._inventory import _environment, _pdm, _pipfile, _poetry, _pylock, _pyproject, _uvlock
from pyward._model import Inventory, Location
from pyward._sources.lifecycle import resolve_python_target
from pyward._sources.lifecycle._target import lower_bound, read_python_version

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


@pytest.mark.parametrize(
    ("spec", "bound"),
    [
        (">=3.9,<4", "3.9"),
        ("~=3.10", "3.10"),
        ("==3.11.*", "3.11"),
        (">=3.9.0,<4.0", "3.9.0"),
        (">3.8", "3.8"),
        (">=3.8, !=3.9.*", "3.8"),
        ("<4,>=3.7", "3.7"),
        (">=3", "3.0"),
        ("^3.6", "3.6"),
        ("~3.8", "3.8"),
        ("3.11", "3.11"),
        (">=3.9 || >=4.1", "3.9"),
        ("<4", None),
        ("*", None),
        ("", None),
        ("python 3", None),
        (">=three", None),
    ],
)
def test_lower_bound(spec: str, bound: str | None) -> None:
    assert lower_bound(spec) == bound


versions = st.tuples(st.integers(2, 4), st.integers(0, 30)).map(lambda t: f"{t[0]}.{t[1]}")


@given(low=versions, high=st.integers(4, 9), excluded=versions)
def test_the_lower_bound_is_the_greater_equal_clause(low: str, high: int, excluded: str) -> None:
    # Upper bounds and exclusions of other lines never move the lower bound, in any order.
    assume(excluded != low)
    for spec in (f">={low},<{high}", f"<{high}, >={low}", f">={low},!={excluded}.*"):
        assert lower_bound(spec) == low


@pytest.mark.parametrize(
    ("text", "version", "line"),
    [
        ("3.12\n", "3.12", 1),
        ("3.12.1", "3.12.1", 1),
        ("cpython-3.12\n", "3.12", 1),
        ("# pinned for CI\n\n3.11  # comment\n3.12\n", "3.11", 3),
        ("pypy3.10-7.3.12\n", "3.10", 1),
        ("3.13t\n", "3.13", 1),
    ],
)
def test_python_version_file(tmp_path: Path, text: str, version: str, line: int) -> None:
    file = tmp_path / ".python-version"
    file.write_text(text)
    assert read_python_version(file) == (version, line, None)
    target, notes = resolve_python_target([], first_input=tmp_path / "uv.lock")
    assert target == PythonTarget(
        version=version, origin=".python-version", location=Location(file=str(file), line=line)
    )
    assert notes == []


def test_a_bad_python_version_file_is_a_note_and_the_next_source_wins(tmp_path: Path) -> None:
    file = tmp_path / ".python-version"
    file.write_text("# comment\nsystem\n")
    inv = Inventory(source="uv.lock", format="uv.lock", requires_python=">=3.9")
    target, notes = resolve_python_target([inv], first_input=tmp_path)
    assert notes == [f"{file}: line 2: not a Python version: 'system'"]
    assert target == PythonTarget(
        version="3.9", origin="uv.lock requires-python", location=Location(file="uv.lock")
    )
    file.write_text("# nothing\n")
    assert resolve_python_target([], first_input=tmp_path) == (
        None,
        [f"{file}: no Python version in it"],
    )


def test_the_option_wins(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("3.12\n")
    inv = Inventory(source="uv.lock", format="uv.lock", requires_python=">=3.9")
    assert resolve_python_target([inv], option="3.8", first_input=tmp_path) == (
        PythonTarget(version="3.8", origin="--python-version"),
        [],
    )
    target, notes = resolve_python_target([inv], option="eight", first_input=None)
    assert notes == ["--python-version: not a Python version (X.Y): 'eight'"]
    assert target is not None
    assert target.origin == "uv.lock requires-python"


def test_an_unreadable_requires_python_is_a_note() -> None:
    inv = Inventory(source="poetry.lock", format="poetry.lock", requires_python="*")
    assert resolve_python_target([inv]) == (
        None,
        ["poetry.lock: poetry.lock python-versions '*': no lower bound read; no Python target"],
    )


def _target(inv: Inventory) -> PythonTarget | None:
    return resolve_python_target([inv])[0]


@pytest.mark.parametrize(
    ("reader", "path", "version", "origin"),
    [
        (_uvlock.read, "uv/flask/uv.lock", "3.10", "uv.lock requires-python"),
        (_pylock.read, "pylock/comfy-cli/pylock.toml", "3.10", "pylock.toml requires-python"),
        (_poetry.read, "poetry/poetry/poetry.lock", "3.10", "poetry.lock python-versions"),
        (_poetry.read, "poetry/saleor-2020/poetry.lock", "3.8", "poetry.lock python-versions"),
        (
            _poetry.read,
            "poetry/wemake-python-styleguide-2019/poetry.lock",
            "3.6",
            "poetry.lock python-versions",
        ),
    ],
)
def test_requires_python_of_real_locks(
    reader: object, path: str, version: str, origin: str
) -> None:
    inv = reader(CORPUS / path)  # type: ignore[operator]
    assert _target(inv) == PythonTarget(
        version=version, origin=origin, location=Location(file=str(CORPUS / path))
    )


def test_locks_that_record_no_python() -> None:
    for inv in (
        _pdm.read(CORPUS / "pdm/pdm/pdm.lock"),
        _pipfile.read(CORPUS / "pipenv/paperless-ngx-2025/Pipfile.lock"),
    ):
        assert inv.requires_python is None
        assert _target(inv) is None


def test_pipfile_lock_python_version(tmp_path: Path) -> None:
    lock = tmp_path / "Pipfile.lock"
    meta = {"hash": {"sha256": "0"}, "pipfile-spec": 6, "requires": {"python_version": "3.11"}}
    lock.write_text(json.dumps({"_meta": meta, "default": {}, "develop": {}}))
    inv = _pipfile.read(lock)
    assert inv.requires_python == "3.11"
    assert _target(inv) == PythonTarget(
        version="3.11", origin="Pipfile.lock python_version", location=Location(file=str(lock))
    )


def test_pdm_lock_requires_python(tmp_path: Path) -> None:
    lock = tmp_path / "pdm.lock"
    text = (CORPUS / "pdm/pdm/pdm.lock").read_text()
    lock.write_text(text.replace("[metadata]\n", '[metadata]\nrequires_python = ">=3.9"\n', 1))
    inv = _pdm.read(lock)
    assert _target(inv) == PythonTarget(
        version="3.9", origin="pdm.lock requires_python", location=Location(file=str(lock))
    )


def test_pyproject_requires_python(tmp_path: Path) -> None:
    file = tmp_path / "pyproject.toml"
    file.write_text('[project]\nname = "x"\nrequires-python = "~=3.10"\ndependencies = []\n')
    inv = _pyproject.read(file)
    assert _target(inv) == PythonTarget(
        version="3.10", origin="pyproject.toml requires-python", location=Location(file=str(file))
    )


def test_the_environment_interpreter_comes_last() -> None:
    env = _environment.read_environment()
    assert env.python_version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert _target(env) == PythonTarget(
        version=env.python_version,
        origin="the audited environment",
        location=Location(file=env.source),
    )
    lock = Inventory(source="uv.lock", format="uv.lock", requires_python=">=3.9")
    target, _ = resolve_python_target([env, lock])
    assert target is not None
    assert target.origin == "uv.lock requires-python"
