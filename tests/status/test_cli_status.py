"""``pyward audit`` with the package-status checks, end to end: the real client asks a
real HTTP server on 127.0.0.1 that serves the index's recorded answers (and hand-made
PEP 792 pages), with faults on demand (issue 13)."""

from __future__ import annotations

import base64
import http.server
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.conftest import loopback, run_cli
from tests.index._loopback_index import LoopbackIndex, loopback_index

#: Pins whose recorded pages say: 2.32.0 yanked (with its reason); six behind; meinheld
#: with no release since 2020; a quarantined project (hand-made page, PEP 792).
PINS = "requests==2.32.0\nsix==1.11.0\nmeinheld==0.6.1\ndemo-quarantined==1.0.0\n"
INDEX_SKIPPED = (
    "checks yanked, project-status, outdated, unmaintained did not run: needs "
    "package-index metadata (the index port, online or cached): "
)


@pytest.fixture
def index(online: None) -> Iterator[LoopbackIndex]:
    with loopback_index() as served:
        yield served


@pytest.fixture
def reqs(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text(PINS, encoding="utf-8")
    return path


def audit(
    capsys: pytest.CaptureFixture[str], reqs: Path, *options: str
) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(capsys, "audit", "-r", str(reqs), "-f", "json", *options)
    return code, json.loads(out), err


def kinds(report: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return sorted((f["kind"], f["id"], f["fails"]) for f in report["findings"])


STATUS = [
    ("outdated", "outdated:meinheld@0.6.1", False),
    ("outdated", "outdated:requests@2.32.0", False),
    ("outdated", "outdated:six@1.11.0", False),
    ("project-status", "project-status:demo-quarantined", True),
    ("unmaintained", "unmaintained:meinheld", False),
    ("yanked", "yanked:requests@2.32.0", True),
]


def test_a_status_audit_reports_every_kind_and_fails_on_yanked_and_quarantined(
    index: LoopbackIndex, reqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = audit(capsys, reqs, "--index-url", index.simple_url)
    assert code == 1
    status = [k for k in kinds(report) if k[0] != "vulnerability"]
    assert status == STATUS
    yanked = next(f for f in report["findings"] if f["kind"] == "yanked")
    assert yanked["summary"].startswith(
        'requests 2.32.0 was yanked from its index: "Yanked due to conflicts with '
        'CVE-2024-35195 mitigation"; upgrade to '
    )
    assert yanked["detail"]["reason"] == "Yanked due to conflicts with CVE-2024-35195 mitigation"
    quarantined = next(f for f in report["findings"] if f["kind"] == "project-status")
    assert quarantined["detail"]["status"] == "quarantined"
    assert quarantined["severity"]["level"] == "critical"
    (source,) = [s for s in report["sources"] if s["name"] == "index metadata"]
    assert source["origin"] == index.simple_url
    # One request per project for its page; its JSON API for the same projects.
    pages = sorted(p for p, _ in index.requests if p.startswith("/simple/"))
    assert pages == [f"/simple/{n}/" for n in ("demo-quarantined", "meinheld", "requests", "six")]


def test_a_second_run_uses_the_cache_and_offline_needs_no_server(
    index: LoopbackIndex, reqs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = str(tmp_path / "cache")
    audit(capsys, reqs, "--index-url", index.simple_url, "--cache-dir", cache)
    asked = len(index.requests)
    code, report, _ = audit(capsys, reqs, "--index-url", index.simple_url, "--cache-dir", cache)
    # Fresh: no page is asked again (only the JSON API answer a project lacks, a 404).
    assert code == 1
    assert index.requests[asked:] == [("/pypi/demo-quarantined/json", 404)]
    asked = len(index.requests)
    index.down = True
    code, offline, _ = audit(
        capsys, reqs, "--offline", "--index-url", index.simple_url, "--cache-dir", cache
    )
    assert (code, kinds(offline)) == (1, kinds(report))
    # --refresh asks again: the index answers 304 Not Modified to every page.
    index.down = False
    code, refreshed, _ = audit(
        capsys, reqs, "--refresh", "--index-url", index.simple_url, "--cache-dir", cache
    )
    assert kinds(refreshed) == kinds(report)
    assert [s for _, s in index.requests[asked:] if s == 304]


def test_offline_without_a_cache_skips_the_index_checks_with_one_line(
    index: LoopbackIndex, reqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = audit(capsys, reqs, "--offline", "--index-url", index.simple_url)
    assert index.requests == []
    assert (
        f"{INDEX_SKIPPED}--offline, and no index metadata is cached for these projects"
        in (report["warnings"])
    )
    assert [k for k in kinds(report) if k[0] != "vulnerability"] == []
    only_vulnerabilities, _, _ = run_cli(
        capsys, "audit", "-r", str(reqs), "-q", "--checks", "vulnerabilities"
    )
    assert code == only_vulnerabilities  # the exit code does not change


def test_with_no_index_configured_one_line_says_so(
    reqs: Path, capsys: pytest.CaptureFixture[str], online: None
) -> None:
    _code, report, err = audit(capsys, reqs)
    skipped = [w for w in report["warnings"] if "did not run" in w]
    assert skipped == [
        f"{INDEX_SKIPPED}no package index configured: set --index-url or PYWARD_INDEX_URL, "
        "or configure pip/uv"
    ]
    assert err.count("no package index configured") == 1


def test_the_index_from_the_configuration_and_from_pip_settings(
    index: LoopbackIndex, reqs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyward.toml").write_text(f'index-url = "{index.simple_url}"\n', "utf-8")
    _, report, _ = audit(capsys, reqs, "--config", str(tmp_path / "pyward.toml"))
    assert [k for k in kinds(report) if k[0] != "vulnerability"] == STATUS
    pip = Path.home() / ".config" / "pip" / "pip.conf"
    pip.parent.mkdir(parents=True)
    pip.write_text(f"[global]\nindex-url = {index.simple_url}\n", "utf-8")
    _code, report, _ = audit(capsys, reqs, "--cache-dir", str(tmp_path / "other"))
    assert [k for k in kinds(report) if k[0] != "vulnerability"] == STATUS


def test_failures_name_the_package_and_the_rest_of_the_audit_completes(
    index: LoopbackIndex, reqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index.faults.update({"six": "not-found", "meinheld": "html", "demo-quarantined": "truncated"})
    code, report, _ = audit(capsys, reqs, "--index-url", index.simple_url)
    assert code == 1
    assert [k for k in kinds(report) if k[0] != "vulnerability"] == [
        ("outdated", "outdated:requests@2.32.0", False),
        ("yanked", "yanked:requests@2.32.0", True),
    ]
    notes = sorted(w for w in report["warnings"] if w.startswith("index metadata for "))
    url = index.simple_url
    assert notes[0] == (
        f"index metadata for demo-quarantined: {url}demo-quarantined/: line 4: invalid JSON: "
        "unexpected end of data (column 23); its status checks did not run"
    )
    assert notes[1:] == [
        f"index metadata for meinheld: {url}meinheld/: the index answered text/html, not "
        "PEP 691 JSON: it does not speak PEP 691 (the JSON simple API); its status checks "
        "did not run",
        f"index metadata for six: not on this index ({url}): HTTP 404; its status checks "
        "did not run",
    ]


def test_a_server_error_is_retried_then_reported(
    index: LoopbackIndex, reqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index.faults.update({"six": "error", "meinheld": "retry-after"})
    _code, report, _ = audit(capsys, reqs, "--index-url", index.simple_url)
    assert ("unmaintained", "unmaintained:meinheld", False) in kinds(report)  # 429, then the page
    (note,) = [w for w in report["warnings"] if w.startswith("index metadata for six")]
    assert note == (
        f"index metadata for six: {index.simple_url}six/: HTTP 500 Internal Server Error "
        "(after 4 attempts); its status checks did not run"
    )
    assert index.asked("/simple/six/") == 4


def test_fail_on_kinds_and_ignores_decide_what_fails(
    index: LoopbackIndex, reqs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ("--index-url", index.simple_url, "--checks", "status,outdated")
    code, report, _ = audit(capsys, reqs, *url, "--fail-on-kind", "outdated")
    assert code == 1
    assert [k[1] for k in kinds(report) if k[2]] == [
        "outdated:meinheld@0.6.1",
        "outdated:requests@2.32.0",
        "outdated:six@1.11.0",
    ]
    code, report, _ = audit(capsys, reqs, *url, "--fail-on-kind", "none")
    assert (code, [k for k in kinds(report) if k[2]]) == (0, [])
    config = tmp_path / "pyward.toml"
    config.write_text(
        'ignore = [\n  { id = "yanked:requests", reason = "pinned until the next release" },\n'
        '  { id = "project-status:demo-quarantined", reason = "vendored copy, reviewed" },\n]\n',
        "utf-8",
    )
    code, report, _ = audit(capsys, reqs, *url, "--config", str(config))
    assert code == 0
    assert sorted(s["id"] for s in report["suppressed"]) == [
        "project-status:demo-quarantined",
        "yanked:requests@2.32.0",
    ]


def test_checks_selects_the_analyses(
    index: LoopbackIndex, reqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = audit(capsys, reqs, "--index-url", index.simple_url, "--checks", "eol")
    assert index.requests == []  # no index check: the index is not asked
    assert report["skipped_checks"] == []
    code, _, err = run_cli(capsys, "audit", "-r", str(reqs), "--checks", "licences")
    assert code == 2
    assert err.startswith("pyward: error: --checks: unknown check 'licences' (known: ")


def test_an_end_of_life_interpreter_fails_the_run(
    reqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = audit(capsys, reqs, "--checks", "eol", "--python-version", "3.8")
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["id"], finding["fails"], finding["name"]) == ("eol:python@3.8", True, None)
    assert finding["detail"]["eol"] == "2024-10-07"
    code, report, _ = audit(capsys, reqs, "--checks", "eol", "--python-version", "3.13")
    assert (code, report["findings"]) == (0, [])


def test_the_table_shows_status_and_the_data_sources(
    index: LoopbackIndex, reqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "audit", "-r", str(reqs), "--index-url", index.simple_url)
    assert code == 1
    assert "yanked:requests@2.32.0" in out
    assert "Informational" in out
    assert f"Index metadata: {index.simple_url}; updated " in out
    assert "Lifecycle data: endoflife.date a70eca3 (built-in snapshot); updated 2026-08-22" in out


def test_a_progress_bar_is_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from pyward._commands import _sources

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with _sources._progress(30, quiet=False) as update:
        assert update is None  # stderr is not a terminal under pytest
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _sources._progress(5, quiet=False) as update:
        assert update is None  # too few projects to be worth a bar
    with _sources._progress(30, quiet=True) as update:
        assert update is None
    with _sources._progress(30, quiet=False) as update:
        assert update is not None
        for done in range(31):
            update(done, 30)
    assert "index metadata" in terminal.getvalue()


class _Private(http.server.BaseHTTPRequestHandler):
    """A private index: its page only for the right credentials (HTTP basic)."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization")
        type(self).seen.append(auth)
        if auth != "Basic " + base64.b64encode(b"alice:s3cret").decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="private"')
            self.end_headers()
            return
        body = json.dumps(
            {
                "meta": {"api-version": "1.1"},
                "name": "six",
                "versions": ["1.11.0", "1.17.0"],
                "files": [
                    {"filename": f"six-{v}.tar.gz", "url": f"six-{v}.tar.gz", "hashes": {}}
                    for v in ("1.11.0", "1.17.0")
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_netrc_credentials_are_used_and_never_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], online: None
) -> None:
    reqs = tmp_path / "r.txt"
    reqs.write_text("six==1.11.0\n", encoding="utf-8")
    _Private.seen = []
    with loopback(_Private) as base:
        url = f"{base}/simple/"
        argv = ("--checks", "outdated", "--index-url", url)
        _, report, _ = audit(capsys, reqs, *argv)
        assert [k[1] for k in kinds(report)] == []
        assert "HTTP 401" in " ".join(report["warnings"])
        netrc = Path.home() / ".netrc"
        netrc.write_text("machine 127.0.0.1 login alice password s3cret\n", "utf-8")
        netrc.chmod(0o600)
        code, out, err = run_cli(capsys, "audit", "-r", str(reqs), *argv, "--refresh")
        assert code == 0
        assert "outdated:six@1.11.0" in out
        assert "s3cret" not in out + err
        assert _Private.seen[-1] is not None
