"""The findings of a report grouped by what they are about (a component, else a file),
and the order every format lists them in: the table and Markdown show the groups, the
other formats the findings of the groups one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyward._findings import Finding
from pyward._model import Component, ComponentKey, Location
from pyward._render._common import finding_order, location_text


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """The findings of one component (or, for findings about no component, of one
    file), as the table and Markdown show them."""

    component: Component | None
    """The component the findings are about; ``None`` for a file's findings."""
    location: Location | None
    """The component's location, else the file the findings point at."""
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
    every format agrees even if a caller passes them unsorted). Findings about no
    component come in one group per file."""
    buckets: dict[tuple[str, Location | None, str], list[Finding]] = {}
    for f in findings:
        c = f.component
        if c is not None:
            buckets.setdefault((c.key, c.location, c.purl), []).append(f)
        else:
            where = Location(file=f.location.file) if f.location is not None else None
            buckets.setdefault(("", where, ""), []).append(f)
    groups = []
    for (_, where, _), items in buckets.items():
        items.sort(key=finding_order)
        groups.append(
            Group(
                component=items[0].component,
                location=where,
                findings=tuple(items),
                exposure=next((f.exposure for f in items if f.exposure), None),
                path=max((f.path for f in items), key=len),
            )
        )
    groups.sort(
        key=lambda g: (
            not g.exposed,
            finding_order(g.findings[0])[:2],
            g.component.name if g.component else "",
            (g.component.version or "") if g.component else "",
            location_text(g.location) or "",
        )
    )
    return groups


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in the order of :func:`group_findings`, flattened."""
    return [f for g in group_findings(findings) for f in g.findings]
