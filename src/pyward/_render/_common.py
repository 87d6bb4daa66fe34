"""Facts every renderer shows the same way: order, counts, fix targets, links, ages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import quote

from pyward import __version__
from pyward._advisory._types import id_order
from pyward._findings import (
    LEVEL_RANK,
    LEVELS,
    MALICIOUS,
    VULNERABILITY,
    EolDetail,
    MaliciousDetail,
    OutdatedDetail,
    ProjectStatusDetail,
    UnmaintainedDetail,
    YankedDetail,
)
from pyward._gate import kind_fails
from pyward._text import encodable_tree, json_invisible_utf8, safe_url

if TYPE_CHECKING:
    from pyward._advisory._types import StoreInfo
    from pyward._findings import Finding, FixStep, Level, Suppressed
    from pyward._model import Component, ComponentKey, Location
    from pyward._render._options import RenderOptions
    from pyward._report import AuditReport, DataSource

TOOL_NAME = "pyward"
TOOL_URL = "https://github.com/pyward/pyward"


def tool_version() -> str:
    return __version__


def component_label(component: Component) -> str:
    """``name==version`` (just the name for an unversioned component)."""
    if component.version is None:
        return component.name
    return f"{component.name}=={component.version}"


def subject_label(finding: Finding) -> str:
    """What a finding is about, in a few words: ``name==version`` for a component,
    the interpreter for its end of life, else the file and line it points at."""
    if finding.component is not None:
        return component_label(finding.component)
    detail = finding.detail
    if isinstance(detail, EolDetail) and detail.subject == "interpreter":
        return f"Python {detail.cycle} (interpreter)"
    return location_text(finding.location) or "(project)"


#: The kinds of the package-status checks (issue 13): their ids name one release or
#: project (``yanked:requests@2.32.0``), so SARIF gives them one rule per check.
STATUS_KINDS = frozenset({"yanked", "project-status", "eol", "outdated", "unmaintained"})

#: How a count of findings of a kind reads (singular, plural); a kind not listed reads
#: as ``other finding(s)``.
KIND_WORDS: dict[str, tuple[str, str]] = {
    VULNERABILITY: ("known vulnerability", "known vulnerabilities"),
    "yanked": ("yanked release", "yanked releases"),
    "project-status": ("project status", "project statuses"),
    "eol": ("past end of life", "past end of life"),
    "outdated": ("outdated", "outdated"),
    "unmaintained": ("unmaintained", "unmaintained"),
    "malicious": ("malicious package", "malicious packages"),
    "typosquat": ("typosquat", "typosquats"),
    "cooldown": ("release in cooldown", "releases in cooldown"),
    "license": ("licence violation", "licence violations"),
    "package": ("denied package", "denied packages"),
    "source": ("source violation", "source violations"),
    "pinning": ("pinning violation", "pinning violations"),
    "provenance": ("provenance finding", "provenance findings"),
    "undecided": ("undecided rule", "undecided rules"),
}


def kind_order(kind: str) -> tuple[int, str]:
    """Vulnerabilities first, then the package-status kinds in :data:`KIND_WORDS`' order,
    then any other kind by name."""
    order = list(KIND_WORDS)
    return (order.index(kind), "") if kind in KIND_WORDS else (len(order), kind)


def informs(report: AuditReport, finding: Finding) -> bool:
    """The finding only informs: its kind does not fail the run (``outdated``,
    ``unmaintained``, an archived project by default; ``fail-on-kinds`` decides)."""
    return not kind_fails(finding, report.fail_on_kinds)


def kind_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per kind: vulnerabilities, the status kinds in :data:`KIND_WORDS`'
    order, then every other kind under ``""``."""
    counts: dict[str, int] = dict.fromkeys(KIND_WORDS, 0)
    counts[""] = 0
    for f in findings:
        counts[f.kind if f.kind in KIND_WORDS else ""] += 1
    return {k: n for k, n in counts.items() if n}


def kind_counts_text(counts: dict[str, int], *, vulnerabilities: bool = True) -> str:
    """``1 yanked release, 2 outdated, 1 other finding`` (``vulnerabilities=False``:
    without the vulnerability count)."""
    parts = []
    for kind, n in counts.items():
        if kind == VULNERABILITY and not vulnerabilities:
            continue
        one, many = KIND_WORDS.get(kind, ("other finding", "other findings"))
        parts.append(plural(n, one, many))
    return ", ".join(parts)


