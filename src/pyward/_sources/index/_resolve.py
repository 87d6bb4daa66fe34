"""Which package index a project's metadata comes from, decided from explicit inputs.

A pure function of what it is given (library modules never read ``os.environ``: the
CLI passes the environment in, and the directories to look in). First match wins:

1. the index the lock file recorded for the component (``Component.index``);
2. the ``--index-url`` option;
3. the environment: ``PYWARD_INDEX_URL``, ``UV_DEFAULT_INDEX``, ``UV_INDEX_URL``,
   ``PIP_INDEX_URL``;
4. installer settings files: ``UV_CONFIG_FILE``; the project's ``uv.toml``, then its
   ``pyproject.toml`` ``[tool.uv]``; pip's files in pip's own precedence
   (``PIP_CONFIG_FILE``, ``{site_prefix}/pip.conf``, the user's
   ``$XDG_CONFIG_HOME/pip/pip.conf`` and ``~/.pip/pip.conf``, ``/etc/pip.conf``,
   ``/etc/xdg/pip/pip.conf``; an ``[install]`` value in any of them before a
   ``[global]`` one, as pip reads them); the user's and the system's ``uv.toml``.
   The project's own settings come first: they describe the project audited.

There is no built-in default index: with none of these, the answer is
:class:`NoIndex` with a reason that says what to set. Only ``http(s)`` URLs are
used (the client speaks HTTP); another value is passed over with a note. Credentials
in URLs never reach an origin, a note or a ``repr``.

:class:`IndexResolver` applies it to a run's inventories (each project's settings read
once) and plans which index each project is asked of (:class:`IndexPlan`). This module
imports no other part of the index port: a run that has no index to ask finds so here.
"""

from __future__ import annotations

import configparser
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict

from pyward._model import Component, Inventory, canonical_name
from pyward._text import redact_url
from pyward.errors import InputError

NO_INDEX_REASON = (
    "no package index configured: set --index-url or PYWARD_INDEX_URL, or configure pip/uv"
)
ENV_VARS = ("PYWARD_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL")


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedIndex:
    """The index to ask, and where that choice came from."""

    url: str = field(repr=False)
    """The simple API's base, ending with ``/`` (may hold credentials: not in ``repr``)."""
    origin: str
    """Where it was configured: ``uv.lock``, ``--index-url``, ``PIP_INDEX_URL``,
    ``/etc/pip.conf [global] index-url``..."""
    notes: tuple[str, ...] = ()
    """Settings passed over on the way (not http(s), unreadable files)."""

    @property
    def display_url(self) -> str:
        """``url`` with any credentials replaced by ``***``."""
        return redact_url(self.url)


@dataclass(frozen=True, slots=True, kw_only=True)
class NoIndex:
    """No index is configured anywhere."""

    reason: str = NO_INDEX_REASON
    """What to set."""
    notes: tuple[str, ...] = ()
    """Settings passed over on the way."""


def index_base(value: str) -> str | None:
    """An index URL as recorded or configured -> the simple API's base with a final
    ``/`` (``https://index.invalid/simple`` -> ``https://index.invalid/simple/``);
    ``None`` when it is not an ``http(s)`` URL (a path, a ``file:`` URL, a flat
    find-links directory a lock may record)."""
    text = value.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest.split("/", 1)[0]:
        return None
    # A control character or a space is no part of a URL (a hostile lock: issue 12).
    if any(c.isspace() or not c.isprintable() for c in text):
        return None
    # A project page URL is never recorded as an index; the query and fragment (pip's
    # ``#egg=`` style) are not part of the base.
    text = text.split("#", 1)[0].split("?", 1)[0]
    return text.rstrip("/") + "/"


#: The port a scheme implies, left out of :func:`index_key`.
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def index_key(value: str) -> str | None:
    """What two index URLs are compared by: :func:`index_base` without the credentials
    and the final ``/``, the scheme and host in lower case and the scheme's own port
    left out (``https://tok@Index.Example.invalid:443/simple/`` ->
    ``https://index.example.invalid/simple``); ``None`` when it is not an http(s) URL.
    The path keeps its case: an index may tell ``/Simple`` from ``/simple``."""
    base = index_base(value)
    if base is None:
        return None
    scheme, _, rest = base.partition("://")
    netloc, slash, path = rest.partition("/")
    host = netloc.rsplit("@", 1)[-1].lower()
    name, colon, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if colon and port == _DEFAULT_PORTS.get(scheme.lower()):
        host = name
    return f"{scheme.lower()}://{host}{slash}{path}".rstrip("/")


