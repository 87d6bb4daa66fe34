"""SBOM writers: CycloneDX 1.6 (JSON, XML) and SPDX 2.3 (JSON, tag-value) of any
inventory, with PEP 770 embedded SBOMs merged as nested components, and an HTML summary
of the same document for a person to read.

:func:`write_sbom` is the one entry point of the SBOM formats, :func:`write_summary`
of the summary; both share :mod:`pyward._sbom._facts`, so every output says the same
things.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pyward._extras import require
from pyward._sbom._cyclonedx import render as render_cyclonedx
from pyward._sbom._facts import prepare
from pyward._sbom._spdx import render as render_spdx
from pyward.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from pyward._advisory._types import Vulnerability
    from pyward._model import ComponentKey, Inventory
    from pyward._provenance._model import ProvenanceReport

__all__ = [
    "FORMATS",
    "SUMMARY_FORMATS",
    "Sbom",
    "SbomFormat",
    "check_provenance_format",
    "write_sbom",
    "write_summary",
]

SbomFormat = Literal["cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv"]
FORMATS: tuple[SbomFormat, ...] = ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv")

#: Formats of :func:`write_summary`: a summary of the SBOM, not an SBOM format.
SUMMARY_FORMATS: tuple[str, ...] = ("html",)


@dataclass(frozen=True, slots=True, kw_only=True)
class Sbom:
    """A rendered SBOM document."""

    data: bytes
    """The document, ready to write."""
    notes: tuple[str, ...] = ()
    """What could not be said in the document (unreadable embedded SBOMs...)."""


def check_provenance_format(format: str) -> None:
    """Raise :class:`~pyward.errors.UsageError` unless ``format`` can carry provenance
    (a CycloneDX one, or the HTML summary: SPDX 2.3 has no field for a verified
    publisher)."""
    if not format.startswith("cyclonedx") and format not in SUMMARY_FORMATS:
        raise UsageError(
            f"provenance needs a CycloneDX format: {format} (SPDX 2.3) has no field for "
            "a verified publisher"
        )


def write_sbom(
    inventory: Inventory,
    *,
    format: SbomFormat,
    target: Path | None = None,
    vulnerabilities: Mapping[ComponentKey, Sequence[Vulnerability]] | None = None,
    source_date_epoch: datetime | None = None,
    provenance: ProvenanceReport | None = None,
) -> Sbom:
    """Render ``inventory`` (read from ``target``) as an SBOM.

    ``vulnerabilities`` (component key -> the store's findings) adds CycloneDX
    ``vulnerabilities``, or SPDX ``SECURITY`` external references to the advisories.
    ``source_date_epoch`` (the CLI's ``$SOURCE_DATE_EPOCH``) dates the document and
    makes it reproducible; default: now. ``provenance`` (``pyward sbom --provenance``)
    adds each component's verified publisher to a CycloneDX document
    (:mod:`pyward._sbom._provenance`); SPDX 2.3 has no place for it, so it is a
    :class:`~pyward.errors.UsageError` there.
    """
    if provenance is not None:
        check_provenance_format(format)
    if format in ("spdx-json", "spdx-tv"):
        require("spdx", what=f"SPDX output ({format})")
    doc = prepare(inventory, target, source_date_epoch=source_date_epoch)
    by_ref = {
        doc.by_key[k]: list(v) for k, v in (vulnerabilities or {}).items() if k in doc.by_key and v
    }
    if format in ("cyclonedx-json", "cyclonedx-xml"):
        data, notes = render_cyclonedx(
            doc,
            xml=format == "cyclonedx-xml",
            vulnerabilities=by_ref,
            provenance=provenance,
        )
    else:
        data, notes = render_spdx(doc, tag_value=format == "spdx-tv", vulnerabilities=by_ref)
    return Sbom(data=data, notes=(*inventory.notes, *doc.notes, *notes))


def write_summary(
    inventory: Inventory,
    *,
    target: Path | None = None,
    vulnerabilities: Mapping[ComponentKey, Sequence[Vulnerability]] | None = None,
    source_date_epoch: datetime | None = None,
    provenance: ProvenanceReport | None = None,
) -> Sbom:
    """The HTML summary of the SBOM :func:`write_sbom` would write for ``inventory``:
    the same document (:func:`~pyward._sbom._facts.prepare`), for a person to read.
    ``vulnerabilities`` adds the section of flaws (``None``: no such section);
    ``source_date_epoch`` dates it as it dates the SBOM; ``provenance`` adds each
    component's verified publisher, as the CycloneDX document carries it."""
    from pyward._sbom._html import render as render_html

    doc = prepare(inventory, target, source_date_epoch=source_date_epoch)
    by_ref = None
    if vulnerabilities is not None:
        by_ref = {
            doc.by_key[k]: list(v) for k, v in vulnerabilities.items() if k in doc.by_key and v
        }
    left_out = [f"{na.requirement}: {na.reason}" for na in inventory.not_audited]
    data, notes = render_html(doc, vulnerabilities=by_ref, provenance=provenance, left_out=left_out)
    return Sbom(data=data, notes=(*inventory.notes, *doc.notes, *notes))
