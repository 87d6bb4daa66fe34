"""Renderers of an :class:`~pyward._report.AuditReport`: one module per format.

Adding a format is one module with a ``render(report, *, options) -> str`` function and
one line in :data:`RENDERERS`; ``tests/render`` runs every registered renderer over
several reports, so none is forgotten. A renderer's module imports its heavy library
(rich, cyclonedx) inside ``render``: a heavy library is loaded only by the format that
needs it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pyward._render._options import RenderOptions

if TYPE_CHECKING:
    from pyward._report import AuditReport

__all__ = ["DEFAULT_FORMAT", "RENDERERS", "RenderOptions", "Renderer", "render"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Renderer:
    """One output format of ``pyward audit``."""

    module: str
    """Module holding ``render(report, *, options) -> str``; imported on first use."""
    description: str
    """One line for ``--help`` and the docs."""
    media_type: str
    """The IANA media type of the output."""

    def __call__(self, report: AuditReport, *, options: RenderOptions) -> str:
        mod = importlib.import_module(self.module)
        text: str = mod.render(report, options=options)
        return text


#: format name -> renderer. Adding a format is one module plus one line here.
RENDERERS: dict[str, Renderer] = {
    "table": Renderer(
        module="pyward._render._table",
        description="terminal table, grouped by package",
        media_type="text/plain",
    ),
    "json": Renderer(
        module="pyward._render._json",
        description="pyward's documented JSON schema (docs/json-output.md)",
        media_type="application/json",
    ),
    "markdown": Renderer(
        module="pyward._render._markdown",
        description="Markdown for a pull-request comment",
        media_type="text/markdown",
    ),
    "sarif": Renderer(
        module="pyward._render._sarif",
        description="SARIF 2.1.0 for code scanning",
        media_type="application/sarif+json",
    ),
    "cyclonedx-vex": Renderer(
        module="pyward._render._cyclonedx_vex",
        description="CycloneDX 1.6 JSON with vulnerabilities (VEX)",
        media_type="application/vnd.cyclonedx+json",
    ),
    "html": Renderer(
        module="pyward._render._html",
        description="one self-contained HTML page: sortable, filterable findings",
        media_type="text/html",
    ),
}

DEFAULT_FORMAT = "table"


def render(
    report: AuditReport,
    fmt: str,
    *,
    color: bool,
    now: datetime | None = None,
    width: int | None = None,
    advisory_url: str | None = None,
) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`RENDERERS`).

    ``color`` only affects ``table``. ``now`` fixes the clock for the data's age and the
    CycloneDX timestamp, and makes the output reproducible (the CLI passes
    ``$SOURCE_DATE_EPOCH``; default: the current time). ``width`` is the
    table's width (default: the terminal's). ``advisory_url`` is the template of an
    advisory's web page, with ``{id}`` (default: the OSV vulnerability page).
    """
    from pyward.errors import UsageError

    renderer = RENDERERS.get(fmt)
    if renderer is None:
        known = ", ".join(RENDERERS)
        raise UsageError(f"unknown output format {fmt!r} (choose from {known})")
    options = RenderOptions.resolve(
        color=color,
        now=now,
        width=width,
        advisory_url=advisory_url,
    )
    return renderer(report, options=options)
