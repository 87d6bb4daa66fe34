"""The ``cooldown`` check: a release younger than the policy's cooldown (default 7 days).

A hijacked account or a compromised release pipeline publishes a release that is found
out within days; one that has been public for a week has had that week to be noticed.
Resolver cut-offs (uv's ``exclude-newer``, pip's ``--uploaded-prior-to``) act only while
resolving, so a lock written by a bot or an older tool slips past them: this check reads
the lock itself.

A release's age is measured from its **newest** file's upload time (a wheel added to an
old release yesterday makes it a day old: that wheel is what an installer may pick),
against the run's moment (:meth:`~pyward._checks.CheckContext.moment`). The time comes
from the lock when it records one (uv.lock and pylock.toml do, per file:
``Component.metadata["upload-time"]``), else from the package index's page (PEP 700
``upload-time`` of the version's files). With neither the component is
:class:`~pyward._checks.Undecided`, never passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pyward._checks import CheckContext, CheckResult
from pyward._checks._common import check_finding, page_references
from pyward._checks._undecided import undecided as undecided_of
from pyward._findings import CheckId, Finding
from pyward._inventory._common import UPLOAD_TIME
from pyward._model import Component, Inventory
from pyward._policy._details import CooldownDetail
from pyward._policy._model import CooldownRule
from pyward._sources.index._port import IndexFailure
from pyward._text import redact_url

__all__ = ["CHECK", "rule_of", "run", "upload_time"]

#: The check's id: the kind of finding it reports.
CHECK = CheckId("cooldown")

#: Seconds in a day: ages are in days, with their fraction.
_DAY = 86400.0


def rule_of(context: CheckContext) -> CooldownRule:
    """The cooldown settings in force: the policy's ``cooldown`` rule, else the defaults."""
    policy = context.options.policy
    if policy is not None and policy.cooldown is not None:
        return policy.cooldown
    return CooldownRule()


def run(context: CheckContext) -> CheckResult:
    rule = rule_of(context)
    now = context.moment()
    findings: list[Finding] = []
    warnings: list[str] = []
    undecided: list[tuple[Inventory, Component, str]] = []
    for inv, comp in context.subjects:
        if not comp.version:
            continue  # the audit reports a component without a version as not audited
        days = rule.days_for(comp.name)
        if days <= 0:
            continue  # exempt: the policy's exception says so
        found = upload_time(context, inv, comp, warnings.append)
        if isinstance(found, str):
            undecided.append((inv, comp, found))
            continue
        uploaded, origin, page_url = found
        age = (now - uploaded).total_seconds() / _DAY
        if age >= days:
            continue
        findings.append(
            _finding(
                context,
                inv,
                comp,
                uploaded=uploaded,
                age=age,
                days=days,
                origin=origin,
                page_url=page_url,
            )
        )
    return CheckResult(
        findings=tuple(findings),
        warnings=tuple(warnings),
        undecided=undecided_of(context, undecided, what="cooldown", lacking="no upload time"),
    )


def upload_time(
    context: CheckContext,
    inv: Inventory,
    comp: Component,
    warn: Callable[[str], None],
) -> tuple[dt.datetime, str, str | None] | str:
    """When ``comp``'s newest file was uploaded (UTC), where that was read, and the index
    page it came from (``None`` for the lock); else why it is not known, in words."""
    recorded = comp.metadata.get(UPLOAD_TIME)
    if recorded is not None:
        try:
            when = dt.datetime.fromisoformat(recorded)
        except ValueError:
            warn(f"{comp.name} {comp.version}: upload time {recorded!r} is not ISO 8601")
        else:
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.timezone.utc)
            return when.astimezone(dt.timezone.utc), f"{inv.format} upload-time", None
    lacking = f"{inv.format} records no upload time"
    index = context.sources.index
    if index is None:
        why = context.sources.unavailable.get("index", "no index metadata was fetched")
        return f"{lacking}, and the index was not asked ({why})"
    page = index.page(comp.name)
    if isinstance(page, IndexFailure):
        reason = page.reason.removeprefix(f"{page.name}: ")
        return f"{lacking}, and its index page could not be had ({reason})"
    facts = page.version_facts()
    version = comp.version or ""
    at = facts.position(version)
    if at is None:
        return f"{lacking}, and its index ({redact_url(page.index_url)}) does not list {version}"
    newest = facts.last_upload_time(at)
    if newest is None:
        return (
            f"{lacking}, and its index ({redact_url(page.index_url)}) gives no upload time "
            f"for {version} (PEP 700)"
        )
    return newest.astimezone(dt.timezone.utc), "the index", page.page_url or None


def _finding(
    context: CheckContext,
    inv: Inventory,
    comp: Component,
    *,
    uploaded: dt.datetime,
    age: float,
    days: float,
    origin: str,
    page_url: str | None,
) -> Finding:
    when = uploaded.strftime("%Y-%m-%d %H:%M UTC")
    return check_finding(
        CHECK,
        context,
        inv,
        comp,
        summary=(
            f"{comp.name} {comp.version} was uploaded {age:.1f} days ago ({when}), "
            f"within the {days:g}-day cooldown"
        ),
        details=(
            f"The newest file of {comp.name} {comp.version} was uploaded {when} (from "
            f"{origin}). A release younger than {days:g} days has had little time to be "
            "noticed if it was published from a hijacked account or a compromised "
            "pipeline: keep the previous release until it has aged, or add an exception "
            "for the package to the policy's cooldown rule."
        ),
        references=page_references(page_url),
        detail=CooldownDetail(uploaded=uploaded, age_days=age, days=days, origin=origin),
    )
