"""Real wheels built in the test, and a PEP 503/691 simple index on 127.0.0.1 serving them.

A wheel is written with ``zipfile`` as the wheel spec asks
(https://packaging.python.org/en/latest/specifications/binary-distribution-format/):
a package module, ``METADATA`` (core metadata 2.4), ``WHEEL`` and a ``RECORD`` with the
sha256 of every file. pip installs it like any wheel from an index.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.server
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyward._model import canonical_name
from tests.conftest import loopback

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


@dataclass(frozen=True, slots=True, kw_only=True)
class Dist:
    """One distribution to build."""

    name: str
    version: str
    requires: Sequence[str] = ()
    """``Requires-Dist`` lines (PEP 508)."""
    license_expression: str | None = "MIT"
    license: str | None = None
    """Free-text ``License``."""
    classifiers: Sequence[str] = ()
    provides_extras: Sequence[str] = ()
    """``Provides-Extra`` lines."""

    @property
    def module(self) -> str:
        return canonical_name(self.name).replace("-", "_")


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def build_wheel(directory: Path, dist: Dist) -> Path:
    """Write ``dist``'s pure-Python wheel into ``directory``; return its path."""
    stem = f"{dist.module}-{dist.version}"
    info = f"{stem}.dist-info"
    metadata = [
        "Metadata-Version: 2.4",
        f"Name: {dist.name}",
        f"Version: {dist.version}",
        f"Summary: {dist.name}, built by pyward's tests",
    ]
    if dist.license_expression is not None:
        metadata.append(f"License-Expression: {dist.license_expression}")
    if dist.license is not None:
        metadata.append(f"License: {dist.license}")
    metadata += [f"Classifier: {c}" for c in dist.classifiers]
    metadata += [f"Provides-Extra: {e}" for e in dist.provides_extras]
    metadata += [f"Requires-Dist: {r}" for r in dist.requires]
    files = {
        f"{dist.module}/__init__.py": f'"""{dist.name}."""\n\nVERSION = "{dist.version}"\n',
        f"{info}/METADATA": "\n".join(metadata) + "\n\n",
        f"{info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: pyward-tests\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ),
    }
    record = [f"{p},{_record_hash(t.encode())},{len(t.encode())}" for p, t in files.items()]
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    path = directory / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            # A fixed date: the same wheel has the same bytes (and hash) on every run.
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text)
    return path


def build_wheels(directory: Path, dists: Iterable[Dist]) -> list[Path]:
    """Every wheel of ``dists`` in ``directory`` (created)."""
    directory.mkdir(parents=True, exist_ok=True)
    return [build_wheel(directory, d) for d in dists]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: When the index says every file was uploaded (PEP 700), unless told otherwise.
UPLOADED = "2024-01-01T00:00:00.000000Z"


@contextmanager
def wheel_index(directory: Path, *, upload_time: str = UPLOADED) -> Iterator[str]:
    """A simple index on 127.0.0.1 of the wheels in ``directory``: ``/simple/`` (PEP 503
    HTML, or PEP 691 JSON when asked, with ``upload_time`` for every file) and the files
    under ``/files/``. Yields the index URL, ``http://127.0.0.1:PORT/simple/``."""

    def projects() -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        for wheel in sorted(directory.glob("*.whl")):
            found.setdefault(canonical_name(wheel.name.split("-")[0]), []).append(wheel)
        return found

    class Handler(http.server.BaseHTTPRequestHandler):
        head = False

        def do_HEAD(self) -> None:
            # uv asks a wheel's size (and whether ranges are served) first.
            self.head = True
            self.do_GET()

        def do_GET(self) -> None:
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            wants_json = SIMPLE_JSON in self.headers.get("Accept", "")
            wheels = (
                projects().get(canonical_name(parts[1]))
                if parts[:1] == ["simple"] and len(parts) == 2
                else None
            )
            if parts[:1] == ["files"] and len(parts) == 2 and (directory / parts[1]).is_file():
                self._send((directory / parts[1]).read_bytes(), "application/octet-stream")
            elif parts == ["simple"]:
                self._root(sorted(projects()), wants_json)
            elif wheels:
                self._project(canonical_name(parts[1]), wheels, wants_json)
            else:
                self._send(b"not found", "text/plain", status=404)

        def _root(self, names: list[str], wants_json: bool) -> None:
            if wants_json:
                body = {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
                self._send(json.dumps(body).encode(), SIMPLE_JSON)
                return
            links = "".join(f'<a href="/simple/{n}/">{n}</a>\n' for n in names)
            self._send(f"<html><body>\n{links}</body></html>".encode(), "text/html")

        def _project(self, name: str, wheels: list[Path], wants_json: bool) -> None:
            if wants_json:
                body = {
                    "meta": {"api-version": "1.1"},
                    "name": name,
                    "versions": sorted({w.name.split("-")[1] for w in wheels}),
                    "files": [
                        {
                            "filename": w.name,
                            "url": f"/files/{w.name}",
                            "hashes": {"sha256": sha256_of(w)},
                            "size": w.stat().st_size,
                            "upload-time": upload_time,
                        }
                        for w in wheels
                    ],
                }
                self._send(json.dumps(body).encode(), SIMPLE_JSON)
                return
            links = "".join(
                f'<a href="/files/{html.escape(w.name)}#sha256={sha256_of(w)}">'
                f"{html.escape(w.name)}</a>\n"
                for w in wheels
            )
            self._send(f"<html><body>\n{links}</body></html>".encode(), "text/html")

        def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not self.head:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback(Handler) as base:
        yield f"{base}/simple/"