def status_text(finding: Finding) -> str | None:
    """What a package-status finding's detail says, in a few words (``None`` for a
    kind without such a detail): the yanked release's reason, the project's marker,
    the end-of-life date and the oldest supported line, how far behind a pin is, how
    long since the last release."""
    d = finding.detail
    if isinstance(d, YankedDetail):
        return "yanked: " + (one_line(d.reason) or "no reason given")
    if isinstance(d, ProjectStatusDetail):
        return d.status + (f": {one_line(d.reason)}" if one_line(d.reason) else "")
    if isinstance(d, EolDetail):
        text = f"{d.product} {d.cycle} end of life {d.eol.isoformat()}"
        if d.supported:
            text += f"; oldest supported line {d.supported[0]}"
        return text
    if isinstance(d, OutdatedDetail):
        text = (
            f"latest {d.latest}: {plural(d.releases_behind, 'release')}"
            f", {plural(d.majors_behind, 'major version')} behind"
        )
        if d.pinned_released is not None:
            text += f"; pinned release from {d.pinned_released.isoformat()}"
        return text
    if isinstance(d, UnmaintainedDetail):
        parts = []
        if d.last_release is not None:
            since = f"no release since {d.last_release.isoformat()}"
            if d.years is not None:
                since += f" ({d.years:.1f} years)"
            parts.append(since)
        if d.inactive:
            parts.append("marked Development Status :: 7 - Inactive")
        return "; ".join(parts) or "unmaintained"
    # The policy kinds' records say it themselves (``describe``).
    describe = getattr(d, "describe", None)
    return describe() if describe is not None else None


def upgrade_hint(finding: Finding) -> str | None:
    """What resolves a finding, for the table's "Fixed in" column: a vulnerability's
    fixed versions, the oldest supported line of an end of life, the newest release of
    an outdated pin; ``None`` when nothing does."""
    d = finding.detail
    if isinstance(d, EolDetail):
        return f"line {d.supported[0]}" if d.supported else None
    if isinstance(d, OutdatedDetail):
        return d.latest
    if isinstance(d, MaliciousDetail):
        return "remove"
    return ", ".join(finding.fixed_in) or None


def remedy_text(finding: Finding) -> str | None:
    """What to do about a finding that no upgrade fixes, in one sentence (a malicious
    release: remove it); ``None`` for every other finding."""
    d = finding.detail
    if isinstance(d, MaliciousDetail) and finding.component is not None:
        return d.advice(finding.component.display_name or finding.component.name)
    return None


def path_text(path: Iterable[ComponentKey]) -> str:
    return " > ".join(path)


def location_text(location: Location | None) -> str | None:
    if location is None:
        return None
    if location.line is None:
        return location.file
    return f"{location.file}:{location.line}"


def finding_order(finding: Finding) -> tuple[int, float, tuple[str | int, ...]]:
    """Worst first: severity level, then score (higher first), then id (numbers as
    numbers: :func:`~pyward._advisory._types.id_order`)."""
    return (
        LEVEL_RANK[finding.rating.level],
        -(finding.rating.score or 0.0),
        id_order(finding.id),
    )


def count_by_severity(findings: Iterable[Finding]) -> dict[Level, int]:
    counts: dict[Level, int] = dict.fromkeys(LEVELS, 0)
    for f in findings:
        counts[f.rating.level] += 1
    return counts


def severity_counts_text(counts: Mapping[Level, int]) -> str:
    """``2 high, 1 medium`` (levels with no finding left out)."""
    return ", ".join(f"{n} {level}" for level, n in counts.items() if n)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def fix_steps(report: AuditReport) -> dict[tuple[ComponentKey, Location | None], FixStep]:
    return {(s.component.key, s.component.location): s for s in report.fix_plan}


def fix_target(
    finding: Finding, steps: dict[tuple[ComponentKey, Location | None], FixStep]
) -> str | None:
    """The version the fix plan upgrades this finding's component to, when that
    version resolves this finding. ``steps``: :func:`fix_steps` of the report, computed
    once for every finding."""
    if finding.component is None:
        return None
    step = steps.get((finding.component.key, finding.component.location))
    if step is None or step.target is None or finding.id not in step.fixes:
        return None
    if step.action != "upgrade":
        return None  # a malicious release is removed, not upgraded (its step says so)
    return step.target


