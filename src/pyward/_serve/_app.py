"""The ASGI application: OSV's v1 API over the local advisory store.

Compatible with osv.dev (https://google.github.io/osv.dev/api/) as the real clients use
it (uv ``audit --service-url``, pip-audit ``-s osv --osv-url``, pysentry-rs
``--service-url``): ``POST /v1/query``, ``POST /v1/querybatch``,
``GET /v1/vulns/{id}``, plus ``GET /health`` and ``/openapi.json``.

The matching is the store's own (:meth:`AdvisoryData.matches`), the code
``pyward audit`` runs: there is no second matcher here. The hot path avoids per-request
pydantic work: bodies are parsed with orjson, records are serialised once into a
bounded cache (see :class:`Limits`) and answers are joined from those bytes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from typing import TYPE_CHECKING, Any, Protocol

import anyio.to_thread
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

import pyward._serve._models as models
from pyward import __version__
from pyward._model import canonical_name
from pyward._serve._cache import Bound, BoundedCache
from pyward._serve._query import (
    ECOSYSTEM,
    GRPC_INTERNAL,
    GRPC_INVALID_ARGUMENT,
    GRPC_NOT_FOUND,
    GRPC_UNIMPLEMENTED,
    MAX_BODY,
    MAX_ID,
    ApiError,
    Query,
    capped,
    invalid,
    parse_batch,
    parse_query,
)
from pyward.errors import PywardError

if TYPE_CHECKING:
    from pyward._advisory._types import AdvisoryId, Match, StoreInfo

log = logging.getLogger("pyward.serve")

JSON = "application/json"
#: Batches larger than this are answered in a worker thread so that one big batch
#: does not hold up the small requests queued behind it on the event loop.
_THREAD_BATCH = 64


#: Default bounds of the caches: room for every PyPI record's serialised forms and for
#: the (name, version) pairs of many lock files, a fixed ceiling whatever clients send.
MEMO_BOUND = Bound(entries=1 << 16, bytes=16 << 20)
RECORDS_BOUND = Bound(entries=1 << 14, bytes=64 << 20)


class ServedData(Protocol):
    """What the API needs of its data: a part of
    :class:`~pyward._advisory._types.AdvisoryData` (any store has it), so that several
    stores can stand behind one API (:class:`pyward._serve._sources.MergedData`). A
    ``refresh() -> bool`` method, when there is one, is called to pick up new data."""

    @property
    def info(self) -> StoreInfo: ...

    def matches(
        self, name: str, version: str, *, among: Collection[str] | None = None
    ) -> list[Match]: ...

    def record(self, advisory_id: str) -> dict[str, Any] | None: ...

    def ids_for_package(self, name: str) -> list[AdvisoryId]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds of the server's caches (documented in docs/serve.md)."""

    memo: Bound = MEMO_BOUND
    """Matching ids by (name, version): bytes of the name, version and ids."""
    records: Bound = RECORDS_BOUND
    """Serialised records by id: bytes of the id and the serialised forms."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Record:
    """One record, serialised once."""

    modified: str
    """The record's ``modified`` timestamp."""
    full: bytes
    """The whole OSV record as JSON (``/v1/query``, ``/v1/vulns/{id}``)."""
    brief: bytes
    """``{"id": ..., "modified": ...}`` (``/v1/querybatch``)."""


_MemoKey = tuple[str, str | None]


def _memo_size(key: _MemoKey, ids: tuple[str, ...]) -> int:
    return len(key[0]) + len(key[1] or "") + sum(len(i) for i in ids)


def _record_size(advisory_id: str, rec: _Record | None) -> int:
    if rec is None:
        return len(advisory_id)
    return len(advisory_id) + len(rec.modified) + len(rec.full) + len(rec.brief)


@dataclass(slots=True, kw_only=True)
class _Generation:
    """Caches valid for one opening of the store; replaced whole when it is reopened,
    so an answer computed from the old data can never land in the new caches."""

    limits: Limits
    """The bounds of the caches below."""
    records: BoundedCache[str, _Record | None] = field(init=False)
    """Serialised records by id (``None``: the store has no such record)."""
    memo: BoundedCache[_MemoKey, tuple[str, ...]] = field(init=False)
    """Matching ids by (normalised name, version)."""

    def __post_init__(self) -> None:
        self.records = BoundedCache(self.limits.records, _record_size)
        self.memo = BoundedCache(self.limits.memo, _memo_size)


