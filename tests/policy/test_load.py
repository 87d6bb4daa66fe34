"""The policy loader: defaults, rule tables, extend (files and URLs), tighten-only, errors."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyward._policy._load import load_policy, normal_url, parse_policy
from pyward._policy._model import (
    CooldownRule,
    LicensesRule,
    Policy,
    ProjectStatusRule,
    TyposquatRule,
    VulnerabilitiesRule,
)
from pyward._settings import Settings
from pyward.errors import InputError


def _project(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_no_policy_table_is_the_default_policy(tmp_path: Path) -> None:
    path = _project(tmp_path, "[tool.pyward]\nfail-on = 'high'\n")
    policy, notes = load_policy(path)
    assert policy == Policy()
    assert notes == []
    assert policy.vulnerabilities == VulnerabilitiesRule()
    assert policy.cooldown == CooldownRule(days=7.0)
    assert (policy.licenses, policy.packages, policy.sources, policy.pinning) == (None,) * 4


def test_rules_are_turned_on_off_and_set(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        """
[tool.pyward.policy]
undecided = "pass"
typosquat = false
eol = true
cooldown = { days = 14, exceptions = { "Our_Lib" = 0, "django" = 3.5 } }
vulnerabilities = { severity = "high" }
licenses = { allow = ["MIT", "Apache-2.0", "LicenseRef-Company"], deny = ["GPL-3.0-only"] }
packages = { deny = ["insecure-package", "urllib3<2"] }
sources = { indexes = ["https://USER:PW@Private.Example.invalid/simple/"] }
pinning = { hashes = false }
unmaintained = { enabled = false }
""",
    )
    policy, _ = load_policy(path)
    assert policy.undecided == "pass"
    assert policy.typosquat is None
    assert policy.eol is not None
    assert policy.cooldown == CooldownRule(days=14.0, exceptions={"our-lib": 0.0, "django": 3.5})
    assert policy.cooldown.days_for("our-lib") == 0.0
    assert policy.cooldown.days_for("flask") == 14.0
    assert policy.vulnerabilities == VulnerabilitiesRule(severity="high")
    assert policy.licenses == LicensesRule(
        allow=("MIT", "Apache-2.0", "LicenseRef-Company"), deny=("GPL-3.0-only",)
    )
    assert policy.packages is not None
    assert policy.packages.deny == ("insecure-package", "urllib3<2")
    assert policy.sources is not None
    assert policy.sources.indexes == ("https://private.example.invalid/simple",)
    assert policy.pinning is not None
    assert policy.pinning.hashes is False
    assert policy.unmaintained is None
    assert policy.origins == (f"{path}: tool.pyward.policy",)


def test_pyward_toml_policy_table(tmp_path: Path) -> None:
    path = _project(tmp_path, "[policy]\nmalicious = true\n[policy.eol]\n", name="pyward.toml")
    policy, _ = load_policy(path)
    assert policy.eol is not None
    assert policy.origins == (f"{path}: policy",)


@pytest.mark.parametrize(
    ("table", "where", "message"),
    [
        ("licences = true", "tool.pyward.policy.licences", "unknown rule 'licences'"),
        ("cooldown = 7", "tool.pyward.policy.cooldown", "must be true, false or a table"),
        ("cooldown = { day = 7 }", "tool.pyward.policy.cooldown.day", "unknown setting"),
        ("cooldown = { days = -1 }", "tool.pyward.policy.cooldown.days", "must be a number"),
        ("cooldown = { days = '7' }", "tool.pyward.policy.cooldown.days", "must be a number"),
        (
            "cooldown = { exceptions = { 'not a name!' = 1 } }",
            "tool.pyward.policy.cooldown.exceptions.not a name!",
            "is not a project name",
        ),
        (
            "vulnerabilities = { severity = 'severe' }",
            "tool.pyward.policy.vulnerabilities.severity",
            "must be one of any, low, medium, high, critical",
        ),
        (
            "licenses = { allow = ['MIT', 'Not-A-Licence'] }",
            "tool.pyward.policy.licenses.allow[1]",
            "'Not-A-Licence' is not an SPDX licence id",
        ),
        (
            "licenses = { unknown = 'maybe' }",
            "tool.pyward.policy.licenses.unknown",
            "must be 'fail' or 'pass'",
        ),
        (
            "packages = { deny = ['requests >= '] }",
            "tool.pyward.policy.packages.deny[0]",
            "'requests >=': not a PEP 508 requirement",
        ),
        (
            "packages = { deny = ['requests; python_version < \"3\"'] }",
            "tool.pyward.policy.packages.deny[0]",
            "takes no environment marker",
        ),
        (
            "sources = { indexes = ['ftp://x.invalid/'] }",
            "tool.pyward.policy.sources.indexes[0]",
            "is not an http(s) URL",
        ),
        (
            "project-status = { statuses = ['stale'] }",
            "tool.pyward.policy.project-status.statuses[0]",
            "unknown project status 'stale'",
        ),
        ("typosquat = { min-score = 2 }", "tool.pyward.policy.typosquat.min-score", "between 0"),
        ("pinning = { hashes = 'yes' }", "tool.pyward.policy.pinning.hashes", "true or false"),
        ("undecided = 'ignore'", "tool.pyward.policy.undecided", "must be 'fail' or 'pass'"),
        ("extend = 3", "tool.pyward.policy.extend", "a file path or an http(s) URL"),
        ("extend = 'missing.toml'", "tool.pyward.policy.extend", "no such policy file"),
    ],
)
def test_bad_policy_is_one_line_naming_the_key_path(
    tmp_path: Path, table: str, where: str, message: str
) -> None:
    path = _project(tmp_path, f"[tool.pyward.policy]\n{table}\n")
    with pytest.raises(InputError) as info:
        load_policy(path)
    text = str(info.value)
    assert "\n" not in text
    assert where in text
    assert message in text


def test_a_policy_that_is_not_a_table(tmp_path: Path) -> None:
    path = _project(tmp_path, "[tool.pyward]\npolicy = 'strict'\n")
    with pytest.raises(InputError, match=r"tool\.pyward\.policy: must be a table"):
        load_policy(path)


ORG = """
# The organisation's policy (a whole document is the policy table).
undecided = "fail"
vulnerabilities = { severity = "medium" }
cooldown = { days = 10 }
licenses = { allow = ["MIT", "BSD-3-Clause", "Apache-2.0"], deny = ["AGPL-3.0-only"] }
packages = { deny = ["insecure-package"] }
"""


def test_a_project_extends_and_tightens_an_organisation_policy(tmp_path: Path) -> None:
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "python.toml").write_text(ORG, encoding="utf-8")
    path = _project(
        tmp_path,
        """
