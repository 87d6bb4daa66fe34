"""Publisher pins (trust on first use): the identity each project was verified to be
published by, recorded where PEP 751 puts it, and compared on later runs.

A ``pylock.toml`` keeps them in each package's ``[[packages.attestation-identities]]``
(an entry written by another tool is honoured as written). Any other input keeps them
in :data:`SIDE_FILE` beside it, a small TOML file in the same layout
(docs/provenance.md#pins). :func:`read_pins` reads the pins of an input;
:func:`write_pins` records verified publishers (``pyward provenance --pin``);
:func:`admits` says whether a pinned identity admits a verified publisher.

Where the pins of an input live:

* a ``pylock.toml`` (any input read as PEP 751, ``pylock.NAME.toml`` too): the lock
  itself; when its packages are written as one inline array (``packages = [...]``),
  which cannot be extended by adding text, :data:`SIDE_FILE` beside it (with the
  lock's own entries still honoured);
* any other file: :data:`SIDE_FILE` in the same directory (several locks of one
  directory share it: pins are per project);
* an installed environment: :data:`SIDE_FILE` in the current directory;
* standard input or a pipe: nowhere. It has no pins, and :func:`write_pins` refuses.

The ``pylock.toml`` is edited as text: the new tables are added at the end of the
package's own tables and every other byte stays as written. The result is parsed again
and compared with what was meant before it replaces the file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyward._inventory._toml import Span, loads, read_text, spans
from pyward._model import Inventory, canonical_name
from pyward._provenance._model import INDEX_KINDS, IdentityRecord, Publisher, PublisherKind
from pyward._wire import Table, Wire
from pyward.errors import InputError, UsageError

__all__ = [
    "IDENTITY_KEYS",
    "SIDE_FILE",
    "PinWrite",
    "Pins",
    "admits",
    "quote",
    "read_pins",
    "write_pins",
]

#: The file beside a lock other than ``pylock.toml`` that holds its pins.
SIDE_FILE = "attestation-identities.toml"

#: Per publisher ``kind`` (as the index spells it), the keys that make up the identity:
#: a pinned key outside these (CircleCI's ``vcs_ref``, which names the branch or tag a
#: release ran on) is recorded but never compared.
IDENTITY_KEYS: Mapping[str, tuple[str, ...]] = {
    "GitHub": ("repository", "workflow", "environment"),
    "GitLab": ("repository", "workflow_filepath", "environment"),
    "Google": ("email",),
    "CircleCI": ("project_id", "pipeline_definition_id", "vcs_origin"),
}

#: The reader id of ``pylock.toml`` inputs (``pyward._inventory._pylock.FORMAT``).
_PYLOCK = "pylock.toml"
_SIDE_VERSION = 1
_SIDE_HEADER = (
    "# Publisher identities pinned by `pyward provenance --pin` (docs/provenance.md#pins).\n"
)
_ARRAY = "attestation-identities"

_CANONICAL_KIND = {kind.casefold(): kind for kind in IDENTITY_KEYS}
#: Kinds whose repository slugs the forge treats without regard to case.
_FOLDED = frozenset({"GitHub", "GitLab"})
#: For a publisher known only from its certificate (no provenance object named it):
#: the :class:`Publisher` field that holds a pinned key. A pinned key not here
#: (CircleCI's ``project_id``) cannot be compared and is not admitted.
_FIELD: Mapping[str, str] = {
    "repository": "repository",
    "vcs_origin": "repository",
    "workflow": "workflow",
    "workflow_filepath": "workflow",
    "pipeline_definition_id": "workflow",
    "environment": "environment",
    "email": "identity",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Pins:
    """The pins of one input."""

    path: str
    """The file they are read from (and ``--pin`` writes): the ``pylock.toml`` itself,
    or :data:`SIDE_FILE` beside the input (which need not exist yet); ``""`` for an
    input that can keep none (standard input, a pipe)."""
    identities: Mapping[str, tuple[IdentityRecord, ...]] = field(default_factory=dict)
    """PEP 503 name -> the identities pinned for the project (any of them admits)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PinWrite:
    """What :func:`write_pins` did to one file."""

    path: str
    """The file written (or that would have been, when nothing needed writing)."""
    added: tuple[str, ...] = ()
    """Projects pinned for the first time."""
    kept: tuple[str, ...] = ()
    """Projects whose pins were there already and admit the verified publisher."""
    changed: tuple[str, ...] = ()
    """Projects whose pins were there already and do not admit the verified publisher:
    left as they are (``--repin NAME`` records the new one once a person accepted it)."""
    replaced: tuple[str, ...] = ()
    """Projects re-pinned (``replace``): their old pins removed, the verified publisher
    recorded."""
    note: str | None = None
    """What a person should know: a ``pylock.toml`` whose pins went to
    :data:`SIDE_FILE` instead, projects not in the input."""

    @property
    def written(self) -> bool:
        """Whether the file was written."""
        return bool(self.added or self.replaced)


