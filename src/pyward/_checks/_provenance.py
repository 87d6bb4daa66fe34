"""The ``provenance`` check: a package whose PEP 740 attestations fail to verify, whose
verified publisher is not the one pinned for it, or (by policy) that is not attested.

The verification itself runs once before the checks (``Sources.provenance``, a
:class:`~pyward._provenance._model.ProvenanceReport`: every artifact's provenance fetched
from the index's integrity API and verified with ``pypi-attestations`` and ``sigstore``,
with the pins compared); this check turns that report into findings, one per package at
most, the worst outcome first:

1. ``publisher-change`` (critical): an artifact verified for a publisher that no
   identity pinned for the project admits (``PackageProvenance.change``), when the
   rule's ``publisher_change`` is on (the default, and without a policy).
2. ``failed`` (high): an artifact whose attestations did not verify (a digest that does
   not match, a tampered bundle, a certificate from another identity or another Sigstore
   instance). Always a violation: a failure is never a pass.
3. ``unattested``: a package that must be attested has an artifact with no provenance
   on the index, or no artifact to verify. A package must be attested when the rule's
   ``require`` names it (or is ``true``: ``pyward provenance --require-attestations``
   passes such a rule), severity medium; or when its publisher is pinned and
   ``publisher_change`` is on, severity high: a file of a pinned project uploaded
   without an attestation did not come from the pinned workflow (an upload with a
   stolen index token looks exactly like this).

A package that must be attested but whose provenance could not be had (offline with
nothing cached, a server error) is :class:`~pyward._checks.Undecided`, never passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pyward._checks import CheckContext, CheckResult
from pyward._checks._common import check_finding
from pyward._checks._undecided import undecided as undecided_of
from pyward._findings import CheckId, Finding, Level
from pyward._model import Component, Inventory
from pyward._policy._details import ProvenanceDetail, ProvenanceOutcome
from pyward._policy._model import ProvenanceRule
from pyward._provenance._model import (
    ArtifactProvenance,
    PackageProvenance,
    Publisher,
    describe_record,
)

__all__ = ["CHECK", "explain", "identity", "rule_of", "run"]

#: The check's id: the kind of finding it reports.
CHECK = CheckId("provenance")

#: Files named in a summary before the rest are counted.
NAMED = 3

#: What an artifact's status means, in words, where no reason is recorded.
_STATUS_WORDS: Mapping[str, str] = {
    "none": "no provenance on the index",
    "unavailable": "its provenance could not be had",
    "failed": "verification failed",
    "verified": "verified",
}


def rule_of(context: CheckContext) -> ProvenanceRule:
    """The provenance settings in force: the policy's ``provenance`` rule, else the
    defaults (nothing required; a publisher change is a violation)."""
    policy = context.options.policy
    if policy is not None and policy.provenance is not None:
        return policy.provenance
    return ProvenanceRule()


def run(context: CheckContext) -> CheckResult:
    report = context.sources.provenance
    if report is None:  # the registry skips the check without its source; a caller may not
        return CheckResult()
    rule = rule_of(context)
    by_key = {p.component.key: p for p in report.packages}
    findings: list[Finding] = []
    undecided: list[tuple[Inventory, Component, str]] = []
    for inv, comp in context.subjects:
        package = by_key.get(comp.key)
        if package is None:
            if rule.requires(comp.name):
                undecided.append((inv, comp, "the provenance report has no entry for it"))
            continue
        found = _judge(context, inv, comp, package, rule)
        if isinstance(found, str):
            undecided.append((inv, comp, found))
        elif found is not None:
            findings.append(found)
    return CheckResult(
        findings=tuple(findings),
        undecided=undecided_of(
            context, undecided, what="provenance", lacking="no provenance could be had"
        ),
    )


def _judge(
    context: CheckContext,
    inv: Inventory,
    comp: Component,
    package: PackageProvenance,
    rule: ProvenanceRule,
) -> Finding | str | None:
    """The package's finding, or why it could not be decided, or ``None`` (it passes)."""
    failed = [a for a in package.artifacts if a.status == "failed"]
    by_policy = rule.requires(comp.name)
    by_pins = rule.publisher_change and bool(package.pinned)
    if package.change is not None and rule.publisher_change:
        change = package.change
        details = (
            f"The attestations of {change.filename} verify, but for {change.found.describe()}; "
            f"the identities pinned for {comp.name} in {change.pinned_in} are "
            f"{_records(change.pinned)}. A project's publisher changes when it moves its "
            "repository or release workflow, and when someone who took the project over "
            "publishes from their own. Confirm the change with the project (its release "
            "notes, its repository) before installing, then accept it with `pyward "
            f"provenance --pin --repin {comp.name}`."
        )
        if failed:
            details += f" Verification failed as well: {_grouped(failed)}."
        return _finding(
            context,
            inv,
            comp,
            package,
            outcome="publisher-change",
            level="critical",
            summary=change.describe(),
            details=details,
            files=(change.filename,),
            reason=change.describe(),
            required=by_policy or by_pins,
        )
    if failed:
        reason = _grouped(failed)
        return _finding(
            context,
            inv,
            comp,
            package,
            outcome="failed",
            level="high",
            summary=f"{comp.name} {comp.version}: PEP 740 provenance failed to verify: {reason}",
            details=(
                f"The attestations the index serves for {_named([a.filename for a in failed])} "
                "do not verify "
                "against the file's SHA-256 and Sigstore's trust root: the file may have "
                "been changed after it was signed, or the attestation is another file's, "
                "another identity's or another Sigstore instance's. Do not install it: "
                "compare the digest your input records with the index's, and tell the "
                "project."
            ),
            files=tuple(a.filename for a in failed),
            reason=reason,
            required=by_policy or by_pins,
        )
    if not (by_policy or by_pins):
        return None
    why = _why_required(package, by_policy=by_policy)
    missing = [a for a in package.artifacts if a.status == "none"]
    if not package.artifacts:
        reason = "the input records no file and no digest for it: nothing could be verified"
        count = "no file to verify"
    elif missing:
        reason = _grouped(missing)
        count = (
            f"{missing[0].filename} has no PEP 740 provenance"
            if len(package.artifacts) == 1
            else f"{len(missing)} of {len(package.artifacts)} files have no PEP 740 provenance"
        )
    else:
        unavailable = [a for a in package.artifacts if a.status == "unavailable"]
        return _grouped(unavailable) if unavailable else None
    return _finding(
        context,
        inv,
        comp,
        package,
        outcome="unattested",
        level="medium" if by_policy and not by_pins else "high",
        summary=f"{comp.name} {comp.version}: {count}, but {why}",
        details=(
            f"{comp.name} {comp.version}: {reason}. A file without an attestation was not "
            "uploaded through Trusted Publishing (or was uploaded before the project "
            f"adopted it), so nothing ties it to the project's repository; {why}. "
            + (
                "An upload with a stolen index token looks exactly like this: find out why "
                "the release is not attested before installing it. "
                if by_pins
                else ""
            )
            + "Pin a release whose files are attested, or write an exception "
            f"(ignore provenance:{comp.name}@{comp.version} with a reason)."
        ),
        files=tuple(a.filename for a in missing),
        reason=f"{reason}; {why}",
        required=True,
    )


