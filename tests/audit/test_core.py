"""The audit core on real corpus inputs and real PyPA records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Collection
from pathlib import Path

import pytest

from pyward._advisory import AdvisoryStore
from pyward._advisory._types import Match, StoreInfo, Vulnerability
from pyward._audit import audit, fails
from pyward._checks import select_checks
from pyward._config import Config
from pyward._findings import Finding, Reference
from pyward._inventory import _requirements, _uvlock
from pyward._model import Component, ComponentKey, Inventory, Location, NotAudited
from pyward.errors import InputError
from tests.audit._data import record, store
from tests.conftest import CORPUS, component_of

#: These tests are about the vulnerability check and the gate: the status checks,
#: whose data the tests do not give, would only add "did not run" warnings.
VULNERABILITY_ONLY = select_checks(["vulnerabilities"])

WAREHOUSE = CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt"
LITESTAR = CORPUS / "uv" / "litestar-2024" / "uv.lock"
TODAY = dt.date(2024, 11, 1)


def _summary(
    report_findings: tuple[Finding, ...],
) -> list[tuple[str, str | None, str, str, tuple[str, ...], bool]]:
    return [
        (component_of(f).name, component_of(f).version, f.id, f.rating.level, f.fixed_in, f.exposed)
        for f in report_findings
    ]


def test_warehouse_findings_exact() -> None:
    report = audit([_requirements.read(WAREHOUSE)], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    assert _summary(report.findings) == [
        # Exposed first (network clients, parsers), then by severity, then by name.
        ("cryptography", "38.0.4", "PYSEC-2023-254", "high", ("41.0.6",), True),
        ("urllib3", "1.26.13", "PYSEC-2023-192", "high", ("1.26.17", "2.0.6"), True),
        ("urllib3", "1.26.13", "PYSEC-2023-212", "medium", ("1.26.18", "2.0.7"), True),
        ("cryptography", "38.0.4", "PYSEC-2023-11", "unknown", ("39.0.1",), True),
        ("orjson", "3.8.3", "PYSEC-2024-40", "unknown", ("3.9.15",), True),
        ("requests", "2.28.1", "PYSEC-2023-74", "unknown", ("2.31.0",), True),
        ("idna", "3.4", "PYSEC-2024-60", "high", ("3.7",), False),
        ("pip", "22.3.1", "PYSEC-2023-228", "low", ("23.3",), False),
        ("certifi", "2022.12.7", "PYSEC-2023-135", "unknown", ("2023.7.22",), False),
        ("pygments", "2.13.0", "PYSEC-2023-117", "unknown", ("2.15.1",), False),
        ("redis", "4.4.0", "PYSEC-2023-45", "unknown", ("4.4.3", "4.5.3"), False),
        ("redis", "4.4.0", "PYSEC-2023-46", "unknown", ("4.4.4", "4.5.4"), False),
    ]
    requests = next(f for f in report.findings if component_of(f).name == "requests")
    assert requests.ids == ("PYSEC-2023-74", "GHSA-j8r2-6x86-q33q", "CVE-2023-32681")
    # PYSEC records have no summary: the sentence of details that describes the flaw,
    # not the package (issue 11, item 12).
    assert requests.summary == (
        "Since Requests 2.3.0, Requests has been leaking Proxy-Authorization headers to "
        "destination servers when redirected to an HTTPS endpoint."
    )
    assert requests.details is not None
    assert requests.details.rstrip().endswith("This issue has been patched in version 2.31.0.")
    assert (
        requests.vulnerability.matches[0].reason
        == "ECOSYSTEM range: introduced 2.3.0, fixed 2.31.0"
    )
    assert requests.references[0] == Reference(
        type="ADVISORY",
        url="https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q",
    )
    urllib3 = next(f for f in report.findings if component_of(f).name == "urllib3")
    assert urllib3.path == ("elasticsearch==7.10.1", "urllib3==1.26.13")
    assert urllib3.rating.score == 8.1
    assert urllib3.rating.vector == "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N"
    assert report.failed is True
    assert report.not_audited == ()
    assert len(report.components) == 141


def test_warehouse_fix_plan_exact() -> None:
    report = audit([_requirements.read(WAREHOUSE)], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    plan = [(s.component.name, s.target, s.fixes, s.unfixed, s.same_major) for s in report.fix_plan]
    assert plan == [
        ("cryptography", "41.0.6", ("PYSEC-2023-254", "PYSEC-2023-11"), (), False),
        ("urllib3", "1.26.18", ("PYSEC-2023-192", "PYSEC-2023-212"), (), True),
        ("orjson", "3.9.15", ("PYSEC-2024-40",), (), True),
        ("requests", "2.31.0", ("PYSEC-2023-74",), (), True),
        ("idna", "3.7", ("PYSEC-2024-60",), (), True),
        ("pip", "23.3", ("PYSEC-2023-228",), (), False),
        ("certifi", "2023.7.22", ("PYSEC-2023-135",), (), False),
        ("pygments", "2.15.1", ("PYSEC-2023-117",), (), True),
        # 4.4.3 fixes only PYSEC-2023-45: the smallest release fixing both is 4.4.4.
        ("redis", "4.4.4", ("PYSEC-2023-45", "PYSEC-2023-46"), (), True),
    ]


def test_threshold_and_unknown_policy() -> None:
    inv = _requirements.read(WAREHOUSE)
    high = audit(
        [inv], store(), config=Config(fail_on="high"), today=TODAY, checks=VULNERABILITY_ONLY
    )
    assert high.failed is True  # unknown severities fail by default
    assert high.fail_on == "high"
    passing = Config(fail_on="critical", unknown_severity="pass")
    assert (
        audit([inv], store(), config=passing, today=TODAY, checks=VULNERABILITY_ONLY).failed
        is False
    )
    assert (
        audit(
            [inv], store(), config=Config(fail_on="high", unknown_severity="pass"), today=TODAY
        ).failed
        is True
    )
    assert fails("low", Config()) is True
    assert fails("medium", Config(fail_on="high")) is False
    assert fails("critical", Config(fail_on="high")) is True
    assert fails("unknown", Config(unknown_severity="pass")) is False


def test_uv_lock_not_registry_and_clean_packages() -> None:
    inv = _uvlock.read(LITESTAR)
    report = audit([inv], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    # jinja2 3.1.4, requests 2.32.3 and urllib3 2.2.3 postdate every record of this
    # snapshot of the database (2024-10-10).
    assert [component_of(f).name for f in report.findings] == []
    assert report.failed is False
    assert [(n.name, n.requirement, n.reason) for n in report.not_audited] == [
        (
            "litestar-sphinx-theme",
            "litestar-sphinx-theme",
            "git source: the version is not a registry release",
        )
    ]
    assert len(report.components) == 212


def _component(name: str, version: str | None, source: str = "registry", **kw: object) -> Component:
    return Component(name=name, version=version, source=source, **kw)  # type: ignore[arg-type]


def test_non_registry_sources_become_not_audited() -> None:
    inv = Inventory(
        source="reqs.txt",
        format="requirements",
        components=(
            _component("requests", "2.28.1"),
            _component(
                "django",
                "3.1.4",
                "git",
                source_url="git+https://example.invalid/d.git",
                location=Location(file="reqs.txt", line=2),
            ),
            _component("flask", "2.0.0", "editable"),
            _component("mypkg", None, "directory"),
        ),
    )
    report = audit([inv], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    assert [f.id for f in report.findings] == ["PYSEC-2023-74"]
    assert report.not_audited == (
        NotAudited(
            name="django",
            requirement="django",
            reason="git source: the version is not a registry release",
            location=Location(file="reqs.txt", line=2),
        ),
        NotAudited(
            name="flask",
            requirement="flask",
            reason="editable source: the version is not a registry release",
        ),
        NotAudited(
            name="mypkg",
            requirement="mypkg",
            reason="no version: nothing to match advisories against",
        ),
    )


def test_duplicates_across_inputs_are_one_finding() -> None:
    a = Inventory(
        source="a.txt", format="requirements", components=(_component("requests", "2.28.1"),)
    )
    b = Inventory(
        source="b.txt",
        format="requirements",
        components=(_component("requests", "2.28.1"), _component("idna", "3.4")),
        edges={ComponentKey("requests==2.28.1"): (ComponentKey("idna==3.4"),)},
        roots=(ComponentKey("requests==2.28.1"),),
    )
    report = audit([a, b, a], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    assert [(component_of(f).name, f.id) for f in report.findings] == [
        ("requests", "PYSEC-2023-74"),
        ("idna", "PYSEC-2024-60"),
    ]
    assert [f.path for f in report.findings] == [
        ("requests==2.28.1",),
        ("requests==2.28.1", "idna==3.4"),
    ]
    assert [i.source for i in report.inventories] == ["a.txt", "b.txt"]
    assert len(report.components) == 3
    assert report.warnings == ("a.txt: given more than once; read once",)


class _Broken:
    """Real data, except that one package's records cannot be read."""

    def __init__(self, inner: AdvisoryStore) -> None:
        self.inner = inner

    @property
    def info(self) -> StoreInfo:
        return self.inner.info

    def matches(
        self, name: str, version: str, *, among: Collection[str] | None = None
    ) -> list[Match]:
        return self.inner.matches(name, version, among=among)

    def vulnerabilities(self, name: str, version: str) -> list[Vulnerability]:
        if name == "idna":
            raise InputError("advisories.sqlite", "truncated record", where="PYSEC-2024-60")
        return self.inner.vulnerabilities(name, version)

    def advisory(self, advisory_id: str):  # type: ignore[no-untyped-def]
        return self.inner.advisory(advisory_id)

    def record(self, advisory_id: str):  # type: ignore[no-untyped-def]
        return self.inner.record(advisory_id)

    def ids_for_package(self, name: str):  # type: ignore[no-untyped-def]
        return self.inner.ids_for_package(name)

    def ids_for_alias(self, alias: str):  # type: ignore[no-untyped-def]
        return self.inner.ids_for_alias(alias)


