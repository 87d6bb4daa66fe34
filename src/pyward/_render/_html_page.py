"""One self-contained HTML page, shared by every HTML report (audit, check,
release-check, SBOM summary, fleet).

The page makes no request of its own: the style sheet and the one small script are
inline, and a Content-Security-Policy meta tag admits exactly those two (by their
SHA-256, never ``'unsafe-inline'``) and nothing else: no image, font, frame, form or
connection. Every piece of text from a report goes through :func:`esc` (HTML escaping of
:func:`~pyward._text.visible` text, so a control character or a bidi override shows as an
escape, never acts); no report text is ever placed in the script, in a URL without
:func:`~pyward._text.safe_url`, or in a style.

Tables made by :func:`table` sort by a click on a column's header (and by keyboard:
headers are buttons), and filter by the ``<select>`` controls :func:`table` puts above
them (one per ``filters`` attribute, for example kind and severity) and by a text box.
The script reads ``data-*`` attributes only. Without the script (printing, a viewer that
blocks it) every row stays visible in its server-side order.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pyward._text import safe_url, visible

__all__ = [
    "CSP",
    "Column",
    "Row",
    "badge",
    "cards",
    "details",
    "esc",
    "link",
    "page",
    "section",
    "severity_rank",
    "table",
]

#: Light and dark (the reader's ``prefers-color-scheme``), and a print layout that drops
#: the controls and shows every row.
_CSS = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f23;--muted:#57606a;--line:#d0d7de;
--head:#f6f8fa;--link:#0969da;--critical:#8b0000;--high:#c62828;--medium:#b35900;
--low:#6a737d;--none:#2e7d32;--unknown:#6f42c1;--chip:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;
--line:#30363d;--head:#161b22;--link:#58a6ff;--critical:#ff7b72;--high:#ffa198;
--medium:#e3b341;--low:#9da7b3;--none:#56d364;--unknown:#d2a8ff;--chip:#0d1117}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:96rem;padding:1.5rem;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;
border-bottom:1px solid var(--line);padding-bottom:.25rem}h3{font-size:1.05rem}
a{color:var(--link)}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;
font-size:.9em;overflow-wrap:anywhere}
.muted{color:var(--muted)}.summary{font-size:1.05rem}
.verdict-fail{color:var(--high);font-weight:600}.verdict-pass{color:var(--none);font-weight:600}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:var(--head)}td.num,th.num{text-align:right}
th button{background:none;border:0;padding:0;margin:0;font:inherit;color:inherit;
text-align:inherit;cursor:pointer;display:block;width:100%}
th button::after{content:" \\2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \\2191"}
th[aria-sort=descending] button::after{content:" \\2193"}
.controls{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:.5rem 0}
.controls label{font-size:.9rem;color:var(--muted)}
.controls select,.controls input{font:inherit;color:var(--fg);background:var(--chip);
border:1px solid var(--line);border-radius:4px;padding:.15rem .3rem}
.badge{display:inline-block;border:1px solid currentColor;border-radius:999px;
padding:0 .5rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.sev-critical{color:var(--critical)}.sev-high{color:var(--high)}
.sev-medium{color:var(--medium)}.sev-low{color:var(--low)}.sev-none{color:var(--none)}
.sev-unknown{color:var(--unknown)}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.5rem .9rem;min-width:8rem}
.card b{display:block;font-size:1.4rem}
details{margin:.25rem 0}summary{cursor:pointer}
.nowrap{white-space:nowrap}th{overflow-wrap:normal}
pre{background:var(--head);border:1px solid var(--line);border-radius:4px;margin:.4rem 0;
padding:.4rem .6rem;white-space:pre-wrap;overflow-wrap:anywhere}
ul.paths{margin:.25rem 0;padding-left:1.2rem}
tr[hidden]{display:none}
.scroll{overflow-x:auto;max-width:100%}
.nowrap{white-space:nowrap;overflow-wrap:normal}
.prose{min-width:16rem}.words{overflow-wrap:break-word}
@media print{:root{--fg:#000;--muted:#444;--line:#999;--head:#eee;--link:#000;
--high:#000;--none:#000;--chip:#fff}
body{max-width:none;padding:0;font-size:11px;color:#000;background:#fff}
.controls{display:none}.scroll{overflow:visible}tr[hidden]{display:table-row}details>*{display:block}
details::details-content{content-visibility:visible;display:block}
a{color:#000;text-decoration:none}th button::after{content:""}
.sev-critical,.sev-high,.sev-medium,.sev-low,.sev-none,.sev-unknown{color:#000}
h2{break-after:avoid}tr{break-inside:avoid}}
"""

