"""OSV record -> CVE JSON 5.1 record (or its CNA container), validated against the CVE
schemas shipped in ``schemas/cve/`` (see its README for their origin and licence).

The field map (docs/advisories.md, "Exporting CVE JSON 5", says why for each line):

* ``cveMetadata``: ``cveId`` from the caller, else the record's id or its one CVE alias;
  ``assignerOrgId``/``assignerShortName`` from the CNA settings; ``state`` PUBLISHED;
  ``datePublished``/``dateUpdated`` from ``published``/``modified``.
* ``containers.cna``: ``title`` from ``summary``, ``descriptions`` from ``details``,
  ``affected`` from ``affected[]`` (one product per package: ``vendor`` and ``product``
  the package name, ``packageName``, ``collectionURL`` only when configured; a range per
  ``introduced``..``fixed`` with ``lessThan``, ``last_affected`` with
  ``lessThanOrEqual``, an open range with ``lessThan: "*"``; ``defaultStatus``
  unaffected), ``problemTypes`` from CWE ids, ``metrics`` from ``severity[]`` (scored by
  :mod:`pyward._advisory._cvss`, the audit's code), ``references`` with
  :data:`REFERENCE_TAGS`, ``credits`` with :data:`CREDIT_TYPES`, ``source``.

Everything here is pure: the caller reads the record and the settings and writes the
result. A record that cannot become a valid CVE record raises :class:`ExportError`
naming the OSV field (or, for what only the schema catches, the CVE JSON path).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pyward.errors import InputError

__all__ = [
    "CREDIT_TYPES",
    "DATA_VERSION",
    "DISCOVERY",
    "REFERENCE_TAGS",
    "CnaSettings",
    "ExportError",
    "cna_container",
    "cve_id_of",
    "cve_record",
    "validate",
]

#: The CVE JSON schema version written and validated against.
DATA_VERSION = "5.1.1"

#: OSV reference type -> CVE reference tags. Types with no CVE equivalent get no tag
#: (a tag is a claim about the page; none is better than a wrong one). ``ADVISORY`` is
#: a third party's: an OSV record does not say whether the page is the maintainers' own.
REFERENCE_TAGS: Mapping[str, tuple[str, ...]] = {
    "ADVISORY": ("third-party-advisory",),
    "ARTICLE": ("technical-description",),
    "DETECTION": ("signature",),
    "DISCUSSION": (),
    "REPORT": ("issue-tracking",),
    "FIX": ("patch",),
    "INTRODUCED": (),
    "GIT": (),
    "PACKAGE": ("product",),
    "EVIDENCE": ("exploit",),
    "WEB": (),
}

#: OSV credit type -> CVE credit type (the same ten roles; a credit without a type is
#: ``other``: CVE's default, ``finder``, would claim a role the record does not state).
CREDIT_TYPES: Mapping[str, str] = {
    "FINDER": "finder",
    "REPORTER": "reporter",
    "ANALYST": "analyst",
    "COORDINATOR": "coordinator",
    "REMEDIATION_DEVELOPER": "remediation developer",
    "REMEDIATION_REVIEWER": "remediation reviewer",
    "REMEDIATION_VERIFIER": "remediation verifier",
    "TOOL": "tool",
    "SPONSOR": "sponsor",
    "OTHER": "other",
}

#: The values of CVE's ``source.discovery``.
DISCOVERY = ("INTERNAL", "EXTERNAL", "USER", "UNKNOWN")

_EVENTS = ("introduced", "fixed", "last_affected", "limit")
_CVE_ID = re.compile(r"^CVE-[0-9]{4}-[0-9]{4,19}$")
_CWE_ID = re.compile(r"^CWE-[1-9][0-9]*$")
_UUID4 = re.compile(
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$"
)
_TIMESTAMP = re.compile(r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
#: The CVE schema's limits on the texts copied from the record.
_TITLE_MAX = 256
_TEXT_MAX = 4096
_SCHEMAS = {
    False: "CVE_JSON_bundled_5.1.1.json",
    True: "CVE_JSON_cnaPublishedContainer_5.1.1.json",
}


class ExportError(InputError):
    """The record cannot be exported as a valid CVE record; the message names the field."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CnaSettings:
    """Who publishes the CVE record, and the package collection its products are in."""

    org_id: str | None = None
    """The CNA's organisation UUID (``assignerOrgId``, ``providerMetadata.orgId``)."""
    short_name: str | None = None
    """The CNA's short name (``assignerShortName``, ``providerMetadata.shortName``)."""
    collection_url: str | None = None
    """The package collection's URL (``collectionURL``; what the package index is called
    in CVE records); ``None``: left out, ``packageName`` stands alone."""
    discovery: Literal["INTERNAL", "EXTERNAL", "USER", "UNKNOWN"] = "UNKNOWN"
    """``source.discovery``: who found the flaw, as far as the CNA knows."""