def _finding(
    context: CheckContext,
    inv: Inventory,
    comp: Component,
    package: PackageProvenance,
    *,
    outcome: ProvenanceOutcome,
    level: Level,
    summary: str,
    details: str,
    files: tuple[str, ...],
    reason: str,
    required: bool,
) -> Finding:
    return check_finding(
        CHECK,
        context,
        inv,
        comp,
        summary=summary,
        details=details,
        level=level,
        detail=ProvenanceDetail(
            outcome=outcome,
            status=package.status,
            files=files,
            reason=reason,
            publishers=tuple(identity(p) for p in package.publishers),
            pinned=tuple(dict(r) for r in package.pinned),
            pinned_in=package.pinned_in,
            required=required,
        ),
    )


def identity(publisher: Publisher) -> dict[str, str | None]:
    """A verified publisher as a finding's detail carries it (JSON: the verified
    identity): ``kind``, ``repository``, ``workflow``, ``environment``, ``identity``."""
    return {
        "kind": publisher.kind,
        "repository": publisher.repository,
        "workflow": publisher.workflow,
        "environment": publisher.environment,
        "identity": publisher.identity,
    }


def _why_required(package: PackageProvenance, *, by_policy: bool) -> str:
    if by_policy:
        return "the policy requires provenance for it"
    where = f" in {package.pinned_in}" if package.pinned_in else ""
    return f"its publisher is pinned ({_records(package.pinned)}{where})"


def _records(records: Sequence[Mapping[str, str]]) -> str:
    return "; ".join(describe_record(r) for r in records) or "none"


def _why(artifact: ArtifactProvenance) -> str:
    if artifact.reason:
        return artifact.reason
    if artifact.verification is not None and artifact.verification.reason:
        return artifact.verification.reason
    return _STATUS_WORDS.get(artifact.status, artifact.status)


def _grouped(artifacts: Iterable[ArtifactProvenance]) -> str:
    """``a.whl: invalid signature; 3 files (b.whl, c.whl, d.whl): REASON``: the artifacts
    grouped by reason, the first :data:`NAMED` of a group named."""
    by_reason: dict[str, list[str]] = {}
    for a in artifacts:
        by_reason.setdefault(_why(a), []).append(a.filename)
    parts = []
    for reason, names in by_reason.items():
        if len(names) == 1:
            parts.append(f"{names[0]}: {reason}")
        else:
            parts.append(f"{len(names)} files ({_named(names)}): {reason}")
    return "; ".join(parts)


def _named(names: Sequence[str]) -> str:
    shown = list(names[:NAMED])
    if len(names) > NAMED:
        shown.append(f"{len(names) - NAMED} more")
    return ", ".join(shown)


def explain(context: CheckContext, component: Component) -> str:
    """What ``pyward check --explain provenance NAME==VERSION`` adds to a pass: each
    artifact's outcome and verified publisher, and the pins compared."""
    report = context.sources.provenance
    package = None
    if report is not None:
        package = next((p for p in report.packages if p.component.key == component.key), None)
    if package is None:
        return "no provenance was gathered for it"
    lines = [f"provenance: {package.status}"]
    if not package.artifacts:
        lines.append("the input records no file for it: nothing was verified")
    for a in package.artifacts:
        if a.status == "verified" and a.verification is not None:
            lines.append(a.verification.describe())
        else:
            lines.append(f"{a.filename}: {a.status}: {_why(a)}")
    if package.pinned:
        where = f" in {package.pinned_in}" if package.pinned_in else ""
        lines.append(f"pinned{where}: {_records(package.pinned)}")
    lines.extend(f"note: {n}" for n in package.notes)
    return "\n".join(lines)
