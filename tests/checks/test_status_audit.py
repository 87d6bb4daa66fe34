"""The index checks in a whole audit: run with the vulnerability check, through the one
gate (what fails by default, ``fail-on-kinds``, ignores), each failed page said once."""

from __future__ import annotations

import datetime as dt

from pyward._advisory import AdvisoryStore
from pyward._audit import audit
from pyward._checks import Sources
from pyward._config import Config, IgnoreRule
from pyward._model import Inventory
from pyward._report import AuditReport
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._port import IndexFailure
from tests.audit._data import record
from tests.checks._status_support import file, inventory, made, metadata, recorded

LATER = dt.date(2028, 6, 1)
PRIVATE = IndexFailure(
    name="private",
    reason="https://index.invalid/simple/private/: HTTP 503 after 3 attempts",
    kind="network",
)


def _index() -> IndexMetadata:
    quarantined = made(
        "evil-pkg",
        [file("evil-pkg", "0.1", uploaded="2027-01-01T00:00:00Z")],
        status={"status": "quarantined", "reason": "malware"},
    )
    return metadata(
        recorded("requests"),
        recorded("six"),
        recorded("demo-archived"),
        quarantined,
        PRIVATE,
    )


def _inventories() -> list[Inventory]:
    lock = inventory(
        "requests==2.32.0", "six==1.16.0", "demo-archived==1.0.0", "evil-pkg==0.1", "private==1.0"
    )
    # An older pin of requests in a second file: a known vulnerability (fixed in 2.31.0).
    old = Inventory(
        source="constraints.txt",
        format="requirements",
        components=inventory("requests==2.30.0").components,
    )
    return [lock, old]


def _audit(config: Config | None = None) -> AuditReport:
    store = AdvisoryStore.from_records([record("requests", "PYSEC-2023-74")])
    return audit(_inventories(), store, sources=Sources(index=_index()), today=LATER, config=config)


def test_every_kind_is_reported_and_the_default_gate_fails_on_yanked_and_quarantined() -> None:
    report = _audit()
    assert sorted((f.kind, f.id) for f in report.findings) == [
        ("outdated", "outdated:requests@2.30.0"),
        ("outdated", "outdated:requests@2.32.0"),
        ("outdated", "outdated:six@1.16.0"),
        ("project-status", "project-status:demo-archived"),
        ("project-status", "project-status:evil-pkg"),
        ("unmaintained", "unmaintained:demo-archived"),
        ("unmaintained", "unmaintained:six"),
        ("vulnerability", "PYSEC-2023-74"),
        ("yanked", "yanked:requests@2.32.0"),
    ]
    assert sorted(f.id for f in report.failing) == [
        "PYSEC-2023-74",
        "project-status:evil-pkg",
        "yanked:requests@2.32.0",
    ]
    assert report.failed is True
    # Four checks could not read the page of ``private``: the report says so once.
    warning = (
        "index metadata for private: https://index.invalid/simple/private/: HTTP 503 after 3 "
        "attempts; its status checks did not run"
    )
    assert report.warnings.count(warning) == 1
    assert [s.check for s in report.skipped] == ["eol"]


def test_fail_on_kinds_decides_which_kinds_fail() -> None:
    outdated = _audit(Config(fail_on_kinds=("outdated",)))
    assert sorted(f.id for f in outdated.failing) == [
        "outdated:requests@2.30.0",
        "outdated:requests@2.32.0",
        "outdated:six@1.16.0",
    ]
    assert outdated.failed is True
    archived = _audit(Config(fail_on_kinds=("project-status:archived", "unmaintained")))
    assert sorted(f.id for f in archived.failing) == [
        "project-status:demo-archived",
        "unmaintained:demo-archived",
        "unmaintained:six",
    ]
    vulnerabilities = _audit(Config(fail_on_kinds=("vulnerability",)))
    assert [f.id for f in vulnerabilities.failing] == ["PYSEC-2023-74"]


def test_an_ignore_names_the_package_whatever_its_version() -> None:
    rule = IgnoreRule(id="yanked:requests", reason="2.32.0 is what our vendor certified")
    report = _audit(Config(ignores=(rule,), fail_on_kinds=("yanked",)))
    assert [s.finding.id for s in report.suppressed] == ["yanked:requests@2.32.0"]
    assert report.suppressed[0].reason == "2.32.0 is what our vendor certified"
    assert "yanked" not in {f.kind for f in report.findings}
    assert report.failing == ()
    assert report.failed is False