[tool.pyward.policy]
extend = "org/python.toml"
vulnerabilities = { severity = "low" }
cooldown = { days = 14, exceptions = { "our-lib" = 0 } }
licenses = { allow = ["MIT"], deny = ["GPL-3.0-only", "AGPL-3.0-only"] }
packages = { deny = ["insecure-package", "urllib3<2"] }
eol = true
""",
    )
    policy, _ = load_policy(path)
    assert policy.vulnerabilities == VulnerabilitiesRule(severity="low")
    assert policy.cooldown == CooldownRule(days=14.0, exceptions={"our-lib": 0.0})
    assert policy.licenses == LicensesRule(allow=("MIT",), deny=("GPL-3.0-only", "AGPL-3.0-only"))
    assert policy.eol is not None
    # Rules the organisation leaves at their defaults stay on.
    assert policy.typosquat == TyposquatRule()
    assert policy.project_status == ProjectStatusRule()
    assert policy.origins == (str(tmp_path / "org" / "python.toml"), f"{path}: tool.pyward.policy")


@pytest.mark.parametrize(
    ("table", "where", "what"),
    [
        ("cooldown = false", "tool.pyward.policy.cooldown", "turns the rule off"),
        ("cooldown = { enabled = false }", "tool.pyward.policy.cooldown", "turns the rule off"),
        ("cooldown = { days = 3 }", "tool.pyward.policy.cooldown.days", "shortens the cooldown"),
        (
            "vulnerabilities = { severity = 'high' }",
            "tool.pyward.policy.vulnerabilities.severity",
            "raises the threshold from medium to high",
        ),
        (
            "licenses = { allow = ['MIT', 'GPL-3.0-only'] }",
            "tool.pyward.policy.licenses.allow",
            "allows GPL-3.0-only",
        ),
        (
            "licenses = { deny = [] }",
            "tool.pyward.policy.licenses.deny",
            "no longer denies AGPL-3.0-only",
        ),
        (
            "packages = { deny = ['urllib3<2'] }",
            "tool.pyward.policy.packages.deny",
            "no longer denies insecure-package",
        ),
        ("undecided = 'pass'", "tool.pyward.policy.undecided", "lets undecided rules pass"),
    ],
)
def test_an_extending_policy_may_not_loosen(
    tmp_path: Path, table: str, where: str, what: str
) -> None:
    (tmp_path / "org.toml").write_text(ORG, encoding="utf-8")
    path = _project(tmp_path, f"[tool.pyward.policy]\nextend = 'org.toml'\n{table}\n")
    with pytest.raises(InputError) as info:
        load_policy(path)
    text = str(info.value)
    assert where in text
    assert what in text
    assert "may only tighten" in text


def test_an_extend_loop_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("extend = 'b.toml'\n", encoding="utf-8")
    (tmp_path / "b.toml").write_text("extend = 'a.toml'\n", encoding="utf-8")
    with pytest.raises(InputError, match="extends itself"):
        load_policy(None, option=str(tmp_path / "a.toml"))


def test_the_policy_option_replaces_the_project_policy(tmp_path: Path) -> None:
    (tmp_path / "org.toml").write_text(ORG, encoding="utf-8")
    path = _project(tmp_path, "[tool.pyward.policy]\ncooldown = false\n")
    policy, _ = load_policy(path, option=str(tmp_path / "org.toml"))
    assert policy.cooldown == CooldownRule(days=10.0)
    assert policy.origins == (str(tmp_path / "org.toml"),)


def test_parse_policy_for_the_library() -> None:
    assert parse_policy({"cooldown": {"days": 2}}).cooldown == CooldownRule(days=2.0)
    with pytest.raises(InputError, match="extend needs load_policy"):
        parse_policy({"extend": "x.toml"})


def test_index_urls_compare_without_credentials_and_slash() -> None:
    assert normal_url("HTTPS://u:p@Host.Example.invalid:8443/Simple/") == (
        "https://host.example.invalid:8443/Simple"
    )


class _Server:
    """A loopback server of one policy document, counting requests and honouring ETag."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests = 0
        self.status = 200
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                if outer.status != 200:
                    self.send_response(outer.status)
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == '"v1"':
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server(ORG.encode())
    yield s
    s.close()


