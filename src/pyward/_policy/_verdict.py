"""How a policy decides a run: the gate it sets, and the ``undecided`` findings it adds.

The policy is not a second gate: it sets the one gate's thresholds (every violation
fails; ``vulnerabilities.severity`` is the vulnerability kind's own threshold) and the
kinds that fail (those of the rules in force), and turns what the checks could not
decide into findings, so that a rule that was not checked is never taken for a pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pyward._findings import CheckId, Finding, FindingKind, Level, check_rating
from pyward._policy import RULES, RuleSpec, rule_of_check
from pyward._policy._details import UndecidedDetail
from pyward._policy._model import Policy

if TYPE_CHECKING:
    from pyward._checks import Check, Undecided
    from pyward._config import Config
    from pyward._gate import Gate
    from pyward._report import PolicySummary, SkippedCheck
    from pyward._vex import VexStatement

__all__ = [
    "UNDECIDED",
    "enabled_rules",
    "gate_for",
    "policy_checks",
    "summary",
    "undecided_findings",
]

#: The kind of a finding that says a rule could not be decided.
UNDECIDED = FindingKind("undecided")


def enabled_rules(policy: Policy) -> tuple[RuleSpec, ...]:
    """The rules the policy turns on, in :data:`RULES` order."""
    return tuple(r for r in RULES.values() if getattr(policy, r.field) is not None)


def policy_checks(policy: Policy) -> tuple[Check, ...]:
    """The registered checks that decide the policy's rules, in registry order."""
    from pyward._checks import CHECKS

    wanted = {r.check for r in enabled_rules(policy)}
    return tuple(c for c in CHECKS.values() if c.id in wanted)


def failing_kinds(policy: Policy) -> frozenset[str]:
    """What ``fail-on-kinds`` the policy amounts to: the kinds of its rules' findings,
    a project status only with a marker the rule names, an unknown licence only when the
    rule says it fails, a publisher change only when the provenance rule says it fails,
    and ``undecided`` unless the policy lets it pass."""
    from pyward._checks import CHECKS

    kinds: set[str] = set()
    for rule in enabled_rules(policy):
        kind = CHECKS[rule.check].kind
        settings = getattr(policy, rule.field)
        if rule.id == "project-status":
            kinds.update(f"{kind}:{s}" for s in settings.statuses)
        elif rule.id == "licenses":
            kinds.update((f"{kind}:denied", f"{kind}:not-allowed"))
            if settings.unknown == "fail":
                kinds.add(f"{kind}:unknown")
        elif rule.id == "provenance":
            # A failed verification always violates the rule; an unattested package is
            # reported only when it must be attested.
            kinds.update((f"{kind}:failed", f"{kind}:unattested"))
            if settings.publisher_change:
                kinds.add(f"{kind}:publisher-change")
        else:
            kinds.add(kind)
    if policy.undecided == "fail":
        kinds.add(UNDECIDED)
    return frozenset(kinds)


def gate_for(
    policy: Policy,
    config: Config,
    *,
    vex: Sequence[VexStatement] = (),
    today: dt.date | None = None,
) -> Gate:
    """The gate of a policy run: every violation of a rule in force fails, whatever its
    severity, but a vulnerability below ``vulnerabilities.severity``; the
    configuration's ignore rules (each with its reason and expiry) and VEX statements
    still apply, so an exception is written, dated and reported like any other."""
    import dataclasses

    from pyward._gate import Gate

    base = Gate.from_config(config, vex=vex, today=today)
    kind_fail_on: dict[str, Level | None] = {}
    if policy.vulnerabilities is not None:
        kind_fail_on["vulnerability"] = policy.vulnerabilities.severity
    return dataclasses.replace(
        base,
        fail_on=None,
        fail_on_kinds=failing_kinds(policy),
        kind_fail_on=kind_fail_on,
    )


def undecided_findings(
    undecided: Iterable[Undecided],
    skipped: Iterable[SkippedCheck],
    policy: Policy,
    *,
    subjects: int | None = None,
) -> list[Finding]:
    """An ``undecided`` finding for each component a rule in force could not decide, and
    one for each rule whose check could not run at all (its data is missing). When a
    rule could decide none of the ``subjects`` components, for one reason (no index
    configured), that is one finding for the rule, not one per component."""
    from pyward._checks import CHECKS

    in_force = {r.check for r in enabled_rules(policy)}
    by_check: dict[CheckId, list[Undecided]] = {}
    for u in undecided:
        if u.check is not None and u.check in in_force:
            by_check.setdefault(u.check, []).append(u)
    found: list[Finding] = []
    whole: list[tuple[CheckId, str]] = [(s.check, s.reason) for s in skipped if s.check in in_force]
    for check, items in by_check.items():
        reasons = {u.reason for u in items}
        if subjects is not None and subjects > 1 and len(items) == subjects and len(reasons) == 1:
            whole.append((check, f"for none of the {subjects} packages: {items[0].reason}"))
            continue
        rule = _rule(check)
        for u in items:
            comp = u.component
            version = f"@{comp.version}" if comp.version else ""
            general = f"{UNDECIDED}:{rule}:{comp.name}"
            found.append(
                Finding(
                    kind=UNDECIDED,
                    check=check,
                    id=general + version,
                    aliases=(general,) if version else (),
                    summary=f"{rule}: could not decide for {comp.name}{version.replace('@', ' ')}"
                    f": {u.reason}",
                    rating=check_rating(CHECKS[check].severity),
                    component=comp,
                    path=u.path,
                    detail=UndecidedDetail(rule=rule, reason=u.reason),
                )
            )
    for check, reason in whole:
        rule = _rule(check)
        found.append(
            Finding(
                kind=UNDECIDED,
                check=check,
                id=f"{UNDECIDED}:{rule}",
                summary=f"{rule}: not checked: {reason}",
                rating=check_rating(CHECKS[check].severity),
                detail=UndecidedDetail(rule=rule, reason=reason),
            )
        )
    return found


def _rule(check: CheckId) -> str:
    spec = rule_of_check(check)
    return spec.id if spec is not None else check


def rule_settings(record: Any) -> dict[str, Any]:
    """A rule record's settings by their policy key (``min-score``), as JSON values."""
    import dataclasses

    values: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, tuple):
            value = list(value)
        elif hasattr(value, "items"):
            value = dict(value)
        values[f.name.replace("_", "-")] = value
    return values


def summary(policy: Policy) -> PolicySummary:
    """What a report states of the policy: where it was read, the rules in force and
    their settings."""
    from pyward._report import PolicySummary

    settings = {
        rule.id: rule_settings(getattr(policy, rule.field)) for rule in enabled_rules(policy)
    }
    return PolicySummary(
        origins=policy.origins,
        rules=tuple(r.id for r in enabled_rules(policy)),
        settings=settings,
        undecided=policy.undecided,
    )
