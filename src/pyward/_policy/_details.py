"""The detail records of the usage policy's findings (``pyward check``): what only a
typosquat, cooldown, licence, package, source, pinning, provenance or undecided
finding knows.

They live with the policy rather than in :mod:`pyward._findings` so that a run which
checks no policy rule never creates their classes (each frozen, slotted dataclass costs
about 5 M instructions to create: bench/README.md). Renderers need not import them:
every record says itself (``describe()``), and the gate reads ``gate_qualifier`` where a
kind has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    from pyward._provenance._model import PackageStatus

__all__ = [
    "CooldownDetail",
    "LicenseDetail",
    "PackageDetail",
    "PinningDetail",
    "ProvenanceDetail",
    "ProvenanceOutcome",
    "SourceDetail",
    "TyposquatDetail",
    "UndecidedDetail",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TyposquatDetail:
    """A ``typosquat`` finding: the name imitates a popular project's."""

    target: str
    """The popular project imitated (PEP 503 name)."""
    technique: str
    """How the name is derived from ``target``, in words: ``transposition``,
    ``deletion``, ``insertion``, ``substitution``, ``separator``, ``affix python-``,
    ``confusable l/1``..."""
    score: float
    """How likely an imitation, 0 to 1 (higher: more likely)."""
    target_downloads: int
    """``target``'s monthly downloads in the popularity list."""
    downloads: int | None = None
    """The name's own monthly downloads, when the list has it."""
    source: str = ""
    """The popularity list used, and its date."""

    def describe(self) -> str:
        return (
            f"imitates {self.target} ({self.technique}; {self.target} has "
            f"{self.target_downloads:,} downloads a month)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CooldownDetail:
    """A ``cooldown`` finding: the release is younger than the policy's cooldown."""

    uploaded: dt.datetime
    """When the release's newest file was uploaded (a wheel added to an old release
    yesterday makes it a day old), UTC."""
    age_days: float
    """Days between ``uploaded`` and the run."""
    days: float
    """The cooldown in force for this package."""
    origin: str
    """Where the upload time comes from: ``uv.lock upload-time``, ``pylock.toml
    upload-time``, ``the index``."""

    def describe(self) -> str:
        return (
            f"uploaded {self.uploaded.date().isoformat()} ({self.age_days:.1f} days ago; "
            f"cooldown {self.days:g} days; from {self.origin})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseDetail:
    """A ``license`` finding: the component's licence breaks the policy's lists, or is
    not known."""

    outcome: Literal["denied", "not-allowed", "unknown"]
    """``denied``: the expression cannot be satisfied without a denied licence;
    ``not-allowed``: not without one outside the allow-list; ``unknown``: no licence
    could be found or read (never a pass)."""
    expression: str | None
    """The SPDX expression evaluated (normalised), or what was found as written."""
    offending: tuple[str, ...] = ()
    """The licence ids that decide the outcome."""
    origin: str = ""
    """Where the licence came from: ``the environment's METADATA``, ``the SBOM``,
    ``pip's installation report``, ``the index's JSON API``, ``a classifier``."""

    @property
    def gate_qualifier(self) -> str:
        """What ``fail-on-kinds`` may name after the kind: ``license:unknown``."""
        return self.outcome

    def describe(self) -> str:
        if self.outcome == "unknown":
            return "licence unknown" + (f": {self.expression}" if self.expression else "")
        word = "denied" if self.outcome == "denied" else "not allowed"
        return f"licence {self.expression}: {', '.join(self.offending) or word} {word}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageDetail:
    """A ``package`` finding: a deny-list entry matches, or no allow-list entry does."""

    list: Literal["deny", "allow"]
    """Which list decided."""
    entry: str | None
    """The deny-list entry that matched, as written (``None`` for the allow-list)."""

    def describe(self) -> str:
        if self.list == "deny":
            return f"denied by the policy ({self.entry})"
        return "not on the policy's allow-list"


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceDetail:
    """A ``source`` finding: the component comes from an index the policy does not name,
    or its name exists on a public index as well as on the private one it comes from
    (dependency confusion)."""

    problem: Literal["unlisted-index", "confusion"]
    """Which."""
    index: str | None
    """The index the component comes from (credentials redacted); ``None``: unknown."""
    public_index: str | None = None
    """For ``confusion``: the public index that has the name too."""

    def describe(self) -> str:
        if self.problem == "confusion":
            return (
                f"the name exists on {self.public_index} as well as on {self.index} "
                "(dependency confusion)"
            )
        return f"from {self.index or 'an unknown index'}, not one the policy names"


@dataclass(frozen=True, slots=True, kw_only=True)
class PinningDetail:
    """A ``pinning`` finding: a requirement file entry is not pinned to one version, or
    carries no hashes."""

    problem: Literal["not-pinned", "no-hashes"]
    """Which."""
    requirement: str
    """The requirement as written."""

    def describe(self) -> str:
        if self.problem == "not-pinned":
            return f"{self.requirement}: not pinned with =="
        return f"{self.requirement}: no --hash"


#: What a ``provenance`` finding says (``fail-on-kinds`` names it after the kind:
#: ``provenance:publisher-change``).
ProvenanceOutcome: TypeAlias = Literal["failed", "publisher-change", "unattested"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvenanceDetail:
    """A ``provenance`` finding: an artifact's PEP 740 attestations failed to verify, the
    project's verified publisher is not the pinned one, or a package that must be
    attested is not. Its fields are plain JSON values (the identities are tables of
    strings), so every renderer carries them as they are."""

    outcome: ProvenanceOutcome
    """``failed``: an artifact's attestations did not verify; ``publisher-change``: they
    verified for a publisher no pinned identity admits; ``unattested``: a package the
    policy requires to be attested (or that is pinned) has an artifact without
    provenance, or no artifact to verify."""
    status: PackageStatus
    """The package's provenance status (``changed``, ``failed``, ``partial``, ``none``,
    ``no-artifacts``...: :data:`pyward._provenance._model.PackageStatus`)."""
    files: tuple[str, ...]
    """The artifacts the outcome is about (the failed ones, the one that shows the
    change, the unattested ones); empty when the input records no file."""
    reason: str
    """Why, one line: the verifier's reasons with their files, the change, or what is
    missing."""
    publishers: tuple[Mapping[str, str | None], ...] = ()
    """The publishers the package's artifacts verified for (``kind``, ``repository``,
    ``workflow``, ``environment``, ``identity``: what the certificate, and for the
    environment the index, says)."""
    pinned: tuple[Mapping[str, str], ...] = ()
    """The identities pinned for the project (``attestation-identities`` tables, as
    written)."""
    pinned_in: str | None = None
    """The file the pins are read from."""
    required: bool = False
    """Whether the policy requires the package to be attested (``require``), or its pins
    do."""

    @property
    def gate_qualifier(self) -> str:
        """What ``fail-on-kinds`` may name after the kind: ``provenance:failed``."""
        return self.outcome

    def describe(self) -> str:
        if self.outcome == "failed":
            return f"verification failed: {self.reason}"
        if self.outcome == "unattested":
            return f"not attested: {self.reason}"
        return self.reason + (f" (pinned in {self.pinned_in})" if self.pinned_in else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class UndecidedDetail:
    """An ``undecided`` finding: a policy rule could not be decided for want of data
    (no index metadata offline, no licence, no upload time). It fails the run unless
    the policy says ``undecided = "pass"``: a rule that was not checked is not a pass."""

    rule: str
    """The policy rule (``cooldown``, ``licenses``...)."""
    reason: str
    """Why it could not be decided."""

    @property
    def gate_qualifier(self) -> str:
        """What ``fail-on-kinds`` may name after the kind: ``undecided:cooldown``."""
        return self.rule

    def describe(self) -> str:
        return f"{self.rule} undecided: {self.reason}"
