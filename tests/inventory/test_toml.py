"""The fast TOML path: rtoml gives what the stdlib parser gives, errors name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._inventory import _toml
from pyward.errors import InputError
from tests.conftest import CORPUS

TOML_FILES = sorted(
    p
    for pattern in ("*/*/uv.lock", "*/*/poetry.lock", "*/*/pdm.lock", "*/*/pylock.toml")
    for p in CORPUS.glob(pattern)
)


def test_corpus_has_every_toml_lock() -> None:
    assert len(TOML_FILES) == 14
    assert {p.name for p in TOML_FILES} == {"uv.lock", "poetry.lock", "pdm.lock", "pylock.toml"}


@pytest.mark.parametrize("path", TOML_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_rtoml_equals_stdlib(path: Path) -> None:
    text = path.read_text()
    assert _toml.loads(text, path) == _toml.stdlib_loads(text, path)


def test_unquoted_datetimes_are_equal_instants() -> None:
    # comfy-cli writes upload-time as bare TOML datetimes; both parsers give aware
    # datetimes for the same instant (rtoml's tzinfo class differs, the value does not).
    path = CORPUS / "pylock" / "comfy-cli" / "pylock.toml"
    fast = _toml.load(path)["packages"][0]["sdist"]["upload-time"]
    ref = _toml.stdlib_loads(path.read_text())["packages"][0]["sdist"]["upload-time"]
    assert fast == ref
    assert fast.isoformat() == "2025-08-04T08:54:26+00:00"
    assert fast.utcoffset() == ref.utcoffset()


@pytest.mark.parametrize(
    ("text", "fast", "stdlib"),
    [
        (
            "a = 1\nb = [\n",
            "line 2: invalid TOML: unclosed array, expected `]` (column 6)",
            "line 2: invalid TOML: Invalid value (end of file)",
        ),
        (
            "a = 1\na = 2\n",
            "line 2: invalid TOML: duplicate key (column 1)",
            "line 2: invalid TOML: Cannot overwrite a value (column 6)",
        ),
        (
            '[[package]]\nname = "x" y\n',
            "line 2: invalid TOML: unexpected key or value, expected newline, `#` (column 12)",
            "line 2: invalid TOML: Expected newline or end of document after a statement "
            "(column 12)",
        ),
    ],
)
def test_syntax_errors_name_the_line(text: str, fast: str, stdlib: str) -> None:
    with pytest.raises(InputError) as err:
        _toml.loads(text, "uv.lock")
    assert str(err.value) == f"uv.lock: {fast}"
    with pytest.raises(InputError) as err:
        _toml.stdlib_loads(text, "uv.lock")
    assert str(err.value) == f"uv.lock: {stdlib}"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_bytes(b'version = 1\nname = "caf\xe9"\n')
    with pytest.raises(InputError) as err:
        _toml.load(path)
    assert str(err.value) == f"{path}: line 2: not UTF-8 text"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    with pytest.raises(InputError) as err:
        _toml.load(path)
    assert str(err.value) == f"{path}: cannot read: No such file or directory"
