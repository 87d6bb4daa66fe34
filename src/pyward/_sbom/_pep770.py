"""SBOMs embedded in installed distributions (PEP 770: ``*.dist-info/sboms/``).

https://peps.python.org/pep-0770/ lets a wheel ship SBOM documents for what it bundles
that Python metadata cannot describe (e.g. the Rust crates compiled into a PyO3
extension). Their components are merged as nested components of the distribution.

The documents are read as JSON rather than with ``cyclonedx-python-lib``'s
deserialiser: that one accepts only the exact shape of the library's own schema
version and rejects real-world documents of other spec versions (1.4/1.5 from
``cargo-cyclonedx``), while every field used here has the same shape in 1.2-1.6.
SPDX 2.x JSON documents are read the same way (packages, checksums, purls, licences,
``DEPENDS_ON``/``CONTAINS`` relationships).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyward._files import read_capped
from pyward._sbom._people import parse_people

__all__ = ["Embedded", "EmbeddedSbom", "read_embedded"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Embedded:
    """One component declared by an embedded SBOM."""

    ref: str
    """Its ``bom-ref`` (CycloneDX) or ``SPDXID`` (SPDX) inside the embedded document."""
    type: str
    """CycloneDX component type (``library``, ``application``...)."""
    name: str
    version: str | None = None
    purl: str | None = None
    description: str | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    """(CycloneDX algorithm name such as ``SHA-256``, lower-case hex digest)."""
    license_expressions: tuple[str, ...] = ()
    """SPDX expressions or ids as the document gives them (validated by the writer)."""
    license_names: tuple[str, ...] = ()
    """Named (non-SPDX) licences as the document gives them."""
    supplier: str | None = None
    authors: tuple[tuple[str, str | None], ...] = ()
    """(name, email) pairs."""
    external_references: tuple[tuple[str, str], ...] = ()
    """(CycloneDX external reference type, URL)."""
    children: tuple[Embedded, ...] = ()
    """Components nested inside this one in the embedded document."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddedSbom:
    """One embedded SBOM document."""

    file: str
    """Path relative to the ``.dist-info`` directory (``sboms/uv.cyclonedx.json``)."""
    subject: str | None
    """Ref of the document's own subject (the distribution itself, seen from inside)."""
    components: tuple[Embedded, ...]
    dependencies: tuple[tuple[str, tuple[str, ...]], ...]
    """(ref, refs it depends on), refs inside the embedded document."""


class EmbeddedSbomError(ValueError):
    """An embedded SBOM that cannot be read; the message names the key path."""


def read_embedded(dist_info: Path, files: list[str]) -> tuple[list[EmbeddedSbom], list[str]]:
    """Every readable embedded SBOM of a distribution, and a note per unreadable one."""
    found: list[EmbeddedSbom] = []
    notes: list[str] = []
    for rel in files:
        path = dist_info / rel
        try:
            data = json.loads(read_capped(path))
        except (OSError, ValueError) as exc:
            notes.append(f"{path}: embedded SBOM unreadable ({exc}); not merged")
            continue
        try:
            if isinstance(data, dict) and data.get("bomFormat") == "CycloneDX":
                found.append(_cyclonedx(rel, data))
            elif isinstance(data, dict) and str(data.get("spdxVersion", "")).startswith("SPDX-2"):
                found.append(_spdx(rel, data))
            else:
                notes.append(f"{path}: not a CycloneDX or SPDX 2 JSON document; not merged")
        except EmbeddedSbomError as exc:
            notes.append(f"{path}: {exc}; not merged")
    return found, notes


