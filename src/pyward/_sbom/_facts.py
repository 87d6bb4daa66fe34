"""What both SBOM writers say about an inventory: the document's subject, each
component's references and people, nested components, and the reproducible clock.

Kept apart from the writers so that CycloneDX and SPDX output say the same things.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pyward._inventory import _toml
from pyward._model import Component, ComponentKey, Hash, Inventory, canonical_name
from pyward._render._options import DEFAULT_ADVISORY_URL
from pyward._sbom._licenses import License, resolve
from pyward._sbom._people import EMAIL as _EMAIL
from pyward._sbom._people import PartyKind, parse_people, party_kind
from pyward._sbom._pep770 import EmbeddedSbom, read_embedded
from pyward.errors import InputError

#: PEP 753 well-known Project-URL labels (normalised: lower case, no punctuation or
#: space) -> CycloneDX external reference type.
#: https://packaging.python.org/en/latest/specifications/well-known-project-urls/
_LABELS: dict[str, str] = {
    "homepage": "website",
    "home": "website",
    "website": "website",
    "source": "vcs",
    "repository": "vcs",
    "sourcecode": "vcs",
    "github": "vcs",
    "gitlab": "vcs",
    "code": "vcs",
    "download": "distribution",
    "changelog": "release-notes",
    "changes": "release-notes",
    "whatsnew": "release-notes",
    "history": "release-notes",
    "releasenotes": "release-notes",
    "documentation": "documentation",
    "docs": "documentation",
    "issues": "issue-tracker",
    "bugs": "issue-tracker",
    "issue": "issue-tracker",
    "tracker": "issue-tracker",
    "issuetracker": "issue-tracker",
    "bugtracker": "issue-tracker",
    "bugreports": "issue-tracker",
    "funding": "other",
    "sponsor": "other",
    "donate": "other",
    "donation": "other",
    "chat": "chat",
    "discord": "chat",
    "gitter": "chat",
    "mailinglist": "mailing-list",
    "security": "security-contact",
    "securitypolicy": "security-contact",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """An external reference of a component."""

    type: str
    """CycloneDX external reference type (``website``, ``vcs``, ``documentation``...)."""
    url: str
    comment: str
    """Where it was read: ``Project-URL: Source``, ``Home-page``..."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """Everything the writers say about one component."""

    component: Component
    ref: str
    """Unique reference inside the document (CycloneDX ``bom-ref``)."""
    licenses: tuple[License, ...]
    references: tuple[Reference, ...]
    supplier: tuple[str, str | None] | None
    """(name, email) of the supplier (maintainer, else author), when known."""
    supplier_kind: PartyKind = "person"
    """Whether the supplier is a person or an organisation: as an input SBOM said, else
    from the name (:func:`~pyward._sbom._people.party_kind`)."""
    authors: tuple[tuple[str, str | None], ...]
    """(name, email) of each author."""
    embedded: tuple[EmbeddedSbom, ...] = ()
    """PEP 770 SBOMs shipped inside the distribution."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """The inventory, prepared for a writer."""

    subject: Facts
    """The root project (CycloneDX ``metadata.component``, SPDX ``DESCRIBES``)."""
    components: tuple[Facts, ...]
    """Every component, sorted by name, version and location."""
    dependencies: Mapping[str, tuple[str, ...]]
    """ref -> refs it depends on; the subject's entry lists the inventory's roots."""
    timestamp: datetime
    authors: tuple[tuple[str, str | None], ...]
    """Authors of the SBOM: the subject project's authors when known."""
    notes: tuple[str, ...] = ()
    by_key: Mapping[ComponentKey, str] = field(default_factory=dict)
    """Component key -> ref (first component of that key)."""


def timestamp(source_date_epoch: datetime | None = None) -> datetime:
    """``source_date_epoch`` (the CLI's ``$SOURCE_DATE_EPOCH``,
    https://reproducible-builds.org/specs/source-date-epoch/), else now."""
    if source_date_epoch is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    return source_date_epoch


