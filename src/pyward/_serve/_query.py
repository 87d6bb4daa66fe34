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


#: Request bodies: the errors are 400s naming the place in the body.
_WIRE = Wire(None, GOT_JSON, invalid)
_NOT_AN_OBJECT = "expected a JSON object, got {found}"


def parse_query(obj: object, where: str = "") -> Query:
    """Validate one query object (the body of ``/v1/query`` or one batch entry).

    Follows osv.dev's rules: a version comes either from ``version`` or from the purl,
    never both; ``""`` means "no version" (proto3 default); ``page_token`` is
    accepted (every answer here fits one page, so there is never a next one).
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
        name, purl_version = _parse_purl(purl, path(pwhere, "purl"))
        if purl_version is not None:
            if version is not None:
                raise invalid(where or "body", "version specified in params and PURL query")
            version = purl_version
        return Query(name=name, version=version)
    if not name:
        raise invalid(path(pwhere, "name"), "missing")
    if not ecosystem:
        raise invalid(path(pwhere, "ecosystem"), "missing")
    if ecosystem != ECOSYSTEM:
        raise invalid(
            path(pwhere, "ecosystem"),
            f"unknown ecosystem {ecosystem!r}: this server holds {ECOSYSTEM} advisories only",
        )
    return Query(name=name, version=version)


def _parse_purl(purl: str, where: str) -> tuple[str, str | None]:
    # packageurl-python is the reference implementation of the purl spec
    # (https://github.com/package-url/purl-spec); imported here, off the hot path of
    # name+version queries.
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError as exc:
        raise invalid(where, f"invalid package URL: {exc}") from None
    if parsed.type != "pypi":
        raise invalid(
            where,
            f"unknown ecosystem {parsed.type!r}: this server holds {ECOSYSTEM} advisories only",
        )
    return parsed.name, parsed.version or None


def parse_batch(obj: object) -> list[Query]:
    """Validate the body of ``/v1/querybatch``: ``{"queries": [...]}``, at most 1000."""
    obj = _WIRE.check(obj, dict, "body", what=_NOT_AN_OBJECT)
    queries = _WIRE.check(obj.get("queries"), list, "queries", missing="missing")
    if len(queries) > MAX_BATCH:
        raise invalid(
            "queries", f"too many queries: {len(queries)} (at most {MAX_BATCH} per batch)"
        )
    return [parse_query(q, f"queries[{i}]") for i, q in enumerate(queries)]
