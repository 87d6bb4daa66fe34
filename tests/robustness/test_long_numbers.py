"""Versions with a number longer than Python converts to ``int`` (4300 digits,
https://docs.python.org/3/library/stdtypes.html#int-max-str-digits), issue 12 item 1:
a record with such a bound is skipped with a warning, the rest of ``db update`` goes on;
a component with such a version is not audited, with the reason; ``explain`` says so;
the CycloneDX readers refuse or warn, never crash."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.robustness._support import run, write

BIG = "1" * 5000
SHORT = f"'{'1' * 60}'... (5000 characters)"


def _record(rid: str, *, fixed: str = "2.0", versions: list[str] | None = None) -> bytes:
    return orjson.dumps(
        {
            "id": rid,
            "modified": "2024-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "foo"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                    ],
                    "versions": versions or ["1.0"],
                }
            ],
        }
    )


def _store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str, str]:
    source = tmp_path / "src"
    write(source / "a.json", _record("PYSEC-9-1", fixed=BIG))
    write(source / "b.json", _record("PYSEC-9-2", versions=["1.0", BIG]))
    write(source / "c.json", _record("PYSEC-9-3"))
    cache = tmp_path / "cache"
    outcome = run(capsys, "db", "update", "--source", source, "--cache-dir", cache)
    return cache, outcome.out, outcome.err


def test_db_update_skips_the_range_of_a_too_long_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, err = _store(tmp_path, capsys)
    # The record stays, without the range whose bound cannot be compared (issue 11 item 9).
    assert err == (
        "pyward: warning: a.json: PYSEC-9-1: affected[0].ranges[0].events[1].fixed: "
        f"a number too long to compare in version {SHORT}; range skipped\n"
    )
    # A ``versions`` entry is an ecosystem string (OSV): kept, matched by exact text.
    assert out.startswith(
        f"3 records from {(tmp_path / 'src').resolve()}: 3 added, 0 changed, 0 unchanged, "
        "0 removed, 0 skipped ("
    )


def test_audit_does_not_audit_a_too_long_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache, _, _ = _store(tmp_path, capsys)
    req = write(tmp_path / "req.txt", f"foo=={BIG}\nfoo2==1.0\n".encode())
    outcome = run(capsys, "audit", req, "--cache-dir", cache, "-f", "json")
    assert outcome.code == 0
    report = orjson.loads(outcome.out)
    assert report["not_audited"] == [
        {
            "name": "foo",
            "requirement": "foo",
            "reason": f"version {SHORT} has a number too long to compare",
            "location": {"file": str(req), "line": 1},
        }
    ]


def test_explain_a_too_long_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache, _, _ = _store(tmp_path, capsys)
    outcome = run(capsys, "explain", "PYSEC-9-3", f"foo=={BIG}", "--cache-dir", cache)
    assert outcome.code == 0
    assert (
        f"{SHORT} has a number too long to compare: no range can decide it, "
        "and an audit does not audit it\n"
    ) in outcome.out
    assert outcome.out.endswith(f"verdict: foo {BIG} is not affected\n")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "a.cdx.json",
            orjson.dumps({"bomFormat": "CycloneDX", "specVersion": f"1.{BIG}", "components": []}),
        ),
        (
            "a.cdx.xml",
            f'<bom xmlns="http://cyclonedx.org/schema/bom/1.{BIG}" version="1"/>'.encode(),
        ),
        (
            "b.cdx.json",
            orjson.dumps(
                {
                    "bomFormat": "CycloneDX",
                    "specVersion": "1.5",
                    "components": [
                        {
                            "type": "library",
                            "name": "foo",
                            "version": BIG,
                            "purl": f"pkg:pypi/foo@{BIG}",
                        }
                    ],
                }
            ),
        ),
    ],
)
def test_cyclonedx_with_long_numbers(
    name: str, data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache, _, _ = _store(tmp_path, capsys)
    sbom = write(tmp_path / name, data)
    outcome = run(capsys, "audit", sbom, "--cache-dir", cache, "-f", "json")
    assert outcome.code == 0
    report = orjson.loads(outcome.out)
    if name.startswith("b"):
        assert [n["reason"] for n in report["not_audited"]] == [
            f"version {SHORT} has a number too long to compare"
        ]
    else:
        assert report["not_audited"] == []
        assert report["warnings"] == [
            f"{sbom}: CycloneDX 1.<5000 digits> is newer than this pyward knows (1.6)",
            # An SBOM with no component (issue 11 item 6).
            "nothing was audited: the inputs list no packages",
        ]
