"""The gate: thresholds and suppression policies decided in one place, for findings
of any kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from pyward._config import Config, IgnoreRule
from pyward._findings import CheckId, Finding, FindingKind, Rating, Suppressed
from pyward._gate import (
    Gate,
    IgnorePolicy,
    PolicyResult,
    VexPolicy,
    counts_against,
)
from pyward._model import Component, Location
from pyward._vex import Product, VexStatement

TODAY = dt.date(2024, 11, 1)
REQUESTS = Component(name="requests", version="2.28.1", purl="pkg:pypi/requests@2.28.1")


def _vuln(ident: str, level: str = "high", *aliases: str) -> Finding:
    return Finding(
        kind=FindingKind("vulnerability"),
        check=CheckId("vulnerability"),
        id=ident,
        aliases=aliases,
        summary=f"{ident} summary",
        rating=Rating(level=level),  # type: ignore[arg-type]
        component=REQUESTS,
        path=(REQUESTS.key,),
    )


RELEASE = Finding(
    kind=FindingKind("release"),
    check=CheckId("publishing"),
    id="publish-with-api-token",
    summary="uploads with a long-lived token",
    rating=Rating(level="medium", type="check"),
    location=Location(file=".github/workflows/release.yml", line=3),
)


@pytest.mark.parametrize(
    ("level", "fail_on", "unknown", "expected"),
    [
        ("low", None, "fail", True),
        ("medium", "high", "fail", False),
        ("critical", "high", "fail", True),
        ("high", "high", "fail", True),
        ("unknown", "critical", "fail", True),
        ("unknown", None, "pass", False),
    ],
)
def test_counts_against(level: str, fail_on: str | None, unknown: str, expected: bool) -> None:
    assert counts_against(level, fail_on, unknown) is expected  # type: ignore[arg-type]


def test_a_gate_without_policies_keeps_everything_and_fails_on_the_threshold() -> None:
    findings = [_vuln("PYSEC-1", "medium"), _vuln("PYSEC-2", "critical"), RELEASE]
    verdict = Gate(fail_on="high").decide(findings)
    assert verdict.kept == tuple(findings)
    assert verdict.suppressed == ()
    assert verdict.failing == (findings[1],)
    assert verdict.failed is True
    assert Gate(fail_on="critical").decide([RELEASE]).failed is False
    assert Gate().decide([RELEASE]).failing == (RELEASE,)


def test_an_ignore_wins_over_a_vex_statement_and_order_is_kept() -> None:
    a, b, c = _vuln("PYSEC-1"), _vuln("PYSEC-2", "high", "CVE-2"), _vuln("PYSEC-3")
    rule = IgnoreRule(id="cve-2", reason="not used", origin="pyward.toml: ignore[0]")
    statement = VexStatement(
        ids=frozenset({"pysec-2", "pysec-1"}),
        products=(Product(name="requests", version=None),),
        all_products=False,
        state="not_affected",
        reason="not_affected: code_not_reachable",
        rule="VEX not_affected: vex.json vulnerabilities[0]",
    )
    gate = Gate.from_config(Config(ignores=(rule,)), vex=[statement], today=TODAY)
    verdict = gate.decide([a, b, c])
    assert verdict.kept == (c,)
    assert verdict.suppressed == (
        Suppressed(
            finding=a,
            rule="VEX not_affected: vex.json vulnerabilities[0]",
            reason="not_affected: code_not_reachable",
            kind="vex",
            state="not_affected",
        ),
        Suppressed(
            finding=b,
            rule="ignore cve-2 (pyward.toml: ignore[0])",
            reason="not used",
            kind="ignore",
        ),
    )
    assert verdict.warnings == ()
    assert verdict.failing == (c,)


def test_a_vex_statement_about_products_never_covers_a_file_finding() -> None:
    statement = VexStatement(
        ids=frozenset({"publish-with-api-token"}),
        products=(Product(name="requests", version=None),),
        all_products=False,
        state="not_affected",
        reason="r",
        rule="VEX",
    )
    assert VexPolicy(statements=(statement,)).apply([RELEASE]) == PolicyResult()


def test_an_ignore_applies_to_any_kind_and_an_expired_one_fails_the_run() -> None:
    live = IgnoreRule(id="publish-with-api-token", reason="migrating", until=TODAY)
    expired = IgnoreRule(id="PYSEC-9", reason="old", until=dt.date(2024, 10, 1))
    result = IgnorePolicy(rules=(live, expired), today=TODAY).apply([RELEASE])
    message = (
        "ignore PYSEC-9 (command line) expired on 2024-10-01: the run fails until it is "
        "renewed or removed; the flaw is reported again"
    )
    assert result == PolicyResult(
        suppressed={
            0: Suppressed(
                finding=RELEASE,
                rule="ignore publish-with-api-token (command line)",
                reason="migrating",
                kind="ignore",
            )
        },
        warnings=(message,),
        failures=(message,),
    )
    verdict = Gate(policies=(IgnorePolicy(rules=(live, expired), today=TODAY),)).decide([RELEASE])
    assert verdict.kept == ()
    assert verdict.failing == ()
    assert verdict.failures == (message,)
    assert verdict.failed is True


def test_policies_compose() -> None:
    # Each policy sees only what the ones before it kept, and the suppressions come
    # back in the order of the findings given, whichever policy made them.
    class Drop:
        def __init__(self, ident: str) -> None:
            self.ident = ident
            self.seen: list[str] = []

        def apply(self, findings: Sequence[Finding]) -> PolicyResult:
            self.seen = [f.id for f in findings]
            return PolicyResult(
                suppressed={
                    i: Suppressed(finding=f, rule=self.ident, reason="test", kind="ignore")
                    for i, f in enumerate(findings)
                    if f.id == self.ident
                },
                warnings=(f"{self.ident} applied",),
            )

    first, second = Drop("publish-with-api-token"), Drop("PYSEC-1")
    a, b = _vuln("PYSEC-1"), _vuln("PYSEC-2", "low")
    verdict = Gate(fail_on="high", policies=(first, second)).decide([a, RELEASE, b])
    assert first.seen == ["PYSEC-1", "publish-with-api-token", "PYSEC-2"]
    assert second.seen == ["PYSEC-1", "PYSEC-2"]
    assert verdict.kept == (b,)
    assert [(s.finding, s.rule) for s in verdict.suppressed] == [
        (a, "PYSEC-1"),
        (RELEASE, "publish-with-api-token"),
    ]
    assert verdict.warnings == ("publish-with-api-token applied", "PYSEC-1 applied")
    assert verdict.failing == ()
    assert verdict.failed is False


def test_strict_fails_a_run_with_anything_not_audited() -> None:
    from pyward._model import NotAudited

    skipped = [
        NotAudited(name="six", requirement="six", reason="not pinned; lock the project first"),
        NotAudited(name="uv", requirement="uv", reason="not pinned; lock the project first"),
    ]
    strict = Gate(strict=True).decide([], not_audited=skipped)
    assert strict.failed is True
    assert strict.failures == ("strict: 2 packages could not be audited: the run fails",)
    assert strict.warnings == strict.failures
    assert Gate(strict=True).decide([], not_audited=skipped[:1]).failures == (
        "strict: 1 package could not be audited: the run fails",
    )
    assert Gate().decide([], not_audited=skipped).failed is False
    assert Gate(strict=True).decide([]).failed is False
    assert Gate.from_config(Config(strict=True)).strict is True


def _status(kind: str, level: str = "low", status: str | None = None) -> Finding:
    from pyward._findings import ProjectStatusDetail, status_id

    ident, aliases = status_id(kind, "requests", None if status else "2.28.1")
    return Finding(
        kind=FindingKind(kind),
        check=CheckId(kind),
        id=ident,
        aliases=aliases,
        summary=f"{kind} finding",
        rating=Rating(level=level, type="check"),  # type: ignore[arg-type]
        component=REQUESTS,
        detail=(
            ProjectStatusDetail(status=status, reason=None, index="https://index.invalid/simple/")
            if status
            else None
        ),
    )


def test_by_default_status_findings_that_only_inform_do_not_fail_the_run() -> None:
    outdated, unmaintained = _status("outdated"), _status("unmaintained")
    archived = _status("project-status", "low", "archived")
    deprecated = _status("project-status", "medium", "deprecated")
    quarantined = _status("project-status", "critical", "quarantined")
    yanked, eol = _status("yanked", "high"), _status("eol", "high")
    informing = [outdated, unmaintained, archived, deprecated]
    verdict = Gate().decide(informing)
    assert verdict.kept == tuple(informing)
    assert verdict.failing == ()
    assert verdict.failed is False
    failing = Gate().decide([*informing, quarantined, yanked, eol, RELEASE]).failing
    assert failing == (quarantined, yanked, eol, RELEASE)
    # The threshold still applies to the kinds that fail.
    assert Gate(fail_on="critical").decide([yanked, quarantined]).failing == (quarantined,)


def test_fail_on_kinds_names_the_kinds_that_fail() -> None:
    outdated, yanked = _status("outdated"), _status("yanked", "high")
    archived = _status("project-status", "low", "archived")
    quarantined = _status("project-status", "critical", "quarantined")
    findings = [outdated, yanked, archived, quarantined, _vuln("PYSEC-1")]
    only_outdated = Gate(fail_on_kinds=frozenset({"outdated"})).decide(findings)
    assert only_outdated.failing == (outdated,)
    every_status = Gate(fail_on_kinds=frozenset({"project-status"})).decide(findings)
    assert every_status.failing == (archived, quarantined)
    assert Gate(fail_on_kinds=frozenset()).decide(findings).failed is False
    config = Config(fail_on_kinds=("vulnerability", "project-status:archived"))
    gate = Gate.from_config(config, today=TODAY)
    assert gate.decide(findings).failing == (archived, findings[-1])


def test_an_ignore_names_a_status_finding_by_release_or_by_package() -> None:
    yanked = _status("yanked", "high")
    assert yanked.ids == ("yanked:requests@2.28.1", "yanked:requests")
    for ident in ("yanked:requests", "YANKED:requests@2.28.1"):
        rule = IgnoreRule(id=ident, reason="pinned on purpose", origin="pyward.toml: ignore[0]")
        verdict = Gate(policies=(IgnorePolicy(rules=(rule,), today=TODAY),)).decide([yanked])
        assert verdict.kept == ()
        assert verdict.suppressed[0].reason == "pinned on purpose"
