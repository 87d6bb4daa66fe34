"""A human-readable summary of the SBOM ``pyward sbom`` would write
(``--format html``): not an SBOM format, a page for a person.

Built from the same :class:`~pyward._sbom._facts.Document` the CycloneDX and SPDX
writers render (:func:`~pyward._sbom._facts.prepare`), so the summary and the SBOM
never disagree: the same cleaned names, purls, licences, suppliers, hashes and
dependency graph. The page (:mod:`pyward._render._html_page`) shows the subject, the
NTIA minimum elements and which components lack which
(https://www.ntia.gov/report/2021/minimum-elements-software-bill-materials-sbom),
the components in a table that sorts and filters by licence and by direct or
transitive, the licences counted (unknown ones called out), the dependency tree folded
per root, with ``--with-vulnerabilities`` the flaws the SBOM would list, and with
``--provenance`` each component's verified publisher (what the CycloneDX document's
``pyward:provenance:*`` properties say, :mod:`pyward._sbom._provenance`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyward._render._common import TOOL_NAME, plural, tool_version
from pyward._render._html_page import (
    Column,
    Row,
    badge,
    cards,
    details,
    esc,
    link,
    page,
    section,
    severity_rank,
    table,
)
from pyward._sbom._facts import Document, Facts, osv_page

if TYPE_CHECKING:
    from pyward._advisory._types import Vulnerability
    from pyward._provenance._model import ProvenanceReport
    from pyward._sbom._licenses import License

__all__ = ["TREE_DEPTH", "TREE_ENTRIES", "UNKNOWN_LICENCE", "licence_text", "render"]

#: How deep the dependency tree goes under each root before it says "deeper levels
#: not shown": a summary, not the graph (the SBOM has all of it).
TREE_DEPTH = 6

#: The most entries shown under one root: a large environment's tree stays readable
#: and the page small.
TREE_ENTRIES = 300

#: What the licence filter and summary call a component whose metadata names none.
UNKNOWN_LICENCE = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Element:
    """One NTIA minimum element checked per component."""

    label: str
    """As the page names it."""
    missing: tuple[Facts, ...]
    """The components that lack it."""


def licence_text(licenses: Sequence[License]) -> str:
    """The licences as one line: SPDX expressions as they are, named licences by name,
    several joined with ``AND`` as the SPDX document joins them (every listed licence
    applies); empty when there is none."""
    parts: list[str] = []
    for lic in licenses:
        if lic.expression:
            single = lic.is_single_id or len(licenses) == 1
            parts.append(lic.expression if single else f"({lic.expression})")
        elif lic.name:
            parts.append(lic.name)
    return " AND ".join(parts)


def _spdx(licenses: Sequence[License]) -> bool:
    return bool(licenses) and all(lic.expression for lic in licenses)


def _label(facts: Facts) -> str:
    c = facts.component
    name = c.display_name or c.name
    return f"{name} {c.version}" if c.version else name


def _in_graph(doc: Document) -> set[str]:
    """Every ref the dependency graph says something about: a component with an entry
    of its own, or one that another (or the subject) depends on."""
    refs = {ref for ref, targets in doc.dependencies.items() if ref != doc.subject.ref and targets}
    for targets in doc.dependencies.values():
        refs.update(targets)
    return refs


def _elements(doc: Document) -> list[_Element]:
    graph = _in_graph(doc)
    comps = doc.components
    return [
        _Element(label="supplier", missing=tuple(f for f in comps if f.supplier is None)),
        _Element(label="name", missing=tuple(f for f in comps if not f.component.name)),
        _Element(label="version", missing=tuple(f for f in comps if not f.component.version)),
        _Element(
            label="unique identifier (purl)",
            missing=tuple(f for f in comps if not f.component.purl),
        ),
        _Element(
            label="dependency relationship", missing=tuple(f for f in comps if f.ref not in graph)
        ),
    ]


def _coverage(doc: Document) -> str:
    total = len(doc.components)
    rows: list[Row] = []
    for element in _elements(doc):
        have = total - len(element.missing)
        share = f"{100 * have // total}%" if total else "-"
        names = ", ".join(_label(f) for f in element.missing)
        lacking = (
            details(
                f"{plural(len(element.missing), 'component')} "
                + ("lacks it" if len(element.missing) == 1 else "lack it"),
                esc(names),
            )
            if element.missing
            else '<span class="sev-none">every component has it</span>'
        )
        rows.append(
            Row(
                cells=[esc(element.label), f"{have} of {total}", esc(share), lacking],
                attrs={"complete": str(not element.missing).lower()},
                sort_keys={1: str(have), 2: str(have * 100 // total if total else 0)},
            )
        )
    authors = ", ".join(n if e is None else f"{n} <{e}>" for n, e in doc.authors)
    document = (
        "<ul>"
        f"<li><strong>author of the SBOM data</strong>: "
        f"{esc(authors) if authors else esc(f'{TOOL_NAME} {tool_version()} (automated)')}</li>"
        f"<li><strong>timestamp</strong>: {esc(doc.timestamp.isoformat())}</li>"
        "</ul>"
    )
    cols = [
        Column(label="element"),
        Column(label="components", numeric=True),
        Column(label="share", numeric=True),
        Column(label="lacking", sortable=False),
    ]
    return document + table("ntia", cols, rows, search=False)


def _purl(purl: str) -> str:
    """A purl as code that may wrap after a ``/`` or before the ``@`` of its version."""
    if not purl:
        return '<span class="muted">none</span>'
    return "<code>" + esc(purl).replace("/", "/<wbr>").replace("@", "<wbr>@") + "</code>"


def _home(facts: Facts) -> str | None:
    """The component's website, else its source repository, as the SBOM references it
    (:func:`~pyward._render._html_page.link` links only an ``https``/``http`` one)."""
    for kind in ("website", "vcs"):
        for ref in facts.references:
            if ref.type == kind:
                return ref.url
    return None


def _component_rows(doc: Document) -> list[Row]:
    rows: list[Row] = []
    for f in doc.components:
        c = f.component
        text = licence_text(f.licenses)
        licence = text or UNKNOWN_LICENCE
        if not text:
            shown = f'<span class="sev-unknown nowrap">{esc(UNKNOWN_LICENCE)}</span>'
        elif not _spdx(f.licenses):
            shown = f'{esc(text)} <span class="muted">(not SPDX)</span>'
        else:
            shown = esc(text)
        people = []
        if f.supplier is not None:
            people.append(f"supplier: {f.supplier[0]}")
        authors = [n for n, _ in f.authors if f.supplier is None or n != f.supplier[0]]
        if authors:
            people.append("author: " + ", ".join(authors))
        scope = "direct" if c.direct else "transitive"
        rows.append(
            Row(
                cells=[
                    link(_home(f), c.display_name or c.name),
                    f'<code class="nowrap">{esc(c.version or "")}</code>',
                    _purl(c.purl),
                    shown,
                    "<br>".join(esc(p) for p in people) or '<span class="muted">unknown</span>',
                    str(len(c.hashes)),
                    esc("yes" if c.direct else "no"),
                ],
                attrs={"licence": licence, "scope": scope},
            )
        )
    return rows


def _licences(doc: Document) -> str:
    counts: Counter[str] = Counter()
    spdx: dict[str, bool] = {}
    for f in doc.components:
        text = licence_text(f.licenses) or UNKNOWN_LICENCE
        counts[text] += 1
        spdx[text] = _spdx(f.licenses)
    rows = []
    for text, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if text == UNKNOWN_LICENCE and not spdx[text]:
            kind = '<span class="sev-unknown">unknown: the metadata names no licence</span>'
        elif not spdx[text]:
            kind = '<span class="sev-medium">named, not an SPDX expression</span>'
        else:
            kind = "SPDX expression"
        rows.append(Row(cells=[esc(text), str(n), kind], attrs={"spdx": str(spdx[text]).lower()}))
    unknown = counts.get(UNKNOWN_LICENCE, 0) if not spdx.get(UNKNOWN_LICENCE, True) else 0
    lead = (
        f'<p class="sev-unknown">{esc(plural(unknown, "component"))} with no known licence.</p>'
        if unknown
        else ""
    )
    cols = [
        Column(label="licence"),
        Column(label="components", numeric=True),
        Column(label="kind"),
    ]
    return lead + table("licences", cols, rows)


def _tree(doc: Document) -> str:
    by_ref = {f.ref: f for f in doc.components}
    roots = doc.dependencies.get(doc.subject.ref, ())
    blocks: list[str] = []
    for root in roots:
        if root not in by_ref:
            continue
        budget = [TREE_ENTRIES]
        seen: set[str] = {root}
        body = _branch(doc, by_ref, root, path=(root,), seen=seen, budget=budget)
        count = len(seen) - 1
        summary = f"{_label(by_ref[root])} ({plural(count, 'dependency', 'dependencies')})"
        blocks.append(details(summary, body) if body else f"<p>{esc(summary)}</p>")
    if not blocks:
        return '<p class="muted">The inventory records no dependency between components.</p>'
    return "\n".join(blocks)


def _branch(
    doc: Document,
    by_ref: Mapping[str, Facts],
    ref: str,
    *,
    path: tuple[str, ...],
    seen: set[str],
    budget: list[int],
) -> str:
    """The dependencies of ``ref`` as a nested list: a cycle is marked and not followed,
    a component already shown under this root is named without its subtree again (a
    diamond does not repeat), and the depth and number of entries are bounded."""
    targets = [t for t in doc.dependencies.get(ref, ()) if t in by_ref]
    if not targets:
        return ""
    if len(path) > TREE_DEPTH:
        deeper = f"{len(targets)} more, deeper: not shown"
        return f'<ul class="paths"><li class="muted">{deeper}</li></ul>'
    items: list[str] = []
    for n, target in enumerate(targets):
        if budget[0] <= 0:
            items.append(f'<li class="muted">{len(targets) - n} more: not shown</li>')
            break
        budget[0] -= 1
        label = esc(_label(by_ref[target]))
        if target in path:
            items.append(f'<li>{label} <span class="badge sev-high">cycle</span></li>')
        elif target in seen:
            items.append(f'<li>{label} <span class="muted">(shown above)</span></li>')
        else:
            seen.add(target)
            sub = _branch(doc, by_ref, target, path=(*path, target), seen=seen, budget=budget)
            items.append(f"<li>{label}{sub}</li>")
    return f'<ul class="paths">{"".join(items)}</ul>'


def _vulnerabilities(
    doc: Document, vulns: Mapping[str, Sequence[Vulnerability]], notes: list[str]
) -> str:
    from pyward._sbom._cyclonedx import flaw_rating

    by_ref = {f.ref: f for f in doc.components}
    rows: list[Row] = []
    # Rated once per flaw, as the CycloneDX writer does: its notes are said once.
    levels: dict[str, str] = {}
    for ref, found in sorted(vulns.items()):
        facts = by_ref.get(ref)
        if facts is None:
            continue
        for v in sorted(found, key=lambda v: v.id):
            if v.id not in levels:
                levels[v.id] = flaw_rating(v, notes).level
            level = levels[v.id]
            rank = str(severity_rank(level))
            aliases = ", ".join(v.ids[1:])
            rows.append(
                Row(
                    cells=[
                        f"<code>{link(osv_page(v.id), v.id)}</code>"
                        + (f'<br><span class="muted">{esc(aliases)}</span>' if aliases else ""),
                        esc(_label(facts)),
                        f'<span class="nowrap">{badge(level)}</span>',
                        esc(v.advisories[0].summary or ""),
                    ],
                    attrs={"severity": level},
                    sort_keys={2: rank},
                )
            )
    if not rows:
        return '<p class="sev-none">No known vulnerability in any component.</p>'
    cols = [
        Column(label="id"),
        Column(label="package"),
        Column(label="severity"),
        Column(label="summary"),
    ]
    return table("vulnerabilities", cols, rows, filters=[("severity", "severity")])


#: The colour class of each provenance status: verified green, a publisher change or a
#: failed verification red.
_STATUS_CLASS = {
    "verified": "none",
    "partial": "medium",
    "changed": "high",
    "failed": "high",
}


def _provenance(doc: Document, report: ProvenanceReport, notes: list[str]) -> str:
    """Each component's verified publisher, matched to the document's components as
    :func:`~pyward._sbom._provenance.add_provenance` matches them (by package URL, else
    by name and version); a package the document does not list is a note, as there."""
    from pyward._model import canonical_name
    from pyward._render._provenance import (
        STATUS_ORDER,
        STATUS_WORDS,
        coverage_text,
        ordered,
        publisher_text,
        trust_text,
    )
    from pyward._sbom._provenance import _purl_key

    by_purl = {_purl_key(f.component.purl): f for f in doc.components if f.component.purl}
    by_name = {(f.component.name, f.component.version or ""): f for f in doc.components}
    rows: list[Row] = []
    # Worst first, in the audit page's words (``publisher changed``, not ``changed``).
    for package in ordered(report):
        c = package.component
        facts = by_purl.get(_purl_key(c.purl)) if c.purl else None
        if facts is None:
            facts = by_name.get((canonical_name(c.name), c.version or ""))
        if facts is None:
            notes.append(f"provenance of {c.key}: no such component in the SBOM")
            continue
        status = package.status
        verified = sum(a.status == "verified" for a in package.artifacts)
        cls = _STATUS_CLASS.get(status, "unknown")
        rows.append(
            Row(
                cells=[
                    esc(_label(facts)),
                    f'<span class="badge sev-{cls}">{esc(STATUS_WORDS[status])}</span>',
                    esc(publisher_text(package)) or '<span class="muted">none verified</span>',
                    f"{verified} of {len(package.artifacts)}",
                ],
                attrs={"status": STATUS_WORDS[status]},
                sort_keys={1: str(STATUS_ORDER.index(status)), 3: str(verified)},
            )
        )
    lead = (
        f"<p>{esc(coverage_text(report))}. "
        f'<span class="muted">{esc(trust_text(report))}.</span></p>'
    )
    cols = [
        Column(label="package"),
        Column(label="status"),
        Column(label="verified publisher"),
        Column(label="artifacts verified", numeric=True),
    ]
    return lead + table("provenance", cols, rows, filters=[("status", "status")])


def render(
    doc: Document,
    *,
    vulnerabilities: Mapping[str, Sequence[Vulnerability]] | None = None,
    provenance: ProvenanceReport | None = None,
    left_out: Sequence[str] = (),
) -> tuple[bytes, list[str]]:
    """The summary page of ``doc``, and notes on what it could not say.
    ``vulnerabilities`` (component ref -> flaws, as the writers take them): ``None``
    leaves the section out (no ``--with-vulnerabilities``); so does ``None`` for
    ``provenance`` (no ``--provenance``). ``left_out``: what the
    inventory names and no SBOM can list (a requirement that is not pinned), in words."""
    notes: list[str] = []
    subject = doc.subject.component
    name = subject.display_name or subject.name
    title = f"{name} {subject.version}" if subject.version else name
    direct = sum(1 for f in doc.components if f.component.direct)
    unknown = sum(1 for f in doc.components if not f.licenses)
    counts: list[tuple[str, object]] = [
        ("components", len(doc.components)),
        ("direct", direct),
        ("transitive", len(doc.components) - direct),
        ("unknown licence", unknown),
    ]
    if vulnerabilities is not None:
        counts.append(("vulnerabilities", sum(len(v) for v in vulnerabilities.values())))
    parts = [
        f"<h1>SBOM summary: {esc(title)}</h1>",
        '<p class="summary">What the SBOM of this inventory says, for a person to read. '
        "This page is not an SBOM format: the document itself is "
        "<code>pyward sbom --format cyclonedx-json</code> (or <code>cyclonedx-xml</code>, "
        "<code>spdx-json</code>, <code>spdx-tv</code>), built from the same facts.</p>",
        f'<p class="muted">Subject <code>{esc(subject.purl or doc.subject.ref)}</code> · '
        f"{esc(doc.timestamp.isoformat())} · {esc(TOOL_NAME)} {esc(tool_version())}</p>",
        cards(counts),
        section("NTIA minimum elements", _coverage(doc), id="ntia-section"),
    ]
    components = table(
        "components",
        [
            Column(label="name"),
            Column(label="version"),
            Column(label="purl"),
            Column(label="licence"),
            Column(label="supplier / author"),
            Column(label="hashes", numeric=True),
            Column(label="direct"),
        ],
        _component_rows(doc),
        filters=[("licence", "licence"), ("scope", "direct or transitive")],
        caption=plural(len(doc.components), "component"),
    )
    parts.append(
        section(
            "Components",
            components or '<p class="muted">The inventory has no component.</p>',
            id="components-section",
        )
    )
    if doc.components:
        parts.append(section("Licences", _licences(doc), id="licences-section"))
    parts.append(section("Dependency tree", _tree(doc), id="tree"))
    if vulnerabilities is not None:
        parts.append(
            section("Vulnerabilities", _vulnerabilities(doc, vulnerabilities, notes), id="vulns")
        )
    if provenance is not None:
        parts.append(
            section(
                "Provenance (PEP 740)", _provenance(doc, provenance, notes), id="provenance-section"
            )
        )
    missing = "".join(f"<li>{esc(n)}</li>" for n in left_out)
    parts.append(
        section("Not in the SBOM", f"<ul>{missing}</ul>" if missing else "", id="left-out")
    )
    notes_html = "".join(f"<li>{esc(n)}</li>" for n in doc.notes)
    parts.append(section("Notes", f"<ul>{notes_html}</ul>" if notes_html else "", id="notes"))
    text = page(title=f"SBOM summary: {title}", body="\n".join(p for p in parts if p))
    return text.encode("utf-8"), notes
