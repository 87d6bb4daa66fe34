"""The fix plan: the smallest upgrade that fixes every finding of a component, and how
to apply it to each kind of input.

A target is chosen among the candidates, each checked against the matcher
(``data.matches``) so that records with several branches (fixed in 2.2.5 and in
3.0.1) or with only ``last_affected`` are handled by the same rules that found the
flaw. The candidates are the project's released versions when a package index said
which they are (:class:`Releases`: never a yanked one, never a bound such as
``6.3.0a0`` that was never released; issue 11 item 1), else the ``fixed`` versions
the records name, and the step then says the target is unchecked. The planner is
pure: the caller asks the index.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# The matcher's cached parse (the store has loaded it already): the same bounds and
# fixed versions come back for every finding and every candidate.
from pyward._advisory._match import parse_version
from pyward._advisory._types import AdvisoryData, Match
from pyward._findings import Finding, FixStep, MaliciousDetail, VulnerabilityDetail
from pyward._model import Component, Inventory, canonical_name

if TYPE_CHECKING:
    from packaging.version import Version


#: A vulnerability finding taken apart: its component, its detail, the finding.
_Fixable = tuple[Component, VulnerabilityDetail, Finding]


@dataclass(frozen=True, slots=True, kw_only=True)
class Releases:
    """What a package index says one project has released: the data a fix target is
    chosen from."""

    versions: tuple[str, ...] | None
    """The released versions: those with a file that is not yanked (PEP 592,
    ``ProjectInfo.released_versions()``); ``None`` when the index could not say."""
    reason: str | None = None
    """Why ``versions`` is ``None`` (no index configured, offline and not cached, the
    index's failure), for the step's ``unchecked`` note."""


#: The note of a step whose project :func:`plan` was given no :class:`Releases` for.
NO_RELEASES = "no package index data"


def plan(
    findings: Sequence[Finding],
    data: AdvisoryData,
    *,
    releases: Mapping[str, Releases] | None = None,
) -> tuple[FixStep, ...]:
    """One step per component with vulnerability or malicious findings, in the order
    the findings come (an upgrade is the fix of a vulnerability; other kinds say their
    own fix). A component with a malicious finding gets one ``remove`` step
    (:func:`removal`) in place of an upgrade: no release fixes malware.

    ``releases``: per normalised project name, what the package index released. With
    it, a target is the smallest released version that fixes the findings (final
    releases before pre-releases), and a project it lacks gets the records' bounds
    with an ``unchecked`` note; without it (``None``: no index was asked), the
    records' bounds and no note."""
    by_component: dict[tuple[str, str | None], list[_Fixable]] = {}
    malicious: dict[tuple[str, str | None], list[Finding]] = {}
    for f in findings:
        if f.component is None:
            continue
        key = (f.component.name, f.component.version)
        if isinstance(f.detail, MaliciousDetail):
            malicious.setdefault(key, []).append(f)
            by_component.setdefault(key, [])
        elif isinstance(f.detail, VulnerabilityDetail):
            by_component.setdefault(key, []).append((f.component, f.detail, f))
    return tuple(
        removal(malicious[key], group, data, releases)
        if key in malicious
        else _step(group, data, releases)
        for key, group in by_component.items()
    )


def removal(
    bad: list[Finding],
    vulnerable: list[_Fixable],
    data: AdvisoryData,
    releases: Mapping[str, Releases] | None,
) -> FixStep:
    """The step of a malicious release: remove it. Removing it resolves every finding
    of the component (``fixes``). When its records name only some releases and the
    index says which releases exist, ``target`` is the other way out: the nearest
    release above (else below) that neither the malicious records nor the component's
    vulnerability records name, or failing that one the malicious records do not name."""
    component = bad[0].component
    if component is None:  # ``plan`` groups findings of components only
        raise ValueError(f"{bad[0].id}: a fix step needs a component")
    ids = [f.id for f in bad] + [f.id for _, _, f in vulnerable]
    installed = parse_version(component.version or "")
    known = releases.get(component.name) if releases is not None else None
    every = any(isinstance(f.detail, MaliciousDetail) and f.detail.every_version for f in bad)
    target: str | None = None
    unchecked: str | None = None
    if every or installed is None:
        pass  # nothing to move to: every release is named, or the pin does not compare
    elif known is None or known.versions is None:
        if releases is not None:
            unchecked = (known.reason if known is not None else None) or NO_RELEASES
    else:
        mal_ids: set[str] = {m.advisory_id for f in bad for m in _matches(f)}
        vuln_ids: set[str] = {m.advisory_id for _, d, _ in vulnerable for m in d.matches}
        parsed = [v for v in map(parse_version, known.versions) if v is not None]
        above = sorted(v for v in parsed if v > installed and not v.is_prerelease)
        below = sorted((v for v in parsed if v < installed and not v.is_prerelease), reverse=True)
        order = above + below

        def named(v: Version, among: set[str]) -> bool:
            return bool(data.matches(component.name, str(v), among=among))

        clean = next((v for v in order if not named(v, mal_ids | vuln_ids)), None)
        if clean is None:
            clean = next((v for v in order if not named(v, mal_ids)), None)
        target = str(clean) if clean is not None else None
    same_major = True
    if target is not None and installed is not None:
        chosen = parse_version(target)
        same_major = chosen is None or chosen.release[0] == installed.release[0]
    return FixStep(
        component=component,
        target=target,
        fixes=tuple(ids),
        same_major=same_major,
        unchecked=unchecked,
        action="remove",
    )


def _matches(finding: Finding) -> tuple[Match, ...]:
    detail = finding.detail
    return detail.matches if isinstance(detail, MaliciousDetail) else ()


def _step(
    group: list[_Fixable], data: AdvisoryData, releases: Mapping[str, Releases] | None
) -> FixStep:
    component = group[0][0]
    findings = [f for _, _, f in group]
    installed = parse_version(component.version or "")
    ids = [f.id for f in findings]
    if installed is None:
        return FixStep(component=component, target=None, fixes=(), unfixed=tuple(ids))
    # The records of each finding: a candidate fixes the finding when none of them
    # still matches it.
    records = [{m.advisory_id for m in d.matches} for _, d, _ in group]
    known = releases.get(component.name) if releases is not None else None
    unchecked: str | None = None
    candidates: list[Version] = []
    if known is not None and known.versions is not None:
        for text in known.versions:
            v = parse_version(text)
            if v is not None and v > installed and v not in candidates:
                candidates.append(v)
    else:
        if releases is not None:
            unchecked = (known.reason if known is not None else None) or NO_RELEASES
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
        return FixStep(
            component=component, target=None, fixes=(), unfixed=tuple(ids), unchecked=unchecked
        )
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
        unchecked=unchecked,
    )


