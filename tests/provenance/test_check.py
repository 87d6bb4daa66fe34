"""The ``provenance`` check: a ProvenanceReport (built by hand, and from real PEP 740
verifications of tests/data/pep740-attestations) turned into findings, each outcome
with its severity, id, summary and detail; undecided packages; the gate with
``fail-on-kinds`` qualifiers; the JSON and table output of the detail."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from functools import cache
from typing import Any

import pytest

from pyward._audit import audit
from pyward._checks import CHECKS, CheckContext, Sources, run_checks, select_checks
from pyward._checks._provenance import explain, identity
from pyward._config import Config
from pyward._findings import Finding
from pyward._model import Artifact, Component, Inventory
from pyward._policy import RULES
from pyward._policy._check import check
from pyward._policy._details import ProvenanceDetail
from pyward._policy._model import Policy, ProvenanceRule
from pyward._provenance._model import (
    ArtifactProvenance,
    Coverage,
    PackageProvenance,
    ProvenanceReport,
    PublisherChange,
    Verification,
)
from pyward._render import render
from pyward._report import AuditReport
from tests.provenance._support import SAMPLES, TRAILOFBITS, sha256

SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "pypi_attestations-0.0.19-py3-none-any.whl"
#: The publisher pinned for pypi-attestations in the change cases: the real one's
#: repository under another workflow.
OTHER_PIN = {"kind": "GitHub", "repository": "trailofbits/pypi-attestations", "workflow": "x.yml"}


@cache
def real(filename: str, digest: str) -> Verification:
    """A real verification of a sample's provenance (the extra is needed: skipped without)."""
    pytest.importorskip("pypi_attestations", reason="needs the 'provenance' extra")
    from pyward._provenance import verify_provenance

    return verify_provenance(filename, digest, (SAMPLES / f"{filename}.provenance").read_bytes())


def sdist(digest: str) -> ArtifactProvenance:
    """The pypi-attestations sdist's real provenance, verified against ``digest``."""
    verification = real(SDIST, digest)
    return ArtifactProvenance(
        filename=SDIST,
        sha256=verification.sha256,
        digest_from="lock",
        status="verified" if verification.verified else "failed",
        verification=verification,
        reason=verification.reason,
    )


def verified_sdist() -> ArtifactProvenance:
    verified = sdist(sha256(SDIST))
    assert verified.status == "verified", verified.reason
    return verified


def failed_sdist() -> ArtifactProvenance:
    """The real provenance, checked against the digest of another file: a failure."""
    failed = sdist(sha256("rfc8785-0.1.2-py3-none-any.whl"))
    assert failed.status == "failed"
    return failed


def artifact(filename: str, status: Any, reason: str | None = None) -> ArtifactProvenance:
    return ArtifactProvenance(
        filename=filename, sha256="ab" * 32, digest_from="lock", status=status, reason=reason
    )


def component(name: str = "pypi-attestations", version: str = "0.0.19") -> Component:
    return Component(
        name=name,
        version=version,
        purl=f"pkg:pypi/{name}@{version}",
        direct=True,
        artifacts=(Artifact(filename=SDIST, sha256=sha256(SDIST)),),
    )


def package(
    *artifacts: ArtifactProvenance,
    comp: Component | None = None,
    pinned: Sequence[dict[str, str]] = (),
    change: PublisherChange | None = None,
) -> PackageProvenance:
    comp = comp or component()
    return PackageProvenance(
        component=comp,
        path=(comp.key,),
        artifacts=artifacts,
        pinned=tuple(pinned),
        pinned_in="pylock.toml" if pinned else None,
        change=change,
    )


def report_of(*packages: PackageProvenance) -> ProvenanceReport:
    return ProvenanceReport(
        packages=packages,
        coverage=Coverage(packages=0, packages_attested=0, artifacts=0, artifacts_attested=0),
    )


