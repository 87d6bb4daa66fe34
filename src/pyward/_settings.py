"""What the environment decides, resolved once at the command line's boundary.

The CLI builds one :class:`Settings` from its options and ``os.environ``
(:meth:`Settings.from_environ`) and passes its values down; library modules never read
the environment, and a library caller who passes nothing gets the documented
defaults. Model: pip-audit's ``AuditOptions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType

from pyward._files import MAX_INPUT_BYTES
from pyward.errors import UsageError

__all__ = [
    "DEFAULT_OSV_URL",
    "INSTALLER_VARIABLES",
    "Settings",
    "default_cache_dir",
    "process_environ",
]

#: OSV's published per-ecosystem export (every PyPI record as JSON, one file each).
#: Documented at https://google.github.io/osv.dev/data/#data-dumps.
DEFAULT_OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"

#: Installer settings that name the index a project installs from, carried raw for
#: the index resolution (uv's, then pip's).
INSTALLER_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL", "PIP_CONFIG_FILE")

_EMPTY: Mapping[str, str] = MappingProxyType({})


def _empty() -> Mapping[str, str]:
    return _EMPTY


def default_cache_dir() -> Path:
    """The user cache directory for ``pyward``, the same on every platform and for
    every cache (the advisory store, the read cache).

    ``appauthor=False``: on Windows ``%LOCALAPPDATA%\\pyward\\Cache``, not a second
    ``pyward`` level for the "author".
    """
    import platformdirs

    return Path(platformdirs.user_cache_dir("pyward", appauthor=False))


def process_environ(names: Iterable[str]) -> dict[str, str]:
    """The variables ``names`` that are set (not empty) in this process's environment.

    For a process whose boundary is not the CLI: a Dask worker's task makes its
    settings from the job's and from these (where its own store is), here, where the
    environment is read.
    """
    import os

    return {k: os.environ[k] for k in names if os.environ.get(k)}


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return bool(environ.get(name))


def _netrc_file(environ: Mapping[str, str]) -> Path | None:
    """``$NETRC``, else ``~/.netrc`` (``$HOME``), when the file exists."""
    if environ.get("NETRC"):
        path = Path(environ["NETRC"])
    elif environ.get("HOME"):
        path = Path(environ["HOME"]) / ".netrc"
    else:
        return None
    return path if path.is_file() else None


def parse_source_date_epoch(raw: str | None) -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC datetime; ``None`` when unset or blank.

    https://reproducible-builds.org/specs/source-date-epoch/
    """
    if raw is None or not raw.strip():
        return None
    try:
        return datetime.fromtimestamp(int(raw.strip()), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH: not a Unix timestamp: {raw!r}") from None


def parse_max_input_bytes(raw: str | None) -> int:
    """``PYWARD_MAX_INPUT_BYTES`` as a positive byte count; the default when unset or blank."""
    if raw is None or not raw.strip():
        return MAX_INPUT_BYTES
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise UsageError(f"PYWARD_MAX_INPUT_BYTES: not a positive number of bytes: {raw!r}")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the environment decides for one run."""

    cache_dir: Path = field(default_factory=default_cache_dir)
    """Directory of the advisory store and of the read cache (``inventory/``):
    ``--cache-dir``, else ``$PYWARD_CACHE_DIR``, else :func:`default_cache_dir`."""
    read_cache: bool = True
    """Whether readers' results are cached; ``PYWARD_NO_CACHE`` set to anything but
    ``""`` or ``0`` turns it off."""
    osv_url: str = DEFAULT_OSV_URL
    """The zip of OSV records ``db update`` downloads when given no source:
    ``$PYWARD_OSV_URL``, else OSV's PyPI export."""
    advisory_url: str | None = None
    """``$PYWARD_ADVISORY_URL``: template (or base) of an advisory's web page, below
    the command line and the configuration file; ``None``: the renderers' default."""
    source_date_epoch: datetime | None = None
    """``$SOURCE_DATE_EPOCH`` as a UTC datetime: the clock of reproducible output."""
    no_color: bool = False
    """``$NO_COLOR`` is set (https://no-color.org): never colour."""
    force_color: bool = False
    """``$FORCE_COLOR`` is set: colour even when not on a terminal."""
    debug: bool = False
    """``$PYWARD_DEBUG`` is set: an internal error shows its traceback."""
    environ: Mapping[str, str] = field(default_factory=_empty)
    """A read-only snapshot of the environment, for pip's ``${VAR}`` expansion in
    requirements files and nothing else."""
    index_url: str | None = None
    """``$PYWARD_INDEX_URL``: the package index to ask, overriding the installers'."""
    installer_env: Mapping[str, str] = field(default_factory=_empty)
    """The :data:`INSTALLER_VARIABLES` that are set (not empty), raw."""
    lifecycle_url: str | None = None
    """``$PYWARD_LIFECYCLE_URL``: where ``db update`` downloads the lifecycle data (an
    endoflife.date API v1 ``products/full`` answer or a mirror of it); ``None``:
    endoflife.date's own API, and only when the advisories come from their default
    source too (docs/lifecycle.md)."""
    popularity_url: str | None = None
    """``$PYWARD_POPULARITY_URL``: where ``db update`` refreshes the popularity list from
    (hugovk/top-pypi-packages' JSON or CSV, or a mirror of it); ``None``: no refresh,
    the built-in snapshot or the last refreshed copy serves (docs/policy.md#typosquat)."""
    netrc: Path | None = None
    """The netrc file whose credentials the package index may need: ``$NETRC``, else
    ``~/.netrc`` (as pip, uv and curl read it); ``None`` when there is none."""
    offline: bool = False
    """``$PYWARD_OFFLINE`` set to anything but ``""`` or ``0``: never ask a package index
    (as ``--offline``): the checks use the cached metadata only, however old."""
    virtual_env: Path | None = None
    """``$VIRTUAL_ENV``: the active virtual environment, whose interpreter ``pyward
    install`` installs into unless ``--python`` names another."""
    max_input_bytes: int = MAX_INPUT_BYTES
    """``$PYWARD_MAX_INPUT_BYTES``: the largest input file read, in bytes (default
    :data:`pyward._files.MAX_INPUT_BYTES`, 256 MiB); a larger one is an input error."""

    @property
    def read_cache_dir(self) -> Path | None:
        """Where the read cache keeps its entries; ``None`` when it is off."""
        return self.cache_dir / "inventory" if self.read_cache else None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, cache_dir: Path | None = None) -> Settings:
        """The settings ``environ`` (and the ``--cache-dir`` option) decide.

        Raises :class:`~pyward.errors.UsageError` for a ``SOURCE_DATE_EPOCH`` that is
        not a Unix timestamp.
        """
        if cache_dir is None:
            env_dir = environ.get("PYWARD_CACHE_DIR")
            cache_dir = Path(env_dir) if env_dir else default_cache_dir()
        return cls(
            cache_dir=cache_dir,
            read_cache=environ.get("PYWARD_NO_CACHE", "") in ("", "0"),
            osv_url=environ.get("PYWARD_OSV_URL") or DEFAULT_OSV_URL,
            advisory_url=environ.get("PYWARD_ADVISORY_URL") or None,
            source_date_epoch=parse_source_date_epoch(environ.get("SOURCE_DATE_EPOCH")),
            no_color=_flag(environ, "NO_COLOR"),
            force_color=_flag(environ, "FORCE_COLOR"),
            debug=_flag(environ, "PYWARD_DEBUG"),
            environ=MappingProxyType(dict(environ)),
            index_url=environ.get("PYWARD_INDEX_URL") or None,
            installer_env=MappingProxyType(
                {k: environ[k] for k in INSTALLER_VARIABLES if environ.get(k)}
            ),
            max_input_bytes=parse_max_input_bytes(environ.get("PYWARD_MAX_INPUT_BYTES")),
            offline=environ.get("PYWARD_OFFLINE", "") not in ("", "0"),
            netrc=_netrc_file(environ),
            lifecycle_url=environ.get("PYWARD_LIFECYCLE_URL") or None,
            popularity_url=environ.get("PYWARD_POPULARITY_URL") or None,
            virtual_env=Path(environ["VIRTUAL_ENV"]) if environ.get("VIRTUAL_ENV") else None,
        )
