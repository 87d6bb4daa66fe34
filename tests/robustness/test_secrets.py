"""Secrets never reach a report (issue 12, item 4): the value of a ``${VAR}`` a
requirements file expands, and the lines of a file that is not a requirements file,
in every output format of ``audit`` and ``sbom`` and in errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness._support import run, write

TOKEN = "ghp_robustnessFAKEtoken0123456789"  # noqa: S105 - a fake token, to find in output
AUDIT_FORMATS = ("table", "json", "markdown", "sarif", "cyclonedx-vex", "html")
SBOM_FORMATS = ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv")


def test_an_expanded_token_is_never_printed(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    req = write(
        tmp_path / "requirements.txt",
        b"-i https://x:${GITHUB_TOKEN}@pkgs.example.invalid/${GITHUB_TOKEN}/simple\n"
        b"--extra-index-url https://${GITHUB_TOKEN}@extra.example.invalid/simple\n"
        b"jinja2==2.10\n"
        b"private @ https://${GITHUB_TOKEN}@git.example.invalid/private-1.0.tar.gz\n",
    )
    for fmt in AUDIT_FORMATS:
        outcome = run(capsys, "audit", "-r", req, "-f", fmt, "--cache-dir", store)
        assert outcome.code == 1, fmt
        assert TOKEN not in outcome.out + outcome.err, fmt
        if fmt in ("table", "json", "markdown"):  # which show the direct URL
            assert "${GITHUB_TOKEN}@git.example.invalid" in outcome.out, fmt
    for fmt in SBOM_FORMATS:
        outcome = run(capsys, "sbom", req, "-f", fmt)
        assert outcome.code == 0, fmt
        assert TOKEN not in outcome.out + outcome.err, fmt
    req.write_bytes(b"jinja2==2.10 --hash=${GITHUB_TOKEN}\n")
    outcome = run(capsys, "audit", "-r", req, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [f"{req}: line 1: invalid --hash value '${{GITHUB_TOKEN}}' (expected ALGORITHM:HEX)"],
    )


def test_a_file_that_is_not_a_requirements_file_is_not_quoted(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = write(
        tmp_path / "passwd",
        b"root:x:0:0:root:/root:/bin/bash\n"
        b"admin:x:1000:1000:Admin,,,:/home/admin:/bin/bash\n"
        b"svc:x:999:999::/var/lib/svc:/usr/sbin/nologin\n",
    )
    expected = [
        f"{users}: line 1: not a requirements file (3 of 3 lines are neither a requirement "
        "nor an option); not read"
    ]
    for fmt in AUDIT_FORMATS:
        outcome = run(capsys, "audit", "-r", users, "-f", fmt, "--cache-dir", store)
        assert (outcome.code, outcome.errors) == (2, expected), fmt
        assert "/home/admin" not in outcome.out + outcome.err
    included = write(tmp_path / "requirements.txt", b"jinja2==2.10\n-r passwd\n")
    outcome = run(capsys, "sbom", included)
    assert (outcome.code, outcome.errors) == (2, expected)