def _str(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return _CONTROL.sub("\ufffd", value.strip())
    return None


#: Characters XML 1.0 and SPDX tag-value cannot hold.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise EmbeddedSbomError(f"{where}{key}: expected an array")
    return value


def _cyclonedx(rel: str, data: dict[str, Any]) -> EmbeddedSbom:
    meta = data.get("metadata") or {}
    subject = _str(meta.get("component", {}).get("bom-ref")) if isinstance(meta, dict) else None
    components = tuple(
        _cdx_component(c, f"components[{i}].") for i, c in enumerate(_list(data, "components", ""))
    )
    deps: list[tuple[str, tuple[str, ...]]] = []
    for i, dep in enumerate(_list(data, "dependencies", "")):
        if not isinstance(dep, dict) or not _str(dep.get("ref")):
            raise EmbeddedSbomError(f"dependencies[{i}].ref: missing")
        on = tuple(
            str(r) for r in _list(dep, "dependsOn", f"dependencies[{i}].") if isinstance(r, str)
        )
        deps.append((str(dep["ref"]), on))
    return EmbeddedSbom(file=rel, subject=subject, components=components, dependencies=tuple(deps))


def _cdx_component(c: object, where: str) -> Embedded:
    if not isinstance(c, dict):
        raise EmbeddedSbomError(f"{where.rstrip('.')}: expected an object")
    name = _str(c.get("name"))
    if name is None:
        raise EmbeddedSbomError(f"{where}name: missing")
    exprs: list[str] = []
    names: list[str] = []
    for lic in _list(c, "licenses", where):
        if not isinstance(lic, dict):
            continue
        if _str(lic.get("expression")):
            exprs.append(lic["expression"].strip())
        inner = lic.get("license")
        if isinstance(inner, dict):
            if _str(inner.get("id")):
                exprs.append(inner["id"].strip())
            elif _str(inner.get("name")):
                names.append(inner["name"].strip())
    authors: list[tuple[str, str | None]] = []
    for a in _list(c, "authors", where):
        if isinstance(a, dict) and (_str(a.get("name")) or _str(a.get("email"))):
            email = _str(a.get("email"))
            authors.extend(
                parse_people(f"{_str(a.get('name')) or ''} <{email}>" if email else str(a["name"]))
            )
    legacy = _str(c.get("author"))  # CycloneDX <= 1.5: one free-text string
    if legacy and not authors:
        authors = list(parse_people(legacy))
    supplier = c.get("supplier")
    refs = [
        (str(r["type"]), str(r["url"]))
        for r in _list(c, "externalReferences", where)
        if isinstance(r, dict) and _str(r.get("type")) and _str(r.get("url"))
    ]
    hashes = [
        (str(h["alg"]), str(h["content"]).lower())
        for h in _list(c, "hashes", where)
        if isinstance(h, dict) and _str(h.get("alg")) and _str(h.get("content"))
    ]
    children = tuple(
        _cdx_component(sub, f"{where}components[{i}].")
        for i, sub in enumerate(_list(c, "components", where))
    )
    return Embedded(
        ref=_str(c.get("bom-ref")) or f"{name}@{c.get('version', '')}",
        type=_str(c.get("type")) or "library",
        name=name,
        version=_str(c.get("version")),
        purl=_str(c.get("purl")),
        description=_str(c.get("description")),
        hashes=tuple(hashes),
        license_expressions=tuple(exprs),
        license_names=tuple(names),
        supplier=_str(supplier.get("name")) if isinstance(supplier, dict) else None,
        authors=tuple(authors),
        external_references=tuple(refs),
        children=children,
    )


_SPDX_ALGS = {
    "SHA1": "SHA-1",
    "SHA256": "SHA-256",
    "SHA384": "SHA-384",
    "SHA512": "SHA-512",
    "MD5": "MD5",
}
_SPDX_NONE = {"NOASSERTION", "NONE"}


def _spdx(rel: str, data: dict[str, Any]) -> EmbeddedSbom:
    packages: dict[str, Embedded] = {}
    for i, p in enumerate(_list(data, "packages", "")):
        where = f"packages[{i}]."
        if not isinstance(p, dict):
            raise EmbeddedSbomError(f"packages[{i}]: expected an object")
        ref = _str(p.get("SPDXID"))
        name = _str(p.get("name"))
        if ref is None or name is None:
            raise EmbeddedSbomError(f"{where}{'SPDXID' if ref is None else 'name'}: missing")
        purl = next(
            (
                str(r["referenceLocator"])
                for r in _list(p, "externalRefs", where)
                if isinstance(r, dict)
                and r.get("referenceType") == "purl"
                and _str(r.get("referenceLocator"))
            ),
            None,
        )
        hashes = tuple(
            (_SPDX_ALGS[str(h["algorithm"])], str(h["checksumValue"]).lower())
            for h in _list(p, "checksums", where)
            if isinstance(h, dict)
            and str(h.get("algorithm")) in _SPDX_ALGS
            and _str(h.get("checksumValue"))
        )
        exprs = tuple(
            e
            for e in (_str(p.get("licenseDeclared")), _str(p.get("licenseConcluded")))
            if e and e not in _SPDX_NONE
        )[:1]
        supplier = _str(p.get("supplier"))
        if supplier and supplier not in _SPDX_NONE:
            supplier = supplier.split(":", 1)[-1].split("(")[0].strip() or None
        else:
            supplier = None
        homepage = _str(p.get("homepage"))
        packages[ref] = Embedded(
            ref=ref,
            type="library",
            name=name,
            version=_str(p.get("versionInfo")),
            purl=purl,
            description=_str(p.get("summary")) or _str(p.get("description")),
            hashes=hashes,
            license_expressions=exprs,
            supplier=supplier,
            external_references=(("website", homepage),)
            if homepage and homepage not in _SPDX_NONE
            else (),
        )
    subject: str | None = None
    deps: dict[str, list[str]] = {}
    for i, r in enumerate(_list(data, "relationships", "")):
        if not isinstance(r, dict):
            raise EmbeddedSbomError(f"relationships[{i}]: expected an object")
        a, kind, b = (
            _str(r.get(k)) for k in ("spdxElementId", "relationshipType", "relatedSpdxElement")
        )
        if kind == "DESCRIBES" and a == "SPDXRef-DOCUMENT" and b in packages and subject is None:
            subject = b
        elif kind in ("DEPENDS_ON", "CONTAINS") and a in packages and b in packages:
            deps.setdefault(a, []).append(b)
        elif kind in ("DEPENDENCY_OF", "CONTAINED_BY") and a in packages and b in packages:
            deps.setdefault(b, []).append(a)
    components = tuple(p for ref, p in sorted(packages.items()) if ref != subject)
    return EmbeddedSbom(
        file=rel,
        subject=subject,
        components=components,
        dependencies=tuple((k, tuple(sorted(set(v)))) for k, v in sorted(deps.items())),
    )
