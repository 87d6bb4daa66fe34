"""The server answers a purl query whichever way it spells a dotted name (the purl
spec's ``pkg:pypi/zope.interface`` or PEP 503's ``pkg:pypi/zope-interface``), on a real
uvicorn server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from pyward._serve import create_app
from tests.audit.test_purl_spelling import zope_record
from tests.serve._support import make_store, running_server


def _ids(client: httpx.Client, body: object) -> list[str]:
    r = client.post("/v1/query", content=orjson.dumps(body))
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return [v["id"] for v in answer.get("vulns", [])]


@pytest.mark.parametrize(
    "purl", ["pkg:pypi/jw.util@2.2", "pkg:pypi/jw-util@2.2", "pkg:pypi/JW_Util@2.2"]
)
def test_real_dotted_package_either_way(client: httpx.Client, purl: str) -> None:
    assert _ids(client, {"package": {"purl": purl}}) == ["PYSEC-2020-341"]
    assert _ids(client, {"package": {"purl": purl.replace("@2.2", "@2.3")}}) == []


def test_zope_interface_either_way() -> None:
    app = create_app(make_store([zope_record()]))
    with (
        running_server(app) as url,
        httpx.Client(base_url=url, timeout=30, trust_env=False) as client,
    ):
        for purl in ("pkg:pypi/zope.interface@5.0", "pkg:pypi/zope-interface@5.0"):
            assert _ids(client, {"package": {"purl": purl}}) == ["PYSEC-2020-341"], purl
        for name in ("zope.interface", "zope-interface", "Zope_Interface"):
            body = {"package": {"name": name, "ecosystem": "PyPI"}, "version": "5.0"}
            assert _ids(client, body) == ["PYSEC-2020-341"], name
        body = {"package": {"purl": "pkg:pypi/zope.interface@5.1"}}
        assert _ids(client, body) == []
