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
    from pyward._checks import (
        CHECKS,
        Check,
        CheckOptions,
        PythonTarget,
        Sources,
        select_checks,
    )
    from pyward._config import Config, IgnoreRule, find_config, load_config
    from pyward._findings import (
        LEVELS,
        CheckId,
        EolDetail,
        Finding,
        FindingKind,
        FixStep,
        Level,
        MaliciousDetail,
        OutdatedDetail,
        ProjectStatusDetail,
        Rating,
        Reference,
        Score,
        Suppressed,
        UnmaintainedDetail,
        VulnerabilityDetail,
        YankedDetail,
    )
    from pyward._gate import Gate, Verdict
    from pyward._inventory import read_inventory
    from pyward._model import Component, Hash, Inventory, Location, NotAudited
    from pyward._policy import RULES
    from pyward._policy._check import check
    from pyward._policy._details import (
        CooldownDetail,
        LicenseDetail,
        PackageDetail,
        PinningDetail,
        SourceDetail,
        TyposquatDetail,
        UndecidedDetail,
    )
    from pyward._policy._load import load_policy, parse_policy
    from pyward._policy._model import Policy
    from pyward._render import RENDERERS, render
    from pyward._report import AuditReport, DataSource, PolicySummary, SkippedCheck
    from pyward._sources.index._fetch import fetch_metadata
    from pyward._sources.index._metadata import IndexMetadata
    from pyward._sources.lifecycle import Lifecycle, load_lifecycle, resolve_python_target
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
    "CheckOptions": "pyward._checks",
    "Component": "pyward._model",
    "Config": "pyward._config",
    "CooldownDetail": "pyward._policy._details",
    "DataSource": "pyward._report",
    "EolDetail": "pyward._findings",
    "Finding": "pyward._findings",
    "FindingKind": "pyward._findings",
    "FixStep": "pyward._findings",
    "Gate": "pyward._gate",
    "Hash": "pyward._model",
    "IgnoreRule": "pyward._config",
    "IndexMetadata": "pyward._sources.index._metadata",
    "InputError": "pyward.errors",
    "Inventory": "pyward._model",
    "LEVELS": "pyward._findings",
    "Level": "pyward._findings",
    "LicenseDetail": "pyward._policy._details",
    "Lifecycle": "pyward._sources.lifecycle",
    "Location": "pyward._model",
    "MaliciousDetail": "pyward._findings",
    "NetworkError": "pyward.errors",
    "NoDataError": "pyward.errors",
    "NotAudited": "pyward._model",
    "OutdatedDetail": "pyward._findings",
    "PackageDetail": "pyward._policy._details",
    "PinningDetail": "pyward._policy._details",
    "Policy": "pyward._policy._model",
    "PolicySummary": "pyward._report",
    "ProjectStatusDetail": "pyward._findings",
    "PythonTarget": "pyward._checks",
    "PywardError": "pyward.errors",
    "RENDERERS": "pyward._render",
    "RULES": "pyward._policy",
    "Rating": "pyward._findings",
    "Reference": "pyward._findings",
    "Score": "pyward._findings",
    "SkippedCheck": "pyward._report",
    "SourceDetail": "pyward._policy._details",
    "Sources": "pyward._checks",
    "StoreInfo": "pyward._advisory._types",
    "Suppressed": "pyward._findings",
    "TyposquatDetail": "pyward._policy._details",
    "UndecidedDetail": "pyward._policy._details",
    "UnmaintainedDetail": "pyward._findings",
    "UsageError": "pyward.errors",
    "Verdict": "pyward._gate",
    "VulnerabilityDetail": "pyward._findings",
    "YankedDetail": "pyward._findings",
    "audit": "pyward._audit",
    "check": "pyward._policy._check",
    "fetch_metadata": "pyward._sources.index._fetch",
    "find_config": "pyward._config",
    "load_config": "pyward._config",
    "load_lifecycle": "pyward._sources.lifecycle",
    "load_policy": "pyward._policy._load",
    "load_vex": "pyward._vex",
    "parse_policy": "pyward._policy._load",
    "read_inventory": "pyward._inventory",
    "render": "pyward._render",
    "resolve_python_target": "pyward._sources.lifecycle",
    "select_checks": "pyward._checks",
}

__all__ = [
    "CHECKS",
    "LEVELS",
    "RENDERERS",
    "RULES",
    "AdvisoryStore",
    "AuditReport",
    "Check",
    "CheckId",
    "CheckOptions",
    "Component",
    "Config",
    "CooldownDetail",
    "DataSource",
    "EolDetail",
    "Finding",
    "FindingKind",
    "FixStep",
    "Gate",
    "Hash",
    "IgnoreRule",
    "IndexMetadata",
    "InputError",
    "Inventory",
    "Level",
    "LicenseDetail",
    "Lifecycle",
    "Location",
    "MaliciousDetail",
    "NetworkError",
    "NoDataError",
    "NotAudited",
    "OutdatedDetail",
    "PackageDetail",
    "PinningDetail",
    "Policy",
    "PolicySummary",
    "ProjectStatusDetail",
    "PythonTarget",
    "PywardError",
    "Rating",
    "Reference",
    "Score",
    "SkippedCheck",
    "SourceDetail",
    "Sources",
    "StoreInfo",
    "Suppressed",
    "TyposquatDetail",
    "UndecidedDetail",
    "UnmaintainedDetail",
    "UsageError",
    "Verdict",
    "VulnerabilityDetail",
    "YankedDetail",
    "__version__",
    "audit",
    "check",
    "fetch_metadata",
    "find_config",
    "load_config",
    "load_lifecycle",
    "load_policy",
    "load_vex",
    "parse_policy",
    "read_inventory",
    "render",
    "resolve_python_target",
    "select_checks",
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