def admits(pinned: IdentityRecord, publisher: Publisher) -> bool:
    """Whether the pinned identity ``pinned`` admits the verified ``publisher``: the same
    ``kind``, and every identity key (:data:`IDENTITY_KEYS`) the pin sets equal to the
    publisher's record (repositories compare without regard to case on GitHub and
    GitLab). A key the pin leaves out matches anything, so a pin written by another
    tool with fewer keys is honoured as written; a key the pin sets and the publisher
    lacks (an ``environment``) does not match. For a kind pyward does not know, every
    key the pin sets is compared.

    ``publisher.record`` (the provenance object's publisher) is what is compared; a
    publisher with none (a bare attestation) is compared through its fields
    (``repository``, ``workflow``, ``environment``; ``identity`` for ``email``).
    """
    kind = pinned.get("kind")
    if not isinstance(kind, str):
        return False
    known = _CANONICAL_KIND.get(kind.casefold())
    record = publisher.record
    value: Callable[[str], str | None]
    if record is not None:
        if record.get("kind", "").casefold() != kind.casefold():
            return False
        value = record.get
    else:
        if known is None or INDEX_KINDS.get(publisher.kind) != known:
            return False

        def value(key: str) -> str | None:
            name = _FIELD.get(key)
            got: str | None = getattr(publisher, name) if name is not None else None
            return got

    keys = IDENTITY_KEYS[known] if known is not None else [k for k in pinned if k != "kind"]
    for key in keys:
        want = pinned.get(key)
        if want is None:
            continue
        got = value(key)
        if got is None:
            return False
        if key == "repository" and known in _FOLDED:
            if want.casefold() != got.casefold():
                return False
        elif want != got:
            return False
    return True


def read_pins(inventory: Inventory) -> Pins:
    """The pins recorded for ``inventory``'s input (see the module's description for
    where they live). A missing :data:`SIDE_FILE` is no pins; a malformed one, or
    malformed ``attestation-identities`` in a ``pylock.toml``, is an
    :class:`~pyward.errors.InputError` naming the file and the key path."""
    where = _where(inventory)
    if where is None:
        return Pins(path="")
    if isinstance(where, _Pylock):
        found = where.read()
        if not where.inline:
            return Pins(path=str(where.path), identities=found)
        side = _read_side(where.side)
        return Pins(path=str(where.side), identities=_union(found, side))
    return Pins(path=str(where), identities=_read_side(where))


def write_pins(
    inventory: Inventory,
    verified: Mapping[str, tuple[IdentityRecord, ...]],
    *,
    replace: Iterable[str] = frozenset(),
) -> PinWrite:
    """Record ``verified`` (PEP 503 name -> the publisher records its artifacts verified
    for) as the pins of ``inventory``'s input, atomically. A project already pinned keeps
    its pins (a changed publisher is never re-pinned silently) unless it is named in
    ``replace`` (``--repin NAME``, after a person accepted the change): then its old
    pins are removed and the verified publisher recorded.

    A file is written only when something is added or replaced. Raises
    :class:`~pyward.errors.UsageError` for an input that can keep no pins (standard
    input, a pipe) and :class:`~pyward.errors.InputError` for a malformed pin file.
    """
    records = {canonical_name(name): _checked(recs) for name, recs in verified.items()}
    records = {name: recs for name, recs in records.items() if recs}
    repin = frozenset(canonical_name(name) for name in replace)
    where = _where(inventory)
    if where is None:
        raise UsageError(
            f"{inventory.source}: an input read from standard input or a pipe has no place "
            f"for pins; give the lock file's path to pin its publishers"
        )
    if isinstance(where, _Pylock):
        return where.write(records, repin)
    return _write_side(where, records, repin)


# -- where the pins of an input live -------------------------------------------------------


def _where(inventory: Inventory) -> _Pylock | Path | None:
    """The pylock to edit, the side file, or ``None`` for an input without a place."""
    source = inventory.source
    if inventory.format == "environment":
        return Path(SIDE_FILE)
    if source in ("", "-"):
        return None
    path = Path(source)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        return None  # a pipe, a socket, a terminal: read once, nowhere to write back
    if inventory.format == _PYLOCK:
        return _Pylock(path)
    return path.parent / SIDE_FILE