def prepare(
    inventory: Inventory, target: Path | None, *, source_date_epoch: datetime | None = None
) -> Document:
    """Subject, facts, refs and edges of ``inventory`` (read from ``target``), dated
    ``source_date_epoch`` (default: now)."""
    notes: list[str] = []
    subject_component, subject_authors = _subject(inventory, target)
    subject_component = _clean_component(subject_component, notes)
    used: set[str] = set()
    facts: list[Facts] = []
    by_key: dict[ComponentKey, str] = {}
    subject_ref = _unique(f"root:{subject_component.purl or subject_component.name}", used)
    for c in sorted(
        inventory.components,
        key=lambda c: (c.name, c.version or "", c.location.file if c.location else ""),
    ):
        key = c.key
        c = _clean_component(c, notes)  # noqa: PLW2901
        ref = _unique(c.purl or f"pyward:{clean_text(key)}", used)
        by_key.setdefault(key, ref)
        embedded: tuple[EmbeddedSbom, ...] = ()
        sboms = c.metadata.get("sboms")
        dist_info = c.metadata.get("dist_info")
        if sboms and dist_info:
            found, more = read_embedded(Path(dist_info), sboms.splitlines())
            embedded = tuple(found)
            notes.extend(more)
        facts.append(_facts(c, ref, embedded, notes))
    deps: dict[str, tuple[str, ...]] = {}
    for key, targets in inventory.edges.items():
        src = by_key.get(key)
        if src is None:
            continue
        refs = sorted({by_key[t] for t in targets if t in by_key and by_key[t] != src})
        if refs:
            deps[src] = tuple(refs)
    deps[subject_ref] = tuple(sorted({by_key[k] for k in inventory.roots if k in by_key}))
    subject = _facts(subject_component, subject_ref, (), notes)
    authors = subject_authors or subject.authors
    return Document(
        subject=subject,
        components=tuple(facts),
        dependencies=deps,
        timestamp=timestamp(source_date_epoch),
        authors=authors,
        notes=tuple(notes),
        by_key=by_key,
    )


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` without the control characters XML 1.0 and SPDX tag-value cannot hold
    (each becomes U+FFFD, so the change is visible)."""
    return _XML_INVALID.sub("\ufffd", text)


def valid_purl(purl: str | None) -> str | None:
    """``purl`` when ``packageurl`` parses it, else ``None``."""
    if not purl:
        return None
    from packageurl import PackageURL

    try:
        PackageURL.from_string(purl)
    except ValueError:
        return None
    return purl if not _XML_INVALID.search(purl) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest:
    """A digest algorithm the writers can carry."""

    hex_digits: int
    """Length of a valid digest in hex digits."""
    cyclonedx: str | None
    """CycloneDX ``hashes[].alg`` (``None``: CycloneDX has no such algorithm)."""
    spdx: str
    """SPDX ``ChecksumAlgorithm`` member name."""


_BLAKE2B_512 = Digest(hex_digits=128, cyclonedx="BLAKE2b-512", spdx="BLAKE2B_512")

#: Each digest the writers can carry, by :class:`~pyward._model.Hash` algorithm
#: (lower case, ``_`` for ``-``). ``blake2b`` is hashlib's name of BLAKE2b-512, the
#: one the readers record.
DIGESTS: dict[str, Digest] = {
    "md5": Digest(hex_digits=32, cyclonedx="MD5", spdx="MD5"),
    "sha1": Digest(hex_digits=40, cyclonedx="SHA-1", spdx="SHA1"),
    "sha224": Digest(hex_digits=56, cyclonedx=None, spdx="SHA224"),
    "sha256": Digest(hex_digits=64, cyclonedx="SHA-256", spdx="SHA256"),
    "sha384": Digest(hex_digits=96, cyclonedx="SHA-384", spdx="SHA384"),
    "sha512": Digest(hex_digits=128, cyclonedx="SHA-512", spdx="SHA512"),
    "sha3_256": Digest(hex_digits=64, cyclonedx="SHA3-256", spdx="SHA3_256"),
    "sha3_384": Digest(hex_digits=96, cyclonedx="SHA3-384", spdx="SHA3_384"),
    "sha3_512": Digest(hex_digits=128, cyclonedx="SHA3-512", spdx="SHA3_512"),
    "blake2b_256": Digest(hex_digits=64, cyclonedx="BLAKE2b-256", spdx="BLAKE2B_256"),
    "blake2b_384": Digest(hex_digits=96, cyclonedx="BLAKE2b-384", spdx="BLAKE2B_384"),
    "blake2b_512": _BLAKE2B_512,
    "blake2b": _BLAKE2B_512,
    "blake3": Digest(hex_digits=64, cyclonedx="BLAKE3", spdx="BLAKE3"),
}
_HEX = re.compile(r"[0-9a-f]+")


def _clean_component(c: Component, notes: list[str]) -> Component:
    """What a reader recorded, made writable: text fields without control characters,
    a purl only when it parses (else noted and left out)."""
    hashes = []
    for h in c.hashes:
        algorithm = h.algorithm.lower().replace("-", "_")
        digest = DIGESTS.get(algorithm)
        if digest is None or len(h.value) != digest.hex_digits or not _HEX.fullmatch(h.value):
            notes.append(
                f"{c.key}: {h.algorithm} hash {h.value[:20]!r} is not a valid digest; left out"
            )
        else:  # the writers look the algorithm up in DIGESTS as it is
            hashes.append(
                h if h.algorithm == algorithm else Hash(algorithm=algorithm, value=h.value)
            )
    purl = valid_purl(c.purl) or ""
    if c.purl and not purl:
        notes.append(f"{c.key}: purl {c.purl!r} is not a valid purl; left out")

    def t(v: str | None) -> str | None:
        return clean_text(v) if v is not None else None

    return dataclasses.replace(
        c,
        name=clean_text(c.name),
        version=t(c.version),
        display_name=t(c.display_name),
        purl=purl,
        hashes=tuple(hashes),
        source_url=t(c.source_url),
        license_expression=t(c.license_expression),
        metadata={k: clean_text(v) for k, v in c.metadata.items()},
    )


def _unique(ref: str, used: set[str]) -> str:
    candidate = ref
    n = 2
    while candidate in used:
        candidate = f"{ref}#{n}"
        n += 1
    used.add(candidate)
    return candidate


def _facts(c: Component, ref: str, embedded: tuple[EmbeddedSbom, ...], notes: list[str]) -> Facts:
    meta = c.metadata
    authors = _people(meta.get("author"), meta.get("author_email"))
    supplier: tuple[str, str | None] | None = None
    if name := meta.get("supplier", "").strip():  # a blank name is no name (SPDX refuses it)
        email = meta.get("supplier_email")
        supplier = (name, email if email and _EMAIL.fullmatch(email) else None)
    else:
        people = _people(meta.get("maintainer"), meta.get("maintainer_email")) or authors
        supplier = people[0] if people else None
    said = meta.get("supplier_kind")
    kind: PartyKind = party_kind(supplier[0] if supplier else "")
    if said == "organization":
        kind = "organization"
    elif said == "person":
        kind = "person"
    return Facts(
        component=c,
        ref=ref,
        licenses=resolve(c),
        references=_references(c, notes),
        supplier=supplier,
        supplier_kind=kind,
        authors=authors,
        embedded=embedded,
    )


def _people(names: str | None, emails: str | None) -> tuple[tuple[str, str | None], ...]:
    """(name, email) pairs from core metadata's ``Author`` and ``Author-email``
    (``Name <address>, ...``); a name listed in both is given once."""
    people = list(parse_people(emails or ""))
    if names and names.strip():
        known = {p[0] for p in people}
        plain = [n.strip() for n in re.split(r",|\band\b", names) if n.strip()]
        missing = [n for n in plain if n not in known]
        if len(people) == 1 and people[0][0] == people[0][1] and len(plain) == 1:
            people = [(plain[0], people[0][1])]  # ``Author: Jane`` + ``Author-email: j@x``
        elif missing == plain:
            people.insert(0, (names.strip(), None))
        else:
            people.extend((n, None) for n in missing)
    return tuple(people)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def clean_url(url: str) -> str | None:
    """``url`` as an absolute RFC 3986 URI, or ``None`` when it is not an absolute URL.

    Characters a URI cannot hold (spaces, a second ``#``, non-ASCII, a lone ``%``)
    are percent-encoded rather than the reference dropped: metadata has such URLs
    (aiohttp's ``https://matrix.to/#/#aio-libs:matrix.org``) and CycloneDX validates
    ``url`` as an IRI reference.
    """
    url = url.strip()
    if not _SCHEME.match(url):
        return None
    scheme, _, rest = url.partition(":")
    rest = _BAD_PERCENT.sub("%25", rest)
    authority = ""
    if rest.startswith("//"):
        end = min((i for i in (rest.find(ch, 2) for ch in "/?#") if i >= 0), default=len(rest))
        authority, rest = rest[:end], rest[end:]
    head, sep, fragment = rest.partition("#")
    safe = "/?:@!$&'()*+,;=%~"
    return (
        scheme
        + ":"
        + quote(authority, safe=safe + "[]")
        + quote(head, safe=safe)
        + (sep + quote(fragment, safe=safe) if sep else "")
    )


def _references(c: Component, notes: list[str]) -> tuple[Reference, ...]:
    meta = c.metadata
    found: list[Reference] = []
    if meta.get("home_page"):
        found.append(Reference(type="website", url=meta["home_page"], comment="Home-page"))
    if meta.get("download_url"):
        found.append(
            Reference(type="distribution", url=meta["download_url"], comment="Download-URL")
        )
    for line in meta.get("project_urls", "").splitlines():
        label, sep, url = line.partition(",")
        if not sep or not url.strip():
            continue
        kind = _LABELS.get(re.sub(r"[^a-z]", "", label.lower()), "other")
        found.append(Reference(type=kind, url=url.strip(), comment=f"Project-URL: {label.strip()}"))
    if c.source_url:
        kind = "vcs" if c.source == "git" else "distribution"
        found.append(Reference(type=kind, url=c.source_url, comment=f"installed from ({c.source})"))
    seen: set[tuple[str, str]] = set()
    unique: list[Reference] = []
    for r in found:
        cleaned = clean_url(r.url)
        if cleaned is None:
            notes.append(f"{c.key}: {r.comment}: {r.url!r} is not an absolute URL; left out")
            continue
        if (r.type, cleaned) not in seen:
            seen.add((r.type, cleaned))
            unique.append(Reference(type=r.type, url=cleaned, comment=r.comment))
    return tuple(unique)


def _subject(
    inventory: Inventory, target: Path | None
) -> tuple[Component, tuple[tuple[str, str | None], ...]]:
    """The root project: the inventory's, else the target's ``pyproject.toml``
    ``[project]``, else a synthetic one named after the target."""
    pyproject = _pyproject_for(target)
    table: dict[str, Any] = {}
    if pyproject is not None:
        table = _project_table(pyproject)
    authors = _toml_people(pyproject, table.get("authors"), "project.authors") if table else ()
    if inventory.project is not None:
        project = inventory.project
        if table and canonical_name(str(table.get("name", ""))) == project.name:
            project = _with_pyproject(project, table, pyproject)
        return project, authors
    if table.get("name"):
        name = str(table["name"])
        version = table.get("version")
        base = Component(
            name=canonical_name(name),
            version=str(version) if isinstance(version, str) else None,
            display_name=name if canonical_name(name) != name else None,
            source="virtual",
        )
        return _with_pyproject(base, table, pyproject), authors
    return Component(name=_synthetic_name(inventory, target), version=None, source="virtual"), ()


def _synthetic_name(inventory: Inventory, target: Path | None) -> str:
    path = Path(target) if target is not None else Path(inventory.source or sys.prefix)
    path = path.resolve() if path.exists() else path
    if path.is_file():
        path = path.parent
        if inventory.format == "environment" and path.name.lower() in ("bin", "scripts"):
            path = path.parent  # ``--python PREFIX/bin/python``: the environment's name
    return path.name or "environment"


def _pyproject_for(target: Path | None) -> Path | None:
    if target is None:
        return None
    target = Path(target)
    if target.is_dir():
        candidate = target / "pyproject.toml"
    elif target.name == "pyproject.toml":
        candidate = target
    else:
        candidate = target.parent / "pyproject.toml"
    return candidate if candidate.is_file() else None


def _project_table(path: Path) -> dict[str, Any]:
    project = _toml.load(path).get("project")
    if project is None:
        return {}
    if not isinstance(project, dict):
        raise InputError(path, "expected a table", where="project")
    return project


def _toml_people(
    path: Path | None, value: object, where: str
) -> tuple[tuple[str, str | None], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(path, "expected an array of tables", where=where)
    people: list[tuple[str, str | None]] = []
    for i, person in enumerate(value):
        if not isinstance(person, dict):
            raise InputError(path, "expected a table", where=f"{where}[{i}]")
        name, email = person.get("name"), person.get("email")
        if isinstance(name, str) or isinstance(email, str):
            people.append((str(name or email), str(email) if isinstance(email, str) else None))
    return tuple(people)


def _with_pyproject(c: Component, table: Mapping[str, Any], path: Path | None) -> Component:
    meta = dict(c.metadata)
    if isinstance(table.get("description"), str):
        meta.setdefault("summary", table["description"])
    license_expression = c.license_expression
    lic = table.get("license")
    if isinstance(lic, str):
        license_expression = license_expression or lic
    elif isinstance(lic, dict) and isinstance(lic.get("text"), str):
        meta.setdefault("license", lic["text"])
    urls = table.get("urls")
    if isinstance(urls, dict):
        lines = [f"{k}, {v}" for k, v in urls.items() if isinstance(v, str)]
        if lines:
            meta.setdefault("project_urls", "\n".join(lines))
    classifiers = table.get("classifiers")
    if isinstance(classifiers, list):
        meta.setdefault("classifiers", "\n".join(str(x) for x in classifiers))
    for role in ("authors", "maintainers"):
        people = _toml_people(path, table.get(role), f"project.{role}")
        if people:
            key = "author" if role == "authors" else "maintainer"
            plain = ", ".join(n for n, e in people if not e)
            emails = ", ".join(f"{n} <{e}>" for n, e in people if e)
            if plain:
                meta.setdefault(key, plain)
            if emails:
                meta.setdefault(f"{key}_email", emails)
    return dataclasses.replace(c, metadata=meta, license_expression=license_expression)


def osv_page(advisory_id: str) -> str:
    """OSV's page of an advisory, the id percent-encoded: an id from a mirror may hold
    anything, and the SBOM writers need a valid URI."""
    return DEFAULT_ADVISORY_URL.replace(
        "{id}", quote(advisory_id, safe="", errors="surrogateescape")
    )
