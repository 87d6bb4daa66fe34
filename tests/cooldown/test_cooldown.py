"""The ``cooldown`` check: a release younger than the policy's cooldown, its age read
from the lock's upload time or the index page's; undecided without either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from pyward._checks import CheckContext, CheckOptions, Sources
from pyward._checks._cooldown import run
from pyward._findings import Rating, Reference
from pyward._inventory._common import UPLOAD_TIME
from pyward._model import Component, Inventory, component_key
from pyward._policy._details import CooldownDetail
from pyward._policy._model import CooldownRule, Policy
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._parse import parse_project_page
from pyward._sources.index._port import IndexFailure
from tests.checks._status_support import file, made, metadata
from tests.conftest import DATA
from tests.index._support import INDEX

NOW = dt.datetime(2024, 12, 6, 17, 35, 28, tzinfo=dt.timezone.utc)
RECORDED = DATA / "index" / "recorded" / "simple"


def six() -> object:
    """The recorded page of six: 1.17.0's wheel uploaded 2024-12-04T17:35:26.475808Z,
    its sdist two seconds later."""
    return parse_project_page((RECORDED / "six.json").read_bytes(), url=f"{INDEX}six/")


def comp(pin: str, uploaded: str | None = None) -> Component:
    name, _, version = pin.partition("==")
    meta: Mapping[str, str] = {UPLOAD_TIME: uploaded} if uploaded else {}
    return Component(name=name, version=version, purl=f"pkg:pypi/{name}@{version}", metadata=meta)


def ctx(
    *components: Component,
    fmt: str = "uv.lock",
    index: IndexMetadata | None = None,
    rule: CooldownRule | None = None,
    unavailable: str | None = None,
    now: dt.datetime = NOW,
) -> CheckContext:
    inv = Inventory(source=fmt, format=fmt, components=components)
    policy = Policy(cooldown=rule) if rule is not None else None
    return CheckContext(
        subjects=tuple((inv, c) for c in components),
        sources=Sources(index=index, unavailable={"index": unavailable} if unavailable else {}),
        path_of=lambda inv, c: (c.key,),
        today=now.date(),
        now=now,
        options=CheckOptions(policy=policy),
    )


def test_a_release_younger_than_the_cooldown_is_a_finding_from_the_lock() -> None:
    young = comp("demo==1.1", "2024-12-04T17:35:28+00:00")
    old = comp("other==2.0", "2024-11-01T00:00:00+00:00")
    result = run(ctx(young, old))
    assert (result.warnings, result.undecided) == ((), ())
    (finding,) = result.findings
    assert (finding.kind, finding.check) == ("cooldown", "cooldown")
    assert (finding.id, finding.aliases) == ("cooldown:demo@1.1", ("cooldown:demo",))
    assert finding.summary == (
        "demo 1.1 was uploaded 2.0 days ago (2024-12-04 17:35 UTC), within the 7-day cooldown"
    )
    assert finding.rating == Rating(level="medium", type="check")
    assert finding.detail == CooldownDetail(
        uploaded=dt.datetime(2024, 12, 4, 17, 35, 28, tzinfo=dt.timezone.utc),
        age_days=2.0,
        days=7.0,
        origin="uv.lock upload-time",
    )
    assert finding.detail.describe() == (
        "uploaded 2024-12-04 (2.0 days ago; cooldown 7 days; from uv.lock upload-time)"
    )
    assert finding.references == ()
    assert finding.path == (component_key("demo", "1.1"),)


def test_exactly_the_cooldown_old_passes() -> None:
    edge = comp("demo==1.1", (NOW - dt.timedelta(days=7)).isoformat())
    assert run(ctx(edge)).findings == ()
    inside = comp("demo==1.1", (NOW - dt.timedelta(days=7) + dt.timedelta(seconds=1)).isoformat())
    assert [f.id for f in run(ctx(inside)).findings] == ["cooldown:demo@1.1"]


def test_per_package_exceptions_lengthen_shorten_or_exempt() -> None:
    rule = CooldownRule(days=3, exceptions={"exempt": 0, "careful": 30})
    components = (
        comp("plain==1.0", "2024-12-02T17:35:28+00:00"),  # 4 days: past 3
        comp("exempt==1.0", "2024-12-06T17:00:00+00:00"),  # half an hour, but exempt
        comp("careful==1.0", "2024-11-16T17:35:28+00:00"),  # 20 days: within 30
    )
    result = run(ctx(*components, rule=rule))
    assert [(f.id, f.detail.days) for f in result.findings] == [  # type: ignore[union-attr]
        ("cooldown:careful@1.0", 30)
    ]
    assert result.undecided == ()


def test_the_policy_rule_is_read_when_given_and_the_default_otherwise() -> None:
    three_days = comp("demo==1.0", "2024-12-03T17:35:28+00:00")
    assert [f.id for f in run(ctx(three_days)).findings] == ["cooldown:demo@1.0"]
    assert run(ctx(three_days, rule=CooldownRule(days=2))).findings == ()


def test_the_index_gives_the_newest_files_time_when_the_lock_has_none() -> None:
    index = metadata(six())  # type: ignore[arg-type]
    result = run(ctx(comp("six==1.17.0"), comp("six==1.16.0"), fmt="requirements", index=index))
    (finding,) = result.findings
    assert finding.detail == CooldownDetail(
        # The sdist's time, not the wheel's two seconds earlier.
        uploaded=dt.datetime(2024, 12, 4, 17, 35, 28, 174320, tzinfo=dt.timezone.utc),
        age_days=pytest.approx(2.0, abs=1e-5),  # type: ignore[arg-type]
        days=7.0,
        origin="the index",
    )
    assert finding.references == (Reference(type="PACKAGE", url=f"{INDEX}six/"),)


def test_the_lock_time_wins_over_the_index() -> None:
    index = metadata(six())  # type: ignore[arg-type]
    # The lock says the release is old: the index is not consulted.
    result = run(ctx(comp("six==1.17.0", "2024-01-01T00:00:00+00:00"), index=index))
    assert result.findings == ()


def test_a_wheel_added_to_an_old_release_makes_it_young() -> None:
    page = made(
        "demo",
        [
            file("demo", "1.0", sdist=True, uploaded="2020-01-01T00:00:00Z"),
            file("demo", "1.0", uploaded="2024-12-05T17:35:28Z"),
        ],
    )
    (finding,) = run(ctx(comp("demo==1.0"), fmt="requirements", index=metadata(page))).findings
    assert finding.detail.age_days == pytest.approx(1.0)  # type: ignore[union-attr]
    # The page's own answer for a version's release date stays its earliest file.
    assert page.upload_time("1.0") == dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    assert page.last_upload_time("1.0") == dt.datetime(
        2024, 12, 5, 17, 35, 28, tzinfo=dt.timezone.utc
    )


def test_without_an_index_the_component_is_undecided_with_the_reason() -> None:
    components = [comp(f"p{i}==1.0") for i in range(7)]
    result = run(
        ctx(
            *components,
            fmt="requirements",
            unavailable="--offline, and no index metadata is cached",
        )
    )
    assert result.findings == ()
    assert [u.component.name for u in result.undecided] == [c.name for c in components]
    reason = (
        "requirements records no upload time, and the index was not asked "
        "(--offline, and no index metadata is cached)"
    )
    assert {u.reason for u in result.undecided} == {f"no upload time: {reason}"}
    # One warning for all seven, on the first.
    assert [u.note for u in result.undecided] == [
        "cooldown not checked for 7 components (p0 1.0, p1 1.0, p2 1.0, p3 1.0, p4 1.0, "
        f"2 more): {reason}",
        *[None] * 6,
    ]
    assert result.undecided[0].path == (component_key("p0", "1.0"),)


def test_an_index_that_cannot_say_leaves_the_component_undecided() -> None:
    offline = IndexFailure(
        name="gone", reason="gone: offline, and no cached copy of its page", kind="offline"
    )
    undated = made("undated", [file("undated", "1.0", uploaded=None)])
    index = metadata(six(), offline, undated)  # type: ignore[arg-type]
    result = run(
        ctx(
            comp("gone==1.0"),
            comp("undated==1.0"),
            comp("six==9.9"),
            fmt="requirements",
            index=index,
        )
    )
    assert result.findings == ()
    assert [u.reason for u in result.undecided] == [
        "no upload time: requirements records no upload time, and its index page could not "
        "be had (offline, and no cached copy of its page)",
        f"no upload time: requirements records no upload time, and its index ({INDEX}) gives "
        "no upload time for 1.0 (PEP 700)",
        f"no upload time: requirements records no upload time, and its index ({INDEX}) does "
        "not list 9.9",
    ]


def test_a_component_no_index_was_asked_about_is_undecided() -> None:
    result = run(ctx(comp("private==1.0"), fmt="requirements", index=IndexMetadata()))
    (undecided,) = result.undecided
    assert undecided.reason == (
        "no upload time: requirements records no upload time, and its index page could not "
        "be had (no index metadata was fetched for it)"
    )


def test_the_moment_defaults_to_the_runs_date_at_the_current_time() -> None:
    context = ctx(comp("demo==1.0"))
    assert context.moment() == NOW
    dated = CheckContext(
        subjects=(), sources=Sources(), path_of=lambda inv, c: (c.key,), today=dt.date(2020, 2, 2)
    )
    moment = dated.moment()
    assert (moment.date(), moment.utcoffset()) == (dt.date(2020, 2, 2), dt.timedelta(0))
    live = CheckContext(subjects=(), sources=Sources(), path_of=lambda inv, c: (c.key,))
    before = dt.datetime.now(dt.timezone.utc)
    assert before <= live.moment() <= dt.datetime.now(dt.timezone.utc)


def test_an_unreadable_recorded_time_is_a_warning_and_the_index_is_asked() -> None:
    index = metadata(six())  # type: ignore[arg-type]
    result = run(ctx(comp("six==1.17.0", "last tuesday"), index=index))
    assert result.warnings == ("six 1.17.0: upload time 'last tuesday' is not ISO 8601",)
    assert [f.detail.origin for f in result.findings] == ["the index"]  # type: ignore[union-attr]


def test_under_a_policy_a_young_release_and_an_undecided_one_both_fail() -> None:
    from pyward._audit import audit
    from pyward._checks import CHECKS

    policy = Policy(
        vulnerabilities=None,
        malicious=None,
        typosquat=None,
        yanked=None,
        project_status=None,
        cooldown=CooldownRule(days=7),
    )
    inv = Inventory(
        source="requirements.txt",
        format="requirements",
        components=(comp("young==1.0", "2024-12-05T00:00:00+00:00"), comp("unknown==1.0")),
    )
    report = audit(
        [inv],
        None,
        sources=Sources(unavailable={"index": "--offline"}),
        checks=[CHECKS["cooldown"]],  # type: ignore[index]
        options=CheckOptions(policy=policy),
        now=NOW,
    )
    assert sorted((f.kind, f.id) for f in report.failing) == [
        ("cooldown", "cooldown:young@1.0"),
        ("undecided", "undecided:cooldown:unknown@1.0"),
    ]
    assert report.failed is True
