"""Reader of SPDX 2.x SBOMs (JSON and tag-value).

spdx-tools' parser (``spdx_tools.spdx.parser.parse_anything``) is not used: it
validates whole documents strictly and rejects real ones for fields an audit does not
need (the corpus' sbom4python document fails on ``licenseListVersion: "3.25.0"``, which
it requires to be ``MAJOR.MINOR``), and it is heavy to import. So the JSON form is
read with ``orjson`` and the tag-value form with the small line reader below (``Tag:
value`` lines, ``<text>`` blocks; https://spdx.github.io/spdx-spec/v2.3/conformance/),
both into the JSON form's shape, and validated once with the key path of a bad value.
The tests hold the tag-value reader equal to the JSON reader on a document that
spdx-tools itself writes.

* a package with a ``PACKAGE-MANAGER`` (or ``PACKAGE_MANAGER``) ``purl`` reference of type
  ``pypi`` is a :class:`Component`; other packages are :class:`NotAudited` with the reason;
* its artifact is the file the package's SHA-256 checksum is of: ``packageFileName``
  (else the last segment of ``downloadLocation``) when that names a wheel or an sdist;
  a project page or a directory is none;
* ``DEPENDS_ON`` (and the ``*_DEPENDENCY_OF`` relationships, reversed) are the edges;
* the packages the document ``DESCRIBES`` are the project and the roots. A described
  package that is itself a PyPI distribution at a version (an SBOM of an installed
  package, like the corpus') stays a component too: it is installed, so it is audited.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from pyward._inventory._common import (
    NO_PURL,
    dedupe_hashes,
    graph_tops,
    is_distribution_file,
    is_hex_digest,
    make_artifact,
    path_file_name,
    purl_component,
    url_file_name,
)
from pyward._model import (
    Artifact,
    Component,
    ComponentKey,
    Hash,
    Inventory,
    NotAudited,
    canonical_name,
)
from pyward._wire import EXPECTED_JSON, PYTHON_FOUND, Wire
from pyward.errors import InputError

FORMAT = "spdx"

_ALGORITHMS = {
    "MD5": "md5",
    "SHA1": "sha1",
    "SHA224": "sha224",
    "SHA256": "sha256",
    "SHA384": "sha384",
    "SHA512": "sha512",
    "SHA3-256": "sha3_256",
    "SHA3-384": "sha3_384",
    "SHA3-512": "sha3_512",
    "BLAKE2B-256": "blake2b_256",
    "BLAKE2B-384": "blake2b_384",
    "BLAKE2B-512": "blake2b",
    "BLAKE3": "blake3",
}
_NO_VALUE = ("NOASSERTION", "NONE", "")
#: C0 controls other than tab, line feed, carriage return and form feed (which licence
#: texts contain): a NUL or an escape sequence is not SPDX tag-value text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_REVERSED = {
    "DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF",
}


def read(path: Path) -> Inventory:
    """Read an SPDX 2.x document (JSON or tag-value)."""
    from pyward._inventory._toml import read_bytes

    path = Path(path)
    data = read_bytes(path)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise InputError(path, "empty file (not an SPDX document)", where="line 1")
    # The content decides; a name ending in .json decides for content that is neither.
    if stripped.startswith((b"{", b"[")) or (
        path.name.endswith(".json") and not stripped.startswith(b"SPDXVersion")
    ):
        from pyward._inventory._toml import load_json

        document = Wire(path, PYTHON_FOUND).check(
            load_json(path, data), dict, "line 1", what="expected a JSON object, found {found}"
        )
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(path, "not UTF-8 text", where=f"line {line}") from None
        document = _from_tag_value(path, text)
    return _read_document(path, document)


def _list(w: Wire, table: dict[str, Any], key: str, where: str) -> list[Any]:
    # An explicit null is refused too: ``table.get(key, [])``, not ``w.items``.
    return w.check(table.get(key, []), list, where, key)


def _read_document(path: Path, document: dict[str, Any]) -> Inventory:
    version = document.get("spdxVersion")
    if not isinstance(version, str) or not version.startswith("SPDX-"):
        raise InputError(
            path, f"not an SPDX document (spdxVersion is {version!r})", where="spdxVersion"
        )
    if not version.startswith("SPDX-2."):
        raise InputError(
            path, f"unsupported {version} (this pyward reads SPDX 2.x)", where="spdxVersion"
        )
    document_id = document.get("SPDXID", "SPDXRef-DOCUMENT")
    w = Wire(path, EXPECTED_JSON)

    components: dict[ComponentKey, Component] = {}
    not_audited: list[NotAudited] = []
    refs: dict[str, ComponentKey | None] = {}
    packages: dict[str, Component] = {}
    for i, package in enumerate(_list(w, document, "packages", "")):
        where = f"packages[{i}]"
        w.check(package, dict, where)
        spdx_id = w.text(package.get("SPDXID"), where, "SPDXID", empty="missing", strip=False)
        if spdx_id in refs:
            raise InputError(path, f"duplicate SPDXID {spdx_id!r}", where=f"{where}.SPDXID")
        component, skipped = _package(w, package, where)
        refs[spdx_id] = None
        if component is not None:
            packages[spdx_id] = component
            existing = components.get(component.key)
            if existing is not None:
                component = replace(
                    existing, hashes=dedupe_hashes((*existing.hashes, *component.hashes))
                )
            components[component.key] = component
            refs[spdx_id] = component.key
        elif skipped is not None:
            not_audited.append(skipped)
            name = w.opt(package.get("name"), str, where, "name")
            if name:
                normal = canonical_name(name)
                packages[spdx_id] = Component(
                    name=normal,
                    version=w.opt(package.get("versionInfo"), str, where, "versionInfo"),
                    display_name=name if name != normal else None,
                    source="virtual",
                )

    described: list[str] = []
    for j, target in enumerate(_list(w, document, "documentDescribes", "")):
        described.append(w.check(target, str, "documentDescribes", j))
    edges: dict[ComponentKey, list[ComponentKey]] = {}
    children: dict[str, list[ComponentKey]] = {}
    for i, rel in enumerate(_list(w, document, "relationships", "")):
        where = f"relationships[{i}]"
        w.check(rel, dict, where)
        kind = w.opt(rel.get("relationshipType"), str, where, "relationshipType")
        source = w.opt(rel.get("spdxElementId"), str, where, "spdxElementId")
        target = w.opt(rel.get("relatedSpdxElement"), str, where, "relatedSpdxElement")
        if not kind or not source or not target:
            raise InputError(
                path, "needs spdxElementId, relationshipType and relatedSpdxElement", where=where
            )
        if kind == "DESCRIBES" and source == document_id:
            described.append(target)
            continue
        if kind == "DESCRIBED_BY" and target == document_id:
            described.append(source)
            continue
        if kind == "DEPENDS_ON":
            parent, child = source, target
        elif kind in _REVERSED:
            parent, child = target, source
        else:
            continue
        for ref, key in (("spdxElementId", source), ("relatedSpdxElement", target)):
            if key not in refs and key != document_id and ":" not in key:
                # ``DocumentRef-x:SPDXRef-y`` points into another document; anything
                # else must be a package of this one.
                raise InputError(path, f"unknown SPDX id {key!r}", where=f"{where}.{ref}")
        parent_key, child_key = refs.get(parent), refs.get(child)
        if child_key is not None:
            children.setdefault(parent, []).append(child_key)
            if parent_key is not None:
                edges.setdefault(parent_key, []).append(child_key)

    described = list(dict.fromkeys(described))
    project = packages.get(described[0]) if described else None
    roots: list[ComponentKey] = []
    for ref in described:
        described_key = refs.get(ref)
        # A described package that is not audited (an application without a PyPI
        # purl) stands for the project: what it depends on are the direct dependencies.
        roots.extend([described_key] if described_key is not None else children.get(ref, []))
    frozen_edges = {k: tuple(dict.fromkeys(v)) for k, v in edges.items()}
    if not roots:
        roots = list(graph_tops(components, frozen_edges))
    root_set = set(roots)
    final = tuple(replace(c, direct=True) if c.key in root_set else c for c in components.values())
    return Inventory(
        source=str(path),
        format=FORMAT,
        components=final,
        not_audited=tuple(not_audited),
        edges=frozen_edges,
        roots=tuple(dict.fromkeys(roots)),
        project=project,
    )


def _package(
    w: Wire, package: dict[str, Any], where: str
) -> tuple[Component | None, NotAudited | None]:
    path = w.file
    name = w.opt(package.get("name"), str, where, "name")
    version = w.opt(package.get("versionInfo"), str, where, "versionInfo")
    locators: list[tuple[int, str]] = []
    for j, ref in enumerate(_list(w, package, "externalRefs", where)):
        at = f"{where}.externalRefs[{j}]"
        w.check(ref, dict, at)
        category = str(ref.get("referenceCategory", "")).replace("_", "-").upper()
        if category == "PACKAGE-MANAGER" and ref.get("referenceType") == "purl":
            locators.append((j, w.check(ref.get("referenceLocator"), str, at, "referenceLocator")))
    written = f"{name}=={version}" if name and version else name or where
    if not locators:
        return None, NotAudited(
            name=canonical_name(name) if name else None,
            requirement=written,
            reason=NO_PURL,
        )
    from packageurl import PackageURL

    pypi: tuple[int, Any] | None = None
    first = locators[0][1]
    for j, locator in locators:
        try:
            parsed = PackageURL.from_string(locator)
        except ValueError as exc:
            raise InputError(
                path,
                f"invalid purl: {exc}",
                where=f"{where}.externalRefs[{j}].referenceLocator",
            ) from None
        if parsed.type == "pypi":
            pypi = (j, parsed)
            break
    if pypi is None:
        return None, NotAudited(
            name=canonical_name(name) if name else None,
            requirement=first,
            reason=f"not a PyPI package: {first}",
        )
    parsed = pypi[1]
    final_version = parsed.version or version
    normal = canonical_name(parsed.name)
    if not final_version:
        return None, NotAudited(name=normal, requirement=written, reason="no version")
    hashes: list[Hash] = []
    for j, checksum in enumerate(_list(w, package, "checksums", where)):
        at = f"{where}.checksums[{j}]"
        w.check(checksum, dict, at)
        algorithm = str(checksum.get("algorithm", "")).upper()
        value = checksum.get("checksumValue")
        if algorithm not in _ALGORITHMS:
            raise InputError(
                path,
                f"unknown checksum algorithm {checksum.get('algorithm')!r}",
                where=f"{at}.algorithm",
            )
        if not is_hex_digest(value):
            raise InputError(path, "expected a hex digest", where=f"{at}.checksumValue")
        hashes.append(Hash(algorithm=_ALGORITHMS[algorithm], value=value.lower()))
    artifacts = _artifacts(w, package, where, hashes)
    if (parsed.qualifiers or {}).get("vcs_url"):
        artifacts = ()
    licence = None
    for key in ("licenseConcluded", "licenseDeclared"):
        value = w.opt(package.get(key), str, where, key)
        if value and value.strip() not in _NO_VALUE:
            licence = value.strip()
            break
    metadata: dict[str, str] = {}
    for key, label in (("summary", "summary"), ("supplier", "supplier"), ("homepage", "home_page")):
        value = package.get(key)
        if isinstance(value, str) and value.strip() not in _NO_VALUE:
            # ``supplier`` is ``Person: NAME (EMAIL)`` / ``Organization: NAME``: the kind
            # is kept, so that an SBOM written from this one says the same.
            text = value.strip()
            if key == "supplier":
                for prefix, kind in (("Person:", "person"), ("Organization:", "organization")):
                    if text.startswith(prefix):
                        metadata["supplier_kind"] = kind
            metadata[label] = text.removeprefix("Person:").removeprefix("Organization:").strip()
    return (
        purl_component(
            parsed,
            final_version,
            name if name else parsed.name,
            hashes=dedupe_hashes(hashes),
            artifacts=artifacts,
            license_expression=licence,
            metadata=metadata,
        ),
        None,
    )


# -- tag-value --------------------------------------------------------------------------


def _artifacts(
    w: Wire, package: dict[str, Any], where: str, hashes: list[Hash]
) -> tuple[Artifact, ...]:
    """The distribution file the package's checksums are of (SPDX 2.3: a package's
    checksum is of the file ``packageFileName`` names), when it is a wheel or an sdist."""
    sha256 = next((h.value for h in hashes if h.algorithm == "sha256"), None)
    if sha256 is None:
        return ()
    file_name = w.opt(package.get("packageFileName"), str, where, "packageFileName")
    download = w.opt(package.get("downloadLocation"), str, where, "downloadLocation")
    url = download if download and download.strip() not in _NO_VALUE else None
    name = path_file_name(file_name) if file_name else url_file_name(url) if url else ""
    return (make_artifact(name, sha256, url),) if is_distribution_file(name) else ()


def _from_tag_value(path: Path, text: str) -> dict[str, Any]:
    """The tag-value form in the JSON form's shape (only what :func:`_read_document` reads)."""
    document: dict[str, Any] = {"packages": [], "relationships": []}
    package: dict[str, Any] | None = None
    section = "document"
    # Lines end at "\n" only: ``splitlines`` would also break at form feeds and U+2028
    # inside <text> blocks, and the line numbers in errors would drift.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    bad = _CONTROL.search(text)
    if bad is not None:
        raise InputError(
            path,
            f"control character U+{ord(bad[0]):04X} in tag-value text",
            where=f"line {text.count(chr(10), 0, bad.start()) + 1}",
        )
    i = 0
    while i < len(lines):
        number = i + 1
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            raise InputError(
                path, f"expected 'Tag: value', found {line.strip()[:60]!r}", where=f"line {number}"
            )
        tag = tag.strip()
        value = value.strip()
        if value.startswith("<text>"):
            parts = [value[len("<text>") :]]
            while "</text>" not in parts[-1]:
                if i >= len(lines):
                    raise InputError(path, f"<text> of {tag} is not closed", where=f"line {number}")
                parts.append(lines[i])
                i += 1
            value = "\n".join(parts).split("</text>", 1)[0].strip()
        if tag == "SPDXVersion":
            document["spdxVersion"] = value
        elif tag == "PackageName":
            section = "package"
            package = {"name": value, "externalRefs": [], "checksums": [], "_line": number}
            document["packages"].append(package)
        elif tag in ("FileName", "SnippetSPDXID", "LicenseID"):
            section = "other"
            package = None
        elif tag == "SPDXID":
            if section == "package" and package is not None:
                package["SPDXID"] = value
            elif section == "document":
                document["SPDXID"] = value
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) != 3:
                raise InputError(
                    path,
                    f"expected 'Relationship: A TYPE B', found {value!r}",
                    where=f"line {number}",
                )
            document["relationships"].append(
                {
                    "spdxElementId": parts[0],
                    "relationshipType": parts[1],
                    "relatedSpdxElement": parts[2],
                }
            )
        elif section == "package" and package is not None:
            if tag == "PackageVersion":
                package["versionInfo"] = value
            elif tag == "ExternalRef":
                parts = value.split(None, 2)
                if len(parts) != 3:
                    raise InputError(
                        path,
                        f"expected 'ExternalRef: CATEGORY TYPE LOCATOR', found {value!r}",
                        where=f"line {number}",
                    )
                package["externalRefs"].append(
                    {
                        "referenceCategory": parts[0],
                        "referenceType": parts[1],
                        "referenceLocator": parts[2],
                    }
                )
            elif tag == "PackageChecksum":
                algorithm, _, digest = value.partition(":")
                package["checksums"].append(
                    {"algorithm": algorithm.strip(), "checksumValue": digest.strip()}
                )
            elif tag in ("PackageLicenseConcluded", "PackageLicenseDeclared"):
                package["licenseConcluded" if tag.endswith("Concluded") else "licenseDeclared"] = (
                    value
                )
            elif tag == "PackageSummary":
                package["summary"] = value
            elif tag == "PackageFileName":
                package["packageFileName"] = value
            elif tag == "PackageDownloadLocation":
                package["downloadLocation"] = value
            elif tag == "PackageSupplier":
                package["supplier"] = value
            elif tag == "PackageHomePage":
                package["homepage"] = value
    return document
