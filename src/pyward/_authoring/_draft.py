"""A draft OSV record from command-line options, a TOML file, or answers to prompts.

The inputs are read into a :class:`DraftSpec` (every value with the place it came from:
``--fixed`` or ``ranges[1].fixed``), checked into a :class:`Draft` by :func:`check_spec`
(one error at the first bad value, naming that place), and written as an OSV record by
:meth:`Draft.record` with the affected versions computed from the project's release
list (:mod:`._versions`).

Choices (docs/advisories.md, "Writing a draft"):

* The id is a placeholder, ``PYSEC-0000-DRAFT`` unless ``--id`` gives one: the PyPA
  advisory database names a new record ``PYSEC-0000-<anything>`` and its automation
  assigns the real id, as ``pyward advisory publish`` does. The placeholder is the
  draft's only marker: nothing else has to be removed when it is published.
* Ranges: ``introduced``/``fixed`` pairs in one ``ECOSYSTEM`` range, as the PyPA
  records write them; pairs closed by ``last_affected`` in a second range (the OSV
  schema forbids ``fixed`` and ``last_affected`` in one range). A bound with no
  ``introduced`` before it, first of all, is from the first version (``"0"``).
* CWE ids go in ``database_specific.cwe_ids``, where the GitHub and PSF records keep them.
* CVSS vectors are validated and scored with the audit's own code
  (:func:`pyward._advisory._cvss.base_score`) and written in the ``cvss`` library's
  canonical metric order (the OSV schema's CVSS v4 pattern wants that order).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pyward._authoring._versions import affected_versions, pep440_sorted, released_version
from pyward._findings import REFERENCE_TYPES
from pyward._wire import format_rfc3339
from pyward.errors import InputError, PywardError, UsageError

__all__ = [
    "CREDIT_TYPES",
    "PLACEHOLDER_ID",
    "REFERENCE_TYPES",
    "SCHEMA_VERSION",
    "Draft",
    "DraftSpec",
    "Given",
    "ask_missing",
    "check_spec",
    "render",
    "spec_from_toml",
]

#: The OSV schema version drafts are written in: the newest the bundled schema and the
#: store's reader (:data:`pyward._advisory._osv.KNOWN_SCHEMA`) know.
SCHEMA_VERSION = "1.7.0"
#: The id of a draft (PyPA's ``PYSEC-0000-<anything>`` convention for a new record).
PLACEHOLDER_ID = "PYSEC-0000-DRAFT"
#: OSV's ``credits[].type`` values.
CREDIT_TYPES = (
    "FINDER",
    "REPORTER",
    "ANALYST",
    "COORDINATOR",
    "REMEDIATION_DEVELOPER",
    "REMEDIATION_REVIEWER",
    "REMEDIATION_VERIFIER",
    "TOOL",
    "SPONSOR",
    "OTHER",
)
#: ``--cvss`` prefixes and their OSV ``severity[].type``.
CVSS_PREFIXES = {"CVSS:3.1/": "CVSS_V3", "CVSS:4.0/": "CVSS_V4"}

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.]*(-[A-Za-z0-9._]+)+")
_CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_GHSA = re.compile(r"GHSA(-[23456789cfghjmpqrvwx]{4}){3}")
_CWE = re.compile(r"CWE-[1-9][0-9]*")
# PEP 508 names (https://packaging.python.org/en/latest/specifications/name-normalization/).
_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
_OPTION = {"introduced": "--introduced", "fixed": "--fixed", "last_affected": "--last-affected"}
_TOML_KEYS = {
    "id",
    "package",
    "ecosystem",
    "summary",
    "details",
    "details-file",
    "aliases",
    "cwe",
    "cvss",
    "ranges",
    "references",
    "credits",
    "versions-from",
}


@dataclass(frozen=True, slots=True)
class Given:
    """One value as the author gave it, and where: ``--fixed``, ``ranges[1].fixed``."""

    value: str
    """The value, as written."""
    where: str
    """The option or the key path that gave it."""

    @property
    def label(self) -> str:
        """``--fixed '1.2'``: how an error names it."""
        shown = self.value if len(self.value) <= 60 else self.value[:60] + "..."
        return f"{self.where} {shown!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditSpec:
    """One ``--credit`` or ``[[credits]]`` entry."""

    type: Given
    """The OSV credit type, as written."""
    name: Given
    """Who is credited."""
    contacts: tuple[Given, ...] = ()
    """URLs (``mailto:``, ``https:``) or bare e-mail addresses."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftSpec:
    """What the author gave, unchecked."""

    file: Path | None = None
    """The TOML file it came from; ``None``: the command line or prompts."""
    id: Given | None = None
    """``--id`` (``None``: the placeholder)."""
    package: Given | None = None
    """The affected project, as written."""
    ecosystem: Given | None = None
    """``None``: ``PyPI``."""
    summary: Given | None = None
    """One line."""
    details: Given | None = None
    """Markdown (a ``details-file``'s text)."""
    events: tuple[tuple[str, Given], ...] = ()
    """``(kind, value)`` in the order given: ``introduced``, ``fixed``, ``last_affected``."""
    cvss: tuple[Given, ...] = ()
    """CVSS vectors."""
    cwe: tuple[Given, ...] = ()
    """CWE ids."""
    references: tuple[tuple[Given, Given], ...] = ()
    """``(type, url)`` pairs."""
    aliases: tuple[Given, ...] = ()
    """Other ids of the vulnerability."""
    credits: tuple[CreditSpec, ...] = ()
    """Who is credited, in order."""
    versions_from: Path | None = None
    """``versions-from`` of the TOML file (relative to it)."""

    def fail(self, given: Given, what: str) -> PywardError:
        """The error for a bad value: :class:`UsageError` for an option (``--fixed '1.0':
        WHAT``), :class:`InputError` naming the file and key for a TOML value."""
        if self.file is not None:
            return InputError(self.file, what, where=given.label)
        return UsageError(f"{given.label}: {what}")

    @property
    def missing(self) -> tuple[str, ...]:
        """The required fields not given: ``package``, ``summary``, ``ranges``."""
        out = []
        if self.package is None:
            out.append("package")
        if self.summary is None:
            out.append("summary")
        if not self.events:
            out.append("ranges")
        return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """A CVSS vector's base score."""

    type: str
    """``CVSS_V3`` or ``CVSS_V4``."""
    vector: str
    """In canonical metric order."""
    score: float
    """The base score."""

    @property
    def rating(self) -> str:
        """The qualitative rating (CVSS v3.1 and v4.0 share the scale)."""
        if self.score == 0:
            return "none"
        if self.score < 4:
            return "low"
        if self.score < 7:
            return "medium"
        if self.score < 9:
            return "high"
        return "critical"


