"""The fix plan: the smallest upgrade that fixes every finding of a component, and how
to apply it to each kind of input.

A target is chosen among the ``fixed`` versions the records name, each checked
against the matcher (``data.matches``) so that records with several branches (fixed
in 2.2.5 and in 3.0.1) or with only ``last_affected`` are handled by the same rules
that found the flaw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# The matcher's cached parse (the store has loaded it already): the same bounds and
# fixed versions come back for every finding and every candidate.
from pyward._advisory._match import parse_version
from pyward._advisory._types import AdvisoryData
from pyward._findings import Finding, FixStep, VulnerabilityDetail
from pyward._model import Component, Inventory, canonical_name

if TYPE_CHECKING:
    from packaging.version import Version


#: A vulnerability finding taken apart: its component, its detail, the finding.
_Fixable = tuple[Component, VulnerabilityDetail, Finding]


def plan(findings: Sequence[Finding], data: AdvisoryData) -> tuple[FixStep, ...]:
    """One step per component with vulnerability findings, in the order the findings
    come (an upgrade is the fix of a vulnerability; other kinds say their own fix)."""
    by_component: dict[tuple[str, str | None], list[_Fixable]] = {}
    for f in findings:
        if f.component is not None and isinstance(f.detail, VulnerabilityDetail):
            key = (f.component.name, f.component.version)
            by_component.setdefault(key, []).append((f.component, f.detail, f))
    return tuple(_step(group, data) for group in by_component.values())


def _step(group: list[_Fixable], data: AdvisoryData) -> FixStep:
    component = group[0][0]
    findings = [f for _, _, f in group]
    installed = parse_version(component.version or "")
    ids = [f.id for f in findings]
    if installed is None:
        return FixStep(component=component, target=None, fixes=(), unfixed=tuple(ids))
    # The records of each finding: a candidate fixes the finding when none of them
    # still matches it.
    records = [{m.advisory_id for m in d.matches} for _, d, _ in group]
    candidates: list[Version] = []
    for _, detail, _ in group:
        for m in detail.matches:
            for text in (*m.fixed, *detail.fixed_in):
                v = parse_version(text)
                if v is not None and v > installed and v not in candidates:
                    candidates.append(v)
    candidates.sort()
    if not installed.is_prerelease:
        # Prefer final releases; a pre-release target only when nothing else fixes.
        candidates = [v for v in candidates if not v.is_prerelease] + [
            v for v in candidates if v.is_prerelease
        ]
    results: list[tuple[Version, list[bool]]] = []
    wanted = set().union(*records)
    for cand in candidates:
        still = {m.advisory_id for m in data.matches(component.name, str(cand), among=wanted)}
        fixed_here = [not (r & still) for r in records]
        results.append((cand, fixed_here))
        if all(fixed_here):
            break
    fixable = [any(r[1][n] for r in results) for n in range(len(findings))]
    if not any(fixable):
        return FixStep(component=component, target=None, fixes=(), unfixed=tuple(ids))
    # The smallest candidate that fixes every finding some release fixes; when no one
    # release does, the one that fixes the most (the rest stay listed as unfixed).
    target, fixed_here = next(
        (r for r in results if r[1] == fixable),
        max(results, key=lambda r: (sum(r[1]), -results.index(r))),
    )
    return FixStep(
        component=component,
        target=str(target),
        fixes=tuple(i for i, ok in zip(ids, fixed_here, strict=True) if ok),
        unfixed=tuple(i for i, ok in zip(ids, fixed_here, strict=True) if not ok),
        same_major=target.release[0] == installed.release[0],
    )


# --- applying the plan -------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    """What ``--fix --apply`` did and what the user still has to run."""

    changed: tuple[str, ...]
    """Lines describing each rewritten pin: ``FILE:LINE: django 3.1.4 -> 3.2.25``."""
    commands: tuple[str, ...]
    """Commands to run for inputs pyward does not edit (lock files, environments)."""
    warnings: tuple[str, ...]
    """Removed hashes, pins that could not be found."""


#: ``Inventory.format`` (each reader's ``FORMAT``) -> the tool that applies an upgrade;
#: any other format (``pyproject.toml``) gets a comment saying what to upgrade.
_TOOLS = {
    "uv.lock": "uv",
    "poetry.lock": "poetry",
    "pdm.lock": "pdm",
    "Pipfile.lock": "pipenv",
    "pylock.toml": "pylock",
    "requirements": "requirements",
    "cyclonedx": "sbom",
    "spdx": "sbom",
    "environment": "environment",
}


def commands_for(inventory: Inventory, steps: Sequence[FixStep]) -> list[str]:
    """What to run to apply ``steps`` to an input pyward does not edit itself."""
    tool = _TOOLS.get(inventory.format, "other")
    out: list[str] = []
    for step in steps:
        if step.target is None:
            continue
        comp = step.component
        name = comp.display_name or comp.name
        t = step.target
        if tool == "uv":
            # https://docs.astral.sh/uv/concepts/projects/sync/#upgrading-locked-package-versions
            out.append(f"uv lock --upgrade-package '{name}=={t}'")
        elif tool == "poetry":
            out.append(f"poetry add '{name}@^{t}'" if comp.direct else f"poetry update {name}")
        elif tool == "pdm":
            out.append(f"pdm add '{name}>={t}'" if comp.direct else f"pdm update {name}")
        elif tool == "pipenv":
            out.append(f"pipenv install '{name}>={t}'" if comp.direct else f"pipenv update {name}")
        elif tool == "pylock":
            out.append(f"# {inventory.source}: re-lock with {name}>={t} (e.g. pip lock / uv)")
        elif tool == "sbom":
            out.append(f"# {inventory.source}: rebuild what it describes with {name}>={t}")
        elif tool == "environment":
            out.append(f"python -m pip install '{name}=={t}'")
        else:
            out.append(f"# {inventory.source}: upgrade {name} to {t}")
    return out


def commands(inventories: Sequence[Inventory], steps: Sequence[FixStep]) -> list[str]:
    """:func:`commands_for` every input but requirements files (``--apply`` rewrites
    those), with the steps of the components it pins; each command once."""
    out: list[str] = []
    for inv in inventories:
        if inv.format == "requirements":
            continue
        relevant = [s for s in steps if s.target is not None and _pins(inv, s.component)]
        for cmd in commands_for(inv, relevant):
            if cmd not in out:
                out.append(cmd)
    return out


def apply(inventories: Sequence[Inventory], steps: Sequence[FixStep]) -> Applied:
    """Rewrite ``==`` pins in requirements files; :func:`commands` for everything else."""
    targets = {
        (s.component.name, s.component.version): s.target for s in steps if s.target is not None
    }
    changed: list[str] = []
    warnings: list[str] = []
    for inv in inventories:
        if inv.format != "requirements":
            continue
        files: dict[str, dict[str, tuple[str, str]]] = {}
        for comp in inv.components:
            target = targets.get((comp.name, comp.version))
            if target is None or comp.version is None:
                continue
            file = comp.location.file if comp.location else inv.source
            files.setdefault(file, {})[comp.name] = (comp.version, target)
        for file, pins in files.items():
            c, w = rewrite_requirements(Path(file), pins)
            changed.extend(c)
            warnings.extend(w)
    return Applied(
        changed=tuple(changed),
        commands=tuple(commands(inventories, steps)),
        warnings=tuple(warnings),
    )


def _pins(inv: Inventory, comp: Component) -> bool:
    return any(c.name == comp.name and c.version == comp.version for c in inv.components)


# A pinned requirement at the start of a line: name, optional extras, ``==``, version.
# Hand-written rather than packaging.requirements: pip's requirements format (options,
# continuations, hashes) is not PEP 508, and the rewrite must keep every other byte.
# Patterns as text, compiled on first use by ``re``'s cache: only ``--apply`` needs them.
_PIN = (
    r"^(?P<head>\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"
    r"\s*(?:\[[^\]]*\])?\s*==\s*)(?P<version>[A-Za-z0-9.+!_-]+)(?P<tail>.*)$"
)
_HASH = r"\s*--hash[=\s]\s*\S+"


def rewrite_requirements(
    path: Path, pins: dict[str, tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """Replace ``name==old`` by ``name==new`` for each entry of ``pins``
    (normalised name -> (old, new)), in place and atomically.

    Everything else is kept byte for byte (comments, extras, markers, line endings,
    continuations), except the ``--hash`` options of a rewritten pin: they hash the old
    version's files, so they are removed and a warning says to regenerate them.
    """
    # Bytes, not read_text: universal newlines would turn CRLF files into LF ones.
    text = path.read_bytes().decode("utf-8")
    lines = text.splitlines(keepends=True)
    changed: list[str] = []
    warnings: list[str] = []
    done: set[str] = set()
    out: list[str] = []
    i = 0
    while i < len(lines):
        # One logical line: physical lines joined by a trailing backslash.
        j = i
        while j < len(lines) - 1 and lines[j].rstrip("\r\n").endswith("\\"):
            j += 1
        group = lines[i : j + 1]
        m = re.match(_PIN, group[0], re.DOTALL)
        name = canonical_name(m["name"]) if m else ""
        if m and name in pins and pins[name][0] == m["version"] and name not in done:
            old, new = pins[name]
            group = [f"{m['head']}{new}{m['tail']}", *group[1:]]
            changed.append(f"{path}:{i + 1}: {m['name']} {old} -> {new}")
            done.add(name)
            if any("--hash" in g for g in group):
                group = _drop_hashes(group)
                warnings.append(
                    f"{path}:{i + 1}: removed the --hash options of {m['name']} (they were for "
                    f"{old}); regenerate hashes (e.g. pip-compile --generate-hashes) before "
                    "installing with --require-hashes"
                )
        out.extend(group)
        i = j + 1
    for name, (old, new) in pins.items():
        if name not in done:
            warnings.append(
                f"{path}: no '{name}=={old}' pin found to upgrade to {new}; edit it by hand"
            )
    if changed:
        from pyward._atomic import write_atomic

        write_atomic(path, "".join(out).encode("utf-8"))  # the file's own line endings
    return changed, warnings


def _drop_hashes(group: list[str]) -> list[str]:
    kept: list[str] = []
    for n, line in enumerate(group):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        cont = body.endswith("\\")
        core = body[:-1] if cont else body
        stripped = re.sub(_HASH, "", core)
        if n > 0 and not stripped.strip():
            continue  # a continuation line that held only hashes
        kept.append(
            stripped.rstrip() + (" \\" if cont else "") + ending if cont else stripped + ending
        )
    # The logical line must not end with a continuation into the next entry.
    last = kept[-1]
    body = last.rstrip("\r\n")
    if body.endswith("\\"):
        ending = last[len(body) :] or "\n"
        kept[-1] = body[:-1].rstrip() + ending
    return kept
