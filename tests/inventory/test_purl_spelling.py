"""Every reader writes the purl the purl spec's ``pypi`` type gives for the name as the
source writes it: lower case, ``_`` as ``-``, dots kept (``pkg:pypi/zope.interface``),
as packageurl-python, cyclonedx-py and the environment reader do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from packageurl import PackageURL

from pyward._inventory import (
    _cyclonedx,
    _pdm,
    _pipfile,
    _poetry,
    _pylock,
    _pyproject,
    _requirements,
    _spdx,
    _uvlock,
)
from pyward._model import Inventory
from tests.conftest import CORPUS

SHA = "0" * 64

INPUTS: dict[str, tuple[Callable[[Path], Inventory], str]] = {
    "requirements.txt": (_requirements.read, "zope.interface==5.0\n"),
    "pyproject.toml": (
        _pyproject.read,
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["zope.interface==5.0"]\n',
    ),
    "poetry.lock": (
        _poetry.read,
        '[[package]]\nname = "zope.interface"\nversion = "5.0"\ndescription = ""\n'
        'optional = false\npython-versions = "*"\nfiles = []\n\n'
        '[metadata]\nlock-version = "2.0"\npython-versions = "^3.10"\ncontent-hash = "0"\n',
    ),
    "pdm.lock": (
        _pdm.read,
        '[metadata]\ngroups = ["default"]\nstrategy = []\nlock_version = "4.5.0"\n'
        'content_hash = "sha256:0"\n\n[[package]]\nname = "zope.interface"\nversion = "5.0"\n'
        'summary = ""\ngroups = ["default"]\nfiles = []\n',
    ),
    "Pipfile.lock": (
        _pipfile.read,
        '{"_meta": {"hash": {"sha256": "0"}, "pipfile-spec": 6, "requires": {}, "sources": '
        '[{"name": "main", "url": "https://index.invalid/simple", "verify_ssl": true}]}, '
        '"default": {"zope.interface": {"version": "==5.0", "hashes": []}}, "develop": {}}',
    ),
    "bom.cdx.json": (
        _cyclonedx.read,
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": '
        '[{"type": "library", "name": "zope.interface", "version": "5.0", '
        '"purl": "pkg:pypi/zope-interface@5.0"}]}',
    ),
    "bom.spdx.json": (
        _spdx.read,
        '{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", '
        '"name": "x", "documentNamespace": "https://x.invalid/x", "creationInfo": '
        '{"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]}, "packages": '
        '[{"SPDXID": "SPDXRef-p", "name": "zope.interface", "versionInfo": "5.0", '
        '"downloadLocation": "NOASSERTION", "externalRefs": [{"referenceCategory": '
        '"PACKAGE-MANAGER", "referenceType": "purl", '
        '"referenceLocator": "pkg:pypi/zope-interface@5.0"}]}]}',
    ),
}


@pytest.mark.parametrize("file", list(INPUTS))
def test_dotted_name_keeps_its_dots(tmp_path: Path, file: str) -> None:
    read, text = INPUTS[file]
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    (c,) = read(path).components
    assert (c.name, c.display_name, c.purl) == (
        "zope-interface",
        "zope.interface",
        "pkg:pypi/zope.interface@5.0",
    )
    assert c.purl == PackageURL(type="pypi", name="zope.interface", version="5.0").to_string()


def test_locks_that_write_normalised_names_give_the_dashed_purl(tmp_path: Path) -> None:
    # uv.lock and pylock.toml (PEP 751) write PEP 503 names: that is the name as written.
    uv = tmp_path / "uv.lock"
    uv.write_text(
        'version = 1\nrequires-python = ">=3.10"\n\n[[package]]\nname = "zope-interface"\n'
        'version = "5.0"\nsource = { registry = "https://index.invalid/simple" }\n',
        encoding="utf-8",
    )
    pylock = tmp_path / "pylock.toml"
    pylock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n\n[[packages]]\nname = "zope-interface"\n'
        'version = "5.0"\nindex = "https://index.invalid/simple"\n'
        'sdist = { url = "https://files.invalid/zope_interface-5.0.tar.gz", '
        f'hashes = {{ sha256 = "{SHA}" }} }}\n',
        encoding="utf-8",
    )
    for path, read in ((uv, _uvlock.read), (pylock, _pylock.read)):
        (c,) = read(path).components
        assert c.purl == "pkg:pypi/zope-interface@5.0", path.name


def test_case_and_underscores_per_the_purl_spec(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("Zope_Interface.Extra==5.0\nPyYAML==6.0.1\n", encoding="utf-8")
    assert [c.purl for c in _requirements.read(path).components] == [
        "pkg:pypi/zope-interface.extra@5.0",
        "pkg:pypi/pyyaml@6.0.1",
    ]


def test_sbom_name_that_is_not_the_package_keeps_the_purls_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.cdx.json"
    path.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": '
        '[{"type": "library", "name": "Zope Interface", "version": "5.0", '
        '"purl": "pkg:pypi/zope.interface@5.0"}]}',
        encoding="utf-8",
    )
    (c,) = _cyclonedx.read(path).components
    assert (c.name, c.purl) == ("zope-interface", "pkg:pypi/zope.interface@5.0")


def test_real_poetry_lock_with_dotted_names() -> None:
    inv = _poetry.read(CORPUS / "poetry" / "wemake-python-styleguide-2019" / "poetry.lock")
    purls = {c.display_name: c.purl for c in inv.components if c.display_name}
    assert purls["ruamel.yaml"] == "pkg:pypi/ruamel.yaml@0.16.5"
