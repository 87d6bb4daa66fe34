"""Reader of an installed environment: the ``*.dist-info`` / ``*.egg-info`` metadata of
its site-packages directories.

Nothing is imported from the environment read: a virtual environment's
``site-packages`` are found by layout (``pyvenv.cfg``, ``lib/pythonX.Y/site-packages``);
another interpreter (``--python /usr/bin/python3``) is run as ``python -I -S`` with a
fixed snippet that prints its site-packages (no ``.pth`` file or ``sitecustomize``
runs); and its metadata is parsed as :mod:`importlib.metadata` parses it (``email.parser`` on
the headers of ``METADATA``/``PKG-INFO``, see the core metadata specification:
https://packaging.python.org/en/latest/specifications/core-metadata/).

Only the top level of each site-packages directory is scanned, as ``importlib.metadata``
does: manifests vendored inside a package (``pip/_vendor/vendor.txt``,
``setuptools/_vendor/*.dist-info``) are not installed distributions and are not listed.

Hashes. An installed distribution has no artifact hash (installers do not record the
wheel's digest), but its ``RECORD`` lists the SHA-256 of every file it installed. The
component's SHA-256 is therefore the digest of the ``RECORD`` file's bytes: it is
deterministic, and a consumer verifies the whole installed distribution with it
(``sha256sum RECORD``, then every file against its ``RECORD`` line, as ``pip`` and
``installer`` write them). ``metadata["hash_of"]`` says which it is: ``RECORD``, or
``artifact`` when PEP 610 ``direct_url.json`` records the archive's own hash (a URL or
file install), which is then used instead. A distribution without ``RECORD`` (legacy
``egg-info``) has no hash.

Artifacts. The wheel an installed distribution came from is named by its
``*.dist-info`` directory (``{name}-{version}``, spelt as the wheel spelt it) and the
``Tag:`` and ``Build:`` lines of its ``WHEEL`` file (the wheel's compressed tag sets,
written out one tag a line: https://packaging.python.org/en/latest/specifications/
binary-distribution-format/): ``Artifact(filename=..., sha256=None)``, the index's
digest being the one to verify, as installers keep none. The tags are joined in the
order ``WHEEL`` lists them, which may not be the order of the index's file name
(``manylinux_2_17_x86_64.manylinux2014_x86_64``): match the name as parsed
(``packaging.utils.parse_wheel_filename``), not as a string. A wheel built locally from
an sdist looks the same and is named the same: the index has no such file, which the
look-up then says. When ``direct_url.json`` records the archive's SHA-256 (a URL or
file install), that file is the artifact, named by its URL, with that digest. VCS,
directory and editable installs, and ``egg-info`` distributions, have none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._files import read_capped
from pyward._inventory._common import make_artifact, url_file_name
from pyward._model import (
    Artifact,
    Component,
    ComponentKey,
    Hash,
    Inventory,
    Location,
    NotAudited,
    SourceKind,
    canonical_name,
    component_key,
)
from pyward._wire import Wire
from pyward.errors import InputError

if TYPE_CHECKING:
    from packaging.markers import Marker

__all__ = ["find_site_packages", "read_environment"]

_DIST_INFO = re.compile(
    r"^(?P<name>[^-]+)(?:-(?P<version>[^-]+))?.*\.(?:dist-info|egg-info)$", re.I
)
_PY_DIR = re.compile(r"^(?:python|pypy)(?P<ver>\d+\.\d+)t?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Dist:
    """One parsed distribution, before the graph is built."""

    component: Component
    """The component, without ``direct`` (decided once every edge is known)."""
    requires: tuple[str, ...]
    """``Requires-Dist`` values (PEP 508 strings), as written."""
    path: Path
    """The ``*.dist-info`` / ``*.egg-info`` path."""


@dataclass(slots=True, kw_only=True)
class _State:
    """What the reader gathers across site-packages directories."""

    dists: list[_Dist] = field(default_factory=list)
    not_audited: list[NotAudited] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_environment(path: Path | None = None, *, python: str | None = None) -> Inventory:
    """Every distribution installed in an environment.

    ``path`` is a virtual environment (a directory with ``pyvenv.cfg``) or a
    site-packages directory; ``python`` an interpreter: a virtual environment's is read
    by layout, any other is run isolated and without ``site`` to list its
    site-packages (nothing else of it runs); with neither, the running interpreter's
    ``sys.path``.
    """
    if path is not None and python is not None:
        raise InputError(path, "give either an environment directory or --python, not both")
    notes: list[str] = []
    if python is not None:
        source = python
        dirs, py_version, notes = _dirs_for_interpreter(Path(python))
    elif path is not None:
        source = str(path)
        dirs, py_version, notes = find_site_packages(Path(path))
    else:
        source = sys.prefix
        dirs = [Path(p) for p in sys.path if p and os.path.isdir(p)]
        py_version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    state = _State(notes=list(notes))
    seen_dirs: set[str] = set()
    for d in dirs:
        real = os.path.realpath(d)
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        _scan(d, state)
    inventory = _build(source, state, _marker_environment(py_version, dirs))
    return dataclasses.replace(inventory, python_version=py_version) if py_version else inventory


def find_site_packages(path: Path) -> tuple[list[Path], str | None, list[str]]:
    """The site-packages directories of a venv or a site-packages dir, the Python
    ``X.Y`` they belong to (where known) and notes."""
    if not path.exists():
        raise InputError(path, "no such file or directory")
    if not path.is_dir():
        raise InputError(path, "not a directory (expected a virtual environment or site-packages)")
    cfg = path / "pyvenv.cfg"
    if cfg.is_file():
        return _venv_dirs(path, cfg)
    if _has_metadata_dirs(path) or path.name in ("site-packages", "dist-packages"):
        match = _PY_DIR.match(path.parent.name)
        return [path], match.group("ver") if match else None, []
    dirs = _layout_dirs(path, None)
    if dirs:
        match = _PY_DIR.match(dirs[0].parent.name)
        return dirs, match.group("ver") if match else None, []
    raise InputError(
        path,
        "not a virtual environment or site-packages directory (no pyvenv.cfg, no *.dist-info)",
    )


def _venv_dirs(path: Path, cfg: Path) -> tuple[list[Path], str | None, list[str]]:
    values = _read_pyvenv_cfg(cfg)
    version = values.get("version_info") or values.get("version")
    xy = ".".join(version.split(".")[:2]) if version else None
    dirs = _layout_dirs(path, xy)
    notes: list[str] = []
    if not dirs:
        raise InputError(cfg, "no site-packages directory under this virtual environment")
    if values.get("include-system-site-packages", "").lower() == "true":
        notes.append(
            f"{cfg}: include-system-site-packages is true; the base interpreter's "
            f"packages ({values.get('home', 'home unknown')}) are not included"
        )
    return dirs, xy, notes


def _read_pyvenv_cfg(cfg: Path) -> dict[str, str]:
    try:
        text = read_capped(cfg).decode("utf-8")
    except OSError as exc:
        raise InputError(cfg, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(cfg, f"cannot read: {exc}") from None
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def _layout_dirs(prefix: Path, xy: str | None) -> list[Path]:
    """``site-packages`` under an installation prefix, by the layouts CPython, PyPy and
    Debian use (purelib and platlib: ``lib`` and ``lib64``)."""
    found: list[Path] = []
    win = prefix / "Lib" / "site-packages"
    if win.is_dir():
        found.append(win)
    for lib in ("lib", "lib64"):
        base = prefix / lib
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            m = _PY_DIR.match(child.name)
            if m is None or (xy is not None and m.group("ver") != xy):
                continue
            for leaf in ("site-packages", "dist-packages"):
                if (child / leaf).is_dir():
                    found.append(child / leaf)
    return found


# Run by the interpreter given with ``--python``, as ``python -I -S -c``: ``-I``
# (isolated: no ``PYTHON*`` variables, no user site, no script directory on
# ``sys.path``) and ``-S`` (``site`` is not run: no ``.pth`` file, ``sitecustomize`` or
# ``usercustomize`` executes), so nothing of the audited environment runs but the
# interpreter and its standard library. ``site`` imported after ``-S`` only computes
# paths: https://docs.python.org/3/library/site.html. ``site.getsitepackages`` is the
# list the interpreter puts on ``sys.path`` (Debian's patched ``site`` gives
# ``/usr/lib/python3/dist-packages`` there); the user site is on it too when the
# interpreter runs outside ``-I``.
_PATHS_SNIPPET = """\
import json, site, sys, sysconfig
print(json.dumps({
    "version": "%d.%d" % sys.version_info[:2],
    "user": site.getusersitepackages(),
    "site": list(site.getsitepackages()),
    "scheme": [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")],
}))
"""


def _dirs_for_interpreter(exe: Path) -> tuple[list[Path], str | None, list[str]]:
    """Site-packages of an interpreter. A virtual environment's are found by its layout,
    as the interpreter finds them (PEP 405: a ``pyvenv.cfg`` beside the executable or
    one directory up); any other interpreter is asked, run isolated and without
    ``site`` (see ``_PATHS_SNIPPET``)."""
    if not exe.exists() and os.sep not in str(exe):
        import shutil

        found = shutil.which(str(exe))
        exe = Path(found) if found else exe
    if not exe.exists():
        raise InputError(exe, "no such interpreter")
    for venv in (exe.parent, exe.parent.parent):
        cfg = venv / "pyvenv.cfg"
        if cfg.is_file():
            return _venv_dirs(venv, cfg)
    report = _ask_interpreter(exe)
    paths = [report.str_or_none("user"), *report.strings("site"), *report.strings("scheme")]
    dirs: list[Path] = []
    for p in paths:
        if p and Path(p).is_dir() and Path(p) not in dirs:
            dirs.append(Path(p))
    if not dirs:
        listed = ", ".join(dict.fromkeys(p for p in paths if p))
        raise InputError(exe, f"none of its site-packages directories exists ({listed})")
    return dirs, report.version, []


@dataclass(frozen=True, slots=True, kw_only=True)
class _PathsReport:
    """What an interpreter says of its paths (the output of ``_PATHS_SNIPPET``)."""

    version: str | None
    """Its ``X.Y``."""
    values: Mapping[str, object]
    """The decoded JSON object."""

    def str_or_none(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def strings(self, key: str) -> list[str]:
        value = self.values.get(key)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _ask_interpreter(exe: Path) -> _PathsReport:
    import subprocess

    try:
        # The user's own interpreter, isolated, running fixed code, never through a shell:
        done = subprocess.run(  # noqa: S603 # nosec B603
            [str(exe), "-I", "-S", "-c", _PATHS_SNIPPET],
            capture_output=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(exe, f"cannot run it to find its site-packages: {reason}") from None
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0:
        last = lines[-1] if lines else "no message"
        raise InputError(
            exe, f"cannot run it to find its site-packages: exit {done.returncode}: {last}"
        )
    try:
        values = json.loads(done.stdout)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise InputError(exe, "cannot run it to find its site-packages: not a Python interpreter")
    version = values.get("version")
    return _PathsReport(
        version=version if isinstance(version, str) and _PY_VERSION.match(version) else None,
        values=values,
    )


_PY_VERSION = re.compile(r"^\d+\.\d+$")


def _has_metadata_dirs(path: Path) -> bool:
    try:
        with os.scandir(path) as it:
            return any(e.name.endswith((".dist-info", ".egg-info")) for e in it)
    except OSError:
        return False


def _scan(directory: Path, state: _State) -> None:
    try:
        with os.scandir(directory) as it:
            names = sorted(e.name for e in it if e.name.endswith((".dist-info", ".egg-info")))
    except OSError as exc:
        state.notes.append(f"{directory}: cannot list: {exc.strerror or exc}")
        return
    for name in names:
        _read_dist(directory / name, state)


def _read_dist(path: Path, state: _State) -> None:
    guess = _DIST_INFO.match(path.name)
    guessed_name = canonical_name(guess.group("name")) if guess else None
    is_dir = path.is_dir()
    if path.name.endswith(".dist-info"):
        meta_file = path / "METADATA"
    elif is_dir:
        meta_file = path / "PKG-INFO"
    else:  # a distutils-era single-file ``.egg-info``
        meta_file = path
    try:
        raw = read_capped(meta_file)
    except OSError as exc:
        state.not_audited.append(
            NotAudited(
                name=guessed_name,
                requirement=path.name,
                reason=f"{meta_file.name} unreadable: {exc.strerror or exc}",
                location=Location(file=str(path)),
            )
        )
        return
    text = raw.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in raw:
        state.notes.append(f"{meta_file}: not valid UTF-8; undecodable bytes replaced")
    msg = _parse_headers(text)
    name = _first(msg, "name")
    version = _first(msg, "version")
    if not name or not version:
        missing = "Name" if not name else "Version"
        state.not_audited.append(
            NotAudited(
                name=canonical_name(name) if name else guessed_name,
                requirement=path.name,
                reason=f"{meta_file.name} has no {missing} field",
                location=Location(file=str(path)),
            )
        )
        return
    cname = canonical_name(name)
    source, source_url, artifact_hashes = _direct_url(path, state)
    hashes: tuple[Hash, ...] = artifact_hashes
    meta: dict[str, str] = {}
    record = path / "RECORD"
    if hashes:
        meta["hash_of"] = "artifact"
    elif is_dir:
        try:
            record_bytes = read_capped(record)
        except FileNotFoundError:
            pass
        except OSError as exc:
            state.notes.append(f"{record}: unreadable ({exc.strerror or exc}); no hash")
        else:
            hashes = (Hash(algorithm="sha256", value=hashlib.sha256(record_bytes).hexdigest()),)
            meta["hash_of"] = "RECORD"
    _fill_metadata(meta, msg)
    meta["dist_info"] = str(path)
    if is_dir:
        installer = _read_small(path / "INSTALLER")
        if installer:
            meta["installer"] = installer
        if (path / "REQUESTED").exists():
            meta["requested"] = "true"
        sboms = _sbom_files(path)
        if sboms:
            meta["sboms"] = "\n".join(sboms)
    requires = _requirements(path, msg, is_dir)
    artifacts: tuple[Artifact, ...] = ()
    sha256 = next((h.value for h in artifact_hashes if h.algorithm == "sha256"), None)
    if sha256 is not None and source_url and (file_name := url_file_name(source_url)):
        artifacts = (make_artifact(file_name, sha256, source_url),)
    elif source == "installed" and is_dir and path.name.endswith(".dist-info"):
        wheel = _wheel_file_name(path, cname, version, state)
        if wheel is not None:
            artifacts = (make_artifact(wheel, None, None),)
    component = Component(
        name=cname,
        version=version,
        display_name=name if name != cname else None,
        purl=_purl(name, version, source, source_url),
        source=source,
        source_url=source_url,
        hashes=hashes,
        artifacts=artifacts,
        location=Location(file=str(path)),
        license_expression=_first(msg, "license-expression") or None,
        metadata=meta,
    )
    state.dists.append(_Dist(component=component, requires=requires, path=path))


def _wheel_file_name(path: Path, name: str, version: str, state: _State) -> str | None:
    """The file name of the wheel ``path`` (a ``*.dist-info`` directory) was installed
    from, rebuilt from its ``WHEEL`` file (see the module docstring); ``None`` when there is
    no ``WHEEL``, and with a note when it does not make a valid wheel name. ``name`` (PEP 503)
    and ``version`` are the metadata's: they spell the name when the directory's does
    not agree with them."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    wheel = path / "WHEEL"
    text = _read_small(wheel)
    if text is None:
        # Not installed from a wheel (or its metadata was trimmed): no file to name.
        # ``pyward provenance`` reports the component as having no artifact.
        return None
    # Dicts as ordered sets: each tag's parts in the order the lines give them.
    parts: tuple[dict[str, None], ...] = ({}, {}, {})
    build: str | None = None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if key == "tag" and sep:
            tag = value.strip().split("-")
            if len(tag) != 3:
                state.notes.append(
                    f"{wheel}: invalid Tag {value.strip()!r}; the wheel's name is unknown"
                )
                return None
            for seen, part in zip(parts, tag, strict=True):
                seen[part] = None
        elif key == "build" and sep:
            build = value.strip()
    if not parts[0]:
        state.notes.append(f"{wheel}: no Tag line; the wheel's name is unknown")
        return None
    stem_name, _, stem_version = path.name[: -len(".dist-info")].partition("-")
    if canonical_name(stem_name) != name or not stem_version:
        # The wheel specification's escaping of a name in a file name.
        stem_name, stem_version = name.replace("-", "_"), version
    fields = [stem_name, stem_version, *([build] if build else []), *(".".join(p) for p in parts)]
    filename = "-".join(fields) + ".whl"
    try:
        parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        state.notes.append(f"{wheel}: its Tag and Build lines make no valid wheel name ({exc})")
        return None
    return filename


def _parse_headers(text: str) -> dict[str, list[str]]:
    """The metadata headers (lower-cased name -> values in order); the body (the long
    description) is not parsed, which makes reading a large environment several times
    faster than ``email.parser`` on the whole file. Same header semantics as
    ``importlib.metadata`` (``email.parser`` with the compat32 policy)."""
    from email.parser import HeaderParser

    end = text.find("\n\n")
    msg = HeaderParser().parsestr(text if end < 0 else text[: end + 1])
    headers: dict[str, list[str]] = {}
    # ``raw_items``: the compat32 policy returns a str header unchanged (it only wraps
    # values that hold surrogates, which a decoded ``str`` input cannot), so the
    # per-header fetch that ``items`` does is skipped.
    for key, value in msg.raw_items():
        headers.setdefault(key.lower(), []).append(str(value))
    return headers


def _first(headers: Mapping[str, list[str]], key: str) -> str:
    values = headers.get(key)
    return values[0].strip() if values else ""


_FIELDS: tuple[tuple[str, str], ...] = (
    ("Summary", "summary"),
    ("Home-page", "home_page"),
    ("Download-URL", "download_url"),
    ("Author", "author"),
    ("Author-email", "author_email"),
    ("Maintainer", "maintainer"),
    ("Maintainer-email", "maintainer_email"),
    ("License", "license"),
    ("Requires-Python", "requires_python"),
    ("Metadata-Version", "metadata_version"),
)


def _fill_metadata(meta: dict[str, str], headers: Mapping[str, list[str]]) -> None:
    for header, key in _FIELDS:
        values = headers.get(header.lower())
        if not values:
            continue
        value = values[0].strip()
        if value and value.upper() != "UNKNOWN":
            meta[key] = value
    urls = [u.strip() for u in headers.get("project-url", ())]
    if urls:
        meta["project_urls"] = "\n".join(urls)
    classifiers = [c.strip() for c in headers.get("classifier", ())]
    if classifiers:
        meta["classifiers"] = "\n".join(classifiers)
    supplier, email = _supplier(meta)
    if supplier:
        meta["supplier"] = supplier
    if email:
        meta["supplier_email"] = email


def _supplier(meta: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Who distributes the package (NTIA's "supplier"): its maintainer, else its author,
    each from the plain field or the first ``Name <email>`` of the ``*-email`` field."""
    for role in ("maintainer", "author"):
        plain = meta.get(role)
        addresses = addresses_of(meta.get(f"{role}_email", ""))
        if plain:
            email = next((a for n, a in addresses if n == plain and a), None)
            if email is None and len(addresses) == 1:
                email = addresses[0][1] or None
            return plain, email
        for n, a in addresses:
            if n:
                return n, a or None
        if addresses:
            return addresses[0][1], addresses[0][1]
    return None, None


_ADDRESS = re.compile(
    r'\s*(?:"(?P<quoted>[^"\\]*)"|(?P<name>[^,<>"@()]*?))\s*<(?P<addr>[^<>,\s"()]+)>\s*(?:,|$)'
    r'|\s*(?P<bare>[^<>,\s"()]+@[^<>,\s"()]+)\s*(?:,|$)'
)


def addresses_of(text: str) -> list[tuple[str, str]]:
    """(name, address) pairs of an ``Author-email``-style field, as
    ``email.utils.getaddresses`` gives them. The shapes core metadata uses
    (``Name <a@b>``, ``"Quoted, Name" <a@b>``, ``a@b``, comma-separated) are matched
    directly: ``getaddresses`` costs a fifth of reading a whole environment. Anything
    else (comments, groups, escapes) goes to ``getaddresses``; a test holds the two
    equal on every installed distribution."""
    found: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _ADDRESS.match(text, pos)
        if m is None or m.end() == pos:
            from email.utils import getaddresses

            return [(n.strip(), a.strip()) for n, a in getaddresses([text]) if n or a]
        quoted = m.group("quoted")
        name = quoted if quoted is not None else (m.group("name") or "")
        found.append((name.strip(), (m.group("addr") or m.group("bare")).strip()))
        pos = m.end()
    return found


def _read_small(path: Path) -> str | None:
    try:
        return read_capped(path).decode("utf-8", errors="replace").strip() or None
    except OSError:
        return None


def _sbom_files(path: Path) -> list[str]:
    """PEP 770 SBOMs shipped in the distribution (``*.dist-info/sboms/``)."""
    sboms = path / "sboms"
    try:
        with os.scandir(sboms) as it:
            return sorted(f"sboms/{e.name}" for e in it if e.is_file())
    except OSError:
        return []


def _requirements(path: Path, msg: Mapping[str, list[str]], is_dir: bool) -> tuple[str, ...]:
    reqs = list(msg.get("requires-dist", ()))
    if not reqs and is_dir and path.name.endswith(".egg-info"):
        text = _read_small(path / "requires.txt")
        if text:
            reqs = list(_egg_requires(text))
    return tuple(reqs)


def _egg_requires(text: str) -> Iterator[str]:
    """``requires.txt`` sections (``[extra:marker]``) as PEP 508 strings, the
    conversion ``importlib.metadata.Distribution.requires`` performs."""
    extra = marker = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            continue
        conds = [f"({marker})"] if marker else []
        if extra:
            conds.append(f'extra == "{extra}"')
        yield f"{line}; {' and '.join(conds)}" if conds else line


def _direct_url(path: Path, state: _State) -> tuple[SourceKind, str | None, tuple[Hash, ...]]:
    """PEP 610 ``direct_url.json``: how a non-registry distribution was installed.
    https://packaging.python.org/en/latest/specifications/direct-url-data-structure/"""
    file = path / "direct_url.json"
    try:
        raw = read_capped(file)
    except FileNotFoundError:
        return "installed", None, ()
    except OSError as exc:
        state.notes.append(f"{file}: unreadable ({exc.strerror or exc}); treated as installed")
        return "installed", None, ()
    try:
        data = json.loads(raw)
    except ValueError as exc:
        state.notes.append(f"{file}: not valid JSON ({exc}); treated as installed")
        return "installed", None, ()
    # A malformed record is a note, not an error: the distribution is still audited.
    try:
        url = Wire(file).check(
            data.get("url") if isinstance(data, dict) else None, str, "url", what="missing"
        )
    except InputError as exc:
        state.notes.append(f"{exc}; treated as installed")
        return "installed", None, ()
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict):
        kind = str(vcs.get("vcs", "git"))
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        ref = f"{kind}+{url}" + (f"@{commit}" if commit else "")
        return ("git" if kind == "git" else "url"), ref, ()
    dir_info = data.get("dir_info")
    if isinstance(dir_info, dict):
        return ("editable" if dir_info.get("editable") else "directory"), url, ()
    hashes: list[Hash] = []
    archive = data.get("archive_info")
    if isinstance(archive, dict):
        table = archive.get("hashes")
        if isinstance(table, dict):
            hashes = [
                Hash(algorithm=str(k).lower(), value=str(v).lower()) for k, v in table.items()
            ]
        elif isinstance(archive.get("hash"), str):
            alg, _, value = archive["hash"].partition("=")
            if value:
                hashes = [Hash(algorithm=alg.lower(), value=value.lower())]
    kind2: SourceKind = "path" if url.startswith("file:") else "url"
    return kind2, url, tuple(sorted(hashes, key=lambda h: h.algorithm))


def _purl(name: str, version: str, source: SourceKind, source_url: str | None) -> str:
    """``pkg:pypi`` purl (https://github.com/package-url/purl-spec, PyPI type):
    ``vcs_url`` for a VCS install, ``download_url`` for a remote archive.

    The purl PyPI type lower-cases the name and turns ``_`` into ``-`` but keeps dots
    (``boolean.py`` stays ``pkg:pypi/boolean.py``), unlike PEP 503; ``packageurl``
    applies exactly that rule to the name as the metadata writes it."""
    from packageurl import PackageURL

    qualifiers: dict[str, str] = {}
    if source_url and source in ("git", "url") and not source_url.startswith("file:"):
        qualifiers["vcs_url" if "+" in source_url.split(":", 1)[0] else "download_url"] = source_url
    return str(
        PackageURL(type="pypi", name=name, version=version, qualifiers=qualifiers).to_string()
    )


def _marker_environment(py_version: str | None, dirs: Iterable[Path]) -> dict[str, str]:
    """PEP 508 marker values of the environment read. The platform is this machine's
    (an environment on disk here runs here); the Python version is the environment's
    own, from ``pyvenv.cfg`` or its ``lib/pythonX.Y`` directory."""
    from packaging.markers import default_environment

    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    if py_version and py_version != env["python_version"]:
        env["python_version"] = py_version
        env["python_full_version"] = f"{py_version}.0"
        env["implementation_version"] = f"{py_version}.0"
    if any(d.parent.name.startswith("pypy") for d in dirs):
        env["implementation_name"] = "pypy"
        env["platform_python_implementation"] = "PyPy"
    return env


def _build(source: str, state: _State, marker_env: dict[str, str]) -> Inventory:
    from packaging.markers import InvalidMarker
    from packaging.requirements import InvalidRequirement

    by_name: dict[str, list[_Dist]] = {}
    for d in state.dists:
        by_name.setdefault(d.component.name, []).append(d)
    for name, group in sorted(by_name.items()):
        if len(group) > 1:
            where = ", ".join(f"{g.component.version} at {g.path}" for g in group)
            state.notes.append(f"{name}: installed more than once ({where}); every copy is listed")

    parsed: dict[int, list[_Req]] = {}
    markers: dict[str, Marker] = {}
    for i, d in enumerate(state.dists):
        reqs: list[_Req] = []
        for j, line in enumerate(d.requires):
            try:
                reqs.append(_parse_requirement(line, markers))
            except (InvalidRequirement, InvalidMarker) as exc:
                state.notes.append(
                    f"{d.path}: Requires-Dist[{j}]: invalid requirement {line!r} ({exc}); ignored"
                )
        parsed[i] = reqs

    # Extras are activated only by a dependant asking for them; activating one may
    # ask for more, hence a fixpoint over (distribution, extra).
    cache: dict[tuple[int, str], bool] = {}

    def active(req: _Req, extra: str) -> bool:
        if req.marker is None:
            return extra == ""
        key = (id(req.marker), extra)
        hit = cache.get(key)
        if hit is None:
            hit = req.marker.evaluate({**marker_env, "extra": extra})
            cache[key] = hit
        return hit

    index = {id(d): i for i, d in enumerate(state.dists)}
    edges: dict[int, set[int]] = {i: set() for i in range(len(state.dists))}
    missing: set[str] = set()
    done: set[tuple[int, str]] = set()
    work: list[tuple[int, str]] = [(i, "") for i in range(len(state.dists))]
    while work:
        item = work.pop()
        if item in done:
            continue
        done.add(item)
        i, extra = item
        for req in parsed[i]:
            if not active(req, extra):
                continue
            targets = by_name.get(req.name)
            if not targets:
                owner = state.dists[i].component
                missing.add(
                    f"{owner.name} {owner.version} requires {req.text}"
                    + (f" (extra {extra!r})" if extra else "")
                    + f", which is not installed in {source}"
                )
                continue
            for t in targets:
                ti = index[id(t)]
                if ti != i:
                    edges[i].add(ti)
                for e in req.extras:
                    work.append((ti, e))
                work.append((ti, ""))
    state.notes.extend(sorted(missing))

    requested: dict[int, set[str]] = {}
    for i, extra in done:
        if extra:
            requested.setdefault(i, set()).add(extra)
    has_dependant = {t for targets in edges.values() for t in targets}
    # Direct: what the user asked for. Installers record it: ``REQUESTED`` (PEP 376, as
    # amended by PEP 627: https://packaging.python.org/en/latest/specifications/
    # recording-installed-packages/#the-requested-file) and ``direct_url.json`` (PEP 610,
    # written only for a direct URL requirement). What nothing requires is direct too:
    # not every installer writes ``REQUESTED``.
    top = {
        i
        for i, d in enumerate(state.dists)
        if i not in has_dependant
        or d.component.metadata.get("requested") == "true"
        or d.component.source != "installed"
    }
    # A cycle that nothing else requires (a <-> b) has no top-level member; its first
    # member by name becomes one, so that every component is reachable from a root.
    reached = _reach(top, edges)
    for i in sorted(range(len(state.dists)), key=lambda k: state.dists[k].component.key):
        if i not in reached:
            top.add(i)
            reached |= _reach({i}, edges)
    components: list[Component] = []
    roots: list[ComponentKey] = []
    edge_map: dict[ComponentKey, tuple[ComponentKey, ...]] = {}
    for i, d in enumerate(state.dists):
        direct = i in top
        c = d.component
        components.append(
            dataclasses.replace(c, direct=direct, extras=frozenset(requested.get(i, ())))
        )
        key = component_key(c.name, c.version)
        if direct and key not in roots:
            roots.append(key)
        if edges[i]:
            targets_keys = sorted(
                {
                    component_key(state.dists[t].component.name, state.dists[t].component.version)
                    for t in edges[i]
                }
            )
            edge_map[key] = tuple(sorted(set(edge_map.get(key, ())) | set(targets_keys)))
    components.sort(key=lambda c: (c.name, c.version or "", c.location.file if c.location else ""))
    return Inventory(
        source=source,
        format="environment",
        components=tuple(components),
        not_audited=tuple(state.not_audited),
        edges=edge_map,
        roots=tuple(sorted(roots)),
        notes=tuple(state.notes),
    )


_VER = r"[A-Za-z0-9.*+!_-]+"
_CLAUSE = rf"(?:~=|===|==|!=|<=|>=|<|>)\s*{_VER}"
_SPEC = rf"(?:{_CLAUSE}(?:\s*,\s*{_CLAUSE})*)?"
_SIMPLE_REQ = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>[A-Za-z0-9._,\s-]*)\])?\s*"
    rf"(?:\(\s*{_SPEC}\s*\)|{_SPEC})\s*$"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Req:
    """The parts of a ``Requires-Dist`` value the graph needs."""

    name: str
    """PEP 503 normalised name."""
    extras: tuple[str, ...]
    """Normalised extras requested of it."""
    marker: Marker | None
    """Its environment marker (shared between equal marker strings)."""
    text: str
    """The value as written."""


