"""The finding the checks build about one component: the id ``check:NAME@VERSION``
(with the alias ``check:NAME``, :func:`~pyward._findings.status_id`), the kind and
severity the check is registered with, and the component's dependency path.
"""

from __future__ import annotations

from functools import lru_cache
from types import EllipsisType
from typing import TYPE_CHECKING

from pyward._checks import CHECKS, CheckContext
from pyward._findings import (
    CheckId,
    Confidence,
    Finding,
    FindingKind,
    Level,
    Reference,
    check_rating,
    status_id,
)
from pyward._text import redact_url

if TYPE_CHECKING:
    from pyward._findings import Detail
    from pyward._model import Component, Inventory

__all__ = ["check_finding", "page_references"]


def check_finding(
    check: CheckId,
    context: CheckContext,
    inv: Inventory,
    comp: Component,
    *,
    summary: str,
    detail: Detail,
    details: str | None = None,
    version: str | EllipsisType | None = ...,
    level: Level | None = None,
    confidence: Confidence | None = None,
    references: tuple[Reference, ...] = (),
) -> Finding:
    """A finding of ``check`` about ``comp`` (of ``inv``): the id ``check:NAME@VERSION``
    with the component's version unless ``version`` gives another (``check:NAME`` when
    it is ``None``), the check's kind, and its severity unless ``level`` says otherwise."""
    id_version = comp.version if isinstance(version, EllipsisType) else version
    id_, aliases = status_id(check, comp.name, id_version)
    registered = CHECKS[check]
    return Finding(
        kind=FindingKind(registered.kind),
        check=check,
        id=id_,
        aliases=aliases,
        summary=summary,
        details=details,
        rating=check_rating(level or registered.severity),
        confidence=confidence,
        component=comp,
        path=context.path_of(inv, comp),
        references=references,
        detail=detail,
    )


@lru_cache(maxsize=4096)
def page_references(page_url: str | None) -> tuple[Reference, ...]:
    """The references of a finding that a project's index page backs: the page (its
    credentials left out), or none when there is no page."""
    return (Reference(type="PACKAGE", url=redact_url(page_url)),) if page_url else ()
