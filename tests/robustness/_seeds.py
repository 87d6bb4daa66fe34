"""The real files the sweep mutates, one or more per input format, and small real
documents (the first few entries of a corpus file) for the structured mutations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import rtoml

from pyward._model import canonical_name
from tests.conftest import CORPUS, DATA

EXAMPLE = Path(__file__).parents[2] / "examples" / "vulnerable-app"


@dataclass(frozen=True, slots=True, kw_only=True)
class Seed:
    """A real input file."""

    id: str
    """Test id."""
    name: str
    """The file name it is written under (so the name picks the reader)."""
    source: Path
    """The real file."""
    text: bool = True
    """A NUL byte or invalid UTF-8 anywhere is an error (not so for requirements)."""
    xml: bool = False
    """XML: UTF-16 with a byte order mark is as valid as UTF-8."""


SEEDS: tuple[Seed, ...] = (
    Seed(id="uv-flask", name="uv.lock", source=CORPUS / "uv/flask/uv.lock"),
    Seed(id="uv-example", name="uv.lock", source=EXAMPLE / "uv.lock"),
    Seed(
        id="poetry-0",
        name="poetry.lock",
        source=CORPUS / "poetry/wemake-python-styleguide-2019/poetry.lock",
    ),
    Seed(id="poetry-1.1", name="poetry.lock", source=CORPUS / "poetry/saleor-2020/poetry.lock"),
    Seed(id="poetry-2.0", name="poetry.lock", source=CORPUS / "poetry/langgraph-2024/poetry.lock"),
    Seed(id="poetry-2.1", name="poetry.lock", source=CORPUS / "poetry/poetry/poetry.lock"),
    Seed(id="pdm-4.5", name="pdm.lock", source=CORPUS / "pdm/pdm/pdm.lock"),
    Seed(id="pdm-4.2", name="pdm.lock", source=CORPUS / "pdm/pydantic-2023/pdm.lock"),
    Seed(id="pipfile", name="Pipfile.lock", source=CORPUS / "pipenv/httpbin-2018/Pipfile.lock"),
    Seed(
        id="pylock-pdm", name="pylock.toml", source=CORPUS / "pylock/pdm-demo-fixture/pylock.toml"
    ),
    Seed(id="pylock-uv", name="pylock.toml", source=CORPUS / "pylock/comfy-cli/pylock.toml"),
    Seed(
        id="requirements",
        name="requirements.txt",
        source=CORPUS / "requirements/text-generation-webui-2023/requirements.txt",
        text=False,
    ),
    Seed(
        id="requirements-hashes",
        name="requirements.txt",
        source=CORPUS / "requirements-hashes/warehouse-2022/main.txt",
        text=False,
    ),
    Seed(id="pyproject", name="pyproject.toml", source=EXAMPLE / "pyproject.toml"),
    Seed(
        id="cyclonedx-json",
        name="bom.json",
        source=CORPUS / "sbom-cyclonedx/sbom4python/sbom4python.cdx.json",
    ),
    Seed(
        id="cyclonedx-json-2",
        name="x.cdx.json",
        source=CORPUS
        / "sbom-cyclonedx/cyclonedx-python-private-packages"
        / "plain_private-packges_v2_lock21_1.6.json.bin",
    ),
    Seed(
        id="spdx-json",
        name="sbom.spdx.json",
        source=CORPUS / "sbom-spdx/sbom4python/sbom4python.spdx.json",
    ),
    Seed(id="pip-report", name="pip-report.json", source=DATA / "pip-report/direct.json"),
)


@cache
def cyclonedx_xml() -> bytes:
    """The corpus' sbom4python CycloneDX document, in CycloneDX's XML form (written by
    cyclonedx-python-lib, the reference implementation)."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.output.xml import XmlV1Dot6

    doc = orjson.loads((CORPUS / "sbom-cyclonedx/sbom4python/sbom4python.cdx.json").read_bytes())
    bom = Bom.from_json(doc)  # type: ignore[attr-defined]
    return XmlV1Dot6(bom).output_as_string(indent=2).encode()


