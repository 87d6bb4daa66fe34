"""Coordinated reports (PEP 811): one TOML file per case in ``DIR/cases/``.

A case keeps what PEP 811 asks a coordinator to track: the package, the reporter and
the date the report was received, exactly one coordinator (reassigning replaces them,
and the history keeps who it was), the disclosure deadline (90 days after receipt by
default) and the state, moved only along :data:`TRANSITIONS`::

    received -> triaged -> accepted -> fix-ready -> published
                        \\-> rejected

Every change appends a timestamped entry to ``history``. A case may be closed at any
time with a reason (a duplicate, a report withdrawn); a closed, rejected or published
case is finished and no longer listed as open.

Every change reads, decides and writes under the directory's lock
(:mod:`._lock`), and files are replaced atomically (:mod:`pyward._atomic`): two people
changing one case at once both get their change in, and a crash leaves the old file
or the new one, never half of either. The file is TOML so that it reads well in a
review; it is written by ``rtoml`` and read back through :class:`pyward._wire.Wire`, so
a hand edit that breaks it is an error naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pyward._authoring._lock import create_new, directory_lock
from pyward._wire import MUST, Wire
from pyward.errors import InputError, UsageError

__all__ = [
    "CASES_DIR",
    "OPEN_STATES",
    "STATES",
    "TRANSITIONS",
    "Case",
    "assign",
    "case_path",
    "check_move",
    "close",
    "days_left",
    "list_cases",
    "load_case",
    "move",
    "moved",
    "open_case",
    "parse_case",
    "render_case",
    "write_case",
]

CASES_DIR = "cases"

State = Literal["received", "triaged", "accepted", "rejected", "fix-ready", "published"]
STATES: tuple[State, ...] = (
    "received",
    "triaged",
    "accepted",
    "rejected",
    "fix-ready",
    "published",
)
#: The moves a case may make (PEP 811: a report ends rejected or published).
TRANSITIONS: Mapping[State, tuple[State, ...]] = {
    "received": ("triaged",),
    "triaged": ("accepted", "rejected"),
    "accepted": ("fix-ready",),
    "fix-ready": ("published",),
    "rejected": (),
    "published": (),
}
#: States of a case still being worked on.
OPEN_STATES: tuple[State, ...] = ("received", "triaged", "accepted", "fix-ready")

_ID = re.compile(r"CASE-(\d{4})-(\d{3,})")
_ACTIONS = ("open", "assign", "status", "close")
_KEYS = (
    "id",
    "package",
    "summary",
    "reporter",
    "received",
    "deadline",
    "state",
    "coordinator",
    "advisory",
    "closed",
    "close-reason",
    "history",
)
_HEADER = (
    "# A coordinated report (PEP 811), kept by `pyward advisory case`.\n"
    "# Change it with that command: it records each change in the history below.\n\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One report, as its file holds it."""

    id: str
    """``CASE-YYYY-NNN``: the year it was opened, then a number within that year."""
    package: str
    """The affected package, as the reporter named it."""
    reporter: str
    """Who reported it: ``Name <mail>``."""
    received: dt.date
    """When the report was received: the disclosure clock starts here."""
    deadline: dt.date
    """The disclosure deadline."""
    state: State = "received"
    """Where the report stands (:data:`STATES`)."""
    coordinator: str | None = None
    """The one person moving the report to a finished state."""
    summary: str | None = None
    """One line about the report."""
    advisory: str | None = None
    """The id of the advisory published for it."""
    closed: dt.datetime | None = None
    """When the case was closed without going through to the end, if it was."""
    close_reason: str | None = None
    """Why it was closed."""
    history: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    """Every change, oldest first: ``at`` (UTC), ``action`` (open, assign, status,
    close) and what the action set."""

    @property
    def finished(self) -> bool:
        """Closed, rejected or published: nothing left to coordinate."""
        return self.closed is not None or self.state not in OPEN_STATES


def case_path(directory: Path, case_id: str) -> Path:
    """The file of ``case_id``; a :class:`UsageError` for a malformed id (which is also
    what keeps a crafted id from naming a file outside ``DIR/cases``)."""
    if not _ID.fullmatch(case_id):
        raise UsageError(f"not a case id: {case_id!r} (expected CASE-YYYY-NNN)")
    return directory / CASES_DIR / f"{case_id}.toml"


def days_left(case: Case, today: dt.date) -> int:
    """Days from ``today`` to the deadline (negative: overdue)."""
    return (case.deadline - today).days


# -- reading and writing --------------------------------------------------------------


