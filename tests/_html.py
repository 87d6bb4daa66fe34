"""The tables of an HTML report, read back: what the unit tests of every HTML output
assert on (the rows' filter attributes and cells' text), without a browser."""

from __future__ import annotations

from html.parser import HTMLParser


class Rows(HTMLParser):
    """The rows of each table of a page: per row its ``data-*`` attributes and the text
    of each cell; and every ``href`` and every ``<script>`` start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[dict[str, str], list[str]]]] = {}
        self.hrefs: list[str] = []
        self.scripts = 0
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "script":
            self.scripts += 1
        elif tag == "a":
            self.hrefs.append(a.get("href", ""))
        elif tag == "table":
            self._table = a.get("id", "")
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table is not None:
            data = {k[5:]: v for k, v in a.items() if k.startswith("data-")}
            self.tables[self._table].append((data, []))
        elif tag == "td" and self._in_body and self._table is not None:
            self._cell = []
            self.tables[self._table][-1][1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "summary" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "td" and self._cell is not None and self._table is not None:
            self.tables[self._table][-1][1][-1] = " ".join("".join(self._cell).split())
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(text: str) -> Rows:
    rows = Rows()
    rows.feed(text)
    return rows