#: Sorting and filtering; reads ``data-*`` attributes and the cells' text only.
_SCRIPT = """
"use strict";
(function () {
  function key(cell, numeric) {
    var v = cell.getAttribute("data-sort");
    if (v === null) { v = cell.textContent.trim(); }
    if (numeric) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLowerCase();
  }
  function sortBy(table, index, numeric, th) {
    var body = table.tBodies[0];
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    var ths = table.tHead.rows[0].cells;
    for (var i = 0; i < ths.length; i++) { ths[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", dir);
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function applyFilters(table) {
    var id = table.id;
    var selects = document.querySelectorAll("select[data-table='" + id + "']");
    var text = document.querySelector("input[data-table='" + id + "']");
    var needle = text ? text.value.trim().toLowerCase() : "";
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var ok = true;
      for (var j = 0; j < selects.length && ok; j++) {
        var want = selects[j].value;
        var attr = "data-" + selects[j].getAttribute("data-filter");
        if (want && rows[i].getAttribute(attr) !== want) { ok = false; }
      }
      if (ok && needle && rows[i].textContent.toLowerCase().indexOf(needle) < 0) { ok = false; }
      rows[i].hidden = !ok;
      if (ok) { shown++; }
    }
    var count = document.querySelector("[data-count='" + id + "']");
    if (count) { count.textContent = shown + " of " + rows.length; }
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var ths = table.tHead.rows[0].cells;
    for (var i = 0; i < ths.length; i++) {
      (function (index, th) {
        var button = th.querySelector("button");
        if (button) {
          button.addEventListener("click", function () {
            sortBy(table, index, th.classList.contains("num"), th);
          });
        }
      })(i, ths[i]);
    }
  });
  document.querySelectorAll("select[data-table], input[data-table]").forEach(function (el) {
    var table = document.getElementById(el.getAttribute("data-table"));
    if (table) {
      el.addEventListener("input", function () { applyFilters(table); });
      el.addEventListener("change", function () { applyFilters(table); });
    }
  });
})();
"""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


#: The page's whole policy: its own style sheet and script, nothing else. ``data:``
#: images are not admitted either: the page has none.
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{_sha256(_CSS)}'; "
    f"script-src 'sha256-{_sha256(_SCRIPT)}'; "
    "base-uri 'none'; form-action 'none'"
)


def esc(text: object) -> str:
    """``text`` as HTML text: visible (control characters and bidi overrides escaped)
    and HTML-escaped, quotes included (safe in an attribute value too)."""
    return html.escape(visible(str(text)), quote=True)


def link(url: str | None, text: object) -> str:
    """``text`` linking to ``url`` when it is an ``https``/``http`` URL; else the text
    alone (a ``javascript:`` or ``data:`` URL from a record never becomes a link)."""
    href = safe_url(url, schemes=("https", "http")) if url else None
    if href is None:
        return esc(text)
    return f'<a href="{esc(href)}" rel="noopener noreferrer">{esc(text)}</a>'


def severity_rank(level: str | None) -> int:
    """A severity's sort key in a table, worse is higher (``critical`` highest,
    ``unknown`` 1, no severity 0): sorted descending, the worst come first, on every
    page alike."""
    from pyward._findings import LEVELS

    return len(LEVELS) - LEVELS.index(level) if level in LEVELS else 0


def badge(level: str) -> str:
    """A severity (or grade) chip, coloured by class; the word itself is the meaning,
    so the colour is never the only signal."""
    cls = level if level in ("critical", "high", "medium", "low", "none") else "unknown"
    return f'<span class="badge sev-{cls}">{esc(level)}</span>'


