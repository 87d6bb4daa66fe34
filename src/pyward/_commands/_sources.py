"""The data an audit's checks need besides the advisories, gathered at the command
line's boundary: the package index's metadata (network, cached), the lifecycle data,
the popularity list, the artifacts' verified provenance and the Python the project runs
on. The audit itself stays pure; a
source that cannot be had is passed as missing, with the reason, and the checks that
need it are skipped and say so."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._checks import CHECKS, Check, CheckOptions, Need, PythonTarget, Sources

if TYPE_CHECKING:
    from pyward._config import Config
    from pyward._model import Component, Inventory
    from pyward._policy._model import Policy
    from pyward._provenance._model import ProvenanceReport
    from pyward._settings import Settings
    from pyward._sources.index._fetch import ClientOptions, FetchArgs, IndexArgs
    from pyward._sources.index._metadata import IndexMetadata
    from pyward._sources.index._public import PublicNames
    from pyward._sources.index._resolve import IndexResolver, ResolverArgs

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
    policy: Policy | None = None,
) -> Gathered:
    """The sources the ``selected`` checks (default: those that run by default) need,
    fetched or loaded. ``policy``: the usage policy the run checks (its rules' settings go
    to the checks; the ``sources`` rule's public indexes are asked here).

    Index metadata is fetched for every component when a selected check needs it, and
    otherwise, when ``cooldown`` or ``license`` is selected, for the components whose
    input does not answer those checks (see :func:`index_wanted`)."""
    checks = selected if selected is not None else tuple(c for c in CHECKS.values() if c.default)
    needs: set[Need] = set()
    for check in checks:
        needs.update(check.needs)
    notes: list[str] = []
    unavailable: dict[Need, str] = {}
    options = CheckOptions(
        unmaintained_years=config.unmaintained_years or CheckOptions().unmaintained_years,
        policy=policy,
    )
    popularity = None
    if "popularity" in needs:
        from pyward._sources.popularity._load import load_popularity

        popularity, popularity_notes = load_popularity(settings.cache_dir)
        notes.extend(popularity_notes)
    origins = SourceOrigins()
    # One resolver for the run: the configured index of each project read once, for the
    # ``source`` check and the index metadata alike.
    resolver: IndexResolver | None = None
    if any(c.id == "source" for c in checks):
        resolver = _resolver(args, config, settings)
        origins = source_origins(
            inventories, policy, args=args, config=config, settings=settings, resolver=resolver
        )
        notes.extend(origins.notes)
    provenance: ProvenanceReport | None = None
    if "provenance" in needs:
        provenance = gather_provenance_of(inventories, args=args, config=config, settings=settings)
        notes.extend(provenance.notes)
    wanted = index_wanted(inventories, checks) if "index" not in needs else []
    if not needs & {"index", "lifecycle"} and not wanted:
        return Gathered(
            sources=origins.sources(Sources(popularity=popularity, provenance=provenance)),
            options=options,
            notes=tuple(notes),
        )

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
    if "index" in needs or wanted:
        subjects = subjects_of(inventories) if "index" in needs else wanted
        # The JSON API adds what the index checks and the licence read (classifiers,
        # the licence); the cooldown reads only the pages.
        json_api = "index" in needs or any(c.id == "license" for c in checks)
        index, reason = _index_metadata(
            subjects,
            args=args,
            config=config,
            settings=settings,
            json_api=json_api,
            resolver=resolver,
        )
        if index is not None:
            notes.extend(index.notes)
        if reason is not None:
            unavailable["index"] = reason
    return Gathered(
        sources=origins.sources(
            Sources(
                index=index,
                lifecycle=lifecycle,
                popularity=popularity,
                provenance=provenance,
                unavailable=unavailable,
            )
        ),
        python=python,
        options=options,
        notes=tuple(notes),
    )


def index_wanted(
    inventories: Sequence[Inventory], checks: Sequence[Check]
) -> list[tuple[Inventory, Component]]:
    """The subjects whose index metadata the selected checks use although none of them
    needs it for every component: ``cooldown`` for a component whose input records no
    upload time (a requirements file; an older uv.lock), ``license`` for one whose input
    carries no licence (every lock file). Empty when neither check is selected."""
    ids = {c.id for c in checks}
    if "cooldown" not in ids and "license" not in ids:
        return []
    from pyward._checks._license import licence_in_input
    from pyward._inventory._common import UPLOAD_TIME

    return [
        (inv, comp)
        for inv, comp in subjects_of(inventories)
        if ("cooldown" in ids and UPLOAD_TIME not in comp.metadata)
        or ("license" in ids and not licence_in_input(comp))
    ]


def _index_metadata(
    subjects: Sequence[tuple[Inventory, Component]],
    *,
    args: argparse.Namespace,
    config: Config,
    settings: Settings,
    json_api: bool = True,
    resolver: IndexResolver | None = None,
) -> tuple[IndexMetadata | None, str | None]:
    """The index metadata of the run's components, or ``None`` and why none could be had
    at all (no index configured; offline with nothing cached; the index unreachable).
    ``resolver``: the run's, when it has one already (default: one made here)."""
    if not subjects:
        from pyward._sources.index._metadata import IndexMetadata

        return IndexMetadata(), None  # nothing to look up: the checks see no component
    plan = (resolver or _resolver(args, config, settings)).plan(subjects)
    if not plan.projects:
        # Nothing to ask of any index: one line says why (issue 13: "say so in one line"),
        # and the client, the parser and the model are not even imported.
        reasons = list(dict.fromkeys(plan.unasked.values()))
        return None, reasons[0] if reasons else "no package index configured"
    from pyward._sources.index._fetch import fetch_plan
    from pyward._sources.index._port import IndexFailure

    with _progress(len(subjects), quiet=args.quiet) as progress:
        metadata = fetch_plan(
            plan,
            **_fetch_args(args, config, settings),
            json_api=json_api,
            progress=progress,
        )
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


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceOrigins:
    """What the ``source`` check needs besides the inventory: each input's configured
    index, and the public indexes' answers for the names taken from other indexes."""

    configured: Mapping[str, str] = field(default_factory=dict)
    """Inventory source -> the index configured for its project."""
    public_names: PublicNames = field(default_factory=dict)
    """The dependency-confusion probe's answers."""
    notes: tuple[str, ...] = ()
    """What the probe noticed (a stale copy used, a setting passed over)."""

    def sources(self, base: Sources) -> Sources:
        """``base`` with these facts."""
        return replace(base, configured_indexes=self.configured, public_names=self.public_names)


def source_origins(
    inventories: Sequence[Inventory],
    policy: Policy | None,
    *,
    args: argparse.Namespace,
    config: Config,
    settings: Settings,
    client: ClientOptions | None = None,
    resolver: IndexResolver | None = None,
) -> SourceOrigins:
    """The index configured for each input's project (as the index checks decide it:
    :class:`~pyward._sources.index._resolve.IndexResolver`; ``resolver``: the run's,
    when it has one already), and, when the policy's ``sources`` rule names public
    indexes, their answers for every name taken from another index (through the cached,
    offline-aware index client)."""
    from pyward._checks._source import probe_names
    from pyward._policy._model import SourcesRule
    from pyward._sources.index._resolve import ResolvedIndex

    resolver = resolver or _resolver(args, config, settings)
    configured: dict[str, str] = {}
    notes: dict[str, None] = {}
    for inv in inventories:
        found = resolver.configured(inv)
        notes.update(dict.fromkeys(found.notes))
        if isinstance(found, ResolvedIndex):
            configured[inv.source] = found.url
    rule = (policy.sources if policy is not None else None) or SourcesRule()
    names = probe_names(subjects_of(inventories), rule, configured)
    if not names:
        return SourceOrigins(configured=configured, notes=tuple(notes))
    from pyward._sources.index._client import DEFAULT_MAX_AGE
    from pyward._sources.index._public import probe_public

    answers, probe_notes = probe_public(
        rule.public,
        names,
        cache_dir=settings.cache_dir,
        offline=offline_of(args, settings),
        refresh=args.refresh,
        max_age=config.index_ttl or DEFAULT_MAX_AGE,
        client=client,
    )
    notes.update(dict.fromkeys(probe_notes))
    return SourceOrigins(configured=configured, public_names=answers, notes=tuple(notes))


def _index_environ(settings: Settings) -> dict[str, str]:
    """The environment the index is resolved from: the installers' variables, and
    ``$PYWARD_INDEX_URL``."""
    environ = dict(settings.installer_env)
    if settings.index_url:
        environ["PYWARD_INDEX_URL"] = settings.index_url
    return environ


def _resolver_args(args: argparse.Namespace, config: Config, settings: Settings) -> ResolverArgs:
    """Which index the run asks: the index option, ``$PYWARD_INDEX_URL`` and the
    installers' settings."""
    return {
        "option": args.index_url or config.index_url,
        "environ": _index_environ(settings),
        "home": _home(),
        "root": ROOT,
    }


def _fetch_args(args: argparse.Namespace, config: Config, settings: Settings) -> FetchArgs:
    """How the run asks the indexes: the cache, its TTL and the HTTP options."""
    from pyward._sources.index._client import DEFAULT_MAX_AGE
    from pyward._sources.index._fetch import ClientOptions

    return {
        "cache_dir": settings.cache_dir,
        "offline": offline_of(args, settings),
        "refresh": args.refresh,
        "max_age": config.index_ttl or DEFAULT_MAX_AGE,
        "client": ClientOptions(netrc=settings.netrc),
    }


def _resolver(args: argparse.Namespace, config: Config, settings: Settings) -> IndexResolver:
    """Which index each component is asked of, with the run's settings."""
    from pyward._sources.index._resolve import IndexResolver

    return IndexResolver(**_resolver_args(args, config, settings))


def _index_args(args: argparse.Namespace, config: Config, settings: Settings) -> IndexArgs:
    """The run's index settings: :func:`_resolver_args` and :func:`_fetch_args`."""
    return {**_resolver_args(args, config, settings), **_fetch_args(args, config, settings)}


def fetch_index(
    subjects: Sequence[tuple[Inventory, Component]],
    *,
    args: argparse.Namespace,
    config: Config,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    json_api: bool = True,
) -> IndexMetadata:
    """:func:`~pyward._sources.index._fetch.fetch_metadata` with the run's settings: the index
    option, ``$PYWARD_INDEX_URL`` and the installers' settings, the cache and its TTL."""
    from pyward._sources.index._fetch import fetch_metadata

    return fetch_metadata(
        subjects,
        **_index_args(args, config, settings),
        json_api=json_api,
        progress=progress,
    )


def gather_provenance_of(
    inventories: Sequence[Inventory],
    *,
    args: argparse.Namespace,
    config: Config,
    settings: Settings,
) -> ProvenanceReport:
    """:func:`~pyward._provenance._gather.gather_provenance` with the run's settings: the
    index as :func:`fetch_index` asks it, the cache and its TTL, and the ``provenance``
    command's ``--staging`` and ``--trust-root`` when it has them. Without the
    ``provenance`` extra, a :class:`~pyward._extras.MissingExtra` naming it."""
    from pyward._extras import require

    require("provenance", what="provenance verification")
    from pyward._provenance._gather import gather_provenance

    subjects = subjects_of(inventories)
    artifacts = sum(max(len(c.artifacts), len(c.hashes)) for _, c in subjects)
    trust_root = getattr(args, "trust_root", None)
    with _progress(artifacts, quiet=args.quiet, label="provenance") as progress:
        return gather_provenance(
            inventories,
            subjects,
            trust="staging" if getattr(args, "staging", False) else "production",
            trust_root=str(trust_root) if trust_root is not None else None,
            **_index_args(args, config, settings),
            progress=progress,
        )


def offline_of(args: argparse.Namespace, settings: Settings) -> bool:
    """Whether the run asks no server: ``--offline``, or ``PYWARD_OFFLINE`` unless
    ``--refresh`` asks again anyway."""
    return bool(args.offline) or (settings.offline and not args.refresh)


def _home() -> Path | None:
    try:
        return Path.home()
    except RuntimeError:  # no home directory: the user's settings files are not read
        return None


@contextmanager
def _progress(
    total: int, *, quiet: bool, label: str = "index metadata"
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for ``total`` items (projects' metadata, or ``label``),
    when stderr is a terminal (``None`` otherwise: nothing is drawn into a log)."""
    if quiet or total < _PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("fetch", total=total)

        def update(done: int, count: int) -> None:
            bar.update(task, completed=done, total=count)

        yield update
