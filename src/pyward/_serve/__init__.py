"""``pyward serve``: the local advisory store as an OSV-compatible HTTP API.

Public names: :func:`create_app` (the ASGI application over any store) and
:func:`serve` (run it under uvicorn).
"""

from __future__ import annotations

from pyward._serve._app import create_app
from pyward._serve._runner import serve

__all__ = ["create_app", "serve"]