def changed() -> PackageProvenance:
    """pypi-attestations verified for its real publisher, but pinned to another workflow."""
    good = verified_sdist()
    assert good.publisher is not None
    change = PublisherChange(
        pinned=(OTHER_PIN,), found=good.publisher, filename=SDIST, pinned_in="pylock.toml"
    )
    return package(good, pinned=[OTHER_PIN], change=change)


#: The rule with its defaults (nothing required; a publisher change violates it).
DEFAULT = ProvenanceRule()


def run(
    *packages: PackageProvenance,
    rule: ProvenanceRule | None = DEFAULT,
    subjects: Sequence[Component] | None = None,
) -> tuple[list[Finding], list[str]]:
    """The check's findings and undecided reasons, under a policy with ``rule``
    (``None``: no policy, as in an audit)."""
    comps = list(subjects) if subjects is not None else [p.component for p in packages]
    inv = Inventory(source="pylock.toml", format="pylock.toml", components=tuple(comps))
    policy = Policy(provenance=rule) if rule is not None else None
    from pyward._checks import CheckOptions

    context = CheckContext(
        subjects=tuple((inv, c) for c in comps),
        sources=Sources(provenance=report_of(*packages)),
        path_of=lambda _inv, c: (c.key,),
        options=CheckOptions(policy=policy),
    )
    result, skipped = run_checks(context, [CHECKS["provenance"]])  # type: ignore[index]
    assert skipped == ()
    return list(result.findings), [u.reason for u in result.undecided]


def only_provenance(rule: ProvenanceRule) -> Policy:
    """A policy whose only rule is ``provenance``."""
    rules: dict[str, Any] = {r.field: None for r in RULES.values()}
    return Policy(**{**rules, "provenance": rule})


def detail(finding: Finding) -> ProvenanceDetail:
    assert isinstance(finding.detail, ProvenanceDetail)
    return finding.detail


# The outcomes, from real verifications.


def test_a_verified_package_passes_even_when_every_package_must_be_attested() -> None:
    assert run(package(verified_sdist()), rule=ProvenanceRule(require=True)) == ([], [])


def test_a_failed_verification_is_a_high_finding_naming_the_file_and_reason() -> None:
    (finding,), undecided = run(package(failed_sdist()))
    assert undecided == []
    assert finding.kind == "provenance"
    assert finding.check == "provenance"
    assert finding.id == "provenance:pypi-attestations@0.0.19"
    assert finding.aliases == ("provenance:pypi-attestations",)
    assert finding.rating.level == "high"
    assert finding.summary == (
        "pypi-attestations 0.0.19: PEP 740 provenance failed to verify: "
        "pypi_attestations-0.0.19.tar.gz: subject does not match distribution digest"
    )
    d = detail(finding)
    assert (d.outcome, d.status, d.files) == ("failed", "failed", (SDIST,))
    assert d.reason == f"{SDIST}: subject does not match distribution digest"
    assert d.describe() == f"verification failed: {d.reason}"
    assert finding.gate_kinds == ("provenance", "provenance:failed")
    assert finding.details is not None
    assert "Do not install it" in finding.details


def test_a_failure_is_a_violation_whatever_the_settings() -> None:
    for rule in (ProvenanceRule(publisher_change=False), None):
        (finding,), _ = run(package(failed_sdist()), rule=rule)
        assert detail(finding).outcome == "failed"


def test_a_publisher_change_is_critical_and_says_old_and_new() -> None:
    (finding,), _ = run(changed())
    assert finding.rating.level == "critical"
    assert finding.summary == (
        "publisher changed: pinned GitHub trailofbits/pypi-attestations x.yml, now github "
        "trailofbits/pypi-attestations release.yml (pypi_attestations-0.0.19.tar.gz)"
    )
    d = detail(finding)
    assert d.outcome == "publisher-change"
    assert d.status == "changed"
    assert d.files == (SDIST,)
    assert d.pinned == (OTHER_PIN,)
    assert d.pinned_in == "pylock.toml"
    assert d.publishers == (identity(TRAILOFBITS),)
    assert d.describe() == f"{finding.summary} (pinned in pylock.toml)"
    assert finding.gate_kinds == ("provenance", "provenance:publisher-change")
    assert finding.details is not None
    assert "pyward provenance --pin --repin pypi-attestations" in finding.details


