"""The ``malicious`` check on each real sample, and how it shares the matching with the
``vulnerability`` check: one finding per group of aliased records, never both kinds."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pyward._advisory import AdvisoryStore
from pyward._advisory._match import short
from pyward._checks import CHECKS, CheckContext, Sources, _malicious, _vulnerability, run_checks
from pyward._findings import MaliciousDetail, Reference
from pyward._model import Component, Inventory
from tests.malicious._records import num2words_aliases, real, real_store


def _context(store: AdvisoryStore, *pins: tuple[str, str]) -> CheckContext:
    components = tuple(
        Component(name=name, version=version, purl=f"pkg:pypi/{name}@{version}")
        for name, version in pins
    )
    inv = Inventory(source="requirements.txt", format="requirements", components=components)
    return CheckContext(
        subjects=tuple((inv, c) for c in components),
        sources=Sources(advisories=store),
        path_of=lambda inv, c: (c.key,),
    )


def _detail(detail: object) -> MaliciousDetail:
    assert isinstance(detail, MaliciousDetail)
    return detail


def test_0requests_0_0_1_is_flagged() -> None:
    result = _malicious.run(_context(real_store(), ("0requests", "0.0.1")))
    (finding,) = result.findings
    assert (finding.kind, finding.check, finding.id) == ("malicious", "malicious", "MAL-2026-15859")
    assert finding.aliases == ("malicious:0requests@0.0.1", "malicious:0requests")
    assert finding.summary == "Malicious code in 0requests (PyPI)"
    assert finding.rating.level == "critical"
    assert finding.rating.type == "check"
    assert finding.references == (
        Reference(type="WEB", url="https://bad-packages.kam193.eu/pypi/package/0requests"),
        Reference(type="PACKAGE", url="https://pypi.invalid/project/0requests/0.0.1/"),
    )
    detail = _detail(finding.detail)
    assert detail.origins == ("kam193", "amazon-inspector")
    assert detail.every_version is False
    assert (detail.published, detail.modified) == (
        "2026-09-03T17:00:47Z",
        "2026-09-04T00:47:46.156672516Z",
    )
    assert [m.reason for m in detail.matches] == ["listed in versions as 0.0.1"]
    assert detail.describe() == (
        "malicious release (OSV MAL record); reported by kam193, amazon-inspector"
    )
    assert (result.not_audited, result.warnings) == ((), ())


def test_a_release_the_record_does_not_name_is_not_flagged() -> None:
    context = _context(real_store(), ("0requests", "0.0.2"), ("123bla", "0.0.1"))
    assert [f.id for f in _malicious.run(context).findings] == ["MAL-2024-10238"]


def test_the_withdrawn_fastapi_false_positive_never_matches() -> None:
    context = _context(real_store(), ("fastapi", "0.136.3"))
    assert _malicious.run(context).findings == ()
    assert _vulnerability.run(context).findings == ()


def test_num2words_0_5_15_is_one_malicious_finding_with_its_aliases() -> None:
    context = _context(real_store(), ("num2words", "0.5.15"))
    (finding,) = _malicious.run(context).findings
    assert finding.ids == (
        "MAL-2025-6794",
        "PYSEC-2025-72",
        "GHSA-jxr6-qrxx-2ph2",
        "malicious:num2words@0.5.15",
        "malicious:num2words",
    )
    assert _detail(finding.detail).origins == ("google-open-source-security",)
    assert _vulnerability.run(context).findings == ()


def test_aliased_pysec_and_ghsa_records_make_one_malicious_finding_not_a_vulnerability() -> None:
    store = real_store(*num2words_aliases())
    context = _context(store, ("num2words", "0.5.16"))
    result, skipped = run_checks(context)
    assert [s.check for s in skipped] == [
        "yanked", "project-status", "eol", "outdated", "unmaintained",
    ]  # fmt: skip
    (finding,) = result.findings
    assert finding.kind == "malicious"
    assert finding.ids == (
        "MAL-2025-6794",
        "PYSEC-2025-72",
        "GHSA-jxr6-qrxx-2ph2",
        "malicious:num2words@0.5.16",
        "malicious:num2words",
    )
    # The MAL record's summary, critical whatever the GHSA record's vector scores.
    assert finding.summary == "Malicious code in num2words (PyPI)"
    assert finding.rating.level == "critical"
    assert [m.advisory_id for m in _detail(finding.detail).matches] == [
        "PYSEC-2025-72",
        "GHSA-jxr6-qrxx-2ph2",
        "MAL-2025-6794",
    ]
    assert _detail(finding.detail).published == "2025-07-29T00:00:00Z"
    assert [r.url for r in finding.references] == [
        "https://nitter.tiekoetter.com/SFLinux/status/1949906299308953827",
        "https://www.stepsecurity.io/blog/supply-chain-security-alert-num2words-pypi-package-shows-signs-of-compromise",
        "https://advisories.example.invalid/PYSEC-2025-72",
        "https://advisories.example.invalid/GHSA-jxr6-qrxx-2ph2",
    ]
    # Without the MAL record, the same two records are an ordinary vulnerability.
    plain = AdvisoryStore.from_records(num2words_aliases())
    vulns = _vulnerability.run(_context(plain, ("num2words", "0.5.16"))).findings
    assert [(f.kind, f.id) for f in vulns] == [("vulnerability", "PYSEC-2025-72")]
    assert _malicious.run(_context(plain, ("num2words", "0.5.16"))).findings == ()


def test_a_record_with_the_origins_field_is_malicious_whatever_its_id() -> None:
    data: dict[str, Any] = real("MAL-2024-10238")
    data["id"] = "GHSA-xxxx-yyyy-zzzz"  # made up: a MAL record republished under another id
    store = AdvisoryStore.from_records([data])
    context = _context(store, ("123bla", "0.0.1"))
    assert [f.id for f in _malicious.run(context).findings] == ["GHSA-xxxx-yyyy-zzzz"]
    assert _vulnerability.run(context).findings == ()


def test_a_range_from_zero_names_every_version() -> None:
    data = real("MAL-2024-10238")
    del data["affected"][0]["versions"]
    data["affected"][0]["ranges"] = [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]
    store = AdvisoryStore.from_records([data])
    (finding,) = _malicious.run(_context(store, ("123bla", "7.1"))).findings
    detail = _detail(finding.detail)
    assert detail.every_version is True
    assert detail.describe() == (
        "malicious package: every release (OSV MAL record); reported by ossf-package-analysis"
    )
    assert detail.advice("123bla") == "Remove 123bla: every release is malicious."
    closed = copy.deepcopy(data)
    closed["affected"][0]["ranges"][0]["events"].append({"fixed": "8"})
    (finding,) = _malicious.run(
        _context(AdvisoryStore.from_records([closed]), ("123bla", "7.1"))
    ).findings
    assert _detail(finding.detail).every_version is False


@pytest.mark.parametrize(
    "origins",
    [None, "not a list", [{"source": 3}, "x", {"source": " socket "}, {"source": "socket"}]],
)
def test_origins_take_what_is_readable(origins: object) -> None:
    data = real("MAL-2024-10238")
    if origins is None:
        del data["database_specific"]
    else:
        data["database_specific"]["malicious-packages-origins"] = origins
    (finding,) = _malicious.run(
        _context(AdvisoryStore.from_records([data]), ("123bla", "0.0.1"))
    ).findings
    expected = ("socket",) if isinstance(origins, list) else ()
    assert _detail(finding.detail).origins == expected


def test_a_component_both_checks_cannot_match_is_not_audited_once() -> None:
    too_long = "1." + "9" * 5000
    context = _context(real_store(), ("0requests", too_long))
    result, _ = run_checks(context, [CHECKS["vulnerability"], CHECKS["malicious"]])  # type: ignore[index]
    assert [n.reason for n in result.not_audited] == [
        f"version {short(too_long)} has a number too long to compare"
    ]


class _Counting:
    """A store that counts the components it is asked about."""

    def __init__(self, store: AdvisoryStore) -> None:
        self.store = store
        self.asked: list[tuple[str, str]] = []
        self.prefetched = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def prefetch(self, names: Any) -> None:
        self.prefetched += 1
        self.store.prefetch(names)

    def vulnerabilities(self, name: str, version: str) -> Any:
        self.asked.append((name, version))
        return self.store.vulnerabilities(name, version)


def test_both_checks_of_a_run_share_one_matching() -> None:
    counting = _Counting(real_store(*num2words_aliases()))
    pins = (("num2words", "0.5.16"), ("0requests", "0.0.1"), ("requests", "2.0.0"))
    context = _context(counting, *pins)  # type: ignore[arg-type]
    result, _ = run_checks(context, [CHECKS["vulnerability"], CHECKS["malicious"]])  # type: ignore[index]
    assert [f.id for f in result.findings] == ["MAL-2025-6794", "MAL-2026-15859"]
    assert (counting.asked, counting.prefetched) == (list(pins), 1)
    # Each check alone matches what it reports from, as in a run of both.
    alone = _Counting(counting.store)
    assert [f.id for f in _malicious.run(_context(alone, *pins)).findings] == [  # type: ignore[arg-type]
        "MAL-2025-6794",
        "MAL-2026-15859",
    ]
    assert alone.asked == list(pins)


def test_the_check_runs_by_default_in_the_vulnerabilities_group() -> None:
    from pyward._checks import GROUPS

    assert CHECKS["malicious"].default is True  # type: ignore[index]
    assert "malicious" in GROUPS["vulnerabilities"]
