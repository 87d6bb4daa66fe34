"""Each OSV evaluation rule, on real PyPA records (synthetic only where no real record
exercises the rule: ``limit``, ``SEMVER``, other ecosystems)."""

from __future__ import annotations

import copy

import pytest

from pyward._advisory import AdvisoryStore
from pyward._advisory._match import explain, match_advisory, sort_events
from pyward._advisory._osv import parse_advisory
from pyward._advisory._types import Event
from tests.advisory.conftest import real_record


def one(record_id: str) -> AdvisoryStore:
    return AdvisoryStore.from_records([real_record(record_id)])


def ids(store: AdvisoryStore, name: str, version: str) -> list[str]:
    return [m.advisory_id for m in store.matches(name, version)]


# -- events sorted before evaluation (PYSEC-2023-100 lists them 4.2, 4.0, 3.2) -------------


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        ("3.1.14", None),
        ("3.2", "ECOSYSTEM range: introduced 3.2, fixed 3.2.20"),
        ("3.2.19", "ECOSYSTEM range: introduced 3.2, fixed 3.2.20"),
        ("3.2.20", None),
        ("3.3", None),
        ("4.0", "ECOSYSTEM range: introduced 4.0, fixed 4.1.10"),
        ("4.1.9", "ECOSYSTEM range: introduced 4.0, fixed 4.1.10"),
        ("4.1.10", None),
        ("4.2a1", None),
        ("4.2", "ECOSYSTEM range: introduced 4.2, fixed 4.2.3"),
        ("4.2.2", "ECOSYSTEM range: introduced 4.2, fixed 4.2.3"),
        ("4.2.3", None),
        ("5.0", None),
    ],
)
def test_unsorted_events_are_sorted(version: str, reason: str | None) -> None:
    found = one("PYSEC-2023-100").matches("Django", version)
    assert [m.reason for m in found] == ([reason] if reason else [])
    if reason:
        assert found[0].fixed == ("3.2.20", "4.1.10", "4.2.3")
        assert found[0].package == "django"
        assert found[0].version == version


def test_sort_events_keeps_introduced_zero_first_and_ties_in_written_order() -> None:
    events = [
        Event(kind="fixed", value="2.0"),
        Event(kind="introduced", value="2.0"),
        Event(kind="fixed", value="1.0.0"),
        Event(kind="introduced", value="0"),
    ]
    assert [(e.kind, e.value) for e in sort_events(events)] == [
        ("introduced", "0"),
        ("fixed", "1.0.0"),
        ("fixed", "2.0"),
        ("introduced", "2.0"),
    ]
    advisory = parse_advisory(real_record("PYSEC-2023-100"))
    assert [(e.kind, e.value) for e in advisory.affected[0].ranges[0].events] == [
        ("introduced", "3.2"),
        ("fixed", "3.2.20"),
        ("introduced", "4.0"),
        ("fixed", "4.1.10"),
        ("introduced", "4.2"),
        ("fixed", "4.2.3"),
    ]


# -- introduced "0", pre-releases, post and dev releases -----------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1", ["PYSEC-2021-142"]),
        ("0.0.dev0", ["PYSEC-2021-142"]),
        ("5.1a1", ["PYSEC-2021-142"]),  # pre-release of 5.1: before introduced 5.1
        ("5.1", ["PYSEC-2020-96", "PYSEC-2021-142"]),
        ("5.3.1.dev0", ["PYSEC-2020-96", "PYSEC-2021-142"]),  # dev of the fix is before it
        ("5.3.1", ["PYSEC-2021-142"]),
        ("5.4b1", ["PYSEC-2021-142"]),
        ("5.4", []),
        ("5.4.0", []),
        ("5.3.post1", ["PYSEC-2020-96", "PYSEC-2021-142"]),
    ],
)
def test_pyyaml_introduced_zero_and_pre_post_dev(
    real_store: AdvisoryStore, version: str, expected: list[str]
) -> None:
    found = [
        i for i in ids(real_store, "PyYAML", version) if i in {"PYSEC-2020-96", "PYSEC-2021-142"}
    ]
    assert found == expected


def test_pep503_names(real_store: AdvisoryStore) -> None:
    for spelling in ("PyYAML", "pyyaml", "PYYAML", "py_yaml", "py.yaml"):
        expected = [] if spelling in {"py_yaml", "py.yaml"} else ["PYSEC-2021-142"]
        assert [i for i in ids(real_store, spelling, "5.3.1") if i == "PYSEC-2021-142"] == expected
    assert ids(real_store, "python_dateutil", "0.1") == ids(real_store, "Python.Dateutil", "0.1")
    assert real_store.ids_for_package("Python_Dateutil") == real_store.ids_for_package(
        "python-dateutil"
    )


