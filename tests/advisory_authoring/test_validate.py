"""``pyward advisory validate``: the OSV schema and the reviewer's rules, on made-up
records (one fault each), on the real PyPA advisory database, and through the CLI."""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyward._advisory._match import match_advisory
from pyward._advisory._osv import parse_advisory
from pyward._authoring._validate import (
    RULES,
    SCHEMA_PATH,
    Problem,
    ValidationOptions,
    ValidationReport,
    validate_paths,
    validate_record,
)
from pyward._cli import main
from pyward._extras import MissingExtra
from tests.conftest import DATA, PYPA_DB, SCHEMAS
from tests.index._loopback_index import loopback_index

DOCS = Path(__file__).resolve().parents[2] / "docs" / "advisories.md"

#: A record with every field a reviewer looks at, and nothing wrong with it.
CLEAN: dict[str, Any] = {
    "schema_version": "1.7.0",
    "id": "PYSEC-2026-1",
    "modified": "2026-03-02T10:00:00Z",
    "published": "2026-03-01T09:30:00.5Z",
    "aliases": ["CVE-2026-12345", "GHSA-2xp7-4m6v-q9c3"],
    "summary": "Path traversal in demo-pkg's archive extraction",
    "details": "Extracting a crafted archive writes outside the target directory.",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo-pkg", "purl": "pkg:pypi/demo-pkg"},
            "ranges": [
                {
                    "type": "ECOSYSTEM",
                    "events": [
                        {"introduced": "0"},
                        {"fixed": "1.2.3"},
                        {"introduced": "2.0"},
                        {"fixed": "2.0.1"},
                    ],
                }
            ],
            "versions": ["0.9", "1.0", "1.2.2", "2.0"],
        }
    ],
    "references": [{"type": "FIX", "url": "https://example.invalid/demo-pkg/commit/1"}],
    "credits": [
        {"name": "Ana", "type": "FINDER", "contact": ["mailto:ana@example.invalid"]},
        {"name": "Bo", "type": "REMEDIATION_DEVELOPER", "contact": ["https://example.invalid/bo"]},
    ],
}
RELEASED = ("0.9", "1.0", "1.2.2", "1.2.3", "2.0", "2.0.1", "3.0")

Edit = Callable[[dict[str, Any]], None]


def problems(
    record: object,
    *,
    file: str = "draft.json",
    releases: Sequence[str] | None = None,
    **options: Any,
) -> list[tuple[str, str, str]]:
    """``(rule, path, message)`` of each problem of ``record``."""
    given_releases = None if releases is None else (lambda name: releases)
    found = validate_record(
        record, file=file, options=ValidationOptions(releases=given_releases, **options)
    )
    return [(p.rule, p.path, p.message) for p in found]


def edited(edit: Edit) -> dict[str, Any]:
    record = copy.deepcopy(CLEAN)
    edit(record)
    return record


