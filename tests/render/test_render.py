"""Every registered renderer over every report: snapshots and schema validation.

Snapshots live in ``tests/render/snapshots``; run with ``PYWARD_UPDATE_SNAPSHOTS=1`` to
rewrite them after an intended change, and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pyward._render import RENDERERS, render
from tests.conftest import SCHEMAS
from tests.render._reports import NOW, REPORTS

ROOT = Path(__file__).parent.parent.parent
SNAPSHOTS = Path(__file__).parent / "snapshots"
JSON_SCHEMA = ROOT / "docs" / "schemas" / "audit-report-4.2.schema.json"
JSON_DOC = ROOT / "docs" / "json-output.md"
EXTENSIONS = {
    "table": "txt",
    "json": "json",
    "markdown": "md",
    "sarif": "sarif",
    "cyclonedx-vex": "cdx.json",
    "html": "html",
}
ESCAPE = re.compile(r"\x1b")


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("PYWARD_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {name}; run with PYWARD_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def test_every_format_has_a_snapshot_extension() -> None:
    assert set(RENDERERS) == set(EXTENSIONS)


@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("report", list(REPORTS))
def test_snapshot(fmt: str, report: str) -> None:
    text = render(REPORTS[report](), fmt, color=False, now=NOW, width=100)
    _check_snapshot(f"{report}.{EXTENSIONS[fmt]}", text)


@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("report", list(REPORTS))
def test_every_renderer_gives_valid_output(fmt: str, report: str) -> None:
    text = render(REPORTS[report](), fmt, color=False, now=NOW, width=100)
    assert text.endswith("\n")
    assert not ESCAPE.search(text)
    media_type = RENDERERS[fmt].media_type
    if media_type.endswith("json"):
        _validate(fmt, json.loads(text))
    else:
        # (The whole text never is: it ends with a newline.)
        assert all(line.isprintable() for line in text.splitlines())


def _validate(fmt: str, data: Any) -> None:
    if fmt == "json":
        schema = json.loads(JSON_SCHEMA.read_text())
        jsonschema.Draft202012Validator(schema).validate(data)
    elif fmt == "sarif":
        schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        jsonschema.Draft7Validator(schema).validate(data)
    elif fmt == "cyclonedx-vex":
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator

        error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(data))
        assert error is None, str(error)
    else:  # a new JSON format must say how it is validated
        raise AssertionError(f"no validator for {fmt}")


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(JSON_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


def test_json_schema_rejects_an_unknown_key_and_a_bad_level() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(JSON_SCHEMA.read_text()))
    data = json.loads(render(REPORTS["saleor"](), "json", color=False, now=NOW))
    data["findings"][0]["extra"] = 1
    assert [e.message for e in validator.iter_errors(data)] == [
        "Unevaluated properties are not allowed ('extra' was unexpected)"
    ]
    data = json.loads(render(REPORTS["saleor"](), "json", color=False, now=NOW))
    data["summary"]["fail_on"] = "severe"
    data["components"][0]["location"]["line"] = 0
    assert sorted(e.message for e in validator.iter_errors(data)) == [
        "'severe' is not valid under any of the given schemas",
        "{'file': 'tests/data/corpus/poetry/saleor-2020/poetry.lock', 'line': 0} "
        "is not valid under any of the given schemas",
    ]


def _paths(value: Any, prefix: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{prefix}.{k}" if prefix else k
            out.append(p)
            out.extend(_paths(v, p))
    elif isinstance(value, list):
        for item in value:
            out.extend(_paths(item, prefix + "[]"))
    return out


def test_json_doc_documents_every_field() -> None:
    """Every key any report produces is in the documentation (suppressed entries share
    the findings' fields; locations are documented once)."""
    doc = JSON_DOC.read_text()
    documented = set(re.findall(r"^\| `([^`]+)` \|", doc, re.MULTILINE))
    seen: set[str] = set()
    for build in REPORTS.values():
        for raw in _paths(json.loads(render(build(), "json", color=False, now=NOW))):
            path = re.sub(
                r"^suppressed\[\]\.(?!rule$|reason$|suppressed_by$|state$|justification$)",
                "findings[].",
                raw,
            )
            path = re.sub(r"^summary\.by_kind\..*", "summary.by_kind.<kind>", path)
            # Provenance: identity records have the keys of their kind (documented
            # with ``record``), a change's publisher is a publisher, pins are by file.
            path = re.sub(r"^provenance\.pinned\..*", "provenance.pinned.<file>", path)
            path = re.sub(r"(\.record|(?<!^provenance)\.pinned)(\[\])?\..*", r"\1", path)
            path = re.sub(r"\.change\.found\.", ".publishers[].", path)
            seen.add(re.sub(r"^.*\blocation\.", "location.", path))
    assert seen - documented == set()
    assert len(seen) == 182  # 4.2 added provenance and its 40 keys


def test_json_doc_example_is_valid_and_real() -> None:
    doc = JSON_DOC.read_text()
    example = json.loads(re.search(r"```json\n(.*?)```", doc, re.DOTALL).group(1))  # type: ignore[union-attr]
    jsonschema.Draft202012Validator(json.loads(JSON_SCHEMA.read_text())).validate(example)
    real = json.loads(render(REPORTS["httpbin"](), "json", color=False, now=NOW))
    assert example["database"] == real["database"]
    assert example["summary"] == real["summary"]
    assert example["findings"][0]["url"] == real["findings"][0]["url"]


def test_json_format_does_not_import_rich() -> None:
    code = (
        "import sys\n"
        "from pyward._render import render\n"
        "from tests.render._reports import NOW, REPORTS\n"
        "text = render(REPORTS['saleor'](), 'json', color=False, now=NOW)\n"
        "assert text.startswith('{'), text[:20]\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'cyclonedx')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"
