"""The ``eol`` check: components, and the Python interpreter, on a release line past its
end of life.

Each component whose project publishes a support schedule in the lifecycle data
(:mod:`pyward._sources.lifecycle`: endoflife.date's, shipped or refreshed) is placed on
its release line (``4.2.11`` is on Django's ``4.2``); a line whose end of life is before
the audit's date is a finding. The end of active support (``eoas``) alone is not: the
line still gets security fixes. A version on no known line is a warning, not a silent
pass. The interpreter is checked the same way when the run knows its Python target
(``CheckContext.python``).
"""

from __future__ import annotations

import datetime as dt

from pyward._checks import CHECKS, CheckContext, CheckResult
from pyward._checks._common import check_finding
from pyward._findings import (
    CheckId,
    EolDetail,
    Finding,
    FindingKind,
    Reference,
    check_rating,
    status_id,
)
from pyward._sources.lifecycle import Cycle, Lifecycle, Product, cycle_for, supported

#: The check's id, which is also its findings' kind.
CHECK = CheckId("eol")
KIND = FindingKind("eol")

#: endoflife.date's page of a product: its schedule, in a table.
PRODUCT_PAGE = "https://endoflife.date/{product}"


def run(context: CheckContext) -> CheckResult:
    lifecycle = context.sources.lifecycle
    if lifecycle is None:  # the registry skips the check without lifecycle data
        raise ValueError("the eol check needs lifecycle data")
    today = context.today
    findings: list[Finding] = []
    warnings: list[str] = []
    for inv, comp in context.subjects:
        product = lifecycle.for_package(comp.name)
        if product is None or comp.version is None:
            continue
        cycle = cycle_for(product, comp.version)
        if cycle is None:
            warnings.append(
                f"{comp.name} {comp.version}: on no release line of {product.label} that the "
                f"lifecycle data knows ({_source(lifecycle)}); its end of life is not checked"
            )
            continue
        if not cycle.ended(today):
            continue
        detail = _detail("package", product, cycle, lifecycle, today)
        findings.append(
            check_finding(
                CHECK,
                context,
                inv,
                comp,
                version=cycle.name,
                summary=_summary(product, cycle, detail),
                references=(Reference(type="WEB", url=PRODUCT_PAGE.format(product=product.name)),),
                detail=detail,
            )
        )
    target = context.python
    python = lifecycle.python
    if target is not None and python is not None:
        cycle = cycle_for(python, target.version)
        if cycle is None:
            warnings.append(
                f"Python {target.version} ({target.origin}): on no release line of Python "
                f"that the lifecycle data knows ({_source(lifecycle)}); its end of life is "
                "not checked"
            )
        elif cycle.ended(today):
            detail = _detail("interpreter", python, cycle, lifecycle, today)
            ident, aliases = status_id("eol", "python", cycle.name)
            findings.append(
                Finding(
                    kind=KIND,
                    check=CHECK,
                    id=ident,
                    aliases=aliases,
                    summary=_summary(python, cycle, detail),
                    details=f"The Python the project runs on is {target.version}, "
                    f"from {target.origin}.",
                    rating=check_rating(CHECKS[CHECK].severity),
                    location=target.location,
                    references=(Reference(type="WEB", url=PRODUCT_PAGE.format(product="python")),),
                    detail=detail,
                )
            )
    return CheckResult(findings=tuple(findings), warnings=tuple(warnings))


def _source(lifecycle: Lifecycle) -> str:
    if lifecycle.updated is None:
        return lifecycle.source
    return f"{lifecycle.source}, {lifecycle.updated.isoformat()}"


def _detail(
    subject: str, product: Product, cycle: Cycle, lifecycle: Lifecycle, today: dt.date
) -> EolDetail:
    # A line the data marks ended without a date ended no later than the data's date.
    eol = cycle.eol or lifecycle.updated or today
    return EolDetail(
        subject="interpreter" if subject == "interpreter" else "package",
        product=product.name,
        cycle=cycle.name,
        eol=eol,
        supported=tuple(c.name for c in supported(product, today)),
        latest=cycle.latest,
        source=_source(lifecycle),
    )


def _summary(product: Product, cycle: Cycle, detail: EolDetail) -> str:
    if cycle.eol is not None:
        head = f"{product.label} {cycle.name} reached its end of life on {cycle.eol.isoformat()}"
    else:
        head = (
            f"{product.label} {cycle.name} is past its end of life "
            f"(no date given; unsupported as of {detail.eol.isoformat()})"
        )
    if not detail.supported:
        return f"{head}; no release line is supported"
    oldest = detail.supported[0]
    lts = any(c.name == oldest and c.lts for c in product.cycles)
    return f"{head}; the oldest supported line is {oldest}{' (LTS)' if lts else ''}"
