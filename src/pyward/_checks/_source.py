"""The ``source`` check: packages come only from the indexes the policy names, and a
name taken from a private index is not also on a public one (dependency confusion).

Each component's index is the one its input records (``Component.index``: a lock's
``source``/``index`` entry, a requirements file's ``--index-url``), else the index
configured for its project, which is what an installer would use
(:class:`~pyward._sources.index._resolve.IndexResolver`, the same decision the index checks
make; ``Sources.configured_indexes``). URLs compare by
:func:`~pyward._sources.index._resolve.index_key`: without credentials, the final
``/``, the scheme's own port, and with the scheme and host in lower case. A component
whose index cannot be told (an installed distribution, or an input that records none
with no index configured) is ``undecided``, never passed.

With ``indexes`` not empty, a component from another index is an ``unlisted-index``
finding. With ``public`` not empty, a component from an index that is not one of them
is looked up on each (``Sources.public_names``, asked before the checks by
:func:`~pyward._sources.index._public.probe_public`): a name a public index has is a
``confusion`` finding; a public index that could not answer (offline with nothing
cached, unreachable, 5xx) leaves it ``undecided``. A 404 means "not there".

VCS, URL and path dependencies come from no index: the audit reports them as not
audited, and this check does not see them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from pyward._checks import CheckContext, CheckResult, Undecided
from pyward._checks._common import check_finding
from pyward._findings import CheckId, Finding
from pyward._model import Component, Inventory
from pyward._policy._details import SourceDetail
from pyward._policy._model import SourcesRule
from pyward._sources.index._resolve import index_key
from pyward._text import redact_url

__all__ = ["CHECK", "Origin", "compare_key", "origin_of", "probe_names", "run"]

#: The check's id: the kind of finding it reports.
CHECK = CheckId("source")


@lru_cache(maxsize=1024)
def compare_key(url: str) -> str:
    """What an index URL is compared by: :func:`index_key`, or the text as written
    (stripped) for one that is not an http(s) URL (a ``file:`` index, a directory)."""
    return index_key(url) or url.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """The index a component comes from."""

    url: str
    """As recorded or configured (may hold credentials: shown only redacted)."""
    configured: bool
    """Its input records none; this is the index configured for its project."""

    @property
    def key(self) -> str:
        return compare_key(self.url)

    @property
    def shown(self) -> str:
        return redact_url(self.url)


def origin_of(inv: Inventory, comp: Component, configured: Mapping[str, str]) -> Origin | str:
    """The index ``comp`` (of ``inv``) comes from, or why it cannot be told."""
    if comp.index:
        return Origin(url=comp.index, configured=False)
    if comp.source == "installed":
        return "an installed distribution does not record the index it came from"
    found = configured.get(inv.source)
    if found is not None:
        return Origin(url=found, configured=True)
    return "the input does not record its index, and no index is configured"


def probe_names(
    subjects: Iterable[tuple[Inventory, Component]],
    rule: SourcesRule,
    configured: Mapping[str, str],
) -> list[str]:
    """The names to ask the rule's public indexes about: those of the components from
    a known index that is allowed (or any, with no ``indexes`` list) and not public."""
    if not rule.public:
        return []
    allowed = {compare_key(u) for u in rule.indexes}
    public = {compare_key(u) for u in rule.public}
    names: dict[str, None] = {}
    for inv, comp in subjects:
        origin = origin_of(inv, comp, configured)
        if isinstance(origin, str) or origin.key in public:
            continue
        if allowed and origin.key not in allowed:
            continue
        names.setdefault(comp.name)
    return list(names)


def run(context: CheckContext) -> CheckResult:
    policy = context.options.policy
    rule = (policy.sources if policy is not None else None) or SourcesRule()
    if not rule.indexes and not rule.public:
        return CheckResult()
    allowed = {compare_key(u) for u in rule.indexes}
    public = list(dict.fromkeys(rule.public))
    public_keys = {compare_key(u) for u in public}
    answers = context.sources.public_names
    findings: list[Finding] = []
    undecided: list[Undecided] = []
    for inv, comp in context.subjects:
        origin = origin_of(inv, comp, context.sources.configured_indexes)
        if isinstance(origin, str):
            undecided.append(_undecided(context, inv, comp, origin))
            continue
        if allowed and origin.key not in allowed:
            detail = SourceDetail(problem="unlisted-index", index=origin.shown)
            findings.append(_finding(context, inv, comp, detail, origin))
            continue
        if not public or origin.key in public_keys:
            continue
        unknown: list[str] = []
        for url in public:
            answer = answers.get((compare_key(url), comp.name))
            if answer is None:
                unknown.append(f"{redact_url(url)} was not asked")
            elif answer.exists is None:
                unknown.append(answer.reason or f"{redact_url(url)} did not answer")
            elif answer.exists:
                detail = SourceDetail(
                    problem="confusion", index=origin.shown, public_index=redact_url(url)
                )
                findings.append(_finding(context, inv, comp, detail, origin))
                break
        else:
            if unknown:
                reason = "whether a public index has the name too is unknown: " + "; ".join(unknown)
                undecided.append(_undecided(context, inv, comp, reason))
    return CheckResult(findings=tuple(findings), undecided=tuple(undecided))


def _undecided(context: CheckContext, inv: Inventory, comp: Component, reason: str) -> Undecided:
    return Undecided(
        component=comp,
        path=context.path_of(inv, comp),
        reason=reason,
        note=f"{comp.name} {comp.version}: source rule: {reason}",
    )


def _finding(
    context: CheckContext, inv: Inventory, comp: Component, detail: SourceDetail, origin: Origin
) -> Finding:
    how = " (the index configured for its project)" if origin.configured else ""
    if detail.problem == "confusion":
        details = (
            f"{comp.name} comes from {detail.index}{how}, and {detail.public_index} has a "
            "project of that name too. An installer that sees both indexes (pip's "
            "--extra-index-url) takes the higher version wherever it is, so whoever owns "
            "the public name can replace this package. Tie the package to its index (uv: "
            "an explicit index in tool.uv.sources; pip: one --index-url that proxies the "
            "public index), or take ownership of the public name."
        )
    else:
        details = (
            f"{comp.name} comes from {detail.index}{how}, which is not one of the indexes "
            "the policy's sources rule names."
        )
    return check_finding(
        CHECK,
        context,
        inv,
        comp,
        summary=f"{comp.name} {comp.version}: {detail.describe()}",
        details=details,
        detail=detail,
    )
