"""Upload times from lock files: uv.lock and pylock.toml record one per file; the readers
keep each component's newest as ``metadata["upload-time"]`` (ISO 8601, UTC). Checked
against the real locks of the corpus, read independently here with the stdlib's TOML parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pyward._inventory import _cache, _pylock, _uvlock
from pyward._inventory._common import UPLOAD_TIME
from pyward._inventory._toml import _stdlib_loads
from pyward._model import canonical_name
from pyward.errors import InputError
from tests.conftest import DATA

CORPUS = DATA / "corpus"
UV_LOCKS = sorted((CORPUS / "uv").glob("*/uv.lock"))
PYLOCKS = sorted((CORPUS / "pylock").glob("*/pylock.toml"))


def _as_utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def _expected(path: Path, files: tuple[str, ...]) -> dict[tuple[str, str], dt.datetime]:
    """Name and version -> the newest upload time of its files, read with the stdlib's
    TOML parser (not the readers')."""
    data = _stdlib_loads(path.read_text(encoding="utf-8"))
    found: dict[tuple[str, str], dt.datetime] = {}
    for package in data.get("package", data.get("packages", [])):
        artifacts = [package[k] for k in files[:-1] if k in package]
        artifacts += package.get(files[-1], [])
        times = [_as_utc(a["upload-time"]) for a in artifacts if "upload-time" in a]
        if times and "version" in package:
            key = (canonical_name(package["name"]), package["version"])
            found[key] = max([*times, found.get(key, min(times))])
    return found


@pytest.mark.parametrize("path", UV_LOCKS + PYLOCKS, ids=lambda p: p.parent.name)
def test_each_component_has_its_newest_files_upload_time(path: Path) -> None:
    if path.name == "uv.lock":
        inv = _uvlock.read(path)
        expected = _expected(path, ("sdist", "wheels"))
    else:
        inv = _pylock.read(path)
        expected = _expected(path, ("archive", "sdist", "wheels"))
    got = {
        (c.name, c.version): dt.datetime.fromisoformat(c.metadata[UPLOAD_TIME])
        for c in inv.components
        if UPLOAD_TIME in c.metadata
    }
    assert got == {k: v for k, v in expected.items() if k in got}
    # Every registry component of a lock that records upload times has one.
    assert set(got) == {
        (c.name, c.version) for c in inv.components if c.source == "registry"
    } & set(expected)
    for text in (c.metadata[UPLOAD_TIME] for c in inv.components if UPLOAD_TIME in c.metadata):
        assert dt.datetime.fromisoformat(text).utcoffset() == dt.timedelta(0)


def test_the_corpus_has_upload_times_where_the_tools_write_them() -> None:
    counts = {
        p.parent.name: sum(UPLOAD_TIME in c.metadata for c in _uvlock.read(p).components)
        for p in UV_LOCKS
    }
    # A 2024 lock predates uv's upload-time field: none.
    assert counts["litestar-2024"] == 0
    assert all(n > 0 for name, n in counts.items() if name != "litestar-2024")
    flask = {c.name: c for c in _uvlock.read(CORPUS / "uv" / "flask" / "uv.lock").components}
    # alabaster 1.0.0: sdist 18:15:03.762Z, wheel 18:15:02.05Z: the sdist is newer.
    assert flask["alabaster"].metadata[UPLOAD_TIME] == "2024-07-26T18:15:03.762000+00:00"
    comfy = {
        c.name: c for c in _pylock.read(CORPUS / "pylock" / "comfy-cli" / "pylock.toml").components
    }
    assert comfy["anyio"].metadata[UPLOAD_TIME] == "2025-08-04T08:54:26+00:00"
    pdm = _pylock.read(CORPUS / "pylock" / "pdm-demo-fixture" / "pylock.toml")
    assert not any(UPLOAD_TIME in c.metadata for c in pdm.components)


UV_HEAD = 'version = 1\nrevision = 3\nrequires-python = ">=3.10"\n\n'
UV_PACKAGE = """[[package]]
name = "demo"
version = "1.0"
source = {{ registry = "https://index.example.invalid/simple" }}
sdist = {{ url = "https://f.example.invalid/d.tar.gz", hash = "sha256:{h}", upload-time = {sdist} }}
wheels = [
    {{ url = "https://f.example.invalid/d.whl", hash = "sha256:{h}", upload-time = {wheel} }},
]
"""


def _uv(tmp_path: Path, sdist: str, wheel: str) -> Path:
    path = tmp_path / "uv.lock"
    path.write_text(UV_HEAD + UV_PACKAGE.format(h="ab" * 32, sdist=sdist, wheel=wheel), "utf-8")
    return path


def test_a_wheel_added_later_makes_the_release_that_new(tmp_path: Path) -> None:
    path = _uv(tmp_path, '"2020-01-01T00:00:00Z"', '"2026-12-06T10:00:00+02:00"')
    (comp,) = _uvlock.read(path).components
    assert comp.metadata == {UPLOAD_TIME: "2026-12-06T08:00:00+00:00"}


@pytest.mark.parametrize(
    ("sdist", "what"),
    [
        ('"yesterday"', "not an RFC 3339 time with a time zone (not a date): 'yesterday'"),
        (
            '"2026-12-06T10:00:00"',
            "not an RFC 3339 time with a time zone (no time zone): '2026-12-06T10:00:00'",
        ),
        ("12", "expected a date and time, found a number"),
        (
            '"2027-02-30T00:00:00Z"',
            "not an RFC 3339 time with a time zone (not a date): '2027-02-30T00:00:00Z'",
        ),
    ],
)
def test_a_bad_upload_time_is_an_error_naming_its_place(
    tmp_path: Path, sdist: str, what: str
) -> None:
    path = _uv(tmp_path, sdist, '"2020-01-01T00:00:00Z"')
    with pytest.raises(InputError) as raised:
        _uvlock.read(path)
    assert str(raised.value) == f"{path}: package[0].sdist.upload-time: {what}"


PYLOCK = """lock-version = "1.0"
created-by = "test"

[[packages]]
name = "demo"
version = "1.0"
index = "https://index.example.invalid/simple"
sdist = {{ url = "https://f.example.invalid/demo-1.0.tar.gz", upload-time = 2020-01-01T00:00:00Z, \
hashes = {{ sha256 = "{h}" }} }}
wheels = [
    {{ url = "https://f.example.invalid/demo-1.0-py3-none-any.whl", upload-time = {wheel}, \
hashes = {{ sha256 = "{h}" }} }},
]
"""


def test_a_pylock_time_without_a_zone_is_utc(tmp_path: Path) -> None:
    # PEP 751: "The date and time MUST be recorded in UTC".
    path = tmp_path / "pylock.toml"
    path.write_text(PYLOCK.format(h="ab" * 32, wheel="2026-12-06T10:00:00"), "utf-8")
    (comp,) = _pylock.read(path).components
    assert comp.metadata == {UPLOAD_TIME: "2026-12-06T10:00:00+00:00"}


def test_the_same_release_locked_twice_keeps_the_newest_time(tmp_path: Path) -> None:
    # Two entries of one name and version (chosen by marker) are one component.
    second = UV_PACKAGE.format(
        h="cd" * 32, sdist='"2021-01-01T00:00:00Z"', wheel='"2025-05-05T05:05:05.5Z"'
    ).replace(
        'source = { registry = "https://index.example.invalid/simple" }',
        'source = { registry = "https://mirror.example.invalid/simple" }',
    )
    first = UV_PACKAGE.format(
        h="ab" * 32, sdist='"2024-01-01T00:00:00Z"', wheel='"2025-05-05T05:05:05Z"'
    )
    path = tmp_path / "uv.lock"
    path.write_text(UV_HEAD + first + "\n" + second, "utf-8")
    (comp,) = _uvlock.read(path).components
    assert comp.metadata[UPLOAD_TIME] == "2025-05-05T05:05:05.500000+00:00"


def test_the_read_cache_keeps_the_upload_time(tmp_path: Path) -> None:
    path = _uv(tmp_path, '"2020-01-01T00:00:00Z"', '"2026-12-06T10:00:00Z"')
    directory = tmp_path / "cache"
    first = _cache.cached_read("uv.lock", path, _uvlock.read, directory=directory)
    again = _cache.cached_read("uv.lock", path, _uvlock.read, directory=directory)
    assert again == first
    assert again.components[0].metadata == {UPLOAD_TIME: "2026-12-06T10:00:00+00:00"}


@pytest.mark.parametrize(
    ("sdist", "wheel", "newest"),
    [
        # Within one second the fraction decides, whatever its length.
        ('"2025-05-05T05:05:05Z"', '"2025-05-05T05:05:05.5Z"', "2025-05-05T05:05:05.500000"),
        ('"2025-05-05T05:05:05.25Z"', '"2025-05-05T05:05:05.0625Z"', "2025-05-05T05:05:05.250000"),
        # An offset time is compared as the moment it names.
        ('"2025-05-05T06:00:00+02:00"', '"2025-05-05T04:30:00Z"', "2025-05-05T04:30:00"),
    ],
)
def test_the_newest_of_a_packages_files_is_the_moment_not_the_text(
    tmp_path: Path, sdist: str, wheel: str, newest: str
) -> None:
    (comp,) = _uvlock.read(_uv(tmp_path, sdist, wheel)).components
    assert comp.metadata == {UPLOAD_TIME: f"{newest}+00:00"}
