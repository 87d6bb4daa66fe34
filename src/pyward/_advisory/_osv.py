"""Validate OSV records (https://ossf.github.io/osv-schema/) into :class:`Advisory`.

The wire format is parsed (JSON or YAML) elsewhere; this module checks the shape and
the values the matcher depends on, at the boundary, and raises :class:`RecordError`
naming the file, the record id and the key path of the first bad value.

Only ``PyPI`` affected entries are kept in the :class:`Advisory` (a record may name
several ecosystems); the record itself is stored unchanged for ``record(id)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal, cast

from pyward._advisory._match import UnparseableEvent, short, sort_events, too_long
from pyward._advisory._types import (
    Advisory,
    AdvisoryId,
    Affected,
    Event,
    EventKind,
    Range,
    Severity,
)
from pyward._model import canonical_name
from pyward._wire import GOT_TYPE, Wire, parse_int, shown
from pyward.errors import InputError

#: The newest OSV schema minor version this reader knows; newer minors of major 1 are
#: read (they only add optional fields), a newer major is refused.
KNOWN_SCHEMA = (1, 7)

_EVENT_KINDS: tuple[EventKind, ...] = ("introduced", "fixed", "last_affected", "limit")
_RANGE_TYPES = ("ECOSYSTEM", "SEMVER", "GIT")
#: YAML aliases a record may use. OSV records need none; each alias can repeat a whole
#: subtree, so a few nested ones make a small file expand without bound (a "billion
#: laughs": https://en.wikipedia.org/wiki/Billion_laughs_attack). With this budget a
#: record expands at most about e**(8/e), some 19 times (issue 12).
MAX_YAML_ALIASES = 8

#: ``Mapping`` as the type a value is checked against (mypy refuses an abstract class
#: where a ``type`` is expected).
_VERSION = "expected a version string, got {value}"
_OBJECT = cast("type[Mapping[str, Any]]", Mapping)


class RecordError(InputError):
    """One OSV record cannot be read; the update skips it and counts it."""

    def __init__(self, file: str | None, what: str, record_id: str | None, path: str = "") -> None:
        where = " ".join(p for p in (record_id, path) if p) or None
        super().__init__(file, what, where=where)
        self.record_id = record_id


def is_pypi(ecosystem: object) -> bool:
    """``PyPI``, or ``PyPI:<suffix>`` (OSV allows an ecosystem suffix)."""
    return isinstance(ecosystem, str) and (ecosystem == "PyPI" or ecosystem.startswith("PyPI:"))


def schema_major_minor(value: object) -> tuple[int, int] | None:
    """``"1.6.0"`` -> ``(1, 6)``; ``None`` when the field is absent or unreadable."""
    if not isinstance(value, str):
        return None
    parts = value.split(".")
    major = parse_int(parts[0])
    minor = parse_int(parts[1]) if len(parts) > 1 else 0
    return None if major is None or minor is None else (major, minor)


def parse_advisory(data: object, *, file: str | None = None) -> Advisory:
    """Validate one OSV record. Raises :class:`RecordError` on the first bad value."""

    def anonymous(path: str, what: str) -> RecordError:
        return RecordError(file, what, None, path)

    unnamed = Wire(file, GOT_TYPE, anonymous)
    data = unnamed.check(data, _OBJECT, "", what="not an OSV record (a {found}, not an object)")
    rid = unnamed.text(data.get("id"), "id", what="missing", empty="missing")

    def fail(path: str, what: str) -> RecordError:
        return RecordError(file, what, rid, path)

    w = Wire(file, GOT_TYPE, fail)

    schema = data.get("schema_version")
    if schema is not None:
        mm = schema_major_minor(schema)
        if mm is None:
            raise fail("schema_version", f"unreadable version {shown(schema)}")
        if mm[0] != KNOWN_SCHEMA[0]:
            raise fail("schema_version", f"unsupported OSV schema major version {shown(schema)}")
    modified = w.text(
        data.get("modified"), "modified", what="missing", empty="missing", strip=False
    )

    def opt_str(key: str) -> str | None:
        return w.opt(data.get(key), str, "", key)

    def str_list(value: object, path: str) -> tuple[str, ...]:
        return tuple(w.items(value, path, of=str))

    def mapping(value: object, path: str) -> Mapping[str, Any]:
        return w.opt(value, _OBJECT, path) or {}

    def obj_list(value: object, path: str) -> list[Mapping[str, Any]]:
        return w.items(value, path, of=_OBJECT)

    severities = []
    for i, sev in enumerate(obj_list(data.get("severity"), "severity")):
        s_type, s_score = sev.get("type"), sev.get("score")
        if not isinstance(s_type, str) or not isinstance(s_score, str):
            raise fail(f"severity[{i}]", "needs string 'type' and 'score'")
        severities.append(Severity(type=s_type, score=s_score))

    # A bound or listed version that cannot be used is left out with a note, never the
    # whole record: the ranges that parse still match (issue 11 item 9: PYSEC-2021-371's
    # ``fixed: 0.2.0-n653`` dropped the record, and its other range with it).
    notes: list[str] = []
    affected: list[Affected] = []
    for i, entry in enumerate(obj_list(data.get("affected"), "affected")):
        path = f"affected[{i}]"
        package = mapping(entry.get("package"), f"{path}.package")
        ecosystem = package.get("ecosystem")
        name = package.get("name")
        if not is_pypi(ecosystem):
            continue  # other ecosystems: stored in the record, not indexed
        name = w.text(name, f"{path}.package", "name", what="missing", empty="missing", strip=False)
        ranges: list[Range] = []
        for j, rng in enumerate(obj_list(entry.get("ranges"), f"{path}.ranges")):
            rpath = f"{path}.ranges[{j}]"
            r_type = rng.get("type")
            if r_type not in _RANGE_TYPES:
                raise fail(f"{rpath}.type", f"unknown range type {shown(r_type)}")
            raw_events = obj_list(rng.get("events"), f"{rpath}.events")
            if not raw_events:
                raise fail(f"{rpath}.events", "empty")
            events: list[Event] = []
            for k, ev in enumerate(raw_events):
                epath = f"{rpath}.events[{k}]"
                keys: list[EventKind] = [k for k in _EVENT_KINDS if k in ev]
                if len(keys) != 1:
                    raise fail(
                        epath, "needs exactly one of introduced, fixed, last_affected, limit"
                    )
                kind: EventKind = keys[0]
                value = w.text(
                    ev[kind],
                    epath,
                    kind,
                    what=_VERSION,
                    missing=_VERSION,
                    empty=_VERSION,
                    strip=False,
                )
                events.append(Event(kind=kind, value=value))
            if r_type != "GIT":
                if not any(e.kind == "introduced" for e in events):
                    raise fail(f"{rpath}.events", "no 'introduced' event")
                usable = _usable_events(events, f"{rid}: {rpath}.events", notes)
                if usable is None:
                    continue
                events = usable
            repo = rng.get("repo")
            ranges.append(
                Range(
                    type=cast(Literal["ECOSYSTEM", "SEMVER", "GIT"], r_type),
                    events=tuple(events),
                    repo=repo if isinstance(repo, str) else None,
                )
            )
        versions = str_list(entry.get("versions"), f"{path}.versions")
        # Scanned in C (``all``, one joined text): lists run to hundreds of versions.
        if not all(versions) or "\n" in "".join(versions):
            notes.extend(
                f"{rid}: {path}.versions[{k}]: not a version: {short(listed)}; skipped"
                for k, listed in enumerate(versions)
                if not listed or "\n" in listed
            )
            versions = tuple(v for v in versions if v and "\n" not in v)
        affected.append(
            Affected(
                name=canonical_name(name),
                ecosystem=cast(str, ecosystem),
                ranges=tuple(ranges),
                versions=versions,
                ecosystem_specific=mapping(
                    entry.get("ecosystem_specific"), f"{path}.ecosystem_specific"
                ),
                database_specific=mapping(
                    entry.get("database_specific"), f"{path}.database_specific"
                ),
            )
        )

    references = []
    for i, ref in enumerate(obj_list(data.get("references"), "references")):
        references.append({str(k): str(v) for k, v in ref.items() if isinstance(v, str)})
        if "url" not in references[-1]:
            raise fail(f"references[{i}].url", "missing")

    return Advisory(
        id=AdvisoryId(rid),
        modified=modified,
        published=opt_str("published"),
        withdrawn=opt_str("withdrawn"),
        aliases=str_list(data.get("aliases"), "aliases"),
        upstream=str_list(data.get("upstream"), "upstream"),
        related=str_list(data.get("related"), "related"),
        summary=opt_str("summary"),
        details=opt_str("details"),
        severity=tuple(severities),
        affected=tuple(affected),
        references=tuple(references),
        credits=tuple(obj_list(data.get("credits"), "credits")),
        database_specific=mapping(data.get("database_specific"), "database_specific"),
        schema_version=opt_str("schema_version"),
        notes=tuple(notes),
    )


def _usable_events(events: list[Event], where: str, notes: list[str]) -> list[Event] | None:
    """The events of an ``ECOSYSTEM``/``SEMVER`` range sorted for evaluation, or ``None``
    (with a note naming the value) when one of its versions cannot be compared: the
    range is skipped whole, and the record's other ranges and ``versions`` list still
    match (issue 11 item 9). Dropping only the bad event would change what the range
    says: without its ``fixed`` bound it would never close, and every later release
    would be reported as affected."""
    try:
        return sort_events(events)
    except UnparseableEvent as exc:
        bad = events[exc.index]
        problem = (
            "a number too long to compare in version"
            if too_long(bad.value)
            else "not a PEP 440 version:"
        )
        notes.append(
            f"{where}[{exc.index}].{bad.kind}: {problem} {short(bad.value)}; range skipped"
        )
        return None


def load_document(name: str, payload: bytes, *, file: str | None = None) -> object:
    """Parse the bytes of one record file: JSON, or YAML for ``.yaml``/``.yml`` names.

    Raises :class:`RecordError` naming the file (and the line, for YAML) when the text
    is not valid.
    """
    label = file or name
    if name.endswith((".yaml", ".yml")):
        import yaml

        try:
            _check_aliases(payload, label)
            # _yaml_loader() is a SafeLoader subclass (no Python objects built):
            data = yaml.load(payload, Loader=_yaml_loader())  # noqa: S506 # nosec B506
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else None
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise RecordError(label, f"invalid YAML: {problem}", None, where or "") from None
        except RecursionError:
            raise RecordError(label, "invalid YAML: nested too deeply", None) from None
        except ValueError:
            # PyYAML's int() of a decimal integer over Python's 4300-digit limit
            # (https://docs.python.org/3/library/stdtypes.html#int-max-str-digits).
            raise RecordError(label, "invalid YAML: an integer too long", None) from None
        _check_json_data(data, label)
        return data
    import orjson

    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise RecordError(label, f"invalid JSON: {exc}", None) from None


def _check_aliases(payload: bytes, label: str) -> None:
    """Refuse a document with more than :data:`MAX_YAML_ALIASES` aliases before it is
    built: the event stream is as long as the text, the built value may not be."""
    # An alias is written ``*name``: a text without ``*`` has none (the usual case).
    if b"*" not in payload:
        return
    import yaml

    aliases = 0
    for event in yaml.parse(payload, Loader=_yaml_loader()):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                mark = event.start_mark
                where = f"line {mark.line + 1}" if mark is not None else ""
                raise RecordError(
                    label,
                    f"invalid YAML: more than {MAX_YAML_ALIASES} aliases (OSV records need none)",
                    None,
                    where,
                )


def _check_json_data(data: object, label: str) -> None:
    """A YAML record must hold only what JSON can (the store keeps records as JSON):
    string keys, and no binary, set or out-of-range integer values."""
    import orjson

    try:
        orjson.dumps(data)
    except TypeError as exc:
        rid = data.get("id") if isinstance(data, dict) else None
        raise RecordError(
            label,
            f"not an OSV record: a value JSON cannot hold ({exc})",
            rid if isinstance(rid, str) else None,
        ) from None


@lru_cache(maxsize=1)
def _yaml_loader() -> type:
    """PyYAML's safe loader (the C one when built) without the timestamp resolver:
    OSV timestamps must stay the strings the record wrote (``modified`` is compared
    and served as written), not become ``datetime`` objects."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        first: [(tag, rx) for tag, rx in entries if tag != "tag:yaml.org,2002:timestamp"]
        for first, entries in base.yaml_implicit_resolvers.items()
    }
    return type("_OsvLoader", (base,), {"yaml_implicit_resolvers": resolvers})
