"""The ``artifacts`` category of ``pyward release-check --dist DIR``: every sdist
(``.tar.gz``) and wheel (``.whl``) in ``DIR``, read in place.

Nothing is extracted: members are listed, and read only to hash them (wheel ``RECORD``),
to parse the core metadata (``METADATA`` / ``PKG-INFO``, with
:func:`packaging.metadata.parse_email`) and to tell a private key from a certificate.
Member counts and the bytes read are capped, so a decompression bomb is "not checked",
never a hang. A member name that would write outside the install directory (absolute,
``..``) is a finding of its own. An archive that cannot be read is reported as not
checked: :func:`scan` yields the other artifacts' hits, then raises one
:class:`~pyward.errors.InputError` that names it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from pyward._release._model import Hit, Repo, Rule
from pyward.errors import InputError

__all__ = ["MAX_BYTES", "MAX_MEMBERS", "RULES", "scan"]

#: Members an archive may have before it is not checked.
MAX_MEMBERS = 100_000
#: Bytes of member content one archive may make pyward read (hashing a wheel's files),
#: before it is not checked: a decompression bomb stops here.
MAX_BYTES = 2 * 1024**3
_METADATA_CAP = 4 * 1024**2
_KEY_CAP = 64 * 1024

RULES: tuple[Rule, ...] = (
    Rule(
        id="secret-file-in-artifact",
        category="artifacts",
        severity="high",
        title="no credentials or private files ship in an sdist or wheel",
        rationale=(
            "Everything in an uploaded distribution is public forever (deleting a release "
            "does not remove mirrors' copies). An .env, .pypirc, .netrc, private key or "
            "credentials file in an sdist leaks the secret; a .git/ directory leaks the "
            "history, branches and sometimes tokens in .git/config."
        ),
        fix=(
            "Rotate the leaked secret first. Then keep the file out of the build: build "
            "from a clean checkout in CI, and exclude it explicitly (hatch: "
            '[tool.hatch.build.targets.sdist] exclude = [".env"]; setuptools: '
            "'prune'/'exclude' in MANIFEST.in)."
        ),
    ),
    Rule(
        id="unsafe-path-in-artifact",
        category="artifacts",
        severity="high",
        title="archive member names stay inside the archive (no absolute paths, no '..')",
        rationale=(
            "A member named /etc/x or ../x, or a link pointing outside the archive, writes "
            "outside the target directory when a tool unpacks the archive without "
            "filtering names (path traversal, CVE-2007-4559). No build backend writes "
            "such names: the artifact was tampered with or built by a broken tool."
        ),
        fix="Rebuild the artifact with your build backend from a clean checkout and compare.",
    ),
    Rule(
        id="metadata-mismatch",
        category="artifacts",
        severity="medium",
        title="the sdist and wheels of one version carry the same core metadata",
        rationale=(
            "Installers resolve with the metadata of the file they pick: when the wheels "
            "and the sdist of one version disagree on name, version, Requires-Dist or "
            "Requires-Python, users get different dependencies depending on their "
            "platform, and lock files computed from one file are wrong for another."
        ),
        fix=(
            "Build every artifact of a release from the same commit and configuration in "
            "one workflow (e.g. python -m build, or cibuildwheel plus build --sdist), and "
            "declare dependencies statically in [project]."
        ),
    ),
    Rule(
        id="wheel-record-invalid",
        category="artifacts",
        severity="medium",
        title="a wheel's RECORD lists every file with its right hash and size",
        rationale=(
            "The binary distribution format requires RECORD to list every file of the "
            "wheel with a sha256 (or stronger) hash and its size. A file missing from "
            "RECORD, or one whose hash does not match, was added or changed after the "
            "build, and cannot be uninstalled cleanly."
        ),
        fix=(
            "Never edit a wheel after building it; rebuild it (python -m build --wheel). "
            "Tools that must change a wheel (auditwheel, delocate) rewrite RECORD."
        ),
    ),
    Rule(
        id="not-reproducible",
        category="artifacts",
        severity="low",
        title="artifacts are built reproducibly (constant timestamps, SOURCE_DATE_EPOCH)",
        rationale=(
            "A reproducible build lets anyone rebuild a release from its tag and compare "
            "it byte for byte with the uploaded file, the strongest check that the release "
            "holds the reviewed code. Member timestamps taken from the build machine's "
            "clock make every build differ. This is a hint, not proof either way."
        ),
        fix=(
            "Set SOURCE_DATE_EPOCH to the release commit's time when building: "
            'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" python -m build.'
        ),
    ),
)

#: Names (any path component, lower-cased) that never belong in a distribution.
_SECRET_NAMES = {
    ".pypirc": "package index credentials",
    ".netrc": "netrc credentials",
    "_netrc": "netrc credentials",
    ".git-credentials": "git credentials",
    ".npmrc": "npm credentials",
    ".htpasswd": "password hashes",
    "credentials.json": "a credentials file",
    "client_secret.json": "an OAuth client secret",
    "secrets.toml": "a secrets file",
    "id_rsa": "an SSH private key",
    "id_dsa": "an SSH private key",
    "id_ecdsa": "an SSH private key",
    "id_ed25519": "an SSH private key",
}
#: ``.env`` and its variants (``.env.production``), but not the templates people commit.
_ENV = re.compile(r"^\.env(\.(?!example$|sample$|template$|dist$)[\w.-]+)?$", re.I)
_KEYSTORE = re.compile(r"\.(p12|pfx|jks|keystore)$", re.I)
_MAYBE_KEY = re.compile(r"\.(pem|key)$", re.I)
_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")


class _Unreadable(Exception):
    """An archive that cannot be checked (corrupt, or past a cap): the reason."""


@dataclass(slots=True)
class _Artifact:
    """What one archive says, for the checks across artifacts."""

    display: str
    kind: str
    version: str
    name: str
    metadata: dict[str, str] = field(default_factory=dict)
    dynamic: set[str] = field(default_factory=set)


def _display(repo: Repo, path: Path) -> str:
    """``path`` relative to the repository root when inside it, else as given."""
    try:
        return path.resolve().relative_to(repo.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _unsafe(name: str) -> str | None:
    """Why a member name (or link target) escapes the archive, or ``None``."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "a '..' component"
    return None


