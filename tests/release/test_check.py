"""The ``release-check`` member of the check registry: it runs the release rules over
``Sources.repository``, is skipped without a checkout, and its findings (kind
``release``) go through the one gate like any other check's."""

from __future__ import annotations

from pyward._checks import CHECKS, CheckContext, Sources, run_checks
from pyward._config import known_gate_kinds, parse_fail_on_kinds
from pyward._gate import Gate
from pyward._release import CHECK, KIND, release_check
from pyward._release._model import Repo
from pyward._report import SkippedCheck
from pyward.errors import UsageError
from tests.release._repos import fixture

RELEASE = CHECKS[CHECK]


def _context(sources: Sources) -> CheckContext:
    return CheckContext(subjects=(), sources=sources, path_of=lambda inv, c: (c.key,))


def test_the_check_is_registered_for_a_repository() -> None:
    assert (RELEASE.kind, RELEASE.needs, RELEASE.default) == (
        KIND,
        frozenset({"repository"}),
        False,
    )
    assert RELEASE.docs_url == "docs/checks.md#release-check"


def test_the_check_finds_what_the_command_finds() -> None:
    root = fixture("bad")
    result, skipped = run_checks(_context(Sources(repository=root)), [RELEASE])
    assert skipped == ()
    assert result.findings == release_check(Repo(root=root)).findings
    assert {f.kind for f in result.findings} == {"release"}
    assert {f.check for f in result.findings} == {"release-check"}
    assert result.warnings == ()


def test_a_file_not_checked_is_a_warning() -> None:
    result, _ = run_checks(_context(Sources(repository=fixture("broken"))), [RELEASE])
    (warning,) = result.warnings
    assert warning.startswith(
        "release-check: not checked: .github/workflows/broken.yml: line 9: not valid YAML: "
    )
    assert {f.id for f in result.findings} == {"excessive-permissions", "unpinned-build-deps"}


def test_without_a_checkout_the_check_is_skipped_with_the_reason() -> None:
    result, skipped = run_checks(_context(Sources()), [RELEASE])
    assert result.findings == ()
    assert skipped == (SkippedCheck(check=CHECK, reason="needs a repository checkout"),)


def test_release_findings_pass_and_fail_through_the_gate() -> None:
    assert "release" in known_gate_kinds()
    assert parse_fail_on_kinds(("release",), UsageError) == ("release",)
    result, _ = run_checks(_context(Sources(repository=fixture("bad"))), [RELEASE])
    assert Gate(fail_on="high", fail_on_kinds=frozenset({"release"})).decide(result.findings).failed
    # Only the kinds named fail the run: the release findings then only inform.
    verdict = Gate(fail_on="high", fail_on_kinds=frozenset({"vulnerability"})).decide(
        result.findings
    )
    assert not verdict.failed
    assert len(verdict.kept) == len(result.findings)
    good, _ = run_checks(_context(Sources(repository=fixture("good"))), [RELEASE])
    assert good.findings == ()
    assert not Gate(fail_on="low").decide(good.findings).failed
