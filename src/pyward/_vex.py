"""VEX documents: statements that a product is not affected by a flaw.

Two formats are read:

* CycloneDX VEX (https://cyclonedx.org/capabilities/vex/): ``vulnerabilities[]`` with
  ``analysis.state`` and ``affects[].ref`` (a purl, or a ``bom-ref`` of a component
  of the same document).
* OpenVEX (https://github.com/openvex/spec): ``statements[]`` with ``status``,
  ``vulnerability`` (``name``, ``@id``, ``aliases``) and ``products[]`` (``@id`` or
  ``identifiers.purl``, and ``subcomponents``).

A statement suppresses a finding when one of its ids is one of the flaw's ids and one
of its products is the component's purl (name and version; qualifiers ignored). A
statement with no product applies to every component. States honoured: CycloneDX
``not_affected``, ``false_positive`` and ``resolved``; OpenVEX ``not_affected`` and
``fixed``. Other states (``exploitable``, ``in_triage``, ``affected``,
``under_investigation``) are statements of risk, not suppressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyward._findings import Finding
from pyward._model import canonical_name
from pyward._wire import MUST, Wire
from pyward.errors import InputError

_CDX_STATES = ("not_affected", "false_positive", "resolved")
_CDX_ALL_STATES = (*_CDX_STATES, "exploitable", "in_triage", "resolved_with_pedigree")
_OPENVEX_STATES = ("not_affected", "fixed")
_OPENVEX_ALL_STATES = (*_OPENVEX_STATES, "affected", "under_investigation")
_NON_EMPTY = "must be a non-empty string"


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    """A Python package named by a VEX statement."""

    name: str
    """PEP 503 normalised name."""
    version: str | None
    """``None``: every version."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VexStatement:
    """One suppressing statement of one VEX document."""

    ids: frozenset[str]
    """Every id the statement names, case-folded."""
    products: tuple[Product, ...]
    """The packages it covers; empty: all."""
    all_products: bool
    """The statement names no product, so it applies to every component."""
    state: str
    """``not_affected``, ``false_positive``, ``resolved`` or ``fixed``."""
    justification: str | None = None
    """CycloneDX ``analysis.justification`` or OpenVEX ``justification``, as written."""
    reason: str
    """Justification and detail, in words."""
    rule: str
    """``VEX not_affected: FILE statements[3]``."""


def parse_purl(purl: str) -> Product | None:
    """The PyPI package a purl names (qualifiers and subpath dropped), else ``None``
    (another ecosystem, or not a purl: a ``bom-ref`` the document does not resolve)."""
    # packageurl-python, as the SBOM readers use it; loaded only when VEX is given.
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    if parsed.type != "pypi":
        return None
    return Product(name=canonical_name(parsed.name), version=parsed.version or None)


def vex_applies(statement: VexStatement, finding: Finding) -> bool:
    if not any(i.casefold() in statement.ids for i in finding.ids):
        return False
    if statement.all_products:
        return True
    component = finding.component
    if component is None:
        # A statement about products cannot cover a finding about no component.
        return False
    return any(
        p.name == component.name and (p.version is None or p.version == component.version)
        for p in statement.products
    )


def load_vex(path: Path) -> tuple[list[VexStatement], list[str]]:
    """Parse one VEX file into suppressing statements, and warnings for statements
    that can never apply (products that are not Python packages)."""
    from pyward._inventory._toml import load_json, read_bytes

    w = Wire(path, MUST)
    doc = w.check(
        load_json(path, read_bytes(path)),
        dict,
        "line 1",
        what="must be a JSON object (a CycloneDX or OpenVEX document)",
    )
    if doc.get("bomFormat") == "CycloneDX" or "vulnerabilities" in doc:
        return _cyclonedx(doc, path)
    if "statements" in doc or "openvex" in str(doc.get("@context", "")):
        return _openvex(doc, path)
    raise InputError(path, "neither a CycloneDX VEX nor an OpenVEX document")


