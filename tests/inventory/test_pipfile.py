"""Pipfile.lock reader on the real locks of the corpus (see tests/data/corpus/SOURCES.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyward._inventory import _pipfile
from pyward._model import Component, ComponentKey, Inventory
from pyward.errors import InputError
from tests.conftest import CORPUS

PIPENV = CORPUS / "pipenv"


def read(name: str) -> Inventory:
    return _pipfile.read(PIPENV / name / "Pipfile.lock")


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def default_source(name: str) -> str:
    url = json.loads((PIPENV / name / "Pipfile.lock").read_text())["_meta"]["sources"][0]["url"]
    assert isinstance(url, str)
    return url


# httpbin: 20 entries; pyyaml is a git requirement with no version -> 19 + 1 not audited.
# paperless-ngx: 257 entries over default/develop/typing-dev, 211 names; the same name at
#   the same version in several categories is one component (215 distinct name+version:
#   attrs, certifi, cryptography and django each at two versions).
# file -> (components, names, not audited)
COUNTS = {"httpbin-2018": (19, 19, 1), "paperless-ngx-2025": (215, 211, 0)}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_installable_set(name: str) -> None:
    inv = read(name)
    components, names, not_audited = COUNTS[name]
    assert len(inv.components) == components
    assert len({c.name for c in inv.components}) == names
    assert len(inv.not_audited) == not_audited
    assert inv.format == "Pipfile.lock"
    data = json.loads((PIPENV / name / "Pipfile.lock").read_text())
    expected = {
        (n.lower(), e["version"].lstrip("="))
        for cat, entries in data.items()
        if cat != "_meta"
        for n, e in entries.items()
        if "version" in e
    }
    assert {(c.name, c.version) for c in inv.components} == expected
    # No graph in the format: no edges, no roots, nothing direct.
    assert inv.edges == {}
    assert inv.roots == ()
    assert not any(c.direct for c in inv.components)


def test_httpbin_git_without_version_and_unnamed_source() -> None:
    inv = read("httpbin-2018")
    [pyyaml] = inv.not_audited
    assert pyyaml.name == "pyyaml"
    assert pyyaml.requirement == (
        "pyyaml @ git+https://github.com/yaml/pyyaml.git@a9c28e0b521967f5330f0316edd90a57f99cdd32"
    )
    assert pyyaml.reason == "git dependency without a version; nothing to match advisories against"
    assert pyyaml.location is not None
    assert pyyaml.location.line == 219
    flask = get(inv, "flask==1.0.2")
    assert flask.groups == {"main"}
    assert flask.index == default_source("httpbin-2018")
    assert not flask.non_default_index
    assert flask.location is not None
    assert flask.location.line == 108
    assert len(get(inv, "brotlipy==0.7.0").hashes) == 29
    assert [c.key for c in inv.components if "dev" in c.groups] == ["rope==0.10.7"]


def test_paperless_categories_and_versions() -> None:
    inv = read("paperless-ngx-2025")
    main, typing = get(inv, "django==5.1.6"), get(inv, "django==5.1.5")
    assert main.groups == {"main"}
    assert typing.groups == {"typing-dev"}
    assert main.location is not None
    assert main.location.line == 514
    assert typing.location is not None
    assert typing.location.line == 4493
    assert main.markers == "python_version >= '3.10'"
    assert main.index == default_source("paperless-ngx-2025")
    # One version in two categories is one component in two groups.
    assert get(inv, "certifi==2024.12.14").groups == {"main", "typing-dev"}
    assert get(inv, "certifi==2025.1.31").groups == {"dev"}
    allauth = get(inv, "django-allauth==65.4.1")
    assert allauth.extras == {"mfa", "socialaccount"}
    assert allauth.hashes[0].value == (
        "60b32aef7dbbcc213319aa4fd8f570e985266ea1162ae6ef7a26a24efca85c8c"
    )
    assert get(inv, "cryptography==44.0.1").markers == (
        "python_version >= '3.7' and python_full_version not in '3.9.0, 3.9.1'"
    )
    assert sum("main" in c.groups for c in inv.components) == 134
    assert sum("dev" in c.groups for c in inv.components) == 87
    assert sum("typing-dev" in c.groups for c in inv.components) == 36


# --- synthetic cases ------------------------------------------------------------------


def write(tmp_path: Path, data: object | str) -> Path:
    path = tmp_path / "Pipfile.lock"
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=4))
    return path


SOURCES = [
    {"name": "main", "url": "https://main.invalid/simple", "verify_ssl": True},
    {"name": "private", "url": "https://private.invalid/simple", "verify_ssl": True},
]


def test_named_second_index(tmp_path: Path) -> None:
    data = {
        "_meta": {"pipfile-spec": 6, "sources": SOURCES},
        "default": {
            "Private_Pkg": {"hashes": ["sha256:AB"], "index": "private", "version": "==1.0"},
            "plain": {"version": "==2.0"},
            "local": {"editable": True, "path": "."},
        },
    }
    inv = _pipfile.read(write(tmp_path, data))
    private = get(inv, "private-pkg==1.0")
    assert private.display_name == "Private_Pkg"
    assert private.index == "https://private.invalid/simple"
    assert private.non_default_index
    assert private.purl == "pkg:pypi/private-pkg@1.0?repository_url=https://private.invalid/simple"
    assert private.hashes[0].value == "ab"
    assert private.location is not None
    assert private.location.line == 18  # json.dumps(indent=4) writes pipenv's layout
    plain = get(inv, "plain==2.0")
    assert plain.index == "https://main.invalid/simple"
    assert not plain.non_default_index
    [local] = inv.not_audited
    assert (
        local.reason == "editable dependency without a version; nothing to match advisories against"
    )


def test_vcs_sources_spelled_as_pip_writes_them(tmp_path: Path) -> None:
    data = {
        "_meta": {"pipfile-spec": 6, "sources": SOURCES},
        "default": {
            "sub": {
                "git": "https://git.invalid/mono.git",
                "ref": "abc123",
                "subdirectory": "pkgs/sub",
                "version": "==1.0",
            },
            "hgpkg": {"hg": "https://hg.invalid/repo", "version": "==2.0"},
        },
    }
    inv = _pipfile.read(write(tmp_path, data))
    sub = get(inv, "sub==1.0")
    assert (sub.source, sub.source_url) == (
        "git",
        "git+https://git.invalid/mono.git@abc123#subdirectory=pkgs/sub",
    )
    hgpkg = get(inv, "hgpkg==2.0")
    assert (hgpkg.source, hgpkg.source_url) == ("url", "hg+https://hg.invalid/repo")


def test_unknown_index_name(tmp_path: Path) -> None:
    data = {
        "_meta": {"pipfile-spec": 6, "sources": SOURCES},
        "develop": {"x": {"index": "nowhere", "version": "==1"}},
    }
    path = write(tmp_path, data)
    with pytest.raises(InputError) as err:
        _pipfile.read(path)
    assert str(err.value) == f"{path}: develop.x.index: 'nowhere' is not one of _meta.sources"


def test_unknown_spec_refused(tmp_path: Path) -> None:
    path = write(tmp_path, {"_meta": {"pipfile-spec": 7, "sources": SOURCES}})
    with pytest.raises(InputError) as err:
        _pipfile.read(path)
    assert str(err.value) == (
        f"{path}: _meta.pipfile-spec: "
        "unsupported Pipfile.lock format version 7 (this pyward reads 6)"
    )


def test_missing_meta(tmp_path: Path) -> None:
    path = write(tmp_path, {"default": {}})
    with pytest.raises(InputError) as err:
        _pipfile.read(path)
    assert str(err.value) == f"{path}: _meta: missing"


def test_bad_version_type(tmp_path: Path) -> None:
    path = write(tmp_path, {"_meta": {"sources": SOURCES}, "default": {"x": {"version": 1}}})
    with pytest.raises(InputError) as err:
        _pipfile.read(path)
    assert str(err.value) == f"{path}: default.x.version: expected a string, found a number"


def test_truncated_real_lock(tmp_path: Path) -> None:
    lines = (PIPENV / "httpbin-2018" / "Pipfile.lock").read_text().splitlines(keepends=True)
    path = write(tmp_path, "".join(lines[:20]))
    with pytest.raises(InputError) as err:
        _pipfile.read(path)
    assert str(err.value) == f"{path}: line 21: invalid JSON: unexpected end of data (column 1)"