def test_a_publisher_change_without_a_policy_is_a_violation_too() -> None:
    (finding,), _ = run(changed(), rule=None)
    assert detail(finding).outcome == "publisher-change"


def test_publisher_change_false_lets_a_change_pass_but_not_a_failure() -> None:
    rule = ProvenanceRule(publisher_change=False)
    assert run(changed(), rule=rule) == ([], [])
    both = dataclasses.replace(changed(), artifacts=(verified_sdist(), failed_sdist()))
    (finding,), _ = run(both, rule=rule)
    assert detail(finding).outcome == "failed"
    # With the rule on, the change is the worse outcome, and the failure is said too.
    (finding,), _ = run(both)
    assert detail(finding).outcome == "publisher-change"
    assert finding.details is not None
    assert "Verification failed as well" in finding.details


# Required but not attested (hand-built records).


def test_an_unattested_package_passes_unless_required() -> None:
    none = package(artifact(SDIST, "none"))
    assert run(none) == ([], [])
    assert run(none, rule=ProvenanceRule(require=("other",))) == ([], [])
    for rule in (ProvenanceRule(require=True), ProvenanceRule(require=("pypi-attestations",))):
        (finding,), _ = run(none, rule=rule)
        assert finding.rating.level == "medium"
        assert finding.summary == (
            f"pypi-attestations 0.0.19: {SDIST} has no PEP 740 provenance, but the policy "
            "requires provenance for it"
        )
        d = detail(finding)
        assert (d.outcome, d.status, d.files, d.required) == ("unattested", "none", (SDIST,), True)
        assert d.describe() == (
            f"not attested: {SDIST}: no provenance on the index; the policy requires "
            "provenance for it"
        )
        assert finding.gate_kinds == ("provenance", "provenance:unattested")


def test_a_partly_attested_package_names_only_the_files_without_provenance() -> None:
    files = [f"pypi_attestations-0.0.19-cp3{i}-none-any.whl" for i in range(5)]
    partial = package(verified_sdist(), *(artifact(f, "none") for f in files))
    assert partial.status == "partial"
    (finding,), _ = run(partial, rule=ProvenanceRule(require=True))
    assert finding.summary.startswith(
        "pypi-attestations 0.0.19: 5 of 6 files have no PEP 740 provenance"
    )
    d = detail(finding)
    assert d.files == tuple(files)
    assert d.reason.startswith(
        f"5 files ({files[0]}, {files[1]}, {files[2]}, 2 more): no provenance on the index"
    )
    assert d.publishers == (identity(TRAILOFBITS),)


def test_a_required_package_with_no_artifacts_is_unattested() -> None:
    (finding,), _ = run(package(), rule=ProvenanceRule(require=True))
    d = detail(finding)
    assert (d.outcome, d.status, d.files) == ("unattested", "no-artifacts", ())
    assert finding.summary == (
        "pypi-attestations 0.0.19: no file to verify, but the policy requires provenance for it"
    )
    assert d.reason.startswith("the input records no file and no digest for it")


def test_a_pinned_package_without_provenance_is_high_even_when_not_required() -> None:
    pinned = package(artifact(SDIST, "none"), pinned=[OTHER_PIN])
    (finding,), _ = run(pinned)
    assert finding.rating.level == "high"
    assert finding.summary == (
        f"pypi-attestations 0.0.19: {SDIST} has no PEP 740 provenance, but its publisher is "
        "pinned (GitHub trailofbits/pypi-attestations x.yml in pylock.toml)"
    )
    assert finding.details is not None
    assert "stolen index token" in finding.details
    assert detail(finding).pinned == (OTHER_PIN,)
    # publisher-change = false: pins are not enforced, so nothing is required.
    assert run(pinned, rule=ProvenanceRule(publisher_change=False)) == ([], [])