def _checked(records: Iterable[IdentityRecord]) -> tuple[IdentityRecord, ...]:
    """``records`` without duplicates; each must name its ``kind``."""
    out: dict[tuple[tuple[str, str], ...], IdentityRecord] = {}
    for record in records:
        kind = record.get("kind")
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"a publisher record without a kind: {dict(record)!r}")
        out.setdefault(tuple(sorted(record.items())), dict(record))
    return tuple(out.values())


def _union(
    *groups: Mapping[str, tuple[IdentityRecord, ...]],
) -> dict[str, tuple[IdentityRecord, ...]]:
    out: dict[str, list[IdentityRecord]] = {}
    for group in groups:
        for name, records in group.items():
            have = out.setdefault(name, [])
            have.extend(r for r in records if r not in have)
    return {name: tuple(records) for name, records in out.items()}


def _as_publisher(record: IdentityRecord) -> Publisher:
    """A verified publisher record as the :class:`Publisher` :func:`admits` compares."""
    kind = record.get("kind", "").casefold()
    found: PublisherKind = next(
        (k for k, spelled in INDEX_KINDS.items() if spelled.casefold() == kind), "other"
    )
    return Publisher(kind=found, record=record)


def _decide(
    name: str,
    pinned: tuple[IdentityRecord, ...],
    verified: tuple[IdentityRecord, ...],
    repin: frozenset[str],
) -> str:
    """``added``, ``replaced``, ``kept`` or ``changed`` for one project."""
    if name in repin:
        return "replaced" if pinned else "added"
    if not pinned:
        return "added"
    ok = all(any(admits(p, _as_publisher(v)) for p in pinned) for v in verified)
    return "kept" if ok else "changed"


def _outcome(path: Path, decisions: Mapping[str, str], note: str | None = None) -> PinWrite:
    def named(what: str) -> tuple[str, ...]:
        return tuple(sorted(n for n, d in decisions.items() if d == what))

    return PinWrite(
        path=str(path),
        added=named("added"),
        kept=named("kept"),
        changed=named("changed"),
        replaced=named("replaced"),
        note=note,
    )


# -- reading identities ------------------------------------------------------------------


def _identities(owner: Table, key: str) -> tuple[IdentityRecord, ...]:
    """The identity tables of the array ``owner[key]``: each with a ``kind`` string,
    every other value a string."""
    out: list[IdentityRecord] = []
    for table in owner.tables(key):
        table.string("kind")
        for name, value in table.data.items():
            if type(value) is not str:
                table.required(name, str)
        out.append(dict(table.data))
    return tuple(out)


def _read_side(path: Path) -> dict[str, tuple[IdentityRecord, ...]]:
    """The pins of :data:`SIDE_FILE` ``path``; ``{}`` when it does not exist."""
    if not path.exists():
        return {}
    text = read_text(path)
    top = Wire(str(path)).table(loads(text, path), "")
    version = top.required("version", int)
    if version != _SIDE_VERSION:
        raise top.error(
            "version",
            f"unsupported version {version} (this pyward reads version {_SIDE_VERSION})",
        )
    found: dict[str, tuple[IdentityRecord, ...]] = {}
    for package in top.tables("packages"):
        name = canonical_name(package.string("name"))
        found = _union(found, {name: _identities(package, _ARRAY)})
    return {name: records for name, records in found.items() if records}


# -- the side file ---------------------------------------------------------------------


def _write_side(
    path: Path,
    verified: Mapping[str, tuple[IdentityRecord, ...]],
    repin: frozenset[str],
    *,
    fixed: Mapping[str, tuple[IdentityRecord, ...]] | None = None,
    fixed_in: Path | None = None,
    note: str | None = None,
) -> PinWrite:
    """Record ``verified`` in the side file ``path``. ``fixed``: pins kept in the file
    ``fixed_in`` (a ``pylock.toml`` pyward cannot edit), which count as pinned and
    cannot be replaced from here."""
    from pyward._atomic import write_atomic

    fixed = fixed or {}
    stuck = sorted(n for n in repin if fixed.get(n) and n in verified)
    if stuck:
        raise UsageError(
            f"{fixed_in}: the pins of {', '.join(stuck)} are written in the lock itself, "
            f"whose packages are one inline array pyward does not edit; change them there"
        )
    pins = _read_side(path)
    decisions: dict[str, str] = {}
    for name, records in verified.items():
        decision = _decide(name, _union(pins, fixed).get(name, ()), records, repin)
        decisions[name] = decision
        if decision in ("added", "replaced"):
            pins[name] = records
    result = _outcome(path, decisions, note)
    if result.written:
        write_atomic(path, _side_text(pins).encode("utf-8"))
    return result


