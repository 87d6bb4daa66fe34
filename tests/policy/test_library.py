"""``pyward.check``: the policy's verdict through the library, pure (no network, no files)."""

from __future__ import annotations

import datetime as dt

import pyward
from pyward import AdvisoryStore, Component, Inventory, parse_policy

RECORD = {
    "id": "PYSEC-0000-1",
    "modified": "2024-01-01T00:00:00Z",
    "summary": "a flaw of medium severity",
    "database_specific": {"severity": "MODERATE"},
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
        }
    ],
}


def _inventory() -> Inventory:
    comp = Component(name="demo", version="1.0", purl="pkg:pypi/demo@1.0", direct=True)
    return Inventory(source="r.txt", format="requirements", components=(comp,), roots=(comp.key,))


def test_a_vulnerability_below_the_policy_severity_is_no_violation() -> None:
    store = AdvisoryStore.from_records([RECORD])
    only_vulns = dict.fromkeys(("malicious", "typosquat", "cooldown", "yanked"), False)
    only_vulns["project-status"] = False
    strict = parse_policy({**only_vulns, "vulnerabilities": {"severity": "medium"}})
    lenient = parse_policy({**only_vulns, "vulnerabilities": {"severity": "high"}})
    failing = pyward.check([_inventory()], store, policy=strict, today=dt.date(2026, 12, 7))
    passing = pyward.check([_inventory()], store, policy=lenient, today=dt.date(2026, 12, 7))
    assert [f.id for f in failing.findings] == ["PYSEC-0000-1"]
    assert failing.failed
    assert [f.id for f in passing.findings] == ["PYSEC-0000-1"]
    assert not passing.failed
    assert passing.policy is not None
    assert passing.policy.rules == ("vulnerabilities",)
    assert dict(passing.kind_fail_on) == {"vulnerability": "high"}


def test_a_rule_without_its_data_is_undecided_and_fails_unless_the_policy_says_pass() -> None:
    store = AdvisoryStore.from_records([])
    policy = parse_policy(
        {"cooldown": False, "yanked": False, "project-status": False, "malicious": False}
    )
    report = pyward.check([_inventory()], store, policy=policy)
    (undecided,) = report.findings
    assert undecided.id == "undecided:typosquat"
    assert undecided.kind == "undecided"
    assert isinstance(undecided.detail, pyward.UndecidedDetail)
    assert undecided.detail.rule == "typosquat"
    assert "popularity list" in undecided.detail.reason
    assert report.failed
    relaxed = parse_policy(
        {
            "cooldown": False,
            "yanked": False,
            "undecided": "pass",
            "project-status": False,
            "malicious": False,
        }
    )
    assert not pyward.check([_inventory()], store, policy=relaxed).failed


def test_a_rule_that_decides_no_package_for_one_reason_is_one_undecided_finding() -> None:
    store = AdvisoryStore.from_records([])
    comps = tuple(
        Component(name=n, version="1.0", purl=f"pkg:pypi/{n}@1.0", direct=True)
        for n in ("demo", "other")
    )
    inv = Inventory(source="r.txt", format="requirements", components=comps)
    policy = parse_policy(
        {"typosquat": False, "yanked": False, "project-status": False, "malicious": False}
    )
    report = pyward.check([inv], store, policy=policy)
    (undecided,) = report.findings
    assert undecided.id == "undecided:cooldown"
    assert undecided.summary.startswith("cooldown: not checked: for none of the 2 packages: ")
    # One package with an upload time: the other is undecided on its own.
    dated = Component(
        name="demo",
        version="1.0",
        purl="pkg:pypi/demo@1.0",
        metadata={"upload-time": "2020-01-01T00:00:00+00:00"},
    )
    mixed = Inventory(source="r.txt", format="requirements", components=(dated, comps[1]))
    report = pyward.check([mixed], store, policy=policy, today=dt.date(2026, 12, 7))
    assert [f.id for f in report.findings] == ["undecided:cooldown:other@1.0"]
