"""The ``license`` check: SPDX expressions against allow and deny lists (table-driven),
``validate_spdx_ids`` for the policy loader, and where a licence comes from (the
component's expression, the free-text field, classifiers; an environment's METADATA)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from pyward._checks import CheckContext, CheckOptions, Sources
from pyward._checks._license import (
    CLASSIFIERS,
    FREE_TEXT,
    evaluate,
    run,
    spdx_expression,
    validate_spdx_ids,
)
from pyward._findings import Rating
from pyward._inventory._environment import read_environment
from pyward._model import Component, Inventory, component_key
from pyward._policy._details import LicenseDetail
from pyward._policy._model import LicensesRule, Policy

PERMISSIVE = LicensesRule(allow=("MIT", "BSD-3-Clause", "Apache-2.0"), deny=("GPL-3.0-only",))

EXPRESSIONS = [
    # expression, rule, outcome, offending
    ("MIT", PERMISSIVE, "pass", ()),
    ("mit", PERMISSIVE, "pass", ()),
    ("MIT OR GPL-3.0-only", LicensesRule(allow=("MIT",)), "pass", ()),
    ("GPL-3.0-only OR MIT", PERMISSIVE, "pass", ()),
    ("MIT AND Apache-2.0", PERMISSIVE, "pass", ()),
    ("MIT AND GPL-2.0-only", PERMISSIVE, "not-allowed", ("GPL-2.0-only",)),
    ("MIT AND GPL-3.0-only", PERMISSIVE, "denied", ("GPL-3.0-only",)),
    ("GPL-3.0-only", PERMISSIVE, "denied", ("GPL-3.0-only",)),
    # Deny wins only when no choice avoids a denied licence.
    ("GPL-3.0-only OR ISC", PERMISSIVE, "not-allowed", ("ISC",)),
    ("GPL-3.0-only OR ISC", LicensesRule(deny=("GPL-3.0-only",)), "pass", ()),
    ("(MIT OR GPL-3.0-only) AND (GPL-3.0-only OR BSD-3-Clause)", PERMISSIVE, "pass", ()),
    ("(MIT OR GPL-3.0-only) AND GPL-3.0-only", PERMISSIVE, "denied", ("GPL-3.0-only",)),
    ("MPL-2.0 AND (Apache-2.0 OR MIT)", PERMISSIVE, "not-allowed", ("MPL-2.0",)),
    # An empty allow-list allows what is not denied.
    ("LGPL-2.1-or-later", LicensesRule(deny=("GPL-3.0-only",)), "pass", ()),
    ("LGPL-2.1-or-later", LicensesRule(), "pass", ()),
    # Deprecated ids take their current spelling, on both sides.
    ("GPL-2.0+", LicensesRule(deny=("GPL-2.0-or-later",)), "denied", ("GPL-2.0-or-later",)),
    ("GPL-2.0-or-later", LicensesRule(deny=("GPL-2.0+",)), "denied", ("GPL-2.0-or-later",)),
    # WITH: the exception form when a list names it, else the licence itself.
    (
        "GPL-2.0-only WITH Classpath-exception-2.0",
        LicensesRule(deny=("GPL-2.0-only",)),
        "denied",
        ("GPL-2.0-only WITH Classpath-exception-2.0",),
    ),
    (
        "GPL-2.0-only WITH Classpath-exception-2.0",
        LicensesRule(
            allow=("MIT", "GPL-2.0-only WITH Classpath-exception-2.0"), deny=("GPL-2.0-only",)
        ),
        "pass",
        (),
    ),
    ("Apache-2.0 WITH LLVM-exception", PERMISSIVE, "pass", ()),
    # LicenseRef-: a licence of the organisation's own naming.
    ("LicenseRef-Proprietary", PERMISSIVE, "not-allowed", ("LicenseRef-Proprietary",)),
    ("LicenseRef-Proprietary", LicensesRule(allow=("LicenseRef-proprietary",)), "pass", ()),
    ("MIT OR LicenseRef-Internal", LicensesRule(deny=("LicenseRef-Internal",)), "pass", ()),
    # Not an SPDX expression: unknown, whatever the lists.
    ("BSD", PERMISSIVE, "unknown", ()),
    ("MIT License", PERMISSIVE, "unknown", ()),
    ("MIT AND", PERMISSIVE, "unknown", ()),
    ("Apache-2.0 WITH Made-Up-exception", LicensesRule(), "unknown", ()),
    ("", PERMISSIVE, "unknown", ()),
]


@pytest.mark.parametrize(("expression", "rule", "outcome", "offending"), EXPRESSIONS)
def test_expressions_against_the_lists(
    expression: str, rule: LicensesRule, outcome: str, offending: tuple[str, ...]
) -> None:
    evaluation = evaluate(expression, rule)
    assert (evaluation.outcome, evaluation.offending) == (outcome, offending)


def test_spdx_expressions_are_normalised() -> None:
    assert spdx_expression("mit or apache-2.0") == "MIT OR Apache-2.0"
    assert spdx_expression("GPL-2.0+") == "GPL-2.0-or-later"
    assert spdx_expression("NOASSERTION") is None
    assert spdx_expression("NONE") is None
    assert spdx_expression("Permission is hereby granted, free of charge") is None


def test_validate_spdx_ids_names_what_is_not_an_id() -> None:
    ids = [
        "MIT",
        "apache-2.0",
        "GPL-2.0",  # deprecated, still an SPDX id
        "LicenseRef-Internal",
        "GPL-2.0-only WITH Classpath-exception-2.0",
        "MIT License",
        "BSD",
        "Classpath-exception-2.0",  # an exception, not a licence
        "MIT OR Apache-2.0",  # an expression, not an id
        "LicenseRef-",
        "",
    ]
    assert validate_spdx_ids(ids) == [
        "MIT License",
        "BSD",
        "Classpath-exception-2.0",
        "MIT OR Apache-2.0",
        "LicenseRef-",
        "",
    ]


def test_every_table_entry_maps_to_a_known_spdx_id() -> None:
    for spdx in [*CLASSIFIERS.values(), *FREE_TEXT.values()]:
        assert validate_spdx_ids([spdx]) == [], spdx
        assert spdx_expression(spdx) == spdx
    # The free-text keys are as compared: lower-case, spaces collapsed.
    assert all(k == " ".join(k.split()).lower() for k in FREE_TEXT)


def comp(
    pin: str,
    *,
    expression: str | None = None,
    text: str | None = None,
    classifiers: tuple[str, ...] = (),
) -> Component:
    name, _, version = pin.partition("==")
    meta: dict[str, str] = {}
    if text is not None:
        meta["license"] = text
    if classifiers:
        meta["license-classifiers"] = "\n".join(classifiers)
    return Component(
        name=name,
        version=version,
        purl=f"pkg:pypi/{name}@{version}",
        license_expression=expression,
        metadata=meta,
    )


def ctx(
    *components: Component,
    rule: LicensesRule | None = PERMISSIVE,
    fmt: str = "environment",
    sources: Sources | None = None,
) -> CheckContext:
    inv = Inventory(source=fmt, format=fmt, components=components)
    policy: Policy | None = Policy(licenses=rule) if rule is not None else None
    return CheckContext(
        subjects=tuple((inv, c) for c in components),
        sources=sources or Sources(unavailable={"index": "--offline"}),
        path_of=lambda inv, c: (c.key,),
        options=CheckOptions(policy=policy),
    )


def details(components: tuple[Component, ...], **kw: object) -> Mapping[str, LicenseDetail]:
    result = run(ctx(*components, **kw))  # type: ignore[arg-type]
    found: dict[str, LicenseDetail] = {}
    for f in result.findings:
        assert isinstance(f.detail, LicenseDetail)
        found[f.id] = f.detail
    return found


MIT = "License :: OSI Approved :: MIT License"
BSD_FAMILY = "License :: OSI Approved :: BSD License"
GPL3 = "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"


def test_where_the_licence_comes_from_in_order() -> None:
    components = (
        # The expression wins over the free text and the classifiers.
        comp("a==1", expression="MIT", text="GPL-3.0-only", classifiers=(GPL3,)),
        # The free text when it is an SPDX expression, or a table entry.
        comp("b==1", text="GPL-3.0-only", classifiers=(MIT,)),
        comp("c==1", text="MIT License", classifiers=(GPL3,)),
        # The classifiers when the free text maps to nothing (the whole licence text).
        comp("d==1", text="Permission is hereby granted, free of charge...", classifiers=(GPL3,)),
        comp("e==1", classifiers=("License :: OSI Approved", MIT)),
        # A family classifier names no one licence: unknown.
        comp("f==1", text="BSD", classifiers=(BSD_FAMILY,)),
        # Several classifiers: each must be accepted (they do not say "or").
        comp("g==1", classifiers=(MIT, GPL3)),
        # An SBOM's NOASSERTION is no licence.
        comp("h==1", expression="NOASSERTION"),
    )
    assert details(components) == {
        "license:b@1": LicenseDetail(
            outcome="denied",
            expression="GPL-3.0-only",
            offending=("GPL-3.0-only",),
            origin="the environment's METADATA (License)",
        ),
        "license:d@1": LicenseDetail(
            outcome="denied",
            expression="GPL-3.0-only",
            offending=("GPL-3.0-only",),
            origin="the environment's METADATA (classifiers)",
        ),
        "license:f@1": LicenseDetail(
            outcome="unknown",
            expression=f"BSD; {BSD_FAMILY}",
            origin="the environment's METADATA",
        ),
        "license:g@1": LicenseDetail(
            outcome="denied",
            expression="MIT AND GPL-3.0-only",
            offending=("GPL-3.0-only",),
            origin="the environment's METADATA (classifiers)",
        ),
        "license:h@1": LicenseDetail(
            outcome="unknown", expression="NOASSERTION", origin="the environment's METADATA"
        ),
    }


def test_a_finding_says_what_and_why() -> None:
    result = run(
        ctx(
            comp("gpl==2.0", expression="GPL-3.0-only OR GPL-2.0-only"),
            comp("isc==1.0", expression="ISC"),
            comp("odd==0.1", text="Do What You Like\nsecond line"),
        )
    )
    by_id = {f.id: f for f in result.findings}
    denied = by_id["license:gpl@2.0"]
    assert (denied.kind, denied.check, denied.aliases) == ("license", "license", ("license:gpl",))
    assert denied.gate_kinds == ("license", "license:not-allowed")
    assert denied.summary == (
        "gpl 2.0: licence GPL-3.0-only OR GPL-2.0-only is not on the policy's allow-list "
        "(GPL-2.0-only)"
    )
    assert denied.rating == Rating(level="medium", type="check")
    assert denied.path == (component_key("gpl", "2.0"),)
    isc = by_id["license:isc@1.0"]
    assert isc.summary == "isc 1.0: licence ISC is not on the policy's allow-list (ISC)"
    odd = by_id["license:odd@0.1"]
    assert odd.gate_kinds == ("license", "license:unknown")
    assert odd.summary == "odd 0.1: licence unknown (Do What You Like)"
    assert isinstance(odd.detail, LicenseDetail)
    assert odd.detail.describe() == "licence unknown: Do What You Like"


def test_without_a_policy_only_an_unknown_licence_is_reported() -> None:
    components = (comp("a==1", expression="GPL-3.0-only"), comp("b==1", text="Custom"))
    assert list(details(components, rule=None)) == ["license:b@1"]


def test_no_licence_and_no_index_is_undecided_with_one_warning() -> None:
    result = run(ctx(comp("a==1"), comp("b==2"), fmt="uv.lock"))
    assert result.findings == ()
    reason = "uv.lock carries no licence, and the index was not asked (--offline)"
    assert [(u.component.name, u.reason, u.note) for u in result.undecided] == [
        (
            "a",
            f"no licence: {reason}",
            f"licence not checked for 2 components (a 1, b 2): {reason}",
        ),
        ("b", f"no licence: {reason}", None),
    ]


def _fake_dist(site: Path, name: str, version: str, *headers: str) -> None:
    path = site / f"{name}-{version}.dist-info"
    path.mkdir(parents=True)
    lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}", *headers]
    (path / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_licences_read_from_an_environment(tmp_path: Path) -> None:
    # License-Expression fields as packaging 26.4, orjson 3.13.0 and chardet 7.7.0 write
    # them in their METADATA.
    site = tmp_path / "site-packages"
    _fake_dist(site, "packaging", "26.4", "License-Expression: Apache-2.0 OR BSD-2-Clause")
    _fake_dist(site, "orjson", "3.13.0", "License-Expression: MPL-2.0 AND (Apache-2.0 OR MIT)")
    _fake_dist(site, "chardet", "7.7.0", "License-Expression: 0BSD")
    inv = read_environment(site)
    rule = LicensesRule(allow=("Apache-2.0", "MIT", "MPL-2.0"), deny=("0BSD",))
    context = CheckContext(
        subjects=tuple((inv, c) for c in inv.components),
        sources=Sources(),
        path_of=lambda inv, c: (c.key,),
        options=CheckOptions(policy=Policy(licenses=rule)),
    )
    result = run(context)
    assert [(f.id, f.detail) for f in result.findings] == [
        (
            "license:chardet@7.7.0",
            LicenseDetail(
                outcome="denied",
                expression="0BSD",
                offending=("0BSD",),
                origin="the environment's METADATA",
            ),
        )
    ]
    assert result.undecided == ()