def cve_id_of(record: Mapping[str, Any], *, file: str | None = None) -> str:
    """The CVE id of ``record``: its id when that is a CVE id, else its one CVE alias.
    Raises :class:`ExportError` when it has none, or several."""
    rid = record.get("id")
    if isinstance(rid, str) and _CVE_ID.match(rid):
        return rid
    aliases = record.get("aliases") or []
    found = [a for a in aliases if isinstance(a, str) and _CVE_ID.match(a)]
    if not found:
        raise ExportError(file, "no CVE id in the record's id or aliases: give --cve-id", "aliases")
    if len(set(found)) > 1:
        raise ExportError(
            file, f"several CVE ids ({', '.join(found)}): give --cve-id to choose", "aliases"
        )
    return found[0]


def cve_record(
    record: Mapping[str, Any],
    cna: CnaSettings,
    *,
    cve_id: str | None = None,
    file: str | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The full CVE JSON 5 record of an OSV ``record`` (not yet validated: see
    :func:`validate`). ``cna`` must name the organisation (``org_id``). What the export
    had to approximate is appended to ``notes`` (see :func:`cna_container`)."""
    if cve_id is None:
        cve_id = cve_id_of(record, file=file)
    elif not _CVE_ID.match(cve_id):
        raise ExportError(file, f"not a CVE id: {cve_id!r} (CVE-YYYY-NNNN)", "--cve-id")
    if cna.org_id is None:
        raise ExportError(file, "a full CVE record needs the CNA's organisation id", "cna-org-id")
    metadata: dict[str, Any] = {"cveId": cve_id, "assignerOrgId": cna.org_id}
    if cna.short_name is not None:
        metadata["assignerShortName"] = cna.short_name
    metadata["state"] = "PUBLISHED"
    published = _timestamp(record.get("published"), "published", file)
    if published is not None:
        metadata["datePublished"] = published
    updated = _timestamp(record.get("modified"), "modified", file)
    if updated is not None:
        metadata["dateUpdated"] = updated
    return {
        "dataType": "CVE_RECORD",
        "dataVersion": DATA_VERSION,
        "cveMetadata": metadata,
        "containers": {"cna": cna_container(record, cna, file=file, notes=notes)},
    }


def cna_container(
    record: Mapping[str, Any],
    cna: CnaSettings,
    *,
    file: str | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The CNA container of an OSV ``record``: what CVE Services accepts for publication.

    Without ``cna.org_id``, ``providerMetadata`` is empty: CVE Services fills it from
    the credentials of the CNA that submits the container. Two things the record says
    only loosely are exported as loosely, each with a line in ``notes`` naming the
    field: a range bound that is not a PEP 440 version (the range keeps its written
    order, ``versionType: "custom"``), and a package with neither ranges nor versions
    (``defaultStatus: "unknown"``).
    """
    if notes is None:
        notes = []
    container: dict[str, Any] = {"providerMetadata": _provider(record, cna, file)}
    summary = _text(record.get("summary"), "summary", file)
    details = _text(record.get("details"), "details", file)
    if summary is not None:
        if len(summary) > _TITLE_MAX:
            raise ExportError(
                file,
                f"longer than a CVE title's {_TITLE_MAX} characters ({len(summary)})",
                "summary",
            )
        container["title"] = summary
    description = details or summary
    if description is None:
        raise ExportError(file, "missing: a CVE record needs a description", "details")
    if len(description) > _TEXT_MAX:
        raise ExportError(
            file,
            f"longer than a CVE description's {_TEXT_MAX} characters ({len(description)})",
            "details" if details else "summary",
        )
    container["descriptions"] = [{"lang": "en", "value": description}]
    published = _timestamp(record.get("published"), "published", file)
    if published is not None:
        container["datePublic"] = published
    container["affected"] = _affected(record.get("affected"), cna, file, notes)
    problems = _problem_types(record, file)
    if problems:
        container["problemTypes"] = problems
    metrics = _metrics(record.get("severity"), file)
    if metrics:
        container["metrics"] = metrics
    container["references"] = _references(record.get("references"), file)
    credits = _credits(record.get("credits"), file)
    if credits:
        container["credits"] = credits
    source: dict[str, Any] = {"discovery": cna.discovery}
    rid = record.get("id")
    if isinstance(rid, str) and rid:
        source["advisory"] = rid
    container["source"] = source
    return container


def validate(document: Mapping[str, Any], *, container_only: bool, file: str | None = None) -> None:
    """Check ``document`` against the CVE schema (the bundled record schema, or the CNA
    container schema). Raises :class:`ExportError` naming the first failing JSON path.
    Needs the ``advisory`` extra (jsonschema)."""
    from pyward._extras import require

    require("advisory", what="pyward advisory export --format cve")
    validator = _validator(container_only)
    # The best match (jsonschema's relevance order), not the first in document order:
    # for a oneOf/anyOf it names the deepest failure, not the whole branch.
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(document))
    if error is None:
        return
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    raise ExportError(
        file, f"the CVE record is not valid: {_short(error.message)}", path.lstrip(".") or "$"
    )


