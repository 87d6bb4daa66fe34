"""What the policy checks that read per-component data share: the components they
could not decide, each an :class:`~pyward._checks.Undecided`, with one warning per
reason (an offline run names the reason once, not once per component)."""

from __future__ import annotations

from collections.abc import Sequence

from pyward._checks import CheckContext, Undecided
from pyward._model import Component, Inventory

__all__ = ["undecided"]

#: Components named in a warning before the rest are counted.
NAMED = 5


def undecided(
    context: CheckContext,
    found: Sequence[tuple[Inventory, Component, str]],
    *,
    what: str,
    lacking: str,
) -> tuple[Undecided, ...]:
    """One :class:`Undecided` per ``(inventory, component, reason)`` of ``found``, its
    reason ``"{lacking}: {reason}"``; the first of each reason carries the one warning
    an audit shows for all that share it: ``"{what} not checked for N components (a 1.0,
    b 2.0, ...): {reason}"``."""
    by_reason: dict[str, list[Component]] = {}
    for _inv, comp, reason in found:
        by_reason.setdefault(reason, []).append(comp)
    noted: set[str] = set()
    result: list[Undecided] = []
    for inv, comp, reason in found:
        note: str | None = None
        if reason not in noted:
            noted.add(reason)
            note = _note(what, reason, by_reason[reason])
        result.append(
            Undecided(
                component=comp,
                path=context.path_of(inv, comp),
                reason=f"{lacking}: {reason}",
                note=note,
            )
        )
    return tuple(result)


def _note(what: str, reason: str, comps: Sequence[Component]) -> str:
    names = [f"{c.name} {c.version}" for c in comps[:NAMED]]
    if len(comps) > NAMED:
        names.append(f"{len(comps) - NAMED} more")
    which = "1 component" if len(comps) == 1 else f"{len(comps)} components"
    return f"{what} not checked for {which} ({', '.join(names)}): {reason}"