@dataclass(frozen=True, slots=True, kw_only=True)
class Pair:
    """One affected interval: ``introduced`` up to a ``fixed`` or ``last_affected``."""

    introduced: Given | None
    """``None``: from the first version (``"0"``)."""
    kind: str | None
    """``fixed``, ``last_affected``, or ``None`` (no fix)."""
    bound: Given | None
    """The closing version."""

    @property
    def introduced_label(self) -> str:
        """How an error names the opening bound."""
        return self.introduced.label if self.introduced else "introduced '0'"

    @property
    def bound_label(self) -> str:
        """How an error names the closing bound."""
        return self.bound.label if self.bound else "no fix"

    def events(self) -> list[dict[str, str]]:
        """The OSV events of this interval."""
        out = [{"introduced": self.introduced.value if self.introduced else "0"}]
        if self.kind is not None and self.bound is not None:
            out.append({self.kind: self.bound.value})
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """A checked draft: everything but the versions and the dates."""

    id: str
    """The record's id (:data:`PLACEHOLDER_ID` by default)."""
    package: str
    """PEP 503 normalised."""
    ecosystem: str
    """``PyPI`` or ``PyPI:<suffix>``."""
    summary: str | None
    """One line."""
    details: str | None
    """Markdown."""
    pairs: tuple[Pair, ...]
    """The affected intervals, in version order."""
    scores: tuple[Score, ...] = ()
    """The CVSS vectors, scored."""
    cwe_ids: tuple[str, ...] = ()
    """``CWE-79``..., without duplicates."""
    references: tuple[dict[str, str], ...] = ()
    """OSV reference objects."""
    aliases: tuple[str, ...] = ()
    """Other ids, without duplicates."""
    credits: tuple[dict[str, Any], ...] = ()
    """OSV credit objects."""
    ranges: tuple[tuple[dict[str, str], ...], ...] = field(default=())
    """The events of each ``ECOSYSTEM`` range (see the module's docstring)."""

    def versions(self, released: Sequence[str]) -> list[str]:
        """The versions of ``released`` inside any range, PEP 440 ordered."""
        found: set[str] = set()
        for events in self.ranges:
            found.update(affected_versions(events, released))
        return pep440_sorted(found)

    def warnings(self, released: Sequence[str], origin: str) -> list[str]:
        """A bound that is not a released version, and an interval with no released
        version in it, each named as the author gave it."""
        out: list[str] = []
        for pair in self.pairs:
            for given in (pair.introduced, pair.bound):
                if given is not None and not released_version(given.value, released):
                    out.append(
                        f"{given.label}: not a released version of {self.package} (per {origin})"
                    )
            if not affected_versions(pair.events(), released):
                start = pair.introduced.label if pair.introduced else "from the first version"
                end = pair.bound.label if pair.bound else "no fix"
                out.append(f"{start} .. {end}: no released version of {self.package} in it")
        return out

    def record(self, *, versions: Sequence[str] | None, now: dt.datetime) -> dict[str, Any]:
        """The OSV record (keys in the schema's order); ``versions=None``: no
        ``versions`` list. ``published`` and ``modified`` are ``now`` (publishing sets
        them again)."""
        stamp = format_rfc3339(now)
        record: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "modified": stamp,
            "published": stamp,
        }
        if self.aliases:
            record["aliases"] = list(self.aliases)
        if self.summary:
            record["summary"] = self.summary
        if self.details:
            record["details"] = self.details
        if self.scores:
            record["severity"] = [{"type": s.type, "score": s.vector} for s in self.scores]
        package: dict[str, str] = {"ecosystem": self.ecosystem, "name": self.package}
        if self.ecosystem == "PyPI":
            package["purl"] = f"pkg:pypi/{self.package}"
        affected: dict[str, Any] = {
            "package": package,
            "ranges": [{"type": "ECOSYSTEM", "events": list(r)} for r in self.ranges],
        }
        if versions is not None:
            affected["versions"] = list(versions)
        record["affected"] = [affected]
        if self.references:
            record["references"] = [dict(r) for r in self.references]
        if self.credits:
            record["credits"] = [dict(c) for c in self.credits]
        if self.cwe_ids:
            record["database_specific"] = {"cwe_ids": list(self.cwe_ids)}
        return record


