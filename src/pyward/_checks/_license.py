"""The ``license`` check: every component's licence against the policy's allow and deny
lists (``LicensesRule``), evaluated on SPDX expressions with ``license-expression``.

**Evaluation.** An expression passes when one of its choices uses only accepted
licences: ``MIT OR GPL-3.0-only`` passes an allow-list that holds ``MIT``; ``A AND B``
needs both. A licence is accepted when it is not denied and, if the allow-list is not
empty, on it. When no choice avoids a denied licence the outcome is ``denied`` (deny
wins); when some choice avoids every denied one but none stays within the allow-list,
``not-allowed``. ``A WITH E`` is matched by a list entry ``A WITH E`` when a list names
that form, else by ``A``: ``deny = ["GPL-2.0-only"]`` denies
``GPL-2.0-only WITH Classpath-exception-2.0`` unless a list names the exception form.
Ids compare as SPDX says, without regard to case, and deprecated ids take their current
spelling (``GPL-2.0+`` is ``GPL-2.0-or-later``).

**Where the licence comes from**, first found: the component's SPDX expression
(``Component.license_expression``: METADATA's ``License-Expression`` in an environment,
an SBOM's licence, pip's report); the free-text ``License`` field
(``metadata["license"]``) when it is an SPDX expression or in :data:`FREE_TEXT`; the
licence classifiers (``metadata["license-classifiers"]``, one a line) through
:data:`CLASSIFIERS`. A component whose input carries none of these is looked up in the
index's JSON API, which describes the project's **latest** release (the finding says
which release when it is not the locked one). Anything that cannot be mapped to SPDX
ids is ``unknown``, with what was found; never a pass. With no input licence and no
JSON API answer the component is :class:`~pyward._checks.Undecided`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pyward._checks import CheckContext, CheckResult
from pyward._checks._common import check_finding
from pyward._checks._undecided import undecided
from pyward._findings import CheckId, Finding
from pyward._model import Component, Inventory
from pyward._policy._details import LicenseDetail
from pyward._policy._model import LicensesRule
from pyward._sources.index._port import IndexFailure
from pyward._sources.index._versions import release_key

if TYPE_CHECKING:
    from license_expression import LicenseSymbol, Licensing

__all__ = [
    "CHECK",
    "CLASSIFIERS",
    "FREE_TEXT",
    "Evaluation",
    "Licence",
    "evaluate",
    "licence_in_input",
    "read_licence",
    "run",
    "validate_spdx_ids",
]

#: The check's id: the kind of finding it reports.
CHECK = CheckId("license")

Outcome = Literal["pass", "denied", "not-allowed", "unknown"]

#: Trove licence classifiers that name one SPDX licence. A classifier that names a
#: family (``BSD License``, ``Apache Software License``, ``GNU General Public License
#: (GPL)``) is not here: it does not say which licence, so it is ``unknown``.
CLASSIFIERS: Mapping[str, str] = {
    f"License :: {k}": v
    for k, v in {
        "OSI Approved :: MIT License": "MIT",
        "OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
        "OSI Approved :: Zero-Clause BSD (0BSD)": "0BSD",
        "OSI Approved :: ISC License (ISCL)": "ISC",
        "OSI Approved :: Python Software Foundation License": "PSF-2.0",
        "OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
        "OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
        "OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
        "OSI Approved :: GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
        "OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
        "OSI Approved :: GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
        "OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
        "OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": (
            "LGPL-2.0-or-later"
        ),
        "OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
        "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": (
            "LGPL-3.0-or-later"
        ),
        "OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
        "OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)": (
            "AGPL-3.0-or-later"
        ),
        "OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
        "OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
        "OSI Approved :: Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
        "OSI Approved :: Universal Permissive License (UPL)": "UPL-1.0",
        "OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
        "OSI Approved :: zlib/libpng License": "Zlib",
        "OSI Approved :: Historical Permission Notice and Disclaimer (HPND)": "HPND",
        "OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)": "BlueOak-1.0.0",
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    }.items()
}

#: Free-text ``License`` values (compared lower-cased, spaces collapsed) that name one
#: SPDX licence. A text that is an SPDX expression already needs no entry; one that
#: names a family (``BSD``, ``GPL``, ``Apache``) has none on purpose.
FREE_TEXT: Mapping[str, str] = {
    "mit license": "MIT",
    "the mit license": "MIT",
    "mit licence": "MIT",
    "expat": "MIT",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "simplified bsd": "BSD-2-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause",
    "isc license": "ISC",
    "psf": "PSF-2.0",
    "psf license": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "mpl 2.0": "MPL-2.0",
    "mozilla public license 2.0": "MPL-2.0",
    "gplv2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "agplv3": "AGPL-3.0-only",
    "the unlicense": "Unlicense",
}

#: The classifier that names a category, not a licence.
_CATEGORY = "License :: OSI Approved"
#: SPDX's "no licence information": what an SBOM writes when it does not know.
_NO_VALUE = frozenset({"NOASSERTION", "NONE"})
#: A user-defined licence reference (SPDX annex D): ``LicenseRef-...``, optionally
#: ``DocumentRef-...:LicenseRef-...``.
_LICENSE_REF = re.compile(r"(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+", re.I)
#: The longest found text a finding quotes.
_SHOWN = 80


@lru_cache(maxsize=1)
def _licensing() -> Licensing:
    # The SPDX licence list is loaded once (a few tens of milliseconds).
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@dataclass(frozen=True, slots=True, kw_only=True)
class Licence:
    """What was found of a component's licence."""

    expression: str | None
    """The SPDX expression, normalised; ``None`` when what was found maps to none."""
    found: str | None
    """What was found, as written (first line, shortened); ``None`` when nothing was."""
    origin: str
    """Where it came from, in words."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """The outcome of an expression against a rule."""

    outcome: Outcome
    """``pass``, ``denied``, ``not-allowed`` or ``unknown``."""
    offending: tuple[str, ...] = ()
    """The licence ids that decide a failing outcome, as the expression spells them."""


# -- SPDX expressions ------------------------------------------------------------------


def _leaf_ids(symbol: object) -> tuple[str, str | None]:
    """A leaf's licence id and, for ``A WITH E``, the whole form (both as spelled)."""
    from license_expression import LicenseWithExceptionSymbol

    if isinstance(symbol, LicenseWithExceptionSymbol):
        lic = symbol.license_symbol.key
        return lic, f"{lic} WITH {symbol.exception_symbol.key}"
    return str(getattr(symbol, "key", symbol)), None


