"""The ``pinning`` check: every entry of a requirements file pinned to one version, with
its hashes.

pip installs whatever an index serves on the day for an entry that is not pinned, and
without ``--hash`` values it installs whatever file is served under a pinned version
(pip's hash-checking mode: https://pip.pypa.io/en/stable/topics/secure-installs/). So
in a requirements file (the ``requirements`` inventory format: hand-written files,
``pip-compile`` and ``uv pip compile`` output) every entry must be pinned with ``==``
(no wildcard) or ``===`` and, with ``hashes = true`` (the default), carry ``--hash``
values.

The reader already tells the two apart: a pinned entry is a component (with the hashes
written for it, a constraint file's included), any other is a ``NotAudited`` entry of
the inventory, with its line. An entry that is not pinned (``flask>=2``), and a VCS or
URL entry (neither is a version on an index), is a ``not-pinned`` finding about the
entry itself: ``component`` is ``None`` and ``location`` says where it is written
(hashes need a pin: pip's hash-checking mode refuses an entry without ``==``, so the
one finding stands for both). A pinned entry without hashes is ``no-hashes``. A local
path (``./pkg``, ``-e .``: the project itself) is served by no index and is outside the
rule. A requirements file included from a URL is not read, so its entries are not checked:
the check warns.

Lock files (``uv.lock``, ``poetry.lock``, ``pylock.toml``...) pin every package by
construction and record hashes where the index gives them: they are outside the rule.
"""

from __future__ import annotations

from pyward._checks import CHECKS, CheckContext, CheckResult
from pyward._findings import CheckId, Finding, FindingKind, check_rating, status_id
from pyward._inventory._requirements import FORMAT, NOT_PINNED
from pyward._model import Component, ComponentKey, Inventory, Location, NotAudited
from pyward._policy._details import PinningDetail
from pyward._policy._model import PinningRule

__all__ = ["CHECK", "run"]

#: The check's id: the kind of finding it reports.
CHECK = CheckId("pinning")


def run(context: CheckContext) -> CheckResult:
    policy = context.options.policy
    rule = (policy.pinning if policy is not None else None) or PinningRule()
    findings: list[Finding] = []
    warnings: list[str] = []
    for inv in context.inventories:
        if inv.format != FORMAT:
            continue
        found: list[Finding] = []
        for entry in inv.not_audited:
            if entry.requirement.startswith(("-r ", "-c ")):
                where = _where(entry.location, inv.source)
                warnings.append(
                    f"{where}: {entry.requirement}: {entry.reason}: its entries were not "
                    "checked for pinning"
                )
                continue
            if _local(entry):
                continue
            found.append(_unpinned(entry, inv))
        if rule.hashes:
            found.extend(_unhashed(context, inv, c) for c in inv.components if not c.hashes)
        # In the order the entries are written (the reader lists unpinned ones last).
        found.sort(key=_line_order)
        findings.extend(found)
    return CheckResult(findings=tuple(findings), warnings=tuple(warnings))


def _unpinned(entry: NotAudited, inv: Inventory) -> Finding:
    """The finding of an entry that is not pinned to one version."""
    requirement = entry.requirement
    if entry.reason.startswith(f"{NOT_PINNED}:"):
        why = "not pinned with == or ==="
    else:
        # "VCS requirement", "direct URL", "local path", "editable install".
        why = f"not pinned with == or === ({entry.reason})"
    name = entry.name or requirement
    id_, aliases = status_id(CHECK, name)
    return _finding(
        id_=id_,
        aliases=aliases,
        summary=f"{requirement}: {why}",
        location=entry.location or Location(file=inv.source),
        detail=PinningDetail(problem="not-pinned", requirement=requirement),
    )


def _unhashed(context: CheckContext, inv: Inventory, comp: Component) -> Finding:
    """The finding of a pinned entry without ``--hash`` values."""
    requirement = f"{comp.display_name or comp.name}=={comp.version}"
    id_, aliases = status_id(CHECK, comp.name, comp.version)
    return _finding(
        id_=id_,
        aliases=aliases,
        summary=f"{requirement}: no --hash values (pip's hash-checking mode needs them)",
        location=comp.location or Location(file=inv.source),
        detail=PinningDetail(problem="no-hashes", requirement=requirement),
        component=comp,
        path=context.path_of(inv, comp),
    )


def _finding(
    *,
    id_: str,
    aliases: tuple[str, ...],
    summary: str,
    location: Location,
    detail: PinningDetail,
    component: Component | None = None,
    path: tuple[ComponentKey, ...] = (),
) -> Finding:
    registered = CHECKS[CHECK]
    return Finding(
        kind=FindingKind(registered.kind),
        check=CHECK,
        id=id_,
        aliases=aliases,
        summary=summary,
        rating=check_rating(registered.severity),
        component=component,
        location=location,
        path=path,
        detail=detail,
    )


def _local(entry: NotAudited) -> bool:
    """A local path (``./pkg``, ``-e .``: the project itself), which no index serves."""
    if entry.reason == "local path":
        return True
    return entry.requirement.startswith("-e ") and "://" not in entry.requirement


def _line_order(finding: Finding) -> tuple[str, int]:
    where = finding.where
    return (where.file, where.line or 0) if where is not None else ("", 0)


def _where(location: Location | None, source: str) -> str:
    if location is None:
        return source
    return f"{location.file}:{location.line}" if location.line else location.file