def _str(w: Wire, value: Any, at: str, key: str | int | None = None) -> str:
    """A non-empty string; absent is the same fault."""
    return w.text(value, at, key, missing=_NON_EMPTY, empty=_NON_EMPTY, strip=False)


def _opt_str(w: Wire, value: Any, where: str) -> str | None:
    """An optional ``justification``: absent, or a non-empty string."""
    return None if value is None else _str(w, value, where, "justification")


def _bom_refs(doc: dict[str, Any]) -> dict[str, str]:
    """``bom-ref`` -> purl for every component (nested ones too) and the metadata one."""
    refs: dict[str, str] = {}
    # Components are not what a VEX document is read for: malformed ones only lend no
    # bom-ref (an ``affects`` entry that names one gets the warning below).
    stack: list[Any] = _components(doc)
    meta = doc.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("component"), dict):
        stack.append(meta["component"])
    while stack:
        comp = stack.pop()
        if not isinstance(comp, dict):
            continue
        ref, purl = comp.get("bom-ref"), comp.get("purl")
        if isinstance(ref, str) and isinstance(purl, str):
            refs[ref] = purl
        stack.extend(_components(comp))
    return refs


def _components(owner: dict[str, Any]) -> list[Any]:
    value = owner.get("components")
    return list(value) if isinstance(value, list) else []


def _cyclonedx(doc: dict[str, Any], path: Path) -> tuple[list[VexStatement], list[str]]:
    w = Wire(path, MUST)
    refs = _bom_refs(doc)
    out: list[VexStatement] = []
    warnings: list[str] = []
    for i, raw_vuln in enumerate(w.items(doc.get("vulnerabilities"), "vulnerabilities")):
        where = f"vulnerabilities[{i}]"
        vuln = w.check(raw_vuln, dict, where)
        ids = {_str(w, vuln.get("id"), f"{where}.id").casefold()}
        for j, raw_ref in enumerate(w.items(vuln.get("references"), f"{where}.references")):
            ref_obj = w.check(raw_ref, dict, f"{where}.references[{j}]")
            ids.add(_str(w, ref_obj.get("id"), f"{where}.references[{j}].id").casefold())
        analysis = vuln.get("analysis")
        if analysis is None:
            continue
        analysis = w.check(analysis, dict, f"{where}.analysis")
        state = analysis.get("state")
        if state is None:
            continue
        if state not in _CDX_ALL_STATES:
            raise InputError(
                path, f"unknown state {state!r} (CycloneDX 1.6)", where=f"{where}.analysis.state"
            )
        if state not in _CDX_STATES:
            continue
        products: list[Product] = []
        affects = w.items(vuln.get("affects"), f"{where}.affects")
        for j, raw_aff in enumerate(affects):
            aw = f"{where}.affects[{j}]"
            aff = w.check(raw_aff, dict, aw)
            ref = _str(w, aff.get("ref"), f"{aw}.ref")
            purl = refs.get(ref) or refs.get(ref.split("#", 1)[-1]) or ref
            product = parse_purl(purl)
            if product is None:
                warnings.append(
                    f"{path}: {aw}.ref: {ref!r} is neither a PyPI purl nor the bom-ref of a "
                    "PyPI component of this document; it applies to no package"
                )
                continue
            versions = w.items(aff.get("versions"), f"{aw}.versions")
            if not versions:
                products.append(product)
            for k, raw_ver in enumerate(versions):
                ver = w.check(raw_ver, dict, f"{aw}.versions[{k}]")
                if ver.get("status", "affected") == "affected" or "version" not in ver:
                    continue
                value = _str(w, ver.get("version"), f"{aw}.versions[{k}].version")
                products.append(Product(name=product.name, version=value))
        reason = ": ".join(
            str(x) for x in (state, analysis.get("justification"), analysis.get("detail")) if x
        )
        out.append(
            VexStatement(
                ids=frozenset(ids),
                products=tuple(products),
                all_products=not affects,
                state=state,
                justification=_opt_str(w, analysis.get("justification"), f"{where}.analysis"),
                reason=reason,
                rule=f"VEX {state}: {path} {where}",
            )
        )
    return out, warnings


