"""The OSV v1 API in process, over the real PyPA records: answers and errors."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import jsonschema
import orjson
import pytest

from tests.conftest import SCHEMAS

REQUESTS_2_19 = ["PYSEC-2018-28", "PYSEC-2023-74"]
AIOHTTP_3_7_3 = [
    "PYSEC-2021-76",
    "PYSEC-2023-120",
    "PYSEC-2023-246",
    "PYSEC-2023-247",
    "PYSEC-2023-250",
    "PYSEC-2023-251",
    "PYSEC-2024-24",
    "PYSEC-2024-26",
]
REQUESTS_ALL = ["PYSEC-2014-13", "PYSEC-2014-14", "PYSEC-2015-17", "PYSEC-2018-28", "PYSEC-2023-74"]


def _post(client: httpx.Client, path: str, body: object) -> Any:
    return client.post(path, content=orjson.dumps(body))


def _ids(answer: dict[str, Any]) -> list[str]:
    return [v["id"] for v in answer.get("vulns", [])]


def _error(response: Any, status: int, code: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": code, "message": message}


# -- /v1/query -------------------------------------------------------------------------


def test_query_by_name_and_version_answers_full_records(
    client: httpx.Client, pypa_store: Any
) -> None:
    r = _post(
        client,
        "/v1/query",
        {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.19.0"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    answer = r.json()
    assert list(answer) == ["vulns"]
    assert _ids(answer) == REQUESTS_2_19
    # Full records, exactly as the store holds them.
    assert answer["vulns"] == [pypa_store.record(i) for i in REQUESTS_2_19]
    assert answer["vulns"][0]["aliases"] == ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"]


def test_query_is_the_stores_matching(client: httpx.Client, pypa_store: Any) -> None:
    # Every spelling, and the same answer as the store's `matches` (the audit's code).
    for name in ("aiohttp", "AIOHTTP", "Aiohttp"):
        r = _post(
            client,
            "/v1/query",
            {"package": {"name": name, "ecosystem": "PyPI"}, "version": "3.7.3"},
        )
        assert _ids(r.json()) == AIOHTTP_3_7_3
    assert [m.advisory_id for m in pypa_store.matches("aiohttp", "3.7.3")] == AIOHTTP_3_7_3


def test_query_without_match_is_an_empty_object(client: httpx.Client) -> None:
    r = _post(
        client,
        "/v1/query",
        {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.32.3"},
    )
    assert r.status_code == 200
    assert r.content == b"{}"
    r = _post(
        client,
        "/v1/query",
        {"package": {"name": "no-such-package-xyz", "ecosystem": "PyPI"}, "version": "1"},
    )
    assert r.content == b"{}"


def test_query_without_version_lists_every_record_of_the_package(client: httpx.Client) -> None:
    for body in (
        {"package": {"name": "requests", "ecosystem": "PyPI"}},
        {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": ""},
        {"package": {"purl": "pkg:pypi/requests"}, "page_token": "anything"},
    ):
        assert _ids(_post(client, "/v1/query", body).json()) == REQUESTS_ALL


def test_query_by_purl(client: httpx.Client) -> None:
    r = _post(client, "/v1/query", {"package": {"purl": "pkg:pypi/requests@2.19.0"}})
    assert _ids(r.json()) == REQUESTS_2_19
    r = _post(client, "/v1/query", {"package": {"purl": "pkg:pypi/requests"}, "version": "2.19.0"})
    assert _ids(r.json()) == REQUESTS_2_19


def test_answers_are_valid_osv(client: httpx.Client) -> None:
    schema = json.loads((SCHEMAS / "osv-schema.json").read_text())
    r = _post(
        client,
        "/v1/query",
        {"package": {"name": "django", "ecosystem": "PyPI"}, "version": "3.2.0"},
    )
    vulns = r.json()["vulns"]
    assert len(vulns) == 25
    for record in vulns:
        jsonschema.validate(record, schema)


# -- /v1/querybatch --------------------------------------------------------------------


def test_querybatch_answers_ids_and_modified_in_order(
    client: httpx.Client, pypa_store: Any
) -> None:
    body = {
        "queries": [
            {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.19.0"},
            {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.32.3"},
            {"package": {"purl": "pkg:pypi/jinja2@2.10"}},
            {"package": {"name": "requests", "ecosystem": "PyPI"}},
        ]
    }
    r = _post(client, "/v1/querybatch", body)
    assert r.status_code == 200
    modified = {
        i: pypa_store.record(i)["modified"]
        for i in [*REQUESTS_ALL, "PYSEC-2019-217", "PYSEC-2021-66"]
    }
    assert r.json() == {
        "results": [
            {"vulns": [{"id": i, "modified": modified[i]} for i in REQUESTS_2_19]},
            {},
            {
                "vulns": [
                    {"id": i, "modified": modified[i]} for i in ("PYSEC-2019-217", "PYSEC-2021-66")
                ]
            },
            {"vulns": [{"id": i, "modified": modified[i]} for i in REQUESTS_ALL]},
        ]
    }
    assert modified["PYSEC-2018-28"] == "2021-06-16T00:03:24.800813Z"


def test_querybatch_of_1000_is_answered(client: httpx.Client) -> None:
    query = {"package": {"name": "flask", "ecosystem": "PyPI"}, "version": "0.12"}
    r = _post(client, "/v1/querybatch", {"queries": [query] * 1000})
    results = r.json()["results"]
    assert len(results) == 1000
    assert {tuple(v["id"] for v in res["vulns"]) for res in results} == {
        ("PYSEC-2018-66", "PYSEC-2019-179", "PYSEC-2023-62")
    }
    assert _post(client, "/v1/querybatch", {"queries": []}).json() == {"results": []}


def test_querybatch_answers_other_ecosystems_with_no_records(
    client: httpx.Client, pypa_store: Any
) -> None:
    # osv.dev answers each query of a batch on its own (issue 11, item 11).
    body = {
        "queries": [
            {"package": {"name": "left-pad", "ecosystem": "npm"}, "version": "1.0.0"},
            {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.19.0"},
            {"package": {"purl": "pkg:npm/requests@2.19.0"}},
            {"package": {"name": "requests", "ecosystem": "pypi"}, "version": "2.19.0"},
        ]
    }
    r = _post(client, "/v1/querybatch", body)
    assert r.status_code == 200
    modified = {i: pypa_store.record(i)["modified"] for i in REQUESTS_2_19}
    assert r.json() == {
        "results": [
            {},
            {"vulns": [{"id": i, "modified": modified[i]} for i in REQUESTS_2_19]},
            {},
            {},
        ]
    }


# -- /v1/vulns/{id} --------------------------------------------------------------------


def test_vulns_by_id(client: httpx.Client, pypa_store: Any) -> None:
    r = client.get("/v1/vulns/PYSEC-2023-74")
    assert r.status_code == 200
    assert r.json() == pypa_store.record("PYSEC-2023-74")
    assert r.json()["aliases"] == ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]
    _error(client.get("/v1/vulns/PYSEC-1999-1"), 404, 5, "PYSEC-1999-1: no such record")


# -- /health, OpenAPI ------------------------------------------------------------------


def test_health_reports_the_data(client: httpx.Client, pypa_store: Any) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["source"] == pypa_store.info.source
    assert body["record_count"] == pypa_store.info.record_count == 2661
    assert body["newest_modified"] == "2024-10-10T17:22:00.587279Z"
    assert body["snapshot"] is False
    assert body["age_days"] == pytest.approx(pypa_store.info.age_days(), abs=0.01)


def test_openapi_document_describes_the_api(client: httpx.Client) -> None:
    doc = client.get("/openapi.json").json()
    assert set(doc["paths"]) == {"/v1/query", "/v1/querybatch", "/v1/vulns/{vuln_id}", "/health"}
    query = doc["paths"]["/v1/query"]["post"]
    assert query["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Query"
    }
    assert set(query["responses"]) == {"200", "400", "413"}
    schemas = doc["components"]["schemas"]
    assert {
        "Query",
        "BatchQuery",
        "Package",
        "VulnerabilityList",
        "BatchVulnerabilityList",
        "Error",
    } <= set(schemas)
    assert schemas["BatchQuery"]["properties"]["queries"]["maxItems"] == 1000
    # Interactive docs would load scripts from a CDN: not served.
    assert client.get("/docs").status_code == 404


# -- errors: always a 4xx with an OSV-style body, never a 500 ----------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "body: empty; expected a JSON object"),
        (
            b"{not json",
            "body: malformed JSON: unexpected character, expected a string key: "
            "line 1 column 2 (char 1)",
        ),
        (b"[]", "body: expected a JSON object, got an array"),
        (b"{}", "package: missing"),
        (b'{"package": "requests"}', "package: expected an object, got a string"),
        (b'{"package": {"ecosystem": "PyPI"}, "version": "1"}', "package.name: missing"),
        (b'{"package": {"name": "requests"}, "version": "1"}', "package.ecosystem: missing"),
        (
            b'{"package": {"name": "left-pad", "ecosystem": "npm"}, "version": "1"}',
            "package.ecosystem: unknown ecosystem 'npm': this server holds PyPI advisories only",
        ),
        (
            b'{"package": {"name": "requests", "ecosystem": "PyPI"}, "version": 2}',
            "version: expected a string, got a number",
        ),
        (
            b'{"package": {"purl": "pkg:pypi/requests@2.19.0"}, "version": "2.19.0"}',
            "body: version specified in params and PURL query",
        ),
        (
            b'{"package": {"purl": "pkg:npm/left-pad@1.0.0"}}',
            "package.purl: unknown ecosystem 'npm': this server holds PyPI advisories only",
        ),
        (
            b'{"package": {"purl": "pypi/requests"}}',
            "package.purl: invalid package URL: "
            "purl is missing the required \"pkg\" scheme component: 'pypi/requests'.",
        ),
        (
            b'{"package": {"purl": "pkg:pypi/requests", "name": "requests"}}',
            "package: give either a purl or a name and ecosystem, not both (as osv.dev)",
        ),
        (
            b'{"commit": "6879efc2c1596d11a6a6ad296f80063b558d5e0f"}',
            "commit: commit queries are not supported: this server holds PyPI advisories; "
            "query by package and version",
        ),
    ],
)
def test_bad_query_is_a_400_naming_the_field(
    client: httpx.Client, body: bytes, message: str
) -> None:
    _error(client.post("/v1/query", content=body), 400, 3, message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{}", "queries: missing"),
        (b'{"queries": {}}', "queries: expected an array, got an object"),
        (
            b'{"queries": [{"package": {"name": "a", "ecosystem": "PyPI"}},'
            b' {"package": {"name": "b"}}]}',
            "queries[1].package.ecosystem: missing",
        ),
        (b'{"queries": [7]}', "queries[0]: expected a JSON object, got a number"),
    ],
)
def test_bad_batch_is_a_400_naming_the_entry(
    client: httpx.Client, body: bytes, message: str
) -> None:
    _error(client.post("/v1/querybatch", content=body), 400, 3, message)


def test_batch_over_1000_is_refused(client: httpx.Client) -> None:
    query = {"package": {"name": "flask", "ecosystem": "PyPI"}, "version": "0.12"}
    r = _post(client, "/v1/querybatch", {"queries": [query] * 1001})
    _error(r, 400, 3, "queries: too many queries: 1001 (at most 1000 per batch)")


def test_body_over_1_mib_is_refused(client: httpx.Client) -> None:
    big = b'{"queries": [], "pad": "' + b"x" * (1024 * 1024) + b'"}'
    _error(
        client.post("/v1/querybatch", content=big), 413, 3, "request body larger than 1048576 bytes"
    )

    # Without Content-Length (chunked): counted while streaming.
    def chunks() -> Any:
        for _ in range(20):
            yield b" " * 65536

    r = client.post("/v1/query", content=chunks())
    assert "content-length" not in r.request.headers
    _error(r, 413, 3, "request body larger than 1048576 bytes")


def test_body_over_1_mib_is_refused_before_it_is_sent(server_url: str) -> None:
    # A raw socket: announce 2 MB, send nothing, and get the refusal right away.
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /v1/querybatch HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
        data = b""
        while b"}" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert orjson.loads(body) == {"code": 3, "message": "request body larger than 1048576 bytes"}


def test_wrong_method_and_unknown_path(client: httpx.Client) -> None:
    r = client.get("/v1/query")
    _error(r, 405, 12, "Method Not Allowed")
    assert r.headers["allow"] == "POST"
    _error(client.delete("/v1/vulns/PYSEC-2023-74"), 405, 12, "Method Not Allowed")
    _error(client.post("/health"), 405, 12, "Method Not Allowed")
    _error(client.get("/v2/query"), 404, 5, "Not Found")
    _error(client.get("/"), 404, 5, "Not Found")
