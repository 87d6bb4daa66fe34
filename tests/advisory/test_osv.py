"""Validation of OSV records: exact one-line messages naming file, id and key path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pyward._advisory._osv import RecordError, load_document, parse_advisory
from tests.advisory.conftest import real_record


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(real_record("PYSEC-2023-100"))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("id"), "django.json: id: missing"),
        (lambda d: d.pop("modified"), "django.json: PYSEC-2023-100 modified: missing"),
        (
            lambda d: d.update(schema_version="2.0.0"),
            "django.json: PYSEC-2023-100 schema_version: "
            "unsupported OSV schema major version '2.0.0'",
        ),
        (
            lambda d: d["affected"][0]["ranges"][0].update(events=[]),
            "django.json: PYSEC-2023-100 affected[0].ranges[0].events: empty",
        ),
        (
            lambda d: d["affected"][0]["ranges"][0]["events"].__setitem__(0, {"fixed": 4.2}),
            "django.json: PYSEC-2023-100 affected[0].ranges[0].events[0].fixed: "
            "expected a version string, got 4.2",
        ),
        (
            lambda d: d["affected"][0]["ranges"][0]["events"].__setitem__(0, {"oops": "1"}),
            "django.json: PYSEC-2023-100 affected[0].ranges[0].events[0]: "
            "needs exactly one of introduced, fixed, last_affected, limit",
        ),
        (
            lambda d: d["affected"][0]["ranges"][0].update(type="NPM"),
            "django.json: PYSEC-2023-100 affected[0].ranges[0].type: unknown range type 'NPM'",
        ),
        (
            lambda d: d["affected"][0]["ranges"][0].update(events=[{"fixed": "1.0"}]),
            "django.json: PYSEC-2023-100 affected[0].ranges[0].events: no 'introduced' event",
        ),
        (
            lambda d: d["affected"][0]["versions"].append(3),
            "django.json: PYSEC-2023-100 affected[0].versions[47]: expected a string, got int",
        ),
        (
            lambda d: d["affected"][0]["package"].pop("name"),
            "django.json: PYSEC-2023-100 affected[0].package.name: missing",
        ),
        (
            lambda d: d.update(aliases="CVE-2023-36053"),
            "django.json: PYSEC-2023-100 aliases: expected a list, got str",
        ),
    ],
)
def test_malformed_record_messages(change: Any, message: str) -> None:
    with pytest.raises(RecordError) as info:
        parse_advisory(broken(change), file="django.json")
    assert str(info.value) == message


def test_unknown_minor_schema_is_read_and_other_ecosystems_are_left_out() -> None:
    data = broken(lambda d: d.update(schema_version="1.99.0"))
    data["affected"].append({"package": {"ecosystem": "npm", "name": "x"}, "versions": ["1.2-x"]})
    advisory = parse_advisory(data)
    assert advisory.schema_version == "1.99.0"
    assert [(a.name, a.ecosystem) for a in advisory.affected] == [("django", "PyPI")]


def test_not_a_record() -> None:
    with pytest.raises(RecordError) as info:
        parse_advisory(["PYSEC-1"], file="list.json")
    assert str(info.value) == "list.json: not an OSV record (a list, not an object)"


def test_load_document_errors_name_the_file_and_line() -> None:
    with pytest.raises(RecordError) as info:
        load_document("a/PYSEC-1.yaml", b"id: PYSEC-1\naffected: [\n")
    assert (
        str(info.value)
        == "a/PYSEC-1.yaml: line 3: invalid YAML: did not find expected node content"
    )
    with pytest.raises(RecordError) as info:
        load_document("a/PYSEC-1.json", b'{"id": ')
    assert str(info.value) == (
        "a/PYSEC-1.json: invalid JSON: unexpected end of data: line 1 column 8 (char 7)"
    )


def test_yaml_timestamps_stay_strings() -> None:
    data = load_document("x.yaml", b"id: X\nmodified: 2023-07-11T16:37:11.407533Z\n")
    assert data == {"id": "X", "modified": "2023-07-11T16:37:11.407533Z"}


def test_real_record_round_trip() -> None:
    advisory = parse_advisory(real_record("PYSEC-2024-1"))
    assert advisory.id == "PYSEC-2024-1"
    assert advisory.modified == "2024-01-03T22:31:36Z"
    assert advisory.summary == "gratient 0.5 contains credential harvesting code"
    assert advisory.credits == (
        {"name": "Mike Fiedler", "type": "ANALYST"},
        {"name": "Mike Fiedler", "type": "COORDINATOR"},
    )
    assert advisory.affected[0].versions == ("0.5",)
    assert advisory.affected[0].ranges == ()


def test_a_bound_that_is_not_pep_440_is_skipped_and_the_rest_kept() -> None:
    # Issue 11 item 9: PYSEC-2021-371 (fixed: 0.2.0-n653) was dropped whole.
    from pyward._advisory._match import match_advisory

    data = copy.deepcopy(real_record("PYSEC-2023-100"))
    data["affected"][0]["ranges"] = [
        {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.2.x"}]},
        {"type": "ECOSYSTEM", "events": [{"introduced": "4.0"}, {"fixed": "4.1"}]},
        {"type": "ECOSYSTEM", "events": [{"introduced": "v-two"}, {"fixed": "2.5"}]},
    ]
    data["affected"][0]["versions"] = ["4.0", ""]
    advisory = parse_advisory(data, file="django.json")
    # A range with a bound that cannot be compared is left out whole: without its fixed
    # bound the first range would never close, and 1.5, 3.0... would all match.
    assert advisory.notes == (
        "PYSEC-2023-100: affected[0].ranges[0].events[1].fixed: not a PEP 440 version: "
        "'1.2.x'; range skipped",
        "PYSEC-2023-100: affected[0].ranges[2].events[0].introduced: not a PEP 440 version: "
        "'v-two'; range skipped",
        "PYSEC-2023-100: affected[0].versions[1]: not a version: ''; skipped",
    )
    assert [[(e.kind, e.value) for e in r.events] for r in advisory.affected[0].ranges] == [
        [("introduced", "4.0"), ("fixed", "4.1")],
    ]
    assert advisory.affected[0].versions == ("4.0",)
    found = match_advisory(advisory, "django", "4.0.5")
    assert found is not None
    assert found.reason == "ECOSYSTEM range: introduced 4.0, fixed 4.1"
    assert match_advisory(advisory, "django", "1.5") is None
    assert match_advisory(advisory, "django", "0.9") is None