def _vuln_ids(value: Any, w: Wire, where: str) -> set[str]:
    if isinstance(value, str):  # OpenVEX 0.0.1: the vulnerability is a bare id
        return {value.casefold()}
    vuln = w.check(value, dict, where)
    ids: set[str] = set()
    name = vuln.get("name")
    if name is not None:
        ids.add(_str(w, name, f"{where}.name").casefold())
    ident = vuln.get("@id")
    if isinstance(ident, str) and ident:
        # ``@id`` is an IRI; its last segment is the id (".../vuln/detail/CVE-2023-1").
        ids.add(ident.rstrip("/").rsplit("/", 1)[-1].casefold())
    for k, alias in enumerate(w.items(vuln.get("aliases"), f"{where}.aliases")):
        ids.add(_str(w, alias, f"{where}.aliases[{k}]").casefold())
    if not ids:
        raise w.error(where, "names no vulnerability id")
    return ids


def _product_purls(value: Any, w: Wire, where: str) -> list[tuple[str, str]]:
    """(purl-ish string, its JSON path) for a product and its subcomponents."""
    if isinstance(value, str):
        return [(value, where)]
    prod = w.check(value, dict, where)
    found: list[tuple[str, str]] = []
    idents = prod.get("identifiers")
    if isinstance(idents, dict) and isinstance(idents.get("purl"), str):
        found.append((idents["purl"], f"{where}.identifiers.purl"))
    elif isinstance(prod.get("@id"), str):
        found.append((prod["@id"], f"{where}.@id"))
    for k, sub in enumerate(w.items(prod.get("subcomponents"), f"{where}.subcomponents")):
        found.extend(_product_purls(sub, w, f"{where}.subcomponents[{k}]"))
    if not found:
        raise w.error(where, "names no product (@id or identifiers.purl)")
    return found


def _openvex(doc: dict[str, Any], path: Path) -> tuple[list[VexStatement], list[str]]:
    w = Wire(path, MUST)
    out: list[VexStatement] = []
    warnings: list[str] = []
    for i, raw_st in enumerate(w.items(doc.get("statements"), "statements")):
        where = f"statements[{i}]"
        st = w.check(raw_st, dict, where)
        if "vulnerability" not in st:
            raise InputError(path, "missing", where=f"{where}.vulnerability")
        ids = _vuln_ids(st["vulnerability"], w, f"{where}.vulnerability")
        status = st.get("status")
        if status not in _OPENVEX_ALL_STATES:
            raise InputError(
                path,
                f"must be one of {', '.join(_OPENVEX_ALL_STATES)}",
                where=f"{where}.status",
            )
        if status not in _OPENVEX_STATES:
            continue
        products: list[Product] = []
        raw_products = w.items(st.get("products"), f"{where}.products")
        for j, prod in enumerate(raw_products):
            pairs = _product_purls(prod, w, f"{where}.products[{j}]")
            python = [p for p in (parse_purl(s) for s, _ in pairs) if p is not None]
            if not python:
                warnings.append(
                    f"{path}: {where}.products[{j}]: {pairs[0][0]!r} names no PyPI package; "
                    "it applies to no package"
                )
            products.extend(python)
        reason = ": ".join(
            str(x) for x in (status, st.get("justification"), st.get("impact_statement")) if x
        )
        out.append(
            VexStatement(
                ids=frozenset(ids),
                products=tuple(products),
                all_products=not raw_products,
                state=str(status),
                justification=_opt_str(w, st.get("justification"), where),
                reason=reason,
                rule=f"VEX {status}: {path} {where}",
            )
        )
    return out, warnings
