"""The gate: the one place that decides what a run's findings mean.

Checks only report findings. The gate takes them with the user's decisions (the
threshold, ignore rules, VEX statements; later the usage policy) and returns one
:class:`Verdict`: which findings are kept, which are suppressed and by what rule, which
count against the threshold, what to warn about, and whether the run fails. The exit
code, every renderer and every command (``audit``, ``sbom --with-vulnerabilities``)
use that verdict; nothing else compares a severity with the threshold.

Suppressions are composable policies (modelled on sigstore-python's verification
policies, ``sigstore/verify/policy.py``): each looks at every finding once and returns
what it suppresses and what it warns about. They run in order, and a finding one policy
suppresses is not shown to the next: an ignore rule (the user's decision) wins over a
VEX statement (a claim about the product).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from pyward._findings import LEVELS, Finding, Level, Suppressed

if TYPE_CHECKING:
    from pyward._config import Config, IgnoreRule
    from pyward._model import NotAudited
    from pyward._vex import VexStatement

__all__ = [
    "INFORMATIONAL_KINDS",
    "Gate",
    "IgnorePolicy",
    "PolicyResult",
    "SuppressionPolicy",
    "UnknownPolicy",
    "Verdict",
    "VexPolicy",
    "counts_against",
    "fails_run",
    "kind_fails",
]

#: Whether a finding of ``unknown`` severity counts against the threshold.
UnknownPolicy = Literal["fail", "pass"]

#: The kinds of finding that inform but do not fail a run unless ``fail-on-kinds``
#: names them: ``outdated``, ``unmaintained``, and archived or deprecated projects (a
#: project status qualified by its marker). Every other kind fails by default:
#: vulnerabilities, yanked releases, quarantined projects, release lines past their end
#: of life, and the kinds of checks added later.
INFORMATIONAL_KINDS: frozenset[str] = frozenset(
    {"outdated", "unmaintained", "project-status:archived", "project-status:deprecated"}
)


def counts_against(level: Level, fail_on: Level | None, unknown_severity: str = "fail") -> bool:
    """Whether a finding of ``level`` counts against the threshold ``fail_on``.

    ``fail_on=None`` means any finding counts; ``unknown`` severity counts unless
    ``unknown_severity == "pass"``.
    """
    if level == "unknown":
        return unknown_severity == "fail"
    if fail_on is None:
        return True
    return LEVELS.index(level) <= LEVELS.index(fail_on)


def kind_fails(finding: Finding, fail_on_kinds: frozenset[str] | None = None) -> bool:
    """Whether ``finding`` is of a kind that fails the run: one of its
    :attr:`~Finding.gate_kinds` is in ``fail_on_kinds``; by default, its most specific
    one is not in :data:`INFORMATIONAL_KINDS`. A finding of another kind informs."""
    kinds = finding.gate_kinds
    if fail_on_kinds is None:
        return kinds[-1] not in INFORMATIONAL_KINDS
    return any(k in fail_on_kinds for k in kinds)


def fails_run(
    finding: Finding,
    fail_on: Level | None,
    unknown_severity: str = "fail",
    *,
    fail_on_kinds: frozenset[str] | None = None,
    kind_fail_on: Mapping[str, Level | None] | None = None,
) -> bool:
    """Whether ``finding`` counts against the run: its kind fails (:func:`kind_fails`),
    and its level :func:`counts_against` the threshold (its kind's own threshold where
    ``kind_fail_on`` has one: a policy's ``vulnerabilities.severity``)."""
    if kind_fail_on and finding.kind in kind_fail_on:
        fail_on = kind_fail_on[finding.kind]
    return kind_fails(finding, fail_on_kinds) and counts_against(
        finding.rating.level, fail_on, unknown_severity
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyResult:
    """What one suppression policy decided about a list of findings."""

    suppressed: Mapping[int, Suppressed] = field(default_factory=dict)
    """Index in the list it was given -> the suppression."""
    warnings: tuple[str, ...] = ()
    """Stale, expired or no longer applicable rules."""
    failures: tuple[str, ...] = ()
    """Reasons the run fails whatever the findings (an ignore past its date)."""


class SuppressionPolicy(Protocol):
    """A rule set that may take findings out of a report."""

    def apply(self, findings: Sequence[Finding]) -> PolicyResult:
        """Decide about every finding at once (a rule that matches none is stale)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnorePolicy:
    """``[tool.pyward] ignore`` rules and ``--ignore``: alias-aware, with a reason,
    and an expiry (``until`` a date, or ``until-fixed``)."""

    rules: tuple[IgnoreRule, ...]
    """The rules, in file order (command-line rules last)."""
    today: dt.date
    """The date against which ``until`` is compared."""

    def apply(self, findings: Sequence[Finding]) -> PolicyResult:
        warnings: list[str] = []
        failures: list[str] = []
        live: list[IgnoreRule] = []
        for rule in self.rules:
            if rule.until is not None and rule.until < self.today:
                message = (
                    f"{_describe(rule)} expired on {rule.until.isoformat()}: the run fails "
                    "until it is renewed or removed; the flaw is reported again"
                )
                warnings.append(message)
                failures.append(message)
            else:
                live.append(rule)
        used: set[int] = set()
        suppressed: dict[int, Suppressed] = {}
        for index, finding in enumerate(findings):
            ids = {i.casefold() for i in finding.ids}
            for n, rule in enumerate(live):
                if rule.id.casefold() not in ids:
                    continue
                used.add(n)
                if rule.until_fixed and finding.fixed_in:
                    name = finding.component.name if finding.component else finding.id
                    warnings.append(
                        f"{_describe(rule)} holds until a fix exists, and {name} "
                        f"{finding.fixed_in[0]} fixes it: the finding is reported"
                    )
                    continue
                if index not in suppressed:
                    suppressed[index] = Suppressed(
                        finding=finding, rule=_describe(rule), reason=rule.reason, kind="ignore"
                    )
        warnings.extend(
            f"{_describe(rule)} matched no finding; remove it if it is stale"
            for n, rule in enumerate(live)
            if n not in used
        )
        return PolicyResult(
            suppressed=suppressed, warnings=tuple(warnings), failures=tuple(failures)
        )


def _describe(rule: IgnoreRule) -> str:
    return f"ignore {rule.id} ({rule.origin})"


@dataclass(frozen=True, slots=True, kw_only=True)
class VexPolicy:
    """VEX statements (CycloneDX or OpenVEX) that a product is not affected: the
    first statement that names one of a finding's ids and its component suppresses
    it. A statement never warns (one document covers many products)."""

    statements: tuple[VexStatement, ...]
    """The suppressing statements of every VEX document given, in order."""

    def apply(self, findings: Sequence[Finding]) -> PolicyResult:
        from pyward._vex import vex_applies

        suppressed: dict[int, Suppressed] = {}
        for index, finding in enumerate(findings):
            for st in self.statements:
                if vex_applies(st, finding):
                    suppressed[index] = Suppressed(
                        finding=finding,
                        rule=st.rule,
                        reason=st.reason,
                        kind="vex",
                        state=st.state,
                        justification=st.justification,
                    )
                    break
        return PolicyResult(suppressed=suppressed)


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The gate's decision about one run's findings."""

    kept: tuple[Finding, ...]
    """Findings still reported, in the order given."""
    suppressed: tuple[Suppressed, ...]
    """Findings removed, with the rule that removed them, in the order given."""
    failing: tuple[Finding, ...]
    """The kept findings that count against the threshold."""
    warnings: tuple[str, ...]
    """What the policies warn about (stale, expired, no longer applicable rules)."""
    failures: tuple[str, ...]
    """Reasons the run fails besides failing findings."""

    @property
    def failed(self) -> bool:
        """The run fails: a finding counts against the threshold, or a rule says so."""
        return bool(self.failing or self.failures)


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    """Thresholds and suppression policies, evaluated in one place."""

    fail_on: Level | None = None
    """Lowest severity that fails the run; ``None``: any finding fails."""
    unknown_severity: UnknownPolicy = "fail"
    """Whether a finding of unknown severity fails the run."""
    policies: tuple[SuppressionPolicy, ...] = ()
    """Suppression policies, applied in order."""
    strict: bool = False
    """The run fails when anything could not be audited (``--strict``, ``strict =
    true``): a clean result over part of the inputs is not a pass (issue 11 item 6)."""
    fail_on_kinds: frozenset[str] | None = None
    """The kinds of finding that can fail the run (see :attr:`Finding.gate_kinds`);
    findings of other kinds are reported and inform. ``None``: every kind but
    :data:`INFORMATIONAL_KINDS`."""
    kind_fail_on: Mapping[str, Level | None] = field(default_factory=dict)
    """A kind's own threshold, in place of ``fail_on`` (a policy's
    ``vulnerabilities.severity`` is the ``vulnerability`` kind's)."""

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        vex: Sequence[VexStatement] = (),
        today: dt.date | None = None,
    ) -> Gate:
        """The gate of a configuration (threshold and ignore rules) and the statements
        of the VEX documents already read. ``today`` decides which ignores have expired
        (default: the local date)."""
        policies: list[SuppressionPolicy] = []
        if config.ignores:
            policies.append(IgnorePolicy(rules=config.ignores, today=today or dt.date.today()))
        if vex:
            policies.append(VexPolicy(statements=tuple(vex)))
        return cls(
            fail_on=config.fail_on,
            unknown_severity=config.unknown_severity,
            policies=tuple(policies),
            strict=config.strict,
            fail_on_kinds=(
                frozenset(config.fail_on_kinds) if config.fail_on_kinds is not None else None
            ),
        )

    def fails(self, finding: Finding) -> bool:
        """Whether ``finding``, if kept, fails the run: its kind is one that fails, and
        its severity is at or above the threshold."""
        return fails_run(
            finding,
            self.fail_on,
            self.unknown_severity,
            fail_on_kinds=self.fail_on_kinds,
            kind_fail_on=self.kind_fail_on,
        )

    def decide(
        self, findings: Sequence[Finding], *, not_audited: Sequence[NotAudited] = ()
    ) -> Verdict:
        """The verdict on ``findings``: each policy in turn sees what the ones before
        it left. ``not_audited`` is what the run could not audit (strict fails on it)."""
        remaining = list(findings)
        suppressed: list[tuple[Finding, Suppressed]] = []
        warnings: list[str] = []
        failures: list[str] = []
        if self.strict and not_audited:
            count = len(not_audited)
            message = (
                f"strict: {count} {'package' if count == 1 else 'packages'} could not be "
                "audited: the run fails"
            )
            warnings.append(message)
            failures.append(message)
        for policy in self.policies:
            result = policy.apply(remaining)
            warnings.extend(result.warnings)
            failures.extend(result.failures)
            suppressed.extend((remaining[i], s) for i, s in result.suppressed.items())
            remaining = [f for i, f in enumerate(remaining) if i not in result.suppressed]
        # Suppressions in the order of the findings given, whichever policy made them.
        position = {id(f): n for n, f in enumerate(findings)}
        suppressed.sort(key=lambda pair: position[id(pair[0])])
        return Verdict(
            kept=tuple(remaining),
            suppressed=tuple(s for _, s in suppressed),
            failing=tuple(f for f in remaining if self.fails(f)),
            warnings=tuple(warnings),
            failures=tuple(failures),
        )
