"""``pyward check --explain RULE PACKAGE``: why one package passes or breaks one rule.

The rule's check runs on that package alone, with the policy's settings for the rule
(its defaults when the policy leaves the rule off, which is said), and the data the
check needs; the answer names the verdict, the reason, the settings and the data used
with its age. A check module may define ``explain(context, component) -> str`` to say
more about a pass (the typosquat check names the nearest popular projects).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward._audit import data_sources
from pyward._policy._verdict import rule_settings
from pyward._render._common import setting_text, source_line
from pyward._text import visible
from pyward.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from pyward._checks import CheckResult
    from pyward._policy import RuleSpec
    from pyward._settings import Settings

__all__ = ["explain_rule"]

#: Rules decided on the name alone: ``--explain`` takes a bare NAME for them.
_NAME_ONLY = frozenset({"typosquat", "packages", "sources"})


def explain_rule(
    rule_id: str, package: str, *, args: argparse.Namespace, settings: Settings
) -> int:
    """Print why ``package`` passes or breaks ``rule_id``; 0 when it passes, 1 when not
    (a violation, or undecided)."""
    from pyward._checks import CHECKS, CheckContext
    from pyward._commands._sources import gather_sources
    from pyward._commands.check import load_policy_config
    from pyward._inventory._common import purl
    from pyward._model import Component, Inventory, canonical_name
    from pyward._policy import RULES

    rule = RULES.get(rule_id)
    if rule is None:
        raise UsageError(f"--explain: unknown rule {rule_id!r} (known: {', '.join(RULES)})")
    raw_name, _, raw_version = package.partition("==")
    name, version = raw_name.strip(), raw_version.strip() or None
    if not name:
        raise UsageError("--explain: PACKAGE is NAME or NAME==VERSION")
    if rule_id == "pinning":
        raise UsageError(
            "--explain pinning: the rule is about requirement files, not a package: run "
            "pyward check FILE with the policy's pinning rule on"
        )
    if version is None and rule_id not in _NAME_ONLY:
        raise UsageError(f"--explain {rule_id}: give the package as NAME==VERSION")
    config, policy, notes = load_policy_config(args, settings, Path("."))
    record = getattr(policy, rule.field)
    lines: list[str] = []
    if record is None:
        record = rule.record()
        lines.append(f"note: the policy leaves {rule_id} off; explained with its defaults")
    only: dict[str, Any] = {r.field: None for r in RULES.values()}
    only[rule.field] = record
    policy = dataclasses.replace(policy, **only)
    comp = Component(
        name=canonical_name(name),
        version=version,
        display_name=name if canonical_name(name) != name else None,
        purl=purl(name, version),
        direct=True,
    )
    inv = Inventory(
        source="--explain", format="the command line", components=(comp,), roots=(comp.key,)
    )
    check = CHECKS[rule.check]
    gathered = gather_sources(
        [inv], (check,), args=args, config=config, settings=settings, start=Path("."), policy=policy
    )
    sources = gathered.sources
    if "advisories" in check.needs:
        from pyward._commands._common import open_store

        sources = dataclasses.replace(sources, advisories=open_store(settings))
    context = CheckContext(
        subjects=((inv, comp),),
        sources=sources,
        path_of=lambda _inv, c: (c.key,),
        python=gathered.python,
        options=dataclasses.replace(gathered.options, policy=policy),
    )
    label = f"{name}=={version}" if version else name
    lines.insert(0, f"rule {rule_id}: {rule.rationale}")
    lines.append(f"policy: {', '.join(policy.origins) or 'the built-in default policy'}")
    lines.append(f"settings: {_settings_text(record)}")
    skip = check.skip_reason(sources)
    failed = True
    if skip is not None:
        lines.append(f"{label}: undecided: {skip}")
    else:
        result = check.run(context)
        failed = _verdict(lines, label, rule, result)
        if not failed:
            more = getattr(importlib.import_module(check.module), "explain", None)
            if more is not None:
                lines.extend(f"  {part.rstrip()}" for part in more(context, comp).splitlines())
    lines.extend(f"note: {n}" for n in (*notes, *gathered.notes))
    now = settings.source_date_epoch or dt.datetime.now(dt.timezone.utc)
    used = data_sources(context.sources, context.today)
    lines.extend(f"data: {source_line(source, now)}" for source in used)
    if sources.advisories is not None:
        info = sources.advisories.info
        lines.append(
            f"data: advisories from {info.source}, updated {info.updated.date().isoformat()}"
        )
    sys.stdout.write("\n".join(visible(line) for line in lines) + "\n")
    return EXIT_FINDINGS if failed else EXIT_OK


def _verdict(lines: list[str], label: str, rule: RuleSpec, result: CheckResult) -> bool:
    """Add the verdict's lines; whether the package fails the rule."""
    for f in result.findings:
        text = f"{label}: breaks {rule.id}: {f.summary} [{f.id}]"
        describe = getattr(f.detail, "describe", None)
        lines.append(text)
        if describe is not None:
            lines.append(f"  {describe()}")
    for u in result.undecided:
        lines.append(f"{label}: undecided: {u.reason}")
    lines.extend(f"warning: {w}" for w in result.warnings)
    if result.findings or result.undecided:
        return True
    lines.append(f"{label}: passes {rule.id}")
    return False


def _settings_text(record: object) -> str:
    """``days=7; exceptions=(none)``: a rule's settings, as the policy writes them."""
    parts = [
        f"{key}={setting_text(value) if value not in ((), [], {}) else '(none)'}"
        for key, value in rule_settings(record).items()
    ]
    return "; ".join(parts) or "(none)"
