"""``pyward db update`` and ``pyward db status`` through the real command line."""

from __future__ import annotations

import json
import re
from datetime import timezone
from pathlib import Path

import pytest

from pyward._advisory import AdvisoryStore
from pyward._cli import main
from tests.advisory.conftest import NOTED
from tests.conftest import PYPA_VULNS


def test_update_from_the_real_directory_then_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    assert main(["db", "update", "--source", str(PYPA_VULNS), "--cache-dir", str(cache)]) == 0
    out, err = capsys.readouterr()
    assert re.fullmatch(
        rf"2661 records from {re.escape(str(PYPA_VULNS.resolve()))}: 2661 added, 0 changed, "
        r"0 unchanged, 0 removed, 0 skipped \(\d+\.\d\d s\)\n",
        out,
    )
    assert err == "".join(
        f"pyward: warning: {NOTED[i]}\n" for i in ("PYSEC-2021-371", "PYSEC-2019-125")
    )

    assert main(["db", "update", "--source", str(PYPA_VULNS), "--cache-dir", str(cache)]) == 0
    out, _ = capsys.readouterr()
    assert "0 added, 0 changed, 2661 unchanged, 0 removed, 0 skipped" in out

    info = AdvisoryStore.open(cache).info
    # The age in whole days, read before and after the command: a run that crosses the
    # newest record's time of day sees the next day's count.
    ages = {int(info.age_days())}
    # The report's format: UTC with a Z, whole seconds (issue 11, item 15).
    updated = info.updated.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert main(["db", "status", "--cache-dir", str(cache)]) == 0
    out, err = capsys.readouterr()
    ages.add(int(info.age_days()))
    assert (out, err) in [
        (
            f"source:          {PYPA_VULNS.resolve()}\n"
            "kind:            local store\n"
            f"path:            {cache / 'advisories.sqlite'}\n"
            f"updated:         {updated}\n"
            "records:         2661\n"
            "newest modified: 2024-10-10T17:22:00.587279Z\n"
            "skipped:         0\n"
            f"age:             {age} days (by the newest record)\n",
            f"pyward: warning: advisory data is {age} days old (newest record 2024-10-10, "
            f"from {PYPA_VULNS.resolve()}); run `pyward db update`\n",
        )
        for age in ages
    ]

    assert main(["db", "status", "--format", "json", "--cache-dir", str(cache)]) == 0
    out, _ = capsys.readouterr()
    status = json.loads(out)
    # Days with two decimals, as the report gives them.
    assert status.pop("age_days") == pytest.approx(info.age_days(), abs=0.02)
    assert status == {
        "source": str(PYPA_VULNS.resolve()),
        "snapshot": False,
        "path": str(cache / "advisories.sqlite"),
        "updated": updated,
        "record_count": 2661,
        "newest_modified": "2024-10-10T17:22:00.587279Z",
        "skipped": 0,
    }


def test_status_of_the_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    # PYWARD_CACHE_DIR is an empty directory (tests/conftest.py)
    assert main(["db", "status", "-f", "json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert (data["snapshot"], data["record_count"], data["source"]) == (
        True,
        2661,
        "built-in snapshot: PyPA advisory database 3ccb6125 (2024-10-10)",
    )
    assert data["updated"] == "2024-10-10T17:22:00Z"
    # JSON rounds the age to two decimals: near a day's turn it may read the next day.
    assert err in [
        "pyward: warning: using the built-in snapshot: PyPA advisory database 3ccb6125 "
        f"(2024-10-10) (2661 records, newest 2024-10-10, {age} days old); "
        "run `pyward db update` for current data\n"
        for age in {int(data["age_days"]), int(data["age_days"] - 0.01)}
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["db", "update", "--source", "{tmp}/missing"], "{tmp}/missing: no such file or directory"),
        (
            ["db", "update", "--source", "{tmp}/f.txt"],
            "{tmp}/f.txt: not a zip of OSV records (File is not a zip file)",
        ),
        (
            ["db", "update", "--source", "http://127.0.0.1:9/all.zip"],
            "http://127.0.0.1:9/all.zip: ConnectError: [Errno 111] Connection refused",
        ),
        (["db"], "pyward db: choose an action: update or status"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (tmp_path / "f.txt").write_text("not a zip")
    args = [a.format(tmp=tmp_path) for a in argv]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"pyward: error: {message.format(tmp=tmp_path)}\n"
