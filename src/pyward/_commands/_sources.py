"""The data an audit's checks need besides the advisories, gathered at the command
line's boundary: the package index's metadata (network, cached), the lifecycle data
and the Python the project runs on. The audit itself stays pure; a source that cannot
be had is passed as missing, with the reason, and the checks that need it are skipped
and say so."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._checks import CHECKS, Check, CheckOptions, Need, PythonTarget, Sources

if TYPE_CHECKING:
    from pyward._config import Config
    from pyward._model import Component, Inventory
    from pyward._settings import Settings
    from pyward._sources.index import IndexMetadata

#: The file-system root whose ``/etc`` holds pip's and uv's system settings (tests
#: point it elsewhere).
ROOT = Path("/")

#: Fewer projects than this are fetched without a progress bar (it would only flicker).
_PROGRESS_FROM = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Gathered:
    """What :func:`gather_sources` found."""

    sources: Sources
    """The data sources, each ``None`` when missing (``unavailable`` says why)."""
    python: PythonTarget | None = None
    """The Python the project runs on, when known."""
    options: CheckOptions = field(default_factory=CheckOptions)
    """The checks' settings."""
    notes: tuple[str, ...] = ()
    """What a person should know about the data (a stale copy, a setting passed over)."""


def subjects_of(inventories: Sequence[Inventory]) -> list[tuple[Inventory, Component]]:
    """The components the checks will see, once per key, with the first inventory that
    has it: the audit's subjects (:func:`pyward._audit.auditable`)."""
    from pyward._audit import auditable

    seen: dict[str, tuple[Inventory, Component]] = {}
    for inv in inventories:
        for comp in inv.components:
            if auditable(comp):
                seen.setdefault(comp.key, (inv, comp))
    return list(seen.values())


def gather_sources(
    inventories: Sequence[Inventory],
    selected: Sequence[Check] | None,
    *,
    args: argparse.Namespace,
    config: Config,
    settings: Settings,
    start: Path,
) -> Gathered:
    """The sources the ``selected`` checks (default: those that run by default) need,
    fetched or loaded."""
    checks = selected if selected is not None else tuple(c for c in CHECKS.values() if c.default)
    needs: set[Need] = set()
    for check in checks:
        needs.update(check.needs)
    notes: list[str] = []
    unavailable: dict[Need, str] = {}
    options = CheckOptions(
        unmaintained_years=config.unmaintained_years or CheckOptions().unmaintained_years
    )
    if not needs & {"index", "lifecycle"}:
        return Gathered(sources=Sources(), options=options)

    from pyward._sources.lifecycle import load_lifecycle, resolve_python_target

    python, python_notes = resolve_python_target(
        inventories, option=args.python_version, first_input=start
    )
    notes.extend(python_notes)

    lifecycle = None
    if "lifecycle" in needs:
        lifecycle, life_notes = load_lifecycle(settings.cache_dir)
        notes.extend(life_notes)

    index: IndexMetadata | None = None
    if "index" in needs:
        index, reason = _index_metadata(inventories, args=args, config=config, settings=settings)
        if index is not None:
            notes.extend(index.notes)
        if reason is not None:
            unavailable["index"] = reason
    return Gathered(
        sources=Sources(index=index, lifecycle=lifecycle, unavailable=unavailable),
        python=python,
        options=options,
        notes=tuple(notes),
    )


def _index_metadata(
    inventories: Sequence[Inventory],
    *,
    args: argparse.Namespace,
    config: Config,
    settings: Settings,
) -> tuple[IndexMetadata | None, str | None]:
    """The index metadata of the run's components, or ``None`` and why none could be had
    at all (no index configured; offline with nothing cached; the index unreachable)."""
    from pyward._sources.index import IndexFailure, IndexMetadata

    subjects = subjects_of(inventories)
    if not subjects:
        return IndexMetadata(), None  # nothing to look up: the checks see no component
    with _progress(len(subjects), quiet=args.quiet) as progress:
        metadata = fetch_index(
            subjects, args=args, config=config, settings=settings, progress=progress
        )
    if not metadata.pages:
        # Nothing was asked of any index: one line says why (issue 13: "say so in one line").
        reasons = list(dict.fromkeys(metadata.unasked.values()))
        return None, reasons[0] if reasons else "no package index configured"
    failures = [p for p in metadata.pages.values() if isinstance(p, IndexFailure)]
    if len(failures) == len(metadata.pages) and all(
        f.kind in ("offline", "network") for f in failures
    ):
        kinds = {f.kind for f in failures}
        if kinds == {"offline"}:
            flag = "--offline" if args.offline else "PYWARD_OFFLINE"
            return None, f"{flag}, and no index metadata is cached for these projects"
        return None, f"the package index could not be reached ({failures[0].reason})"
    return metadata, None


def fetch_index(
    subjects: Sequence[tuple[Inventory, Component]],
    *,
    args: argparse.Namespace,
    config: Config,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    json_api: bool = True,
) -> IndexMetadata:
    """:func:`~pyward._sources.index.fetch_metadata` with the run's settings: the index
    option, ``$PYWARD_INDEX_URL`` and the installers' settings, the cache and its TTL."""
    from pyward._sources.index import fetch_metadata
    from pyward._sources.index._client import DEFAULT_MAX_AGE
    from pyward._sources.index._fetch import ClientOptions

    environ = dict(settings.installer_env)
    if settings.index_url:
        environ["PYWARD_INDEX_URL"] = settings.index_url
    return fetch_metadata(
        subjects,
        option=args.index_url or config.index_url,
        environ=environ,
        home=_home(),
        root=ROOT,
        cache_dir=settings.cache_dir,
        # --refresh asks the index even where PYWARD_OFFLINE is set.
        offline=args.offline or (settings.offline and not args.refresh),
        refresh=args.refresh,
        max_age=config.index_ttl or DEFAULT_MAX_AGE,
        json_api=json_api,
        progress=progress,
        client=ClientOptions(netrc=settings.netrc),
    )


def _home() -> Path | None:
    try:
        return Path.home()
    except RuntimeError:  # no home directory: the user's settings files are not read
        return None


@contextmanager
def _progress(total: int, *, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for fetching ``total`` projects' metadata, when stderr is
    a terminal (``None`` otherwise: nothing is drawn into a log)."""
    if quiet or total < _PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("index metadata"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("fetch", total=total)

        def update(done: int, count: int) -> None:
            bar.update(task, completed=done, total=count)

        yield update
