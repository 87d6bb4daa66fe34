"""``pyward advisory case`` and ``cases``: the PEP 811 workflow, the state machine,
the lock under concurrent changes, corrupt files, and ``[tool.pyward.advisory]``."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyward._authoring import _cases
from pyward._authoring._config import load_advisory_config
from pyward.errors import InputError, UsageError
from tests.conftest import run_cli

NOW = dt.datetime(2026, 3, 1, 12, 0, 30, 123, tzinfo=dt.timezone.utc)


def _open(directory: Path, **kw: object) -> _cases.Case:
    args: dict[str, object] = {"package": "foo", "reporter": "Jane Doe <jane@example.invalid>"}
    args.update(kw)
    return _cases.open_case(directory, now=NOW, **args)  # type: ignore[arg-type]


def test_open_numbers_cases_per_year_and_writes_readable_toml(tmp_path: Path) -> None:
    first = _open(tmp_path, summary="XSS in the admin", received=dt.date(2026, 2, 20))
    second = _open(tmp_path)
    assert (first.id, second.id) == ("CASE-2026-001", "CASE-2026-002")
    assert first.deadline == dt.date(2026, 5, 21)  # 90 days after receipt
    assert second.deadline == dt.date(2026, 5, 30)
    text = (tmp_path / "cases" / "CASE-2026-001.toml").read_text()
    assert text.splitlines()[3:13] == [
        'id = "CASE-2026-001"',
        'package = "foo"',
        'summary = "XSS in the admin"',
        'reporter = "Jane Doe <jane@example.invalid>"',
        "received = 2026-02-20",
        "deadline = 2026-05-21",
        'state = "received"',
        "",
        "[[history]]",
        "at = 2026-03-01T12:00:30Z",
    ]
    assert _cases.load_case(tmp_path, "CASE-2026-001") == first


def test_the_whole_workflow_records_every_change(tmp_path: Path) -> None:
    case = _open(tmp_path)
    with pytest.raises(UsageError, match="no coordinator yet; assign one first"):
        _cases.move(tmp_path, case.id, "triaged", now=NOW)
    _cases.assign(tmp_path, case.id, "Alice", now=NOW)
    _cases.assign(tmp_path, case.id, "Bob", now=NOW)
    for state in ("triaged", "accepted", "fix-ready"):
        _cases.move(tmp_path, case.id, state, now=NOW, note=f"now {state}")
    case = _cases.load_case(tmp_path, case.id)
    assert case.coordinator == "Bob"
    assert case.state == "fix-ready"
    assert [dict(h) for h in case.history][1:3] == [
        {"at": NOW.replace(microsecond=0), "action": "assign", "coordinator": "Alice"},
        {
            "at": NOW.replace(microsecond=0),
            "action": "assign",
            "coordinator": "Bob",
            "previous": "Alice",
        },
    ]
    assert [(h.get("from"), h.get("state")) for h in case.history if h["action"] == "status"] == [
        ("received", "triaged"),
        ("triaged", "accepted"),
        ("accepted", "fix-ready"),
    ]
    with pytest.raises(UsageError, match="Bob is already its coordinator"):
        _cases.assign(tmp_path, case.id, "Bob", now=NOW)


@pytest.mark.parametrize(
    ("path", "state", "message"),
    [
        ((), "accepted", "cannot move from received to accepted: it can move to triaged"),
        (("triaged",), "fix-ready", "it can move to accepted or rejected"),
        (
            ("triaged", "rejected"),
            "accepted",
            "cannot move from rejected to accepted: it is finished",
        ),
        (("triaged", "accepted"), "published", "cannot move from accepted to published"),
        ((), "done", "unknown state 'done'"),
    ],
)
def test_transitions_are_enforced(
    tmp_path: Path, path: tuple[str, ...], state: str, message: str
) -> None:
    case = _open(tmp_path)
    _cases.assign(tmp_path, case.id, "Alice", now=NOW)
    for step in path:
        _cases.move(tmp_path, case.id, step, now=NOW)
    with pytest.raises(UsageError, match=message):
        _cases.move(tmp_path, case.id, state, now=NOW)


def test_a_closed_case_does_not_change(tmp_path: Path) -> None:
    case = _open(tmp_path)
    closed = _cases.close(tmp_path, case.id, "duplicate of CASE-2025-007", now=NOW)
    assert closed.finished
    assert closed.history[-1]["reason"] == "duplicate of CASE-2025-007"
    with pytest.raises(UsageError, match="closed on 2026-03-01 \\(duplicate of CASE-2025-007\\)"):
        _cases.assign(tmp_path, case.id, "Alice", now=NOW)


def test_a_malformed_case_id_names_no_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"not a case id: '\.\./x' \(expected CASE-YYYY-NNN\)"):
        _cases.load_case(tmp_path, "../x")
    with pytest.raises(UsageError, match="CASE-2026-009: no such case in"):
        _cases.load_case(tmp_path, "CASE-2026-009")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('state = "received"', 'state = "done"'),
            "cases/CASE-2026-001.toml: state: unknown state 'done'",
        ),
        (
            ("received = 2026-03-01", 'received = "soon"'),
            "CASE-2026-001.toml: received: must be a date",
        ),
        (('package = "foo"\n', ""), "CASE-2026-001.toml: package: missing"),
        (
            ("at = 2026-03-01T12:00:30Z", 'at = "then"'),
            "CASE-2026-001.toml: history[0].at: must be a date and time",
        ),
        (
            ('id = "CASE-2026-001"', 'id = "CASE-2026-002"'),
            "id: 'CASE-2026-002' is not the file's name",
        ),
        (("deadline = 2026-05-30", "deadline = ["), "CASE-2026-001.toml: line 9: invalid TOML"),
        (
            ('state = "received"', 'state = "received"\nowner = "me"'),
            "CASE-2026-001.toml: owner: unknown key (known: id, package,",
        ),
    ],
)
def test_a_corrupt_case_file_is_one_line_naming_file_and_key(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    case = _open(tmp_path)
    path = tmp_path / "cases" / f"{case.id}.toml"
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1]))
    with pytest.raises(InputError) as info:
        _cases.load_case(tmp_path, case.id)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_concurrent_changes_lose_nothing(tmp_path: Path) -> None:
    """Twelve processes reassign one case at once: every reassignment is in the history."""
    case = _open(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(_cases.__file__).parents[2])}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pyward",
                "advisory",
                "case",
                "assign",
                case.id,
                "--coordinator",
                f"person-{i}",
                "--dir",
                str(tmp_path),
            ],
            env=env,
            stderr=subprocess.PIPE,
        )
        for i in range(12)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    case = _cases.load_case(tmp_path, case.id)
    assigned = [h["coordinator"] for h in case.history if h["action"] == "assign"]
    assert sorted(assigned) == sorted(f"person-{i}" for i in range(12))
    assert case.coordinator == assigned[-1]


def test_concurrent_opens_get_distinct_ids(tmp_path: Path) -> None:
    import threading

    ids: list[str] = []
    threads = [threading.Thread(target=lambda: ids.append(_open(tmp_path).id)) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ids) == [f"CASE-2026-{n:03d}" for n in range(1, 11)]


def test_cli_case_and_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path)
    today = dt.datetime.now(dt.timezone.utc).date()
    old = (today - dt.timedelta(days=100)).isoformat()
    code, out, err = run_cli(
        capsys,
        "advisory",
        "case",
        "open",
        "--package",
        "foo",
        "--reporter",
        "Jane <j@example.invalid>",
        "--received",
        old,
        "--dir",
        d,
    )
    year = today.year
    assert (code, out) == (0, f"CASE-{year}-001\n")
    assert "deadline" in err
    run_cli(
        capsys,
        "advisory",
        "case",
        "open",
        "--package",
        "bar",
        "--reporter",
        "Li",
        "--dir",
        d,
        "--deadline-days",
        "30",
    )
    run_cli(capsys, "advisory", "case", "open", "--package", "baz", "--reporter", "Li", "--dir", d)
    code, _, err = run_cli(
        capsys,
        "advisory",
        "case",
        "assign",
        f"CASE-{year}-001",
        "--coordinator",
        "Alice",
        "--dir",
        d,
    )
    assert (code, err) == (0, f"pyward: CASE-{year}-001: coordinator Alice\n")
    code, _, err = run_cli(
        capsys,
        "advisory",
        "case",
        "status",
        f"CASE-{year}-001",
        "triaged",
        "--note",
        "real",
        "--dir",
        d,
    )
    assert err == f"pyward: CASE-{year}-001: received -> triaged\n"
    code, _, err = run_cli(
        capsys, "advisory", "case", "close", f"CASE-{year}-003", "--reason", "spam", "--dir", d
    )
    assert (code, err) == (0, f"pyward: CASE-{year}-003: closed (spam)\n")
    code, out, _ = run_cli(capsys, "advisory", "cases", "--dir", d)
    assert code == 0
    overdue = (today - dt.timedelta(days=10)).isoformat()
    due = (today + dt.timedelta(days=30)).isoformat()
    assert out.splitlines() == [
        "CASE           PACKAGE  STATE     COORDINATOR  DEADLINE    DAYS LEFT",
        f"CASE-{year}-001  foo      triaged   Alice        {overdue}  -10 OVERDUE",
        f"CASE-{year}-002  bar      received  (none)       {due}  30",
    ]
    code, out, _ = run_cli(capsys, "advisory", "cases", "--dir", d, "--all", "-f", "json")
    doc = json.loads(out)
    assert [(c["id"][-3:], c["state"], c["days_left"], c["overdue"]) for c in doc["cases"]] == [
        ("001", "triaged", -10, True),
        ("002", "received", 30, False),
        ("003", "closed", 90, False),
    ]
    code, _, err = run_cli(
        capsys, "advisory", "case", "status", f"CASE-{year}-001", "published", "--dir", d
    )
    assert code == 2
    assert err == (
        f"pyward: error: CASE-{year}-001: cannot move from triaged to published: "
        "it can move to accepted or rejected\n"
    )


def test_cli_reads_the_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pyward.advisory]\ndirectory = "sec"\ndeadline-days = 14\nsurprise = 1\n'
    )
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(
        capsys, "advisory", "case", "open", "--package", "foo", "--reporter", "X"
    )
    assert code == 0
    case = _cases.load_case(tmp_path / "sec", out.strip())
    assert (case.deadline - case.received).days == 14
    assert "tool.pyward.advisory.surprise: unknown key" in err
    code, out, _ = run_cli(capsys, "advisory", "cases")
    assert "foo" in out
    code, out, err = run_cli(capsys, "advisory", "cases", "--dir", str(tmp_path / "none"))
    assert out == "no open cases\n"


def test_config_values_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    assert load_advisory_config(None, cwd=tmp_path).directory == tmp_path / "advisories"
    path.write_text(
        "[tool.pyward.advisory]\n"
        'prefix = "x_ACME"\n'
        'cna-org-id = "b3476cb9-2e3d-41a6-98d0-0f47421a65b6"\n'
        'cna-short-name = "ACME"\n'
    )
    config = load_advisory_config(path)
    assert (config.prefix, config.deadline_days, config.cna_org_id, config.cna_short_name) == (
        "x_ACME",
        90,
        "b3476cb9-2e3d-41a6-98d0-0f47421a65b6",
        "ACME",
    )
    assert config.directory == tmp_path / "advisories"
    for line, message in [
        ('prefix = "AC ME"', "tool.pyward.advisory.prefix: not an id prefix: 'AC ME'"),
        (
            "deadline-days = 0",
            "tool.pyward.advisory.deadline-days: must be a positive whole number",
        ),
        ('cna-org-id = "acme"', "tool.pyward.advisory.cna-org-id: not a UUID: 'acme'"),
        ('cna-short-name = "A"', "tool.pyward.advisory.cna-short-name: must be 2 to 32 characters"),
        ("directory = 3", "tool.pyward.advisory.directory: must be a non-empty string"),
    ]:
        path.write_text(f"[tool.pyward.advisory]\n{line}\n")
        with pytest.raises(InputError, match=message):
            load_advisory_config(path)
    (tmp_path / "pyward.toml").write_text('[advisory]\nprefix = "x_ORG"\n')
    assert load_advisory_config(tmp_path / "pyward.toml").prefix == "x_ORG"


def test_the_main_configuration_knows_the_advisory_table(tmp_path: Path) -> None:
    from pyward._config import load_config

    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.pyward]\nfail-on = "high"\n[tool.pyward.advisory]\nprefix = "x_A"\n')
    assert load_config(path).warnings == ()


def test_a_held_lock_is_waited_for_then_named(tmp_path: Path) -> None:
    from pyward._authoring._lock import directory_lock

    with (
        directory_lock(tmp_path),
        pytest.raises(UsageError) as info,
        directory_lock(tmp_path, timeout=0.05),
    ):
        pass
    assert str(info.value) == (
        f"{tmp_path / '.pyward.lock'}: another pyward has held the advisory directory's "
        "lock for 0.05 s; try again when it has finished"
    )
    with directory_lock(tmp_path, timeout=0.05):  # released: taken at once
        pass
