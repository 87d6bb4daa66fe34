"""Ignore rules and VEX statements: which findings are suppressed, and what to warn.

One place decides it for every finding (STYLE.md: "ignores, thresholds and the exit
code are decided in one place").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from pyward._audit._report import Finding, Suppressed
from pyward._config import IgnoreRule

if TYPE_CHECKING:
    from pyward._audit._vex import VexStatement


# A NamedTuple, not a dataclass: see ``pyward._advisory._match`` (start-up cost; every
# audit with an ignore rule loads this module).
class Outcome(NamedTuple):
    """What suppression left of a list of findings."""

    findings: tuple[Finding, ...]
    """Findings still reported."""
    suppressed: tuple[Suppressed, ...]
    """Findings removed, with the rule that removed them."""
    warnings: tuple[str, ...]
    """Expired, unused and no-longer-applicable ignores."""
    expired: bool
    """An ignore rule is past its ``until`` date: the run fails."""


def _describe(rule: IgnoreRule) -> str:
    return f"ignore {rule.id} ({rule.origin})"


def suppress(
    findings: Sequence[Finding],
    rules: Sequence[IgnoreRule],
    statements: Sequence[VexStatement] = (),
    *,
    today: dt.date,
) -> Outcome:
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    warnings: list[str] = []
    expired = False
    live: list[IgnoreRule] = []
    for rule in rules:
        if rule.until is not None and rule.until < today:
            expired = True
            warnings.append(
                f"{_describe(rule)} expired on {rule.until.isoformat()}: the run fails until "
                "it is renewed or removed; the flaw is reported again"
            )
        else:
            live.append(rule)
    used: set[int] = set()
    if statements:
        from pyward._audit._vex import vex_applies
    for finding in findings:
        ids = {i.casefold() for i in finding.ids}
        hit: Suppressed | None = None
        for n, rule in enumerate(live):
            if rule.id.casefold() not in ids:
                continue
            used.add(n)
            if rule.until_fixed and finding.fixed_in:
                warnings.append(
                    f"{_describe(rule)} holds until a fix exists, and {finding.component.name} "
                    f"{finding.fixed_in[0]} fixes it: the finding is reported"
                )
                continue
            if hit is None:
                hit = Suppressed(
                    finding=finding, rule=_describe(rule), reason=rule.reason, kind="ignore"
                )
        if hit is None:
            for st in statements:
                if vex_applies(st, finding):
                    hit = Suppressed(
                        finding=finding,
                        rule=st.rule,
                        reason=st.reason,
                        kind="vex",
                        state=st.state,
                        justification=st.justification,
                    )
                    break
        if hit is None:
            kept.append(finding)
        else:
            suppressed.append(hit)
    for n, rule in enumerate(live):
        if n not in used:
            warnings.append(f"{_describe(rule)} matched no finding; remove it if it is stale")
    return Outcome(
        findings=tuple(kept),
        suppressed=tuple(suppressed),
        warnings=tuple(warnings),
        expired=expired,
    )
