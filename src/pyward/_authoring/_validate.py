"""Check OSV records: the official OSV schema, then the rules a reviewer applies.

:func:`validate_paths` reads every ``.json``/``.yaml``/``.yml`` record of the files and
directories given (a directory recursively, as the PyPA advisory database lays its
records out: ``vulns/<package>/<ID>.yaml``) and returns a :class:`ValidationReport`:
one :class:`Problem` per fault, each under a rule of :data:`RULES` (a stable id, a
level, a documented message: docs/advisories.md, "Validating records").

* ``schema``: the OSV schema bundled in ``schemas/osv-schema.json`` (ossf/osv-schema,
  Apache-2.0), checked with ``jsonschema`` (the ``advisory`` extra). Its ``format``
  keywords are not asserted (they depend on optional libraries): the ``timestamp`` and
  ``reference-url`` rules check those values instead. Three schema checks are reported
  by the lint rule that says more: the id prefix (``id-format``, which also accepts an
  organisation's own prefix), the timestamps' pattern (``timestamp``, which also wants
  a date that exists) and ``fixed`` with ``last_affected`` in one range
  (``fixed-and-last-affected``).
* the lint rules: ranges (sorted, ``fixed`` after ``introduced``, no overlap, PEP 440
  bounds), dates, the id, the summary, CVSS vectors (scored by the audit's own code,
  :mod:`pyward._advisory._cvss`), aliases, references, credits, package names; and,
  when the package's release list is known (``releases``), whether each bound and
  listed version was released and whether ``versions`` lists every affected release.

Only ``PyPI`` affected entries are held to the PyPI rules (PEP 440, PEP 503); other
ecosystems' entries get the schema and the record-level rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from packaging.version import Version

from pyward._advisory._match import parse_version, short
from pyward._advisory._osv import is_pypi
from pyward._model import canonical_name
from pyward.errors import InputError

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = [
    "RULES",
    "SCHEMA_PATH",
    "SUMMARY_LIMIT",
    "Level",
    "Problem",
    "Releases",
    "Rule",
    "ValidationOptions",
    "ValidationReport",
    "record_files",
    "validate_paths",
    "validate_record",
]

#: The bundled OSV schema (with its licence notice beside it).
SCHEMA_PATH = Path(__file__).parent / "schemas" / "osv-schema.json"
#: OSV's guidance for ``summary``: "on the order of no more than 120 characters"
#: (https://ossf.github.io/osv-schema/#summary-details-fields).
SUMMARY_LIMIT = 120

Level = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One check a record is held to."""

    id: str
    """Stable id, shown in every problem (``events-unsorted``)."""
    level: Level
    """``error`` fails the run (exit 1); ``warning`` is shown and does not."""
    summary: str
    """What the rule wants, one line (the docs' rule table)."""


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