def render(record: Mapping[str, Any]) -> str:
    """The record as OSV JSON: two-space indents, non-ASCII kept, a final newline."""
    import json

    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


# -- checking ------------------------------------------------------------------------


def _version(spec: DraftSpec, given: Given, *, zero: bool = False) -> Any:
    """``given`` parsed as PEP 440 (``None`` for ``0`` where ``zero`` allows it)."""
    from packaging.version import InvalidVersion, Version

    if zero and given.value == "0":
        return None
    try:
        return Version(given.value)
    except InvalidVersion:
        raise spec.fail(given, "not a PEP 440 version") from None


def _package(spec: DraftSpec, given: Given) -> str:
    from pyward._model import canonical_name

    if not _NAME.fullmatch(given.value.strip()):
        raise spec.fail(given, "not a valid project name (PEP 508)")
    return canonical_name(given.value.strip())


def _pairs(spec: DraftSpec) -> tuple[Pair, ...]:
    """The intervals the events describe, each checked: versions PEP 440, every bound
    after its ``introduced``, the intervals in version order without overlap."""
    pairs: list[Pair] = []
    current: Given | None = None
    for kind, given in spec.events:
        if kind == "introduced":
            if current is not None:
                raise spec.fail(
                    given,
                    f"the range opened by {current.label} is not closed: give "
                    f"{_where(spec, 'fixed')} or {_where(spec, 'last_affected')} before "
                    "the next introduced",
                )
            current = given
            continue
        if current is None and pairs:
            raise spec.fail(
                given,
                f"no introduced before it (the range before closed at {pairs[-1].bound_label})",
            )
        pairs.append(Pair(introduced=current, kind=kind, bound=given))
        current = None
    if current is not None:
        pairs.append(Pair(introduced=current, kind=None, bound=None))
    previous: tuple[Any, Pair] | None = None
    for pair in pairs:
        low = _version(spec, pair.introduced, zero=True) if pair.introduced else None
        if pair.introduced is not None and previous is not None:
            end, before = previous
            if low is None or low < end or (low == end and before.kind == "last_affected"):
                raise spec.fail(
                    pair.introduced,
                    f"not after the range before it (closed at {before.bound_label}): "
                    "give the ranges in version order",
                )
        if pair.bound is None:
            continue
        high = _version(spec, pair.bound)
        if low is not None and (high < low or (high == low and pair.kind == "fixed")):
            raise spec.fail(pair.bound, f"not after {pair.introduced_label}")
        previous = (high, pair)
    return tuple(pairs)


