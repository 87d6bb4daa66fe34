"""The usage policy (``pyward check``, ``pyward install``): which rules hold, and how a
run's findings become the policy's verdict.

Each rule is one registered check (:mod:`pyward._checks`) with the policy's settings
(:mod:`pyward._policy._model`): the policy chooses which checks run, what they are given
and which kinds of finding fail the run; the one gate (:mod:`pyward._gate`) decides.
A rule that could not be decided for want of data is an ``undecided`` finding, which
fails unless the policy says ``undecided = "pass"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyward._findings import CheckId
from pyward._policy import _model

__all__ = ["RULES", "RuleSpec", "rule_of_check"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSpec:
    """One policy rule: its id, the check that decides it and why it exists."""

    id: str
    """The rule's id: its key under ``[tool.pyward.policy]`` (``cooldown``)."""
    field: str
    """The :class:`~pyward._policy._model.Policy` field that holds its settings."""
    check: CheckId
    """The registered check that decides it."""
    record: type[Any]
    """The record of its settings (:mod:`pyward._policy._model`); its defaults are the
    rule's when a policy turns it on without settings."""
    rationale: str
    """Why the rule exists, in one or two sentences (``pyward rules``, the docs)."""


def _rule(id: str, check: str, record: type[Any], rationale: str) -> RuleSpec:
    return RuleSpec(
        id=id,
        field=id.replace("-", "_"),
        check=CheckId(check),
        record=record,
        rationale=rationale,
    )


#: Rule id -> rule, in the order the docs and reports list them.
RULES: Mapping[str, RuleSpec] = {
    r.id: r
    for r in (
        _rule(
            "vulnerabilities",
            "vulnerability",
            _model.VulnerabilitiesRule,
            "A release with a known vulnerability at or above the policy's severity is not "
            "installed: upgrade to a fixed release first.",
        ),
        _rule(
            "malicious",
            "malicious",
            _model.MaliciousRule,
            "A malicious release runs its code when it is installed: a release an OSV MAL "
            "record names is never installed. Withdrawn records never match.",
        ),
        _rule(
            "typosquat",
            "typosquat",
            _model.TyposquatRule,
            "A name one keystroke away from a popular project's is how attackers catch "
            "mistyped installs: such a name needs an explicit allow-list entry.",
        ),
        _rule(
            "cooldown",
            "cooldown",
            _model.CooldownRule,
            "A release published hours ago has had no time to be noticed if it was "
            "hijacked: wait until it is N days old (default 7). Checked on lock files too, "
            "which resolver cut-offs (exclude-newer, --uploaded-prior-to) never see.",
        ),
        _rule(
            "yanked",
            "yanked",
            _model.YankedRule,
            "Its maintainers withdrew a yanked release (PEP 592), usually because it is broken "
            "or unsafe.",
        ),
        _rule(
            "project-status",
            "project-status",
            _model.ProjectStatusRule,
            "A quarantined project is suspected malicious; an archived or deprecated one will "
            "get no fixes (PEP 792).",
        ),
        _rule(
            "eol",
            "eol",
            _model.EolRule,
            "A release line or a Python past its end of life gets no security fixes.",
        ),
        _rule(
            "unmaintained",
            "unmaintained",
            _model.UnmaintainedRule,
            "A project with no release for years is unlikely to fix the next flaw found in it.",
        ),
        _rule(
            "licenses",
            "license",
            _model.LicensesRule,
            "Every dependency's licence must be one the organisation accepts; an unknown "
            "licence is not a pass.",
        ),
        _rule(
            "packages",
            "package",
            _model.PackagesRule,
            "Some packages, or some of their versions, are banned (or only listed ones are "
            "allowed) by the organisation.",
        ),
        _rule(
            "sources",
            "source",
            _model.SourcesRule,
            "Packages come only from the indexes the organisation names; a private name that "
            "also exists on a public index can be shadowed there (dependency confusion).",
        ),
        _rule(
            "pinning",
            "pinning",
            _model.PinningRule,
            "A requirement that is not pinned with a hash installs whatever the index serves "
            "on the day: pin exact versions and their hashes.",
        ),
        _rule(
            "provenance",
            "provenance",
            _model.ProvenanceRule,
            "A verified PEP 740 attestation proves which repository and CI workflow built and "
            "uploaded a file; one that fails to verify is never installed, and a project "
            "suddenly published by another repository or workflow than the pinned one may "
            "have been taken over.",
        ),
    )
}


def rule_of_check(check: CheckId) -> RuleSpec | None:
    """The rule a check decides, if any."""
    for rule in RULES.values():
        if rule.check == check:
            return rule
    return None