@cache
def spdx_tag_value() -> bytes:
    """The corpus' sbom4python SPDX document in tag-value form (written by spdx-tools)."""
    import io

    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser
    from spdx_tools.spdx.writer.tagvalue.tagvalue_writer import write_document_to_stream

    doc = orjson.loads((CORPUS / "sbom-spdx/sbom4python/sbom4python.spdx.json").read_bytes())
    # spdx-tools requires MAJOR.MINOR here; the document says "3.25.0".
    doc["creationInfo"]["licenseListVersion"] = "3.25"
    document = JsonLikeDictParser().parse(doc)
    stream = io.StringIO()
    write_document_to_stream(document, stream, validate=False)
    return stream.getvalue().encode()


# -- small real documents --------------------------------------------------------------


def _filter_deps(deps: Any, names: set[str]) -> Any:
    return [d for d in deps if canonical_name(d["name"]) in names]


@cache
def small_uv() -> dict[str, Any]:
    """The example's uv.lock: its project, and the first three packages it locks."""
    doc = rtoml.loads((EXAMPLE / "uv.lock").read_text("utf-8"))
    root = [
        p
        for p in doc["package"]
        if p["source"].get("editable") == "." or p["source"].get("virtual") == "."
    ]
    others = [p for p in doc["package"] if p not in root and "sdist" in p and "wheels" in p][:3]
    kept = root + others
    names = {canonical_name(p["name"]) for p in kept}
    for p in kept:
        p["dependencies"] = _filter_deps(p.get("dependencies", []), names)
        for key in ("optional-dependencies", "dev-dependencies"):
            if key in p:
                p[key] = {g: _filter_deps(d, names) for g, d in p[key].items()}
    doc["package"] = kept
    return doc


@cache
def small_toml(path: Path, key: str, count: int = 3) -> dict[str, Any]:
    """A TOML lock with only its first ``count`` entries of ``key``."""
    doc = rtoml.loads(path.read_text("utf-8"))
    doc[key] = doc[key][:count]
    metadata = doc.get("metadata")
    for table in ("files", "hashes"):
        if not (isinstance(metadata, dict) and isinstance(metadata.get(table), dict)):
            continue
        kept = {canonical_name(p["name"]) for p in doc[key]}
        metadata[table] = {
            k: v
            for k, v in metadata[table].items()
            if canonical_name(k.split(" ")[0].split("[")[0]) in kept
        }
    return doc


@cache
def small_pipfile() -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads((CORPUS / "pipenv/httpbin-2018/Pipfile.lock").read_bytes())
    for category in ("default", "develop"):
        doc[category] = dict(list(doc[category].items())[:3])
    return doc


@cache
def small_cyclonedx() -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads(
        (CORPUS / "sbom-cyclonedx/sbom4python/sbom4python.cdx.json").read_bytes()
    )
    doc["components"] = doc["components"][:3]
    refs = {c["bom-ref"] for c in doc["components"]} | {doc["metadata"]["component"]["bom-ref"]}
    doc["dependencies"] = [
        {**d, "dependsOn": [t for t in d.get("dependsOn", []) if t in refs]}
        for d in doc["dependencies"]
        if d["ref"] in refs
    ]
    return doc


@cache
def small_spdx() -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads(
        (CORPUS / "sbom-spdx/sbom4python/sbom4python.spdx.json").read_bytes()
    )
    doc["packages"] = doc["packages"][:4]
    ids = {p["SPDXID"] for p in doc["packages"]} | {doc["SPDXID"]}
    doc["relationships"] = [
        r
        for r in doc["relationships"]
        if r["spdxElementId"] in ids and r["relatedSpdxElement"] in ids
    ]
    return doc