def _parse_requirement(line: str, markers: dict[str, Marker]) -> _Req:
    """A PEP 508 requirement. The common shape (name, extras, version clauses, marker)
    is split with a regular expression and equal markers are parsed once: parsing
    every value with ``packaging.requirements.Requirement`` costs more than the rest of
    reading an environment. Anything else (URLs, odd spacing) goes to ``packaging``."""
    from packaging.markers import Marker
    from packaging.requirements import Requirement

    head, sep, marker_text = line.partition(";")
    m = _SIMPLE_REQ.match(head) if "@" not in line else None
    if m is None:
        req = Requirement(line)
        return _Req(
            name=canonical_name(req.name),
            extras=tuple(sorted(canonical_name(e) for e in req.extras)),
            marker=req.marker,
            text=line,
        )
    marker: Marker | None = None
    marker_text = marker_text.strip()
    if sep:
        marker = markers.get(marker_text)
        if marker is None:
            marker = markers[marker_text] = Marker(marker_text)
    extras = m.group("extras")
    return _Req(
        name=canonical_name(m.group("name")),
        extras=tuple(sorted(canonical_name(e.strip()) for e in extras.split(",") if e.strip()))
        if extras
        else (),
        marker=marker,
        text=line,
    )


def _reach(start: set[int], edges: Mapping[int, set[int]]) -> set[int]:
    seen = set(start)
    stack = list(start)
    while stack:
        for nxt in edges[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
