"""Options every renderer receives, resolved once from the caller's arguments."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from pyward._text import safe_url_template, visible
from pyward.errors import UsageError

#: Where an advisory id links to when its record names no advisory page of its own.
#: OSV's page covers every id pyward reads (PYSEC, GHSA, CVE, MAL...).
DEFAULT_ADVISORY_URL = "https://osv.dev/vulnerability/{id}"

#: Width of the table when there is no terminal to ask (CI logs, files).
DEFAULT_WIDTH = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """How to render, independent of the report."""

    color: bool
    """ANSI colours and styles (``table`` only)."""
    now: datetime
    """The clock: the data's age is measured against it; CycloneDX's timestamp."""
    reproducible: bool
    """``now`` comes from ``SOURCE_DATE_EPOCH`` or the caller, not the wall clock."""
    width: int
    """Columns of the table."""
    advisory_url: str
    """Template of an advisory's web page, with ``{id}``."""

    @classmethod
    def resolve(
        cls,
        *,
        color: bool,
        now: datetime | None = None,
        width: int | None = None,
        advisory_url: str | None = None,
    ) -> RenderOptions:
        """The options, defaults filled in: ``now`` (given: reproducible), else the
        wall clock; ``width``, else the terminal's; ``advisory_url``, else
        :data:`DEFAULT_ADVISORY_URL`."""
        reproducible = now is not None
        if now is None:
            now = datetime.now(timezone.utc)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        if width is None:
            width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        template = advisory_url or DEFAULT_ADVISORY_URL
        if "{id}" not in template:
            template = template.rstrip("/") + "/{id}"
        checked = safe_url_template(template)
        if checked is None:
            # Whitespace, control characters or another scheme would break Markdown
            # links and SARIF's helpUri (issue 12, item 9).
            raise UsageError(
                f"advisory URL must be an http(s) URL with {{id}}: {visible(repr(template))}"
            )
        template = checked
        return cls(
            color=color,
            now=now,
            reproducible=reproducible,
            width=max(width, 60),
            advisory_url=template,
        )

    def osv_url(self, advisory_id: str) -> str:
        # An id from a mirror may hold anything, even a lone surrogate: its bytes.
        return self.advisory_url.replace(
            "{id}", quote(advisory_id, safe="", errors="surrogateescape")
        )
