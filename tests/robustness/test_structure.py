"""Structured mutations of small real documents of every structured format: each key of
a real entry removed in turn, each value replaced by values of other types.

Every case: no traceback, no internal error; either the document is still acceptable
(exit 0/1: the key was optional), or exit 2 with one error line naming the file and a
key path (never a silent skip: what is read is audited or listed as not audited).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import rtoml

from tests.conftest import CORPUS
from tests.robustness._mutate import TreeCase, tree_cases
from tests.robustness._seeds import (
    EXAMPLE,
    small_cyclonedx,
    small_pipfile,
    small_spdx,
    small_toml,
    small_uv,
)
from tests.robustness._support import assert_one_input_error, run, write


def _toml(doc: Any) -> bytes:
    return rtoml.dumps(doc).encode()


def _json(doc: Any) -> bytes:
    return orjson.dumps(doc)


#: (id, file name, document, roots of the mutations, serialiser)
DOCS: list[
    tuple[str, str, Callable[[], dict[str, Any]], list[tuple[Any, ...]], Callable[[Any], bytes]]
] = [
    ("uv", "uv.lock", small_uv, [(), ("package", 0), ("package", 1)], _toml),
    (
        "poetry-0",
        "poetry.lock",
        lambda: small_toml(CORPUS / "poetry/wemake-python-styleguide-2019/poetry.lock", "package"),
        [(), ("package", 0), ("metadata",)],
        _toml,
    ),
    (
        "poetry-1.1",
        "poetry.lock",
        lambda: small_toml(CORPUS / "poetry/saleor-2020/poetry.lock", "package"),
        [(), ("package", 0), ("metadata",)],
        _toml,
    ),
    (
        "poetry-2.1",
        "poetry.lock",
        lambda: small_toml(CORPUS / "poetry/poetry/poetry.lock", "package"),
        [(), ("package", 0), ("metadata",)],
        _toml,
    ),
    (
        "pdm-4.5",
        "pdm.lock",
        lambda: small_toml(CORPUS / "pdm/pdm/pdm.lock", "package"),
        [(), ("package", 0), ("metadata",)],
        _toml,
    ),
    (
        "pdm-4.2",
        "pdm.lock",
        lambda: small_toml(CORPUS / "pdm/pydantic-2023/pdm.lock", "package"),
        [(), ("package", 0), ("metadata",)],
        _toml,
    ),
    (
        "pylock",
        "pylock.toml",
        lambda: small_toml(CORPUS / "pylock/pdm-demo-fixture/pylock.toml", "packages"),
        [(), ("packages", 0)],
        _toml,
    ),
    (
        "pylock-uv",
        "pylock.toml",
        lambda: small_toml(CORPUS / "pylock/comfy-cli/pylock.toml", "packages"),
        [(), ("packages", 1)],
        _toml,
    ),
    ("pipfile", "Pipfile.lock", small_pipfile, [(), ("_meta",), ("default",)], _json),
    (
        "pyproject",
        "pyproject.toml",
        lambda: rtoml.loads((EXAMPLE / "pyproject.toml").read_text("utf-8")),
        [(), ("project",), ("dependency-groups",)],
        _toml,
    ),
    (
        "cyclonedx",
        "bom.json",
        small_cyclonedx,
        [(), ("components", 0), ("metadata",), ("dependencies", 0)],
        _json,
    ),
    ("spdx", "sbom.spdx.json", small_spdx, [(), ("packages", 1), ("relationships", 0)], _json),
]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Case:
    doc_id: str
    """Which document."""
    name: str
    """File name to write it under."""
    tree: TreeCase
    """The mutation."""
    dump: Callable[[Any], bytes]
    """Its serialiser."""


def _cases() -> list[_Case]:
    return [
        _Case(doc_id=doc_id, name=name, tree=tree, dump=dump)
        for doc_id, name, load, roots, dump in DOCS
        for tree in tree_cases(load(), roots)
    ]


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.doc_id}: {c.tree.id}" for c in CASES])
def test_mutated_document(
    case: _Case, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / case.name, case.dump(case.tree.doc))
    outcome = run(capsys, "audit", path, "-f", "json", "-q", "--cache-dir", store)
    if outcome.code == 2:
        assert_one_input_error(outcome, path)
        return
    assert outcome.code in (0, 1)
    assert outcome.errors == []
    report = json.loads(outcome.out)
    (inventory,) = report["inventories"]
    assert inventory["source"] == str(path)