class Service:
    """The API's logic over one store, independent of the web framework."""

    def __init__(
        self, store: ServedData, *, refresh_interval: float = 0.5, limits: Limits = Limits()
    ) -> None:
        self.store = store
        self.refresh_interval = refresh_interval
        self.limits = limits
        self._generation = _Generation(limits=limits)
        self._next_refresh = 0.0
        self._refresh_lock = threading.Lock()

    # -- freshness ---------------------------------------------------------------

    def maybe_refresh(self) -> None:
        """Pick up a ``pyward db update`` without a restart: one ``stat`` at most
        every ``refresh_interval`` seconds. Requests in flight keep the generation
        they started with."""
        now = time.monotonic()
        if now < self._next_refresh:
            return
        refresh: Callable[[], bool] | None = getattr(self.store, "refresh", None)
        if refresh is None or not self._refresh_lock.acquire(blocking=False):
            return
        try:
            self._next_refresh = now + self.refresh_interval
            if refresh():
                self._generation = _Generation(limits=self.limits)
                log.info("advisory store reopened: %s records", self.store.info.record_count)
        finally:
            self._refresh_lock.release()

    # -- lookups -----------------------------------------------------------------

    @property
    def generation(self) -> _Generation:
        """The caches in use (tests look at their bounds)."""
        return self._generation

    def _record(self, gen: _Generation, advisory_id: str) -> _Record | None:
        cached, found = gen.records.get(advisory_id)
        if cached:
            return found
        data = self.store.record(advisory_id)
        rec: _Record | None = None
        if data is not None:
            modified = str(data.get("modified", ""))
            rec = _Record(
                modified=modified,
                full=orjson.dumps(data),
                brief=orjson.dumps({"id": data.get("id", advisory_id), "modified": modified}),
            )
        gen.records.put(advisory_id, rec)
        return rec

    def _ids(self, gen: _Generation, query: Query) -> tuple[str, ...]:
        key = (canonical_name(query.name), query.version)
        _, memo = gen.memo.get(key)
        if memo is not None:
            return memo
        try:
            if query.version is None:
                found: Sequence[str] = self.store.ids_for_package(query.name)
            else:
                found = [m.advisory_id for m in self.store.matches(query.name, query.version)]
        except PywardError as exc:
            raise ApiError(400, GRPC_INVALID_ARGUMENT, str(exc)) from None
        ids = tuple(dict.fromkeys(found))  # one entry per record, in the store's order
        gen.memo.put(key, ids)
        return ids

    def _records(self, gen: _Generation, query: Query) -> list[_Record]:
        if query.ecosystem != ECOSYSTEM:
            return []  # a batch entry of another ecosystem: no records here
        out = []
        for advisory_id in self._ids(gen, query):
            rec = self._record(gen, advisory_id)
            if rec is None:
                # The index names a record the store cannot produce: say so in the
                # log rather than answer with a hole.
                log.warning("record %s matched %s but is missing", advisory_id, query.name)
                continue
            out.append(rec)
        return out

    def query(self, query: Query) -> bytes:
        """``/v1/query``: ``{"vulns": [full records]}``, or ``{}`` like osv.dev."""
        return _vuln_list([r.full for r in self._records(self._generation, query)])

    def batch(self, queries: Sequence[Query]) -> bytes:
        """``/v1/querybatch``: one ``{"vulns": [{id, modified}]}`` or ``{}`` per query."""
        gen = self._generation
        parts = [_vuln_list([r.brief for r in self._records(gen, q)]) for q in queries]
        return b'{"results":[' + b",".join(parts) + b"]}"

    def vuln(self, advisory_id: str) -> bytes:
        """``/v1/vulns/{id}``: the full record (withdrawn ones too, like osv.dev)."""
        capped(advisory_id, MAX_ID, "id")
        rec = self._record(self._generation, advisory_id)
        if rec is None:
            raise ApiError(404, GRPC_NOT_FOUND, f"{advisory_id}: no such record")
        return rec.full

    def health(self) -> bytes:
        info = self.store.info
        updated = info.updated
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=timezone.utc)
        return orjson.dumps(
            {
                "status": "ok",
                "source": info.source,
                "snapshot": info.snapshot,
                "record_count": info.record_count,
                "newest_modified": info.newest_modified,
                "updated": updated.isoformat().replace("+00:00", "Z"),
                "age_days": round(info.age_days(), 3),
            }
        )


def _vuln_list(items: list[bytes]) -> bytes:
    """``{"vulns": [items]}`` joined from serialised items; ``{}`` for none, as osv.dev."""
    if not items:
        return b"{}"
    return b'{"vulns":[' + b",".join(items) + b"]}"


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit``: from
    ``Content-Length`` before reading anything, else while counting streamed bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise invalid("Content-Length", f"not a number: {declared!r}") from None
        if size > limit:
            raise _too_large(limit)
    chunks = []
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise _Disconnected(received) from None
    return b"".join(chunks)


