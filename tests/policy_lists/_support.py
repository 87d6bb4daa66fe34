"""Helpers of the list rules' tests: components, inventories and the context the
``package``, ``source`` and ``pinning`` checks run on."""

from __future__ import annotations

from collections.abc import Iterable

from pyward._checks import CHECKS, CheckContext, CheckOptions, CheckResult, Sources
from pyward._model import Component, Inventory, SourceKind, component_key
from pyward._policy._model import Policy


def component(pin: str, *, index: str | None = None, source: SourceKind = "registry") -> Component:
    """A component from ``name==version`` (``name`` alone: no version)."""
    name, _, version = pin.partition("==")
    return Component(name=name, version=version or None, index=index, source=source, direct=True)


def inventory(
    *components: Component, source: str = "requirements.txt", format: str = "requirements"
) -> Inventory:
    return Inventory(source=source, format=format, components=components)


def context(
    *inventories: Inventory,
    policy: Policy | None = None,
    sources: Sources | None = None,
    subjects: Iterable[tuple[Inventory, Component]] | None = None,
) -> CheckContext:
    """The context of a run over ``inventories``: every component with a version is a
    subject once per key, with the first inventory that has it (as the audit's registry
    ones are), unless ``subjects`` says otherwise."""
    if subjects is None:
        first: dict[str, tuple[Inventory, Component]] = {}
        for inv in inventories:
            for c in inv.components:
                if c.version:
                    first.setdefault(c.key, (inv, c))
        subjects = first.values()
    return CheckContext(
        subjects=tuple(subjects),
        sources=sources or Sources(),
        path_of=lambda inv, c: (component_key(c.name, c.version),),
        options=CheckOptions(policy=policy),
        inventories=inventories,
    )


def run(check: str, context: CheckContext) -> CheckResult:
    """Run the registered check ``check`` as the audit does."""
    return CHECKS[check].run(context)  # type: ignore[index]
