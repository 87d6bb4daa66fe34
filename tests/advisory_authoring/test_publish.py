"""``pyward advisory publish``: ids without collisions, the PyPA layout and format, the
case marked published, and the directory read by ``db update`` and ``audit``."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyward._authoring import _cases
from pyward._authoring._publish import dump_yaml, is_placeholder, load_draft, next_number, publish
from pyward.errors import InputError, UsageError
from tests.conftest import PYPA_VULNS, run_cli

NOW = dt.datetime(2026, 5, 4, 3, 2, 1, 999, tzinfo=dt.timezone.utc)


def draft(name: str = "Foo_Bar", **extra: Any) -> dict[str, Any]:
    return {
        "schema_version": "1.7.0",
        "id": "PYSEC-0000-DRAFT",
        "modified": "2026-05-01T00:00:00Z",
        "summary": "Path traversal in the upload view",
        "details": "An attacker can write outside the upload folder.\n\nUpgrade to 1.2.0.\n",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]}
                ],
                "versions": ["1.0", "1.1.0"],
            }
        ],
        "credits": [{"name": "Jane Doe", "type": "FINDER"}],
        **extra,
    }


def write_draft(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_ids_count_up_per_prefix_and_year(tmp_path: Path) -> None:
    a = publish(draft(), tmp_path, prefix="x_ACME", now=NOW)
    b = publish(draft("other"), tmp_path, prefix="x_ACME", now=NOW)
    c = publish(draft(), tmp_path, prefix="x_OTHER", now=NOW)
    d = publish(draft(), tmp_path, prefix="x_ACME", now=NOW.replace(year=2027))
    assert [p.id for p in (a, b, c, d)] == [
        "x_ACME-2026-1",
        "x_ACME-2026-2",
        "x_OTHER-2026-1",
        "x_ACME-2027-1",
    ]
    assert a.path == tmp_path / "vulns" / "foo-bar" / "x_ACME-2026-1.yaml"
    assert b.path.parent.name == "other"
    # numbers compare as numbers: 10 after 9
    (tmp_path / "vulns" / "foo-bar" / "x_ACME-2026-9.yaml").write_text("")
    assert next_number(tmp_path, "x_ACME", 2026) == 10


def test_the_record_is_written_like_the_pypa_database(tmp_path: Path) -> None:
    done = publish(draft(), tmp_path, prefix="x_ACME", now=NOW)
    text = done.path.read_text()
    assert text == (
        "schema_version: 1.7.0\n"
        "id: x_ACME-2026-1\n"
        'modified: "2026-05-04T03:02:01Z"\n'
        'published: "2026-05-04T03:02:01Z"\n'
        "summary: Path traversal in the upload view\n"
        "details: |\n"
        "  An attacker can write outside the upload folder.\n"
        "\n"
        "  Upgrade to 1.2.0.\n"
        "affected:\n"
        "- package:\n"
        "    ecosystem: PyPI\n"
        "    name: Foo_Bar\n"
        "  ranges:\n"
        "  - type: ECOSYSTEM\n"
        "    events:\n"
        '    - introduced: "0"\n'
        "    - fixed: 1.2.0\n"
        "  versions:\n"
        '  - "1.0"\n'
        "  - 1.1.0\n"
        "credits:\n"
        "- name: Jane Doe\n"
        "  type: FINDER\n"
    )
    assert yaml.safe_load(text) == done.record


def test_the_writer_reproduces_a_real_pypa_record() -> None:
    """A record of the database's newer style (literal details, double quotes), byte
    for byte. (Its older records fold long lines and single-quote: no one style.)"""
    text = (PYPA_VULNS / "requests" / "PYSEC-2023-74.yaml").read_text()
    assert dump_yaml(yaml.safe_load(text)) == text


def test_real_records_survive_the_writer() -> None:
    """One real record in 20, of every style the database holds (PyYAML in Python is
    slow: all 2661 take most of a minute), reads back as it was."""
    paths = sorted(PYPA_VULNS.glob("*/*.yaml"))[::20]
    changed = [
        p.name
        for p in paths
        if yaml.safe_load(dump_yaml(data := yaml.safe_load(p.read_text()))) != data
    ]
    assert (len(paths), changed) == (134, [])


def test_an_existing_folder_of_the_package_is_reused(tmp_path: Path) -> None:
    (tmp_path / "vulns" / "Foo.Bar").mkdir(parents=True)
    assert publish(draft(), tmp_path, prefix="x_A", now=NOW).path.parent.name == "Foo.Bar"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"id": "x_ACME-2026-4"},
            "draft.json: id: 'x_ACME-2026-4' is not a draft's placeholder id",
        ),
        ({"affected": []}, "draft.json: affected: missing: a record names at least one package"),
        (
            {"affected": [{"package": {"ecosystem": "PyPI", "name": "../etc"}}]},
            "draft.json: affected[0].package.name: not a package name: '../etc'",
        ),
        ({"affected": [{"ranges": []}]}, "draft.json: affected[0].package.name: missing"),
    ],
)
def test_a_draft_of_the_wrong_shape_is_refused(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = write_draft(tmp_path / "draft.json", {**draft(), **change})
    with pytest.raises(InputError) as info:
        load_draft(path)
    assert message in str(info.value)


def test_a_draft_the_store_cannot_read_is_refused_before_an_id_is_spent(tmp_path: Path) -> None:
    bad = draft()
    bad["affected"][0]["ranges"][0]["events"] = "0"
    with pytest.raises(InputError, match=r"affected\[0\]\.ranges\[0\]\.events"):
        publish(bad, tmp_path, prefix="x_A", now=NOW, draft_name="d.json")
    assert not (tmp_path / "vulns").exists()


def test_placeholders() -> None:
    assert is_placeholder("PYSEC-0000-DRAFT")
    assert is_placeholder("x_ACME-0000-new-xss")
    assert not is_placeholder("PYSEC-2026-1")
    assert not is_placeholder(None)


def test_publish_marks_its_case_published(tmp_path: Path) -> None:
    case = _cases.open_case(tmp_path, package="foo-bar", reporter="Jane", now=NOW)
    _cases.assign(tmp_path, case.id, "Alice", now=NOW)
    with pytest.raises(UsageError, match="cannot move from received to published"):
        publish(draft(), tmp_path, prefix="x_A", now=NOW, case=case.id)
    for state in ("triaged", "accepted", "fix-ready"):
        _cases.move(tmp_path, case.id, state, now=NOW)
    with pytest.raises(UsageError, match=r"affected\[0\].package.name 'other' is not the package"):
        publish(draft("other"), tmp_path, prefix="x_A", now=NOW, case=case.id)
    assert not (tmp_path / "vulns").exists()
    done = publish(draft(), tmp_path, prefix="x_A", now=NOW, case=case.id)
    case = _cases.load_case(tmp_path, case.id)
    assert (case.state, case.advisory, case.finished) == ("published", done.id, True)
    assert case.history[-1]["advisory"] == done.id


def test_concurrent_publishers_never_share_an_id(tmp_path: Path) -> None:
    path = write_draft(tmp_path / "draft.json", draft())
    out = tmp_path / "db"
    env = {**os.environ, "PYTHONPATH": str(Path(_cases.__file__).parents[2])}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pyward",
                "advisory",
                "publish",
                str(path),
                "--dir",
                str(out),
                "--prefix",
                "x_RACE",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    ids = []
    for p in procs:
        stdout, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        ids.append(stdout.strip())
    year = dt.datetime.now(dt.timezone.utc).year
    assert sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1])) == [
        f"x_RACE-{year}-{n}" for n in range(1, 9)
    ]
    assert len(list((out / "vulns" / "foo-bar").glob("*.yaml"))) == 8


def test_a_name_taken_outside_the_lock_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyward._authoring import _publish

    real = _publish.next_number

    def stale(directory: Path, prefix: str, year: int) -> int:
        # Another writer created N=1 after this run counted.
        (directory / "vulns" / "foo-bar").mkdir(parents=True, exist_ok=True)
        (directory / "vulns" / "foo-bar" / f"{prefix}-{year}-1.yaml").write_text("taken")
        return real(directory, prefix, year) - 1

    monkeypatch.setattr(_publish, "next_number", stale)
    assert publish(draft(), tmp_path, prefix="x_A", now=NOW).id == "x_A-2026-2"


def test_round_trip_publish_db_update_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pyward.advisory]\nprefix = "x_ACME"\n')
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    write_draft(tmp_path / "draft.json", draft())
    code, out, err = run_cli(capsys, "advisory", "publish", "draft.json")
    year = dt.datetime.now(dt.timezone.utc).year
    assert (code, out) == (0, f"x_ACME-{year}-1\n")
    assert f"advisories/vulns/foo-bar/x_ACME-{year}-1.yaml" in err
    # cases/ and the lock file beside vulns/ are not records
    _cases.open_case(tmp_path / "advisories", package="foo", reporter="J", now=NOW)
    cache = str(tmp_path / "cache")
    code, out, err = run_cli(
        capsys, "db", "update", "--source", "advisories", "--offline", "--cache-dir", cache
    )
    assert code == 0, err
    assert "1 records from" in out + err
    (tmp_path / "requirements.txt").write_text("foo-bar==1.1.0\nfoo-bar-safe==1.0\n")
    code, out, err = run_cli(
        capsys, "audit", "-r", "requirements.txt", "--cache-dir", cache, "-f", "json"
    )
    assert code == 1, err
    report = json.loads(out)
    ids = [f["id"] for f in report["findings"]] if "findings" in report else out
    assert f"x_ACME-{year}-1" in str(ids)
    (tmp_path / "requirements.txt").write_text("foo-bar==1.2.0\n")
    code, out, err = run_cli(capsys, "audit", "-r", "requirements.txt", "--cache-dir", cache)
    assert code == 0, out + err


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_draft(tmp_path / "d.json", {**draft(), "id": "PYSEC-2020-1"})
    code, _, err = run_cli(capsys, "advisory", "publish", str(path), "--dir", str(tmp_path))
    assert code == 2
    assert err.count("\n") == 1
    assert "d.json: id: 'PYSEC-2020-1' is not a draft's placeholder id" in err
    code, _, err = run_cli(
        capsys, "advisory", "publish", str(path), "--dir", str(tmp_path), "--prefix", "a b"
    )
    assert (code, err) == (
        2,
        "pyward: error: --prefix: not an id prefix: 'a b' (letters, digits and _, e.g. x_ACME)\n",
    )
    (tmp_path / "bad.json").write_text("{")
    code, _, err = run_cli(capsys, "advisory", "publish", str(tmp_path / "bad.json"))
    assert code == 2
    assert "bad.json: invalid JSON" in err


@pytest.mark.parametrize("links", [True, False])
def test_create_new_never_replaces_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    from pyward._authoring._lock import create_new

    if not links:

        def no_link(src: object, dst: object) -> None:
            raise PermissionError(1, "Operation not permitted")  # FAT, some network shares

        monkeypatch.setattr(os, "link", no_link)
    path = tmp_path / "a" / "x.yaml"
    assert create_new(path, b"first") is True
    assert create_new(path, b"second") is False
    assert path.read_bytes() == b"first"
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.yaml"]  # no temporary left