def _set(path: str, value: object) -> Edit:
    """An edit that sets ``path`` (``affected.0.ranges.0.type``) to ``value``."""

    def edit(record: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = record
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def _delete(*keys: str) -> Edit:
    def edit(record: dict[str, Any]) -> None:
        for key in keys:
            del record[key]

    return edit


def _events(*events: tuple[str, str], versions: list[str] | None = None) -> Edit:
    def edit(record: dict[str, Any]) -> None:
        entry = record["affected"][0]
        entry["ranges"][0]["events"] = [{kind: value} for kind, value in events]
        if versions is None:
            del entry["versions"]
        else:
            entry["versions"] = versions

    return edit


E = "affected[0].ranges[0].events"

#: (case, edit, options, the problems expected). Every rule but the layout and release
#: ones (tested below) appears here.
CASES: list[tuple[str, Edit, dict[str, Any], list[tuple[str, str, str]]]] = [
    (
        "missing-modified",
        _delete("modified"),
        {},
        [("schema", "", "missing 'modified'")],
    ),
    (
        "unknown-field",
        _set("severity_score", 9.8),
        {},
        [("schema", "", "unknown field 'severity_score'")],
    ),
    (
        "wrong-type",
        _set("aliases", "CVE-2026-12345"),
        {},
        [("schema", "aliases", "expected array or null, got string")],
    ),
    (
        "unknown-credit-type",
        _set("credits.0.type", "FOUND_IT"),
        {},
        [
            (
                "schema",
                "credits[0].type",
                "unknown value 'FOUND_IT' (one of: FINDER, REPORTER, ANALYST, COORDINATOR, "
                "REMEDIATION_DEVELOPER, REMEDIATION_REVIEWER, REMEDIATION_VERIFIER, TOOL, "
                "SPONSOR, OTHER)",
            )
        ],
    ),
    (
        "git-short-hash",
        _set(
            "affected.0.ranges",
            [
                {
                    "type": "GIT",
                    "repo": "https://example.invalid/demo-pkg",
                    "events": [{"introduced": "0"}, {"fixed": "cb35df940a"}],
                }
            ],
        ),
        {},
        [
            (
                "schema",
                "affected[0].ranges[0].events[1].fixed",
                "'cb35df940a' does not match GIT ranges must use full-length commit hashes",
            )
        ],
    ),
    (
        "no-introduced",
        _events(("fixed", "1.0")),
        {},
        [
            (
                "schema",
                E,
                "events must contain an introduced object and may contain fixed, "
                "last_affected or limit objects",
            )
        ],
    ),
    (
        "pysec-shape",
        _set("id", "PYSEC-2026-x1"),
        {},
        [("id-format", "id", "'PYSEC-2026-x1' is not of the form PYSEC-YYYY-N")],
    ),
    (
        "ghsa-shape",
        _set("id", "GHSA-aaaa-bbbb-cccc"),
        {},
        [("id-format", "id", "'GHSA-aaaa-bbbb-cccc' is not of the form GHSA-xxxx-xxxx-xxxx")],
    ),
    (
        "unknown-prefix",
        _set("id", "ACME-2026-7"),
        {},
        [
            (
                "id-format",
                "id",
                "'ACME-2026-7' has no known prefix (PYSEC, GHSA, CVE, MAL, PSF or another "
                "OSV database's): give --prefix for an organisation's own",
            )
        ],
    ),
    ("configured-prefix", _set("id", "ACME-2026-7"), {"prefixes": ("ACME",)}, []),
    (
        "configured-prefix-shape",
        _set("id", "ACME-26-7"),
        {"prefixes": ("ACME",)},
        [("id-format", "id", "'ACME-26-7' is not of the form ACME-YYYY-N (the configured prefix)")],
    ),
    ("draft-id", _set("id", "PYSEC-0000-demo-pkg-traversal"), {}, []),
    ("other-osv-database", _set("id", "GO-2026-1234"), {}, []),
    (
        "impossible-date",
        _set("published", "2026-02-30T00:00:00Z"),
        {},
        [
            (
                "timestamp",
                "published",
                "'2026-02-30T00:00:00Z' is not an RFC 3339 UTC time "
                "(YYYY-MM-DDTHH:MM:SSZ) that exists",
            )
        ],
    ),
    (
        "offset-not-utc",
        _set("modified", "2026-03-02T10:00:00+01:00"),
        {},
        [
            (
                "timestamp",
                "modified",
                "'2026-03-02T10:00:00+01:00' is not an RFC 3339 UTC time "
                "(YYYY-MM-DDTHH:MM:SSZ) that exists",
            )
        ],
    ),
    (
        "modified-early",
        _set("modified", "2026-03-01T09:30:00Z"),
        {},
        [
            (
                "modified-before-published",
                "modified",
                "2026-03-01T09:30:00Z is before published 2026-03-01T09:30:00.5Z",
            )
        ],
    ),
    (
        "withdrawn-early",
        _set("withdrawn", "2026-02-01T00:00:00Z"),
        {},
        [
            (
                "withdrawn-before-published",
                "withdrawn",
                "2026-02-01T00:00:00Z is before published 2026-03-01T09:30:00.5Z",
            )
        ],
    ),
    (
        "says-nothing",
        _delete("summary", "details"),
        {},
        [("description-missing", "", "neither a summary nor details")],
    ),
    ("details-only", _delete("summary"), {}, []),
    (
        "details-only-required",
        _delete("summary"),
        {"require_summary": True},
        [("summary-missing", "summary", "missing")],
    ),
    (
        "two-lines",
        _set("summary", "Path traversal\nin demo-pkg"),
        {},
        [("summary-lines", "summary", "more than one line (OSV: a one-line summary)")],
    ),
    (
        "long-summary",
        _set("summary", "x" * 121),
        {},
        [("summary-length", "summary", "121 characters, over OSV's guidance of 120")],
    ),
    (
        "vector-incomplete",
        _set("severity.0.score", "CVSS:3.1/AV:N/AC:L"),
        {},
        [
            (
                "severity-vector",
                "severity[0].score",
                "'CVSS:3.1/AV:N/AC:L' does not score as CVSS_V3: Missing mandatory metrics "
                '"PR, UI, S, C, I, A"',
            )
        ],
    ),
    (
        "v4-vector-scores",
        _set(
            "severity.0",
            {
                "type": "CVSS_V4",
                "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            },
        ),
        {},
        [],
    ),
    (
        "alias-self",
        _set("aliases", ["PYSEC-2026-1"]),
        {},
        [("alias-self", "aliases[0]", "'PYSEC-2026-1' is the record's own id")],
    ),
    (
        "alias-trailing-comma",
        _set("aliases", ["GHSA-jf66-3q76-h5p5,"]),
        {},
        [("alias-format", "aliases[0]", "'GHSA-jf66-3q76-h5p5,' is not an id (DB-ENTRY)")],
    ),
    (
        "alias-cve-shape",
        _set("aliases", ["CVE-2026-12"]),
        {},
        [("alias-format", "aliases[0]", "'CVE-2026-12' is not of the form CVE-YYYY-NNNN")],
    ),
    (
        "alias-twice",
        _set("aliases", ["CVE-2026-12345", "CVE-2026-12345"]),
        {},
        [("alias-duplicate", "aliases[1]", "'CVE-2026-12345' is listed twice")],
    ),
    (
        "reference-scheme",
        _set("references.0.url", "ttps://example.invalid/x"),
        {},
        [
            (
                "reference-url",
                "references[0].url",
                "'ttps://example.invalid/x' is not an absolute http(s) URL",
            )
        ],
    ),
    (
        "contact-bare-email",
        _set("credits.0.contact", ["ana@example.invalid"]),
        {},
        [
            (
                "credit-contact",
                "credits[0].contact[0]",
                "'ana@example.invalid' is not a URL (https:, http: or mailto:)",
            )
        ],
    ),
    (
        "name-not-normalised",
        _set("affected.0.package.name", "Demo_Pkg"),
        {},
        [
            (
                "package-name",
                "affected[0].package.name",
                "'Demo_Pkg' is not normalised (PEP 503: 'demo-pkg')",
            )
        ],
    ),
    (
        "name-invalid",
        _set("affected.0.package.name", "demo pkg"),
        {},
        [("package-name", "affected[0].package.name", "'demo pkg' is not a project name")],
    ),
    (
        "purl-other-package",
        _set("affected.0.package.purl", "pkg:pypi/other"),
        {},
        [("purl", "affected[0].package.purl", "'pkg:pypi/other' is not 'pkg:pypi/demo-pkg'")],
    ),
    (
        "semver-range",
        _set("affected.0.ranges.0.type", "SEMVER"),
        {},
        [
            (
                "range-type",
                "affected[0].ranges[0].type",
                "SEMVER: PyPI versions are PEP 440, not SemVer; use ECOSYSTEM",
            )
        ],
    ),
    (
        "bound-not-pep440",
        _events(("introduced", "0"), ("fixed", "2019-09-12")),
        {},
        [
            (
                "event-version",
                f"{E}[1].fixed",
                "'2019-09-12' is not a PEP 440 version: the range cannot be evaluated",
            )
        ],
    ),
    (
        "listed-not-pep440",
        _set("affected.0.versions", ["1.0", "0.7.10p1"]),
        {},
        [("listed-version", "affected[0].versions[1]", "'0.7.10p1' is not a PEP 440 version")],
    ),
    (
        "unsorted",
        _events(("introduced", "2.0"), ("fixed", "2.0.1"), ("introduced", "0"), ("fixed", "1.2.3")),
        {},
        [
            (
                "events-unsorted",
                E,
                "not in version order: introduced 2.0, fixed 2.0.1, introduced 0, fixed 1.2.3",
            )
        ],
    ),
    (
        "fixed-below-introduced",
        _events(("introduced", "2.0"), ("fixed", "1.0")),
        {},
        [
            ("events-unsorted", E, "not in version order: introduced 2.0, fixed 1.0"),
            (
                "fixed-not-after-introduced",
                f"{E}[1].fixed",
                "fixed 1.0 is not above introduced 2.0",
            ),
        ],
    ),
    (
        "fixed-at-introduced",
        _events(("introduced", "1.0"), ("fixed", "1.0")),
        {},
        [("fixed-not-after-introduced", f"{E}[1].fixed", "fixed 1.0 is not above introduced 1.0")],
    ),
    (
        "last-affected-at-introduced",
        _events(("introduced", "1.0"), ("last_affected", "1.0")),
        {},
        [],
    ),
    (
        "fixed-and-last-affected",
        _events(
            ("introduced", "0"), ("last_affected", "1.0"), ("introduced", "2.0"), ("fixed", "2.1")
        ),
        {},
        [
            (
                "fixed-and-last-affected",
                f"{E}[1]",
                "a range holds fixed or last_affected events, not both (OSV)",
            )
        ],
    ),
    (
        "overlap",
        _events(
            ("introduced", "2.11"), ("fixed", "2.11.7"), ("introduced", "0"), ("fixed", "2.11.6")
        ),
        {},
        [
            (
                "events-unsorted",
                E,
                "not in version order: introduced 2.11, fixed 2.11.7, introduced 0, fixed 2.11.6",
            ),
            (
                "range-overlap",
                f"{E}[0].introduced",
                "introduced 2.11 while the range opened at 0 is not yet closed: sorted, "
                "the pairs overlap",
            ),
        ],
    ),
    (
        "tie-written-open-first",
        _events(("introduced", "1.0"), ("fixed", "2.0"), ("introduced", "0.5"), ("fixed", "1.0")),
        {},
        [
            (
                "events-unsorted",
                E,
                "not in version order: introduced 1.0, fixed 2.0, introduced 0.5, fixed 1.0",
            ),
            (
                "range-overlap",
                f"{E}[0].introduced",
                "introduced 1.0 while the range opened at 0.5 is not yet closed: it is written "
                "before fixed 1.0, and evaluation keeps the written order of equal versions",
            ),
        ],
    ),
    (
        "adjacent-pairs",
        _events(("introduced", "0"), ("fixed", "1.0"), ("introduced", "1.0"), ("fixed", "2.0")),
        {},
        [],
    ),
    (
        "listed-outside",
        _set("affected.0.versions", ["1.0", "1.2.3"]),
        {},
        [
            (
                "version-outside-ranges",
                "affected[0].versions[1]",
                "1.2.3 is in none of the entry's ranges",
            )
        ],
    ),
    (
        "prerelease-before-introduced",
        _events(("introduced", "3.2"), ("fixed", "3.2.19"), versions=["3.2a1", "3.2"]),
        {},
        [
            (
                "version-outside-ranges",
                "affected[0].versions[0]",
                "3.2a1 is in none of the entry's ranges",
            )
        ],
    ),
    (
        "introduced-zero-covers-prereleases",
        _events(("introduced", "0"), ("fixed", "1.0"), versions=["0.0.0b0", "0.9"]),
        {},
        [],
    ),
    (
        "ignored-rule",
        _set("summary", "x" * 121),
        {"ignore": frozenset({"summary-length"})},
        [],
    ),
]


def test_the_clean_record_is_clean() -> None:
    assert problems(CLEAN) == []


@pytest.mark.parametrize(
    ("edit", "options", "expected"),
    [pytest.param(edit, options, expected, id=case) for case, edit, options, expected in CASES],
)
def test_one_fault(
    edit: Edit, options: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    assert problems(edited(edit), **options) == expected


def test_a_record_that_is_not_an_object() -> None:
    found = validate_record(["PYSEC-2026-1"], file="list.json", options=ValidationOptions())
    assert found == [
        Problem(
            file="list.json",
            record=None,
            rule="schema",
            level="error",
            path="",
            message="expected object, got array",
        )
    ]
    assert found[0].line() == "list.json: -: schema: expected object, got array"


def test_other_ecosystems_get_the_record_rules_only() -> None:
    record = edited(_set("affected.0.package", {"ecosystem": "npm", "name": "Demo_Pkg"}))
    record["affected"][0]["versions"] = ["not-a-version"]
    assert problems(record) == []


def test_problem_lines() -> None:
    warning = Problem(
        file="a.json",
        record="X-1",
        rule="summary-length",
        level="warning",
        path="summary",
        message="m",
    )
    assert warning.line() == "a.json: X-1: summary-length: summary: m (warning)"


# -- released versions ------------------------------------------------------------------


def test_released_versions_checked() -> None:
    record = edited(_events(("introduced", "1.0"), ("fixed", "2.0.2"), versions=["1.0", "1.1"]))
    assert problems(record, releases=RELEASED) == [
        ("version-unreleased", f"{E}[1].fixed", "demo-pkg 2.0.2 was not released"),
        ("version-unreleased", "affected[0].versions[1]", "demo-pkg 1.1 was not released"),
        (
            "versions-incomplete",
            "affected[0].versions",
            "the ranges affect released 1.2.2, 1.2.3, 2.0, 2.0.1, not listed",
        ),
    ]


def test_versions_incomplete_names_five() -> None:
    record = edited(_events(("introduced", "0"), versions=["0.9"]))
    releases = ["0.9", *(f"1.{n}" for n in range(8))]
    assert problems(record, releases=releases) == [
        (
            "versions-incomplete",
            "affected[0].versions",
            "the ranges affect released 1.0, 1.1, 1.2, 1.3, 1.4 and 3 more, not listed",
        )
    ]


def test_clean_record_against_its_releases() -> None:
    assert problems(CLEAN, releases=RELEASED) == []


def test_without_release_data_a_note(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps(CLEAN))

    def unknown(name: str) -> str:
        return "not on this index"

    assert validate_paths([tmp_path], ValidationOptions()).notes == (
        "released versions not checked (version-unreleased, versions-incomplete): "
        "give --index-url or --versions-from",
    )
    report = validate_paths([tmp_path], ValidationOptions(releases=unknown))
    assert report.notes == ("demo-pkg: released versions not checked: not on this index",)
    assert report.problems == ()


# -- the PyPA layout --------------------------------------------------------------------


def test_pypa_layout_rules(tmp_path: Path) -> None:
    folder = tmp_path / "vulns" / "other-pkg"
    folder.mkdir(parents=True)
    (folder / "PYSEC-2026-2.json").write_text(json.dumps(CLEAN))
    report = validate_paths([tmp_path], ValidationOptions(releases=lambda name: RELEASED))
    assert [p.line() for p in report.problems] == [
        f"{folder}/PYSEC-2026-2.json: PYSEC-2026-1: file-name: id: the file is named "
        "'PYSEC-2026-2.json', the id is 'PYSEC-2026-1'",
        f"{folder}/PYSEC-2026-2.json: PYSEC-2026-1: package-directory: affected: the record "
        "is under vulns/other-pkg/ but affects demo-pkg",
    ]
    # The directory's name is compared normalised, as the package's is.
    good = tmp_path / "vulns" / "Demo.Pkg"
    good.mkdir()
    (good / "PYSEC-2026-1.yaml").write_text(json.dumps(CLEAN))
    assert validate_paths([good], ValidationOptions(releases=lambda name: RELEASED)).problems == ()


def test_every_rule_is_exercised_and_documented() -> None:
    seen = {rule for *_, expected in CASES for rule, _, _ in expected}
    seen |= {"version-unreleased", "versions-incomplete", "file-name", "package-directory"}
    assert seen == set(RULES)
    docs = DOCS.read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.level} | {rule.summary} |" in docs, rule.id


def test_the_bundled_schema_is_the_official_one() -> None:
    assert SCHEMA_PATH.read_bytes() == (SCHEMAS / "osv-schema.json").read_bytes()
    notice = (SCHEMA_PATH.parent / "NOTICE").read_text(encoding="utf-8")
    assert "Apache License, Version 2.0" in notice
    assert "Apache License" in (SCHEMA_PATH.parent / "LICENSE").read_text(encoding="utf-8")


def test_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    with pytest.raises(MissingExtra, match=r"needs the 'advisory' extra"):
        validate_record(CLEAN, file="draft.json", options=ValidationOptions())


# -- the evaluation the range rules assume ------------------------------------------------

_VERSIONS = st.sampled_from(["0", "0.5", "1.0", "1.0.1", "1.1rc1", "1.1", "2.0", "2.0.post1"])


@settings(max_examples=300, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.sampled_from(["introduced", "fixed", "last_affected"]), _VERSIONS),
        min_size=1,
        max_size=6,
    ),
    candidate=_VERSIONS.filter(lambda v: v != "0"),
)
def test_outside_ranges_agrees_with_the_audit(
    events: list[tuple[str, str]], candidate: str
) -> None:
    """``version-outside-ranges`` fires for a listed version exactly when the audit's
    matcher finds it in none of the ranges (whenever the ranges can be evaluated)."""
    events = [("introduced", "0") if v == "0" else (k, v) for k, v in events]
    if not any(k == "introduced" for k, _ in events):
        events.insert(0, ("introduced", "0"))
    record = edited(_events(*events, versions=[candidate]))
    found = problems(record)
    unusable = {"fixed-and-last-affected", "fixed-not-after-introduced", "range-overlap"}
    if any(rule in unusable for rule, _, _ in found):
        return
    ranges_only = edited(_events(*events))
    matched = match_advisory(parse_advisory(ranges_only), "demo-pkg", candidate)
    outside = any(rule == "version-outside-ranges" for rule, _, _ in found)
    assert outside == (matched is None)