def _secret(name: str) -> tuple[str, str] | None:
    """(the offending part of ``name``, what it is) when a name never belongs in a
    distribution; private keys by extension are decided on content by the caller."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    for index, part in enumerate(parts):
        lowered = part.lower()
        if lowered == ".git" and index < len(parts) - 1:
            return "/".join(parts[: index + 1]) + "/", "a git repository"
        if lowered in _SECRET_NAMES:
            return name, _SECRET_NAMES[lowered]
        if index == len(parts) - 1 and _ENV.match(part):
            return name, "an environment file"
        if index == len(parts) - 1 and _KEYSTORE.search(part):
            return name, "a key store"
    return None


class _Reader:
    """One archive's members: names, link targets, timestamps, capped reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read = 0

    def charge(self, size: int) -> None:
        self.read += size
        if self.read > MAX_BYTES:
            raise _Unreadable(f"more than {MAX_BYTES} bytes of content (not read further)")


def _read_capped(stream: IO[bytes], cap: int, reader: _Reader) -> bytes:
    data = stream.read(cap + 1)
    reader.charge(len(data))
    if len(data) > cap:
        raise _Unreadable(f"a metadata member larger than {cap} bytes")
    return bytes(data)


def _check_names(display: str, names: list[str]) -> Iterator[Hit]:
    """The hits every archive kind shares: unsafe names and secret files."""
    reported: set[str] = set()
    for name in names:
        why = _unsafe(name)
        if why is not None:
            yield Hit(
                rule="unsafe-path-in-artifact",
                message=f"{display} has a member named {name!r}: {why}",
                file=display,
                subject=name,
            )
        secret = _secret(name)
        if secret is not None and secret[0] not in reported:
            reported.add(secret[0])
            yield Hit(
                rule="secret-file-in-artifact",
                message=f"{display} contains {secret[0]} ({secret[1]})",
                file=display,
                subject=secret[0],
            )


def _key_hit(display: str, name: str, head: bytes) -> Hit | None:
    if _PRIVATE_KEY.search(head):
        return Hit(
            rule="secret-file-in-artifact",
            message=f"{display} contains {name} (a private key)",
            file=display,
            subject=name,
        )
    return None


