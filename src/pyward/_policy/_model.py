"""The usage policy's model: one settings record per rule, and the policy that holds them.

A rule that is ``None`` in :class:`Policy` is off. The records are what the checks
read (``context.options.policy``); :mod:`pyward._policy._load` builds them from
``[tool.pyward.policy]``, ``pyward.toml`` or ``--policy FILE|URL`` (with ``extend``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pyward._findings import Level

__all__ = [
    "CooldownRule",
    "EolRule",
    "LicensesRule",
    "MaliciousRule",
    "PackagesRule",
    "PinningRule",
    "Policy",
    "ProjectStatusRule",
    "ProvenanceRule",
    "SourcesRule",
    "TyposquatRule",
    "UndecidedPolicy",
    "UnmaintainedRule",
    "VulnerabilitiesRule",
    "YankedRule",
]

#: What a rule that could not be decided means for the run.
UndecidedPolicy = Literal["fail", "pass"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VulnerabilitiesRule:
    """``vulnerabilities``: no known vulnerability at or above ``severity``."""

    severity: Level | None = None
    """The lowest severity that is a violation (``None``: any, ``unknown`` included)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MaliciousRule:
    """``malicious``: no release an OSV ``MAL-`` record names (withdrawn ones never do)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TyposquatRule:
    """``typosquat``: no name that imitates a popular project's."""

    allow: tuple[str, ...] = ()
    """PEP 503 names never flagged (a private package that happens to look like a
    popular one)."""
    min_score: float = 0.5
    """The lowest score (0 to 1) that is a violation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CooldownRule:
    """``cooldown``: no release younger than ``days``."""

    days: float = 7.0
    """The cooldown, in days."""
    exceptions: Mapping[str, float] = field(default_factory=dict)
    """PEP 503 name -> its own cooldown in days (``0``: exempt)."""

    def days_for(self, name: str) -> float:
        """The cooldown of the project ``name`` (PEP 503 normalised)."""
        return self.exceptions.get(name, self.days)


@dataclass(frozen=True, slots=True, kw_only=True)
class YankedRule:
    """``yanked``: no release its index has yanked."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectStatusRule:
    """``project-status``: no project its index marks with one of ``statuses``."""

    statuses: tuple[str, ...] = ("quarantined", "deprecated", "archived")
    """The PEP 792 markers that are violations."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EolRule:
    """``eol``: no package release line, and not the project's Python, past its end of life."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnmaintainedRule:
    """``unmaintained``: no project without a release for ``years``, or marked Inactive."""

    years: float = 3.0
    """Years without a release."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LicensesRule:
    """``licenses``: every licence expression satisfiable with allowed, not denied ids."""

    allow: tuple[str, ...] = ()
    """SPDX ids (canonical spelling) that are allowed; empty: any not denied."""
    deny: tuple[str, ...] = ()
    """SPDX ids that are denied."""
    unknown: UndecidedPolicy = "fail"
    """Whether a component whose licence is unknown or not an SPDX expression fails."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PackagesRule:
    """``packages``: deny and allow lists of PEP 508 requirements (a name, with an optional
    version specifier: ``urllib3<2``)."""

    deny: tuple[str, ...] = ()
    """A component that satisfies one is a violation."""
    allow: tuple[str, ...] = ()
    """When not empty, a component that satisfies none is a violation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcesRule:
    """``sources``: components come only from named indexes; a name on a private index
    that a public index has too is flagged (dependency confusion)."""

    indexes: tuple[str, ...] = ()
    """Index URLs (simple API base, compared without credentials and trailing slash)
    that components may come from; empty: any."""
    public: tuple[str, ...] = ()
    """Public indexes asked whether a privately sourced name exists there too; empty:
    no dependency-confusion probe."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PinningRule:
    """``pinning``: requirement files pin exact versions (``==``) and carry hashes."""

    hashes: bool = True
    """Whether every entry must carry ``--hash`` values too."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvenanceRule:
    """``provenance``: every artifact's PEP 740 attestations verify (a failure always
    violates the rule); the packages ``require`` names are attested; and, with
    ``publisher_change``, no project is published by another identity than the one
    pinned for it (``attestation-identities``)."""

    require: bool | tuple[str, ...] = False
    """``True``: every package must have verified provenance for every artifact; a
    tuple: these projects (PEP 503 names) must; ``False``: none must."""
    publisher_change: bool = True
    """Whether a publisher other than the pinned one violates the rule."""

    def requires(self, name: str) -> bool:
        """Whether the project ``name`` (PEP 503 normalised) must be attested."""
        return self.require is True or (isinstance(self.require, tuple) and name in self.require)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The policy in force: each rule's settings, ``None`` when the rule is off."""

    vulnerabilities: VulnerabilitiesRule | None = VulnerabilitiesRule()
    malicious: MaliciousRule | None = MaliciousRule()
    typosquat: TyposquatRule | None = TyposquatRule()
    cooldown: CooldownRule | None = CooldownRule()
    yanked: YankedRule | None = YankedRule()
    project_status: ProjectStatusRule | None = ProjectStatusRule()
    eol: EolRule | None = None
    unmaintained: UnmaintainedRule | None = None
    licenses: LicensesRule | None = None
    packages: PackagesRule | None = None
    sources: SourcesRule | None = None
    pinning: PinningRule | None = None
    provenance: ProvenanceRule | None = None
    undecided: UndecidedPolicy = "fail"
    """Whether a rule that could not be decided (no data) fails the run."""
    origins: tuple[str, ...] = ()
    """Where the policy was read, base first: ``org-policy.toml``, ``pyproject.toml:
    tool.pyward.policy``; empty for the built-in default."""