class _Disconnected(Exception):
    """The client went away before sending the whole body: nobody to answer, and no
    fault of the server (issue 12, item 13: logged as one line, not a traceback)."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


def _too_large(limit: int) -> ApiError:
    return ApiError(413, GRPC_INVALID_ARGUMENT, f"request body larger than {limit} bytes")


def _loads(body: bytes) -> object:
    if not body:
        raise invalid("body", "empty; expected a JSON object")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise invalid("body", f"malformed JSON: {exc}") from None


def _json(content: bytes, status: int = 200) -> Response:
    return Response(content=content, status_code=status, media_type=JSON)


def _error(status: int, code: int, message: str) -> Response:
    return _json(orjson.dumps({"code": code, "message": message}), status)


def _responses(*codes: int, ok: type[Any] | None = None) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    if ok is not None:
        out[200] = {"model": ok, "description": "OK"}
    reasons = {400: "Invalid request", 404: "No such record", 413: "Request body too large"}
    for c in codes:
        out[c] = {"model": models.Error, "description": reasons[c]}
    return out


def _request_body(model: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{model}"}}},
        }
    }


def create_app(
    store: ServedData, *, refresh_interval: float = 0.5, limits: Limits = Limits()
) -> FastAPI:
    """The API over ``store``. ``refresh_interval``: seconds between checks for a
    replaced store file (0: every request); ``limits``: the bounds of its caches."""
    service = Service(store, refresh_interval=refresh_interval, limits=limits)
    app = FastAPI(
        title="pyward OSV-compatible API",
        version=__version__,
        description=(
            "OSV v1 API (query, querybatch, vulns) over a local pyward advisory store "
            "of PyPI advisories."
        ),
        # The interactive docs load their scripts from a CDN, which an air-gapped
        # network cannot reach; the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        # osv.dev answers unknown paths 404; a redirect is not an OSV answer.
        redirect_slashes=False,
    )
    app.state.service = service

    @app.post(
        "/v1/query",
        summary="Vulnerabilities of one package version (or of every version)",
        response_class=Response,
        responses=_responses(400, 413, ok=models.VulnerabilityList),
        openapi_extra=_request_body("Query"),
    )
    async def query(request: Request) -> Response:
        query = parse_query(_loads(await read_body(request)))
        service.maybe_refresh()
        return _json(service.query(query))

    @app.post(
        "/v1/querybatch",
        summary="Ids of the vulnerabilities of up to 1000 package versions",
        response_class=Response,
        responses=_responses(400, 413, ok=models.BatchVulnerabilityList),
        openapi_extra=_request_body("BatchQuery"),
    )
    async def querybatch(request: Request) -> Response:
        queries = parse_batch(_loads(await read_body(request)))
        service.maybe_refresh()
        if len(queries) > _THREAD_BATCH:
            return _json(await anyio.to_thread.run_sync(service.batch, queries))
        return _json(service.batch(queries))

    @app.get(
        "/v1/vulns/{vuln_id}",
        summary="One OSV record by id",
        response_class=Response,
        responses=_responses(400, 404, ok=models.Vulnerability),
    )
    async def vuln(vuln_id: str) -> Response:
        service.maybe_refresh()
        return _json(service.vuln(vuln_id))

    @app.get(
        "/health",
        summary="Liveness and the freshness of the data served",
        response_class=Response,
        responses=_responses(ok=models.Health),
    )
    async def health() -> Response:
        service.maybe_refresh()
        return _json(service.health())

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> Response:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(_Disconnected)
    async def disconnected(request: Request, exc: _Disconnected) -> Response:
        client = f"{request.client.host}:{request.client.port}" if request.client else "client"
        log.info(
            "%s disconnected before sending the whole request body (%d bytes received)",
            client,
            exc.received,
        )
        # Goes nowhere (the connection is closed); 400 for the access log.
        return _error(400, GRPC_INVALID_ARGUMENT, "client disconnected")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        # Unknown paths, wrong methods: the same error body as everything else.
        code = {404: GRPC_NOT_FOUND, 405: GRPC_UNIMPLEMENTED}.get(
            exc.status_code, GRPC_INVALID_ARGUMENT
        )
        response = _error(exc.status_code, code, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(400, GRPC_INVALID_ARGUMENT, f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> Response:
        # A bug of ours: logged with its traceback, answered in the API's error shape.
        log.error("internal error", exc_info=exc)
        return _error(500, GRPC_INTERNAL, f"internal error: {type(exc).__name__}")

    app.openapi = _openapi_builder(app)  # type: ignore[method-assign]
    return app


def _openapi_builder(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's document, plus the request models: the routes parse their bodies
    themselves (see the module docstring), so FastAPI does not know them."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi
        from pydantic.json_schema import models_json_schema

        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        _, defs = models_json_schema(
            [(models.Query, "validation"), (models.BatchQuery, "validation")],
            ref_template="#/components/schemas/{model}",
        )
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in defs.get("$defs", {}).items():
            schemas.setdefault(name, schema)
        app.openapi_schema = doc
        return doc

    return build