def fix_step_text(step: FixStep) -> str:
    """One line of the fix plan, in words."""
    label = component_label(step.component)
    parts = []
    if step.action == "remove":
        text = f"remove {label}: malicious ({', '.join(step.fixes)})"
        if step.target is not None:
            major = "" if step.same_major else ", a new major version"
            text += f"; or move to {step.target}{major}, a release its records do not name"
        return text
    if step.target is not None:
        major = "" if step.same_major else " (new major version)"
        parts.append(f"upgrade {label} to {step.target}{major}")
        if step.fixes:
            parts.append(f"fixes {', '.join(step.fixes)}")
    else:
        parts.append(f"{label}: no release fixes every finding")
        if step.fixes:
            parts.append(f"a later release fixes {', '.join(step.fixes)}")
    if step.unfixed:
        parts.append(f"no fix released for {', '.join(step.unfixed)}")
    return "; ".join(parts)


def advisory_link(finding: Finding, options: RenderOptions) -> str:
    """The web page of this flaw's advisory.

    In order: an ``ADVISORY`` reference whose URL names one of the flaw's ids (the
    GHSA page, the CVE record), any ``ADVISORY`` reference, any other reference whose
    URL names an id (records that type their advisory ``WEB``), else the configured
    advisory page (``--advisory-url``). A record's first reference is often a project
    page or a commit; ``PACKAGE`` references (the package's index page) are never the
    advisory. Only ``https`` URLs that :func:`pyward._text.safe_url` accepts are linked
    (a mirror's URL must not break a Markdown table or a SARIF ``helpUri``: issue 12,
    item 9), percent-encoded as it returns them.
    """
    ids = [i.lower() for i in finding.ids]
    named: str | None = None
    advisory: str | None = None
    for ref in finding.references:
        ref_type = ref.type
        # A reference's URL is checked only when it can change the answer: a record
        # lists many, and the first ``ADVISORY`` that names an id ends the search.
        if ref_type == "PACKAGE" or (ref_type != "ADVISORY" and named is not None):
            continue
        url = safe_url(ref.url)
        if url is None:
            continue
        low = url.lower()
        names_id = any(i in low for i in ids)
        if ref_type == "ADVISORY":
            if names_id:
                return url
            advisory = advisory or url
        elif names_id:
            named = url
    found = advisory or named
    if found is not None:
        return found
    if finding.kind not in (VULNERABILITY, MALICIOUS):
        # A rule's finding: its first web reference, else the check's documentation.
        # A malicious release has an advisory of its own (the MAL record), as a flaw has.
        first = next((url for _, url in _reference_urls(finding)), None)
        anchor = quote(finding.check, safe="", errors="surrogateescape")
        return first or f"{TOOL_URL}/blob/main/docs/checks.md#{anchor}"
    return options.osv_url(finding.id)


def _reference_urls(finding: Finding) -> Iterator[tuple[str, str]]:
    """(type, URL) of every reference whose URL is a safe ``https`` link, in order."""
    for ref in finding.references:
        url = safe_url(ref.url)
        if url is not None:
            yield ref.type, url


def suppression_text(s: Suppressed) -> str:
    """Why a finding is suppressed, in words: the rule, then the VEX justification or
    the ignore's reason (unless the rule already says it)."""
    if s.kind == "vex":
        return s.rule + (f" ({s.justification})" if s.justification else "")
    if s.reason and s.reason not in s.rule:
        return f"{s.rule}: {s.reason}"
    return s.rule


