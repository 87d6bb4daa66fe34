"""pyward: supply-chain security for Python projects.

The public API is what ``__all__`` lists; everything else lives in underscored modules
and may change. A run in three steps::

    from pathlib import Path

    import pyward

    inventory = pyward.read_inventory(Path("uv.lock"))
    report = pyward.audit([inventory], pyward.AdvisoryStore.open())
    for finding in report.findings:
        print(finding.kind, finding.id, finding.component, finding.rating.level)
    print(pyward.render(report, "json", color=False))

:func:`audit` runs every registered check (:data:`CHECKS`) and returns an
:class:`AuditReport` whose findings (:class:`Finding`, of any kind) the gate
(:class:`Gate`: thresholds, ignore rules, VEX) has already sorted into kept, suppressed
and failing. Errors are :class:`PywardError` subclasses carrying a one-line message and
the exit code the command line maps them to.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyward._advisory import AdvisoryStore
    from pyward._advisory._types import StoreInfo
    from pyward._audit import audit
    from pyward._checks import CHECKS, Check, Sources
    from pyward._config import Config, IgnoreRule, find_config, load_config
    from pyward._findings import (
        LEVELS,
        CheckId,
        Finding,
        FindingKind,
        FixStep,
        Level,
        Rating,
        Reference,
        Score,
        Suppressed,
        VulnerabilityDetail,
    )
    from pyward._gate import Gate, Verdict
    from pyward._inventory import read_inventory
    from pyward._model import Component, Hash, Inventory, Location, NotAudited
    from pyward._render import RENDERERS, render
    from pyward._report import AuditReport, SkippedCheck
    from pyward._vex import load_vex
    from pyward.errors import (
        InputError,
        NetworkError,
        NoDataError,
        PywardError,
        UsageError,
    )

#: Public name -> the module that defines it. The command line imports this package on
#: every run (``pyward --version`` included), so the library behind the public API is
#: loaded when a name is first used (PEP 562), not at import: this is the package's one
#: lazy boundary; no module inside the package re-exports lazily.
_PUBLIC: dict[str, str] = {
    "AdvisoryStore": "pyward._advisory",
    "AuditReport": "pyward._report",
    "CHECKS": "pyward._checks",
    "Check": "pyward._checks",
    "CheckId": "pyward._findings",
    "Component": "pyward._model",
    "Config": "pyward._config",
    "Finding": "pyward._findings",
    "FindingKind": "pyward._findings",
    "FixStep": "pyward._findings",
    "Gate": "pyward._gate",
    "Hash": "pyward._model",
    "IgnoreRule": "pyward._config",
    "InputError": "pyward.errors",
    "Inventory": "pyward._model",
    "LEVELS": "pyward._findings",
    "Level": "pyward._findings",
    "Location": "pyward._model",
    "NetworkError": "pyward.errors",
    "NoDataError": "pyward.errors",
    "NotAudited": "pyward._model",
    "PywardError": "pyward.errors",
    "RENDERERS": "pyward._render",
    "Rating": "pyward._findings",
    "Reference": "pyward._findings",
    "Score": "pyward._findings",
    "SkippedCheck": "pyward._report",
    "Sources": "pyward._checks",
    "StoreInfo": "pyward._advisory._types",
    "Suppressed": "pyward._findings",
    "UsageError": "pyward.errors",
    "Verdict": "pyward._gate",
    "VulnerabilityDetail": "pyward._findings",
    "audit": "pyward._audit",
    "find_config": "pyward._config",
    "load_config": "pyward._config",
    "load_vex": "pyward._vex",
    "read_inventory": "pyward._inventory",
    "render": "pyward._render",
}

__all__ = [
    "CHECKS",
    "LEVELS",
    "RENDERERS",
    "AdvisoryStore",
    "AuditReport",
    "Check",
    "CheckId",
    "Component",
    "Config",
    "Finding",
    "FindingKind",
    "FixStep",
    "Gate",
    "Hash",
    "IgnoreRule",
    "InputError",
    "Inventory",
    "Level",
    "Location",
    "NetworkError",
    "NoDataError",
    "NotAudited",
    "PywardError",
    "Rating",
    "Reference",
    "Score",
    "SkippedCheck",
    "Sources",
    "StoreInfo",
    "Suppressed",
    "UsageError",
    "Verdict",
    "VulnerabilityDetail",
    "__version__",
    "audit",
    "find_config",
    "load_config",
    "load_vex",
    "read_inventory",
    "render",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'pyward' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