def test_provenance_that_could_not_be_had_is_undecided_for_a_required_package() -> None:
    offline = package(artifact(SDIST, "unavailable", "offline, and nothing is cached"))
    assert run(offline) == ([], [])
    findings, undecided = run(offline, rule=ProvenanceRule(require=True))
    assert findings == []
    assert undecided == [f"no provenance could be had: {SDIST}: offline, and nothing is cached"]
    # A file without provenance beside it decides: it is unattested.
    mixed = package(artifact(SDIST, "unavailable", "HTTP 503"), artifact(WHEEL, "none"))
    (finding,), undecided = run(mixed, rule=ProvenanceRule(require=True))
    assert undecided == []
    assert detail(finding).files == (WHEEL,)


def test_a_required_subject_missing_from_the_report_is_undecided() -> None:
    findings, undecided = run(
        subjects=[component("six", "1.16.0")], rule=ProvenanceRule(require=True)
    )
    assert findings == []
    assert undecided == ["no provenance could be had: the provenance report has no entry for it"]


# Through the policy check and the gate.


def _checked(report: ProvenanceReport, rule: ProvenanceRule) -> AuditReport:
    comps = tuple(p.component for p in report.packages)
    inv = Inventory(source="pylock.toml", format="pylock.toml", components=comps)
    return check([inv], None, policy=only_provenance(rule), sources=Sources(provenance=report))


def test_the_policy_fails_on_each_outcome_and_passes_a_verified_lock() -> None:
    rule = ProvenanceRule(require=True)
    assert _checked(report_of(package(verified_sdist())), rule).failed is False
    for pkg in (package(failed_sdist()), changed(), package(artifact(SDIST, "none"))):
        result = _checked(report_of(pkg), rule)
        assert result.failed is True
        assert [f.kind for f in result.findings] == ["provenance"]
        assert result.policy is not None
        assert result.policy.settings["provenance"] == {"require": True, "publisher-change": True}


def test_an_undecided_required_package_fails_unless_undecided_passes() -> None:
    offline = report_of(package(artifact(SDIST, "unavailable", "offline")))
    result = _checked(offline, ProvenanceRule(require=True))
    assert result.failed is True
    (finding,) = result.findings
    assert finding.kind == "undecided"
    assert finding.id == "undecided:provenance:pypi-attestations@0.0.19"
    assert finding.summary == (
        "provenance: could not decide for pypi-attestations 0.0.19: no provenance could be "
        f"had: {SDIST}: offline"
    )
    comps = (component(),)
    inv = Inventory(source="pylock.toml", format="pylock.toml", components=comps)
    lenient = dataclasses.replace(only_provenance(ProvenanceRule(require=True)), undecided="pass")
    assert check([inv], None, policy=lenient, sources=Sources(provenance=offline)).failed is False


def test_without_the_provenance_report_the_rule_is_undecided() -> None:
    inv = Inventory(source="pylock.toml", format="pylock.toml", components=(component(),))
    result = check([inv], None, policy=only_provenance(ProvenanceRule()), sources=Sources())
    (finding,) = result.findings
    assert finding.id == "undecided:provenance"
    assert "needs the artifacts' verified PEP 740 provenance" in finding.summary
    assert result.failed is True


