"""Every registered reader imports, has its function and reads a real file."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

from pyward._inventory import _registry
from pyward._model import Inventory
from pyward.errors import InputError, UsageError
from tests.conftest import CORPUS, DATA

#: One real file per reader (the environment reader reads the running venv).
SAMPLES: dict[str, tuple[Path, int]] = {
    "uv.lock": (CORPUS / "uv" / "flask" / "uv.lock", 82),
    "pylock.toml": (CORPUS / "pylock" / "snowflake-cli" / "pylock.toml", 70),
    "poetry.lock": (CORPUS / "poetry" / "poetry" / "poetry.lock", 78),
    "pdm.lock": (CORPUS / "pdm" / "pydantic-2023" / "pdm.lock", 82),
    "Pipfile.lock": (CORPUS / "pipenv" / "httpbin-2018" / "Pipfile.lock", 19),
    "requirements": (CORPUS / "requirements" / "ctfd-2019" / "requirements.txt", 28),
    "cyclonedx": (CORPUS / "sbom-cyclonedx" / "sbom4python" / "sbom4python.cdx.json", 15),
    "spdx": (CORPUS / "sbom-spdx" / "sbom4python" / "sbom4python.spdx.json", 15),
    "pip-report": (DATA / "pip-report" / "index.json", 3),
}


def test_ids_are_unique_and_every_reader_has_a_sample() -> None:
    ids = [r.id for r in _registry.READERS]
    assert len(ids) == len(set(ids))
    assert set(ids) == {*SAMPLES, "pyproject.toml", "environment"}
    assert set(_registry.PROJECT_ORDER) <= set(ids)


@pytest.mark.parametrize("reader", _registry.READERS, ids=lambda r: r.id)
def test_reader_imports_and_reads(reader: _registry.Reader, tmp_path: Path) -> None:
    read = reader.load()
    assert callable(read)
    assert reader.description
    if reader.id == "environment":
        inv = read(Path(sys.prefix))
        assert inv.format == "environment"
        assert "packaging" in {c.name for c in inv.components}
        return
    if reader.id == "pyproject.toml":
        path = tmp_path / "pyproject.toml"
        path.write_text('[project]\nname = "demo"\nversion = "1.0"\ndependencies = ["idna==3.4"]\n')
        expected = 1
    else:
        path, expected = SAMPLES[reader.id]
        assert reader.matches(path.name) or _registry.sniff(path) is reader
    inv = read(path)
    assert isinstance(inv, Inventory)
    assert inv.format == reader.id
    assert len(inv.components) == expected


@pytest.mark.parametrize(
    ("name", "reader_id"),
    [
        ("uv.lock", "uv.lock"),
        ("pylock.toml", "pylock.toml"),
        ("pylock.dev.toml", "pylock.toml"),
        ("poetry.lock", "poetry.lock"),
        ("pdm.lock", "pdm.lock"),
        ("Pipfile.lock", "Pipfile.lock"),
        ("requirements-dev.txt", "requirements"),
        ("requirements.in", "requirements"),
        ("pyproject.toml", "pyproject.toml"),
        ("sbom.cdx.json", "cyclonedx"),
        ("bom.json", "cyclonedx"),
        ("bom.xml", "cyclonedx"),
        ("app.cdx.xml", "cyclonedx"),
        ("app.spdx.json", "spdx"),
        ("app.spdx", "spdx"),
        ("pip-report.json", "pip-report"),
        ("app.pip-report.json", "pip-report"),
    ],
)
def test_for_filename(name: str, reader_id: str) -> None:
    reader = _registry.for_filename(name)
    assert reader is not None
    assert reader.id == reader_id


def test_for_filename_unknown() -> None:
    assert _registry.for_filename("sbom.json") is None
    assert _registry.for_filename("Pipfile") is None


def test_by_id_unknown() -> None:
    with pytest.raises(UsageError) as err:
        _registry.by_id("gemfile")
    assert str(err.value) == (
        "unknown input format 'gemfile' (known: uv.lock, pylock.toml, poetry.lock, pdm.lock, "
        "Pipfile.lock, requirements, pyproject.toml, cyclonedx, spdx, pip-report)"
    )


@pytest.mark.parametrize(
    ("source", "reader_id"),
    [
        (
            CORPUS
            / "sbom-cyclonedx"
            / "cyclonedx-python-private-packages"
            / "plain_private-packges_v2_lock21_1.6.json.bin",
            "cyclonedx",
        ),
        (CORPUS / "sbom-spdx" / "sbom4python" / "sbom4python.spdx.json", "spdx"),
        (CORPUS / "pipenv" / "httpbin-2018" / "Pipfile.lock", "Pipfile.lock"),
        (CORPUS / "uv" / "flask" / "uv.lock", "uv.lock"),
        (CORPUS / "poetry" / "saleor-2020" / "poetry.lock", "poetry.lock"),
        (CORPUS / "poetry" / "wemake-python-styleguide-2019" / "poetry.lock", "poetry.lock"),
        (CORPUS / "pdm" / "pdm" / "pdm.lock", "pdm.lock"),
        (CORPUS / "pdm" / "pydantic-2023" / "pdm.lock", "pdm.lock"),
        (CORPUS / "pylock" / "comfy-cli" / "pylock.toml", "pylock.toml"),
        (CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt", "requirements"),
        (DATA / "pip-report" / "direct.json", "pip-report"),
        (
            CORPUS / "requirements" / "text-generation-webui-2023" / "requirements.txt",
            "requirements",
        ),
    ],
)
def test_sniff_by_content(source: Path, reader_id: str, tmp_path: Path) -> None:
    renamed = tmp_path / "inventory.data"
    renamed.write_bytes(source.read_bytes())
    assert _registry.sniff(renamed).id == reader_id


def test_sniff_unknown(tmp_path: Path) -> None:
    path = tmp_path / "notes.data"
    path.write_text("Dear diary, today I audited nothing.\n")
    with pytest.raises(InputError) as err:
        _registry.sniff(path)
    assert str(err.value) == (
        f"{path}: cannot tell the format from the name or the content; use --format "
        "(uv.lock, pylock.toml, poetry.lock, pdm.lock, Pipfile.lock, requirements, pyproject.toml, "
        "cyclonedx, spdx, pip-report)"
    )


#: Readers of formats that are not a wire format: requirements files are lines.
NOT_WIRE = {"requirements"}


@pytest.mark.parametrize("reader", _registry.READERS, ids=lambda r: r.id)
def test_wire_format_readers_use_the_accessor(reader: _registry.Reader) -> None:
    # Every reader of a structured format takes its values through pyward._wire, so a
    # bad value gets the error (file, key path, wording) every other reader gives.
    spec = importlib.util.find_spec(reader.module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert ("pyward._wire" in imported) is (reader.id not in NOT_WIRE)


#: Readers whose inputs name distribution files (``Component.artifacts``; each is held to
#: its input's files in tests/provenance/test_artifacts.py), and those whose inputs name
#: none (digests only, or nothing at all).
NAME_FILES = {
    "uv.lock",
    "pylock.toml",
    "poetry.lock",
    "pdm.lock",
    "pip-report",
    "cyclonedx",
    "spdx",
    "environment",
}
NAME_NO_FILES = {"Pipfile.lock", "requirements", "pyproject.toml"}


def test_every_reader_says_whether_it_records_artifacts() -> None:
    assert {r.id for r in _registry.READERS} == NAME_FILES | NAME_NO_FILES
    assert not NAME_FILES & NAME_NO_FILES
    for reader_id in NAME_NO_FILES - {"pyproject.toml"}:
        path, _ = SAMPLES[reader_id]
        inv = _registry.by_id(reader_id).load()(path)
        assert all(c.artifacts == () for c in inv.components), reader_id
    for reader_id in NAME_FILES - {"cyclonedx", "spdx", "environment"}:
        path, _ = SAMPLES[reader_id]
        inv = _registry.by_id(reader_id).load()(path)
        assert any(c.artifacts for c in inv.components), reader_id
    # The test environment was installed from wheels.
    env = _registry.by_id("environment").load()(Path(sys.prefix))
    assert any(a.filename.endswith(".whl") for c in env.components for a in c.artifacts)
