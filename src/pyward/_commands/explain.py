"""``pyward explain ID [PACKAGE==VERSION]``: one advisory, and why it matches a version.

The lookup is alias-aware: ``explain CVE-2023-32681`` finds the PYSEC and GHSA records
that name it. With ``PACKAGE==VERSION`` it walks the OSV evaluation step by step (the
matcher's own explanation) and ends with the verdict and the fix.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pyward._commands._common import add_cache_dir_option, write_output
from pyward._text import visible
from pyward.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from pyward._advisory._types import Advisory, AdvisoryData
    from pyward._settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="an advisory id or alias (PYSEC, GHSA, CVE...)")
    parser.add_argument(
        "package", nargs="?", metavar="PACKAGE==VERSION", help="explain the match for this version"
    )
    add_cache_dir_option(parser)


def find_records(data: AdvisoryData, ident: str, package: str | None = None) -> list[Advisory]:
    """Every record with this id or naming it as an alias, the id's own record first."""
    found: dict[str, Advisory] = {}
    own = data.advisory(ident) or data.advisory(ident.upper())
    if own is not None:
        found[own.id] = own
        for alias in own.aliases:
            other = data.advisory(alias)
            if other is not None:
                found.setdefault(other.id, other)
    # The records naming the id (or one of its record's aliases): the store's alias
    # index answers each in one lookup.
    wanted = dict.fromkeys([ident, *(own.aliases if own else ())])
    candidates = list(dict.fromkeys(rid for w in wanted for rid in data.ids_for_alias(w)))
    if package is not None:
        of_package = set(data.ids_for_package(package))
        candidates = [rid for rid in candidates if rid in of_package]
    for rid in candidates:
        if rid in found:
            continue
        adv = data.advisory(rid)
        if adv is not None:
            found[adv.id] = adv
    return list(found.values())


def describe(advisories: list[Advisory]) -> list[str]:
    """The advisory itself: ids, summary, severity, affected ranges, references."""
    from pyward._advisory._match import sort_versions
    from pyward._audit._severity import rate
    from pyward._checks._advisories import is_malicious
    from pyward._checks._malicious import origins_of

    first = advisories[0]
    ids = [a.id for a in advisories]
    aliases = [x for a in advisories for x in a.aliases if x not in ids]
    lines = [" / ".join(ids)]
    if aliases:
        # The store's order for ids: PYSEC, then GHSA, then the rest (CVE...).
        ranked = sorted(
            dict.fromkeys(aliases),
            key=lambda x: (not x.startswith("PYSEC-"), not x.startswith("GHSA-")),
        )
        lines.append(f"aliases: {', '.join(ranked)}")
    summary = next((a.summary for a in advisories if a.summary), None)
    details = next((a.details for a in advisories if a.details), None)
    if summary:
        lines.append(f"summary: {summary.strip()}")
    elif details:
        lines.append(f"summary: {details.strip().splitlines()[0]}")
    rating, warnings = rate(advisories)
    malicious = [a for a in advisories if is_malicious(a)]
    if malicious:
        # The malicious check's finding is critical whatever the aliased records score.
        origins = origins_of(malicious)
        by = f"; reported by {', '.join(origins)}" if origins else ""
        lines.append(f"malicious package: {', '.join(a.id for a in malicious)}{by}")
        lines.append("severity: critical (a malicious release; the malicious check's severity)")
    elif rating.score is not None:
        lines.append(f"severity: {rating.level} {rating.score} ({rating.type} {rating.vector})")
    else:
        lines.append(f"severity: {rating.level}" + (" (record's rating)" if rating.type else ""))
    for s in rating.scores:
        if s.vector != rating.vector:
            lines.append(f"  also {s.type} {s.vector}: {s.base_score} {s.level}")
    lines.extend(f"  warning: {w}" for w in warnings)
    if first.published:
        lines.append(f"published: {first.published}")
    lines.append(f"modified: {max(a.modified for a in advisories)}")
    for a in advisories:
        if a.withdrawn:
            lines.append(f"{a.id} withdrawn: {a.withdrawn} (it never matches)")
    lines.append("affected:")
    for a in advisories:
        for i, aff in enumerate(a.affected):
            lines.append(f"  {aff.name} ({a.id} affected[{i}])")
            for rng in aff.ranges:
                events = ", ".join(f"{e.kind} {e.value}" for e in rng.events)
                where = f" {rng.repo}" if rng.repo else ""
                lines.append(f"    {rng.type}{where}: {events}")
            if aff.versions:
                listed = sort_versions(aff.versions)
                shown = ", ".join(listed[:3])
                more = f" ... {listed[-1]}" if len(listed) > 3 else ""
                lines.append(f"    versions: {len(listed)} listed ({shown}{more})")
    refs = list(dict.fromkeys(r["url"] for a in advisories for r in a.references if r.get("url")))
    if refs:
        lines.append("references:")
        lines.extend(f"  {r}" for r in refs)
    return lines


