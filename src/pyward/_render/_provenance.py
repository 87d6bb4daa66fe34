"""The provenance section every renderer shows the same way (issue 15): the coverage
line, each package's status in words, its verified publishers, and what went wrong.

The records come from :mod:`pyward._provenance._model`, which needs nothing beyond the
core: rendering a report never loads Sigstore. This module only names them in
annotations, so a report without provenance does not create their classes (each costs
start-up time: bench/README.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pyward._render._common import plural

if TYPE_CHECKING:
    from pyward._provenance._model import (
        ArtifactProvenance,
        PackageProvenance,
        PackageStatus,
        ProvenanceReport,
    )

#: A package's status in words, as the table, Markdown and SARIF write it.
STATUS_WORDS: Mapping[PackageStatus, str] = {
    "changed": "publisher changed",
    "failed": "failed",
    "unavailable": "unavailable",
    "partial": "partial",
    "none": "no provenance",
    "no-artifacts": "no artifacts",
    "verified": "verified",
}

#: Rows come worst first: what needs a person's eyes before what passed.
STATUS_ORDER: tuple[PackageStatus, ...] = tuple(STATUS_WORDS)

#: More verified packages than this are summarised in one line by the table (the JSON
#: and Markdown outputs list every one): a lock of 300 attested packages must not bury
#: the one whose publisher changed.
VERIFIED_LISTED = 20

#: More ``unavailable`` packages than this with one same reason are one line of the
#: table (:func:`folded_unavailable`).
UNAVAILABLE_LISTED = 5


def ordered(report: ProvenanceReport) -> list[PackageProvenance]:
    """The packages worst first (:data:`STATUS_ORDER`), then by name and version."""
    return sorted(
        report.packages,
        key=lambda p: (
            STATUS_ORDER.index(p.status),
            p.component.name,
            p.component.version or "",
        ),
    )


def coverage_text(report: ProvenanceReport) -> str:
    """``12 of 15 packages attested (40 of 44 artifacts); not attested: direct deps
    a==1, b==2``."""
    c = report.coverage
    text = (
        f"{c.packages_attested} of {plural(c.packages, 'package')} attested "
        f"({c.artifacts_attested} of {plural(c.artifacts, 'artifact')})"
    )
    if c.packages_unavailable:
        text += f"; {c.packages_unavailable} could not be checked"
    if c.unattested_direct:
        text += f"; not attested: direct deps {', '.join(c.unattested_direct)}"
    return text


def trust_text(report: ProvenanceReport) -> str:
    """``Sigstore production trust root (bundled)``, or the file it was read from."""
    where = "bundled" if report.trust_root == "bundled" else f"from {report.trust_root}"
    return f"Sigstore {report.trust} trust root ({where})"


def publisher_text(package: PackageProvenance) -> str:
    """Its verified publishers (``github owner/repo release.yml (environment pypi)``),
    ``; ``-separated; empty when none verified."""
    return "; ".join(p.describe() for p in package.publishers)


def artifact_reason(artifact: ArtifactProvenance) -> str | None:
    """Why an artifact failed or could not be had: its own reason, else its
    verification's."""
    if artifact.reason is not None:
        return artifact.reason
    if artifact.verification is not None:
        return artifact.verification.reason
    return None


def detail_text(package: PackageProvenance) -> str:
    """What a person should know besides the status: the publisher change, each failed
    or unavailable artifact with its reason, the files with no provenance of a partly
    attested package, and the package's notes; empty when there is nothing to say."""
    parts: list[str] = []
    if package.change is not None:
        parts.append(package.change.describe())
    failed = [a for a in package.artifacts if a.status == "failed"]
    parts.extend(f"{a.filename}: {artifact_reason(a) or 'failed'}" for a in failed)
    missing = [a.filename for a in package.artifacts if a.status == "none"]
    if missing and package.status == "partial":
        parts.append(f"no provenance: {', '.join(missing)}")
    unavailable = [a for a in package.artifacts if a.status == "unavailable"]
    reasons = list(dict.fromkeys(artifact_reason(a) or "not available" for a in unavailable))
    if len(reasons) == 1 and len(unavailable) > 1:
        parts.append(f"{reasons[0]} ({plural(len(unavailable), 'artifact')})")
    else:
        parts.extend(f"{a.filename}: {artifact_reason(a) or 'not available'}" for a in unavailable)
    parts.extend(package.notes)
    return "; ".join(parts)


def unavailable_reason(package: PackageProvenance) -> str | None:
    """The one reason every file of an ``unavailable`` package could not be had (``no
    package index configured...``), when there is one and the package has nothing else to
    say; ``None`` otherwise."""
    if package.status != "unavailable" or package.notes:
        return None
    reasons = {artifact_reason(a) for a in package.artifacts if a.status == "unavailable"}
    if len(reasons) != 1 or None in reasons:
        return None
    return reasons.pop()


def folded_unavailable(packages: list[PackageProvenance]) -> dict[str, list[PackageProvenance]]:
    """The ``unavailable`` packages the table folds into one line per reason: those
    sharing one reason with more than :data:`UNAVAILABLE_LISTED` others (offline with an
    empty cache, or no index: the same words 200 times bury what matters)."""
    groups: dict[str, list[PackageProvenance]] = {}
    for package in packages:
        reason = unavailable_reason(package)
        if reason is not None:
            groups.setdefault(reason, []).append(package)
    return {r: ps for r, ps in groups.items() if len(ps) > UNAVAILABLE_LISTED}


def status_counts(report: ProvenanceReport) -> dict[PackageStatus, int]:
    """Packages per status, in :data:`STATUS_ORDER`, statuses with none left out."""
    counts = Counter(p.status for p in report.packages)
    return {status: counts[status] for status in STATUS_ORDER if counts[status]}


def verified_summary(packages: list[PackageProvenance]) -> str:
    """``48 more verified packages (40 github, 8 gitlab)``: the verified packages the
    table does not list one by one."""
    from pyward._provenance._model import PUBLISHER_KINDS

    kinds = Counter(p.publishers[0].kind for p in packages if p.publishers)
    by_kind = ", ".join(f"{kinds[k]} {k}" for k in PUBLISHER_KINDS if kinds[k])
    text = f"{plural(len(packages), 'more verified package')}"
    return text + (f" ({by_kind})" if by_kind else "")
