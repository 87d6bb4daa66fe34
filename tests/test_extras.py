"""The core install and its extras: a command whose extra is missing says which one to
install (exit 2, one line), and an audit loads no extra's modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pyward._cli import main
from pyward._extras import EXTRAS, MissingExtra, require
from tests.conftest import CORPUS

HTTPBIN = CORPUS / "pipenv" / "httpbin-2018" / "Pipfile.lock"
GUIDELLM = CORPUS / "uv" / "guidellm" / "uv.lock"


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import MODULE`` fail as it does when the extra is not installed."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_every_extra_is_declared_in_pyproject() -> None:
    from pyward._inventory._toml import loads

    path = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = loads(path.read_text(encoding="utf-8"), path)["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(declared)
    assert set(declared) - set(EXTRAS) == {"all", "test"}
    assert declared["all"] == [f"pyward[{','.join(EXTRAS)}]"]


def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    require("spdx", what="SPDX output")  # installed with the test dependencies
    _hide(monkeypatch, "spdx_tools")
    with pytest.raises(MissingExtra) as caught:
        require("spdx", what="SPDX output (spdx-json)")
    assert str(caught.value) == (
        "SPDX output (spdx-json) needs the 'spdx' extra, which is not installed "
        "(no module spdx_tools): pip install 'pyward[spdx]'"
    )
    assert caught.value.exit_code == 2


def test_sbom_spdx_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _hide(monkeypatch, "spdx_tools")
    assert main(["sbom", str(HTTPBIN), "--format", "spdx-tv"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "pyward: error: SPDX output (spdx-tv) needs the 'spdx' extra, which is not "
        "installed (no module spdx_tools): pip install 'pyward[spdx]'\n"
    )
    # CycloneDX is in the core.
    assert main(["sbom", str(HTTPBIN), "--format", "cyclonedx-json", "-q"]) == 0


def test_serve_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _hide(monkeypatch, "fastapi", "uvicorn")
    assert main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err == (
        "pyward: error: pyward serve needs the 'serve' extra, which is not installed "
        "(no module fastapi, uvicorn): pip install 'pyward[serve]'\n"
    )


def test_an_audit_loads_no_extra_no_network_client_and_no_policy_class(tmp_path: Path) -> None:
    """An audit loads no extra and no network client; the usage policy's rule records and
    finding details are created only by a run that checks a policy rule: each class
    costs every audit its creation."""
    code = (
        "import sys\n"
        "from pyward._cli import main\n"
        f"main(['audit', {str(GUIDELLM)!r}, '-f', 'json', '-o', {str(tmp_path / 'o.json')!r}])\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    heavy = {m for extra in EXTRAS.values() for m in extra} | {
        "starlette",
        "pydantic",
        "httpx",
        "rich",
        "cyclonedx",
        "yaml",
        "cvss",
    }
    assert {m.split(".")[0] for m in loaded} & heavy == set()
    assert "pyward" in loaded
    assert {m for m in loaded if m.startswith("pyward._policy")} == set()
    assert "pyward._sources.popularity._squat" not in loaded
    assert "pyward._checks._malicious" in loaded  # malicious releases: every audit


def test_provenance_verification_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyward._provenance import verify_provenance

    _hide(monkeypatch, "pypi_attestations")
    with pytest.raises(MissingExtra) as caught:
        verify_provenance("demo-1.0.tar.gz", "00" * 32, b"{}")
    assert str(caught.value) == (
        "provenance verification needs the 'provenance' extra, which is not installed "
        "(no module pypi_attestations): pip install 'pyward[provenance]'"
    )
    assert caught.value.exit_code == 2
