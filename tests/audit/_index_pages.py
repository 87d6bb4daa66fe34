"""PEP 691 project pages built in tests, for fix targets checked against an index."""

from __future__ import annotations

import json


def project_page(name: str, versions: dict[str, bool]) -> bytes:
    """A PEP 691 JSON page of ``name`` with one wheel per version (``True``: yanked)."""
    files = [
        {
            "filename": f"{name}-{v}-py3-none-any.whl",
            "url": f"https://files.index.invalid/{name}-{v}-py3-none-any.whl",
            "hashes": {"sha256": "0" * 64},
            "yanked": yanked,
        }
        for v, yanked in versions.items()
    ]
    page = {
        "meta": {"api-version": "1.1"},
        "name": name,
        "versions": list(versions),
        "files": files,
    }
    return json.dumps(page).encode()
