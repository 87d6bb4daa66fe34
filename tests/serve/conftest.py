"""Fixtures of the serve tests: one store over the real PyPA records and one real
uvicorn server on 127.0.0.1 over it, per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from pyward._serve import create_app
from tests.conftest import PYPA_VULNS
from tests.serve._support import db_update, running_server


@pytest.fixture(scope="session")
def pypa_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The store ``pyward db update --source`` builds from the PyPA database copy."""
    return db_update(PYPA_VULNS, tmp_path_factory.mktemp("pypa-store"))


@pytest.fixture(scope="session")
def app(pypa_store: Any) -> FastAPI:
    return create_app(pypa_store)


@pytest.fixture(scope="session")
def server_url(app: FastAPI) -> Iterator[str]:
    with running_server(app) as url:
        yield url


@pytest.fixture
def client(server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server_url, timeout=30, trust_env=False) as c:
        yield c
