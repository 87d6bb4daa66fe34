"""The library's policy check: :func:`check`, the policy's verdict on inventories."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pyward._policy._model import Policy

if TYPE_CHECKING:
    from pyward._advisory._types import AdvisoryData
    from pyward._checks import CheckOptions, PythonTarget, Sources
    from pyward._config import Config
    from pyward._model import Inventory
    from pyward._report import AuditReport
    from pyward._vex import VexStatement

__all__ = ["check"]


def check(
    inventories: Sequence[Inventory],
    data: AdvisoryData | None,
    *,
    policy: Policy | None = None,
    config: Config | None = None,
    sources: Sources | None = None,
    vex: Sequence[VexStatement] = (),
    errors: Sequence[str] = (),
    warnings: Sequence[str] = (),
    today: dt.date | None = None,
    python: PythonTarget | None = None,
    options: CheckOptions | None = None,
) -> AuditReport:
    """The policy's verdict on ``inventories``: the checks of the rules ``policy`` turns
    on (default: the built-in default policy), with its settings, through the gate it
    sets. ``data`` is the advisory data; ``sources`` the other data the rules use (index
    metadata, lifecycle data, the popularity list), fetched by the caller (see
    :func:`pyward.fetch_metadata`); a rule whose data is missing is reported as
    ``undecided``. ``config`` carries the ignore rules (exceptions with a reason);
    ``errors`` and ``warnings`` are what the caller met while reading (as for
    :func:`pyward.audit`).

    Pure, like :func:`pyward.audit`: no network, no files."""
    from pyward._audit import audit
    from pyward._checks import CheckOptions
    from pyward._policy._verdict import policy_checks

    policy = policy or Policy()
    base = options or CheckOptions()
    years = policy.unmaintained.years if policy.unmaintained is not None else None
    options = dataclasses.replace(
        base, policy=policy, unmaintained_years=years or base.unmaintained_years
    )
    return audit(
        inventories,
        data,
        config=config,
        vex=vex,
        errors=errors,
        warnings=warnings,
        today=today,
        sources=sources,
        checks=policy_checks(policy),
        python=python,
        options=options,
    )