def test_a_bad_record_is_reported_and_the_rest_audited() -> None:
    inv = Inventory(
        source="r.txt",
        format="requirements",
        components=(_component("idna", "3.4"), _component("requests", "2.28.1")),
        notes=("line 3: unknown option --foo; ignored",),
    )
    report = audit(
        [inv],
        _Broken(store()),
        errors=["x.lock: cannot read"],
        today=TODAY,
        checks=VULNERABILITY_ONLY,
    )
    assert [f.id for f in report.findings] == ["PYSEC-2023-74"]
    assert report.warnings == (
        "r.txt: line 3: unknown option --foo; ignored",
        "advisories for idna 3.4 could not be read: "
        "advisories.sqlite: PYSEC-2024-60: truncated record",
    )
    assert report.not_audited == (
        NotAudited(
            name="idna",
            requirement="idna==3.4",
            reason="advisory data error: advisories.sqlite: PYSEC-2024-60: truncated record",
        ),
    )
    assert report.errors == ("x.lock: cannot read",)


def test_summary_falls_back_to_the_flaw_sentence_of_details() -> None:
    data = AdvisoryStore.from_records([record("werkzeug", "PYSEC-2023-221")])
    inv = Inventory(
        source="r.txt", format="requirements", components=(_component("werkzeug", "3.0.0"),)
    )
    (finding,) = audit([inv], data, today=TODAY, checks=VULNERABILITY_ONLY).findings
    assert finding.summary == (
        "If an upload of a file that starts with CR or LF and then is followed by megabytes "
        "of data without these characters: all of these bytes are appended chunk by chunk "
        "into internal bytearray and lookup for boundary is performed on growing buffer."
    )
    # Multi-branch record: 2.3.8 fixes the 2.x branch, not 3.0.0.
    assert finding.fixed_in == ("3.0.1",)
    assert finding.aliases == ("GHSA-hrfv-mqp8-q5rw", "CVE-2023-46136")
    assert finding.exposed is True
    assert finding.vulnerability.published == "2023-10-25T18:17:00Z"
    assert finding.vulnerability.modified == "2023-11-08T18:38:34.170214Z"


