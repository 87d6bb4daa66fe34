"""pip installation report reader, on reports the real pip wrote (tests/data/pip-report,
recorded by its ``record.py`` from wheels built by the tests, offline)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pyward._inventory import _pipreport, _registry, read_inventory
from pyward._model import Component, ComponentKey, Hash, Inventory
from pyward.errors import InputError
from tests.conftest import DATA

REPORTS = DATA / "pip-report"
INDEX = REPORTS / "index.json"
DIRECT = REPORTS / "direct.json"


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def sha256(report: Path, name: str) -> Hash:
    """The hash pip recorded for ``name``'s archive."""
    for item in json.loads(report.read_text())["install"]:
        if item["metadata"]["name"] == name:
            return Hash(
                algorithm="sha256", value=item["download_info"]["archive_info"]["hashes"]["sha256"]
            )
    raise AssertionError(name)


def test_a_resolution_from_the_index() -> None:
    inv = _pipreport.read(INDEX)
    assert inv.format == "pip-report"
    assert inv.source == str(INDEX)
    assert [c.key for c in inv.components] == ["demo-app==1.0", "demo-old==0.1", "demo-lib==1.2"]
    assert inv.roots == ("demo-app==1.0",)
    # demo-win's marker (win32) and demo-lib[speed]'s (extra "fast") do not hold.
    assert inv.edges == {"demo-app==1.0": ("demo-lib==1.2", "demo-old==0.1")}
    assert inv.python_version == "3.11"
    assert inv.notes == ()
    app = get(inv, "demo-app==1.0")
    assert app.source == "registry"
    assert app.direct
    assert app.index is None
    assert app.source_url is None
    assert app.hashes == (sha256(INDEX, "demo-app"),)
    assert app.purl == "pkg:pypi/demo-app@1.0"
    assert app.license_expression == "MIT"
    assert app.metadata == {
        "download-url": "http://127.0.0.1:8000/files/demo_app-1.0-py3-none-any.whl",
        "license-classifiers": "License :: OSI Approved :: MIT License",
        "summary": "demo-app, built by pyward's tests",
    }
    old = get(inv, "demo-old==0.1")
    assert old.display_name == "Demo_Old"
    assert not old.direct
    assert old.license_expression is None
    assert old.metadata["license"] == "BSD 3-clause, see LICENSE"
    assert old.metadata["license-classifiers"] == (
        "License :: OSI Approved :: BSD License\nLicense :: Other/Proprietary License"
    )
    assert get(inv, "demo-lib==1.2").license_expression == "Apache-2.0"


def test_direct_references_and_extras() -> None:
    inv = _pipreport.read(DIRECT)
    by_name = {c.name: c for c in inv.components}
    assert set(inv.roots) == {"demo-app==1.0", "demo-local==0.3", "demo-vcs==0.3"}
    app = by_name["demo-app"]
    assert app.source == "path"
    assert app.source_url == "file:///srv/pyward-record/wheels/demo_app-1.0-py3-none-any.whl"
    assert app.hashes == (sha256(DIRECT, "demo-app"),)
    # demo-app[fast] asks for demo-lib[speed]: both extras are recorded.
    assert app.extras == {"fast"}
    assert by_name["demo-lib"].extras == {"speed"}
    local = by_name["demo-local"]
    assert (local.source, local.source_url, local.hashes) == (
        "directory",
        "file:///srv/pyward-record/demo-local",
        (),
    )
    commit = json.loads(DIRECT.read_text())["install"][2]["download_info"]["vcs_info"]["commit_id"]
    vcs = by_name["demo-vcs"]
    assert (vcs.source, vcs.source_url, vcs.hashes) == (
        "git",
        f"git+file:///srv/pyward-record/demo-vcs@{commit}",
        (),
    )
    assert by_name["demo-old"].source == "registry"
    assert inv.edges[ComponentKey("demo-local==0.3")] == ("demo-lib==1.2",)
    assert inv.edges[ComponentKey("demo-vcs==0.3")] == ("demo-lib==1.2",)