# --- applying the plan -------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    """What ``--fix --apply`` did (or, as a dry run, what it would do) and what the user
    still has to run."""

    changed: tuple[str, ...]
    """Lines describing each rewritten pin: ``FILE:LINE: django 3.1.4 -> 3.2.25``."""
    commands: tuple[str, ...]
    """Commands to run for inputs pyward does not edit (lock files, environments), to
    run after the pins are rewritten."""
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

#: Formats whose ``==`` pins :func:`apply` rewrites in place.
_EDITED = frozenset({"requirements", "pyproject.toml"})


def commands_for(
    inventory: Inventory, steps: Sequence[FixStep], *, python: str | None = None
) -> list[str]:
    """What to run to apply ``steps`` to an input pyward does not edit itself.

    ``python``: the interpreter of an ``environment`` input (see
    :func:`environment_python`); without it the command says to use that
    environment's own interpreter, since a bare ``python`` is whichever is first on
    ``PATH`` (issue 11 item 3)."""
    tool = _TOOLS.get(inventory.format, "other")
    out: list[str] = []
    installs: list[str] = []
    upgrades: list[str] = []
    for step in steps:
        if step.target is None or step.action != "upgrade":
            continue
        comp = step.component
        name = comp.display_name or comp.name
        t = step.target
        if tool == "uv":
            # https://docs.astral.sh/uv/concepts/projects/sync/#upgrading-locked-package-versions
            upgrades.append(f"--upgrade-package '{name}=={t}'")
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
            installs.append(f"'{name}=={t}'")
        else:
            out.append(f"# {inventory.source}: upgrade {name} to {t}")
    if upgrades:
        # One lock for every package: a joint resolution, as one pip install below.
        out.insert(0, f"uv lock {' '.join(upgrades)}")
    if installs:
        # One command for every package: pip resolves them together.
        if python is None:
            out.append(f"# {inventory.source}: run with that environment's interpreter")
        exe = shlex.quote(python) if python is not None else "python"
        out.append(f"{exe} -m pip install {' '.join(installs)}")
    return out


def environment_python(source: str) -> str | None:
    """The interpreter of the environment an ``environment`` inventory was read from
    (``Inventory.source``: an interpreter given with ``--python``, an environment's
    directory, or a ``site-packages`` directory); ``None`` when none is found."""
    import sys

    path = Path(source)
    if path.is_file():
        return source
    if path == Path(sys.prefix):
        return sys.executable
    prefixes = [path]
    if path.name == "site-packages":
        # PREFIX/lib/pythonX.Y/site-packages, or PREFIX/Lib/site-packages on Windows.
        prefixes += [path.parent.parent.parent, path.parent.parent]
    for prefix in prefixes:
        for exe in (prefix / "bin" / "python", prefix / "Scripts" / "python.exe"):
            if exe.is_file():
                return str(exe)
    return None


def commands(inventories: Sequence[Inventory], steps: Sequence[FixStep]) -> list[str]:
    """:func:`commands_for` every input but those :func:`apply` edits (requirements
    files, ``pyproject.toml``), with the steps of the components it pins; each
    command once."""
    out: list[str] = []
    for inv in inventories:
        if inv.format in _EDITED:
            continue
        relevant = [
            s
            for s in steps
            if s.target is not None and s.action == "upgrade" and _pins(inv, s.component)
        ]
        python = environment_python(inv.source) if inv.format == "environment" else None
        for cmd in commands_for(inv, relevant, python=python):
            if cmd not in out:
                out.append(cmd)
    return out


def apply(
    inventories: Sequence[Inventory], steps: Sequence[FixStep], *, write: bool = True
) -> Applied:
    """Rewrite ``==`` pins in requirements files and in the ``pyproject.toml`` of a
    project (read alone, or the manifest next to its ``uv.lock``: relocking cannot move
    past a pin, issue 11 item 2); :func:`commands` for everything else.

    ``write=False``: a dry run; ``changed`` says what would be rewritten. A ``remove``
    step (a malicious release) is never applied: removing a dependency, or choosing
    another release of a project whose account was taken over, is the user's call; a
    warning says so."""
    warnings: list[str] = [
        f"{s.component.display_name or s.component.name} {s.component.version} is malicious "
        f"({', '.join(s.fixes)}): remove it by hand (--fix --apply does not)"
        for s in steps
        if s.action == "remove"
    ]
    steps = [s for s in steps if s.action == "upgrade"]
    targets = {
        (s.component.name, s.component.version): s.target for s in steps if s.target is not None
    }
    by_name = {s.component.name: s.target for s in steps if s.target is not None}
    changed: list[str] = []
    requirements: dict[str, dict[str, tuple[str, str]]] = {}
    manifests: dict[str, dict[str, tuple[str, str, int | None]]] = {}
    for inv in inventories:
        if inv.format == "requirements":
            for comp in inv.components:
                target = targets.get((comp.name, comp.version))
                if target is None or comp.version is None:
                    continue
                file = comp.location.file if comp.location else inv.source
                requirements.setdefault(file, {})[comp.name] = (comp.version, target)
        elif inv.format in ("pyproject.toml", "uv.lock"):
            pins, notes = manifest_pins(inv)
            warnings.extend(notes)
            for pin in pins:
                target = by_name.get(pin.name)
                if target is None or pin.version is None or pin.version == target:
                    continue
                file = pin.location.file if pin.location else inv.source
                line = pin.location.line if pin.location else None
                manifests.setdefault(file, {})[pin.name] = (pin.version, target, line)
    for file, rpins in requirements.items():
        c, w = rewrite_requirements(Path(file), rpins, write=write)
        changed.extend(c)
        warnings.extend(w)
    for file, found in manifests.items():
        c, w = rewrite_manifest(Path(file), found, write=write)
        changed.extend(c)
        warnings.extend(w)
    return Applied(
        changed=tuple(changed),
        commands=tuple(commands(inventories, steps)),
        warnings=tuple(warnings),
    )


def manifest_pins(inventory: Inventory) -> tuple[tuple[Component, ...], list[str]]:
    """The exact pins of the project's manifest: a ``pyproject.toml`` inventory's own
    components, or those of the ``pyproject.toml`` next to a ``uv.lock`` (none when
    there is none); and the notes of a manifest that cannot be read."""
    if inventory.format == "pyproject.toml":
        return inventory.components, []
    lock = Path(inventory.source)
    manifest = (lock if lock.is_dir() else lock.parent) / "pyproject.toml"
    if not manifest.is_file():
        return (), []
    from pyward._inventory import _pyproject
    from pyward.errors import PywardError

    try:
        return _pyproject.read(manifest).components, []
    except PywardError as exc:
        return (), [f"{exc} (its pins are not checked against the fix targets)"]


def _pins(inv: Inventory, comp: Component) -> bool:
    return any(c.name == comp.name and c.version == comp.version for c in inv.components)


def rewrite_manifest(
    path: Path, pins: dict[str, tuple[str, str, int | None]], *, write: bool = True
) -> tuple[list[str], list[str]]:
    """Replace ``name==old`` by ``name==new`` in ``pyproject.toml`` on the line each
    pin is written (normalised name -> (old, new, line)), in place and atomically;
    every other byte is kept."""
    lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
    changed: list[str] = []
    warnings: list[str] = []
    for name, (old, new, line) in pins.items():
        # The name as PEP 503 compares it (runs of -_. are one), then extras, ``==``.
        spelled = r"[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))
        pattern = (
            rf"(?<![A-Za-z0-9._-])(?P<head>{spelled}\s*(?:\[[^\]]*\])?\s*==\s*)"
            rf"{re.escape(old)}(?![A-Za-z0-9.+!_*-])"
        )
        text = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
        m = re.search(pattern, text, re.IGNORECASE)
        if m is None or line is None:
            warnings.append(
                f"{path}: no '{name}=={old}' pin found to upgrade to {new}; edit it by hand"
            )
            continue
        lines[line - 1] = text[: m.end("head")] + new + text[m.end() :]
        written = re.split(r"[\s\[=]", m["head"], maxsplit=1)[0]
        changed.append(f"{path}:{line}: {written} {old} -> {new}")
    if changed and write:
        from pyward._atomic import write_atomic

        write_atomic(path, "".join(lines).encode("utf-8"))
    return changed, warnings


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
    path: Path, pins: dict[str, tuple[str, str]], *, write: bool = True
) -> tuple[list[str], list[str]]:
    """Replace ``name==old`` by ``name==new`` for each entry of ``pins``
    (normalised name -> (old, new)), in place and atomically.

    Everything else is kept byte for byte (comments, extras, markers, line endings,
    continuations), except the ``--hash`` options of a rewritten pin: they hash the old
    version's files, so they are removed and a warning says to regenerate them.
    ``write=False``: a dry run (the same lines, the file untouched).
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
                    f"{path}:{i + 1}: {'removed' if write else '--apply removes'} the --hash "
                    f"options of {m['name']} (they were for "
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
    if changed and write:
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
