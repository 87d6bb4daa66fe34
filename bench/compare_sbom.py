"""Compare pyward's SBOM of an environment with cyclonedx-py's (``cyclonedx-bom``).

Builds a fresh virtual environment with ~60+ packages through the local pip
configuration (index URLs are pip's own settings), or reuses ``--venv PATH``, runs
``cyclonedx-py environment`` and ``pyward sbom`` on it, and prints a table:

    python bench/compare_sbom.py                 # fresh venv in a temporary directory
    python bench/compare_sbom.py --venv /work/venv

Timing is printed for information only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Popular projects whose dependency closures make a ~60-90 package environment,
#: including wheels that embed PEP 770 SBOMs (Rust extensions: orjson, pydantic-core,
#: rpds-py, jiter...).
PACKAGES = [
    "requests",
    "flask",
    "fastapi",
    "uvicorn[standard]",
    "pydantic",
    "sqlalchemy",
    "jinja2",
    "click",
    "rich",
    "httpx",
    "pyyaml",
    "orjson",
    "jsonschema",
    "cryptography",
    "attrs",
    "pytest",
    "lxml",
    "aiohttp",
    "boto3",
    "celery",
    "redis",
    "pandas",
    "ruff",
]


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def build_venv(where: Path, packages: list[str]) -> Path:
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(_bin(venv, "python")), "-m", "pip", "install", "-q", *packages],
        check=True,
    )
    return venv


def cyclonedx_py_sbom(
    cyclonedx_py: str | Path, python: str | Path, out: Path, *, timeout: float | None = None
) -> dict[str, Any]:
    """cyclonedx-py's CycloneDX 1.6 JSON SBOM of the environment of ``python``, written to
    ``out`` and parsed (the comparison test runs the same command)."""
    subprocess.run(
        [
            str(cyclonedx_py),
            "environment",
            str(python),
            "--of",
            "JSON",
            "--sv",
            "1.6",
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    result: dict[str, Any] = json.loads(out.read_bytes())
    return result


def component_key(c: dict[str, Any]) -> str:
    """``name@version`` of a CycloneDX component, the name PEP 503 normalised (the two
    tools spell some names differently)."""
    from pyward._model import canonical_name

    return f"{canonical_name(c['name'])}@{c.get('version')}"


def _components(bom: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from bom.get("components", [])


def _nested(c: dict[str, Any]) -> int:
    return sum(1 + _nested(x) for x in c.get("components", []))


def _licences(c: dict[str, Any]) -> tuple[bool, bool, bool]:
    """(has an SPDX id/expression, has a named licence, has a raw classifier name)."""
    spdx = named = raw = False
    for lic in c.get("licenses", []):
        if "expression" in lic or "id" in lic.get("license", {}):
            spdx = True
        elif "name" in lic.get("license", {}):
            named = True
            raw = raw or "::" in lic["license"]["name"]
    return spdx, named, raw


def _edges(bom: dict[str, Any], *, nested: bool) -> int:
    top = {c["bom-ref"] for c in bom.get("components", [])}
    root = bom.get("metadata", {}).get("component", {}).get("bom-ref")
    if root:
        top.add(root)
    count = 0
    for d in bom.get("dependencies", []):
        for target in d.get("dependsOn", []):
            inside = d["ref"] in top and target in top
            count += inside != nested
    return count


def figures(bom: dict[str, Any]) -> dict[str, int]:
    comps = list(_components(bom))
    lic = [_licences(c) for c in comps]
    return {
        "components": len(comps),
        "with SHA-256 hashes": sum(1 for c in comps if c.get("hashes")),
        "with a supplier": sum(1 for c in comps if c.get("supplier")),
        "with authors": sum(1 for c in comps if c.get("authors") or c.get("author")),
        "with an SPDX licence": sum(1 for s, _, _ in lic if s),
        "with only a named licence": sum(1 for s, n, _ in lic if n and not s),
        "with a raw classifier as licence": sum(1 for _, _, r in lic if r),
        "with no licence": sum(1 for c in comps if not c.get("licenses")),
        "with external references": sum(1 for c in comps if c.get("externalReferences")),
        "PEP 770 nested components": sum(_nested(c) for c in comps),
        "dependency edges between packages": _edges(bom, nested=False),
        "dependency edges of nested components": _edges(bom, nested=True),
        "root component (metadata.component)": int("component" in bom.get("metadata", {})),
    }


def _read_ms(venv: Path) -> float:
    import statistics

    from pyward._inventory._environment import read_environment

    read_environment(venv)  # imports and file cache warm
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        read_environment(venv)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="an existing virtual environment")
    parser.add_argument("--keep", action="store_true", help="keep the temporary venv")
    args = parser.parse_args()
    cyclonedx_py = shutil.which("cyclonedx-py") or str(Path(sys.executable).parent / "cyclonedx-py")
    pyward = shutil.which("pyward") or str(Path(sys.executable).parent / "pyward")
    tmp = Path(tempfile.mkdtemp(prefix="pyward-bench-"))
    try:
        if args.venv:
            venv = args.venv
        else:
            t0 = time.perf_counter()
            venv = build_venv(tmp, PACKAGES)
            print(f"built {venv} in {time.perf_counter() - t0:.1f} s")
        theirs_file, ours_file = tmp / "cyclonedx-py.json", tmp / "pyward.json"
        t0 = time.perf_counter()
        theirs = cyclonedx_py_sbom(cyclonedx_py, _bin(venv, "python"), theirs_file)
        t_theirs = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(
            [pyward, "sbom", str(venv), "-f", "cyclonedx-json", "-o", str(ours_file), "-q"],
            check=True,
        )
        t_ours = time.perf_counter() - t0
        ours = json.loads(ours_file.read_bytes())
        ft, fo = figures(theirs), figures(ours)
        width = max(len(k) for k in ft)
        print(f"\n{'':<{width}}  {'cyclonedx-py':>12}  {'pyward':>8}")
        for key in ft:
            print(f"{key:<{width}}  {ft[key]:>12}  {fo[key]:>8}")
        print(f"{'wall time (s)':<{width}}  {t_theirs:>12.2f}  {t_ours:>8.2f}")
        print(f"\npyward environment read (in process, median of 7): {_read_ms(venv):.1f} ms")

        missing = sorted(
            {component_key(c) for c in theirs["components"]}
            - {component_key(c) for c in ours["components"]}
        )
        print(f"\ncomponents of cyclonedx-py missing from pyward: {missing or 'none'}")
        raw = sorted(
            {
                lic["license"]["name"]
                for c in theirs["components"]
                for lic in c.get("licenses", [])
                if "::" in lic.get("license", {}).get("name", "")
            }
        )
        print("raw classifier strings cyclonedx-py emits as licences:")
        for name in raw:
            print(f"  {name}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
