"""``pyward db update --source`` on bad sources: a file that is not a zip, a damaged zip,
malformed records among good ones (skipped with a warning naming each, and counted;
never an abort), non-OSV JSON, and structured mutations of a real record."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import orjson
import pytest

from pyward._advisory._osv import load_document
from tests.conftest import PYPA_VULNS
from tests.robustness._mutate import tree_cases
from tests.robustness._support import run, write

GOOD = PYPA_VULNS / "aiohttp" / "PYSEC-2023-246.yaml"


def _record() -> dict[str, object]:
    data = load_document(GOOD.name, GOOD.read_bytes())
    assert isinstance(data, dict)
    return data


def _update(
    capsys: pytest.CaptureFixture[str], source: Path, cache: Path
) -> tuple[int, str, list[str]]:
    outcome = run(capsys, "db", "update", "--source", source, "--cache-dir", cache)
    warnings = [
        line.removeprefix("pyward: warning: ")
        for line in outcome.err.splitlines()
        if line.startswith("pyward: warning: ")
    ]
    return outcome.code, outcome.out, outcome.errors or warnings


def test_not_a_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, data in (
        ("all.zip", b"PK\x03\x04 truncated"),
        ("records.json", b"[]"),
        ("empty.zip", b""),
    ):
        path = write(tmp_path / name, data)
        code, _, errors = _update(capsys, path, tmp_path / "cache")
        assert code == 2
        assert len(errors) == 1
        assert re.fullmatch(rf"{re.escape(str(path))}: not a zip of OSV records \(.+\)", errors[0])


def test_damaged_zip_member_stops_the_update_and_keeps_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    directory = tmp_path / "dir"
    write(directory / GOOD.name, GOOD.read_bytes())
    assert _update(capsys, directory, cache)[0] == 0
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.json", orjson.dumps(_record()))
        zf.writestr("b.json", orjson.dumps({**_record(), "id": "PYSEC-0000-1"}))
    raw = bytearray(path.read_bytes())
    at = raw.index(b"PYSEC-0000-1")
    raw[at] = ord("X")
    path.write_bytes(bytes(raw))
    code, _, errors = _update(capsys, path, cache)
    assert (code, errors) == (2, [f"{path}: b.json: corrupt zip (Bad CRC-32 for file 'b.json')"])
    outcome = run(capsys, "db", "status", "--cache-dir", cache)
    assert "records:         1\n" in outcome.out
    assert f"source:          {directory.resolve()}\n" in outcome.out


def test_malformed_records_among_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "src"
    write(source / "ok" / GOOD.name, GOOD.read_bytes())
    write(source / "a-list.json", b"[1, 2]")
    write(source / "b-not-osv.json", b'{"name": "a package.json"}')
    write(source / "c-truncated.json", orjson.dumps(_record())[:100])
    write(source / "d-binary.yaml", b"\xff\xfe\x00garbage")
    write(source / "e-keys.yaml", b'id: X-1\nmodified: "2024-01-01T00:00:00Z"\n7: seven\n')
    write(source / "f-nul.json", b'{"id": "X-2", "modified": "\x00"}')
    write(source / "g-empty.yaml", b"")
    code, out, warnings = _update(capsys, source, tmp_path / "cache")
    assert code == 0
    assert re.fullmatch(
        rf"1 records from {re.escape(str(source.resolve()))}: 1 added, 0 changed, 0 unchanged, "
        r"0 removed, 7 skipped \(\d+\.\d\d s\)\n",
        out,
    )
    assert warnings == [
        "skipped a-list.json: not an OSV record (a list, not an object)",
        "skipped b-not-osv.json: id: missing",
        "skipped c-truncated.json: invalid JSON: unexpected end of data: "
        "line 1 column 101 (char 100)",
        # \xff\xfe is UTF-16's byte order mark: YAML reads a string.
        "skipped d-binary.yaml: not an OSV record (a str, not an object)",
        "skipped e-keys.yaml: X-1: not an OSV record: a value JSON cannot hold "
        "(Dict key must be str)",
        "skipped f-nul.json: invalid JSON: unexpected control character in string: "
        "line 1 column 28 (char 27)",
        "skipped g-empty.yaml: not an OSV record (a NoneType, not an object)",
    ]


def test_only_malformed_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "src" / "x.json", b"{}").parent
    code, _, errors = _update(capsys, source, tmp_path / "cache")
    assert (code, errors) == (
        2,
        [
            f"{source.resolve()}: no valid OSV record "
            "(1 malformed; first: skipped x.json: id: missing)"
        ],
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, errors = _update(capsys, empty, tmp_path / "cache")
    assert (code, errors) == (
        2,
        [f"{empty.resolve()}: no OSV records (.json or .yaml files) found"],
    )
    code, _, errors = _update(capsys, tmp_path / "missing", tmp_path / "cache")
    assert (code, errors) == (2, [f"{tmp_path / 'missing'}: no such file or directory"])


CASES = list(
    tree_cases(_record(), [(), ("affected", 0), ("severity", 0), ("references", 0)], depth=4)
)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_mutated_record(case: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mutated real record next to a good one: read, or skipped with a warning that
    names the file and the key path; the good one is always stored."""
    from tests.robustness._mutate import TreeCase

    assert isinstance(case, TreeCase)
    source = tmp_path / "src"
    write(source / "good" / "PYSEC-2024-1.json", orjson.dumps({**_record(), "id": "PYSEC-2024-1"}))
    write(source / "bad.json", orjson.dumps(case.doc))
    code, out, warnings = _update(capsys, source, tmp_path / "cache")
    assert code == 0
    if " 1 skipped " in out:
        assert len(warnings) == 1
        assert warnings[0].startswith("skipped bad.json: ")
        rest = warnings[0].removeprefix("skipped bad.json: ")
        assert re.match(r"(PYSEC-2023-246 )?[\w.\[\]-]+: ", rest), rest
    else:
        assert " 0 skipped " in out
        assert out.startswith(("2 records", "1 records")), out
