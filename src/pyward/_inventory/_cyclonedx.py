"""Reader of CycloneDX SBOMs (JSON and XML, specification 1.2 to 1.6).

The document is read directly (``orjson`` / ``xml.etree``) rather than through
cyclonedx-python-lib's deserialisers: those are heavy to import, and a malformed
document raises errors that do not say where the bad value is, while an
``InputError`` here names the JSON path (``components[3].purl``). The XML form is
turned into the JSON form's shape first, so one code path validates both; ``xml.etree``
uses expat, which never fetches external entities and (expat >= 2.4.1) bounds entity
expansion, so it is safe on untrusted input. The tests hold this reader equal to
cyclonedx-python-lib on the XML it writes.

* every component (nested ``components`` too) with a ``pkg:pypi/...`` purl (parsed
  with ``packageurl-python``) is a :class:`Component`; the version is the purl's, else
  the component's; ``repository_url`` is the index, ``download_url``/``vcs_url`` the
  source URL;
* other components are :class:`NotAudited` with the reason ("not a PyPI package:
  pkg:npm/...", "no package URL (purl)");
* hashes come from the component and from its ``distribution`` references;
* artifacts are the ``distribution`` (and ``distribution-intake``) references with a
  SHA-256 whose URL names a wheel or an sdist: by the last segment of its path, or by
  its fragment (cyclonedx-py writes a Poetry index file as ``.../simple/NAME/#FILE``).
  A reference to a project page (``.../project/NAME/1.0/``) names no file and is not
  one; a component checked out from a VCS has none;
* ``dependencies`` is the graph; the entries of ``metadata.component`` are the roots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyward._inventory._common import (
    NO_PURL,
    dedupe_hashes,
    graph_tops,
    is_distribution_file,
    is_hex_digest,
    make_artifact,
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
from pyward._wire import EXPECTED_JSON, Wire, parse_int
from pyward.errors import InputError

FORMAT = "cyclonedx"

#: CycloneDX ``hash-alg`` -> hashlib name.
_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
    "SHA3-256": "sha3_256",
    "SHA3-384": "sha3_384",
    "SHA3-512": "sha3_512",
    "BLAKE2b-256": "blake2b_256",
    "BLAKE2b-384": "blake2b_384",
    "BLAKE2b-512": "blake2b",
    "BLAKE3": "blake3",
}
_KNOWN_MINOR = 6
#: ``externalReferences`` types whose URL is where a distribution file is got.
_DISTRIBUTION_TYPES = frozenset({"distribution", "distribution-intake"})
#: Deepest nesting of ``components`` read. Real SBOMs nest a few levels (a bundle and its
#: parts); the limit keeps a hostile document from exhausting the recursion of the two
#: walks below.
MAX_NESTING = 64


@dataclass(slots=True)
class _State:
    file: Path
    wire: Wire
    components: dict[ComponentKey, Component] = field(default_factory=dict)
    not_audited: list[NotAudited] = field(default_factory=list)
    refs: dict[str, ComponentKey | None] = field(default_factory=dict)
    """bom-ref -> component key (``None`` for a component that is not audited)."""


def read(path: Path) -> Inventory:
    """Read a CycloneDX JSON or XML document."""
    from pyward._inventory._toml import read_bytes

    path = Path(path)
    data = read_bytes(path)
    # A UTF-8 byte order mark is not JSON (orjson refuses it) but editors on Windows
    # write one; RFC 8259 section 8.1 lets a parser ignore it.
    data = data.removeprefix(b"\xef\xbb\xbf")
    stripped = data.lstrip(b" \t\r\n")
    if not stripped:
        raise InputError(path, "empty file (not a CycloneDX document)", where="line 1")
    # The content decides; a name ending in .xml decides for content that is neither.
    xml = stripped.startswith(b"<") or (
        path.name.endswith(".xml") and not stripped.startswith((b"{", b"["))
    )
    document = _from_xml(path, data) if xml else _from_json(path, data)
    return _read_document(path, document)


def _from_json(path: Path, data: bytes) -> dict[str, Any]:
    from pyward._inventory._toml import load_json

    return Wire(path, EXPECTED_JSON).check(
        load_json(path, data), dict, "line 1", what="expected a JSON object, found {found}"
    )


def _read_document(path: Path, document: dict[str, Any]) -> Inventory:
    if document.get("bomFormat") != "CycloneDX":
        raise InputError(
            path, "not a CycloneDX document (bomFormat is not 'CycloneDX')", where="bomFormat"
        )
    notes: list[str] = []
    spec = document.get("specVersion")
    parts = str(spec).split(".")
    if (
        not isinstance(spec, str)
        or len(parts) != 2
        or not all(p.isascii() and p.isdecimal() for p in parts)
    ):
        raise InputError(path, f"invalid specVersion {spec!r}", where="specVersion")
    if parts[0] != "1":
        raise InputError(
            path,
            f"unsupported CycloneDX version {spec} (this pyward reads 1.x)",
            where="specVersion",
        )
    minor = parse_int(parts[1])
    if minor is None or minor > _KNOWN_MINOR:
        # A minor of thousands of digits (issue 12) is shown by its length.
        shown_spec = spec if len(spec) <= 20 else f"1.<{len(parts[1])} digits>"
        notes.append(
            f"{path}: CycloneDX {shown_spec} is newer than this pyward knows (1.{_KNOWN_MINOR})"
        )

    w = Wire(path, EXPECTED_JSON)
    state = _State(file=path, wire=w)
    project: Component | None = None
    project_ref: str | None = None
    metadata = document.get("metadata")
    if metadata is not None:
        w.check(metadata, dict, "metadata")
        meta_component = metadata.get("component")
        if meta_component is not None:
            at = "metadata.component"
            w.check(meta_component, dict, at)
            project_ref = w.opt(meta_component.get("bom-ref"), str, at, "bom-ref")
            name = w.opt(meta_component.get("name"), str, at, "name")
            if name:
                version = w.opt(meta_component.get("version"), str, at, "version")
                normal = canonical_name(name)
                project = Component(
                    name=normal,
                    version=version,
                    display_name=name if name != normal else None,
                    purl=w.opt(meta_component.get("purl"), str, at, "purl") or "",
                    source="virtual",
                )
    components = w.check(document.get("components", []), list, "components")
    for i, item in enumerate(components):
        _component(state, item, f"components[{i}]")

    edges: dict[ComponentKey, list[ComponentKey]] = {}
    roots: list[ComponentKey] = []
    project_listed = False
    dependencies = w.check(document.get("dependencies", []), list, "dependencies")
    for i, dep in enumerate(dependencies):
        where = f"dependencies[{i}]"
        w.check(dep, dict, where)
        ref = w.check(dep.get("ref"), str, where, "ref")
        targets = w.check(dep.get("dependsOn", []), list, where, "dependsOn")
        keys: list[ComponentKey] = []
        for j, target in enumerate(targets):
            w.check(target, str, f"{where}.dependsOn", j)
            if target not in state.refs:
                if target == project_ref:
                    continue
                raise InputError(
                    path, f"unknown bom-ref {target!r}", where=f"{where}.dependsOn[{j}]"
                )
            key = state.refs[target]
            if key is not None:
                keys.append(key)
        if ref == project_ref:
            project_listed = True
            roots.extend(keys)
            continue
        if ref not in state.refs:
            raise InputError(path, f"unknown bom-ref {ref!r}", where=f"{where}.ref")
        source = state.refs[ref]
        if source is not None and keys:
            edges.setdefault(source, []).extend(keys)
    frozen_edges = {k: tuple(dict.fromkeys(v)) for k, v in edges.items()}
    if project_listed:
        direct = set(roots)
        final = [c if c.key not in direct else _with_direct(c) for c in state.components.values()]
        root_keys = tuple(dict.fromkeys(roots))
    else:
        final = list(state.components.values())
        root_keys = graph_tops(state.components, frozen_edges)
    return Inventory(
        source=str(path),
        format=FORMAT,
        components=tuple(final),
        not_audited=tuple(state.not_audited),
        edges=frozen_edges,
        roots=root_keys,
        project=project,
        notes=tuple(notes),
    )


def _with_direct(c: Component) -> Component:
    from dataclasses import replace

    return replace(c, direct=True)


def _hashes(w: Wire, items: object, where: str) -> list[Hash]:
    out: list[Hash] = []
    for i, item in enumerate(w.items(items, where, of=dict)):
        alg = item.get("alg")
        content = item.get("content")
        if not isinstance(alg, str) or alg not in _ALGORITHMS:
            raise w.error(f"{where}[{i}].alg", f"unknown hash algorithm {alg!r}")
        if not is_hex_digest(content):
            raise w.error(f"{where}[{i}].content", "expected a hex digest")
        out.append(Hash(algorithm=_ALGORITHMS[alg], value=content.lower()))
    return out


def _artifact(url: object, hashes: list[Hash]) -> Artifact | None:
    """The distribution file a reference's URL names, with its SHA-256; ``None`` when it
    names none or records no SHA-256 (nothing to verify a file against)."""
    sha256 = next((h.value for h in hashes if h.algorithm == "sha256"), None)
    if not isinstance(url, str) or sha256 is None:
        return None
    _, hash_mark, fragment = url.partition("#")
    if hash_mark and is_distribution_file(name := url_file_name(fragment)):
        return make_artifact(name, sha256, url)
    name = url_file_name(url)
    return make_artifact(name, sha256, url) if is_distribution_file(name) else None


def _licenses(w: Wire, value: object, where: str) -> str | None:
    if value is None:
        return None
    items = w.items(value, where, of=dict)
    ids: list[str] = []
    for item in items:
        expression = item.get("expression")
        if isinstance(expression, str) and expression:
            ids.append(expression if len(items) == 1 else f"({expression})")
            continue
        lic = item.get("license")
        if isinstance(lic, dict):
            value = lic.get("id") or lic.get("name")
            if isinstance(value, str) and value:
                ids.append(value if "id" in lic else f"LicenseRef-{_license_ref(value)}")
    return " AND ".join(dict.fromkeys(ids)) or None


def _license_ref(name: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in name)


def _component(state: _State, item: object, where: str, depth: int = 1) -> None:
    path, w = state.file, state.wire
    w.check(item, dict, where)
    assert isinstance(item, dict)
    ref = w.opt(item.get("bom-ref"), str, where, "bom-ref")
    name = w.opt(item.get("name"), str, where, "name")
    version = w.opt(item.get("version"), str, where, "version")
    text_purl = w.opt(item.get("purl"), str, where, "purl")
    written = text_purl or (f"{name}=={version}" if version else name or where)
    key: ComponentKey | None = None
    if not text_purl:
        state.not_audited.append(
            NotAudited(
                name=canonical_name(name) if name else None,
                requirement=written,
                reason=NO_PURL,
            )
        )
    else:
        from packageurl import PackageURL

        try:
            parsed = PackageURL.from_string(text_purl)
        except ValueError as exc:
            raise InputError(path, f"invalid purl: {exc}", where=f"{where}.purl") from None
        if parsed.type != "pypi":
            state.not_audited.append(
                NotAudited(
                    name=canonical_name(name) if name else None,
                    requirement=written,
                    reason=f"not a PyPI package: {text_purl}",
                )
            )
        elif not (parsed.version or version):
            state.not_audited.append(
                NotAudited(
                    name=canonical_name(parsed.name),
                    requirement=written,
                    reason="no version",
                )
            )
        else:
            key = _add_component(state, item, parsed, version, where)
    if ref is not None:
        if ref in state.refs:
            raise InputError(path, f"duplicate bom-ref {ref!r}", where=f"{where}.bom-ref")
        state.refs[ref] = key
    nested = w.items(item.get("components"), where, "components")
    if nested and depth >= MAX_NESTING:
        raise InputError(
            path,
            f"components nested deeper than {MAX_NESTING} levels",
            where=f"{where}.components",
        )
    for i, child in enumerate(nested):
        _component(state, child, f"{where}.components[{i}]", depth + 1)


def _add_component(
    state: _State, item: dict[str, Any], parsed: Any, version: str | None, where: str
) -> ComponentKey:
    w = state.wire
    final_version = str(parsed.version or version)
    hashes = _hashes(w, item.get("hashes"), f"{where}.hashes")
    references = w.items(item.get("externalReferences"), where, "externalReferences", of=dict)
    artifacts: list[Artifact] = []
    for i, ref in enumerate(references):
        ref_hashes = _hashes(w, ref.get("hashes"), f"{where}.externalReferences[{i}].hashes")
        hashes.extend(ref_hashes)
        kind = ref.get("type")
        # Any other type, or a value that is not one, is a reference of no interest here.
        if isinstance(kind, str) and kind in _DISTRIBUTION_TYPES:
            found = _artifact(ref.get("url"), ref_hashes)
            if found is not None:
                artifacts.append(found)
    if (parsed.qualifiers or {}).get("vcs_url"):
        artifacts = []
    groups: set[str] = set()
    metadata: dict[str, str] = {}
    for prop in w.items(item.get("properties"), where, "properties", of=dict):
        if prop.get("name") == "cdx:poetry:group" and isinstance(prop.get("value"), str):
            groups.add(prop["value"])
    description = item.get("description")
    if isinstance(description, str) and description:
        metadata["summary"] = description
    supplier = item.get("supplier")
    if isinstance(supplier, dict) and isinstance(supplier.get("name"), str):
        metadata["supplier"] = supplier["name"]
    written = item.get("name")
    display = written if isinstance(written, str) else parsed.name
    component = purl_component(
        parsed,
        final_version,
        display,
        hashes=dedupe_hashes(hashes),
        artifacts=tuple(dict.fromkeys(artifacts)),
        groups=frozenset(groups),
        license_expression=_licenses(w, item.get("licenses"), f"{where}.licenses"),
        metadata=metadata,
    )
    existing = state.components.get(component.key)
    if existing is not None:
        from dataclasses import replace

        component = replace(
            existing,
            hashes=dedupe_hashes((*existing.hashes, *component.hashes)),
            artifacts=tuple(dict.fromkeys((*existing.artifacts, *component.artifacts))),
            groups=existing.groups | component.groups,
        )
    state.components[component.key] = component
    return component.key


# -- XML --------------------------------------------------------------------------------


def _from_xml(path: Path, data: bytes) -> dict[str, Any]:
    import xml.etree.ElementTree as ET  # nosec B405 - safe here: see the call below

    try:
        # Safe on untrusted input: see the module docstring (expat bounds entity
        # expansion and never fetches external entities; a test pins both).
        root = ET.fromstring(data)  # noqa: S314 # nosec B314
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(path, f"invalid XML: {exc}", where=f"line {line}") from None
    namespace, _, tag = (
        root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    )
    prefix = "http://cyclonedx.org/schema/bom/"
    if tag != "bom" or not namespace.startswith(prefix):
        raise InputError(path, "not a CycloneDX document (root is not a CycloneDX <bom>)")
    ns = f"{{{namespace}}}"
    document: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": namespace[len(prefix) :]}
    metadata = root.find(f"{ns}metadata")
    if metadata is not None:
        component = metadata.find(f"{ns}component")
        document["metadata"] = (
            {"component": _xml_component(path, component, ns, "metadata.component")}
            if component is not None
            else {}
        )
    components = root.find(f"{ns}components")
    if components is not None:
        document["components"] = [
            _xml_component(path, c, ns, f"components[{i}]")
            for i, c in enumerate(components.findall(f"{ns}component"))
        ]
    dependencies = root.find(f"{ns}dependencies")
    if dependencies is not None:
        document["dependencies"] = [
            {
                "ref": d.get("ref"),
                "dependsOn": [x.get("ref") for x in d.findall(f"{ns}dependency")],
            }
            for d in dependencies.findall(f"{ns}dependency")
        ]
    return document


def _xml_text(element: Any, name: str, ns: str) -> str | None:
    child = element.find(f"{ns}{name}")
    return None if child is None or child.text is None else child.text.strip()


def _xml_hashes(element: Any, ns: str) -> list[dict[str, str | None]]:
    hashes = element.find(f"{ns}hashes")
    if hashes is None:
        return []
    return [
        {"alg": h.get("alg"), "content": (h.text or "").strip()}
        for h in hashes.findall(f"{ns}hash")
    ]


def _xml_component(path: Path, element: Any, ns: str, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": element.get("type")}
    if element.get("bom-ref") is not None:
        out["bom-ref"] = element.get("bom-ref")
    for key in ("name", "version", "purl", "description"):
        value = _xml_text(element, key, ns)
        if value is not None:
            out[key] = value
    supplier = element.find(f"{ns}supplier")
    if supplier is not None:
        out["supplier"] = {"name": _xml_text(supplier, "name", ns)}
    out["hashes"] = _xml_hashes(element, ns)
    licenses = element.find(f"{ns}licenses")
    if licenses is not None:
        items: list[dict[str, Any]] = []
        for child in licenses:
            if child.tag == f"{ns}expression":
                items.append({"expression": (child.text or "").strip()})
            elif child.tag == f"{ns}license":
                lic = {k: v for k in ("id", "name") if (v := _xml_text(child, k, ns)) is not None}
                items.append({"license": lic})
        out["licenses"] = items
    references = element.find(f"{ns}externalReferences")
    if references is not None:
        out["externalReferences"] = [
            {"type": r.get("type"), "url": _xml_text(r, "url", ns), "hashes": _xml_hashes(r, ns)}
            for r in references.findall(f"{ns}reference")
        ]
    properties = element.find(f"{ns}properties")
    if properties is not None:
        out["properties"] = [
            {"name": p.get("name"), "value": (p.text or "").strip()}
            for p in properties.findall(f"{ns}property")
        ]
    nested = element.find(f"{ns}components")
    if nested is not None:
        children = nested.findall(f"{ns}component")
        if children and where.count("components[") >= MAX_NESTING:
            raise InputError(
                path,
                f"components nested deeper than {MAX_NESTING} levels",
                where=f"{where}.components",
            )
        out["components"] = [
            _xml_component(path, c, ns, f"{where}.components[{i}]") for i, c in enumerate(children)
        ]
    return out
