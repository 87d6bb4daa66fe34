"""``--advisory-url`` and ``[tool.pyward] advisory-url``: the base of advisory links for
findings whose records name no advisory page, through ``pyward._cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyward._cli import main
from pyward._config import load_config
from pyward.errors import InputError
from tests.conftest import store_of

REQUIREMENTS = "idna==3.4\nrequests==2.28.1\n"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_of(tmp_path_factory, ("idna", "requests"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    return tmp_path


def _urls(
    capsys: pytest.CaptureFixture[str], cache: Path, project: Path, *extra: str
) -> dict[str, str]:
    code = main(["audit", str(project), "-f", "json", "-q", "--cache-dir", str(cache), *extra])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    return {f["id"]: f["url"] for f in json.loads(out)["findings"]}


def test_default_is_the_osv_page_and_advisories_keep_their_own(
    cache: Path, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYWARD_ADVISORY_URL", raising=False)
    assert _urls(capsys, cache, project) == {
        # PYSEC-2024-60's records name no advisory page.
        "PYSEC-2024-60": "https://osv.dev/vulnerability/PYSEC-2024-60",
        "PYSEC-2023-74": "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q",
    }


def test_option_then_configuration_then_environment(
    cache: Path, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYWARD_ADVISORY_URL", "https://env.example.invalid/{id}")
    assert _urls(capsys, cache, project)["PYSEC-2024-60"] == (
        "https://env.example.invalid/PYSEC-2024-60"
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.pyward]\n'
        'advisory-url = "https://config.example.invalid/advisories/{id}/page"\n',
        encoding="utf-8",
    )
    urls = _urls(capsys, cache, project)
    assert urls["PYSEC-2024-60"] == "https://config.example.invalid/advisories/PYSEC-2024-60/page"
    # Only the fallback changes: a record's own advisory page stays the link.
    assert urls["PYSEC-2023-74"] == (
        "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q"
    )
    # A base without {id}: the id is the last path segment.
    urls = _urls(capsys, cache, project, "--advisory-url", "https://cli.example.invalid/vuln/")
    assert urls["PYSEC-2024-60"] == "https://cli.example.invalid/vuln/PYSEC-2024-60"


def test_every_format_uses_it(
    cache: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("audit", str(project), "-q", "--cache-dir", str(cache))
    url = "https://cli.example.invalid/v/PYSEC-2024-60"
    option = ("--advisory-url", "https://cli.example.invalid/v/{id}")
    assert main([*base, "-f", "markdown", *option]) == 1
    assert f"[PYSEC-2024-60]({url})" in capsys.readouterr().out
    assert main([*base, "-f", "sarif", *option]) == 1
    rules = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["helpUri"] for r in rules}["PYSEC-2024-60"] == url
    assert main([*base, "-f", "cyclonedx-vex", *option]) == 1
    vulns = json.loads(capsys.readouterr().out)["vulnerabilities"]
    assert {v["id"]: v["source"]["url"] for v in vulns}["PYSEC-2024-60"] == url


def test_bad_option_is_exit_2_before_anything_is_read(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    empty = tmp_path_factory.mktemp("no-data")  # no store: the URL is checked first
    code = main(
        ["audit", str(project), "--advisory-url", "ftp://x.invalid/{id}", "--cache-dir", str(empty)]
    )
    assert (code, *capsys.readouterr()) == (
        2,
        "",
        "pyward: error: --advisory-url 'ftp://x.invalid/{id}': must be an http(s) URL, "
        "with {id} where the advisory id goes\n",
    )


@pytest.mark.parametrize("value", ['"advisories/{id}"', "3", '["https://x.invalid/{id}"]'])
def test_bad_configuration_value(project: Path, value: str) -> None:
    cfg = project / "pyward.toml"
    cfg.write_text(f"advisory-url = {value}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_config(cfg)
    assert str(exc.value) == (
        f"{cfg}: advisory-url: must be an http(s) URL, with {{id}} where the advisory id goes"
    )


def test_configuration_value_is_read(project: Path) -> None:
    cfg = project / "pyproject.toml"
    cfg.write_text(
        '[tool.pyward]\nadvisory-url = "https://advisories.example.invalid/{id}"\n',
        encoding="utf-8",
    )
    config = load_config(cfg)
    assert config.advisory_url == "https://advisories.example.invalid/{id}"
    assert config.warnings == ()


@pytest.mark.parametrize(
    "url",
    [
        "https://x.invalid/{id}) | # Heading <img src=x>",
        "https://x.invalid/{id}\n# Heading",
        "https://x.invalid/\x1b]0;owned\x07{id}",
        "javascript:alert(1)//{id}",
        "https://user:secret@x.invalid/{id}",
    ],
)
def test_unsafe_url_is_refused_everywhere(
    url: str, project: Path, capsys: pytest.CaptureFixture[str], cache: Path
) -> None:
    # repr() shows the control characters escaped; the error line has none raw.
    shown = repr(url)
    assert "\x1b" not in shown
    code = main(["audit", str(project), "--advisory-url", url, "--cache-dir", str(cache)])
    assert (code, *capsys.readouterr()) == (
        2,
        "",
        f"pyward: error: --advisory-url {shown}: must be an http(s) URL, "
        "with {id} where the advisory id goes\n",
    )
    cfg = project / "pyward.toml"
    cfg.write_text(f"advisory-url = {json.dumps(url)}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_config(cfg)
    assert str(exc.value) == (
        f"{cfg}: advisory-url: must be an http(s) URL, with {{id}} where the advisory id goes"
    )


def test_template_is_percent_encoded(
    cache: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = _urls(capsys, cache, project, "--advisory-url", "https://x.invalid/a|b(c)/{id}")
    assert urls["PYSEC-2024-60"] == "https://x.invalid/a%7Cb%28c%29/PYSEC-2024-60"