#: Every rule, in the order of the docs' table.
RULES: dict[str, Rule] = _rules(
    Rule(id="schema", level="error", summary="the record is valid under the OSV schema"),
    Rule(
        id="id-format",
        level="error",
        summary="the id has the form of its database (PYSEC-YYYY-N, GHSA-xxxx-xxxx-xxxx, "
        "CVE-YYYY-NNNN, MAL-YYYY-N, PSF-YYYY-N) or of a --prefix; an OSV prefix otherwise",
    ),
    Rule(
        id="file-name",
        level="error",
        summary="in a PyPA layout (vulns/<package>/<ID>.yaml) the file is named after the id",
    ),
    Rule(
        id="timestamp",
        level="error",
        summary="modified, published and withdrawn are RFC 3339 UTC times ending in Z",
    ),
    Rule(
        id="modified-before-published",
        level="error",
        summary="modified is not before published",
    ),
    Rule(
        id="withdrawn-before-published",
        level="error",
        summary="withdrawn is not before published",
    ),
    Rule(
        id="description-missing",
        level="error",
        summary="the record has a summary or details (it says what is wrong)",
    ),
    Rule(
        id="summary-missing",
        level="error",
        summary="the record has a summary (only with --require-summary)",
    ),
    Rule(
        id="summary-lines",
        level="error",
        summary="the summary is one line",
    ),
    Rule(
        id="summary-length",
        level="warning",
        summary=f"the summary is at most {SUMMARY_LIMIT} characters (OSV's guidance)",
    ),
    Rule(
        id="severity-vector",
        level="error",
        summary="each CVSS vector parses and scores (the audit's CVSS code)",
    ),
    Rule(
        id="alias-format",
        level="error",
        summary="each alias is an id (DB-ENTRY, no spaces; the known databases' forms)",
    ),
    Rule(id="alias-self", level="error", summary="no alias is the record's own id"),
    Rule(id="alias-duplicate", level="warning", summary="no alias is listed twice"),
    Rule(
        id="reference-url",
        level="error",
        summary="each reference URL is an absolute http(s) URL",
    ),
    Rule(
        id="credit-contact",
        level="warning",
        summary="each credit contact is a URL (https:, http: or mailto:)",
    ),
    Rule(
        id="package-name",
        level="warning",
        summary="a PyPI package name is a valid, PEP 503-normalised project name",
    ),
    Rule(
        id="package-directory",
        level="error",
        summary="in a PyPA layout the record affects the package its directory names",
    ),
    Rule(
        id="purl",
        level="warning",
        summary="a PyPI package's purl is pkg:pypi/<normalised name>",
    ),
    Rule(
        id="range-type",
        level="warning",
        summary="a PyPI range is ECOSYSTEM (PEP 440) or GIT, not SEMVER",
    ),
    Rule(
        id="event-version",
        level="error",
        summary="each bound of a PyPI ECOSYSTEM range is a PEP 440 version",
    ),
    Rule(
        id="listed-version",
        level="warning",
        summary="each version listed in versions is a PEP 440 version",
    ),
    Rule(
        id="events-unsorted",
        level="warning",
        summary="a range's events are in version order (OSV recommends it)",
    ),
    Rule(
        id="fixed-not-after-introduced",
        level="error",
        summary="fixed is above (last_affected at or above) the introduced before it",
    ),
    Rule(
        id="fixed-and-last-affected",
        level="error",
        summary="a range has fixed or last_affected events, not both",
    ),
    Rule(
        id="range-overlap",
        level="error",
        summary="a range's introduced/fixed pairs do not overlap (evaluation sorts them)",
    ),
    Rule(
        id="version-outside-ranges",
        level="warning",
        summary="each listed version falls inside the entry's ECOSYSTEM ranges",
    ),
    Rule(
        id="version-unreleased",
        level="warning",
        summary="each bound and listed version was released (with release data)",
    ),
    Rule(
        id="versions-incomplete",
        level="warning",
        summary="versions lists every released version the ranges affect (with release data)",
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One fault of one record."""

    file: str
    """The record's file, as given or found under a directory."""
    record: str | None
    """The record's id (``None`` when it has no readable one)."""
    rule: str
    """The id of the :class:`Rule` broken."""
    level: Level
    """The rule's level."""
    path: str
    """Key path of the bad value (``affected[0].ranges[1].events[2].fixed``); ``""``:
    the record as a whole."""
    message: str
    """What is wrong, one line."""

    def line(self) -> str:
        """``FILE: ID: RULE: PATH: message``, `` (warning)`` after a warning's."""
        where = f"{self.path}: " if self.path else ""
        level = " (warning)" if self.level == "warning" else ""
        return f"{self.file}: {self.record or '-'}: {self.rule}: {where}{self.message}{level}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationReport:
    """What :func:`validate_paths` found."""

    files: int
    """Record files read."""
    problems: tuple[Problem, ...]
    """Every problem, by file then path."""
    notes: tuple[str, ...] = ()
    """What was not checked, and why (no release data for a package)."""

    @property
    def errors(self) -> int:
        """Problems at level ``error``."""
        return sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        """Problems at level ``warning``."""
        return sum(p.level == "warning" for p in self.problems)


#: A package's released versions, or the reason they are not known (a note).
Releases = Callable[[str], "Sequence[str] | str"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationOptions:
    """What a run holds records to."""

    prefixes: tuple[str, ...] = ()
    """An organisation's own id prefixes (``ACME`` for ``ACME-2026-1``)."""
    require_summary: bool = False
    """Turn on ``summary-missing``."""
    ignore: frozenset[str] = frozenset()
    """Rule ids not reported."""
    releases: Releases | None = field(default=None, repr=False)
    """A PyPI package's released versions by its normalised name; ``None``: not known
    (``version-unreleased`` and ``versions-incomplete`` are skipped, with a note)."""


# -- reading ------------------------------------------------------------------------


def record_files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """The record files of ``paths``, and notes on what was left out: a file as given
    (whatever its name); a directory's ``.json``/``.yaml``/``.yml`` files recursively,
    as ``db update --source DIR`` reads it (a PyPA advisory database clone: only
    ``vulns/``; an ossf/malicious-packages clone: only its PyPI records). A path that
    does not exist is an :class:`~pyward.errors.InputError`."""
    from pyward._advisory._sync import ignored_note, records_layout

    found: list[Path] = []
    notes: list[str] = []
    for path in paths:
        if path.is_dir():
            layout = records_layout(path)
            found.extend(layout.records)
            if layout.ignored:
                notes.append(f"{path}: {ignored_note(layout.ignored, layout.ignored_under)}")
        elif path.exists():
            found.append(path)
        else:
            raise InputError(path, "no such file or directory")
    return found, notes


def _load(path: Path) -> object:
    from pyward._advisory._osv import load_document
    from pyward._inventory._toml import read_bytes

    name = path.name if path.suffix in (".yaml", ".yml") else path.name + ".json"
    return load_document(name, read_bytes(path), file=str(path))


def validate_paths(paths: Iterable[Path], options: ValidationOptions) -> ValidationReport:
    """Validate every record of ``paths`` (see :func:`record_files`). A file that cannot
    be read or parsed is an :class:`~pyward.errors.InputError` naming it (and the line,
    for YAML); a record that parses but breaks a rule is a :class:`Problem`."""
    files, notes = record_files(paths)
    validator = schema_validator()
    releases = _ReleaseCache(options.releases)
    problems: list[Problem] = []
    for path in files:
        problems.extend(
            validate_record(
                _load(path),
                file=str(path),
                options=options,
                validator=validator,
                releases=releases,
            )
        )
    return ValidationReport(
        files=len(files), problems=tuple(problems), notes=(*notes, *releases.notes())
    )


def validate_record(
    data: object,
    *,
    file: str,
    options: ValidationOptions,
    validator: Draft202012Validator | None = None,
    releases: _ReleaseCache | None = None,
) -> list[Problem]:
    """The problems of one parsed record (``file`` names it in each problem and decides
    the PyPA-layout rules)."""
    rid = data.get("id") if isinstance(data, dict) else None
    record = rid if isinstance(rid, str) and rid else None
    out: list[Problem] = []

    def report(rule: str, path: str, message: str) -> None:
        if rule not in options.ignore:
            out.append(
                Problem(
                    file=file,
                    record=record,
                    rule=rule,
                    level=RULES[rule].level,
                    path=path,
                    message=message,
                )
            )

    for path, message in _schema_problems(validator or schema_validator(), data):
        report("schema", path, message)
    if isinstance(data, dict):
        _Lint(data, Path(file), options, releases or _ReleaseCache(options.releases), report)()
    return out


# -- the schema -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def schema_validator() -> Draft202012Validator:
    """A validator of the bundled OSV schema. Without the ``advisory`` extra, a
    :class:`~pyward._extras.MissingExtra` naming it."""
    from pyward._extras import require

    require("advisory", what="checking records against the OSV schema")
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema())


def _schema_problems(validator: Draft202012Validator, data: object) -> Iterator[tuple[str, str]]:
    """``(key path, message)`` per schema error, in path order, without those a lint
    rule reports better (see the module's docstring)."""
    errors = sorted(validator.iter_errors(data), key=lambda e: _path_order(e.absolute_path))
    for error in errors:
        if _superseded(error):
            continue
        specific = _most_specific(error)
        yield _key_path(specific.absolute_path), _message(specific)


def _path_order(parts: Iterable[str | int]) -> list[tuple[int, int, str]]:
    """Sort key of a key path: ``events[2]`` before ``events[10]``."""
    return [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts]


def _superseded(error: ValidationError) -> bool:
    path = list(error.absolute_path)
    if path == ["id"] and error.validator == "pattern":
        return True  # id-format
    if path in (["modified"], ["published"], ["withdrawn"]) and error.validator == "pattern":
        return True  # timestamp
    return error.validator == "not" and "last_affected and fixed" in (_title(error) or "")


def _most_specific(error: ValidationError) -> ValidationError:
    """For a ``oneOf``/``anyOf`` error, the alternative's error that goes deepest into
    the value: of an event ``{"fixed": "cb35df940a"}``, the pattern its ``fixed``
    breaks, not "'introduced' is a required property"."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.schema_path)))
        if len(deepest.absolute_path) <= len(error.absolute_path):
            break
        error = deepest
    return error


def _title(error: ValidationError) -> str | None:
    """The title of the nearest schema node above the error that has one (the
    schema names its rules: "GIT ranges must use full-length commit hashes")."""
    node: Any = _schema()
    title = None
    for step in list(error.absolute_schema_path)[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("title"), str):
            title = node["title"]
        if isinstance(node, dict) and "$ref" in node:
            break
    return title


def _message(error: ValidationError) -> str:
    kind, value, expected = error.validator, error.instance, error.validator_value
    title = _title(error)
    if kind == "required":
        missing = [k for k in expected if not (isinstance(value, dict) and k in value)]
        return f"missing {', '.join(repr(k) for k in missing)}"
    if kind == "additionalProperties" and isinstance(value, dict):
        known = error.schema.get("properties", {})
        extra = [k for k in value if k not in known]
        return f"unknown field {', '.join(repr(k) for k in extra)}"
    if kind == "type":
        return f"expected {_types(expected)}, got {_json_type(value)}"
    if kind == "enum":
        choices = ", ".join(str(c) for c in expected)
        return f"unknown value {short(str(value))} (one of: {choices})"
    if kind == "pattern":
        what = title or f"the pattern {expected}"
        return f"{short(str(value))} does not match {what}"
    if kind == "minItems":
        return f"needs at least {expected} item{'s' if expected != 1 else ''}"
    if kind == "contains":
        return title or "no item matches what the schema requires"
    if kind in ("oneOf", "anyOf"):
        return title or "matches none of the forms the schema allows"
    return title or error.message


def _types(expected: object) -> str:
    if isinstance(expected, list):
        return " or ".join(str(t) for t in expected)
    return str(expected)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    return "number"


def _key_path(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# -- the lint rules -------------------------------------------------------------------

#: The id forms of the databases a PyPI record comes from, by prefix. ``GHSA`` ids use
#: GitHub's 32-letter alphabet; a ``PREFIX-0000-...`` id is a draft (the PyPA
#: database's convention for a new entry: its automation assigns the number).
_ID_FORMS: dict[str, tuple[str, str]] = {
    "PYSEC": (r"PYSEC-[0-9]{4}-[1-9][0-9]*", "PYSEC-YYYY-N"),
    "GHSA": (r"GHSA(-[23456789cfghjmpqrvwx]{4}){3}", "GHSA-xxxx-xxxx-xxxx"),
    "CVE": (r"CVE-[0-9]{4}-[0-9]{4,}", "CVE-YYYY-NNNN"),
    "MAL": (r"MAL-[0-9]{4}-[1-9][0-9]*", "MAL-YYYY-N"),
    "PSF": (r"PSF-[0-9]{4}-[1-9][0-9]*", "PSF-YYYY-N"),
}
_DRAFT = re.compile(r"[A-Za-z][A-Za-z0-9]*-0000-[A-Za-z0-9._-]+")
_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_.]*-[A-Za-z0-9_.:-]+")
_TIMESTAMP = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?Z")
_CVSS_TYPES = ("CVSS_V2", "CVSS_V3", "CVSS_V4")
_CLOSING = ("fixed", "last_affected")
_ZERO = Version("0")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def _id_problem(rid: str, prefixes: tuple[str, ...]) -> str | None:
    prefix = rid.split("-", 1)[0]
    if prefix in prefixes:
        if re.fullmatch(rf"{re.escape(prefix)}-[0-9]{{4}}-[1-9][0-9]*", rid) or _DRAFT.fullmatch(
            rid
        ):
            return None
        return f"{short(rid)} is not of the form {prefix}-YYYY-N (the configured prefix)"
    form = _ID_FORMS.get(prefix)
    if form is not None:
        if re.fullmatch(form[0], rid) or (prefix == "PYSEC" and _DRAFT.fullmatch(rid)):
            return None
        return f"{short(rid)} is not of the form {form[1]}"
    if re.match(_schema()["$defs"]["prefix"]["pattern"], rid):
        return None  # another OSV database's id: the schema knows its prefix
    return (
        f"{short(rid)} has no known prefix (PYSEC, GHSA, CVE, MAL, PSF or another OSV "
        "database's): give --prefix for an organisation's own"
    )


def _timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    m = _TIMESTAMP.fullmatch(value)
    if m is None:
        return None
    try:
        return dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=dt.timezone.utc
        ) + dt.timedelta(seconds=float("0" + (m.group(2) or "")))
    except ValueError:
        return None


def _is_http_url(value: str) -> bool:
    from urllib.parse import urlsplit

    if not value.isprintable() or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_contact_url(value: str) -> bool:
    if value.startswith("mailto:"):
        return "@" in value and not any(c.isspace() for c in value)
    return _is_http_url(value)


@dataclass(slots=True)
class _Event:
    index: int
    kind: str
    value: str
    version: Version | None  # ``None``: introduced "0" (before every version)


class _Lint:
    """The lint rules over one record (a ``dict``; the schema has judged its shape, so
    every access here tolerates a wrong type by skipping the value)."""

    def __init__(
        self,
        data: dict[str, Any],
        file: Path,
        options: ValidationOptions,
        releases: _ReleaseCache,
        report: Callable[[str, str, str], None],
    ) -> None:
        self.data = data
        self.file = file
        self.options = options
        self.releases = releases
        self.report = report
        rid = data.get("id")
        self.rid = rid if isinstance(rid, str) else ""
        # vulns/<package>/<ID>.yaml: the PyPA advisory database's layout.
        self.pypa_package = file.parent.name if file.parent.parent.name == "vulns" else None

    def __call__(self) -> None:
        self.identity()
        self.dates()
        self.text()
        self.severity(self.data.get("severity"), "severity")
        self.aliases()
        self.references()
        self.credits()
        self.affected()

    def identity(self) -> None:
        if not self.rid:
            return
        problem = _id_problem(self.rid, self.options.prefixes)
        if problem is not None:
            self.report("id-format", "id", problem)
        if self.pypa_package is not None and self.file.stem != self.rid:
            self.report(
                "file-name",
                "id",
                f"the file is named {short(self.file.name)}, the id is {short(self.rid)}",
            )

    def dates(self) -> None:
        times: dict[str, dt.datetime] = {}
        for key in ("modified", "published", "withdrawn"):
            value = self.data.get(key)
            if value is None:
                continue
            parsed = _timestamp(value)
            if parsed is None:
                if isinstance(value, str):  # another type: the schema's error
                    self.report(
                        "timestamp",
                        key,
                        f"{short(value)} is not an RFC 3339 UTC time "
                        "(YYYY-MM-DDTHH:MM:SSZ) that exists",
                    )
                continue
            times[key] = parsed
        published = times.get("published")
        if published is None:
            return
        for key, rule in (
            ("modified", "modified-before-published"),
            ("withdrawn", "withdrawn-before-published"),
        ):
            when = times.get(key)
            if when is not None and when < published:
                self.report(
                    rule, key, f"{self.data[key]} is before published {self.data['published']}"
                )

    def text(self) -> None:
        summary, details = self.data.get("summary"), self.data.get("details")
        has_summary = isinstance(summary, str) and summary.strip() != ""
        if not has_summary and not (isinstance(details, str) and details.strip()):
            self.report("description-missing", "", "neither a summary nor details")
        elif not has_summary and self.options.require_summary:
            self.report("summary-missing", "summary", "missing")
        if not isinstance(summary, str) or not has_summary:
            return
        if "\n" in summary.strip() or "\r" in summary.strip():
            self.report("summary-lines", "summary", "more than one line (OSV: a one-line summary)")
        if len(summary) > SUMMARY_LIMIT:
            self.report(
                "summary-length",
                "summary",
                f"{len(summary)} characters, over OSV's guidance of {SUMMARY_LIMIT}",
            )

    def severity(self, value: object, path: str) -> None:
        if not isinstance(value, list):
            return
        from pyward._advisory._cvss import base_score

        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                continue
            kind, vector = entry.get("type"), entry.get("score")
            if kind not in _CVSS_TYPES or not isinstance(vector, str):
                continue
            try:
                base_score(kind, vector)
            except ValueError as exc:
                self.report(
                    "severity-vector",
                    f"{path}[{i}].score",
                    f"{short(vector)} does not score as {kind}: {_one_line(str(exc))}",
                )

    def aliases(self) -> None:
        aliases = self.data.get("aliases")
        if not isinstance(aliases, list):
            return
        seen: set[str] = set()
        for i, alias in enumerate(aliases):
            if not isinstance(alias, str):
                continue
            path = f"aliases[{i}]"
            if alias == self.rid:
                self.report("alias-self", path, f"{short(alias)} is the record's own id")
            elif not _ALIAS.fullmatch(alias):
                self.report("alias-format", path, f"{short(alias)} is not an id (DB-ENTRY)")
            else:
                prefix = alias.split("-", 1)[0]
                form = _ID_FORMS.get(prefix)
                if form is not None and not re.fullmatch(form[0], alias):
                    self.report(
                        "alias-format", path, f"{short(alias)} is not of the form {form[1]}"
                    )
            if alias in seen:
                self.report("alias-duplicate", path, f"{short(alias)} is listed twice")
            seen.add(alias)

    def references(self) -> None:
        refs = self.data.get("references")
        if not isinstance(refs, list):
            return
        for i, ref in enumerate(refs):
            url = ref.get("url") if isinstance(ref, dict) else None
            if isinstance(url, str) and not _is_http_url(url):
                self.report(
                    "reference-url",
                    f"references[{i}].url",
                    f"{short(url)} is not an absolute http(s) URL",
                )

    def credits(self) -> None:
        credits_ = self.data.get("credits")
        if not isinstance(credits_, list):
            return
        for i, credit in enumerate(credits_):
            contacts = credit.get("contact") if isinstance(credit, dict) else None
            if not isinstance(contacts, list):
                continue
            for j, contact in enumerate(contacts):
                if isinstance(contact, str) and not _is_contact_url(contact):
                    self.report(
                        "credit-contact",
                        f"credits[{i}].contact[{j}]",
                        f"{short(contact)} is not a URL (https:, http: or mailto:)",
                    )

    # -- affected ----------------------------------------------------------------------

    def affected(self) -> None:
        entries = self.data.get("affected")
        if not isinstance(entries, list):
            entries = []
        names: list[str] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            path = f"affected[{i}]"
            self.severity(entry.get("severity"), f"{path}.severity")
            package = entry.get("package")
            if not isinstance(package, dict) or not is_pypi(package.get("ecosystem")):
                continue
            name = package.get("name")
            if not isinstance(name, str):
                continue
            names.append(canonical_name(name))
            self.package(name, package.get("purl"), f"{path}.package")
            self.entry(canonical_name(name), entry, path)
        if self.pypa_package is not None and names:
            directory = canonical_name(self.pypa_package)
            if directory not in names:
                self.report(
                    "package-directory",
                    "affected",
                    f"the record is under vulns/{self.pypa_package}/ but affects "
                    f"{', '.join(sorted(set(names)))}",
                )

    def package(self, name: str, purl: object, path: str) -> None:
        if not _PROJECT_NAME.fullmatch(name):
            self.report("package-name", f"{path}.name", f"{short(name)} is not a project name")
            return
        if name != canonical_name(name):
            self.report(
                "package-name",
                f"{path}.name",
                f"{short(name)} is not normalised (PEP 503: {canonical_name(name)!r})",
            )
        if isinstance(purl, str):
            expected = f"pkg:pypi/{canonical_name(name)}"
            if purl.split("?", 1)[0].split("#", 1)[0] != expected:
                self.report("purl", f"{path}.purl", f"{short(purl)} is not {expected!r}")

    def entry(self, name: str, entry: dict[str, Any], path: str) -> None:
        ranges = entry.get("ranges") if isinstance(entry.get("ranges"), list) else []
        timelines: list[list[_Event]] = []
        bounds: list[tuple[str, str]] = []  # (path, version) of every PEP 440 bound
        for j, rng in enumerate(ranges or []):
            if not isinstance(rng, dict) or not isinstance(rng.get("events"), list):
                continue
            rpath = f"{path}.ranges[{j}]"
            kind = rng.get("type")
            if kind == "SEMVER":
                self.report(
                    "range-type",
                    f"{rpath}.type",
                    "SEMVER: PyPI versions are PEP 440, not SemVer; use ECOSYSTEM",
                )
            if kind not in ("ECOSYSTEM", "SEMVER"):
                continue
            events = self.events(rng["events"], f"{rpath}.events")
            if events is None:
                continue
            bounds.extend(
                (f"{rpath}.events[{e.index}].{e.kind}", e.value)
                for e in events
                if e.version is not None
            )
            if self.timeline(events, f"{rpath}.events"):
                timelines.append(events)
        listed = entry.get("versions")
        versions: list[tuple[int, str, Version]] = []
        if isinstance(listed, list):
            for k, value in enumerate(listed):
                if not isinstance(value, str):
                    continue
                parsed = parse_version(value)
                if parsed is None:
                    self.report(
                        "listed-version",
                        f"{path}.versions[{k}]",
                        f"{short(value)} is not a PEP 440 version",
                    )
                    continue
                versions.append((k, value, parsed))
                if timelines and not any(_affected(t, parsed) for t in timelines):
                    self.report(
                        "version-outside-ranges",
                        f"{path}.versions[{k}]",
                        f"{value} is in none of the entry's ranges",
                    )
        self.released(
            name=name,
            path=path,
            bounds=bounds,
            versions=versions,
            timelines=timelines,
            listed=listed,
        )

    def events(self, raw: list[Any], path: str) -> list[_Event] | None:
        """The range's events, parsed; ``None`` (after reporting) when one cannot be
        compared, or when the schema has already refused their shape."""
        events: list[_Event] = []
        usable = True
        for k, event in enumerate(raw):
            if not isinstance(event, dict) or len(event) != 1:
                return None  # the schema's error
            ((kind, value),) = event.items()
            if not isinstance(value, str) or kind not in ("introduced", *_CLOSING, "limit"):
                return None
            if kind == "limit" and value == "*":
                continue
            if kind == "introduced" and value == "0":
                events.append(_Event(index=k, kind=kind, value=value, version=None))
                continue
            version = parse_version(value)
            if version is None:
                self.report(
                    "event-version",
                    f"{path}[{k}].{kind}",
                    f"{short(value)} is not a PEP 440 version: the range cannot be evaluated",
                )
                usable = False
                continue
            events.append(_Event(index=k, kind=kind, value=value, version=version))
        if not any(e.kind == "introduced" for e in events):
            return None  # the schema's error: a range needs an introduced event
        return events if usable else None

    def timeline(self, events: list[_Event], path: str) -> bool:
        """The ordering rules of one range; whether it can be evaluated as written."""
        kinds = {e.kind for e in events}
        if "fixed" in kinds and "last_affected" in kinds:
            first = next(e for e in events if e.kind == "last_affected")
            self.report(
                "fixed-and-last-affected",
                f"{path}[{first.index}]",
                "a range holds fixed or last_affected events, not both (OSV)",
            )
            return False
        if any(_before(b, a) for a, b in itertools.pairwise(events)):
            self.report(
                "events-unsorted",
                path,
                "not in version order: " + ", ".join(f"{e.kind} {e.value}" for e in events),
            )
        bad_pair = False
        opened: _Event | None = None
        for event in events:
            if event.kind == "introduced":
                opened = event
            elif event.kind in _CLOSING and opened is not None:
                below = _before(event, opened)
                same = not below and not _before(opened, event)
                if below or (event.kind == "fixed" and same):
                    bad_pair = True
                    relation = "not above" if event.kind == "fixed" else "below"
                    self.report(
                        "fixed-not-after-introduced",
                        f"{path}[{event.index}].{event.kind}",
                        f"{event.kind} {event.value} is {relation} introduced {opened.value}",
                    )
                opened = None
        if bad_pair:
            return False
        # OSV evaluation walks the events sorted by version (ties in written order):
        # each introduced must open and each fix close, else the pairs overlap and
        # evaluation answers otherwise than they read.
        is_open: _Event | None = None
        for event in _sorted(events):
            if event.kind == "introduced":
                if is_open is not None:
                    tie = next(
                        (
                            e
                            for e in events
                            if e.kind in _CLOSING
                            and e.index > event.index
                            and not _before(e, event)
                            and not _before(event, e)
                        ),
                        None,
                    )
                    why = (
                        f"it is written before {tie.kind} {tie.value}, and evaluation keeps "
                        "the written order of equal versions"
                        if tie is not None
                        else "sorted, the pairs overlap"
                    )
                    self.report(
                        "range-overlap",
                        f"{path}[{event.index}].introduced",
                        f"introduced {event.value} while the range opened at {is_open.value} "
                        f"is not yet closed: {why}",
                    )
                    return False
                is_open = event
            elif event.kind in _CLOSING:
                if is_open is None:
                    self.report(
                        "range-overlap",
                        f"{path}[{event.index}].{event.kind}",
                        f"{event.kind} {event.value} closes nothing once the events are "
                        "sorted: the pairs overlap",
                    )
                    return False
                is_open = None
        return True

    def released(
        self,
        *,
        name: str,
        path: str,
        bounds: list[tuple[str, str]],
        versions: list[tuple[int, str, Version]],
        timelines: list[list[_Event]],
        listed: object,
    ) -> None:
        if not bounds and not versions:
            return
        known = self.releases.get(name)
        if known is None:
            return
        for where, value in [*bounds, *((f"{path}.versions[{k}]", v) for k, v, _ in versions)]:
            parsed = parse_version(value)
            if parsed is not None and parsed not in known:
                self.report("version-unreleased", where, f"{name} {value} was not released")
        if not isinstance(listed, list) or not listed or not timelines:
            return
        have = {parsed for _, _, parsed in versions}
        missing = [
            text
            for parsed, text in sorted(known.items())
            if parsed not in have and any(_affected(t, parsed) for t in timelines)
        ]
        if missing:
            shown = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            self.report(
                "versions-incomplete",
                f"{path}.versions",
                f"the ranges affect released {shown}, not listed",
            )


def _order(event: _Event) -> tuple[int, Version, int]:
    """Sort key: ``introduced: "0"`` before every version (``0.0.0b0`` included); ties
    keep their written order, as the audit's matcher sorts them
    (:func:`pyward._advisory._match.sort_events`)."""
    if event.version is None:
        return (0, _ZERO, event.index)
    return (1, event.version, event.index)


def _before(a: _Event, b: _Event) -> bool:
    """Whether ``a`` sorts below ``b`` (their versions only)."""
    return _order(a)[:2] < _order(b)[:2]


def _sorted(events: list[_Event]) -> list[_Event]:
    return sorted(events, key=_order)


def _affected(events: list[_Event], version: Version) -> bool:
    """OSV evaluation of one range (``limit`` events aside: PyPI ranges need none)."""
    affected = False
    for event in _sorted(events):
        bound = event.version
        if event.kind == "introduced":
            affected = affected or bound is None or version >= bound
        elif bound is not None and (
            version > bound or (event.kind == "fixed" and version == bound)
        ):
            affected = False
    return affected


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _ReleaseCache:
    """Released versions per package, asked once each; the reasons they are not known
    become notes."""

    def __init__(self, source: Releases | None) -> None:
        self._source = source
        self._known: dict[str, dict[Version, str] | None] = {}
        self._notes: dict[str, None] = {}

    def get(self, name: str) -> dict[Version, str] | None:
        if name in self._known:
            return self._known[name]
        found: dict[Version, str] | None = None
        if self._source is None:
            self._notes.setdefault(
                "released versions not checked (version-unreleased, versions-incomplete): "
                "give --index-url or --versions-from"
            )
        else:
            answer = self._source(name)
            if isinstance(answer, str):
                self._notes.setdefault(f"{name}: released versions not checked: {answer}")
            else:
                found = {}
                for text in answer:
                    parsed = parse_version(text)
                    if parsed is not None:
                        found.setdefault(parsed, text)
        self._known[name] = found
        return found

    def notes(self) -> tuple[str, ...]:
        return tuple(self._notes)


def releases_from_file(path: Path) -> Mapping[str, tuple[str, ...]] | tuple[str, ...]:
    """A ``--versions-from`` file (:func:`pyward._authoring._versions.read_releases_file`):
    one package's versions, or lists by package name."""
    from pyward._authoring._versions import read_releases_file

    return read_releases_file(path)