# -- last_affected (PYSEC-2022-42969: py, introduced 0, last_affected 1.11.0) ---------------


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("1.11.0", True),
        ("1.11", True),  # zero padding: 1.11 == 1.11.0
        ("1.11.0.post1", False),
        ("1.11.0+local", True),  # a build of 1.11.0 is 1.11.0 for an inclusive bound
        ("1.11.1.dev0", False),
        ("1.11.1", False),
        ("0.8.0a2", True),
    ],
)
def test_last_affected(version: str, affected: bool) -> None:
    found = one("PYSEC-2022-42969").matches("py", version)
    assert bool(found) is affected
    if affected:
        assert found[0].last_affected == ("1.11.0",)
        assert found[0].fixed == ()
        assert found[0].reason == "ECOSYSTEM range: introduced 0, last_affected 1.11.0"


# -- the versions list ------------------------------------------------------------------------


def test_versions_only_record() -> None:
    store = one("PYSEC-2024-1")  # gratient: versions ["0.5"], no ranges
    assert [m.reason for m in store.matches("gratient", "0.5")] == ["listed in versions as 0.5"]
    assert [m.reason for m in store.matches("Gratient", "0.5.0")] == [
        "listed in versions as 0.5 (PEP 440 equal to 0.5.0)"
    ]
    assert [m.reason for m in store.matches("gratient", "0.5+win")] == [
        "listed in versions as 0.5 (PEP 440 equal to 0.5+win)"
    ]
    assert store.matches("gratient", "0.5.1") == []
    assert store.matches("gratient", "0.5rc1") == []
    assert store.matches("gratient", "0.5.post1") == []


def test_versions_list_adds_prereleases_outside_the_ranges() -> None:
    # PYSEC-2023-61 lists 4.2rc1 although its range starts at 4.2: the list counts too.
    store = one("PYSEC-2023-61")
    assert [m.reason for m in store.matches("django", "4.2rc1")] == ["listed in versions as 4.2rc1"]
    assert [m.reason for m in store.matches("django", "4.2")] == [
        "ECOSYSTEM range: introduced 4.2, fixed 4.2.1"
    ]
    assert store.matches("django", "4.2.1") == []


def test_versions_entry_normalised_by_pep440() -> None:
    # py lists "0.8.0-alpha2", which PEP 440 reads as 0.8.0a2
    store = AdvisoryStore.from_records([_versions_only(real_record("PYSEC-2022-42969"))])
    assert [m.reason for m in store.matches("py", "0.8a2")] == [
        "listed in versions as 0.8.0-alpha2 (PEP 440 equal to 0.8a2)"
    ]
    assert store.matches("py", "0.8.0") == []


def test_non_pep440_version_matches_only_by_exact_string() -> None:
    # PYSEC-2019-102 (limnoria) lists date-stamped versions that are not PEP 440
    store = one("PYSEC-2019-102")
    assert [m.reason for m in store.matches("limnoria", "2013-09-11T19-27-10")] == [
        "listed in versions as 2013-09-11T19-27-10"
    ]
    assert store.matches("limnoria", "2013-09-11T19-27-11") == []
    assert store.matches("limnoria", "2013-09-11t19-27-10") == []
    # and its PEP 440 versions are still decided by the range (fixed 2019.11.09)
    assert [m.reason for m in store.matches("limnoria", "2019.11.8")] == [
        "ECOSYSTEM range: introduced 0, fixed 2019.11.09"
    ]
    assert store.matches("limnoria", "2019.11.9") == []


def test_local_versions_follow_specifier_semantics() -> None:
    store = one("PYSEC-2022-43015")  # torch: introduced 0, fixed 1.13.1
    assert [m.reason for m in store.matches("torch", "1.13.0+cpu")] == [
        "ECOSYSTEM range: introduced 0, fixed 1.13.1"
    ]
    assert store.matches("torch", "1.13.1+cu117") == []
    assert store.matches("torch", "1.13.1") == []
    versions_only = AdvisoryStore.from_records([_versions_only(real_record("PYSEC-2022-43015"))])
    assert [m.reason for m in versions_only.matches("torch", "1.12.1+cu113")] == [
        "listed in versions as 1.12.1 (PEP 440 equal to 1.12.1+cu113)"
    ]
    assert versions_only.matches("torch", "1.13.1+cpu") == []


# -- withdrawn, GIT ranges, limit, SEMVER, other ecosystems -------------------------------------