def reasoning(data: AdvisoryData, advisories: list[Advisory], name: str, version: str) -> list[str]:
    """The evaluation step by step for one version, then the verdict and the fix."""
    from pyward._advisory._match import explain, match_advisory, parse_version, sort_versions

    lines: list[str] = []
    hit = []
    for a in advisories:
        lines.append("")
        lines.extend(explain(a, name, version))
        m = match_advisory(a, name, version)
        if m is not None:
            hit.append(m)
    lines.append("")
    if not hit:
        lines.append(f"verdict: {name} {version} is not affected")
        return lines
    from pyward._checks._advisories import is_malicious
    from pyward._checks._malicious import names_every_version

    malicious = [a for a in advisories if is_malicious(a)]
    if any(m.advisory_id in {a.id for a in malicious} for m in hit):
        if any(names_every_version(a, name) for a in malicious):
            advice = "every release is; remove it"
        else:
            advice = "remove it, or pin a release its malicious records do not name"
        lines.append(f"verdict: {name} {version} is malicious; {advice}")
        return lines
    installed = parse_version(version)
    fixes = sort_versions(
        v
        for m in hit
        for v in m.fixed
        if installed is None or ((p := parse_version(v)) is not None and p > installed)
    )
    ids = {a.id for a in advisories}
    target = next(
        (v for v in fixes if not {m.advisory_id for m in data.matches(name, v)} & ids), None
    )
    if target is not None:
        lines.append(f"verdict: {name} {version} is affected; upgrade to {target} or later")
    elif fixes:
        lines.append(f"verdict: {name} {version} is affected; fixed versions: {', '.join(fixes)}")
    else:
        lines.append(f"verdict: {name} {version} is affected; no fixed version is known")
    return lines


def run(args: argparse.Namespace, settings: Settings) -> int:
    name: str | None = None
    version: str | None = None
    if args.package is not None:
        name, sep, version = args.package.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise UsageError(f"expected PACKAGE==VERSION, got {args.package!r}")
        from pyward._model import canonical_name

        name, version = canonical_name(name.strip()), version.strip()

    from pyward._commands._common import open_store

    store = open_store(settings)
    advisories = find_records(store, args.id.strip(), name)
    if not advisories:
        raise UsageError(f"no advisory {args.id} in the advisory data ({store.info.source})")
    lines = describe(advisories)
    if name is not None and version is not None:
        lines.extend(reasoning(store, advisories, name, version))
    from pyward._advisory._freshness import freshness_notice

    notice = freshness_notice(store.info)
    if notice:
        sys.stderr.write(f"pyward: {visible(notice)}\n")
    # Ids, summaries and ranges come from the advisory data (issue 12, item 8).
    write_output("\n".join(visible(line) for line in lines) + "\n", None)
    return EXIT_OK