def _missing(spec: DraftSpec, key: str, option: str) -> PywardError:
    if spec.file is not None:
        return InputError(spec.file, "missing", where=key)
    return UsageError(f"missing {option}")


def _where(spec: DraftSpec, kind: str) -> str:
    if spec.file is None:
        return _OPTION[kind]
    return kind.replace("_", "-")


def _ranges(pairs: Sequence[Pair]) -> tuple[tuple[dict[str, str], ...], ...]:
    fixed = [p for p in pairs if p.kind == "fixed"]
    last = [p for p in pairs if p.kind == "last_affected"]
    open_ = [p for p in pairs if p.kind is None]
    if open_ and (fixed or not last):
        fixed += open_
    else:
        last += open_
    return tuple(tuple(e for p in group for e in p.events()) for group in (fixed, last) if group)


def _score(spec: DraftSpec, given: Given) -> Score:
    from pyward._advisory._cvss import base_score

    vector = given.value.strip()
    kind = next((k for p, k in CVSS_PREFIXES.items() if vector.startswith(p)), None)
    if kind is None:
        raise spec.fail(given, "expected a CVSS v3.1 (CVSS:3.1/...) or v4.0 (CVSS:4.0/...) vector")
    try:
        score = base_score(kind, vector)
    except ValueError as exc:
        raise spec.fail(given, f"not a valid CVSS vector: {exc}") from None
    import cvss

    canonical = (cvss.CVSS4 if kind == "CVSS_V4" else cvss.CVSS3)(vector).clean_vector()
    return Score(type=kind, vector=canonical, score=score)


def _http_url(value: str) -> bool:
    from urllib.parse import urlsplit

    if any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _contact(spec: DraftSpec, given: Given) -> str:
    value = given.value.strip()
    if value.startswith("mailto:") and "@" in value:
        return value
    if _http_url(value):
        return value
    if "@" in value and ":" not in value and not any(c.isspace() for c in value):
        return f"mailto:{value}"
    raise spec.fail(given, "a contact is an e-mail address or a URL (mailto:..., https://...)")


def _credit(spec: DraftSpec, credit: CreditSpec) -> dict[str, Any]:
    kind = credit.type.value.strip().upper().replace("-", "_")
    if kind not in CREDIT_TYPES:
        raise spec.fail(
            credit.type, f"unknown credit type; expected one of {', '.join(CREDIT_TYPES)}"
        )
    name = credit.name.value.strip()
    if not name:
        raise spec.fail(credit.name, "empty name")
    out: dict[str, Any] = {"name": name}
    if credit.contacts:
        out["contact"] = [_contact(spec, c) for c in credit.contacts]
    out["type"] = kind
    return out


