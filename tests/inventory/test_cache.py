"""The read cache: a cached read is the uncached read, on every corpus lock."""

from __future__ import annotations

import copy
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packageurl import PackageURL

import pyward
from pyward._inventory import _cache, _pdm, _pipfile, _poetry, _pylock, _registry, _uvlock
from pyward._inventory._common import purl
from pyward._model import Inventory
from pyward._settings import Settings
from pyward.errors import InputError
from tests.conftest import CORPUS, DATA

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
    return sorted(cache.glob(f"*{_cache.SUFFIX}"))


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


class Touching:
    """Unpickled, it creates a file: proof that it ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.path,))


def test_planted_pickle_is_not_executed(tmp_path: Path) -> None:
    path = lock(tmp_path)
    counting = Counting(_uvlock.read)
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    [entry] = entries()
    entry.write_bytes(pickle.dumps(Planted()))
    inv = _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert inv == _uvlock.read(path)
    assert counting.calls == 2
    # Nothing in an entry is unpickled, even behind a matching header.
    marker = tmp_path / "ran"
    entry.write_bytes(_cache.header(_cache.identity("uv.lock", path), path.read_bytes()))
    with entry.open("ab") as fh:
        pickle.dump(Touching(marker), fh)
    assert _cache.cached_read("uv.lock", path, counting, directory=directory()) == inv
    assert counting.calls == 3
    assert not marker.exists()


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
    monkeypatch.setattr("pyward._inventory._cache.zlib.crc32", lambda data, value=0: 7)
    a = lock(tmp_path)
    b = tmp_path / "other" / "uv.lock"
    b.parent.mkdir()
    b.write_text(a.read_text().replace('version = "1.9.0"', 'version = "1.9.1"', 1))
    counting = Counting(_uvlock.read)
    first_a = _cache.cached_read("uv.lock", a, counting, directory=directory())
    assert [e.name for e in entries()] == ["00000007.entry"]
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


# -- the JSON entries ------------------------------------------------------------------


def _entry_doc(path: Path) -> tuple[Path, bytes, dict[str, Any]]:
    """A fresh entry for ``path``: its file, header and JSON document."""
    _cache.cached_read("uv.lock", path, _uvlock.read, directory=directory())
    [entry] = entries()
    header = _cache.header(_cache.identity("uv.lock", path), path.read_bytes())
    raw = entry.read_bytes()
    assert raw.startswith(header)
    return entry, header, orjson.loads(raw[len(header) :])


@pytest.mark.parametrize(
    "json_text",
    [b"", b"{", b'{"s": "uv.lock", "f": "uv.lock"', b"[1, 2", b"\xff\xfe", b"null", b"{} {}"],
    ids=["empty", "open-brace", "truncated", "open-list", "not-utf8", "null", "two-documents"],
)
def test_malformed_json_is_a_miss_and_rewritten(tmp_path: Path, json_text: bytes) -> None:
    path = lock(tmp_path)
    entry, header, _ = _entry_doc(path)
    good = entry.read_bytes()
    counting = Counting(_uvlock.read)
    entry.write_bytes(header + json_text)
    assert _cache.cached_read("uv.lock", path, counting, directory=directory()) == _uvlock.read(
        path
    )
    assert counting.calls == 1
    assert entry.read_bytes() == good


def test_another_layout_version_is_a_miss(tmp_path: Path) -> None:
    path = lock(tmp_path)
    entry, header, doc = _entry_doc(path)
    good = entry.read_bytes()
    counting = Counting(_uvlock.read)
    # The same document under the header of another layout version.
    current = b"pyward read cache %d " % _cache.CACHE_FORMAT
    older = header.replace(current, b"pyward read cache %d " % (_cache.CACHE_FORMAT - 1), 1)
    assert older != header
    entry.write_bytes(older + orjson.dumps(doc))
    assert _cache.cached_read("uv.lock", path, counting, directory=directory()) == _uvlock.read(
        path
    )
    assert counting.calls == 1
    assert entry.read_bytes() == good
    # A document of another schema (an unknown key) behind the right header.
    entry.write_bytes(header + orjson.dumps({**doc, "schema": 6}))
    _cache.cached_read("uv.lock", path, counting, directory=directory())
    assert counting.calls == 2
    assert entry.read_bytes() == good


def _set_in(doc: dict[str, Any], where: tuple[Any, ...], value: object) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target: Any = doc
    for step in where[:-1]:
        target = target[step]
    if value is DELETE:
        del target[where[-1]]
    else:
        target[where[-1]] = value
    return doc


DELETE = object()

#: (where in the document, a value of the wrong type or shape)
WRONG = {
    "source-int": (("s",), 7),
    "format-missing": (("f",), DELETE),
    "components-dict": (("c",), {"a": 1}),
    "component-list": (("c", 0), ["blinker", "1.9.0"]),
    "name-int": (("c", 0, "n"), 1),
    "name-missing": (("c", 0, "n"), DELETE),
    "version-list": (("c", 0, "v"), ["1.9.0"]),
    "purl-null": (("c", 0, "p"), None),
    "source-unknown": (("c", 0, "s"), "ftp"),
    "direct-false": (("c", 0, "r"), False),
    "direct-string": (("c", 0, "r"), "yes"),
    "hashes-odd": (("c", 0, "h"), ["sha256"]),
    "hashes-int": (("c", 0, "h"), ["sha256", 1]),
    "hashes-pairs": (("c", 0, "h"), [["sha256", "ab"]]),
    "groups-string": (("c", 0, "g"), "main"),
    "groups-int-item": (("c", 0, "g"), ["main", 1]),
    "location-short": (("c", 0, "l"), ["uv.lock"]),
    "line-string": (("c", 0, "l"), ["uv.lock", "12"]),
    "line-float": (("c", 0, "l"), ["uv.lock", 1.5]),
    "metadata-value-int": (("c", 0, "M"), {"summary": 1}),
    "metadata-list": (("c", 0, "M"), ["summary"]),
    "unknown-component-key": (("c", 0, "zz"), 1),
    "later-name-int": (("c", 3, "n"), 2),
    "later-component-string": (("c", 3), "blinker"),
    "source-list": (("c", 0, "s"), ["registry"]),
    "non-default-index-int": (("c", 0, "x"), 1),
    "hashes-null": (("c", 0, "h"), None),
    "artifacts-short": (("c", 0, "a"), ["blinker-1.9.0.tar.gz", None]),
    "artifact-filename-null": (("c", 0, "a"), [None, None, None]),
    "artifact-url-int": (("c", 0, "a"), ["blinker-1.9.0.tar.gz", None, 1]),
    "extras-int-item": (("c", 0, "e"), [1]),
    "location-null": (("c", 0, "l"), None),
    "line-bool": (("c", 0, "l"), ["uv.lock", True]),
    "metadata-null": (("c", 0, "M"), None),
    "edges-list": (("e",), [["a", "b"]]),
    "edge-targets-string": (("e", "anyio==4.13.0"), "idna==3.11"),
    "roots-int": (("r",), [1]),
    "notes-string": (("o",), "a note"),
    "project-string": (("p",), "flask"),
    "not-audited-requirement-missing": (("n",), [{"n": "x", "w": "why"}]),
}


@pytest.mark.parametrize("case", list(WRONG), ids=list(WRONG))
def test_fields_of_the_wrong_type_are_a_miss(tmp_path: Path, case: str) -> None:
    path = lock(tmp_path)
    entry, header, doc = _entry_doc(path)
    assert "anyio==4.13.0" in doc["e"]
    good = entry.read_bytes()
    where, value = WRONG[case]
    bad = _set_in(doc, where, value)
    assert bad != doc
    assert _cache.decode(orjson.dumps(bad)) is None
    entry.write_bytes(header + orjson.dumps(bad))
    counting = Counting(_uvlock.read)
    assert _cache.cached_read("uv.lock", path, counting, directory=directory()) == _uvlock.read(
        path
    )
    assert counting.calls == 1
    assert entry.read_bytes() == good


def _every_input(tmp_path: Path) -> list[tuple[_registry.Reader, Path]]:
    """Every file of the corpus with the reader that reads it, pip's installation
    reports, a pyproject.toml, and the running environment."""
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.name != "SOURCES.md":
            found.append((_registry.for_filename(path.name) or _registry.sniff(path), path))
    for path in sorted((DATA / "pip-report").glob("*.json")):
        found.append((_registry.sniff(path), path))
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "Demo.App"\nversion = "1.0"\nlicense = "MIT"\n'
        'dependencies = ["idna==3.4", "requests>=2"]\n'
        "[project.optional-dependencies]\nsocks = [\"PySocks==1.7.1 ; os_name == 'nt'\"]\n"
    )
    found.append((_registry.by_id("pyproject.toml"), pyproject))
    found.append((_registry.by_id("environment"), Path(sys.prefix)))
    return found


def test_every_readers_inventory_round_trips(tmp_path: Path) -> None:
    inputs = _every_input(tmp_path)
    assert {r.id for r, _ in inputs} == {r.id for r in _registry.READERS}
    assert len(inputs) == 32
    for reader, path in inputs:
        read = reader.load()
        inventory = read(path)
        again = _cache.decode(_cache.encode(inventory))
        assert again == inventory, path
        assert again is not None
        assert [c.hashes for c in again.components] == [c.hashes for c in inventory.components]
        assert [c.metadata for c in again.components] == [c.metadata for c in inventory.components]
        assert list(again.edges.items()) == list(inventory.edges.items())
        if reader.cacheable:
            cached = _cache.cached_read(reader.id, path, read, directory=directory())
            assert _cache.cached_read(reader.id, path, read, directory=directory()) == cached
            assert cached == inventory, path


def test_an_entry_keeps_no_default_and_no_pickle(tmp_path: Path) -> None:
    path = lock(tmp_path)
    entry, _, doc = _entry_doc(path)
    assert set(doc) == {"s", "f", "c", "e", "r", "p", "q"}  # q: requires-python
    assert b"\x80\x05" not in entry.read_bytes()
    first = doc["c"][0]
    assert set(first) <= set(_cache._COMPONENT)
    assert "x" not in first  # non_default_index=False: a default, left out
