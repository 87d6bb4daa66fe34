"""Running the real command line on bad input, and the checks every case must pass."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyward._cli import main

#: ``pyward: error: FILE: PLACE: WHAT`` -- the one line an input error prints.
ERROR_PREFIX = "pyward: error: "


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What one run of ``pyward`` did."""

    code: int
    """The exit code."""
    out: str
    """Standard output."""
    err: str
    """Standard error."""

    @property
    def errors(self) -> list[str]:
        """The ``pyward: error:`` lines, without the prefix."""
        return [
            line[len(ERROR_PREFIX) :]
            for line in self.err.splitlines()
            if line.startswith(ERROR_PREFIX)
        ]


def run(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> Outcome:
    """Run ``pyward ARGV`` in this process; assert it neither leaked an exception nor
    printed a traceback or an internal error."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert "Traceback" not in out, out
    assert "internal error" not in err, err
    assert code in (0, 1, 2, 3), (code, err)
    return Outcome(code=code, out=out, err=err)


def place_of(error: str, file: str | os.PathLike[str]) -> tuple[str, str]:
    """(PLACE, WHAT) of an error line that starts with ``FILE: ``; fails otherwise."""
    prefix = f"{file}: "
    assert error.startswith(prefix), (error, str(file))
    rest = error[len(prefix) :]
    where, sep, what = rest.partition(": ")
    assert sep, error
    assert where, error
    assert what, error
    return where, what


#: A place inside a structured file: a key path (``package[3].source.registry``,
#: ``_meta.sources[0]``, ``metadata.files."a 1.0"``) or a line.
KEY_PATH = re.compile(r'^(line \d+|(?:[^\s:"]|"[^"]*")+)$')


def assert_one_input_error(
    outcome: Outcome, file: str | os.PathLike[str], *, structured: bool = True
) -> tuple[str, str]:
    """Exit 2 and exactly one error line naming ``file`` and a place in it."""
    assert outcome.code == 2, (outcome.code, outcome.err)
    assert len(outcome.errors) == 1, outcome.err
    (error,) = outcome.errors
    assert "\n" not in error
    where, what = place_of(error, file)
    if structured:
        assert KEY_PATH.match(where), error
    return where, what


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
