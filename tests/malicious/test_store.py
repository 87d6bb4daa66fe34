"""``db update`` of a directory laid out like ossf/malicious-packages, and of records of
other ecosystems: PyPI records only, withdrawn ones kept and never matching."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from pyward._advisory import AdvisoryStore
from pyward._advisory._sync import records_layout, update
from pyward.errors import InputError
from tests.malicious._records import MALICIOUS_PACKAGES, REAL, other_ecosystem, real


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "malicious-packages"
    shutil.copytree(MALICIOUS_PACKAGES, root)
    return root


def test_the_real_directory_imports_with_the_withdrawn_record_kept(tmp_path: Path) -> None:
    result = update(str(MALICIOUS_PACKAGES), tmp_path / "cache")
    assert (result.added, result.changed, result.skipped, result.other_ecosystems) == (4, 0, 0, 0)
    assert result.info is not None
    assert result.info.record_count == 4
    assert result.warnings == ()
    store = AdvisoryStore.open(tmp_path / "cache")
    assert store.all_ids() == sorted(REAL)
    # The withdrawn false positive is stored but indexed for no package.
    assert store.package_names() == ["0requests", "123bla", "num2words"]
    withdrawn = store.advisory("MAL-2026-4750")
    assert withdrawn is not None
    assert withdrawn.withdrawn == "2026-05-26T13:04:03Z"
    assert store.matches("fastapi", "0.136.3") == []
    assert store.ids_for_package("fastapi") == []
    assert [m.advisory_id for m in store.matches("0requests", "0.0.1")] == ["MAL-2026-15859"]
    # A second update reads nothing again.
    again = update(str(MALICIOUS_PACKAGES), tmp_path / "cache")
    assert (again.added, again.unchanged, again.removed) == (0, 4, 0)


def test_the_layout_reads_the_pypi_folders_only(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    npm = root / "osv" / "malicious" / "npm" / "left-pad-evil"
    npm.mkdir(parents=True)
    # Not read at all: were it read, it would be a malformed record.
    (npm / "MAL-2099-2.json").write_text("not json")
    (root / "osv" / "withdrawn" / "crates.io" / "x").mkdir(parents=True)
    (root / "osv" / "withdrawn" / "crates.io" / "x" / "MAL-2099-3.json").write_text("{}")
    # The repository's own files are not records.
    (root / "osv" / "schema.json").write_text("{}")
    layout = records_layout(root)
    assert [p.relative_to(root).as_posix() for p in layout.records] == sorted(REAL.values())
    assert layout.other_ecosystems == {"npm": 1, "crates.io": 1}
    assert [p.name for p in layout.withdrawn] == ["MAL-2026-4750.json"]
    assert layout.ignored == ["osv/schema.json"]

    result = update(str(root), tmp_path / "cache")
    assert (result.added, result.skipped, result.other_ecosystems) == (4, 0, 2)
    assert result.warnings == (
        "ignored 1 .json/.yaml file outside osv/<state>/pypi/ (not records), e.g. osv/schema.json",
        "skipped 2 records of other ecosystems (crates.io 1, npm 1): the store holds PyPI only",
    )
    assert result.summary().startswith(
        f"4 records from {root.resolve()}: 4 added, 0 changed, 0 unchanged, 0 removed, "
        "0 skipped, 2 of other ecosystems not stored ("
    )


def test_a_record_of_another_ecosystem_is_skipped_and_counted_anywhere(tmp_path: Path) -> None:
    # Filed under pypi/ by mistake, or in a zip of mixed records: read, then not stored.
    root = _copy(tmp_path)
    misfiled = root / "osv" / "malicious" / "pypi" / "left-pad-evil" / "MAL-2099-1.json"
    misfiled.parent.mkdir()
    misfiled.write_text(json.dumps(other_ecosystem()))
    result = update(str(root), tmp_path / "cache")
    assert (result.added, result.other_ecosystems) == (4, 1)
    assert result.warnings == (
        "skipped 1 record of other ecosystems (npm 1): the store holds PyPI only",
    )
    store = AdvisoryStore.open(tmp_path / "cache")
    assert "MAL-2099-1" not in store.all_ids()

    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for advisory_id in REAL:
            zf.writestr(f"{advisory_id}.json", json.dumps(real(advisory_id)))
        zf.writestr("MAL-2099-1.json", json.dumps(other_ecosystem()))
    zipped = update(str(archive), tmp_path / "zip-cache")
    assert (zipped.added, zipped.other_ecosystems) == (4, 1)
    store = AdvisoryStore.open(tmp_path / "zip-cache")
    assert store.matches("fastapi", "0.136.3") == []
    assert [m.advisory_id for m in store.matches("num2words", "0.5.16")] == ["MAL-2025-6794"]


def test_a_record_that_names_pypi_among_others_is_kept(tmp_path: Path) -> None:
    data = other_ecosystem()
    data["affected"].append({"package": {"ecosystem": "PyPI", "name": "Left_Pad_Evil"}})
    data["affected"][-1]["versions"] = ["1.0"]
    src = tmp_path / "records"
    src.mkdir()
    (src / "MAL-2099-1.json").write_text(json.dumps(data))
    result = update(str(src), tmp_path / "cache")
    assert (result.added, result.other_ecosystems) == (1, 0)
    store = AdvisoryStore.open(tmp_path / "cache")
    assert [m.advisory_id for m in store.matches("left-pad-evil", "1.0")] == ["MAL-2099-1"]


def test_only_other_ecosystems_is_an_error_that_says_so(tmp_path: Path) -> None:
    src = tmp_path / "records"
    src.mkdir()
    (src / "MAL-2099-1.json").write_text(json.dumps(other_ecosystem()))
    with pytest.raises(InputError) as info:
        update(str(src), tmp_path / "cache")
    assert str(info.value) == (
        f"{src.resolve()}: no PyPI record: skipped 1 record of other ecosystems (npm 1): "
        "the store holds PyPI only"
    )


def test_a_record_filed_as_withdrawn_never_matches_even_without_the_field(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    path = root / REAL["MAL-2026-4750"]
    data = json.loads(path.read_text())
    del data["withdrawn"]
    path.write_text(json.dumps(data))
    result = update(str(root), tmp_path / "cache")
    assert result.warnings == (
        "osv/withdrawn/pypi/fastapi/MAL-2026-4750.json: MAL-2026-4750: filed under "
        "withdrawn/ without a 'withdrawn' time; taken as withdrawn at its 'modified' time",
    )
    store = AdvisoryStore.open(tmp_path / "cache")
    advisory = store.advisory("MAL-2026-4750")
    assert advisory is not None
    assert advisory.withdrawn == "2026-05-26T13:04:03Z"
    assert store.matches("fastapi", "0.136.3") == []
    # The same record in the malicious folder, without the field, does match.
    moved = root / "osv" / "malicious" / "pypi" / "fastapi" / "MAL-2026-4750.json"
    moved.parent.mkdir()
    path.rename(moved)
    update(str(root), tmp_path / "cache")
    store = AdvisoryStore.open(tmp_path / "cache")
    assert [m.advisory_id for m in store.matches("fastapi", "0.136.3")] == ["MAL-2026-4750"]