def render_case(case: Case) -> str:
    """The case file's text: a short header, then the case as TOML."""
    import rtoml

    data: dict[str, Any] = {  # in the order of _KEYS
        "id": case.id,
        "package": case.package,
        "summary": case.summary,
        "reporter": case.reporter,
        "received": case.received,
        "deadline": case.deadline,
        "state": case.state,
        "coordinator": case.coordinator,
        "advisory": case.advisory,
        "closed": case.closed,
        "close-reason": case.close_reason,
    }
    data = {k: v for k, v in data.items() if v is not None}
    data["history"] = [dict(entry) for entry in case.history]
    return _HEADER + rtoml.dumps(data)


def parse_case(text: str, file: Path) -> Case:
    """A case from its file's text; :class:`InputError` naming the file and the key of
    the first bad value."""
    from pyward._inventory._toml import loads

    data = loads(text, file)
    w = Wire(file, MUST)
    t = w.table(data, "")
    case_id = t.string("id")
    if not _ID.fullmatch(case_id):
        raise t.error("id", f"not a case id: {case_id!r} (expected CASE-YYYY-NNN)")
    if file.stem != case_id:
        raise t.error("id", f"{case_id!r} is not the file's name")
    for key in t.data:
        if key not in _KEYS:
            # Refused, not ignored: the next change would rewrite the file without it.
            raise t.error(key, f"unknown key (known: {', '.join(_KEYS)})")
    state = t.string("state")
    if state not in STATES:
        raise t.error("state", f"unknown state {state!r} (known: {', '.join(STATES)})")
    history = []
    for entry in t.tables("history"):
        if not isinstance(entry.data.get("at"), dt.datetime):
            raise entry.error("at", "must be a date and time (2026-01-31T12:00:00Z)")
        action = entry.string("action")
        if action not in _ACTIONS:
            raise entry.error("action", f"unknown action {action!r} (known: {', '.join(_ACTIONS)})")
        history.append(entry.data)
    closed = t.data.get("closed")
    if closed is not None and not isinstance(closed, dt.datetime):
        raise t.error("closed", "must be a date and time (2026-01-31T12:00:00Z)")
    return Case(
        id=case_id,
        package=t.string("package"),
        reporter=t.string("reporter"),
        received=_date(t.data.get("received"), w, "received"),
        deadline=_date(t.data.get("deadline"), w, "deadline"),
        state=state,
        coordinator=_opt_text(w, t.data, "coordinator"),
        summary=_opt_text(w, t.data, "summary"),
        advisory=_opt_text(w, t.data, "advisory"),
        closed=closed,
        close_reason=_opt_text(w, t.data, "close-reason"),
        history=tuple(history),
    )


def _date(value: object, w: Wire, key: str) -> dt.date:
    # A TOML date; a datetime is a date too in Python, and is not what is meant here.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise w.error(key, "missing" if value is None else "must be a date (2026-01-31)")


def _opt_text(w: Wire, data: Mapping[str, Any], key: str) -> str | None:
    if key not in data:
        return None
    return w.text(data[key], "", key, what="must be a non-empty string")


def load_case(directory: Path, case_id: str) -> Case:
    """The case ``case_id`` of the advisory directory."""
    path = case_path(directory, case_id)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{case_id}: no such case in {directory / CASES_DIR}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_case(text, path)


def _write(directory: Path, case: Case) -> None:
    from pyward._atomic import write_atomic

    write_atomic(case_path(directory, case.id), render_case(case).encode("utf-8"))


def list_cases(directory: Path) -> list[Case]:
    """Every case of the directory, in id order."""
    folder = directory / CASES_DIR
    if not folder.is_dir():
        return []
    cases = []
    for path in sorted(folder.glob("CASE-*.toml"), key=lambda p: _sort_key(p.stem)):
        if _ID.fullmatch(path.stem):
            cases.append(load_case(directory, path.stem))
    return cases


def _sort_key(case_id: str) -> tuple[int, int]:
    m = _ID.fullmatch(case_id)
    return (int(m[1]), int(m[2])) if m else (0, 0)


# -- changes --------------------------------------------------------------------------


def _stamp(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.timezone.utc).replace(microsecond=0)


