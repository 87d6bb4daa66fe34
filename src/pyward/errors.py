"""Typed errors. Library code raises these; ``pyward._cli.main`` catches them once.

Every error carries a one-line, human diagnostic that names the file and the place
(line, key path or record id) where that is known, and the exit code it maps to.
The exit-code contract (documented in the README) keeps "the tool failed" apart from
"findings present":

* 0 - no finding at or above the threshold
* 1 - findings at or above ``--fail-on``
* 2 - usage or input error
* 3 - no advisory data available
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_NO_DATA = 3


class PywardError(Exception):
    """Base class of every error pyward reports to a user."""

    exit_code: int = EXIT_INPUT

    def __init__(self, message: str) -> None:
        if not message.isascii():
            # A file name that is not UTF-8 must not make the error unprintable.
            from pyward._files import safe_text

            message = safe_text(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(PywardError):
    """The command line or configuration is wrong."""


class InputError(PywardError):
    """An input (lock file, requirements, SBOM, advisory source) cannot be read.

    ``where`` is the place inside the file: ``line 12``, ``package[12].version`` or a
    record id. The message renders as ``FILE: WHERE: WHAT``.
    """

    def __init__(self, file: str | Path | None, what: str, where: str | None = None) -> None:
        self.file = _safe(str(file)) if file is not None else None
        self.where = _safe(where) if where is not None else None
        self.what = _safe(what)
        parts = [p for p in (self.file, self.where, self.what) if p]
        super().__init__(": ".join(parts))


def _safe(text: str) -> str:
    if text.isascii():
        return text
    from pyward._files import safe_text

    return safe_text(text)


class NoDataError(PywardError):
    """No advisory data is available (no store, and no usable built-in snapshot)."""

    exit_code = EXIT_NO_DATA


class NetworkError(PywardError):
    """A URL could not be fetched (unreachable host, HTTP error)."""


class InstallerError(PywardError):
    """pip or uv failed (``pyward install``): it could not resolve the requirements, or
    could not install the checked set. The message says what was installed, if anything."""