@pytest.mark.parametrize(
    ("fail_on_kinds", "failing"),
    [
        (("provenance:publisher-change",), {"publisher-change"}),
        (("provenance:failed",), {"failed"}),
        (("provenance",), {"failed", "publisher-change"}),
        (("yanked",), set()),
    ],
)
def test_fail_on_kinds_names_an_outcome(fail_on_kinds: tuple[str, ...], failing: set[str]) -> None:
    other = component("attrs", "24.2.0")
    attrs_sdist = dataclasses.replace(failed_sdist(), filename="attrs-24.2.0.tar.gz")
    failed = package(attrs_sdist, comp=other)
    report = report_of(changed(), failed)
    inv = Inventory(source="pylock.toml", format="pylock.toml", components=(component(), other))
    result = audit(
        [inv],
        None,
        config=Config(fail_on_kinds=fail_on_kinds),
        sources=Sources(provenance=report),
        checks=select_checks(["provenance"]),
    )
    from pyward._gate import kind_fails

    outcomes = {detail(f).outcome for f in result.findings if kind_fails(f, result.fail_on_kinds)}
    assert outcomes == failing
    assert result.failed is bool(failing)


def test_the_config_accepts_the_provenance_outcomes(tmp_path: Any) -> None:
    from pyward._config import load_config

    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.pyward]\nfail-on-kinds = ["provenance:publisher-change", "provenance:unattested"]\n'
    )
    assert load_config(path).fail_on_kinds == (
        "provenance:publisher-change",
        "provenance:unattested",
    )


def test_every_outcome_is_a_kind_fail_on_kinds_may_name() -> None:
    from typing import get_args

    from pyward._config import known_gate_kinds
    from pyward._policy._details import ProvenanceOutcome

    known = known_gate_kinds()
    assert all(f"provenance:{outcome}" in known for outcome in get_args(ProvenanceOutcome))


def test_a_policy_without_publisher_change_does_not_fail_on_a_change_kind() -> None:
    from pyward._policy._verdict import failing_kinds

    on = failing_kinds(only_provenance(ProvenanceRule()))
    assert {"provenance:failed", "provenance:unattested", "provenance:publisher-change"} <= on
    assert "provenance" not in on
    off = failing_kinds(only_provenance(ProvenanceRule(publisher_change=False)))
    assert "provenance:publisher-change" not in off
    assert "provenance:failed" in off


# Output.


def test_json_carries_the_detail_with_the_verified_identity() -> None:
    result = _checked(report_of(changed()), ProvenanceRule())
    data = json.loads(render(result, "json", color=False))
    (finding,) = data["findings"]
    assert finding["kind"] == "provenance"
    assert finding["detail"] == {
        "outcome": "publisher-change",
        "status": "changed",
        "files": [SDIST],
        "reason": (
            "publisher changed: pinned GitHub trailofbits/pypi-attestations x.yml, now github "
            f"trailofbits/pypi-attestations release.yml ({SDIST})"
        ),
        "publishers": [
            {
                "kind": "github",
                "repository": "trailofbits/pypi-attestations",
                "workflow": "release.yml",
                "environment": None,
                "identity": TRAILOFBITS.identity,
            }
        ],
        "pinned": [OTHER_PIN],
        "pinned_in": "pylock.toml",
        "required": True,
    }


def test_the_table_shows_the_outcome() -> None:
    result = _checked(report_of(package(failed_sdist())), ProvenanceRule())
    text = render(result, "table", color=False, width=160)
    assert "provenance:pypi-attestations@0.0.19" in text
    assert "subject does not match distribution digest" in text
    assert "1 provenance finding" in text


def test_explain_lists_each_artifact_and_the_pins() -> None:
    pkg = package(verified_sdist(), artifact(WHEEL, "none"), pinned=[OTHER_PIN])
    context = CheckContext(
        subjects=(),
        sources=Sources(provenance=report_of(pkg)),
        path_of=lambda _inv, c: (c.key,),
    )
    assert explain(context, component()).splitlines() == [
        "provenance: partial",
        f"{SDIST}: verified: github trailofbits/pypi-attestations release.yml",
        f"{WHEEL}: none: no provenance on the index",
        "pinned in pylock.toml: GitHub trailofbits/pypi-attestations x.yml",
    ]
    bare = CheckContext(
        subjects=(), sources=Sources(provenance=report_of()), path_of=lambda _inv, c: (c.key,)
    )
    assert explain(bare, component()) == "no provenance was gathered for it"
