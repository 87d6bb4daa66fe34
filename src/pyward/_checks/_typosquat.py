"""The ``typosquat`` check: a name that imitates a popular project's.

Each component installed by name (from an index, or found installed) is compared with
the popularity list by :mod:`pyward._sources.popularity._squat`: one edit, separator
games, ``python-``/``-py`` affixes and confusable characters, scored 0 to 1 with the
target's popularity, the name's length and the name's own downloads. A score at or
above the policy's ``min_score`` (default 0.5) is a finding, unless the policy's
``allow`` names the project. Components fetched by URL, from a VCS or a local path are
not looked up by name on an index, so a name cannot trick their installer: they are
not compared.
"""

from __future__ import annotations

from pyward._checks import CheckContext, CheckResult
from pyward._checks._common import check_finding
from pyward._findings import CheckId, Finding
from pyward._model import Component
from pyward._policy._details import TyposquatDetail
from pyward._policy._model import TyposquatRule
from pyward._sources.popularity._squat import Match, confidence, detect
from pyward._sources.popularity._squat import explain as explain_name

#: The check's id: the kind of finding it reports.
CHECK = CheckId("typosquat")

#: The sources whose components an installer looks up by name.
_BY_NAME = frozenset({"registry", "installed"})


def rule_of(context: CheckContext) -> TyposquatRule:
    """The rule's settings: the policy's, else the defaults."""
    policy = context.options.policy
    if policy is not None and policy.typosquat is not None:
        return policy.typosquat
    return TyposquatRule()


def run(context: CheckContext) -> CheckResult:
    popularity = context.sources.popularity
    if popularity is None:  # the registry skips the check first; kept for direct calls
        return CheckResult(warnings=("typosquat: no popularity list",))
    rule = rule_of(context)
    source = popularity.data_source()
    day = popularity.updated.isoformat() if popularity.updated else "unknown date"
    used = f"{source.name}: {source.origin} ({day})"
    findings: list[Finding] = []
    for inv, comp in context.subjects:
        if comp.source not in _BY_NAME:
            continue
        match = detect(comp.name, popularity, rule)
        if match is None:
            continue
        findings.append(
            check_finding(
                CHECK,
                context,
                inv,
                comp,
                summary=summary(match, comp.display_name or comp.name),
                details=details(match, used),
                confidence=confidence(match.score),
                detail=TyposquatDetail(
                    target=match.target,
                    technique=match.technique,
                    score=match.score,
                    target_downloads=match.target_downloads,
                    downloads=match.downloads,
                    source=used,
                ),
            )
        )
    return CheckResult(findings=tuple(findings))


def summary(match: Match, shown: str) -> str:
    """One line: the name as written (``shown``), its target and the trick."""
    return f"{shown} imitates {match.target} ({match.technique}; score {match.score:.2f})"


def details(match: Match, used: str) -> str:
    """The finding's longer text: the counts, and the way out when the name is meant."""
    own = (
        f"{match.name} has {match.downloads:,}"
        if match.downloads is not None
        else f"{match.name} is not in the list"
    )
    return (
        f"{match.target} has {match.target_downloads:,} downloads a month; {own}. "
        f"Check that {match.name} is the project you mean; if it is, add it to the "
        f"policy's typosquat allow-list. Data: {used}."
    )


def explain(context: CheckContext, comp: Component) -> str:
    """What ``pyward check --explain typosquat NAME`` adds to a verdict: the target,
    technique and counts of a flagged name, or the nearest popular names and why none is
    a match (the data's own line is the caller's)."""
    popularity = context.sources.popularity
    if popularity is None:
        return "no popularity list"
    text = explain_name(comp.display_name or comp.name, popularity, rule_of(context))
    return "\n  ".join(text.splitlines()[1:])
