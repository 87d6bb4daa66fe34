"""The fleet roll-up: on the corpus audited for real, and on made-up results for the
edge cases (aliases, targets that differ between projects, malware, failures, no
findings, projects that used different data)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from pyward._findings import LEVELS
from pyward._fleet._model import FleetRun, ProjectResult
from pyward._fleet._render import render
from pyward._fleet._rollup import (
    Affected,
    Unfixable,
    Upgrade,
    data_time,
    reason_group,
    rollup,
    version_key,
    worst_first,
)
from tests.fleet._data import (
    JOB,
    SNAPSHOT,
    corpus_results,
    corpus_run,
    failed,
    finding,
    fix,
    result,
    run,
)

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)

# -- the corpus -------------------------------------------------------------------------


def test_corpus_totals() -> None:
    report = rollup(corpus_run(cached=("uv/flask",), runner="1 process (serial)"))
    t = report.totals
    assert (t.projects, t.audited, t.failed, t.cached) == (25, 20, 5, 1)
    assert (t.failing, t.components, t.findings, t.advisories) == (13, 2098, 128, 95)
    assert (t.suppressed, t.not_audited) == (0, 46)
    assert t.by_level == (
        ("critical", 1),
        ("high", 16),
        ("medium", 5),
        ("low", 0),
        ("unknown", 106),
    )
    assert t.by_kind == (("vulnerability", 128),)
    assert report.cached == ("uv/flask",)
    assert report.runner == "1 process (serial)"


def test_corpus_advisories_most_projects_first() -> None:
    report = rollup(corpus_run())
    top = report.advisories[0]
    assert (top.id, top.aliases, top.level, top.projects) == (
        "PYSEC-2024-60",
        ("CVE-2024-3651",),
        "high",
        4,
    )
    assert top.affected == (
        Affected(
            project="pdm/pydantic-2023",
            id="PYSEC-2024-60",
            package="idna",
            version="3.4",
            level="high",
            fix="3.7",
            fails=True,
            direct=False,
        ),
        Affected(
            project="poetry/saleor-2020",
            id="PYSEC-2024-60",
            package="idna",
            version="2.10",
            level="high",
            fix="3.7",
            fails=True,
            direct=False,
        ),
        Affected(
            project="poetry/wemake-python-styleguide-2019",
            id="PYSEC-2024-60",
            package="idna",
            version="2.8",
            level="high",
            fix="3.7",
            fails=True,
            direct=False,
        ),
        Affected(
            project="pylock/pdm-demo-fixture",
            id="PYSEC-2024-60",
            package="idna",
            version="2.7",
            level="high",
            fix="3.7",
            fails=True,
            direct=False,
        ),
    )
    # Then three projects each: high before medium before unknown.
    assert [(a.id, a.level, a.projects) for a in report.advisories[1:4]] == [
        ("PYSEC-2023-192", "high", 3),
        ("PYSEC-2023-212", "medium", 3),
        ("PYSEC-2020-92", "unknown", 3),
    ]
    counts = [(a.projects, a.level) for a in report.advisories]
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unknown": 4}
    assert counts == sorted(counts, key=lambda c: (-c[0], ranks[c[1]]))


def test_corpus_upgrade_takes_the_highest_target_of_the_projects_plans() -> None:
    report = rollup(corpus_run())
    # Two projects' plans move urllib3 to 1.26.18, one to 2.0.7: 2.0.7 clears all.
    by_id = {a.id: a for a in report.advisories}
    assert sorted({a.fix for a in by_id["PYSEC-2023-192"].affected if a.fix}) == [
        "1.26.18",
        "2.0.7",
    ]
    urllib3 = next(u for u in report.upgrades if u.package == "urllib3")
    assert urllib3 == Upgrade(
        package="urllib3",
        action="upgrade",
        target="2.0.7",
        versions=("1.25.6", "1.26.2", "2.0.3"),
        findings=11,
        advisories=(
            "PYSEC-2020-148",
            "PYSEC-2020-149",
            "PYSEC-2021-59",
            "PYSEC-2021-108",
            "PYSEC-2023-192",
            "PYSEC-2023-212",
        ),
        projects=(
            "pdm/pydantic-2023",
            "poetry/saleor-2020",
            "poetry/wemake-python-styleguide-2019",
        ),
        direct=0,
    )
    assert [(u.package, u.target, u.findings) for u in report.upgrades[:5]] == [
        ("pillow", "10.0.1", 26),
        ("urllib3", "2.0.7", 11),
        ("gitpython", "3.1.41", 10),
        ("werkzeug", "2.3.8", 9),
        ("django", "3.1.14", 8),
    ]
    werkzeug = report.upgrades[3]
    assert (werkzeug.projects, werkzeug.direct) == (
        ("pipenv/httpbin-2018", "requirements/ctfd-2019"),
        1,
    )
    assert len(report.upgrades) == 35
    assert report.unfixable == (
        Unfixable(
            package="py",
            advisories=("PYSEC-2022-42969",),
            findings=3,
            projects=(
                "poetry/saleor-2020",
                "poetry/wemake-python-styleguide-2019",
                "pylock/pdm-demo-fixture",
            ),
        ),
        Unfixable(
            package="gevent",
            advisories=("PYSEC-2023-177",),
            findings=2,
            projects=("pipenv/httpbin-2018", "requirements/ctfd-2019"),
        ),
        Unfixable(
            package="piccolo",
            advisories=("PYSEC-2023-241",),
            findings=1,
            projects=("uv/litestar-2024",),
        ),
    )


def test_corpus_not_audited_grouped_by_reason() -> None:
    report = rollup(corpus_run())
    assert [(g.reason, g.count, len(g.projects)) for g in report.not_audited] == [
        ("not pinned; lock the project first", 17, 2),
        ("direct URL", 15, 1),
        ("editable source: the version is not a registry release", 5, 1),
        ("git source: the version is not a registry release", 5, 4),
        ("VCS requirement", 1, 1),
        ("editable install", 1, 1),
        ("git dependency without a version; nothing to match advisories against", 1, 1),
        ("local workspace member without a version; nothing to match advisories against", 1, 1),
    ]
    pinned = report.not_audited[0]
    assert pinned.projects == ("requirements/ctfd-2019", "requirements/text-generation-webui-2023")
    assert "requests>=2.20.0" in pinned.requirements
    assert [f.project for f in report.failed] == [
        "requirements-hashes/warehouse-2022",
        "requirements/readthedocs-2019",
        "sbom-cyclonedx/cyclonedx-python-private-packages",
        "sbom-cyclonedx/sbom4python",
        "sbom-spdx/sbom4python",
    ]
    assert all("no lock file" in f.error for f in report.failed)


def test_corpus_data_and_projects_worst_first() -> None:
    report = rollup(corpus_run())
    assert len(report.data) == 1
    assert report.data[0].data == SNAPSHOT
    assert report.data[0].newest == datetime(2024, 10, 10, 17, 22, 0, 587279, tzinfo=timezone.utc)
    assert len(report.data[0].projects) == 20
    assert report.warnings == ()
    assert [p.id for p in report.projects] == sorted(p.id for p in report.projects)
    ordered = [(p.id, p.worst, p.findings) for p in worst_first(report.projects)]
    assert ordered[5:9] == [
        ("uv/litestar-2024", "critical", 1),
        ("poetry/saleor-2020", "high", 69),
        ("poetry/wemake-python-styleguide-2019", "high", 27),
        ("pipenv/httpbin-2018", "high", 11),
    ]
    assert [p.result.state for p in worst_first(report.projects)][:5] == ["failed"] * 5
    assert ordered[-1] == ("uv/pydantic", None, 0)


def test_same_results_in_any_order_give_an_equal_report() -> None:
    results = corpus_results()
    expected = rollup(corpus_run())
    # Reversed, rotated, and interleaved (odd positions first).
    orders = [results[::-1], results[7:] + results[:7], results[1::2] + results[::2]]
    for order in orders:
        assert [r.project for r in order] != [r.project for r in results]
        shuffled = dataclasses.replace(corpus_run(), results=tuple(order))
        assert rollup(shuffled) == expected


# -- made-up edge cases -----------------------------------------------------------------


def test_aliases_merge_one_advisory_known_by_several_ids() -> None:
    report = rollup(
        run(
            result("a", [finding("PYSEC-1", aliases=["GHSA-x", "CVE-1"])]),
            result("b", [finding("GHSA-x", aliases=["PYSEC-1"])]),
            result("c", [finding("CVE-1")]),
            result("d", [finding("PYSEC-1", aliases=["CVE-1"], level="critical")]),
            # Transitively: Y is X's alias, Z is Y's.
            result("e", [finding("GHSA-y", "other", aliases=["PYSEC-9"])]),
            result("f", [finding("OSV-z", "other", aliases=["GHSA-y"])]),
        )
    )
    rows = [(a.id, a.aliases, a.projects, a.level) for a in report.advisories]
    assert rows == [
        # PYSEC-1 is the id most findings use.
        ("PYSEC-1", ("CVE-1", "GHSA-x"), 4, "critical"),
        # A tie: the first in id order.
        ("GHSA-y", ("OSV-z", "PYSEC-9"), 2, "high"),
    ]
    assert [a.id for a in report.advisories[0].affected] == [
        "PYSEC-1",
        "GHSA-x",
        "CVE-1",
        "PYSEC-1",
    ]
    assert report.totals.advisories == 2


def test_status_findings_do_not_merge_through_their_check_alias() -> None:
    report = rollup(
        run(
            result(
                "a", [finding("eol:python@3.8", None, None, kind="eol", aliases=["eol:python"])]
            ),
            result(
                "b", [finding("eol:python@3.9", None, None, kind="eol", aliases=["eol:python"])]
            ),
            result(
                "c", [finding("eol:python@3.8", None, None, kind="eol", aliases=["eol:python"])]
            ),
        )
    )
    assert [(a.id, a.aliases, a.projects, a.packages) for a in report.advisories] == [
        ("eol:python@3.8", (), 2, ()),
        ("eol:python@3.9", (), 1, ()),
    ]


def test_a_package_with_different_targets_gets_the_highest_by_version_order() -> None:
    # As text, 2.9.0 sorts after 2.10.0; as versions it is lower.
    report = rollup(
        run(
            result(
                "a",
                [finding("PYSEC-1", "requests", "2.0", fix="2.9.0", direct=True)],
                [fix("requests", "2.0", "2.9.0", ["PYSEC-1"])],
            ),
            result(
                "b",
                [
                    finding("PYSEC-1", "requests", "2.8.1", fix="2.10.0"),
                    finding("PYSEC-2", "requests", "2.8.1", fix="2.10.0"),
                ],
                [fix("requests", "2.8.1", "2.10.0", ["PYSEC-1", "PYSEC-2"])],
            ),
            result(
                "c",
                [finding("GHSA-q", "requests", "2.10.0rc1", aliases=["PYSEC-2"], fix="2.10.0")],
                [fix("requests", "2.10.0rc1", "2.10.0", ["GHSA-q"])],
            ),
        )
    )
    assert report.upgrades == (
        Upgrade(
            package="requests",
            action="upgrade",
            target="2.10.0",
            versions=("2.0", "2.8.1", "2.10.0rc1"),
            findings=4,
            # PYSEC-2 and GHSA-q are one advisory, each the id of one finding: the
            # first in id order names it.
            advisories=("GHSA-q", "PYSEC-1"),
            projects=("a", "b", "c"),
            direct=1,
        ),
    )


def test_removing_a_malicious_package_ranks_first() -> None:
    report = rollup(
        run(
            result(
                "a",
                [
                    finding("MAL-1", "evil", "1.0", kind="malicious", level="critical"),
                    *(finding(f"PYSEC-{i}", "big", "1.0") for i in range(5)),
                ],
                [
                    fix("big", "1.0", "2.0", [f"PYSEC-{i}" for i in range(5)]),
                    fix("evil", "1.0", None, ["MAL-1"], action="remove"),
                ],
            ),
        )
    )
    assert [(u.action, u.package, u.target, u.findings) for u in report.upgrades] == [
        ("remove", "evil", None, 1),
        ("upgrade", "big", "2.0", 5),
    ]


def test_unfixable_findings_are_listed_by_package() -> None:
    report = rollup(
        run(
            result(
                "a",
                [finding("PYSEC-1", "py", "1.0"), finding("PYSEC-2", "py", "1.0")],
                [fix("py", "1.0", "1.10", ["PYSEC-2"], unfixed=["PYSEC-1"])],
            ),
            result(
                "b",
                [finding("GHSA-1", "py", "1.4", aliases=["PYSEC-1"])],
                [fix("py", "1.4", None, unfixed=["GHSA-1"])],
            ),
        )
    )
    assert report.unfixable == (
        # One advisory by two ids, one finding each: the first in id order names it.
        Unfixable(package="py", advisories=("GHSA-1",), findings=2, projects=("a", "b")),
    )
    assert [(u.package, u.target, u.projects) for u in report.upgrades] == [
        ("py", "1.10", ("a",)),
    ]


def test_failed_projects_zero_findings_and_input_errors() -> None:
    report = rollup(
        run(
            result("clean"),
            failed("broken", "broken/uv.lock: line 3: not TOML"),
            result("half", errors=["half/requirements.txt: cannot read: permission denied"]),
        )
    )
    t = report.totals
    assert (t.projects, t.audited, t.failed, t.failing, t.findings) == (3, 2, 1, 2, 0)
    assert report.advisories == ()
    assert report.upgrades == ()
    assert report.unfixable == ()
    assert [(f.project, f.error) for f in report.failed] == [
        ("broken", "broken/uv.lock: line 3: not TOML")
    ]
    assert [(e.project, e.message) for e in report.errors] == [
        ("half", "half/requirements.txt: cannot read: permission denied")
    ]
    assert [(p.id, p.worst, p.failing) for p in worst_first(report.projects)] == [
        ("broken", None, True),
        ("half", None, True),
        ("clean", None, False),
    ]
    # A failed project used no data.
    assert [(u.data, u.projects) for u in report.data] == [
        ("store A (2024-10-10T00:00:00Z)", ("clean", "half"))
    ]


def test_an_empty_fleet() -> None:
    report = rollup(run())
    assert report.totals.projects == 0
    assert report.projects == ()
    assert report.data == ()
    assert report.warnings == ()


def test_projects_that_used_different_data_are_named_in_a_warning() -> None:
    report = rollup(
        run(
            result("a", data="store A (2024-10-10T00:00:00Z)"),
            result("b", data="store B (2024-11-01T00:00:00+00:00)"),
            result("c", data="store A (2024-10-10T00:00:00Z)"),
        )
    )
    assert [(u.data, u.projects) for u in report.data] == [
        ("store A (2024-10-10T00:00:00Z)", ("a", "c")),
        ("store B (2024-11-01T00:00:00+00:00)", ("b",)),
    ]
    assert report.warnings == (
        "projects were audited with 2 different advisory data sets: "
        "store A (2024-10-10T00:00:00Z) (2 projects); "
        "store B (2024-11-01T00:00:00+00:00) (1 project); "
        "their results are not comparable (give every worker the same store)",
    )


def test_data_time_and_reason_group() -> None:
    assert data_time(SNAPSHOT) == datetime(2024, 10, 10, 17, 22, 0, 587279, tzinfo=timezone.utc)
    assert data_time("store (2024-10-10T02:00:00+02:00)") == datetime(
        2024, 10, 10, tzinfo=timezone.utc
    )
    assert data_time("store (yesterday)") is None
    assert data_time("") is None
    assert (
        reason_group("flask>=2", "not pinned: flask>=2; lock the project first")
        == "not pinned; lock the project first"
    )
    assert reason_group("x", "direct URL") == "direct URL"


# -- for all results --------------------------------------------------------------------

# PYSEC-01 and PYSEC-1 are equal by id_order (numbers as numbers): never ambiguous.
_IDS = ["PYSEC-1", "PYSEC-01", "PYSEC-2", "GHSA-a", "GHSA-b", "CVE-1", "MAL-1"]
_PACKAGES = ["alpha", "beta", "gamma"]
_VERSIONS = ["1.0", "1.2", "2.0", "2.0rc1", "10.1"]


@st.composite
def _results(draw: st.DrawFn) -> list[ProjectResult]:
    names = draw(st.lists(st.text("abc/", min_size=1, max_size=4), unique=True, max_size=6))
    out = []
    for name in names:
        if draw(st.booleans()) and draw(st.booleans()):
            out.append(failed(name, "unreadable"))
            continue
        findings = []
        fixes = []
        for package in draw(st.lists(st.sampled_from(_PACKAGES), unique=True, max_size=3)):
            version = draw(st.sampled_from(_VERSIONS))
            ids = draw(st.lists(st.sampled_from(_IDS), unique=True, min_size=1, max_size=3))
            target = draw(st.none() | st.sampled_from(_VERSIONS))
            for fid in ids:
                aliases = draw(st.lists(st.sampled_from(_IDS), unique=True, max_size=2))
                findings.append(
                    finding(
                        fid,
                        package,
                        version,
                        level=draw(st.sampled_from(LEVELS)),
                        aliases=[a for a in aliases if a != fid],
                        fix=target,
                        direct=draw(st.booleans()),
                    )
                )
            action = "remove" if "MAL-1" in ids else "upgrade"
            if target is None:
                fixes.append(fix(package, version, None, unfixed=ids, action=action))
            else:
                fixes.append(fix(package, version, target, ids, action=action))
        data = draw(st.sampled_from(["store A (2024-10-10T00:00:00Z)", "store B (x)"]))
        out.append(result(name, findings, fixes, data=data))
    return out


@settings(max_examples=150, deadline=None)
@given(results=_results(), data=st.data())
def test_the_report_is_the_same_for_any_order_of_the_results(
    results: list[ProjectResult], data: st.DataObject
) -> None:
    order = data.draw(st.permutations(results))
    a = rollup(FleetRun(job=JOB, results=tuple(results)))
    b = rollup(FleetRun(job=JOB, results=tuple(order)))
    assert a == b
    assert render(a, "json", now=NOW) == render(b, "json", now=NOW)
    # Every finding is in exactly one advisory row; every row's projects are counted.
    assert sum(len(r.affected) for r in a.advisories) == a.totals.findings
    assert all(r.projects == len({x.project for x in r.affected}) for r in a.advisories)
    # A row's ids are disjoint from every other row's of the same kind.
    seen: set[str] = set()
    for row in a.advisories:
        assert not seen & set(row.ids)
        seen |= set(row.ids)
    # The fleet target is at least every project's target for that package.
    for u in a.upgrades:
        for r in results:
            for s in r.fixes:
                if (s.action, s.package) == (u.action, u.package) and s.target is not None:
                    assert u.target is not None
                    assert version_key(s.target) <= version_key(u.target)
    # Removals first.
    actions = [u.action for u in a.upgrades]
    assert actions == sorted(actions, key=lambda x: x != "remove")