def one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def summary_text(finding: Finding, limit: int | None = None) -> str:
    """The summary on one line (the details when there is no summary), cut at a word
    boundary to at most ``limit`` characters."""
    text = one_line(finding.summary) or one_line(finding.details)
    if not text:
        text = f"{finding.id} in {subject_label(finding)}"
    if limit is not None and len(text) > limit:
        cut = text[: limit - 3]
        if " " in cut[limit // 2 :]:
            cut = cut[: cut.rindex(" ")]
        text = cut.rstrip(" ,;:-") + "..."
    return text


def summary_lines(finding: Finding, width: int, lines: int) -> str:
    """The summary cut at a word boundary so that it wraps into at most ``lines`` lines
    of ``width`` columns, with ``...`` when cut (issue 11, item 12: fit the terminal,
    not a fixed number of characters)."""
    import textwrap

    text = summary_text(finding)
    wrapped = textwrap.wrap(text, width, break_on_hyphens=False)
    if len(wrapped) <= lines:
        return text
    kept = " ".join(wrapped[:lines])
    # Room for the ellipsis on the last line: drop words until it fits.
    while kept and len(textwrap.wrap(kept + "...", width, break_on_hyphens=False)) > lines:
        kept = kept.rsplit(" ", 1)[0] if " " in kept else kept[:-1]
    return kept.rstrip(" ,;:-") + "..."


def iso(dt: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` and whole seconds."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def age_days(info: StoreInfo, options: RenderOptions) -> float:
    return data_age(info, options.now)


def data_age(info: StoreInfo, now: datetime | None = None) -> float:
    """The data's age in days, as every output gives it: two decimals, never negative."""
    return round(max(info.age_days(now), 0.0), 2)


def age_text(info: StoreInfo, options: RenderOptions) -> str:
    days = info.age_days(options.now)
    if days < 1:
        hours = max(int(days * 24), 0)
        return f"{plural(hours, 'hour')} old"
    return f"{plural(int(days), 'day')} old"


def database_lines(info: StoreInfo, options: RenderOptions) -> tuple[str, str]:
    """``Advisory data: SOURCE (built-in snapshot), N records`` and
    ``newest record ..., updated ... (N days old)``; for a run that used none, that it
    used none, and why."""
    if not info.used:
        return (
            "Advisory data: none used",
            "no check that ran could use it",
        )
    snapshot = info.snapshot and "snapshot" not in info.source
    first = f"Advisory data: {info.source}{' (built-in snapshot)' if snapshot else ''}"
    first += f", {plural(info.record_count, 'record')}"
    if info.skipped:
        first += f" ({info.skipped} unreadable, skipped)"
    second = f"updated {iso(info.updated)}"
    if info.newest_modified:
        second = f"newest record {info.newest_modified}, " + second
    return first, f"Data age: {age_text(info, options)} ({second})"


def headline(report: AuditReport) -> str:
    """``3 known vulnerabilities in 2 of 10 packages``, ``1 malicious package in 10
    packages; no known vulnerabilities``, or the clean-run line; for a policy check,
    ``4 policy violations in 3 of 10 packages: 1 typosquat, ...``."""
    n = len(report.components)
    if report.policy is not None:
        violations = report.failing
        below = len(report.findings) - len(violations)
        more = f"; {plural(below, 'finding')} below the policy's thresholds" if below else ""
        if not violations:
            return f"No policy violation in {plural(n, 'package')}{more}"
        affected = len({f.component.key for f in violations if f.component is not None})
        return (
            f"{plural(len(violations), 'policy violation')} in {affected} of "
            f"{plural(n, 'package')}: {kind_counts_text(kind_counts(violations))}{more}"
        )
    vulns = [f for f in report.findings if f.kind == VULNERABILITY]
    others = kind_counts_text(kind_counts(report.findings), vulnerabilities=False)
    more = f"; {others}" if others else ""
    if not vulns:
        if any(isinstance(f.detail, MaliciousDetail) for f in report.findings):
            # "No known vulnerabilities" must not lead a report of malware.
            return f"{others} in {plural(n, 'package')}; no known vulnerabilities"
        return f"No known vulnerabilities found in {plural(n, 'package')}{more}"
    affected = len({(f.component.key, f.component.location) for f in vulns if f.component})
    return (
        f"{plural(len(vulns), 'known vulnerability', 'known vulnerabilities')} "
        f"in {affected} of {plural(n, 'package')}{more}"
    )


def title(report: AuditReport) -> str:
    """``pyward audit``, ``pyward check`` (a policy check) or ``pyward provenance`` (a
    policy check of the ``provenance`` rule alone, with the provenance gathered)."""
    if report.policy is None:
        return "pyward audit"
    if report.provenance is not None and report.policy.rules == ("provenance",):
        return "pyward provenance"
    return "pyward check"


def policy_text(report: AuditReport) -> str | None:
    """``Policy: pyproject.toml: tool.pyward.policy (extends org.toml); rules: ...``, for a
    policy check; ``None`` for an audit."""
    policy = report.policy
    if policy is None:
        return None
    origins = list(policy.origins)
    where = origins[-1] if origins else "the built-in default policy"
    if len(origins) > 1:
        where += f" (extends {', '.join(reversed(origins[:-1]))})"
    rules = []
    for rule in policy.rules:
        values = policy.settings.get(rule, {})
        shown = ", ".join(
            f"{k} {setting_text(v)}" for k, v in values.items() if v not in ((), [], {}, None)
        )
        rules.append(f"{rule} ({shown})" if shown else rule)
    return (
        f"Policy: {where}; rules: {', '.join(rules)}; undecided rules "
        f"{'fail' if policy.undecided == 'fail' else 'pass'}"
    )


def setting_text(value: object) -> str:
    """A policy setting's value as reports show it: TOML's ``true``, lists joined with
    ``/``, ``NAME=VALUE`` pairs, ``any`` for no value."""
    if value is None:
        return "any"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "/".join(str(v) for v in value)
    if isinstance(value, dict):
        return "/".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items()
        )
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def result_text(report: AuditReport) -> str:
    """``FAILED: 3 findings at or above high`` / ``Passed: no finding at or above high``.

    Findings of unknown severity are counted apart: they fail the run by the
    ``unknown-severity`` policy, not by being at or above the threshold (issue 11,
    item 13)."""
    threshold = f"at or above {report.fail_on}" if report.fail_on else "of any severity"
    if report.policy is not None:
        threshold = "that breaks the policy"
    informing = [f for f in report.findings if informs(report, f)]
    gated = [f for f in report.findings if not informs(report, f)]
    unknown = sum(f.rating.level == "unknown" for f in gated)
    # Findings of a kind that only informs are never called failures (issue 13).
    inform = ""
    if informing:
        inform = (
            f"; {plural(len(informing), 'finding')} only "
            f"{'informs' if len(informing) == 1 else 'inform'}"
            f" ({kind_counts_text(kind_counts(informing))})"
        )
    if not report.failed:
        text = f"Passed: no {'failing ' if informing else ''}finding {threshold}"
        if unknown:
            text += (
                f" ({plural(unknown, 'finding')} of unknown severity passing because"
                f" unknown-severity = {report.unknown_severity})"
            )
        return text + inform
    failing = report.failing
    unrated = sum(f.rating.level == "unknown" for f in failing)
    parts = []
    if len(failing) > unrated:
        rated = plural(len(failing) - unrated, "finding")
        parts.append(f"{rated} {threshold}" if report.fail_on else rated)
    if unrated:
        parts.append(
            f"{plural(unrated, 'finding')} of unknown severity (failing because"
            f" unknown-severity = {report.unknown_severity})"
        )
    if parts:
        return "FAILED: " + "; ".join(parts) + inform
    return "FAILED: see the warnings" + inform


def _source_age(source: DataSource, now: datetime) -> float | None:
    if source.updated is None:
        return None
    updated = source.updated
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=timezone.utc)
    return max((now - updated).total_seconds() / 86400, 0.0)


def source_age_days(source: DataSource, now: datetime) -> float | None:
    """The source's age in days, two decimals, never negative (``None``: unknown)."""
    days = _source_age(source, now)
    return None if days is None else round(days, 2)


def source_age_text(source: DataSource, now: datetime) -> str:
    """``3 hours old`` / ``12 days old`` / ``age unknown``."""
    days = _source_age(source, now)
    if days is None:
        return "age unknown"
    if days < 1:
        return f"{plural(int(days * 24), 'hour')} old"
    return f"{plural(int(days), 'day')} old"


def source_lines(report: AuditReport, options: RenderOptions) -> list[str]:
    """One footer line per data source besides the advisory data: ``Index metadata:
    https://index.invalid/simple/, fetched 2024-10-31T08:00:00Z (1 day old, stale)``."""
    return [source_line(source, options.now) for source in report.sources]


def source_line(source: DataSource, now: datetime) -> str:
    """``Index metadata: https://index.invalid/simple/, updated ... (1 day old, stale)``."""
    name = source.name[:1].upper() + source.name[1:]
    when = f"updated {iso(source.updated)}, " if source.updated is not None else ""
    stale = ", stale" if source.stale else ""
    return f"{name}: {source.origin}; {when}{source_age_text(source, now)}{stale}"


def json_text(document: object) -> str:
    """``document`` as indented JSON text for a report: exact values, with the
    characters a terminal would act on escaped (:func:`pyward._text.json_invisible_utf8`),
    and a lone surrogate (a file name that is not valid UTF-8) shown escaped as
    ``\\udcff`` (issue 12, item 10)."""
    import orjson

    try:
        data = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        data = orjson.dumps(encodable_tree(document), option=orjson.OPT_INDENT_2)
    return json_invisible_utf8(data) + "\n"