def _side_text(pins: Mapping[str, Iterable[IdentityRecord]]) -> str:
    """The text of a :data:`SIDE_FILE` holding ``pins``: projects sorted by name, each
    identity with ``kind`` first, then its kind's identity keys, then the rest sorted."""
    out = [_SIDE_HEADER, f"version = {_SIDE_VERSION}\n"]
    for name in sorted(pins):
        out.append(f"\n[[packages]]\nname = {quote(name)}\n")
        for record in pins[name]:
            out.append("\n" + _table("packages." + _ARRAY, record, "", "\n"))
    return "".join(out)


# -- TOML text ---------------------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def quote(value: str) -> str:
    """``value`` as a TOML basic string (https://toml.io/en/v1.0.0#string): quotes and
    backslashes escaped, control characters as their short escape or ``\\uXXXX``; any
    other character (non-ASCII too) as it is."""

    def escape(m: re.Match[str]) -> str:
        char = m.group()
        return _ESCAPES.get(char) or f"\\u{ord(char):04X}"

    return '"' + _NEEDS_ESCAPE.sub(escape, value) + '"'


def _key(name: str) -> str:
    """A TOML key: bare when it can be, else quoted."""
    return name if _BARE.fullmatch(name) else quote(name)


def _ordered(record: IdentityRecord) -> list[tuple[str, str]]:
    """``kind`` first, then the kind's identity keys in :data:`IDENTITY_KEYS`' order,
    then any other key sorted: the same record always gives the same text."""
    kind = record["kind"]
    known = IDENTITY_KEYS.get(_CANONICAL_KIND.get(kind.casefold(), ""), ())
    rest = sorted(k for k in record if k != "kind" and k not in known)
    keys = ["kind", *(k for k in known if k in record), *rest]
    return [(k, record[k]) for k in keys]


def _table(header: str, record: IdentityRecord, indent: str, eol: str) -> str:
    """One ``[[HEADER]]`` table holding ``record``."""
    lines = [f"{indent}[[{header}]]"]
    lines.extend(f"{indent}{_key(k)} = {quote(v)}" for k, v in _ordered(record))
    return eol.join(lines) + eol


# -- the pylock.toml -----------------------------------------------------------------------


#: A ``[[packages]]`` header at the start of a line (TOML allows blanks inside the
#: brackets and a quoted key).
_PACKAGES_HEADER = re.compile(
    r"""^[ \t]*\[\[[ \t]*(?:packages|"packages"|'packages')[ \t]*\]\]""", re.MULTILINE
)


class _Pylock:
    """A ``pylock.toml``: its pins, and adding to them by editing its text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.side = path.parent / SIDE_FILE
        text = read_text(path)
        self.text = text
        self.data = loads(text, path)
        # Packages written as one inline array (``packages = [...]``): no table can be
        # added to them as text, so their pins go to the side file.
        self.inline = bool(self.data.get("packages")) and not _PACKAGES_HEADER.search(text)

    def packages(self) -> list[tuple[str, Table]]:
        """(PEP 503 name, table) of every package."""
        top = Wire(str(self.path)).table(self.data, "")
        return [(canonical_name(p.string("name")), p) for p in top.tables("packages")]

    def read(self) -> dict[str, tuple[IdentityRecord, ...]]:
        """The lock's own pins: the union of its packages' ``attestation-identities``
        (an empty array pins nothing: ``--pin`` replaces it)."""
        found: dict[str, tuple[IdentityRecord, ...]] = {}
        for name, package in self.packages():
            if _ARRAY in package.data:
                found = _union(found, {name: _identities(package, _ARRAY)})
        return {name: records for name, records in found.items() if records}

    def write(
        self, verified: Mapping[str, tuple[IdentityRecord, ...]], repin: frozenset[str]
    ) -> PinWrite:
        """Add the pins of ``verified`` to the lock (or, when its layout cannot be
        edited, to the side file beside it)."""
        from pyward._atomic import write_atomic

        packages = self.packages()
        pinned = self.read()
        present = {name for name, _ in packages}
        missing = sorted(set(verified) - present)
        note = f"not in {self.path}, not pinned: {', '.join(missing)}" if missing else None
        verified = {n: r for n, r in verified.items() if n in present}
        if self.inline:
            return self._write_beside(verified, repin, pinned, note)
        decisions = {
            name: _decide(name, pinned.get(name, ()), records, repin)
            for name, records in verified.items()
        }
        result = _outcome(self.path, decisions, note)
        if not result.written:
            return result
        # Walked only now, to write: the walk costs more than everything else here.
        layout = _by_package(spans(self.text))
        if layout is None or len(layout) != len(packages):
            return self._write_beside(verified, repin, pinned, note)
        pins = {n: verified[n] for n, d in decisions.items() if d in ("added", "replaced")}
        text = _edited(self.text, packages, layout, pins)
        expected = dict(self.data)
        expected["packages"] = [
            {**p.data, _ARRAY: [dict(r) for r in pins[name]]} if name in pins else p.data
            for name, p in packages
        ]
        _check_edit(self.path, text, expected)
        write_atomic(self.path, text.encode("utf-8"))
        return result

    def _write_beside(
        self,
        verified: Mapping[str, tuple[IdentityRecord, ...]],
        repin: frozenset[str],
        pinned: Mapping[str, tuple[IdentityRecord, ...]],
        note: str | None,
    ) -> PinWrite:
        """Record the pins in the side file: the lock's packages are one inline array."""
        fallback = (
            f"{self.path} writes its packages as one inline array, which pyward does not "
            f"edit: pins written to {self.side}"
        )
        return _write_side(
            self.side,
            verified,
            repin,
            fixed=pinned,
            fixed_in=self.path,
            note=fallback if note is None else f"{fallback}; {note}",
        )