def test_withdrawn_records_are_kept_but_never_match() -> None:
    store = one("PYSEC-2023-73")  # redis, withdrawn 2023-06-06, introduced 0
    assert store.matches("redis", "4.5.4") == []
    assert store.vulnerabilities("redis", "4.5.4") == []
    assert store.ids_for_package("redis") == []
    advisory = store.advisory("PYSEC-2023-73")
    assert advisory is not None
    assert advisory.withdrawn == "2023-06-06T10:37:00Z"
    assert match_advisory(advisory, "redis", "4.5.4") is None
    record = store.record("PYSEC-2023-73")
    assert record is not None
    assert record["withdrawn"] == "2023-06-06T10:37:00Z"


def test_git_ranges_never_decide() -> None:
    data = copy.deepcopy(real_record("PYSEC-2019-102"))
    affected = data["affected"][0]
    affected["ranges"] = [r for r in affected["ranges"] if r["type"] == "GIT"]
    affected["versions"] = []
    store = AdvisoryStore.from_records([data])
    assert store.matches("limnoria", "2019.1.1") == []
    assert store.ids_for_package("limnoria") == ["PYSEC-2019-102"]


def _versions_only(data: dict) -> dict:  # type: ignore[type-arg]
    data = copy.deepcopy(data)
    for affected in data["affected"]:
        affected["ranges"] = []
    return data


def _synthetic(ranges: list[dict], versions: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    return {
        "id": "PYSEC-0000-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "demo"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
            },
            {
                "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
                "ranges": ranges,
                "versions": versions or [],
            },
        ],
    }


@pytest.mark.parametrize(
    ("version", "affected"),
    [("0.9", False), ("1.0", True), ("1.9", True), ("2.0", False), ("3.0", True), ("3.5", False)],
)
def test_limit_caps_the_range(version: str, affected: bool) -> None:
    # introduced 1.0 with no fix, capped below 2.0 (limit) -- plus an uncapped range
    store = AdvisoryStore.from_records(
        [
            _synthetic(
                [
                    {"type": "ECOSYSTEM", "events": [{"limit": "2.0"}, {"introduced": "1.0"}]},
                    {"type": "SEMVER", "events": [{"introduced": "3.0.0"}, {"fixed": "3.5.0"}]},
                ]
            )
        ]
    )
    found = store.matches("demo-pkg", version)
    assert bool(found) is affected
    if version == "1.9":
        assert found[0].reason == "ECOSYSTEM range: introduced 1.0, no fix (limit 2.0)"
    if version == "3.0":
        assert found[0].reason == "SEMVER range: introduced 3.0.0, fixed 3.5.0"


def test_other_ecosystems_are_not_indexed() -> None:
    store = AdvisoryStore.from_records(
        [_synthetic([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}])]
    )
    assert store.matches("demo", "1.0") == []
    assert store.package_names() == ["demo-pkg"]
    advisory = store.advisory("PYSEC-0000-1")
    assert advisory is not None
    assert [a.name for a in advisory.affected] == ["demo-pkg"]
    record = store.record("PYSEC-0000-1")
    assert record is not None
    assert record["affected"][0]["package"]["ecosystem"] == "npm"


# -- alias merging -------------------------------------------------------------------------


def test_aliases_merge_records_of_one_flaw() -> None:
    pysec = real_record("PYSEC-2023-100")
    ghsa = copy.deepcopy(pysec)
    ghsa["id"] = "GHSA-jh3w-4vvf-mjgr"
    ghsa["aliases"] = ["CVE-2023-36053"]
    other = real_record("PYSEC-2023-61")
    store = AdvisoryStore.from_records([ghsa, other, pysec])
    vulns = store.vulnerabilities("django", "4.2")
    # Ids in numeric order: PYSEC-2023-61 before PYSEC-2023-100 (issue 11, item 14).
    assert [v.ids for v in vulns] == [
        ("PYSEC-2023-61", "CVE-2023-31047"),
        ("PYSEC-2023-100", "GHSA-jh3w-4vvf-mjgr", "CVE-2023-36053"),
    ]
    assert [a.id for a in vulns[1].advisories] == ["PYSEC-2023-100", "GHSA-jh3w-4vvf-mjgr"]
    assert [m.advisory_id for m in vulns[1].matches] == ["PYSEC-2023-100", "GHSA-jh3w-4vvf-mjgr"]
    assert vulns[1].id == "PYSEC-2023-100"