def open_case(
    directory: Path,
    *,
    package: str,
    reporter: str,
    now: dt.datetime,
    received: dt.date | None = None,
    summary: str | None = None,
    deadline_days: int = 90,
) -> Case:
    """Open a case: the next ``CASE-YYYY-NNN`` of the year of ``now``, in state
    ``received``, its deadline ``deadline_days`` after ``received`` (default: the day
    of ``now``)."""
    for what, value in (("--package", package), ("--reporter", reporter)):
        if not value.strip():
            raise UsageError(f"{what}: must not be empty")
    if deadline_days < 1:
        raise UsageError(f"--deadline-days: must be at least 1, got {deadline_days}")
    at = _stamp(now)
    day = received or at.date()
    base = Case(
        id="",
        package=package.strip(),
        reporter=reporter.strip(),
        received=day,
        deadline=day + dt.timedelta(days=deadline_days),
        summary=summary.strip() if summary and summary.strip() else None,
    )
    with directory_lock(directory):
        folder = directory / CASES_DIR
        year = at.year
        taken = [
            int(m[2])
            for p in (folder.glob(f"CASE-{year}-*.toml") if folder.is_dir() else ())
            if (m := _ID.fullmatch(p.stem))
        ]
        number = max(taken, default=0) + 1
        while True:
            case_id = f"CASE-{year}-{number:03d}"
            entry = {"at": at, "action": "open", "state": "received", "reporter": base.reporter}
            case = replace(base, id=case_id, history=(entry,))
            if create_new(case_path(directory, case_id), render_case(case).encode("utf-8")):
                return case
            number += 1  # created by a run that does not take the lock


def _change(directory: Path, case_id: str, change: Callable[[Case], Case]) -> Case:
    """Read, change and write one case under the directory's lock."""
    with directory_lock(directory):
        case = change(load_case(directory, case_id))
        _write(directory, case)
        return case


def _check_open(case: Case) -> None:
    if case.closed is not None:
        raise UsageError(
            f"{case.id}: closed on {case.closed:%Y-%m-%d} ({case.close_reason}); "
            "a closed case does not change"
        )


def assign(directory: Path, case_id: str, coordinator: str, *, now: dt.datetime) -> Case:
    """Make ``coordinator`` the case's one coordinator, replacing any other."""
    name = coordinator.strip()
    if not name:
        raise UsageError("--coordinator: must not be empty")

    def change(case: Case) -> Case:
        _check_open(case)
        if case.coordinator == name:
            raise UsageError(f"{case.id}: {name} is already its coordinator")
        entry: dict[str, Any] = {"at": _stamp(now), "action": "assign", "coordinator": name}
        if case.coordinator is not None:
            entry["previous"] = case.coordinator
        return replace(case, coordinator=name, history=(*case.history, entry))

    return _change(directory, case_id, change)


def check_move(case: Case, state: str) -> State:
    """``state`` when ``case`` may move to it now, else a :class:`UsageError` that
    says which moves it may make."""
    _check_open(case)
    if state not in STATES:
        raise UsageError(f"unknown state {state!r} (known: {', '.join(STATES)})")
    allowed = TRANSITIONS[case.state]
    if state not in allowed:
        then = f"it can move to {' or '.join(allowed)}" if allowed else "it is finished"
        raise UsageError(f"{case.id}: cannot move from {case.state} to {state}: {then}")
    if case.coordinator is None:
        # PEP 811: one person moves each report forward; there must be one.
        raise UsageError(
            f"{case.id}: no coordinator yet; assign one first "
            f"(pyward advisory case assign {case.id} --coordinator NAME)"
        )
    return state


def moved(
    case: Case,
    state: str,
    *,
    now: dt.datetime,
    note: str | None = None,
    advisory: str | None = None,
) -> Case:
    """``case`` moved to ``state`` (checked by :func:`check_move`), the move recorded."""
    new = check_move(case, state)
    entry: dict[str, Any] = {
        "at": _stamp(now),
        "action": "status",
        "from": case.state,
        "state": new,
    }
    if note and note.strip():
        entry["note"] = note.strip()
    if advisory is not None:
        entry["advisory"] = advisory
    return replace(
        case,
        state=new,
        advisory=advisory if advisory is not None else case.advisory,
        history=(*case.history, entry),
    )


def move(
    directory: Path, case_id: str, state: str, *, now: dt.datetime, note: str | None = None
) -> tuple[Case, Case]:
    """Move the case to ``state``; returns the case before and after."""
    before: list[Case] = []

    def change(case: Case) -> Case:
        before.append(case)
        return moved(case, state, now=now, note=note)

    after = _change(directory, case_id, change)
    return before[0], after


def close(directory: Path, case_id: str, reason: str, *, now: dt.datetime) -> Case:
    """Close the case, whatever its state, for ``reason``."""
    text = reason.strip()
    if not text:
        raise UsageError("--reason: must not be empty")

    def change(case: Case) -> Case:
        _check_open(case)
        at = _stamp(now)
        entry = {"at": at, "action": "close", "reason": text}
        return replace(case, closed=at, close_reason=text, history=(*case.history, entry))

    return _change(directory, case_id, change)


def write_case(directory: Path, case: Case) -> None:
    """Replace the case's file atomically (the caller holds the directory's lock)."""
    _write(directory, case)