def test_a_policy_url_is_fetched_cached_and_revalidated(tmp_path: Path, server: _Server) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    path = _project(
        tmp_path,
        f"[tool.pyward.policy]\nextend = '{server.url}/python.toml'\ncooldown = {{ days = 12 }}\n",
    )
    policy, notes = load_policy(path, settings=settings)
    assert policy.cooldown == CooldownRule(days=12.0)
    assert policy.licenses is not None
    assert policy.origins[0] == f"{server.url}/python.toml"
    assert notes == []
    # The next run asks again, conditionally: 304 keeps the cached copy.
    again, _ = load_policy(path, settings=settings)
    assert again == policy
    assert server.requests == 2
    # Unreachable: the cached copy, with a note saying so.
    server.status = 503
    cached, notes = load_policy(path, settings=settings)
    assert cached == policy
    assert len(notes) == 1
    assert "HTTP 503" in notes[0]
    assert "using the copy cached on" in notes[0]
    # Offline: the cached copy without asking.
    offline = Settings(cache_dir=tmp_path / "cache", offline=True)
    asked = server.requests
    assert load_policy(path, settings=offline)[0] == policy
    assert server.requests == asked


def test_an_unreachable_policy_url_without_a_cached_copy_is_an_input_error(
    tmp_path: Path, server: _Server
) -> None:
    server.status = 404
    settings = Settings(cache_dir=tmp_path / "cache")
    with pytest.raises(InputError) as info:
        load_policy(None, option=f"{server.url}/python.toml", settings=settings)
    text = str(info.value)
    assert "--policy" in text
    assert "could not be read" in text
    assert "no copy is cached" in text
    with pytest.raises(InputError, match="offline"):
        load_policy(
            None,
            option=f"{server.url}/other.toml",
            settings=Settings(cache_dir=tmp_path / "c2", offline=True),
        )


def test_an_extend_loop_over_urls_is_an_error(tmp_path: Path, server: _Server) -> None:
    server.body = b"extend = 'base.toml'\ncooldown = { days = 20 }\n"
    base_server = server  # the same server answers every path with the current body
    settings = Settings(cache_dir=tmp_path / "cache")
    with pytest.raises(InputError, match="extends itself"):
        # base.toml answers the same body, which extends base.toml again: a loop.
        load_policy(None, option=f"{base_server.url}/base.toml", settings=settings)


def test_check_offline_asks_no_policy_server(
    tmp_path: Path, server: _Server, capsys: pytest.CaptureFixture[str], online: None
) -> None:
    # ``online``: PYWARD_OFFLINE is unset, so only --offline keeps the server unasked.
    from tests.conftest import run_cli

    (tmp_path / "r.txt").write_text("six==1.16.0\n", encoding="utf-8")
    url = f"{server.url}/python.toml"
    cache = str(tmp_path / "cache")
    code, _, err = run_cli(
        capsys, "check", str(tmp_path / "r.txt"), "--offline", "--policy", url, "--cache-dir", cache
    )
    assert code == 2
    assert server.requests == 0
    assert "could not be read (offline) and no copy is cached" in err
