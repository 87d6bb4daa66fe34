"""Selection of components: dependency groups, extras and the target environment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """What part of an inventory to audit. The default is everything the source pins.

    Group names follow one convention across formats: ``main`` for the project's own
    (non-optional, non-development) dependencies, ``extra:NAME`` for an optional
    dependency set (``[project.optional-dependencies]``, Poetry extras), and the group's
    own name for dependency groups (``dev``, ``test``, ``docs``...; Pipfile ``develop``
    is ``dev``, PDM/Pipenv ``default`` is ``main``).
    """

    no_dev: bool = False
    """Keep only components reachable through ``main`` or ``extra:*``."""
    only_groups: tuple[str, ...] = ()
    """Keep only components in one of these groups (``--only-group``)."""
    extras: tuple[str, ...] | None = None
    """With a value, only these extras count (``--extra``); ``None``: every extra."""
    python_version: str | None = None
    """Evaluate markers for this Python (``3.12``); ``None``: markers are not evaluated."""
    platform: str | None = None
    """Evaluate markers for this platform (``linux``, ``macos``, ``windows``,
    or a target triple); ``None``: markers are not evaluated."""

    @property
    def evaluates_markers(self) -> bool:
        return self.python_version is not None or self.platform is not None
