"""A rule for every version the records list: the planned target fixes every finding."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from pyward._audit import audit
from pyward._model import Component, Inventory
from tests.audit._data import records, store

#: (package, version) for every version listed as affected by the test records.
LISTED = sorted(
    {
        (affected["package"]["name"].lower(), version)
        for doc in records("django", "pillow", "urllib3", "werkzeug", "requests")
        for affected in doc.get("affected", ())
        for version in affected.get("versions", ())
    }
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(LISTED))
def test_target_is_not_affected_by_any_fixed_finding(pair: tuple[str, str]) -> None:
    name, version = pair
    data = store()
    inv = Inventory(
        source="r.txt", format="requirements", components=(Component(name=name, version=version),)
    )
    report = audit([inv], data, today=dt.date(2024, 11, 1))
    assert report.findings  # listed as affected, so at least one finding
    for step in report.fix_plan:
        if step.target is None:
            assert step.fixes == ()
            continue
        still = {m.advisory_id for m in data.matches(name, step.target)}
        fixed = [f for f in report.findings if f.id in step.fixes]
        assert fixed
        for finding in fixed:
            assert not still & {m.advisory_id for m in finding.vulnerability.matches}
        # Every finding is either fixed by the target or listed as unfixed.
        assert set(step.fixes) | set(step.unfixed) == {f.id for f in report.findings}
        # No smaller final release named by the records fixes them all.
        target = Version(step.target)
        smaller = {
            v for f in report.findings for v in f.fixed_in
            if not Version(v).is_prerelease and Version(v) < target
        }  # fmt: skip
        for v in smaller:
            left = {m.advisory_id for m in data.matches(name, v)}
            assert any(left & {m.advisory_id for m in f.vulnerability.matches} for f in fixed)
