"""The findings of a report grouped by component, and the order every format lists
them in: the table and Markdown show the groups, the other formats the findings of the
groups one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyward._render._common import finding_order, location_text

if TYPE_CHECKING:
    from pyward._audit._findings import Finding
    from pyward._model import Component, ComponentKey, Location


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """The findings of one component, as the table and Markdown show them."""

    component: Component
    """The component the findings are about."""
    findings: tuple[Finding, ...]
    """Worst first."""
    exposure: str | None
    """Why the component is network-facing (``web framework``...), else ``None``."""
    path: tuple[ComponentKey, ...]
    """The longest dependency path of the findings (from a root to the component)."""

    @property
    def exposed(self) -> bool:
        return self.exposure is not None


def group_findings(findings: Iterable[Finding]) -> list[Group]:
    """One group per component: exposed components first, then the worst severity,
    then the name (the order the report's findings already follow; kept here so that
    every format agrees even if a caller passes them unsorted)."""
    buckets: dict[tuple[ComponentKey, Location | None, str], list[Finding]] = {}
    for f in findings:
        c = f.component
        buckets.setdefault((c.key, c.location, c.purl), []).append(f)
    groups = []
    for items in buckets.values():
        items.sort(key=finding_order)
        groups.append(
            Group(
                component=items[0].component,
                findings=tuple(items),
                exposure=next((f.exposure for f in items if f.exposure), None),
                path=max((f.path for f in items), key=len),
            )
        )
    groups.sort(
        key=lambda g: (
            not g.exposed,
            finding_order(g.findings[0])[:2],
            g.component.name,
            g.component.version or "",
            location_text(g.component.location) or "",
        )
    )
    return groups


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in the order of :func:`group_findings`, flattened."""
    return [f for g in group_findings(findings) for f in g.findings]