def _known(symbol: LicenseSymbol) -> bool:
    return symbol.key in _licensing().known_symbols or bool(_LICENSE_REF.fullmatch(symbol.key))


@lru_cache(maxsize=4096)
def _parse(text: str) -> object | None:
    """``text`` as a parsed SPDX expression whose every id is a known SPDX id or a
    ``LicenseRef-``; ``None`` when it is not one."""
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=False, strict=True)
    except (ExpressionError, ValueError, TypeError, AttributeError):
        return None
    if parsed is None:
        return None
    symbols = licensing.license_symbols(parsed, decompose=True)
    if not symbols or not all(_known(s) for s in symbols):
        return None
    found: object = parsed
    return found


def spdx_expression(text: str) -> str | None:
    """``text`` as a normalised SPDX expression (``mit or apache-2.0`` is
    ``MIT OR Apache-2.0``), ``None`` when it is not one."""
    stripped = text.strip()
    if not stripped or stripped.upper() in _NO_VALUE:
        return None
    parsed = _parse(stripped)
    return str(parsed) if parsed is not None else None


def validate_spdx_ids(ids: Iterable[str]) -> list[str]:
    """The entries of ``ids`` (a policy's allow or deny list) that are not SPDX licence
    ids, in their order: an entry is a known id (any case; a deprecated one too), a
    ``LicenseRef-`` reference, or ``ID WITH EXCEPTION`` of known ones."""
    from license_expression import LicenseSymbol, LicenseWithExceptionSymbol

    bad: list[str] = []
    for entry in ids:
        parsed = _parse(entry.strip()) if entry.strip() else None
        if isinstance(parsed, LicenseWithExceptionSymbol):
            ok = not parsed.license_symbol.is_exception and parsed.exception_symbol.is_exception
        elif isinstance(parsed, LicenseSymbol):
            ok = not parsed.is_exception
        else:
            ok = False
        if not ok:
            bad.append(entry)
    return bad


@lru_cache(maxsize=64)
def _entries(ids: tuple[str, ...]) -> frozenset[str]:
    """A list's entries as compared: lower-cased, deprecated ids in their current form."""
    out: set[str] = set()
    for entry in ids:
        parsed = _parse(entry.strip())
        text = str(parsed) if parsed is not None else entry.strip()
        out.add(" ".join(text.split()).lower())
    return frozenset(out)


