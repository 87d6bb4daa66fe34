"""Pydantic models of the API, for its OpenAPI document only.

Requests are parsed by :mod:`pyward._serve._query` and answers are pre-serialised
bytes (see :mod:`pyward._serve._app`); these models describe both precisely so that
clients can be generated from ``/openapi.json`` and schemathesis can check that the
server keeps to it. Field shapes follow the OSV schema
(https://ossf.github.io/osv-schema/) and osv.dev's v1 API.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pyward._serve._query import MAX_BATCH, MAX_NAME, MAX_PURL, MAX_VERSION


class _Open(BaseModel):
    # OSV records may carry fields newer than this description; clients must ignore
    # what they do not know, and so does the document.
    model_config = ConfigDict(extra="allow")


class Package(BaseModel):
    """The package asked about: ``name`` and ``ecosystem``, or a ``purl``, not both."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["name", "ecosystem"], "not": {"required": ["purl"]}},
                {
                    "required": ["purl"],
                    "not": {"anyOf": [{"required": ["name"]}, {"required": ["ecosystem"]}]},
                },
            ]
        }
    )

    name: str = Field(
        default="", min_length=1, max_length=MAX_NAME, description="Package name, any spelling."
    )
    ecosystem: Literal["PyPI"] = Field(
        default="PyPI",
        description=(
            "`PyPI`: the only ecosystem served. In a batch, a query of another ecosystem "
            "gets an empty result (as osv.dev answers each query on its own)."
        ),
    )
    purl: str = Field(
        default="",
        min_length=1,
        max_length=MAX_PURL,
        description="A `pkg:pypi/NAME[@VERSION]` package URL, instead of name and ecosystem.",
    )


class Query(BaseModel):
    """One query: a package at a version, or every record of the package.

    A version comes from ``version`` or from the purl, not both. ``commit`` queries
    (osv.dev's other kind) are answered 400: this server holds PyPI advisories.
    """

    package: Package
    version: str | None = Field(
        default=None,
        max_length=MAX_VERSION,
        description='Version to match; omit (or `""`) for every record.',
    )
    page_token: str | None = Field(
        default=None, description="Accepted; every answer fits one page."
    )


class BatchPackage(Package):
    """A package of a batch query: any ecosystem (or any purl type). A query of another
    ecosystem than PyPI gets an empty result, as osv.dev answers each query on its own."""

    ecosystem: str = Field(  # type: ignore[assignment]
        default="PyPI",
        min_length=1,
        description="`PyPI` is served; any other ecosystem gets an empty result.",
    )
    purl: str = Field(
        default="",
        min_length=1,
        max_length=MAX_PURL,
        description="A package URL; one of another type than `pypi` gets an empty result.",
    )


class BatchItem(Query):
    """One query of a batch."""

    package: BatchPackage


class BatchQuery(BaseModel):
    """Up to 1000 queries, answered in order."""

    queries: list[BatchItem] = Field(max_length=MAX_BATCH)


class Event(_Open):
    introduced: str | None = None
    fixed: str | None = None
    last_affected: str | None = None
    limit: str | None = None


class Range(_Open):
    type: str
    repo: str | None = None
    events: list[Event]


class AffectedPackage(_Open):
    ecosystem: str
    name: str
    purl: str | None = None


class Affected(_Open):
    package: AffectedPackage
    ranges: list[Range] = []
    versions: list[str] = []
    ecosystem_specific: dict[str, Any] | None = None
    database_specific: dict[str, Any] | None = None


class SeverityEntry(_Open):
    type: str
    score: str


class Reference(_Open):
    type: str
    url: str


class Vulnerability(_Open):
    """A full OSV record."""

    id: str
    modified: str
    schema_version: str | None = None
    published: str | None = None
    withdrawn: str | None = None
    aliases: list[str] = []
    related: list[str] = []
    upstream: list[str] = []
    summary: str | None = None
    details: str | None = None
    severity: list[SeverityEntry] = []
    affected: list[Affected] = []
    references: list[Reference] = []
    credits: list[dict[str, Any]] = []
    database_specific: dict[str, Any] | None = None


class VulnerabilityList(BaseModel):
    """Answer of ``/v1/query``: ``{}`` when nothing matches, like osv.dev."""

    vulns: list[Vulnerability] | None = Field(
        default=None, description="Absent when no record matches."
    )
    next_page_token: str | None = Field(default=None, description="Never set: one page.")


class VulnerabilityId(BaseModel):
    """What a batch answers per record: fetch the record with ``GET /v1/vulns/{id}``."""

    id: str
    modified: str


class BatchResult(BaseModel):
    vulns: list[VulnerabilityId] | None = Field(
        default=None, description="Absent when no record matches."
    )
    next_page_token: str | None = None


class BatchVulnerabilityList(BaseModel):
    """Answer of ``/v1/querybatch``: one result per query, in order."""

    results: list[BatchResult]


class Error(BaseModel):
    """OSV-style error: the gRPC status code and a message naming the bad field."""

    code: int = Field(description="gRPC status code: 3 invalid argument, 5 not found...")
    message: str


class Health(BaseModel):
    """The data being served, and how fresh it is."""

    status: str = Field(description="`ok`.")
    source: str = Field(description="Where the data came from (URL, path, built-in snapshot).")
    snapshot: bool = Field(description="True when serving the snapshot built into pyward.")
    record_count: int
    newest_modified: str | None = Field(description="Newest `modified` among the records.")
    updated: str = Field(description="When the store was last filled (RFC 3339).")
    age_days: float = Field(description="Age of the data in days (from `newest_modified`).")
