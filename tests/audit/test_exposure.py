"""Exposure: the shipped list and trove classifiers."""

from __future__ import annotations

from pyward._audit._exposure import curated, exposure
from pyward._inventory import _uvlock
from pyward._model import Component, canonical_name
from tests.conftest import CORPUS


def test_curated_list() -> None:
    table = curated()
    assert len(table) == 129
    assert all(name == canonical_name(name) for name in table)
    assert {
        n: table[n]
        for n in ("django", "gunicorn", "requests", "pyyaml", "jinja2", "python-multipart")
    } == {
        "django": "web framework",
        "gunicorn": "web server",
        "requests": "network client",
        "pyyaml": "untrusted-input parser",
        "jinja2": "template engine",
        "python-multipart": "untrusted-input parser",
    }


def test_classifiers_from_metadata() -> None:
    web = Component(
        name="my-web-plugin",
        version="1.0",
        metadata={"classifiers": "Programming Language :: Python\nFramework :: Django :: 4.2\n"},
    )
    assert exposure(web) == "web framework"
    server = Component(
        name="srv",
        version="1",
        metadata={"classifiers": "Topic :: Internet :: WWW/HTTP :: HTTP Servers"},
    )
    assert exposure(server) == "web server"
    # A prefix must end at a classifier boundary.
    other = Component(
        name="x", version="1", metadata={"classifiers": "Framework :: Djangoish\nTopic :: Internet"}
    )
    assert exposure(other) is None
    assert exposure(Component(name="attrs", version="23.1.0")) is None


def test_exposed_packages_of_a_real_lock() -> None:
    inv = _uvlock.read(CORPUS / "uv" / "litestar-2024" / "uv.lock")
    exposed = sorted(c.name for c in inv.components if exposure(c) is not None)
    assert exposed == [
        "beautifulsoup4", "cryptography", "daphne", "dnspython", "email-validator", "h11", "h2",
        "hpack", "html5lib", "httpcore", "httpx", "hypercorn", "jinja2", "mako", "markupsafe",
        "msgpack", "pyasn1", "pyjwt", "pyopenssl", "pyyaml", "requests", "ruamel-yaml",
        "starlette", "tornado", "twisted", "urllib3", "uvicorn", "websockets", "wsproto",
    ]  # fmt: skip