def evaluate(expression: str, rule: LicensesRule) -> Evaluation:
    """``expression`` (an SPDX expression) against ``rule``'s lists; ``unknown`` when it
    is not an SPDX expression."""
    from license_expression import LicenseWithExceptionSymbol

    parsed = _parse(expression.strip())
    if parsed is None:
        return Evaluation(outcome="unknown")
    allow, deny = _entries(rule.allow), _entries(rule.deny)
    named = allow | deny
    denied: dict[str, None] = {}
    outside: dict[str, None] = {}
    verdicts: dict[object, tuple[bool, bool]] = {}
    for symbol in _licensing().license_symbols(parsed, decompose=False):
        lic, whole = _leaf_ids(symbol)
        spelled = whole or lic
        key = whole.lower() if whole is not None and whole.lower() in named else lic.lower()
        is_denied = key in deny
        is_allowed = not is_denied and (not allow or key in allow)
        if is_denied:
            denied[spelled] = None
        elif not is_allowed:
            outside[spelled] = None
        verdicts[symbol] = (is_denied, is_allowed)

    def holds(node: object, leaf_ok: int) -> bool:
        # leaf_ok 0: "not denied"; 1: "accepted". AND needs every part, OR one choice.
        if isinstance(node, LicenseWithExceptionSymbol) or node in verdicts:
            is_denied, is_allowed = verdicts[node]
            return is_allowed if leaf_ok else not is_denied
        args: Sequence[object] = getattr(node, "args", ())
        if isinstance(node, _licensing().AND):
            return all(holds(a, leaf_ok) for a in args)
        return any(holds(a, leaf_ok) for a in args)

    if holds(parsed, 1):
        return Evaluation(outcome="pass")
    if not holds(parsed, 0):
        return Evaluation(outcome="denied", offending=tuple(denied))
    return Evaluation(outcome="not-allowed", offending=tuple(outside))


# -- where the licence comes from ------------------------------------------------------


def licence_in_input(comp: Component) -> bool:
    """Whether ``comp``'s input says anything of its licence (an expression, the free
    text or classifiers): if not, the check asks the index."""
    return bool(
        comp.license_expression
        or comp.metadata.get("license", "").strip()
        or comp.metadata.get("license-classifiers", "").strip()
    )


def _shown(text: str) -> str:
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    return first if len(first) <= _SHOWN else first[: _SHOWN - 3] + "..."


def _free_text(text: str) -> str | None:
    """A free-text ``License`` value as an SPDX expression: one already, or a
    :data:`FREE_TEXT` entry."""
    found = spdx_expression(text)
    if found is not None:
        return found
    return FREE_TEXT.get(" ".join(text.split()).lower())