def resolve_index(
    component: Component | None = None,
    *,
    option: str | None = None,
    environ: Mapping[str, str] | None = None,
    project_dir: Path | None = None,
    home: Path | None = None,
    root: Path | None = None,
    site_prefix: Path | None = None,
) -> ResolvedIndex | NoIndex:
    """The index ``component``'s metadata comes from (see the module's docstring).

    ``environ``: the environment to consult (``{}`` by default); ``project_dir``: where
    the project's ``uv.toml``/``pyproject.toml`` are; ``home``: the user's home;
    ``root``: the file-system root for system files (``/``); ``site_prefix``: the
    environment's ``sys.prefix``. A location left ``None`` is not consulted.
    """
    note: str | None = None
    if component is not None and component.index:
        recorded = _recorded(component)
        if isinstance(recorded, ResolvedIndex):
            return recorded
        note = recorded
    found = configured_index(
        option=option,
        environ=environ,
        project_dir=project_dir,
        home=home,
        root=root,
        site_prefix=site_prefix,
    )
    return found if note is None else _noted(found, note)


def _recorded(component: Component) -> ResolvedIndex | str:
    """The index ``component``'s input records, or the note that passes it over (not an
    http(s) URL). ``component.index`` must be set."""
    recorded = component.index or ""
    where = component.location.file if component.location else "lock file"
    url = index_base(recorded)
    if url is not None:
        return ResolvedIndex(url=url, origin=where)
    return (
        f"{where}: {component.name}: the recorded index {redact_url(recorded)!r} "
        "is not an http(s) URL; passed over"
    )


def _noted(found: ResolvedIndex | NoIndex, *notes: str) -> ResolvedIndex | NoIndex:
    """``found`` with ``notes`` before its own."""
    if isinstance(found, ResolvedIndex):
        return ResolvedIndex(url=found.url, origin=found.origin, notes=(*notes, *found.notes))
    return NoIndex(reason=found.reason, notes=(*notes, *found.notes))


def configured_index(
    *,
    option: str | None = None,
    environ: Mapping[str, str] | None = None,
    project_dir: Path | None = None,
    home: Path | None = None,
    root: Path | None = None,
    site_prefix: Path | None = None,
) -> ResolvedIndex | NoIndex:
    """Steps 2 to 4 of :func:`resolve_index`: the index configured for every project
    without a recorded one (compute it once for a whole inventory)."""
    env = environ or {}
    notes: list[str] = []
    places = _Places(env=env, project_dir=project_dir, home=home, root=root, site=site_prefix)
    for origin, value in _candidates(option, places, notes):
        url = index_base(value)
        if url is not None:
            return ResolvedIndex(url=url, origin=origin, notes=tuple(notes))
        notes.append(f"{origin}: {redact_url(value)!r} is not an http(s) URL; passed over")
    return NoIndex(notes=tuple(notes))


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexPlan:
    """Which index each project of a run is asked of (:meth:`IndexResolver.plan`),
    decided before any index is asked."""

    projects: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    """Index URL (may hold credentials: not in ``repr``) -> the PEP 503 names of the
    projects asked of it, in the order the run met them."""
    unasked: Mapping[str, str] = field(default_factory=dict)
    """Name -> why no index is asked for it (no index configured for its inventory)."""
    notes: tuple[str, ...] = ()
    """What the resolution noticed (settings passed over, a recorded index replaced, a
    name recorded with two indexes), each once."""


class ResolverArgs(TypedDict, total=False):
    """Which index a run asks: the keyword arguments of :class:`IndexResolver`."""

    #: ``--index-url`` / ``[tool.pyward] index-url``.
    option: str | None
    #: The environment consulted for installer settings.
    environ: Mapping[str, str] | None
    #: Where the user's and the system's pip/uv settings are (``None``: not read).
    home: Path | None
    root: Path | None


