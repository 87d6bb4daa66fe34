"""The ``project-status`` check: PEP 792 markers, on the synthetic ``demo-archived``
page (API 1.4) and on pages written by hand; the recorded pages (API 1.1) have none."""

from __future__ import annotations

from pyward._findings import ProjectStatusDetail, Rating, Reference
from pyward._sources.index._port import IndexFailure
from tests.checks._status_support import context, file, made, metadata, recorded, run
from tests.index._support import INDEX


def test_an_archived_project_is_a_low_finding_about_the_project() -> None:
    result = run(
        "project-status", context(metadata(recorded("demo-archived")), "demo-archived==1.0.0")
    )
    assert result.warnings == ()
    (finding,) = result.findings
    assert (finding.kind, finding.check) == ("project-status", "project-status")
    # About the project, whatever the pin: no version in the id.
    assert (finding.id, finding.aliases) == ("project-status:demo-archived", ())
    assert finding.summary == (
        'demo-archived is archived on its index: "superseded by demo-two"; plan a replacement'
    )
    assert finding.details == (
        f"{INDEX} marks the project demo-archived archived (PEP 792): its maintainers expect "
        'no further releases, fixes included. The index gives the reason "superseded by '
        'demo-two". The audit pins 1.0.0.'
    )
    assert finding.rating == Rating(level="low", type="check")
    assert finding.detail == ProjectStatusDetail(
        status="archived", reason="superseded by demo-two", index=INDEX
    )
    assert finding.references == (Reference(type="PACKAGE", url=f"{INDEX}demo-archived/"),)
    assert finding.gate_kinds == ("project-status", "project-status:archived")


def test_quarantined_is_critical_and_deprecated_medium() -> None:
    quarantined = made(
        "evil-pkg",
        [file("evil-pkg", "0.1")],
        status={"status": "quarantined", "reason": "  malware reported  "},
    )
    deprecated = made("old-pkg", [file("old-pkg", "3.0")], status={"status": "deprecated"})
    index = metadata(quarantined, deprecated)
    result = run("project-status", context(index, "evil-pkg==0.1", "old-pkg==3.0"))
    assert [(f.id, f.rating.level, f.summary) for f in result.findings] == [
        (
            "project-status:evil-pkg",
            "critical",
            'evil-pkg is quarantined on its index: "malware reported"; remove it',
        ),
        (
            "project-status:old-pkg",
            "medium",
            "old-pkg is deprecated on its index; move to its replacement",
        ),
    ]
    assert [f.detail for f in result.findings] == [
        ProjectStatusDetail(status="quarantined", reason="malware reported", index=INDEX),
        ProjectStatusDetail(status="deprecated", reason=None, index=INDEX),
    ]
    assert result.findings[1].details == (
        f"{INDEX} marks the project old-pkg deprecated (PEP 792): its maintainers consider it "
        "obsolete, perhaps superseded by another project. The audit pins 3.0."
    )
    assert result.findings[0].gate_kinds == ("project-status", "project-status:quarantined")


def test_active_projects_and_pages_without_a_status_give_nothing() -> None:
    active = made("fine", [file("fine", "1.0")], status={"status": "active"})
    index = metadata(active, recorded("requests"), recorded("six"))
    result = run("project-status", context(index, "fine==1.0", "requests==2.32.0", "six==1.16.0"))
    assert (result.findings, result.warnings) == ((), ())


def test_an_unknown_marker_is_left_to_the_fetch() -> None:
    # The page's notes name it (the fetch reports them); the check reports none.
    odd = made("odd", [file("odd", "1.0")], status={"status": "retired"})
    assert odd.notes == (
        f"{INDEX}odd/: project-status.status: unknown status 'retired' (PEP 792 defines "
        "active, archived, quarantined, deprecated)",
    )
    result = run("project-status", context(metadata(odd), "odd==1.0"))
    assert (result.findings, result.warnings) == ((), ())


def test_a_page_that_failed_is_the_same_warning_as_the_other_checks_give() -> None:
    failure = IndexFailure(
        name="private", reason="https://index.invalid/simple/private/: HTTP 500", kind="network"
    )
    index = metadata(failure)
    warnings = {
        check: run(check, context(index, "private==1.0")).warnings
        for check in ("yanked", "project-status", "outdated", "unmaintained")
    }
    expected = (
        "index metadata for private: https://index.invalid/simple/private/: HTTP 500; "
        "its status checks did not run",
    )
    assert warnings == dict.fromkeys(warnings, expected)