def test_found_by_content_under_any_name(tmp_path: Path) -> None:
    path = tmp_path / "resolution.json"
    path.write_bytes(INDEX.read_bytes())
    assert _registry.sniff(path).id == "pip-report"
    inv = read_inventory(path)
    assert inv.format == "pip-report"
    assert len(inv.components) == 3
    assert _registry.for_filename("pip-report.json") is _registry.by_id("pip-report")


def test_uv_pip_compile_output_reads_as_requirements() -> None:
    # ``uv pip compile --generate-hashes`` of the same resolution: each pin with its hash,
    # the graph from the ``# via`` comments.
    path = REPORTS / "uv-compiled.txt"
    inv = read_inventory(path)
    assert inv.format == "requirements"
    assert [(c.key, c.hashes, c.direct) for c in inv.components] == [
        ("demo-app==1.0", (sha256(INDEX, "demo-app"),), True),
        ("demo-lib==1.2", (sha256(INDEX, "demo-lib"),), False),
        ("demo-old==0.1", (sha256(INDEX, "Demo_Old"),), False),
    ]
    assert inv.edges == {"demo-app==1.0": ("demo-lib==1.2", "demo-old==0.1")}
    assert inv.not_audited == ()


def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(INDEX.read_text())
    return doc


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        for c in changes:
            c(doc)

    return change


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change that sets ``path`` (``install.1.metadata.version``) to ``value``;
    ``...`` deletes it."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if value is ...:
            del node[key]
        else:
            node[key] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("install.1.metadata.version", ...), "install[1].metadata.version: missing"),
        (
            _set("install.1.metadata.name", 3),
            "install[1].metadata.name: expected a string, found a number",
        ),
        (_set("install.0.metadata", ...), "install[0].metadata: missing"),
        (
            _set("install.2.requested", "yes"),
            "install[2].requested: expected a boolean, found a string",
        ),
        (_set("install.2.is_direct", ...), "install[2].is_direct: missing"),
        (_set("install", {}), "install: expected an array, found a table"),
        (_set("install", ...), "install: missing"),
        (_set("install.1", []), "install[1]: expected a table, found an array"),
        (_set("pip_version", ...), "pip_version: missing"),
        (
            _set("version", "2"),
            "version: unsupported pip installation report format version 2 (this pyward reads 1.x)",
        ),
        (_set("version", 1), "version: expected a string, found a number"),
        (
            _set("environment.python_version", 3.11),
            "environment.python_version: expected a string, found a number",
        ),
        (_set("install.0.download_info.url", ""), "install[0].download_info.url: empty"),
        (
            _set("install.0.download_info.dir_info", {}),
            "install[0].download_info: expected exactly one of archive_info, dir_info and vcs_info",
        ),
        (
            _set("install.0.download_info.archive_info.hashes.sha256", "xyz"),
            "install[0].download_info.archive_info.hashes.sha256: not a hexadecimal digest: 'xyz'",
        ),
        (
            _set("install.0.download_info.archive_info.hash", "sha256"),
            "install[0].download_info.archive_info.hash: not an ALGORITHM=HEX hash: 'sha256'",
        ),
        (
            _set("install.0.metadata.requires_dist.1", "demo_old=="),
            "install[0].metadata.requires_dist[1]: invalid requirement: demo_old==: ",
        ),
        (
            _set("install.0.metadata.requires_dist.0", "!demo-lib"),
            "install[0].metadata.requires_dist[0]: invalid requirement: !demo-lib: ",
        ),
        (
            _set("install.0.metadata.requires_dist", "demo-lib"),
            "install[0].metadata.requires_dist: expected an array, found a string",
        ),
        (
            _set("install.0.metadata.classifier.0", None),
            "install[0].metadata.classifier[0]: expected a string, found NoneType",
        ),
        (
            _both(
                _set("install.2.metadata.name", "demo-app"),
                _set("install.2.metadata.version", "1.0"),
            ),
            "install[2].metadata: demo-app 1.0 is listed twice (also at install[0])",
        ),
        (
            _set("install.0.download_info.vcs_info", {"vcs": "git"}),
            "install[0].download_info: expected exactly one of archive_info, dir_info and vcs_info",
        ),
    ],
)
def test_bad_values_name_their_key_path(
    change: Callable[[dict[str, Any]], None], message: str, tmp_path: Path
) -> None:
    doc = _doc()
    change(doc)
    path = tmp_path / "pip-report.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        _pipreport.read(path)
    assert str(err.value).startswith(f"{path}: {message}"), str(err.value)


