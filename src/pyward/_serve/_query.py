"""The wire side of OSV's v1 query API: parse request bodies into queries, and the
OSV-style error every bad request gets.

Bodies are parsed with orjson and checked here by hand rather than by pydantic: the
pydantic models in :mod:`pyward._serve._models` document the API (OpenAPI), but
validating a 1000-query batch through them costs more than the lookups themselves,
and their errors are not the ``{"code", "message"}`` body that osv.dev answers.
See https://google.github.io/osv.dev/api/ for the API being mirrored.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyward._wire import GOT_JSON, Wire, path

#: osv.dev answers errors with the gRPC status code of the failure
#: (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
GRPC_INVALID_ARGUMENT = 3
GRPC_NOT_FOUND = 5
GRPC_UNIMPLEMENTED = 12
GRPC_INTERNAL = 13

#: osv.dev's own limit on ``/v1/querybatch``.
MAX_BATCH = 1000
#: Largest request body accepted. A 1000-query batch of long names is ~150 KiB.
MAX_BODY = 1024 * 1024

ECOSYSTEM = "PyPI"

#: Longest package name, version and record id accepted (a 400 beyond). Real ones are
#: far shorter; without a cap a client could make the server hash, match and cache
#: megabyte-long keys (issue 12, item 2), and a version of more than 4300 digits
#: would overflow Python's limit on integer conversion in the matcher (item 1).
MAX_NAME = 256
MAX_VERSION = 256
MAX_ID = 256
#: Longest package URL: a name, a version, qualifiers and the ``pkg:pypi/`` prefix.
MAX_PURL = 1024


class ApiError(Exception):
    """A request the API refuses: the HTTP status and the OSV-style error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(where: str, what: str) -> ApiError:
    """A 400 naming the place in the body (``queries[3].package.name: missing``)."""
    return ApiError(400, GRPC_INVALID_ARGUMENT, f"{where}: {what}" if where else what)


@dataclass(frozen=True, slots=True, kw_only=True)
class Query:
    """One package query, validated."""

    name: str
    """The package name as sent (the store normalises any spelling)."""
    version: str | None
    """The version to match; ``None`` asks for every record naming the package."""
    ecosystem: str = ECOSYSTEM
    """The ecosystem asked about: a batch may ask about others (osv.dev answers each
    query on its own), which have no records here."""


def capped(value: str, limit: int, where: str) -> str:
    """``value``, or a 400 naming ``where`` when it is longer than ``limit``."""
    if len(value) > limit:
        raise invalid(where, f"too long: {len(value)} characters (at most {limit})")
    return value


#: Request bodies: the errors are 400s naming the place in the body.
_WIRE = Wire(None, GOT_JSON, invalid)
_NOT_AN_OBJECT = "expected a JSON object, got {found}"


def parse_query(obj: object, where: str = "", *, any_ecosystem: bool = False) -> Query:
    """Validate one query object (the body of ``/v1/query`` or one batch entry).

    Follows osv.dev's rules: a version comes either from ``version`` or from the purl,
    never both; ``""`` means "no version" (proto3 default); ``page_token`` is
    accepted (every answer here fits one page, so there is never a next one).
    ``any_ecosystem``: accept other ecosystems than PyPI (a batch entry) instead of
    refusing them.
    """
    w = _WIRE
    obj = w.check(obj, dict, where or "body", what=_NOT_AN_OBJECT)
    if obj.get("commit"):
        raise invalid(
            path(where, "commit"),
            "commit queries are not supported: this server holds PyPI advisories; "
            "query by package and version",
        )
    version = w.opt(obj.get("version"), str, where, "version") or None
    if version is not None:
        capped(version, MAX_VERSION, path(where, "version"))
    w.opt(obj.get("page_token"), str, where, "page_token")
    package = w.check(obj.get("package"), dict, where, "package", missing="missing")
    pwhere = path(where, "package")
    name = w.opt(package.get("name"), str, pwhere, "name")
    ecosystem = w.opt(package.get("ecosystem"), str, pwhere, "ecosystem")
    purl = w.opt(package.get("purl"), str, pwhere, "purl")
    if purl:
        if name or ecosystem:
            raise invalid(
                pwhere, "give either a purl or a name and ecosystem, not both (as osv.dev)"
            )
        purl_where = path(pwhere, "purl")
        ecosystem, name, purl_version = _parse_purl(purl, purl_where, any_ecosystem)
        capped(name, MAX_NAME, path(purl_where, "name"))
        if purl_version is not None:
            capped(purl_version, MAX_VERSION, path(purl_where, "version"))
            if version is not None:
                raise invalid(where or "body", "version specified in params and PURL query")
            version = purl_version
        return Query(name=name, version=version, ecosystem=ecosystem)
    if not name:
        raise invalid(path(pwhere, "name"), "missing")
    capped(name, MAX_NAME, path(pwhere, "name"))
    if not ecosystem:
        raise invalid(path(pwhere, "ecosystem"), "missing")
    if ecosystem != ECOSYSTEM and not any_ecosystem:
        raise invalid(
            path(pwhere, "ecosystem"),
            f"unknown ecosystem {ecosystem!r}: this server holds {ECOSYSTEM} advisories only",
        )
    return Query(name=name, version=version, ecosystem=ecosystem)


def _parse_purl(purl: str, where: str, any_ecosystem: bool) -> tuple[str, str, str | None]:
    """(ecosystem, name, version) of a package URL; the ecosystem is ``PyPI`` for
    ``pkg:pypi/``, else the purl's type."""
    capped(purl, MAX_PURL, where)
    # packageurl-python is the reference implementation of the purl spec
    # (https://github.com/package-url/purl-spec); imported here, off the hot path of
    # name+version queries.
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError as exc:
        raise invalid(where, f"invalid package URL: {exc}") from None
    if parsed.type != "pypi":
        if not any_ecosystem:
            raise invalid(
                where,
                f"unknown ecosystem {parsed.type!r}: this server holds {ECOSYSTEM} advisories only",
            )
        return parsed.type, parsed.name, parsed.version or None
    return ECOSYSTEM, parsed.name, parsed.version or None


def parse_batch(obj: object) -> list[Query]:
    """Validate the body of ``/v1/querybatch``: ``{"queries": [...]}``, at most 1000.
    Queries of other ecosystems are accepted (answered with no records), as osv.dev
    answers each query of a batch on its own."""
    obj = _WIRE.check(obj, dict, "body", what=_NOT_AN_OBJECT)
    queries = _WIRE.check(obj.get("queries"), list, "queries", missing="missing")
    if len(queries) > MAX_BATCH:
        raise invalid(
            "queries", f"too many queries: {len(queries)} (at most {MAX_BATCH} per batch)"
        )
    return [parse_query(q, f"queries[{i}]", any_ecosystem=True) for i, q in enumerate(queries)]
