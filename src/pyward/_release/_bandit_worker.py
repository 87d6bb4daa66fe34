"""A worker of :mod:`pyward._release._bandit`: Bandit over a share of a repository's files.

Run as ``python -m pyward._release._bandit_worker`` (or by :mod:`pyward._release._bandit`
through ``python -c``, with the caller's pyward first on the path), it reads one JSON
object on standard input, ``{"setup": {"config_file": ..., "tests": [...], "skips":
[...]}, "files": [...]}``, and writes one JSON object mapping each file to its result
(``FileResult.to_json``). Exit status 2 with a one-line message on standard error when
the request is not that; the caller then scans the share itself.
"""

from __future__ import annotations

import json
import sys

from pyward._release._bandit import BanditSetup, scan_serial
from pyward.errors import InputError


def _words(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return tuple(value)


def main() -> int:
    """Read the request, scan, write the answer; 0, or 2 for a bad request."""
    try:
        request = json.loads(sys.stdin.buffer.read())
        raw = request["setup"]
        config_file = raw["config_file"]
        if config_file is not None and not isinstance(config_file, str):
            raise ValueError("setup.config_file: expected a string or null")
        setup = BanditSetup(
            config_file=config_file, tests=_words(raw["tests"]), skips=_words(raw["skips"])
        )
        files = _words(request["files"])
    except (ValueError, KeyError, TypeError) as exc:
        sys.stderr.write(f"pyward bandit worker: bad request: {exc}\n")
        return 2
    try:
        results = scan_serial(setup, files)
    except InputError as exc:
        sys.stderr.write(f"pyward bandit worker: {exc}\n")
        return 2
    sys.stdout.write(json.dumps({name: r.to_json() for name, r in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
