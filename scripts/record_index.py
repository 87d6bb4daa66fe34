"""Record a package index's real answers for the tests' loopback index.

    python scripts/record_index.py INDEX_URL [OUT_DIR]

``INDEX_URL`` is the simple API's base (``https://<host>/simple/``; given on the
command line only: no index is named in the repository). For every package of the
lock files in :data:`LOCKS`, one GET of its PEP 691 page (``Accept:
application/vnd.pypi.simple.v1+json``) and one of its JSON API answer
(``<root>/pypi/<name>/json``, when the index URL ends in ``/simple/``), written to
``OUT_DIR`` (default ``tests/data/index/recorded``) as ``simple/<name>.json`` and
``json/<name>.json``, with ``index.json`` saying what was asked and what each answer
was (status, content type, the index's ``Date``).

Before saving, the index's host and the files host (read from the pages' file URLs)
are replaced, with their sub-domains, by ``index.invalid`` and
``files.index.invalid``: the files host ``files.<domain>`` becomes
``files.index.invalid`` by replacing ``<domain>``. Pages are kept byte for byte
otherwise. JSON API answers are trimmed to what pyward reads (:data:`INFO_KEYS`, and
of each release its earliest file's ``upload_time_iso_8601``, ``yanked`` and
``yanked_reason``): whole, they are megabytes of READMEs and file lists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pyward._inventory import read_inventory  # noqa: E402
from pyward._model import canonical_name  # noqa: E402

#: The lock files whose packages are recorded (paths from the repository's root).
LOCKS = (
    "examples/vulnerable-app/uv.lock",
    "tests/data/corpus/pylock/pdm-demo-fixture/pylock.toml",
    "tests/data/corpus/pipenv/httpbin-2018/Pipfile.lock",
)
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
#: The JSON API's ``info`` keys pyward reads
#: (:func:`pyward._sources.index._parse.parse_release_info`).
INFO_KEYS = (
    "name",
    "version",
    "summary",
    "license",
    "license_expression",
    "project_urls",
    "requires_python",
    "classifiers",
    "yanked",
    "yanked_reason",
)
FILE_KEYS = ("upload_time_iso_8601", "yanked", "yanked_reason")
INDEX_HOST = "index.invalid"


def names() -> list[str]:
    """Every package of :data:`LOCKS`, normalised, sorted."""
    found: set[str] = set()
    for lock in LOCKS:
        inventory = read_inventory(ROOT / lock)
        found.update(canonical_name(c.name) for c in inventory.components)
    return sorted(found)


def host_pattern(domains: set[str]) -> re.Pattern[bytes]:
    """``domain`` and its sub-domains, as a host (not a longer name's tail)."""
    alternatives = b"|".join(re.escape(d.encode()) for d in sorted(domains, key=len, reverse=True))
    return re.compile(
        rb"(?<![A-Za-z0-9.-])((?:[A-Za-z0-9-]+\.)*)(?:" + alternatives + rb")(?![A-Za-z0-9-])"
    )


def scrub(body: bytes, pattern: re.Pattern[bytes]) -> bytes:
    return pattern.sub(rb"\1" + INDEX_HOST.encode(), body)


def files_domains(body: bytes, index_host: str) -> set[str]:
    """The domains of the files hosts a page links to (``files.example.org`` ->
    ``example.org``)."""
    try:
        files = json.loads(body).get("files", [])
    except (ValueError, AttributeError):
        return set()
    out: set[str] = set()
    for entry in files:
        host = urlsplit(entry.get("url", "")).hostname or ""
        if host and host != index_host:
            out.add(host.split(".", 1)[1] if host.count(".") >= 2 else host)
    return out


def trim(body: bytes) -> bytes:
    """A JSON API answer with only what pyward reads."""
    data = json.loads(body)
    info = {k: data["info"][k] for k in INFO_KEYS if k in data.get("info", {})}
    releases = {
        version: [{k: f[k] for k in FILE_KEYS if k in f} for f in _earliest(files)]
        for version, files in data.get("releases", {}).items()
    }
    return (
        json.dumps({"info": info, "releases": releases}, indent=1, sort_keys=True) + "\n"
    ).encode()


def _earliest(files: list[dict[str, object]]) -> list[dict[str, object]]:
    """The release's earliest file (what the upload time of a release is), or none."""
    dated = [f for f in files if isinstance(f.get("upload_time_iso_8601"), str)]
    return [min(dated, key=lambda f: str(f["upload_time_iso_8601"]))] if dated else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_url")
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "tests/data/index/recorded")
    args = parser.parse_args(argv)
    base = args.index_url.rstrip("/") + "/"
    index_host = urlsplit(base).hostname or ""
    json_root = base.removesuffix("simple/") + "pypi" if base.endswith("/simple/") else None
    projects = names()
    client = httpx.Client(
        timeout=60, follow_redirects=True, headers={"User-Agent": "pyward-recorder"}
    )

    def get(url: str, accept: str | None) -> httpx.Response:
        return client.get(url, headers={"Accept": accept} if accept else {})

    def one(name: str) -> tuple[str, httpx.Response, httpx.Response | None]:
        page = get(f"{base}{name}/", SIMPLE_JSON)
        api = get(f"{json_root}/{name}/json", None) if json_root else None
        return name, page, api

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(one, projects))

    domains = {index_host}
    for _, page, _ in answers:
        if page.status_code == 200:
            domains |= files_domains(page.content, index_host)
    pattern = host_pattern(domains)
    (args.out / "simple").mkdir(parents=True, exist_ok=True)
    (args.out / "json").mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {
        "recorded": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
        "locks": list(LOCKS),
        "projects": {},
    }
    entries: dict[str, object] = {}
    for name, page, api in answers:
        entry: dict[str, object] = {
            "simple": {"status": page.status_code, "content-type": page.headers.get("content-type")}
        }
        if page.status_code == 200:
            (args.out / "simple" / f"{name}.json").write_bytes(scrub(page.content, pattern))
        if api is not None:
            entry["json"] = {
                "status": api.status_code,
                "content-type": api.headers.get("content-type"),
            }
            if api.status_code == 200:
                (args.out / "json" / f"{name}.json").write_bytes(scrub(trim(api.content), pattern))
        entries[name] = entry
    manifest["projects"] = entries
    (args.out / "index.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    missing = [n for n, p, _ in answers if p.status_code != 200]
    print(f"{len(projects)} projects recorded in {args.out}; not on the index: {missing or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