def test_upstream_links_records() -> None:
    pysec = real_record("PYSEC-2024-1")
    mal = {
        "id": "MAL-2024-1",
        "modified": "2024-01-04T00:00:00Z",
        "upstream": ["PYSEC-2024-1"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "gratient"}, "versions": ["0.5"]}],
    }
    store = AdvisoryStore.from_records([mal, pysec])
    assert [v.ids for v in store.vulnerabilities("gratient", "0.5")] == [
        ("PYSEC-2024-1", "MAL-2024-1")
    ]


# -- explain ------------------------------------------------------------------------------------


def test_explain_walks_the_sorted_events_of_a_non_match() -> None:
    advisory = parse_advisory(real_record("PYSEC-2023-100"))
    assert explain(advisory, "Django", "4.1.10") == [
        "PYSEC-2023-100: django 4.1.10",
        "affected[0].ranges[0] ECOSYSTEM, events sorted by version: introduced 3.2, fixed 3.2.20, "
        "introduced 4.0, fixed 4.1.10, introduced 4.2, fixed 4.2.3",
        "  introduced 3.2: 4.1.10 >= 3.2 -> affected",
        "  fixed 3.2.20: 4.1.10 >= 3.2.20 -> not affected",
        "  introduced 4.0: 4.1.10 >= 4.0 -> affected",
        "  fixed 4.1.10: 4.1.10 >= 4.1.10 -> not affected",
        "  introduced 4.2: 4.1.10 < 4.2 -> unchanged (not affected)",
        "  fixed 4.2.3: 4.1.10 < 4.2.3 -> unchanged (not affected)",
        "  range result: not affected",
        "affected[0].versions (47 entries): 4.1.10 is not listed",
        "verdict: 4.1.10 is not affected",
    ]


def test_explain_a_match_git_range_withdrawn_and_invalid_versions() -> None:
    limnoria = parse_advisory(real_record("PYSEC-2019-102"))
    lines = explain(limnoria, "limnoria", "2013-09-11T19-27-10")
    assert lines[0] == "PYSEC-2019-102: limnoria 2013-09-11T19-27-10"
    assert lines[1] == (
        "'2013-09-11T19-27-10' is not a PEP 440 version: it can match only by exact string "
        "in versions"
    )
    assert lines[2] == (
        "affected[0].ranges[0] GIT (https://github.com/ProgVal/Limnoria): commit range, "
        "not used for version matching"
    )
    assert lines[-1] == "verdict: 2013-09-11T19-27-10 is affected"
    redis = parse_advisory(real_record("PYSEC-2023-73"))
    lines = explain(redis, "redis", "4.5.4")
    assert lines[1] == "withdrawn 2023-06-06T10:37:00Z: a withdrawn record never matches"
    assert lines[-1] == "verdict: 4.5.4 is not affected"
    assert explain(redis, "requests", "1.0")[1:] == [
        "withdrawn 2023-06-06T10:37:00Z: a withdrawn record never matches",
        "the record names no PyPI package requests (it names: redis)",
        "verdict: 1.0 is not affected",
    ]


def test_explain_walks_the_range_after_a_git_range() -> None:
    # limnoria: a GIT range first, then the ECOSYSTEM range that decides.
    limnoria = parse_advisory(real_record("PYSEC-2019-102"))
    assert explain(limnoria, "limnoria", "2019.11.8") == [
        "PYSEC-2019-102: limnoria 2019.11.8",
        "affected[0].ranges[0] GIT (https://github.com/ProgVal/Limnoria): commit range, "
        "not used for version matching",
        "affected[0].ranges[1] ECOSYSTEM, events sorted by version: introduced 0, fixed 2019.11.09",
        "  introduced 0: every version from the first -> affected",
        "  fixed 2019.11.09: 2019.11.8 < 2019.11.09 -> unchanged (affected)",
        "  range result: affected",
        "affected[0].versions (75 entries): 2019.11.8 is not listed",
        "verdict: 2019.11.8 is affected",
    ]


@pytest.mark.parametrize(
    "value", ["1.0", "1.0+cpu", "1!2.0.post1.dev3+ubuntu.1", " 2.0+Local-Build_7 ", "3.0rc1"]
)
def test_a_compiled_range_knows_its_local_bounds_and_limits(value: str) -> None:
    from pyward._advisory._match import _bounds, compile_range, parse_version

    parsed = parse_version(value)
    assert parsed is not None
    events = _bounds([("introduced", "0"), ("fixed", value), ("limit", "9"), ("limit", "*")])
    compiled = compile_range("ECOSYSTEM", events)
    assert compiled.local_bounds is (parsed.local is not None)
    assert compiled.limits == (parse_version("9"), None)
    assert [iv.reason for iv in compiled.intervals] == [f"introduced 0, fixed {value}"]
