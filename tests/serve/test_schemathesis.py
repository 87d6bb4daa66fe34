"""Property-based conformance of the server to its own OpenAPI document (schemathesis),
against the real uvicorn server on 127.0.0.1: valid and invalid requests generated
from the document; every answer must be documented, match its schema and never be a
5xx; data the document forbids must be refused."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pyward._serve import create_app
from tests.serve._support import make_store

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# The document does not depend on the data: take it from an app over an empty store,
# and send the generated requests to the session's server over the real records.
schema = schemathesis.openapi.from_dict(create_app(make_store([])).openapi())


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi_document(case: Any, server_url: str) -> None:
    case.call_and_validate(base_url=server_url, checks=CHECKS)