@pytest.mark.parametrize(
    ("version", "fixed"), [("2.3.7", ("2.3.8", "3.0.1")), ("3.0.0", ("3.0.1",))]
)
def test_fixed_in_lists_only_upgrades(version: str, fixed: tuple[str, ...]) -> None:
    data = AdvisoryStore.from_records([record("werkzeug", "PYSEC-2023-221")])
    inv = Inventory(
        source=str(Path("r.txt")),
        format="requirements",
        components=(_component("werkzeug", version),),
    )
    (finding,) = audit([inv], data, today=TODAY, checks=VULNERABILITY_ONLY).findings
    assert finding.fixed_in == fixed


SALEOR = CORPUS / "poetry" / "saleor-2020" / "poetry.lock"


def test_poetry_lock_django_and_pillow() -> None:
    from pyward._inventory import read_inventory

    report = audit([read_inventory(SALEOR)], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    django = [f.id for f in report.findings if component_of(f).name == "django"]
    assert django == [
        "PYSEC-2021-6", "PYSEC-2021-7", "PYSEC-2021-8", "PYSEC-2021-9", "PYSEC-2021-98",
        "PYSEC-2021-99", "PYSEC-2021-109", "PYSEC-2021-439",
    ]  # fmt: skip
    pillow = [f for f in report.findings if component_of(f).name == "pillow"]
    assert {component_of(f).version for f in pillow} == {"8.0.1"}
    assert len(pillow) == 26
    assert (pillow[0].id, pillow[-1].id) == ("PYSEC-2021-35", "PYSEC-2023-227")
    plan = {
        s.component.name: (s.target, len(s.fixes), s.unfixed, s.same_major) for s in report.fix_plan
    }
    # Every Django flaw has a 3.1.x fix: the smallest release fixing all eight is 3.1.14.
    assert plan["django"] == ("3.1.14", 8, (), True)
    assert plan["pillow"] == ("10.0.1", 26, (), False)
    assert len(report.findings) == 43


def test_a_run_that_audits_nothing_says_so() -> None:
    # Issue 11 item 6: "No known vulnerabilities found in 0 packages" passed silently.
    pin = "not pinned; lock the project first"
    inv = Inventory(
        source="pyproject.toml",
        format="pyproject.toml",
        not_audited=(
            NotAudited(name="six", requirement="six", reason=pin),
            NotAudited(name="uv", requirement="uv>=0.4", reason=pin),
            NotAudited(
                name="pkg", requirement="pkg @ git+https://x.invalid/p", reason="VCS requirement"
            ),
        ),
    )
    report = audit([inv], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    assert report.warnings == (
        "nothing was audited: 0 packages with a version to check, 3 not audited (2 not "
        "pinned, 1 VCS requirement); lock the project (uv lock, poetry lock, pdm lock or "
        "pip-compile) and audit the lock file, or audit its environment; --strict fails "
        "such a run",
    )
    assert report.failed is False
    strict = audit(
        [inv], store(), config=Config(strict=True), today=TODAY, checks=VULNERABILITY_ONLY
    )
    assert strict.failed is True
    assert strict.warnings[1:] == ("strict: 3 packages could not be audited: the run fails",)
    empty = audit(
        [Inventory(source="r.txt", format="requirements")],
        store(),
        today=TODAY,
        checks=VULNERABILITY_ONLY,
    )
    assert empty.warnings == ("nothing was audited: the inputs list no packages",)


def test_a_record_with_a_skipped_range_is_kept_and_says_so() -> None:
    # Issue 11 item 9: PYSEC-2019-125 (fixed: 2019-09-12, not PEP 440) was dropped whole.
    # It is kept, without its one range (which would otherwise never close), so it
    # matches no version but explains itself.
    from tests.advisory.conftest import real_record

    data = AdvisoryStore.from_records([real_record("PYSEC-2019-125")], source="test")
    record = data.advisory("PYSEC-2019-125")
    assert record is not None
    assert record.notes == (
        "PYSEC-2019-125: affected[0].ranges[0].events[1].fixed: not a PEP 440 version: "
        "'2019-09-12'; range skipped",
    )
    inv = Inventory(
        source="r.txt", format="requirements", components=(_component("steam", "0.9.0"),)
    )
    report = audit([inv], data, today=TODAY, checks=VULNERABILITY_ONLY)
    assert report.findings == ()


DJANGO_IDS = [
    "PYSEC-2021-6",
    "PYSEC-2021-7",
    "PYSEC-2021-8",
    "PYSEC-2021-9",
    "PYSEC-2021-98",
    "PYSEC-2021-99",
    "PYSEC-2021-109",
    "PYSEC-2021-439",
]


def test_ids_sort_numerically_in_every_output() -> None:
    # Issue 11, item 14: the table and JSON sorted ids as strings (-109, -439, -6)
    # while the fix plan sorted them as numbers. Eight findings of one severity.
    from pyward._render import render
    from tests.render._reports import NOW

    inv = Inventory(
        source="r.txt", format="requirements", components=(_component("django", "3.1.4"),)
    )
    report = audit([inv], store(), today=TODAY, checks=VULNERABILITY_ONLY)
    assert [f.id for f in report.findings] == DJANGO_IDS
    assert [s.fixes for s in report.fix_plan] == [tuple(DJANGO_IDS)]
    shuffled = dataclasses.replace(report, findings=tuple(sorted(report.findings, key=str)))
    document = json.loads(render(shuffled, "json", color=False, now=NOW))
    assert [f["id"] for f in document["findings"]] == DJANGO_IDS
    table = render(shuffled, "table", color=False, now=NOW, width=100)
    rows = [line.split()[0] for line in table.splitlines() if line.startswith("PYSEC-")]
    assert rows == DJANGO_IDS
    sarif = json.loads(render(shuffled, "sarif", color=False, now=NOW))["runs"][0]
    assert [r["ruleId"] for r in sarif["results"]] == DJANGO_IDS
