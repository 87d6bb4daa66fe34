"""The range evaluator against the real records' own ``versions`` lists, and Hypothesis
properties of the evaluator on the real records' ranges."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from pyward._advisory._match import (
    Candidate,
    CompiledEntry,
    _range_hit,
    _walk_state,
    compact_entry,
    compile_entry,
    match_entry,
    parse_version,
)
from pyward._advisory._osv import parse_advisory
from pyward._advisory._types import Affected
from tests.advisory.conftest import all_real_records

#: Every real record whose ``versions`` list holds a PEP 440 version its ranges exclude,
#: with the reason. The ``versions`` list still counts (a version in it matches), so
#: none of these is a missed finding; they document where the two forms disagree.
KNOWN_DISAGREEMENTS = {
    # The list holds the pre-releases of 3.2 and 4.2 while the range starts at the final
    # release ("introduced: 3.2"); PEP 440 orders 3.2a1 < 3.2, so the range excludes them.
    "PYSEC-2023-61": ["3.2a1", "3.2b1", "3.2rc1", "4.2a1", "4.2b1", "4.2rc1"],
    # The list (built from the GIT range's tags) holds the fix release and its post
    # release: the fixing commit is not an ancestor of the 23.9.0 tag, so the GIT-derived
    # list disagrees with "fixed: 23.9.0".
    "PYSEC-2023-177": ["23.9.0", "23.9.0.post1"],
    # One range object holds overlapping intervals written [0, 2.11.6) and [2.11, 2.11.7);
    # sorted as OSV's evaluation requires, "fixed 2.11.6" closes both, so 2.11.6 falls
    # outside although the writer meant it inside the second interval.
    "PYSEC-2021-114": ["2.11.6"],
}


@cache
def entries() -> tuple[tuple[str, Affected], ...]:
    out = []
    for data in all_real_records():
        advisory = parse_advisory(data)
        for affected in advisory.affected:
            if any(r.type != "GIT" for r in affected.ranges):
                out.append((advisory.id, affected))
    return tuple(out)


def ranges_only(advisory_id: str, affected: Affected) -> CompiledEntry:
    full = compile_entry(advisory_id, affected.name, compact_entry(affected))
    return replace(full, versions="", canonical="")


def test_listed_versions_are_inside_the_ranges() -> None:
    disagreements: dict[str, list[str]] = {}
    checked = 0
    for advisory_id, affected in entries():
        entry = ranges_only(advisory_id, affected)
        for version in affected.versions:
            if parse_version(version) is None:
                continue
            checked += 1
            if match_entry(entry, Candidate.of(version)) is None:
                disagreements.setdefault(advisory_id, []).append(version)
    assert disagreements == KNOWN_DISAGREEMENTS
    assert checked == 140738


def oracle(affected: Affected, version: Version) -> bool:
    """Independent formulation: turn the sorted events into intervals, then test
    membership interval by interval (local labels ignored: no real bound has one)."""
    v = Version(version.public)
    for rng in affected.ranges:
        if rng.type == "GIT":
            continue
        limits = [Version(e.value) for e in rng.events if e.kind == "limit" and e.value != "*"]
        if limits and not any(v < limit for limit in limits):
            continue
        intervals: list[tuple[Version | None, Version | None, bool]] = []
        low: Version | None = None
        open_ = False
        for e in rng.events:
            bound = None if e.value == "0" and e.kind == "introduced" else Version(e.value)
            if e.kind == "introduced" and not open_:
                low, open_ = bound, True
            elif e.kind in ("fixed", "last_affected") and open_:
                intervals.append((low, bound, e.kind == "last_affected"))
                open_ = False
        if open_:
            intervals.append((low, None, False))
        for lo, hi, inclusive in intervals:
            if lo is not None and v < lo:
                continue
            if hi is None or v < hi or (inclusive and v == hi):
                return True
    return False


@cache
def bounds() -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                e.value
                for _, a in entries()
                for r in a.ranges
                if r.type != "GIT"
                for e in r.events
                if e.value != "0"
            }
        )
    )


def near(value: str) -> st.SearchStrategy[str]:
    """Versions at and around one real bound: its pre-, dev-, post-releases and padding."""
    return st.sampled_from(
        [
            value,
            f"{value}.0",
            f"{value}rc1",
            f"{value}a1",
            f"{value}.dev0",
            f"{value}.post1",
            f"{value}+local.7",
        ]
    )


generated = st.builds(
    lambda release, pre, post, dev: ".".join(map(str, release)) + pre + post + dev,
    st.lists(st.integers(0, 25), min_size=1, max_size=4),
    st.sampled_from(["", "a1", "b2", "rc1"]),
    st.sampled_from(["", ".post1"]),
    st.sampled_from(["", ".dev0"]),
)

versions = st.one_of(generated, st.sampled_from(bounds()).flatmap(near)).filter(
    lambda v: parse_version(v) is not None
)
entry_index = st.integers(0, len(entries()) - 1)


@settings(max_examples=600, deadline=None)
@given(entry_index, versions)
def test_range_evaluator_agrees_with_interval_oracle(index: int, version: str) -> None:
    advisory_id, affected = entries()[index]
    hit = match_entry(ranges_only(advisory_id, affected), Candidate.of(version))
    assert (hit is not None) is oracle(affected, Version(version))


@settings(max_examples=300, deadline=None)
@given(entry_index, versions)
def test_local_labels_and_zero_padding_do_not_change_the_answer(index: int, version: str) -> None:
    advisory_id, affected = entries()[index]
    entry = compile_entry(advisory_id, affected.name, compact_entry(affected))
    base = Version(version)
    release = ".".join(map(str, base.release))
    public = base.public
    padded = public.replace(release, release + ".0", 1)

    def hit(v: str) -> bool:
        return match_entry(entry, Candidate.of(v)) is not None

    assert Version(padded) == Version(public)
    assert hit(padded) is hit(public)
    assert hit(public + "+cpu") is hit(public)


def test_a_listed_version_always_matches() -> None:
    for advisory_id, affected in entries()[:400]:
        entry = compile_entry(advisory_id, affected.name, compact_entry(affected))
        for version in affected.versions:
            assert match_entry(entry, Candidate.of(version)) is not None, (advisory_id, version)


@settings(max_examples=600, deadline=None)
@given(entry_index, versions)
def test_interval_form_equals_the_event_walk(index: int, version: str) -> None:
    """The fast interval evaluation gives the same answer and reason as OSV's
    pseudo-code walked event by event, on every real range."""
    advisory_id, affected = entries()[index]
    entry = compile_entry(advisory_id, affected.name, compact_entry(affected))
    cand = Candidate.of(version)
    for rng in entry.ranges:
        assert _range_hit(rng, cand) == _walk_state(rng, cand)


def test_interval_form_equals_the_event_walk_on_every_listed_version() -> None:
    compared = 0
    for advisory_id, affected in entries():
        entry = compile_entry(advisory_id, affected.name, compact_entry(affected))
        for version in affected.versions:
            cand = Candidate.of(version)
            if cand.version is None:
                continue
            for rng in entry.ranges:
                compared += 1
                assert _range_hit(rng, cand) == _walk_state(rng, cand), (advisory_id, version)
    assert compared == 140738


def test_canonical_version_equals_packaging() -> None:
    from packaging.utils import canonicalize_version

    from pyward._advisory._match import canonical_version

    seen = 0
    for _, affected in entries():
        for version in affected.versions:
            if parse_version(version) is None:
                assert canonical_version(version) is None
                continue
            seen += 1
            assert canonical_version(version) == canonicalize_version(
                version, strip_trailing_zero=True
            )
    assert seen == 140738


@given(generated.map(lambda v: f"1!{v}+Ubuntu-1.2") | generated)
def test_canonical_version_equals_packaging_generated(version: str) -> None:
    from packaging.utils import canonicalize_version

    from pyward._advisory._match import canonical_version

    assert canonical_version(version) == canonicalize_version(version, strip_trailing_zero=True)