@lru_cache(maxsize=2)
def _validator(container_only: bool) -> Any:
    """A draft-07 validator of one bundled schema; its ``$ref``s are all internal, and an
    empty registry makes sure none is fetched from the network."""
    from jsonschema import Draft7Validator
    from referencing import Registry

    text = (
        resources.files("pyward._authoring")
        .joinpath("schemas")
        .joinpath("cve")
        .joinpath(_SCHEMAS[container_only])
    )
    schema = json.loads(text.read_text(encoding="utf-8"))
    if container_only:
        # CVE Services sets providerMetadata from the submitting CNA's credentials, so a
        # container may leave the organisation out (cvelib's own `cve publish` example
        # sends an empty providerMetadata); the rest of the schema applies unchanged.
        schema["definitions"]["providerMetadata"].pop("required", None)
    return Draft7Validator(
        schema, registry=Registry(), format_checker=Draft7Validator.FORMAT_CHECKER
    )


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text(value: object, key: str, file: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ExportError(file, f"expected a string, got {type(value).__name__}", key)
    return value.strip() or None


def _timestamp(value: object, key: str, file: str | None) -> str | None:
    """An OSV RFC 3339 time as CVE writes it (UTC, ``Z``)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ExportError(file, f"expected an RFC 3339 time, got {type(value).__name__}", key)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ExportError(file, f"not an RFC 3339 time: {value!r}", key) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    text = moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    text += "Z"
    if not _TIMESTAMP.match(text):
        raise ExportError(file, f"out of the CVE schema's years (1900-2999): {value!r}", key)
    return text


def _provider(record: Mapping[str, Any], cna: CnaSettings, file: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if cna.org_id is not None:
        if not _UUID4.match(cna.org_id):
            raise ExportError(file, f"not a version 4 UUID: {cna.org_id!r}", "cna-org-id")
        meta["orgId"] = cna.org_id
    if cna.short_name is not None:
        if not 2 <= len(cna.short_name) <= 32:
            raise ExportError(
                file, f"must be 2 to 32 characters: {cna.short_name!r}", "cna-short-name"
            )
        meta["shortName"] = cna.short_name
    updated = _timestamp(record.get("modified"), "modified", file)
    if updated is not None and meta:
        meta["dateUpdated"] = updated
    return meta


def _affected(
    value: object, cna: CnaSettings, file: str | None, notes: list[str]
) -> list[dict[str, Any]]:
    entries = value if isinstance(value, list) else None
    if not entries:
        raise ExportError(file, "missing: a CVE record needs an affected product", "affected")
    products = []
    for i, entry in enumerate(entries):
        where = f"affected[{i}]"
        if not isinstance(entry, Mapping):
            raise ExportError(file, "expected an object", where)
        package = entry.get("package")
        name = package.get("name") if isinstance(package, Mapping) else None
        ecosystem = package.get("ecosystem") if isinstance(package, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise ExportError(file, "missing", f"{where}.package.name")
        pypi = isinstance(ecosystem, str) and ecosystem.split(":")[0] == "PyPI"
        # vendor: the maintainers of an open-source package are its project; the record
        # names no account or organisation, so the project's name stands for both.
        product: dict[str, Any] = {"vendor": name, "product": name}
        if cna.collection_url is not None and pypi:
            product["collectionURL"] = cna.collection_url
        product["packageName"] = name
        versions, repo = _versions(entry, where, pypi, file, notes)
        if repo is not None:
            product["repo"] = repo
        if versions:
            product["versions"] = versions
            product["defaultStatus"] = "unaffected"
        else:
            notes.append(
                f"{where}: no ranges and no versions: exported with defaultStatus 'unknown'"
            )
            product["defaultStatus"] = "unknown"
        products.append(product)
    return products


def _versions(
    entry: Mapping[str, Any], where: str, pypi: bool, file: str | None, notes: list[str]
) -> tuple[list[dict[str, Any]], str | None]:
    """The CVE version objects of one OSV ``affected`` entry (and a GIT range's repo)."""
    from pyward._advisory._match import UnparseableEvent, sort_events
    from pyward._advisory._types import Event

    out: list[dict[str, Any]] = []
    repo: str | None = None
    ranges = entry.get("ranges") or []
    if not isinstance(ranges, list):
        raise ExportError(file, "expected a list", f"{where}.ranges")
    for j, rng in enumerate(ranges):
        rpath = f"{where}.ranges[{j}]"
        if not isinstance(rng, Mapping):
            raise ExportError(file, "expected an object", rpath)
        kind = rng.get("type")
        raw = rng.get("events")
        if not isinstance(raw, list) or not raw:
            raise ExportError(file, "missing or empty", f"{rpath}.events")
        events: list[Event] = []
        for k, ev in enumerate(raw):
            keys = [e for e in _EVENTS if e in ev] if isinstance(ev, Mapping) else []
            if len(keys) != 1 or not isinstance(ev[keys[0]], str):
                raise ExportError(
                    file,
                    "needs exactly one of introduced, fixed, last_affected, limit",
                    f"{rpath}.events[{k}]",
                )
            events.append(Event(kind=keys[0], value=ev[keys[0]]))  # type: ignore[arg-type]
        if kind == "GIT":
            version_type = "git"
            if isinstance(rng.get("repo"), str):
                repo = rng["repo"]
        elif kind == "SEMVER" or (kind == "ECOSYSTEM" and not pypi):
            # Another ordering than PEP 440: the events as written.
            version_type = "semver" if kind == "SEMVER" else "custom"
        elif kind == "ECOSYSTEM":
            version_type = "python"
            try:
                events = sort_events(events)
            except UnparseableEvent as exc:
                # CVE's "custom": an ordering of the product's own, which is what a bound
                # that is not PEP 440 (PYSEC-2019-125's "2019-09-12") is.
                version_type = "custom"
                notes.append(
                    f"{rpath}.events[{exc.index}]: not a PEP 440 version: "
                    f"{events[exc.index].value!r}; exported in written order as versionType "
                    "'custom'"
                )
        else:
            raise ExportError(file, f"unknown range type {kind!r}", f"{rpath}.type")
        out.extend(_spans(events, version_type))
    if not out:
        # No ranges: the explicit list, each version on its own.
        listed = entry.get("versions") or []
        if not isinstance(listed, list):
            raise ExportError(file, "expected a list", f"{where}.versions")
        for k, version in enumerate(listed):
            if not isinstance(version, str) or not version:
                raise ExportError(file, "expected a version string", f"{where}.versions[{k}]")
            out.append({"version": version, "status": "affected"})
    return out, repo


def _spans(events: Sequence[Any], version_type: str) -> list[dict[str, Any]]:
    """Sorted OSV events -> CVE ranges: ``introduced``..``fixed``/``limit`` is
    ``lessThan``, ``..last_affected`` is ``lessThanOrEqual``, and a range left open is
    ``lessThan: "*"`` (CVE's "no upper bound"; ``version: "0"`` is "no lower bound",
    the same convention as OSV's)."""
    spans: list[dict[str, Any]] = []
    start: str | None = None
    for event in events:
        if event.kind == "introduced":
            if start is None:
                start = event.value
            continue
        if start is None:
            continue
        bound = "lessThanOrEqual" if event.kind == "last_affected" else "lessThan"
        spans.append(_span(start, version_type, bound, event.value))
        start = None
    if start is not None:
        spans.append(_span(start, version_type, "lessThan", "*"))
    return spans


def _span(start: str, version_type: str, bound: str, end: str) -> dict[str, Any]:
    return {"version": start, "status": "affected", bound: end, "versionType": version_type}


def _problem_types(record: Mapping[str, Any], file: str | None) -> list[dict[str, Any]]:
    """CWE ids from ``database_specific.cwe_ids`` (GHSA's place for them) and from
    ``aliases`` and ``related``, in that order, each once."""
    ids: list[str] = []
    db = record.get("database_specific")
    raw = db.get("cwe_ids") if isinstance(db, Mapping) else None
    if raw is not None:
        if not isinstance(raw, list):
            raise ExportError(file, "expected a list of CWE ids", "database_specific.cwe_ids")
        for i, cwe in enumerate(raw):
            if not isinstance(cwe, str) or not _CWE_ID.match(cwe.strip()):
                raise ExportError(
                    file, f"not a CWE id (CWE-N): {cwe!r}", f"database_specific.cwe_ids[{i}]"
                )
            ids.append(cwe.strip())
    for key in ("aliases", "related"):
        for alias in record.get(key) or []:
            if isinstance(alias, str) and _CWE_ID.match(alias):
                ids.append(alias)
    unique = list(dict.fromkeys(ids))
    return [
        {"descriptions": [{"lang": "en", "description": cwe, "cweId": cwe, "type": "CWE"}]}
        for cwe in unique
    ]


def _severity(score: float) -> str:
    """The CVSS v3/v4 qualitative rating of a base score."""
    if score == 0:
        return "NONE"
    if score < 4:
        return "LOW"
    if score < 7:
        return "MEDIUM"
    if score < 9:
        return "HIGH"
    return "CRITICAL"


def _metrics(value: object, file: str | None) -> list[dict[str, Any]]:
    from pyward._advisory._cvss import base_score

    if value is None:
        return []
    if not isinstance(value, list):
        raise ExportError(file, "expected a list", "severity")
    metrics = []
    for i, sev in enumerate(value):
        where = f"severity[{i}]"
        kind = sev.get("type") if isinstance(sev, Mapping) else None
        vector = sev.get("score") if isinstance(sev, Mapping) else None
        if not isinstance(kind, str) or not isinstance(vector, str):
            raise ExportError(file, "needs string 'type' and 'score'", where)
        if kind == "CVSS_V3":
            key = "cvssV3_1" if vector.startswith("CVSS:3.1/") else "cvssV3_0"
            version = "3.1" if key == "cvssV3_1" else "3.0"
        elif kind == "CVSS_V4":
            key, version = "cvssV4_0", "4.0"
        elif kind == "CVSS_V2":
            key, version = "cvssV2_0", "2.0"
        else:
            continue  # Ubuntu's priorities and other non-CVSS types have no CVE field
        try:
            score = base_score(kind, vector)
        except ValueError as exc:
            raise ExportError(file, f"not a valid {kind} vector: {exc}", f"{where}.score") from None
        metric: dict[str, Any] = {"version": version, "vectorString": vector, "baseScore": score}
        if kind != "CVSS_V2":
            metric["baseSeverity"] = _severity(score)
        metrics.append({"format": "CVSS", key: metric})
    return metrics


def _references(value: object, file: str | None) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise ExportError(file, "missing: a CVE record needs at least one reference", "references")
    by_url: dict[str, list[str]] = {}
    for i, ref in enumerate(value):
        where = f"references[{i}]"
        url = ref.get("url") if isinstance(ref, Mapping) else None
        if not isinstance(url, str) or not url.strip():
            raise ExportError(file, "missing", f"{where}.url")
        kind = ref.get("type")
        tags = by_url.setdefault(url.strip(), [])
        for tag in REFERENCE_TAGS.get(kind, ()) if isinstance(kind, str) else ():
            if tag not in tags:
                tags.append(tag)
    return [{"url": url, "tags": tags} if tags else {"url": url} for url, tags in by_url.items()]


def _credits(value: object, file: str | None) -> list[dict[str, Any]]:
    """OSV credits as CVE credits. Contacts are left out: CVE's credit has no field for
    them, and a CVE record is not the place to publish a finder's address."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ExportError(file, "expected a list", "credits")
    out: list[dict[str, Any]] = []
    for i, credit in enumerate(value):
        where = f"credits[{i}]"
        name = credit.get("name") if isinstance(credit, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise ExportError(file, "missing", f"{where}.name")
        kind = credit.get("type", "OTHER")
        if kind not in CREDIT_TYPES:
            raise ExportError(
                file,
                f"unknown credit type {kind!r} (known: {', '.join(CREDIT_TYPES)})",
                f"{where}.type",
            )
        item = {"lang": "en", "value": name.strip(), "type": CREDIT_TYPES[kind]}
        if item not in out:
            out.append(item)
    return out