def cards(items: Iterable[tuple[str, object]]) -> str:
    """A row of count cards, one per ``(label, value)``; a card whose label is a severity
    takes its colour while its count is not zero."""
    from pyward._findings import LEVELS

    out = []
    for label, value in items:
        cls = f" sev-{label}" if label in LEVELS and value else ""
        out.append(
            f'<div class="card{cls}" data-card="{esc(label)}"><b>{esc(value)}</b>{esc(label)}</div>'
        )
    return f'<div class="cards">{"".join(out)}</div>'


def section(title: str, body: str, *, id: str | None = None) -> str:
    """An ``<h2>`` section; empty ``body`` gives no section."""
    if not body:
        return ""
    anchor = f' id="{esc(id)}"' if id else ""
    return f"<section{anchor}><h2>{esc(title)}</h2>\n{body}\n</section>\n"


def details(summary: str, body: str, *, open: bool = False) -> str:
    """A folded block; ``summary`` is plain text, ``body`` is HTML."""
    flag = " open" if open else ""
    return f"<details{flag}><summary>{esc(summary)}</summary>{body}</details>"


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """One column of a :func:`table`."""

    label: str
    """The header's text."""
    numeric: bool = False
    """Sorted as numbers (and right-aligned)."""
    sortable: bool = True
    """Its header sorts the table."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One row of a :func:`table`: cells of HTML (already escaped), and the values its
    filters match and its cells sort by."""

    cells: Sequence[str]
    """One HTML fragment per column, made with :func:`esc` and friends."""
    attrs: Mapping[str, str] = field(default_factory=dict)
    """Filter values by filter name (``{"kind": "vulnerability", "severity": "high"}``)."""
    sort_keys: Mapping[int, str] = field(default_factory=dict)
    """A column's sort key when its text is not one (a severity's rank, a count)."""


def table(
    id: str,
    columns: Sequence[Column],
    rows: Iterable[Row],
    *,
    filters: Sequence[tuple[str, str]] = (),
    search: bool = True,
    caption: str | None = None,
) -> str:
    """A sortable table with the controls that filter it: one ``<select>`` per
    ``(attribute, label)`` in ``filters``, offering the values the rows carry, and a
    text box when ``search``. ``id`` must be unique in the page."""
    rows = list(rows)
    if not rows:
        return ""
    controls: list[str] = []
    for attr, label in filters:
        values = sorted({r.attrs.get(attr, "") for r in rows} - {""})
        options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
        controls.append(
            f'<label>{esc(label)} <select data-table="{esc(id)}" data-filter="{esc(attr)}">'
            f'<option value="">all</option>{options}</select></label>'
        )
    if search:
        controls.append(
            f'<label>search <input type="search" data-table="{esc(id)}" '
            f'aria-label="search {esc(caption or id)}"></label>'
        )
    head = "".join(
        ('<th class="num" scope="col">' if c.numeric else '<th scope="col">')
        + (f'<button type="button">{esc(c.label)}</button>' if c.sortable else esc(c.label))
        + "</th>"
        for c in columns
    )
    body: list[str] = []
    for r in rows:
        attrs = "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in sorted(r.attrs.items()))
        cells = []
        for i, cell in enumerate(r.cells):
            cls = ' class="num"' if columns[i].numeric else ""
            key = r.sort_keys.get(i)
            sort = f' data-sort="{esc(key)}"' if key is not None else ""
            cells.append(f"<td{cls}{sort}>{cell}</td>")
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    count = f'<span class="muted" data-count="{esc(id)}">{len(rows)} of {len(rows)}</span>'
    cap = f'<caption class="muted">{esc(caption)}</caption>' if caption else ""
    return (
        f'<div class="controls">{"".join(controls)}{count}</div>\n'
        f'<div class="scroll"><table class="sortable" id="{esc(id)}">{cap}'
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>"
    )


def page(*, title: str, body: str, lang: str = "en") -> str:
    """The whole document: ``title`` is plain text, ``body`` HTML made with this
    module's helpers."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