# -- the real PyPA advisory database ------------------------------------------------------

#: Every (record, rule) the rules find in tests/data/pypa-advisory-database, each
#: reviewed as a real fault of that record (docs/advisories.md sums them up).
PYPA_PROBLEMS: dict[str, set[str]] = {
    # GIT ranges with short or suffixed commit hashes (``cb35df940a``, ``...patch``).
    "schema": {
        "PYSEC-2017-27",
        "PYSEC-2019-155",
        "PYSEC-2021-371",
        "PYSEC-2021-424",
        "PYSEC-2021-425",
        "PYSEC-2021-436",
        "PYSEC-2023-80",
    },
    # ``fixed: 2019-09-12``, ``fixed: 0.2.0-n653``: the audit skips those ranges.
    "event-version": {"PYSEC-2019-125", "PYSEC-2021-371"},
    # wagtail: [0, 2.11.6) and [2.11, 2.11.7); pyspark, apache-iotdb: an introduced
    # written before the fix of the same version.
    "range-overlap": {"PYSEC-2021-114", "PYSEC-2022-42972", "PYSEC-2023-72"},
    "reference-url": {"PYSEC-2021-865"},  # ttps://bugzilla...
    "alias-format": {"PYSEC-2022-184"},  # GHSA-jf66-3q76-h5p5,
    "package-name": {"PYSEC-2020-341"},  # jw.util
    # django 3.2a1 listed, range from 3.2; gevent 23.9.0 listed and the fix.
    "version-outside-ranges": {"PYSEC-2023-177", "PYSEC-2023-61"},
    # Git tags, not PEP 440 versions: 0.7.10p1, 2.0.0-final, trunk, a3...
    "listed-version": {
        "PYSEC-2006-1",
        "PYSEC-2008-3",
        "PYSEC-2008-8",
        "PYSEC-2015-24",
        "PYSEC-2015-25",
        "PYSEC-2017-103",
        "PYSEC-2017-41",
        "PYSEC-2017-46",
        "PYSEC-2017-47",
        "PYSEC-2018-100",
        "PYSEC-2018-114",
        "PYSEC-2018-115",
        "PYSEC-2018-19",
        "PYSEC-2019-102",
        "PYSEC-2019-106",
        "PYSEC-2019-126",
        "PYSEC-2019-6",
        "PYSEC-2020-341",
        "PYSEC-2021-121",
        "PYSEC-2021-338",
        "PYSEC-2021-356",
        "PYSEC-2021-859",
        "PYSEC-2022-12",
        "PYSEC-2022-166",
        "PYSEC-2022-288",
        "PYSEC-2022-5",
        "PYSEC-2023-17",
        "PYSEC-2023-22",
    },
    # Pairs written newest first (ansible, wagtail, ...), which OSV recommends against.
    "events-unsorted": {
        "PYSEC-2015-22",
        "PYSEC-2015-23",
        "PYSEC-2017-10",
        "PYSEC-2017-4",
        "PYSEC-2017-58",
        "PYSEC-2017-59",
        "PYSEC-2017-60",
        "PYSEC-2017-61",
        "PYSEC-2017-62",
        "PYSEC-2017-63",
        "PYSEC-2017-9",
        "PYSEC-2018-104",
        "PYSEC-2018-19",
        "PYSEC-2018-2",
        "PYSEC-2018-25",
        "PYSEC-2018-30",
        "PYSEC-2018-42",
        "PYSEC-2018-43",
        "PYSEC-2018-44",
        "PYSEC-2018-59",
        "PYSEC-2018-60",
        "PYSEC-2018-94",
        "PYSEC-2018-98",
        "PYSEC-2019-10",
        "PYSEC-2019-12",
        "PYSEC-2019-13",
        "PYSEC-2019-14",
        "PYSEC-2019-152",
        "PYSEC-2019-169",
        "PYSEC-2019-189",
        "PYSEC-2019-190",
        "PYSEC-2019-191",
        "PYSEC-2019-193",
        "PYSEC-2019-79",
        "PYSEC-2020-135",
        "PYSEC-2020-153",
        "PYSEC-2020-292",
        "PYSEC-2020-327",
        "PYSEC-2021-103",
        "PYSEC-2021-104",
        "PYSEC-2021-114",
        "PYSEC-2021-47",
        "PYSEC-2021-875",
        "PYSEC-2022-190",
        "PYSEC-2022-191",
        "PYSEC-2022-236",
        "PYSEC-2022-42972",
        "PYSEC-2023-100",
        "PYSEC-2023-159",
        "PYSEC-2023-166",
        "PYSEC-2023-169",
        "PYSEC-2023-192",
        "PYSEC-2023-193",
        "PYSEC-2023-212",
        "PYSEC-2023-55",
        "PYSEC-2023-56",
        "PYSEC-2023-72",
        "PYSEC-2024-102",
        "PYSEC-2024-16",
        "PYSEC-2024-35",
        "PYSEC-2024-36",
        "PYSEC-2024-57",
        "PYSEC-2024-58",
        "PYSEC-2024-59",
        "PYSEC-2024-66",
        "PYSEC-2024-67",
        "PYSEC-2024-68",
        "PYSEC-2024-69",
        "PYSEC-2024-70",
        "PYSEC-2024-86",
    },
}