def check_spec(spec: DraftSpec) -> Draft:
    """Check every value of ``spec`` into a :class:`Draft`; raises the error of the first
    bad value (:meth:`DraftSpec.fail`). A required field missing is an error too."""
    if spec.package is None:
        raise _missing(spec, "package", "--package")
    if not spec.events:
        raise _missing(spec, "ranges", "--introduced/--fixed/--last-affected")
    record_id = PLACEHOLDER_ID
    if spec.id is not None:
        record_id = spec.id.value.strip()
        if not _ID.fullmatch(record_id):
            raise spec.fail(spec.id, "not an OSV id (PREFIX-ENTRY, e.g. PYSEC-0000-DRAFT)")
    ecosystem = spec.ecosystem.value.strip() if spec.ecosystem else "PyPI"
    if spec.ecosystem is not None and not (
        ecosystem == "PyPI" or (ecosystem.startswith("PyPI:") and len(ecosystem) > 5)
    ):
        raise spec.fail(spec.ecosystem, "only PyPI (or PyPI:<suffix>) is supported")
    summary = spec.summary.value.strip() if spec.summary else None
    if spec.summary is not None and (not summary or "\n" in summary):
        raise spec.fail(spec.summary, "a summary is one line of text")
    pairs = _pairs(spec)
    scores: list[Score] = []
    for given in spec.cvss:
        score = _score(spec, given)
        if any(s.type == score.type for s in scores):
            raise spec.fail(given, f"a second {score.type} vector: give one per CVSS version")
        scores.append(score)
    cwe_ids: list[str] = []
    for given in spec.cwe:
        cwe = given.value.strip().upper()
        if not _CWE.fullmatch(cwe):
            raise spec.fail(given, "expected a CWE id like CWE-79")
        if cwe not in cwe_ids:
            cwe_ids.append(cwe)
    references = []
    for kind, url in spec.references:
        ref_type = kind.value.strip().upper()
        if ref_type not in REFERENCE_TYPES:
            raise spec.fail(
                kind, f"unknown reference type; expected one of {', '.join(REFERENCE_TYPES)}"
            )
        if not _http_url(url.value.strip()):
            raise spec.fail(url, "expected an http(s) URL")
        references.append({"type": ref_type, "url": url.value.strip()})
    aliases: list[str] = []
    for given in spec.aliases:
        alias = given.value.strip()
        if alias.upper().startswith("CVE-") and not _CVE.fullmatch(alias):
            raise spec.fail(given, "not a CVE id (CVE-YYYY-NNNN)")
        if alias.upper().startswith("GHSA-") and not _GHSA.fullmatch(alias):
            raise spec.fail(given, "not a GHSA id (GHSA-xxxx-xxxx-xxxx)")
        if not _ID.fullmatch(alias):
            raise spec.fail(given, "not an advisory id (PREFIX-ENTRY)")
        if alias == record_id:
            raise spec.fail(given, "the record's own id")
        if alias not in aliases:
            aliases.append(alias)
    return Draft(
        id=record_id,
        package=_package(spec, spec.package),
        ecosystem=ecosystem,
        summary=summary,
        details=spec.details.value.strip() or None if spec.details else None,
        pairs=pairs,
        scores=tuple(scores),
        cwe_ids=tuple(cwe_ids),
        references=tuple(references),
        aliases=tuple(aliases),
        credits=tuple(_credit(spec, c) for c in spec.credits),
        ranges=_ranges(pairs),
    )


# -- command-line strings --------------------------------------------------------------


def parse_credit(text: str, where: str = "--credit") -> CreditSpec:
    """``TYPE:Name[:contact,...]`` -> a :class:`CreditSpec` (each part named ``where``)."""
    parts = text.split(":", 2)
    if len(parts) < 2:
        raise UsageError(f"{where} {text!r}: expected TYPE:Name[:contact,...]")
    contacts = tuple(Given(c.strip(), where) for c in parts[2].split(",")) if len(parts) > 2 else ()
    return CreditSpec(
        type=Given(parts[0], where),
        name=Given(parts[1], where),
        contacts=tuple(c for c in contacts if c.value),
    )


def parse_reference(text: str, where: str = "--reference") -> tuple[Given, Given]:
    """``TYPE=URL`` -> ``(type, url)``."""
    kind, sep, url = text.partition("=")
    if not sep:
        raise UsageError(f"{where} {text!r}: expected TYPE=URL (e.g. FIX=https://...)")
    return Given(kind, where), Given(url, where)


# -- TOML ----------------------------------------------------------------------------