def test_a_vcs_record_needs_its_commit(tmp_path: Path) -> None:
    doc = _doc()
    info = doc["install"][0]["download_info"]
    del info["archive_info"]
    info["vcs_info"] = {"vcs": "git", "requested_revision": "main"}
    path = tmp_path / "pip-report.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        _pipreport.read(path)
    assert str(err.value) == f"{path}: install[0].download_info.vcs_info.commit_id: missing"


def test_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "pip-report.json"
    path.write_text("[]")
    with pytest.raises(InputError) as err:
        _pipreport.read(path)
    assert str(err.value) == f"{path}: line 1: expected a JSON object, found an array"


def test_a_newer_minor_version_is_read_with_a_note(tmp_path: Path) -> None:
    doc = _doc()
    doc["version"] = "1.1"
    path = tmp_path / "pip-report.json"
    path.write_text(json.dumps(doc))
    inv = _pipreport.read(path)
    assert len(inv.components) == 3
    assert inv.notes == (
        f"{path}: pip installation report format version 1.1 is newer than this pyward "
        "knows (1.0); read as 1.0",
    )


def test_yanked_editable_and_the_older_single_hash(tmp_path: Path) -> None:
    doc = _doc()
    lib = doc["install"][2]
    lib["is_yanked"] = True
    archive = lib["download_info"]["archive_info"]
    del archive["hashes"]  # pip before 22.3 wrote only ``hash``
    doc["install"][1]["download_info"] = {
        "url": "file:///srv/src/demo-old",
        "dir_info": {"editable": True},
    }
    path = tmp_path / "pip-report.json"
    path.write_text(json.dumps(doc))
    inv = _pipreport.read(path)
    got = get(inv, "demo-lib==1.2")
    assert got.metadata["yanked"] == "true"
    assert got.hashes == (sha256(INDEX, "demo-lib"),)
    old = get(inv, "demo-old==0.1")
    assert (old.source, old.source_url) == ("editable", "file:///srv/src/demo-old")


def test_extras_asked_by_the_user_bring_their_requirements(tmp_path: Path) -> None:
    doc = _doc()
    doc["install"][0]["requested_extras"] = ["fast"]
    path = tmp_path / "pip-report.json"
    path.write_text(json.dumps(doc))
    inv = _pipreport.read(path)
    assert get(inv, "demo-app==1.0").extras == {"fast"}
    assert get(inv, "demo-lib==1.2").extras == {"speed"}


def test_markers_are_evaluated_in_the_reports_environment(tmp_path: Path) -> None:
    doc = _doc()
    doc["environment"]["sys_platform"] = "win32"
    doc["install"].append(
        {
            "download_info": {
                "url": "http://127.0.0.1:8000/files/demo_win-1.0-py3-none-any.whl",
                "archive_info": {"hashes": {"sha256": "ab" * 32}},
            },
            "is_direct": False,
            "requested": False,
            "metadata": {"metadata_version": "2.4", "name": "demo-win", "version": "1.0"},
        }
    )
    path = tmp_path / "pip-report.json"
    path.write_text(json.dumps(doc))
    inv = _pipreport.read(path)
    assert inv.edges[ComponentKey("demo-app==1.0")] == (
        "demo-lib==1.2",
        "demo-old==0.1",
        "demo-win==1.0",
    )