@pytest.fixture(scope="module")
def pypa_report() -> ValidationReport:
    return validate_paths([PYPA_DB], ValidationOptions())


def _by_rule(report: ValidationReport) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for p in report.problems:
        assert p.record is not None
        found.setdefault(p.rule, set()).add(p.record)
    return found


def test_the_real_database(pypa_report: ValidationReport) -> None:
    assert pypa_report.files == 2661
    assert _by_rule(pypa_report) == PYPA_PROBLEMS
    assert (pypa_report.errors, pypa_report.warnings) == (14, 187)
    assert len({p.record for p in pypa_report.problems}) == 109
    assert pypa_report.notes == (
        f"{PYPA_DB}: ignored 1 .json/.yaml file outside vulns/ (not records), e.g. "
        "triage/false_positives.yaml",
        "released versions not checked (version-unreleased, versions-incomplete): "
        "give --index-url or --versions-from",
    )


def test_the_real_database_messages(pypa_report: ValidationReport) -> None:
    lines = {p.line().removeprefix(f"{PYPA_DB}/vulns/") for p in pypa_report.problems}
    for line in (
        "matrix-synapse/PYSEC-2021-424.yaml: PYSEC-2021-424: schema: "
        "affected[0].ranges[0].events[1].fixed: 'cb35df940a' does not match GIT ranges must "
        "use full-length commit hashes",
        "steam/PYSEC-2019-125.yaml: PYSEC-2019-125: event-version: "
        "affected[0].ranges[0].events[1].fixed: '2019-09-12' is not a PEP 440 version: the "
        "range cannot be evaluated",
        "bleach/PYSEC-2021-865.yaml: PYSEC-2021-865: reference-url: references[2].url: "
        "'ttps://bugzilla.mozilla.org/show_bug.cgi?id=1689399' is not an absolute http(s) URL",
        "keylime/PYSEC-2022-184.yaml: PYSEC-2022-184: alias-format: aliases[1]: "
        "'GHSA-jf66-3q76-h5p5,' is not an id (DB-ENTRY)",
        "gevent/PYSEC-2023-177.yaml: PYSEC-2023-177: version-outside-ranges: "
        "affected[0].versions[80]: 23.9.0 is in none of the entry's ranges (warning)",
    ):
        assert line in lines