def spec_from_toml(path: Path) -> DraftSpec:
    """The fields of a draft TOML file (layout: docs/advisories.md, "Writing a draft";
    ``examples/advisory-draft.toml``). Unknown keys are refused; ``details-file`` and
    ``versions-from`` are relative to the file."""
    from pyward._inventory._toml import load
    from pyward._wire import FOUND, Wire

    data = load(path)
    wire = Wire(path, FOUND)
    for key in data:
        if key not in _TOML_KEYS:
            hint = key.replace("_", "-")
            also = f" (did you mean {hint!r}?)" if hint in _TOML_KEYS else ""
            raise InputError(path, f"unknown key{also}", where=key)
    table = wire.table(data, "")
    base = path.parent

    def one(key: str) -> Given | None:
        value = table.get(key, str)
        return Given(value, key) if value is not None else None

    def many(key: str) -> tuple[Given, ...]:
        values = wire.items(data.get(key), "", key, of=str)
        return tuple(Given(v, f"{key}[{i}]") for i, v in enumerate(values))

    events: list[tuple[str, Given]] = []
    for i, item in enumerate(wire.items(data.get("ranges"), "", "ranges", of=dict)):
        at = f"ranges[{i}]"
        _known(path, item, at, {"introduced", "fixed", "last-affected"})
        rng = wire.table(item, at)
        intro = rng.get("introduced", str)
        if intro is not None:
            events.append(("introduced", Given(intro, f"{at}.introduced")))
        closing = [(k, rng.get(k, str)) for k in ("fixed", "last-affected")]
        given: list[tuple[str, str]] = [(k, v) for k, v in closing if v is not None]
        if len(given) > 1:
            raise InputError(path, "fixed and last-affected exclude each other", where=at)
        if intro is None and not given:
            raise InputError(path, "needs introduced, fixed or last-affected", where=at)
        for k, v in given:
            events.append((k.replace("-", "_"), Given(v, f"{at}.{k}")))
    references = []
    for i, item in enumerate(wire.items(data.get("references"), "", "references", of=dict)):
        at = f"references[{i}]"
        _known(path, item, at, {"type", "url"})
        ref = wire.table(item, at)
        references.append(
            (Given(ref.string("type"), f"{at}.type"), Given(ref.string("url"), f"{at}.url"))
        )
    credits = []
    for i, item in enumerate(wire.items(data.get("credits"), "", "credits", of=dict)):
        at = f"credits[{i}]"
        _known(path, item, at, {"type", "name", "contact"})
        credit = wire.table(item, at)
        contacts = wire.items(item.get("contact"), at, "contact", of=str)
        credits.append(
            CreditSpec(
                type=Given(credit.string("type"), f"{at}.type"),
                name=Given(credit.string("name"), f"{at}.name"),
                contacts=tuple(Given(c, f"{at}.contact[{j}]") for j, c in enumerate(contacts)),
            )
        )
    details = one("details")
    details_file = table.get("details-file", str)
    if details is not None and details_file is not None:
        raise InputError(path, "details and details-file exclude each other", where="details-file")
    if details_file is not None:
        details = Given(read_details(base / details_file), "details-file")
    versions_from = table.get("versions-from", str)
    return DraftSpec(
        file=path,
        id=one("id"),
        package=one("package"),
        ecosystem=one("ecosystem"),
        summary=one("summary"),
        details=details,
        events=tuple(events),
        cvss=many("cvss"),
        cwe=many("cwe"),
        references=tuple(references),
        aliases=many("aliases"),
        credits=tuple(credits),
        versions_from=base / versions_from if versions_from is not None else None,
    )


def _known(path: Path, item: Mapping[str, Any], at: str, keys: set[str]) -> None:
    for key in item:
        if key not in keys:
            hint = key.replace("_", "-")
            also = f" (did you mean {hint!r}?)" if hint in keys else ""
            raise InputError(path, f"unknown key{also}", where=f"{at}.{key}")


def read_details(path: Path) -> str:
    """A details file's text (Markdown, UTF-8)."""
    from pyward._inventory._toml import read_bytes

    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None


# -- prompts -------------------------------------------------------------------------


def ask_missing(
    spec: DraftSpec, ask: Callable[[str], str], say: Callable[[str], None]
) -> DraftSpec:
    """``spec`` with its missing required fields asked for: ``ask(prompt)`` returns the
    answer (``input``), ``say(line)`` shows an error before asking again. An answer that
    does not check is asked again; end of input is a :class:`UsageError`."""

    def answer(prompt: str, where: str, check: Callable[[Given], object]) -> Given:
        while True:
            try:
                text = ask(prompt)
            except EOFError:
                raise UsageError(f"no answer for {where}") from None
            given = Given(text.strip(), where)
            try:
                check(given)
            except PywardError as exc:
                say(str(exc))
                continue
            return given

    def required(given: Given) -> None:
        if not given.value:
            raise UsageError(f"{given.where}: an answer is needed")

    if spec.package is None:
        spec = replace(
            spec,
            package=answer(
                "package (its name on the index): ",
                "package",
                lambda g: _package(spec, g),
            ),
        )
    if spec.summary is None:
        spec = replace(spec, summary=answer("summary (one line): ", "summary", required))
    if not spec.events:
        intro = answer(
            "introduced in (a version; 0 for every version before the fix) [0]: ",
            "introduced",
            lambda g: g.value and _version(spec, g, zero=True),
        )
        events = [("introduced", Given(intro.value or "0", "introduced"))]

        def fix_after(given: Given) -> None:
            if given.value:
                check_spec(replace(spec, events=(*events, ("fixed", given))))

        fixed = answer("fixed in (empty: no fix released yet): ", "fixed", fix_after)
        if fixed.value:
            events.append(("fixed", fixed))
        spec = replace(spec, events=tuple(events))
    return spec