class IndexResolver:
    """Which index each component of a run comes from, and which one its metadata is
    asked of: :func:`resolve_index` with the run's settings, the configured index
    computed once per project directory (an inventory's file's directory: its
    ``uv.toml`` and ``pyproject.toml`` count) and a recorded index once per project
    directory, recorded URL and input file.

    ``option``: ``--index-url``; ``environ``: the environment to consult; ``home``,
    ``root``: where the user's and the system's pip/uv settings are (``None``: not read).
    """

    def __init__(
        self,
        *,
        option: str | None = None,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
        root: Path | None = None,
    ) -> None:
        self.option = option
        self.environ = environ
        self.home = home
        self.root = root
        self._configured: dict[Path, ResolvedIndex | NoIndex] = {}
        # An inventory's project directory, by its source: one ``stat`` per inventory.
        self._directories: dict[str, Path] = {}
        # (project directory, recorded index, input file) -> the index asked: a lock
        # records the same index for most of its components.
        self._by_record: dict[tuple[Path, str, str], ResolvedIndex | NoIndex] = {}

    def project_dir(self, inventory: Inventory) -> Path:
        """The directory whose installer settings apply to ``inventory``."""
        found = self._directories.get(inventory.source)
        if found is None:
            where = Path(inventory.source)
            found = self._directories[inventory.source] = where if where.is_dir() else where.parent
        return found

    def configured(self, inventory: Inventory) -> ResolvedIndex | NoIndex:
        """The index configured for ``inventory``'s project: what an installer uses for a
        package the input records no index for."""
        project_dir = self.project_dir(inventory)
        if project_dir not in self._configured:
            self._configured[project_dir] = configured_index(
                option=self.option,
                environ=self.environ,
                project_dir=project_dir,
                home=self.home,
                root=self.root,
            )
        return self._configured[project_dir]

    def for_metadata(self, inventory: Inventory, component: Component) -> ResolvedIndex | NoIndex:
        """The index to ask for ``component``'s metadata: the one its input records, else
        the configured one. A recorded index under ``.invalid`` (a lock whose hosts were
        blanked out before it was shared) is replaced by the configured one, with a note."""
        if not component.index:
            return self.configured(inventory)
        where = component.location.file if component.location else "lock file"
        key = (self.project_dir(inventory), component.index, where)
        found = self._by_record.get(key)
        if found is not None:
            return found
        recorded = _recorded(component)
        if isinstance(recorded, str):
            # The note names the component: its answer is its own.
            return self._instead_of_reserved(
                inventory, _noted(self.configured(inventory), recorded)
            )
        found = self._by_record[key] = self._instead_of_reserved(inventory, recorded)
        return found

    def _instead_of_reserved(
        self, inventory: Inventory, found: ResolvedIndex | NoIndex
    ) -> ResolvedIndex | NoIndex:
        if not (isinstance(found, ResolvedIndex) and reserved(found.url)):
            return found
        note = (
            f"{found.origin}: the recorded index {found.display_url} is under .invalid, a "
            "name that never resolves (RFC 2606); the configured index is asked instead"
        )
        fallback = self.configured(inventory)
        if isinstance(fallback, ResolvedIndex):
            return replace(fallback, notes=(*found.notes, note, *fallback.notes))
        return replace(fallback, notes=(*found.notes, *fallback.notes))

    def plan(self, subjects: Iterable[tuple[Inventory, Component]]) -> IndexPlan:
        """Which index each component of ``subjects`` is asked of (:meth:`for_metadata`),
        each project once: a project met again with another index is asked of the first
        one only, with a note."""
        notes: dict[str, None] = {}
        by_index: dict[str, dict[str, None]] = {}
        asked_of: dict[str, str] = {}
        unasked: dict[str, str] = {}
        for inventory, component in subjects:
            key = canonical_name(component.name)
            found = self.for_metadata(inventory, component)
            for note in found.notes:
                notes.setdefault(note)
            if isinstance(found, NoIndex):
                if key not in asked_of:
                    unasked.setdefault(key, found.reason)
                continue
            first = asked_of.setdefault(key, found.url)
            unasked.pop(key, None)
            if first != found.url:
                notes.setdefault(
                    f"{key}: recorded with two indexes; asked {redact_url(first)} only, "
                    f"not {found.display_url}"
                )
                continue
            by_index.setdefault(found.url, {})[key] = None
        return IndexPlan(
            projects={url: tuple(names) for url, names in by_index.items()},
            unasked=unasked,
            notes=tuple(notes),
        )


def reserved(url: str) -> bool:
    """The URL's host is under ``.invalid`` (RFC 2606, RFC 6761 section 6.4): a name that
    never resolves. Asking it would only wait on a lookup that must fail."""
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return host.lower().rstrip(".").endswith(".invalid")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Places:
    env: Mapping[str, str]
    project_dir: Path | None
    home: Path | None
    root: Path | None
    site: Path | None


