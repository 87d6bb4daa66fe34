"""The read cache: a cached read is the uncached read, on every corpus lock."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packageurl import PackageURL

import pyward
from pyward._inventory import _cache, _pdm, _pipfile, _poetry, _pylock, _uvlock
from pyward._inventory._common import purl
from pyward._model import Inventory
from pyward._settings import Settings
from pyward.errors import InputError
from tests.conftest import CORPUS

READERS: dict[str, tuple[str, Callable[[Path], Inventory]]] = {
    "uv.lock": ("uv.lock", _uvlock.read),
    "poetry.lock": ("poetry.lock", _poetry.read),
    "pdm.lock": ("pdm.lock", _pdm.read),
    "Pipfile.lock": ("Pipfile.lock", _pipfile.read),
    "pylock.toml": ("pylock.toml", _pylock.read),
}
FILES = sorted(p for name in READERS for p in CORPUS.glob(f"*/*/{name}"))


class Counting:
    """A reader that counts its calls."""

    def __init__(self, read: Callable[[Path], Inventory]) -> None:
        self.read = read
        self.calls = 0

    def __call__(self, path: Path) -> Inventory:
        self.calls += 1
        return self.read(path)


def directory() -> Path | None:
    """The read cache's directory as the CLI resolves it (``PYWARD_CACHE_DIR`` is a
    temporary directory: tests/conftest.py)."""
    return Settings.from_environ(os.environ).read_cache_dir


def entries() -> list[Path]:
    cache = directory()
    assert cache is not None
    return sorted(cache.glob("*.pickle"))


def test_every_lock_of_the_corpus_is_covered() -> None:
    assert len(FILES) == 16


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_cached_read_equals_uncached(path: Path) -> None:
    reader_id, read = READERS[path.name]
    counting = Counting(read)
    first = _cache.cached_read(reader_id, path, counting, directory=directory())
    second = _cache.cached_read(reader_id, path, counting, directory=directory())
    assert counting.calls == 1
    assert second is not first
    assert second == first == read(path)
    assert len(entries()) == 1
    # Spot-check deep equality of what == on dataclasses covers.
    assert [c.hashes for c in second.components] == [c.hashes for c in first.components]
    assert dict(second.edges) == dict(first.edges)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_purls_equal_packageurl_python(path: Path) -> None:
    inv = READERS[path.name][1](path)
    assert inv.components
    for c in inv.components:
        qualifiers = {"repository_url": c.index} if c.non_default_index and c.index else None
        # The name as written: packageurl applies the PyPI type's rule (lower case, "_"
        # as "-", dots kept).
        name = c.display_name or c.name
        expected = PackageURL(type="pypi", name=name, version=c.version, qualifiers=qualifiers)
        assert c.purl == expected.to_string()


@given(
    name=st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?", fullmatch=True),
    version=st.text(min_size=1, max_size=20).filter(lambda v: v.strip() == v),
    index=st.none() | st.text(min_size=1, max_size=40),
)
def test_purl_quoting_equals_packageurl_python_for_any_text(
    name: str, version: str, index: str | None
) -> None:
    # _common.purl hand-writes packageurl-python's encoding (importing that library costs
    # ~12 ms on the hot path); this holds the two equal for any name as written (the PyPI
    # type's normalisation), version and index text.
    qualifiers = {"repository_url": index} if index else None
    expected = PackageURL(type="pypi", name=name, version=version, qualifiers=qualifiers)
    assert purl(name, version, index) == expected.to_string()


def lock(tmp_path: Path) -> Path:
    path = tmp_path / "uv.lock"
    path.write_bytes((CORPUS / "uv" / "flask" / "uv.lock").read_bytes())
    return path


def test_changed_bytes_are_a_miss(tmp_path: Path) -> None:
    path = lock(tmp_path)
    counting = Counting(_uvlock.read)
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    path.write_text(path.read_text().replace('version = "1.9.0"', 'version = "1.9.1"', 1))
    inv = _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert counting.calls == 2
    assert inv.component(next(c.key for c in inv.components if c.name == "blinker")) is not None
    assert any(c.key == "blinker==1.9.1" for c in inv.components)
    assert len(entries()) == 2


def test_reader_and_pyward_version_and_format_are_in_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = lock(tmp_path)
    counting = Counting(_uvlock.read)
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    _cache.cached_read("other", path, counting, directory=directory())
    assert counting.calls == 2
    monkeypatch.setattr(pyward, "__version__", "99.0")
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert counting.calls == 3
    monkeypatch.setattr(_cache, "CACHE_FORMAT", _cache.CACHE_FORMAT + 1)
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert counting.calls == 4
    assert len(entries()) == 4


def test_the_path_is_in_the_key(tmp_path: Path) -> None:
    # The inventory records the path, so the same bytes elsewhere are read again.
    a = lock(tmp_path)
    b = tmp_path / "copy" / "uv.lock"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    assert _cache.cached_read("uv.lock", a, _uvlock.read, directory=directory()).source == str(a)
    assert _cache.cached_read("uv.lock", b, _uvlock.read, directory=directory()).source == str(b)


@pytest.mark.parametrize(
    "damage",
    [
        lambda _: b"",
        lambda _: b"not a pickle",
        lambda _: b"\x80\x05garbage",
        lambda entry: entry[:1000],
        lambda _: pickle.dumps(("a", "tuple")),
    ],
    ids=["empty", "not-a-pickle", "garbage", "truncated", "not-an-inventory"],
)
def test_corrupt_entry_is_a_miss_and_rewritten(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    path = lock(tmp_path)
    counting = Counting(_uvlock.read)
    good = _cache.cached_read("uv.lock", path, counting, directory=directory())
    [entry] = entries()
    damaged = damage(entry.read_bytes())
    entry.write_bytes(damaged)
    assert _cache.cached_read("uv.lock", path, counting, directory=directory()) == good
    assert counting.calls == 2
    assert entry.read_bytes() != damaged
    assert _cache.cached_read("uv.lock", path, counting, directory=directory()) == good
    assert counting.calls == 2


class Planted:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.getenv, ("HOME",))


def test_planted_pickle_is_not_executed(tmp_path: Path) -> None:
    path = lock(tmp_path)
    counting = Counting(_uvlock.read)
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    [entry] = entries()
    entry.write_bytes(pickle.dumps(Planted()))
    with (
        entry.open("rb") as fh,
        pytest.raises(pickle.UnpicklingError, match=r"os\.getenv is not allowed"),
    ):
        _cache._ModelUnpickler(fh).load()
    inv = _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert inv == _uvlock.read(path)
    assert counting.calls == 2


def test_planted_pickle_after_a_matching_header_is_not_executed(tmp_path: Path) -> None:
    path = lock(tmp_path)
    counting = Counting(_uvlock.read)
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    [entry] = entries()
    header = pickle.dumps((_cache.identity("uv.lock", path), path.read_bytes()))
    entry.write_bytes(header + pickle.dumps(Planted()))
    inv = _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert inv == _uvlock.read(path)
    assert counting.calls == 2
    assert len(entries()) == 1


def test_crc_collision_is_a_miss_never_a_wrong_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every input gets the same entry name: only the stored bytes tell them apart.
    monkeypatch.setattr(_cache.zlib, "crc32", lambda data, value=0: 7)
    a = lock(tmp_path)
    b = tmp_path / "other" / "uv.lock"
    b.parent.mkdir()
    b.write_text(a.read_text().replace('version = "1.9.0"', 'version = "1.9.1"', 1))
    counting = Counting(_uvlock.read)
    first_a = _cache.cached_read("uv.lock", a, counting, directory=directory())
    assert [e.name for e in entries()] == ["00000007.pickle"]
    first_b = _cache.cached_read("uv.lock", b, counting, directory=directory())
    assert counting.calls == 2
    assert any(c.key == "blinker==1.9.1" for c in first_b.components)
    assert not any(c.key == "blinker==1.9.1" for c in first_a.components)
    # The entry now holds b; a is read again (a miss), and the result is a's.
    assert _cache.cached_read("uv.lock", b, counting, directory=directory()) == first_b
    assert counting.calls == 2
    assert _cache.cached_read("uv.lock", a, counting, directory=directory()) == first_a
    assert counting.calls == 3
    # The same bytes under another reader id collide too and are a miss.
    assert _cache.cached_read("other", a, counting, directory=directory()) == first_a
    assert counting.calls == 4
    assert len(entries()) == 1


def test_no_cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYWARD_NO_CACHE", "1")
    path = lock(tmp_path)
    counting = Counting(_uvlock.read)
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert counting.calls == 2
    assert not (Settings.from_environ(os.environ).cache_dir / "inventory").exists()
    monkeypatch.setenv("PYWARD_NO_CACHE", "0")
    assert Settings.from_environ(os.environ).read_cache


def test_unwritable_cache_dir_still_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("PYWARD_CACHE_DIR", str(blocker))
    path = lock(tmp_path)
    inv = _cache.cached_read("uv.lock", path, _uvlock.read, directory=directory())
    assert len(inv.components) == 82


def test_reader_errors_propagate_and_are_not_cached(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text("version = 7\n")
    for _ in range(2):
        with pytest.raises(InputError) as err:
            _cache.cached_read("uv.lock", path, _uvlock.read, directory=directory())
        assert str(err.value) == (
            f"{path}: version: unsupported uv.lock format version 7 (this pyward reads 1)"
        )
    assert entries() == []


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    with pytest.raises(InputError) as err:
        _cache.cached_read("uv.lock", path, _uvlock.read, directory=directory())
    assert str(err.value) == f"{path}: cannot read: No such file or directory"


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("PYWARD_CACHE_DIR")
    expected = Path(platformdirs.user_cache_dir("pyward", appauthor=False)) / "inventory"
    assert directory() == expected