def _by_package(layout: list[Span]) -> dict[int, list[Span]] | None:
    """The spans of each ``[[packages]]`` table (and its sub-tables), by index; ``None``
    when the packages are an inline array."""
    by_package: dict[int, list[Span]] = {}
    for span in layout:
        if span.path == ("packages",) and not span.header:
            return None
        if len(span.path) >= 2 and span.path[0] == "packages" and type(span.path[1]) is int:
            by_package.setdefault(span.path[1], []).append(span)
    return by_package


def _edited(
    text: str,
    packages: list[tuple[str, Table]],
    layout: Mapping[int, list[Span]],
    pins: Mapping[str, tuple[IdentityRecord, ...]],
) -> str:
    """``text`` with ``pins`` written in each ``[[packages]]`` table of their projects
    (replacing the ones there); every other byte as it was."""
    eol = "\r\n" if "\r\n" in text else "\n"
    edits: list[tuple[int, int, str]] = []
    for i, (name, _) in enumerate(packages):
        if name not in pins:
            continue
        own = layout[i]
        header = own[0]
        line_start = text.rfind("\n", 0, header.start) + 1
        indent = text[line_start : header.start]
        tables = "".join(
            (eol if j else "") + _table(f"packages.{_ARRAY}", record, indent, eol)
            for j, record in enumerate(pins[name])
        )
        old = [s for s in own if len(s.path) > 2 and s.path[2] == _ARRAY]
        runs = _runs(own, old)
        # A run of [[packages.attestation-identities]] tables is replaced in place; an
        # inline ``attestation-identities = [...]`` is removed and the tables added at
        # the end (a header in its place would take the keys after it).
        in_place = next((run for run in runs if run[0].header), None)
        for run in runs:
            start, end = _lines(text, run[0].start, run[-1].end)
            edits.append((start, end, tables if run is in_place else ""))
        if in_place is None:
            last = max(s.end for s in own)
            _, end = _lines(text, last, last)
            lead = "" if text.endswith("\n") or end < len(text) else eol
            edits.append((end, end, lead + eol + tables))
    edits.sort(key=lambda e: (e[0], e[1]))
    out: list[str] = []
    pos = 0
    for start, end, new in edits:
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _runs(own: list[Span], old: list[Span]) -> list[list[Span]]:
    """``old`` (spans of the package ``own``) in runs of spans next to each other."""
    runs: list[list[Span]] = []
    previous = -2
    for index, span in enumerate(own):
        if span not in old:
            continue
        if index == previous + 1 and runs:
            runs[-1].append(span)
        else:
            runs.append([span])
        previous = index
    return runs


def _lines(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole lines from the one holding ``start`` to the one holding ``end``, with
    that line's end of line (and any comment after the value)."""
    first = text.rfind("\n", 0, start) + 1
    newline = text.find("\n", end)
    return first, (len(text) if newline < 0 else newline + 1)


def _check_edit(path: Path, text: str, expected: Mapping[str, Any]) -> None:
    """Parse the edited ``text`` and hold it to ``expected``, the document as it was
    but for the pins written. A layout the edit got wrong stops here, before the file
    is replaced."""
    try:
        after: dict[str, Any] | None = loads(text, path)
    except InputError:
        after = None
    if after != expected:
        raise InputError(
            path,
            "cannot add attestation-identities to this file's layout without changing "
            "other values; nothing was written (please report this)",
        )