def _digest(reader: _Reader, stream: IO[bytes], algorithm: str) -> tuple[str, int]:
    hasher = hashlib.new(algorithm)
    size = 0
    while chunk := stream.read(1024 * 1024):
        reader.charge(len(chunk))
        size += len(chunk)
        hasher.update(chunk)
    return base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode("ascii"), size


#: Hash algorithms the wheel format allows in RECORD (sha256 or stronger; never md5 or
#: sha1): https://packaging.python.org/en/latest/specifications/recording-installed-packages/
_RECORD_HASHES = {"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512", "blake2b"}


def _scan_wheel(path: Path, display: str, artifact: _Artifact) -> Iterator[Hit]:
    reader = _Reader(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _Unreadable(f"not a zip archive: {exc}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _Unreadable(f"more than {MAX_MEMBERS} members")
        names = [info.filename for info in infos]
        yield from _check_names(display, names)
        dist_info = f"{artifact.name}-{artifact.version}.dist-info/"
        candidates = sorted(
            {n.split("/")[0] + "/" for n in names if n.split("/")[0].endswith(".dist-info")}
        )
        if dist_info not in candidates:
            if len(candidates) != 1:
                raise _Unreadable(f"no single .dist-info directory (found {len(candidates)})")
            dist_info = candidates[0]
        try:
            for info in infos:
                if _MAYBE_KEY.search(info.filename) and not info.is_dir():
                    with archive.open(info) as stream:
                        hit = _key_hit(display, info.filename, stream.read(_KEY_CAP))
                        reader.charge(_KEY_CAP)
                    if hit is not None:
                        yield hit
            if f"{dist_info}METADATA" not in names:
                raise _Unreadable(f"no {dist_info}METADATA")
            with archive.open(f"{dist_info}METADATA") as stream:
                _read_metadata(artifact, _read_capped(stream, _METADATA_CAP, reader))
            yield from _check_record(archive, infos, dist_info, display, reader)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise _Unreadable(f"corrupt zip archive: {exc}") from None
        stamps = {info.date_time for info in infos if not info.is_dir()}
        if len(stamps) > 1:
            newest = "-".join(f"{v:02d}" for v in max(stamps)[:3])
            yield Hit(
                rule="not-reproducible",
                message=(
                    f"{display}: {len(stamps)} different member timestamps (newest {newest}); "
                    "a reproducible build gives every member the same one"
                ),
                file=display,
                severity="low",
            )


def _check_record(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    dist_info: str,
    display: str,
    reader: _Reader,
) -> Iterator[Hit]:
    record_name = f"{dist_info}RECORD"
    try:
        raw = archive.read(record_name)
    except KeyError:
        yield Hit(
            rule="wheel-record-invalid",
            message=f"{display} has no {record_name}",
            file=display,
            subject="missing-record",
        )
        return
    reader.charge(len(raw))
    entries: dict[str, tuple[str, str]] = {}
    problems: dict[str, list[str]] = {}
    try:
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        yield Hit(
            rule="wheel-record-invalid",
            message=f"{display}: {record_name} is not a UTF-8 CSV file ({exc})",
            file=display,
            subject="unreadable",
        )
        return
    for row in rows:
        if not row:
            continue
        name = row[0]
        entries[name] = (row[1] if len(row) > 1 else "", row[2] if len(row) > 2 else "")
    seen: set[str] = set()
    unsigned = {record_name, f"{dist_info}RECORD.jws", f"{dist_info}RECORD.p7s"}
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        if name in seen:
            problems.setdefault("duplicate", []).append(name)
            continue
        seen.add(name)
        if name in unsigned:
            continue
        if name not in entries:
            problems.setdefault("unlisted", []).append(name)
            continue
        hash_text, size_text = entries[name]
        algorithm, _, expected = hash_text.partition("=")
        if algorithm not in _RECORD_HASHES or not expected:
            problems.setdefault("weak-or-no-hash", []).append(name)
            continue
        with archive.open(info) as stream:
            actual, size = _digest(reader, stream, algorithm)
        if actual != expected:
            problems.setdefault("hash", []).append(name)
        elif size_text and size_text != str(size):
            problems.setdefault("size", []).append(name)
    for name in entries:
        if name not in seen and not name.endswith("/"):
            problems.setdefault("missing", []).append(name)
    words = {
        "duplicate": "appear twice in the archive",
        "unlisted": "are not listed in RECORD",
        "weak-or-no-hash": "have no sha256 (or stronger) hash in RECORD",
        "hash": "do not match their RECORD hash",
        "size": "do not match their RECORD size",
        "missing": "are listed in RECORD but not in the wheel",
    }
    for kind, names in problems.items():
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        yield Hit(
            rule="wheel-record-invalid",
            message=f"{display}: {len(names)} file(s) {words[kind]}: {shown}",
            file=display,
            subject=kind,
        )


def _scan_sdist(path: Path, display: str, artifact: _Artifact) -> Iterator[Hit]:
    reader = _Reader(path)
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _Unreadable(f"not a gzip-compressed tar archive: {exc}") from None
    try:
        members: list[tarfile.TarInfo] = []
        while True:
            member = archive.next()
            if member is None:
                break
            members.append(member)
            if len(members) > MAX_MEMBERS:
                raise _Unreadable(f"more than {MAX_MEMBERS} members")
        names = [m.name for m in members]
        yield from _check_names(display, names)
        for member in members:
            if (member.issym() or member.islnk()) and _unsafe_link(member):
                yield Hit(
                    rule="unsafe-path-in-artifact",
                    message=(
                        f"{display}: {member.name!r} links to {member.linkname!r}, "
                        "outside the archive"
                    ),
                    file=display,
                    subject=member.name,
                )
            elif (
                not member.isfile()
                and not member.isdir()
                and not member.issym()
                and not member.islnk()
            ):
                yield Hit(
                    rule="unsafe-path-in-artifact",
                    message=f"{display}: {member.name!r} is a device, FIFO or other special file",
                    file=display,
                    subject=member.name,
                )
        for member in members:
            if member.isfile() and _MAYBE_KEY.search(member.name):
                stream = archive.extractfile(member)
                if stream is not None:
                    with stream:
                        hit = _key_hit(display, member.name, stream.read(_KEY_CAP))
                        reader.charge(_KEY_CAP)
                    if hit is not None:
                        yield hit
        pkg_info = next(
            (
                m
                for m in members
                if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
            ),
            None,
        )
        if pkg_info is None:
            raise _Unreadable("no PKG-INFO in its top-level directory (metadata not compared)")
        stream = archive.extractfile(pkg_info)
        if stream is None:  # pragma: no cover - isfile() members always have a stream
            raise _Unreadable("PKG-INFO cannot be read")
        with stream:
            _read_metadata(artifact, _read_capped(stream, _METADATA_CAP, reader))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise _Unreadable(f"corrupt tar archive: {exc}") from None
    finally:
        archive.close()
    mtimes = {int(m.mtime) for m in members if m.isfile()}
    if len(mtimes) > 1:
        yield Hit(
            rule="not-reproducible",
            message=(
                f"{display}: {len(mtimes)} different member mtimes; a build with "
                "SOURCE_DATE_EPOCH clamps them to one"
            ),
            file=display,
            severity="low",
        )


def _unsafe_link(member: tarfile.TarInfo) -> bool:
    target = member.linkname
    if _unsafe(target) == "an absolute path":
        return True
    # A relative symlink resolves against the link's directory; a hard link's target
    # is a member name.
    base = PurePosixPath(member.name).parent if member.issym() else PurePosixPath()
    depth = 0
    for part in (*base.parts, *PurePosixPath(target).parts):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in {".", ""}:
            depth += 1
    return False


#: The fields compared across the artifacts of one version.
_COMPARED = ("name", "version", "requires_dist", "requires_python")
_HEADERS = {
    "name": "Name",
    "version": "Version",
    "requires_dist": "Requires-Dist",
    "requires_python": "Requires-Python",
}


def _read_metadata(artifact: _Artifact, data: bytes) -> None:
    """The compared fields of a ``METADATA`` / ``PKG-INFO``, normalised (canonical
    name, normalised version, requirements and specifiers as packaging writes them)."""
    from packaging.metadata import parse_email
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    raw, _unparsed = parse_email(data)
    artifact.dynamic = {d.lower() for d in raw.get("dynamic", [])}
    if "name" in raw:
        artifact.metadata["name"] = canonicalize_name(raw["name"])
    if "version" in raw:
        try:
            artifact.metadata["version"] = str(Version(raw["version"]))
        except InvalidVersion:
            artifact.metadata["version"] = raw["version"]
    requirements = []
    for text in raw.get("requires_dist", []):
        try:
            requirements.append(str(Requirement(text)))
        except InvalidRequirement:
            requirements.append(text.strip())
    artifact.metadata["requires_dist"] = "; ".join(sorted(requirements)) or "(none)"
    python = raw.get("requires_python")
    try:
        artifact.metadata["requires_python"] = str(SpecifierSet(python)) if python else "(none)"
    except InvalidSpecifier:
        artifact.metadata["requires_python"] = python or "(none)"


def _artifact(path: Path, display: str) -> _Artifact | None:
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if path.name.endswith(".whl"):
            name, version, _build, _tags = parse_wheel_filename(path.name)
            return _Artifact(display, "wheel", str(version), name.replace("-", "_"))
        name, version = parse_sdist_filename(path.name)
        return _Artifact(display, "sdist", str(version), name)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _mismatches(artifacts: list[_Artifact]) -> Iterator[Hit]:
    """Per version, each artifact whose compared fields differ from the reference (the
    sdist when there is one, else the first wheel by name); the file name's name and
    version must agree with the metadata too."""
    from packaging.utils import canonicalize_name

    for artifact in artifacts:
        for key, from_name in (
            ("name", canonicalize_name(artifact.name)),
            ("version", artifact.version),
        ):
            written = artifact.metadata.get(key)
            if written is not None and written != from_name:
                yield Hit(
                    rule="metadata-mismatch",
                    message=(
                        f"{artifact.display}: file name says {key} {from_name}, "
                        f"its metadata {written}"
                    ),
                    file=artifact.display,
                    subject=key,
                )
    groups: dict[str, list[_Artifact]] = {}
    for artifact in artifacts:
        groups.setdefault(artifact.version, []).append(artifact)
    for group in groups.values():
        group.sort(key=lambda a: (a.kind != "sdist", a.display))
        reference = group[0]
        for other in group[1:]:
            for key in _COMPARED:
                header = _HEADERS[key].lower()
                if header in reference.dynamic or header in other.dynamic:
                    continue  # an sdist may leave it to the wheel build (metadata 2.2)
                ours, theirs = reference.metadata.get(key), other.metadata.get(key)
                if ours != theirs:
                    yield Hit(
                        rule="metadata-mismatch",
                        message=(
                            f"{_HEADERS[key]} differs: {reference.display} has {ours or '(none)'}, "
                            f"{other.display} has {theirs or '(none)'}"
                        ),
                        file=other.display,
                        subject=_HEADERS[key],
                    )


def scan(repo: Repo) -> Iterator[Hit]:
    """Every artifact hit of ``repo.dist`` (nothing when ``--dist`` was not given).
    Raises :class:`~pyward.errors.InputError` when the directory cannot be listed or
    holds no artifact, and after the hits when an archive could not be checked."""
    if repo.dist is None:
        return
    dist = repo.dist
    shown = _display(repo, dist)
    try:
        paths = sorted(
            p for p in dist.iterdir() if p.name.endswith((".whl", ".tar.gz")) and p.is_file()
        )
    except OSError as exc:
        raise InputError(shown, f"cannot list the artifacts: {exc.strerror or exc}") from None
    if not paths:
        raise InputError(shown, "no sdist (.tar.gz) or wheel (.whl) to check")
    unchecked: list[str] = []
    artifacts: list[_Artifact] = []
    for path in paths:
        display = _display(repo, path)
        artifact = _artifact(path, display)
        if artifact is None:
            unchecked.append(f"{display}: not a wheel or sdist file name")
            continue
        scanner = _scan_wheel if artifact.kind == "wheel" else _scan_sdist
        try:
            # What was found before an archive turned out unreadable is still reported.
            yield from scanner(path, display, artifact)
        except _Unreadable as exc:
            unchecked.append(f"{display}: {exc}")
            continue
        artifacts.append(artifact)
    yield from _mismatches(artifacts)
    if unchecked:
        raise InputError(shown, f"not checked: {'; '.join(unchecked)}")