FULL_DB = Path(os.environ.get("PYWARD_FULL_PYPA_DB", "../shared/data/pypa-advisory-database"))


@pytest.mark.skipif(not (FULL_DB / "vulns").is_dir(), reason="the full shared data is not here")
def test_the_full_shared_database(pypa_report: ValidationReport) -> None:
    """The shared copy (real index host names in a few URLs) finds what the repo's does."""
    report = validate_paths([FULL_DB], ValidationOptions())
    assert _by_rule(report) == _by_rule(pypa_report)


def test_the_other_real_records() -> None:
    """ossf/malicious-packages' records credit bare e-mail addresses, which OSV says
    should be URLs: warnings, never errors."""
    report = validate_paths([DATA / "malicious-packages"], ValidationOptions())
    assert report.errors == 0
    assert [(p.record, p.rule) for p in report.problems] == [
        ("MAL-2026-15859", "credit-contact"),
        ("MAL-2026-4750", "credit-contact"),
    ]


# -- the command line -----------------------------------------------------------------------


def _write(path: Path, record: object) -> Path:
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_cli_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = _write(tmp_path / "draft.json", CLEAN)
    assert main(["advisory", "validate", str(draft)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == "1 record: 0 errors, 0 warnings"


def test_cli_errors_and_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = _write(tmp_path / "draft.json", edited(_set("summary", "x" * 121)))
    assert main(["advisory", "validate", str(draft)]) == 0  # warnings pass
    out, _ = capsys.readouterr()
    assert out == (
        f"{draft}: PYSEC-2026-1: summary-length: summary: 121 characters, over OSV's "
        "guidance of 120 (warning)\n"
    )
    bad = _write(tmp_path / "bad.json", edited(_set("severity.0.score", "CVSS:3.1/AV:N/AC:L")))
    assert main(["advisory", "validate", str(draft), str(bad), "--ignore", "summary-length"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{bad}: PYSEC-2026-1: severity-vector: severity[0].score: ")
    assert err.splitlines()[-1] == "2 records: 1 error, 0 warnings"


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = _write(tmp_path / "draft.json", edited(_set("aliases", ["PYSEC-2026-1"])))
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    assert main(["advisory", "validate", str(draft), "-f", "json", "-o", str(target)]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text()) == {
        "version": "1",
        "files": 1,
        "errors": 1,
        "warnings": 0,
        "problems": [
            {
                "file": str(draft),
                "id": "PYSEC-2026-1",
                "rule": "alias-self",
                "level": "error",
                "path": "aliases[0]",
                "message": "'PYSEC-2026-1' is the record's own id",
            }
        ],
        "notes": [
            "released versions not checked (version-unreleased, versions-incomplete): "
            "give --index-url or --versions-from"
        ],
    }


def test_cli_prefix_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = edited(_set("id", "ACME-2026-3"))
    del record["summary"]
    draft = _write(tmp_path / "ACME-2026-3.json", record)
    assert main(["advisory", "validate", str(draft), "--prefix", "ACME"]) == 0
    assert main(["advisory", "validate", str(draft), "--prefix", "ACME", "--require-summary"]) == 1
    out, _ = capsys.readouterr()
    assert out == f"{draft}: ACME-2026-3: summary-missing: summary: missing\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--ignore", "no-such-rule"],
            "pyward: error: --ignore no-such-rule: no such rule (one of: schema, ",
        ),
        (
            ["--prefix", "AC-ME"],
            "pyward: error: --prefix 'AC-ME': letters and digits, starting with a letter",
        ),
        (
            ["--versions-from", "v.txt", "--index-url", "http://127.0.0.1:9/simple/"],
            "pyward: error: --versions-from and --index-url: give one source of versions",
        ),
        (
            ["--index-url", "file:///simple/"],
            "pyward: error: --index-url 'file:///simple/': not an http(s) URL",
        ),
    ],
)
def test_cli_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    draft = _write(tmp_path / "draft.json", CLEAN)
    assert main(["advisory", "validate", str(draft), *argv]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advisory", "validate", str(tmp_path / "missing.json")]) == 2
    assert (
        capsys.readouterr().err
        == f"pyward: error: {tmp_path}/missing.json: no such file or directory\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: PYSEC-2026-1\n  modified: [\n")
    assert main(["advisory", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(rf"pyward: error: {re.escape(str(bad))}: line 2: invalid YAML: .+\n", err)
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": ')
    assert main(["advisory", "validate", str(broken)]) == 2
    assert capsys.readouterr().err.startswith(f"pyward: error: {broken}: invalid JSON: ")


def test_cli_versions_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = _write(tmp_path / "draft.json", CLEAN)
    other = edited(_set("affected.0.package", {"ecosystem": "PyPI", "name": "other-pkg"}))
    other["id"] = "PYSEC-2026-2"
    second = _write(tmp_path / "second.json", other)
    listing = tmp_path / "versions.txt"
    listing.write_text("# demo-pkg\n" + "\n".join(v for v in RELEASED if v != "2.0.1") + "\n")
    assert (
        main(["advisory", "validate", str(draft), str(second), "--versions-from", str(listing)])
        == 0
    )
    out, err = capsys.readouterr()
    assert out == (
        f"{draft}: PYSEC-2026-1: version-unreleased: {E}[3].fixed: demo-pkg 2.0.1 was not "
        "released (warning)\n"
    )
    assert (
        f"note: other-pkg: released versions not checked: --versions-from {listing} lists the "
        "versions of one package (demo-pkg); give a JSON object of lists by package name for "
        "several\n"
    ) in err
    table = tmp_path / "versions.json"
    table.write_text(json.dumps({"Demo_Pkg": list(RELEASED), "other-pkg": list(RELEASED)}))
    assert (
        main(["advisory", "validate", str(draft), str(second), "--versions-from", str(table)]) == 0
    )
    out, err = capsys.readouterr()
    assert out == ""
    assert "note:" not in err
    table.write_text(json.dumps({"demo-pkg": "1.0"}))
    assert main(["advisory", "validate", str(draft), "--versions-from", str(table)]) == 2
    assert capsys.readouterr().err == (
        f"pyward: error: {table}: demo-pkg: expected a list of version strings\n"
    )


@pytest.mark.usefixtures("online")
def test_cli_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Released versions from a package index (the recorded jinja2 page)."""
    record = edited(_set("affected.0.package", {"ecosystem": "PyPI", "name": "jinja2"}))
    record["affected"][0]["ranges"][0]["events"] = [{"introduced": "2.0"}, {"fixed": "2.11.4"}]
    record["affected"][0]["versions"] = ["2.0", "2.11.3"]
    record["affected"][0]["package"]["purl"] = "pkg:pypi/jinja2"
    draft = _write(tmp_path / "draft.json", record)
    missing = _write(tmp_path / "missing.json", CLEAN)
    with loopback_index() as index:
        code = main(
            ["advisory", "validate", str(draft), str(missing), "--index-url", index.simple_url]
        )
    out, err = capsys.readouterr()
    assert code == 0
    assert out == (
        f"{draft}: PYSEC-2026-1: version-unreleased: {E}[1].fixed: jinja2 2.11.4 was not "
        "released (warning)\n"
        f"{draft}: PYSEC-2026-1: versions-incomplete: affected[0].versions: the ranges affect "
        "released 2.1, 2.1.1, 2.2, 2.2.1, 2.3 and 30 more, not listed (warning)\n"
    )
    assert re.search(
        r"note: demo-pkg: released versions not checked: not on this index "
        r"\(http://127\.0\.0\.1:\d+/simple/\): HTTP 404\n",
        err,
    )
