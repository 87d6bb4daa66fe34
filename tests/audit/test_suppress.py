"""Ignores (alias-aware, expiring, until-fixed, unused) on real findings."""

from __future__ import annotations

import datetime as dt

from pyward._audit import audit
from pyward._checks import select_checks
from pyward._config import Config, IgnoreRule
from pyward._inventory import _requirements
from tests.audit._data import store
from tests.conftest import CORPUS

#: These tests are about the vulnerability check and the gate: the status checks,
#: whose data the tests do not give, would only add "did not run" warnings.
VULNERABILITY_ONLY = select_checks(["vulnerabilities"])

WAREHOUSE = CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt"
TODAY = dt.date(2024, 11, 1)


def _audit(*rules: IgnoreRule, fail_on: str | None = None, unknown: str = "fail"):  # type: ignore[no-untyped-def]
    config = Config(ignores=rules, fail_on=fail_on, unknown_severity=unknown)  # type: ignore[arg-type]
    return audit(
        [_requirements.read(WAREHOUSE)],
        store(),
        config=config,
        today=TODAY,
        checks=VULNERABILITY_ONLY,
    )


def test_alias_aware_ignore_with_reason() -> None:
    rule = IgnoreRule(
        id="cve-2023-32681",
        reason="no proxies in production",
        origin="pyproject.toml: tool.pyward.ignore[0]",
    )
    report = _audit(rule)
    assert "PYSEC-2023-74" not in [f.id for f in report.findings]
    (s,) = report.suppressed
    assert (s.finding.id, s.rule, s.reason, s.kind, s.state, s.justification) == (
        "PYSEC-2023-74",
        "ignore cve-2023-32681 (pyproject.toml: tool.pyward.ignore[0])",
        "no proxies in production",
        "ignore",
        None,
        None,
    )
    assert report.warnings == ()


def test_expired_ignore_fails_and_says_so() -> None:
    rule = IgnoreRule(id="PYSEC-2023-74", reason="r", until=dt.date(2024, 10, 31))
    report = _audit(rule, fail_on="critical", unknown="pass")
    assert report.suppressed == ()
    assert "PYSEC-2023-74" in [f.id for f in report.findings]
    assert report.warnings == (
        "ignore PYSEC-2023-74 (command line) expired on 2024-10-31: the run fails until it "
        "is renewed or removed; the flaw is reported again",
    )
    # Nothing is critical here: only the expired ignore fails the run.
    assert report.failed is True
    still_valid = _audit(
        IgnoreRule(id="PYSEC-2023-74", reason="r", until=TODAY), fail_on="critical", unknown="pass"
    )
    assert [s.finding.id for s in still_valid.suppressed] == ["PYSEC-2023-74"]
    assert still_valid.failed is False


def test_until_fixed_holds_only_without_a_fix() -> None:
    report = _audit(IgnoreRule(id="GHSA-j8r2-6x86-q33q", reason="r", until_fixed=True))
    assert report.suppressed == ()
    assert report.warnings == (
        "ignore GHSA-j8r2-6x86-q33q (command line) holds until a fix exists, and requests "
        "2.31.0 fixes it: the finding is reported",
    )


def test_unused_ignore_is_warned_about() -> None:
    report = _audit(IgnoreRule(id="CVE-1999-0001", reason="old"))
    assert report.warnings == (
        "ignore CVE-1999-0001 (command line) matched no finding; remove it if it is stale",
    )
    assert len(report.findings) == 12


def test_ignoring_everything_passes() -> None:
    ids = ["PYSEC-2023-254", "PYSEC-2023-192", "PYSEC-2023-212", "PYSEC-2023-11", "PYSEC-2024-40",
           "PYSEC-2023-74", "PYSEC-2024-60", "PYSEC-2023-228", "PYSEC-2023-135", "PYSEC-2023-117",
           "PYSEC-2023-45", "PYSEC-2023-46"]  # fmt: skip
    report = _audit(*(IgnoreRule(id=i, reason="accepted") for i in ids))
    assert report.findings == ()
    assert len(report.suppressed) == 12
    assert report.fix_plan == ()
    assert report.failed is False