def _candidates(option: str | None, places: _Places, notes: list[str]) -> Iterator[tuple[str, str]]:
    env, project_dir, home, root = places.env, places.project_dir, places.home, places.root
    if option:
        yield "--index-url", option
    for var in ENV_VARS:
        if env.get(var, "").strip():
            yield var, env[var]
    if env.get("UV_CONFIG_FILE"):
        yield from _uv_file(Path(env["UV_CONFIG_FILE"]), notes, pyproject=False)
    if project_dir is not None:
        yield from _uv_file(project_dir / "uv.toml", notes, pyproject=False)
        yield from _uv_file(project_dir / "pyproject.toml", notes, pyproject=True)
    yield from _pip_files(_pip_config_files(env, home, root, places.site), notes)
    config_home = _config_home(env, home)
    if config_home is not None:
        yield from _uv_file(config_home / "uv" / "uv.toml", notes, pyproject=False)
    for directory in _system_config_dirs(env, root):
        yield from _uv_file(directory / "uv" / "uv.toml", notes, pyproject=False)
    if root is not None:
        yield from _uv_file(root / "etc" / "uv" / "uv.toml", notes, pyproject=False)


def _config_home(env: Mapping[str, str], home: Path | None) -> Path | None:
    if env.get("XDG_CONFIG_HOME", "").startswith("/"):
        return Path(env["XDG_CONFIG_HOME"])
    return home / ".config" if home is not None else None


def _system_config_dirs(env: Mapping[str, str], root: Path | None) -> list[Path]:
    dirs = [Path(d) for d in env.get("XDG_CONFIG_DIRS", "").split(":") if d.startswith("/")]
    if dirs:
        return dirs
    return [root / "etc" / "xdg"] if root is not None else []


def _pip_config_files(
    env: Mapping[str, str], home: Path | None, root: Path | None, site_prefix: Path | None
) -> list[Path]:
    """pip's configuration files, the one that wins first (pip loads global, user,
    site, then ``PIP_CONFIG_FILE``, each over the one before; in each kind, the later
    file over the earlier: ``/etc/pip.conf`` over ``/etc/xdg/pip/pip.conf``, the XDG
    user file over ``~/.pip/pip.conf``)."""
    files: list[Path] = []
    env_file = env.get("PIP_CONFIG_FILE")
    if env_file:
        # pip: PIP_CONFIG_FILE=os.devnull means "load no configuration file at all".
        if env_file == "/dev/null":
            return []
        files.append(Path(env_file))
    if site_prefix is not None:
        files.append(site_prefix / "pip.conf")
    config_home = _config_home(env, home)
    if config_home is not None:
        files.append(config_home / "pip" / "pip.conf")
    if home is not None:
        files.append(home / ".pip" / "pip.conf")
    if root is not None:
        files.append(root / "etc" / "pip.conf")
    files += [d / "pip" / "pip.conf" for d in reversed(_system_config_dirs(env, root))]
    return files


def _pip_files(files: list[Path], notes: list[str]) -> Iterator[tuple[str, str]]:
    parsers: list[tuple[Path, configparser.RawConfigParser]] = []
    for path in files:
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser()
        try:
            from pyward._files import read_capped

            parser.read_string(read_capped(path).decode("utf-8"), source=str(path))
        except (OSError, UnicodeDecodeError, configparser.Error) as exc:
            notes.append(f"{path}: cannot read pip's settings: {' '.join(str(exc).split())}")
            continue
        parsers.append((path, parser))
    # pip reads ``[install]`` over ``[global]`` whichever file each is in.
    for section in ("install", "global"):
        for path, parser in parsers:
            for key in ("index-url", "index_url"):
                if parser.has_option(section, key):
                    yield f"{path} [{section}] {key}", parser.get(section, key)


def _uv_file(path: Path, notes: list[str], *, pyproject: bool) -> Iterator[tuple[str, str]]:
    if not path.is_file():
        return
    from pyward._inventory._toml import load

    try:
        document = load(path)
    except InputError as exc:
        notes.append(f"{exc} (uv settings passed over)")
        return
    prefix = "tool.uv." if pyproject else ""
    table: Any = document
    if pyproject:
        tool = document.get("tool")
        table = tool.get("uv") if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        if table is not None:
            notes.append(
                f"{path}: {prefix.rstrip('.') or 'document'}: not a table (uv settings passed over)"
            )
        return
    indexes = table.get("index")
    if isinstance(indexes, list):
        for i, index in enumerate(indexes):
            if isinstance(index, dict) and index.get("default") is True:
                url = index.get("url")
                if isinstance(url, str):
                    yield f"{path} [[{prefix}index]] default (index[{i}])", url
                else:
                    notes.append(f"{path}: {prefix}index[{i}].url: expected a string")
    for key, value in (
        (f"{prefix}index-url", table.get("index-url")),
        (f"{prefix}pip.index-url", (table.get("pip") or {}).get("index-url")),
    ):
        if isinstance(value, str):
            yield f"{path} {key}", value
