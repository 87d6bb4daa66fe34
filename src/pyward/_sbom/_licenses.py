"""A component's licence as SPDX: an expression where the metadata proves one, else a
named licence. Never a raw trove classifier string.

Order (PEP 639, https://peps.python.org/pep-0639/#converting-legacy-metadata):

1. ``License-Expression`` (core metadata 2.4), when it is a valid SPDX expression (and
   PEP 639 then says the legacy fields are ignored);
2. the legacy ``License`` field, when it is a valid SPDX id or expression;
3. licence classifiers mapped to SPDX ids with the shipped table
   (``data/license_classifiers.json``); a classifier naming no single licence
   (``BSD License``: which BSD?) becomes the named licence ``BSD License``;
4. the ``License`` text as a named licence titled with its first line.

Several classifiers give several licences and no operator: core metadata does not say
whether they are alternatives or all apply. CycloneDX lists them as they are; SPDX needs
one expression, and gets them joined with ``AND`` (every listed licence applies), the
reading that never under-states obligations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from license_expression import Licensing

    from pyward._model import Component

_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")
_NAME_LIMIT = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class License:
    """One licence of a component: an SPDX expression or a named licence."""

    expression: str | None = None
    """A valid SPDX expression (a single id is an expression), normalised."""
    name: str | None = None
    """A licence that has no SPDX id: its name (a classifier's last part, or the first
    line of the licence text)."""
    text: str | None = None
    """The licence text that a named licence was taken from, when there is one."""
    origin: str
    """Where it came from: ``License-Expression``, ``License``, ``classifier``."""

    @property
    def is_single_id(self) -> bool:
        return (
            self.expression is not None
            and re.fullmatch(r"[A-Za-z0-9.+-]+", self.expression) is not None
        )


@cache
def _licensing() -> Licensing:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@cache
def classifier_table() -> dict[str, str | None]:
    """The shipped trove classifier -> SPDX id table (``None``: no single licence)."""
    path = Path(__file__).parent / "data" / "license_classifiers.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, str | None] = data["map"]
    return table


def spdx_expression(text: str) -> str | None:
    """``text`` as a normalised SPDX expression, or ``None`` when it is not one.

    ``LicenseRef-`` identifiers (user-defined, allowed by SPDX and PEP 639) are kept.
    """
    text = text.strip()
    if not text or "\n" in text:
        return None
    licensing = _licensing()
    try:
        info = licensing.validate(text, strict=True)
    except Exception:  # license-expression 30.4 itself fails (AttributeError) on some
        # free-text values, e.g. nltk's "Apache License, Version 2.0": not an expression.
        return None
    if not info.errors and info.normalized_expression:
        return str(info.normalized_expression)
    if info.invalid_symbols and all(_LICENSE_REF.match(s) for s in info.invalid_symbols):
        try:
            parsed = licensing.parse(text, validate=False, strict=True)
        except Exception:  # license_expression raises its own error types, untyped
            return None
        return str(parsed) if parsed is not None else None
    return None


def resolve(component: Component) -> tuple[License, ...]:
    """The component's licences, by the order in the module docstring."""
    meta = component.metadata
    declared = component.license_expression
    if declared:
        expr = spdx_expression(declared)
        if expr:
            return (License(expression=expr, origin="License-Expression"),)
        # PEP 639: a License-Expression must be valid SPDX; keep what is written, by name.
        return (License(name=_first_line(declared), origin="License-Expression"),)
    text = meta.get("license", "").strip()
    if text:
        expr = spdx_expression(text)
        if expr:
            return (License(expression=expr, origin="License"),)
    found: list[License] = []
    table = classifier_table()
    for line in meta.get("classifiers", "").splitlines():
        classifier = line.strip()
        if not classifier.startswith("License ::"):
            continue
        spdx = table.get(classifier)
        if spdx:
            item = License(expression=spdx, origin="classifier")
        else:
            name = classifier.rsplit("::", 1)[-1].strip()
            if name == "OSI Approved":  # says only "some OSI licence"; the text may say which
                continue
            item = License(name=name, text=text or None, origin="classifier")
        if item not in found:
            found.append(item)
    if found:
        return tuple(found)
    if text:
        return (License(name=_first_line(text), text=text, origin="License"),)
    return ()


def embedded_licenses(expressions: Iterable[str], names: Iterable[str]) -> tuple[License, ...]:
    """Licences of a component of an embedded (PEP 770) SBOM: its expressions, each kept
    as a named licence when it is not valid SPDX, then its named licences."""
    out = []
    for text in expressions:
        norm = spdx_expression(text)
        out.append(
            License(expression=norm, origin="embedded")
            if norm
            else License(name=text, origin="embedded")
        )
    out.extend(License(name=name, origin="embedded") for name in names)
    return tuple(out)


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), text.strip())
    return line if len(line) <= _NAME_LIMIT else line[: _NAME_LIMIT - 1] + "…"


def spdx_declared(
    licenses: tuple[License, ...], ref_for: dict[tuple[str, str | None], str]
) -> str | None:
    """One SPDX expression for all ``licenses``; named ones become ``LicenseRef-`` ids
    recorded in ``ref_for`` ((name, text) -> id) for the document's extracted licensing
    information."""
    parts: list[str] = []
    for lic in licenses:
        if lic.expression:
            parts.append(lic.expression if lic.is_single_id else f"({lic.expression})")
        elif lic.name:
            key = (lic.name, lic.text)
            ref = ref_for.get(key)
            if ref is None:
                slug = re.sub(r"[^A-Za-z0-9.-]+", "-", lic.name).strip("-")[:60] or "unnamed"
                ref = f"LicenseRef-{slug}"
                n = 2
                while ref in ref_for.values():
                    ref = f"LicenseRef-{slug}-{n}"
                    n += 1
                ref_for[key] = ref
            parts.append(ref)
    if not parts:
        return None
    if len(parts) == 1 and parts[0].startswith("("):
        return parts[0][1:-1]
    return " AND ".join(parts)