def _classifiers(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The licence classifiers as one SPDX expression (their ids joined with ``AND``:
    classifiers do not say whether they offer a choice, so each must be accepted), and
    what was found; ``None`` as the expression when one does not map."""
    found = [c.strip() for c in lines if c.strip() and c.strip() != _CATEGORY]
    if not found:
        return None, None
    ids = [CLASSIFIERS.get(c) for c in found]
    shown = "; ".join(found)
    if any(i is None for i in ids):
        return None, shown
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    return " AND ".join(unique), shown


_ORIGINS: Mapping[str, str] = {
    "environment": "the environment's METADATA",
    "cyclonedx": "the SBOM",
    "spdx": "the SBOM",
}


def _input_origin(inv: Inventory) -> str:
    if inv.format in _ORIGINS:
        return _ORIGINS[inv.format]
    if inv.format.startswith("pip"):
        return "pip's installation report"
    return f"the {inv.format} input"


def _decide(
    expression: str | None,
    free_text: str | None,
    classifiers: Iterable[str],
    origin: str,
) -> Licence | None:
    """The licence that an expression, a free-text field and classifiers give, in that
    order; ``None`` when there are none of them."""
    if expression and expression.strip():
        spdx = spdx_expression(expression)
        return Licence(expression=spdx, found=_shown(expression), origin=origin)
    text_found: str | None = None
    if free_text and free_text.strip():
        spdx = _free_text(free_text)
        if spdx is not None:
            return Licence(expression=spdx, found=_shown(free_text), origin=f"{origin} (License)")
        text_found = _shown(free_text)
    joined, shown = _classifiers(classifiers)
    if joined is not None:
        return Licence(expression=joined, found=shown, origin=f"{origin} (classifiers)")
    found = "; ".join(t for t in (text_found, shown) if t)
    if found:
        return Licence(expression=None, found=found, origin=origin)
    return None


def read_licence(context: CheckContext, inv: Inventory, comp: Component) -> Licence | str:
    """``comp``'s licence, from its input or else its index's JSON API; or why it could
    not be looked up, in words (the component is then undecided)."""
    origin = _input_origin(inv)
    if licence_in_input(comp):
        found = _decide(
            comp.license_expression,
            comp.metadata.get("license"),
            comp.metadata.get("license-classifiers", "").splitlines(),
            origin,
        )
        if found is not None:
            return found
    lacking = f"{inv.format} carries no licence"
    index = context.sources.index
    if index is None:
        why = context.sources.unavailable.get("index", "no index metadata was fetched")
        return f"{lacking}, and the index was not asked ({why})"
    answer = index.releases.get(comp.name)
    if isinstance(answer, IndexFailure):
        reason = answer.reason.removeprefix(f"{answer.name}: ")
        return f"{lacking}, and its index's JSON API could not be read ({reason})"
    info = index.release_info(comp.name)
    if info is None:
        page = index.page(comp.name)
        if isinstance(page, IndexFailure):
            reason = page.reason.removeprefix(f"{page.name}: ")
            return f"{lacking}, and its index could not be read ({reason})"
        return f"{lacking}, and its index has no JSON API to give one"
    where = "the index's JSON API"
    if info.version is not None and release_key(info.version) != release_key(comp.version or ""):
        where += f" (latest release {info.version}, not {comp.version})"
    found = _decide(
        None, info.license, [c for c in info.classifiers if c.startswith("License ::")], where
    )
    return found or Licence(expression=None, found=None, origin=where)


# -- the check -------------------------------------------------------------------------


def rule_of(context: CheckContext) -> LicensesRule:
    """The licence settings in force: the policy's ``licenses`` rule, else the defaults
    (no list: only an unknown licence is reported)."""
    policy = context.options.policy
    if policy is not None and policy.licenses is not None:
        return policy.licenses
    return LicensesRule()


def run(context: CheckContext) -> CheckResult:
    rule = rule_of(context)
    findings: list[Finding] = []
    lacking: list[tuple[Inventory, Component, str]] = []
    for inv, comp in context.subjects:
        licence = read_licence(context, inv, comp)
        if isinstance(licence, str):
            lacking.append((inv, comp, licence))
            continue
        if licence.expression is None:
            evaluation = Evaluation(outcome="unknown")
        else:
            evaluation = evaluate(licence.expression, rule)
        if evaluation.outcome == "pass":
            continue
        findings.append(_finding(context, inv, comp, licence, evaluation))
    return CheckResult(
        findings=tuple(findings),
        undecided=undecided(context, lacking, what="licence", lacking="no licence"),
    )


def _finding(
    context: CheckContext,
    inv: Inventory,
    comp: Component,
    licence: Licence,
    evaluation: Evaluation,
) -> Finding:
    outcome = evaluation.outcome
    if outcome == "pass":  # pragma: no cover - a pass is no finding
        raise ValueError("a passing licence is not a finding")
    pin = f"{comp.name} {comp.version}"
    offending = ", ".join(evaluation.offending)
    if outcome == "unknown":
        what = licence.found or "none found"
        summary = f"{pin}: licence unknown ({what})"
        details = (
            f"The licence of {pin} could not be read as SPDX licence ids (from "
            f"{licence.origin}: {what}). An unknown licence is not a pass: find the "
            "licence and add an ignore entry with the reason, or let the policy's "
            'licenses rule say unknown = "pass".'
        )
    elif outcome == "denied":
        summary = f"{pin}: licence {licence.expression} is denied by the policy ({offending})"
        details = (
            f"{pin} is licensed {licence.expression} (from {licence.origin}); every choice "
            f"it offers includes a licence the policy denies: {offending}."
        )
    else:
        summary = (
            f"{pin}: licence {licence.expression} is not on the policy's allow-list ({offending})"
        )
        details = (
            f"{pin} is licensed {licence.expression} (from {licence.origin}); no choice it "
            f"offers stays within the policy's allow-list: {offending} is not on it."
        )
    return check_finding(
        CHECK,
        context,
        inv,
        comp,
        summary=summary,
        details=details,
        detail=LicenseDetail(
            outcome=outcome,
            expression=licence.expression if outcome != "unknown" else licence.found,
            offending=evaluation.offending,
            origin=licence.origin,
        ),
    )
