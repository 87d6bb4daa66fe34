"""``pyward advisory export --format cve``: OSV records as CVE JSON 5.1 records, validated
against the bundled CVE schemas (pyward._authoring._cve and its command)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyward._advisory._osv import load_document
from pyward._authoring._cve import (
    CREDIT_TYPES,
    REFERENCE_TAGS,
    CnaSettings,
    ExportError,
    cna_container,
    cve_record,
    validate,
)
from pyward.errors import InputError
from tests.conftest import PYPA_VULNS, run_cli

ORG = "8254265b-2729-46b6-b9e3-3dfca2d5bfca"
CNA = CnaSettings(org_id=ORG, short_name="example-cna")
YMLREF = PYPA_VULNS / "ymlref" / "PYSEC-2018-103.yaml"


def _record(**fields: Any) -> dict[str, Any]:
    """A small valid OSV record, with ``fields`` replacing its own."""
    record: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": "PYSEC-2026-1",
        "modified": "2026-03-02T10:00:00Z",
        "published": "2026-03-01T09:30:00Z",
        "aliases": ["CVE-2026-12345"],
        "summary": "Path traversal in demo's static handler",
        "details": "demo's static file handler joins a request path without normalising it.",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.4.2"}]}
                ],
            }
        ],
        "references": [{"type": "FIX", "url": "https://example.invalid/demo/commit/abc"}],
    }
    record.update(fields)
    return record


def _exported(record: dict[str, Any], *, container_only: bool = False) -> dict[str, Any]:
    document = (
        cna_container(record, CNA, file="r.json")
        if container_only
        else cve_record(record, CNA, file="r.json")
    )
    validate(document, container_only=container_only, file="r.json")
    return document


def test_every_real_pysec_record_with_a_cve_alias_exports_valid_cve_json() -> None:
    cna = CnaSettings(org_id=ORG, short_name="PSF", collection_url="https://index.example.invalid")
    exported = 0
    failures: list[str] = []
    notes: list[str] = []
    for path in sorted(PYPA_VULNS.glob("*/*.yaml")):
        record = load_document(path.name, path.read_bytes(), file=str(path))
        assert isinstance(record, dict)
        if not any(i.startswith("CVE-") for i in [record["id"], *record.get("aliases", [])]):
            continue
        exported += 1
        for container_only in (False, True):
            try:
                if container_only:
                    document = cna_container(record, cna, file=path.name, notes=notes)
                else:
                    document = cve_record(record, cna, file=path.name)
                validate(document, container_only=container_only, file=path.name)
            except ExportError as exc:
                failures.append(str(exc))
    assert (exported, failures) == (2648, [])
    # The three records that say something only loosely, each named (the rest: exact).
    assert notes == [
        "affected[0].ranges[1].events[1]: not a PEP 440 version: '0.2.0-n653'; exported in "
        "written order as versionType 'custom'",
        "affected[0]: no ranges and no versions: exported with defaultStatus 'unknown'",
        "affected[0].ranges[0].events[1]: not a PEP 440 version: '2019-09-12'; exported in "
        "written order as versionType 'custom'",
    ]


YMLREF_CNA: dict[str, Any] = {
    "providerMetadata": {
        "orgId": ORG,
        "shortName": "example-cna",
        "dateUpdated": "2021-09-26T23:33:39.795406Z",
    },
    "descriptions": [{"lang": "en", "value": "ymlref allows code injection."}],
    "datePublic": "2018-12-17T19:29:00Z",
    "affected": [
        {
            "vendor": "ymlref",
            "product": "ymlref",
            "collectionURL": "https://index.example.invalid",
            "packageName": "ymlref",
            "versions": [
                {"version": "0", "status": "affected", "lessThan": "*", "versionType": "python"}
            ],
            "defaultStatus": "unaffected",
        }
    ],
    "references": [
        {"url": "https://github.com/dexter2206/ymlref/issues/2", "tags": ["issue-tracking"]},
        {
            "url": "https://github.com/advisories/GHSA-8r8j-xvfj-36f9",
            "tags": ["third-party-advisory"],
        },
    ],
    "source": {"discovery": "EXTERNAL", "advisory": "PYSEC-2018-103"},
}


def test_exact_cve_record_of_a_real_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "cve.json"
    argv = ["--assigner-org-id", ORG, "--assigner-short-name", "example-cna"]
    argv += ["--collection-url", "https://index.example.invalid", "--discovery", "EXTERNAL"]
    code, stdout, err = run_cli(
        capsys, "advisory", "export", str(YMLREF), "--format", "cve", *argv, "-o", str(out)
    )
    assert (code, stdout, err) == (0, "", "")
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1.1",
        "cveMetadata": {
            "cveId": "CVE-2018-20133",
            "assignerOrgId": ORG,
            "assignerShortName": "example-cna",
            "state": "PUBLISHED",
            "datePublished": "2018-12-17T19:29:00Z",
            "dateUpdated": "2021-09-26T23:33:39.795406Z",
        },
        "containers": {"cna": YMLREF_CNA},
    }


def test_container_only_needs_no_cna_and_leaves_provider_metadata_to_cve_services(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--container-only", "--collection-url", "https://index.example.invalid"]
    code, out, err = run_cli(
        capsys, "advisory", "export", str(YMLREF), *argv, "--discovery", "EXTERNAL"
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {**YMLREF_CNA, "providerMetadata": {}}


def test_cna_from_the_configuration_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pyward.advisory]\ncna-org-id = "{ORG}"\ncna-short-name = "from-config"\n'
        'collection-url = "https://index.example.invalid"\nid-prefix = "OTHER"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "advisory", "export", str(YMLREF))
    assert (code, err) == (0, "")
    record = json.loads(out)
    assert record["cveMetadata"]["assignerShortName"] == "from-config"
    assert record["containers"]["cna"]["affected"][0]["collectionURL"] == (
        "https://index.example.invalid"
    )
    # An option wins over the file.
    code, out, err = run_cli(
        capsys, "advisory", "export", str(YMLREF), "--assigner-short-name", "from-option"
    )
    assert json.loads(out)["cveMetadata"]["assignerShortName"] == "from-option"


def test_a_full_record_without_the_cna_is_a_usage_error_naming_the_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "advisory", "export", str(YMLREF))
    assert (code, out) == (2, "")
    assert err == (
        "pyward: error: a full CVE record needs the CNA's organisation id: give "
        "--assigner-org-id (and --assigner-short-name) or set cna-org-id (and cna-short-name) "
        "in [tool.pyward.advisory]; --container-only needs neither\n"
    )


def test_credits_of_every_type() -> None:
    credits = [
        {"name": f"Person {kind}", "contact": ["mailto:p@example.invalid"], "type": kind}
        for kind in CREDIT_TYPES
    ]
    credits.append({"name": "Someone without a role"})
    cna = _exported(_record(credits=credits))["containers"]["cna"]
    assert cna["credits"] == [
        {"lang": "en", "value": "Person FINDER", "type": "finder"},
        {"lang": "en", "value": "Person REPORTER", "type": "reporter"},
        {"lang": "en", "value": "Person ANALYST", "type": "analyst"},
        {"lang": "en", "value": "Person COORDINATOR", "type": "coordinator"},
        {
            "lang": "en",
            "value": "Person REMEDIATION_DEVELOPER",
            "type": "remediation developer",
        },
        {"lang": "en", "value": "Person REMEDIATION_REVIEWER", "type": "remediation reviewer"},
        {"lang": "en", "value": "Person REMEDIATION_VERIFIER", "type": "remediation verifier"},
        {"lang": "en", "value": "Person TOOL", "type": "tool"},
        {"lang": "en", "value": "Person SPONSOR", "type": "sponsor"},
        {"lang": "en", "value": "Person OTHER", "type": "other"},
        {"lang": "en", "value": "Someone without a role", "type": "other"},
    ]


def test_cvss_v3_1_v3_0_v4_and_v2_metrics_scored_by_the_audits_code() -> None:
    severity = [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
        {"type": "CVSS_V3", "score": "CVSS:3.0/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N"},
        {
            "type": "CVSS_V4",
            "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        },
        {"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
        {"type": "Ubuntu", "score": "medium"},
    ]
    metrics = _exported(_record(severity=severity))["containers"]["cna"]["metrics"]
    assert metrics == [
        {
            "format": "CVSS",
            "cvssV3_1": {
                "version": "3.1",
                "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "baseScore": 9.8,
                "baseSeverity": "CRITICAL",
            },
        },
        {
            "format": "CVSS",
            "cvssV3_0": {
                "version": "3.0",
                "vectorString": "CVSS:3.0/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N",
                "baseScore": 2.6,
                "baseSeverity": "LOW",
            },
        },
        {
            "format": "CVSS",
            "cvssV4_0": {
                "version": "4.0",
                "vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                "baseScore": 9.3,
                "baseSeverity": "CRITICAL",
            },
        },
        {
            "format": "CVSS",
            "cvssV2_0": {
                "version": "2.0",
                "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P",
                "baseScore": 7.5,
            },
        },
    ]


def test_ranges_fixed_last_affected_open_and_several() -> None:
    affected = [
        {
            "package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [
                {
                    "type": "ECOSYSTEM",
                    # Written out of order: exported in PEP 440 order, as OSV evaluates.
                    "events": [
                        {"introduced": "2.0"},
                        {"fixed": "1.4.2"},
                        {"introduced": "0"},
                        {"last_affected": "2.1"},
                        {"introduced": "3.0rc1"},
                    ],
                }
            ],
        }
    ]
    product = _exported(_record(affected=affected))["containers"]["cna"]["affected"][0]
    assert product["versions"] == [
        {"version": "0", "status": "affected", "lessThan": "1.4.2", "versionType": "python"},
        {
            "version": "2.0",
            "status": "affected",
            "lessThanOrEqual": "2.1",
            "versionType": "python",
        },
        # No fix yet: CVE's "no upper bound" (versions.md of the CVE schema).
        {"version": "3.0rc1", "status": "affected", "lessThan": "*", "versionType": "python"},
    ]
    assert product["defaultStatus"] == "unaffected"


def test_other_orderings_keep_the_written_order() -> None:
    affected = [
        {
            "package": {"ecosystem": "npm", "name": "left-pad"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}],
        },
        {
            "package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0-rc.1"}]}],
        },
    ]
    products = _exported(_record(affected=affected))["containers"]["cna"]["affected"]
    assert [p["versions"] for p in products] == [
        [{"version": "0", "status": "affected", "lessThan": "1.3.0", "versionType": "custom"}],
        [{"version": "1.0.0-rc.1", "status": "affected", "lessThan": "*", "versionType": "semver"}],
    ]
    # The configured collection is the Python package index's: not npm's.
    with_url = CnaSettings(org_id=ORG, collection_url="https://index.example.invalid")
    named = cna_container(_record(affected=affected), with_url)["affected"]
    assert ["collectionURL" in p for p in named] == [False, True]


def test_only_a_versions_list_lists_each_version() -> None:
    affected = [{"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0", "1.1"]}]
    product = _exported(_record(affected=affected))["containers"]["cna"]["affected"][0]
    assert product["versions"] == [
        {"version": "1.0", "status": "affected"},
        {"version": "1.1", "status": "affected"},
    ]


def test_cwe_ids_from_database_specific_and_aliases_once_each() -> None:
    record = _record(
        database_specific={"cwe_ids": ["CWE-22", "CWE-79"]},
        aliases=["CVE-2026-12345", "CWE-22", "CWE-1333"],
    )
    problems = _exported(record)["containers"]["cna"]["problemTypes"]
    assert [p["descriptions"][0]["cweId"] for p in problems] == ["CWE-22", "CWE-79", "CWE-1333"]
    assert problems[0] == {
        "descriptions": [{"lang": "en", "description": "CWE-22", "cweId": "CWE-22", "type": "CWE"}]
    }


def test_reference_tags_and_repeated_urls_merged() -> None:
    references = [
        {"type": kind, "url": f"https://example.invalid/{kind}"} for kind in REFERENCE_TAGS
    ]
    references.append({"type": "ADVISORY", "url": "https://example.invalid/FIX"})
    refs = _exported(_record(references=references))["containers"]["cna"]["references"]
    assert {r["url"].rsplit("/", 1)[1]: r.get("tags", []) for r in refs} == {
        "ADVISORY": ["third-party-advisory"],
        "ARTICLE": ["technical-description"],
        "DETECTION": ["signature"],
        "DISCUSSION": [],
        "REPORT": ["issue-tracking"],
        "FIX": ["patch", "third-party-advisory"],
        "INTRODUCED": [],
        "GIT": [],
        "PACKAGE": ["product"],
        "EVIDENCE": ["exploit"],
        "WEB": [],
    }


def test_the_cve_id_from_the_record_id_an_alias_or_the_caller() -> None:
    assert _exported(_record(id="CVE-2026-1111", aliases=[]))["cveMetadata"]["cveId"] == (
        "CVE-2026-1111"
    )
    document = cve_record(_record(aliases=[]), CNA, cve_id="CVE-2026-2222")
    assert document["cveMetadata"]["cveId"] == "CVE-2026-2222"


BAD = [
    (
        {"references": []},
        "r.json: references: missing: a CVE record needs at least one reference",
    ),
    (
        {"details": None, "summary": None},
        "r.json: details: missing: a CVE record needs a description",
    ),
    ({"summary": "x" * 300}, "r.json: summary: longer than a CVE title's 256 characters (300)"),
    (
        {"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:X"}]},
        "r.json: severity[0].score: not a valid CVSS_V3 vector: ",
    ),
    (
        {"credits": [{"name": "A", "type": "HERO"}]},
        "r.json: credits[0].type: unknown credit type 'HERO' (known: FINDER, REPORTER, ANALYST, "
        "COORDINATOR, REMEDIATION_DEVELOPER, REMEDIATION_REVIEWER, REMEDIATION_VERIFIER, TOOL, "
        "SPONSOR, OTHER)",
    ),
    ({"credits": [{"type": "FINDER"}]}, "r.json: credits[0].name: missing"),
    ({"aliases": []}, "r.json: aliases: no CVE id in the record's id or aliases: give --cve-id"),
    (
        {"aliases": ["CVE-2026-11111", "CVE-2026-12345"]},
        "r.json: aliases: several CVE ids (CVE-2026-11111, CVE-2026-12345): give --cve-id to "
        "choose",
    ),
    ({"affected": []}, "r.json: affected: missing: a CVE record needs an affected product"),
    (
        {"affected": [{"package": {"ecosystem": "PyPI"}, "versions": ["1"]}]},
        "r.json: affected[0].package.name: missing",
    ),
    (
        {"database_specific": {"cwe_ids": ["79"]}},
        "r.json: database_specific.cwe_ids[0]: not a CWE id (CWE-N): '79'",
    ),
    (
        {
            "affected": [
                {"package": {"ecosystem": "PyPI", "name": "d"}, "ranges": [{"events": [5]}]}
            ]
        },
        "r.json: affected[0].ranges[0].events[0]: needs exactly one of introduced, fixed, "
        "last_affected, limit",
    ),
    (
        {
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "d"},
                    "ranges": [{"type": "RANGE", "events": [{"introduced": "0"}]}],
                }
            ]
        },
        "r.json: affected[0].ranges[0].type: unknown range type 'RANGE'",
    ),
    ({"published": "yesterday"}, "r.json: published: not an RFC 3339 time: 'yesterday'"),
    (
        {"references": [{"type": "WEB", "url": "https://example.invalid/" + "a" * 2100}]},
        "r.json: containers.cna.references[0].url: the CVE record is not valid: ",
    ),
]


@pytest.mark.parametrize(("fields", "message"), BAD)
def test_a_record_that_cannot_export_validly_names_the_field(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExportError) as info:
        _exported(_record(**fields))
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_cli_bad_input_is_one_line_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = tmp_path / "draft.json"
    record.write_text(json.dumps(_record(references=[])), encoding="utf-8")
    code, out, err = run_cli(capsys, "advisory", "export", str(record), "--container-only")
    assert (code, out) == (2, "")
    assert err == (
        f"pyward: error: {record}: references: missing: a CVE record needs at least one reference\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "advisory", "export", str(broken), "--container-only")
    assert (code, out) == (2, "")
    assert err.startswith(f"pyward: error: {broken}: line ")
    assert err.count("\n") == 1
    code, out, err = run_cli(
        capsys, "advisory", "export", str(tmp_path / "absent.json"), "--container-only"
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"pyward: error: {tmp_path / 'absent.json'}: cannot read: ")
    code, out, err = run_cli(
        capsys, "advisory", "export", str(YMLREF), "--assigner-org-id", "not-a-uuid"
    )
    assert (code, err) == (
        2,
        f"pyward: error: {YMLREF}: cna-org-id: not a version 4 UUID: 'not-a-uuid'\n",
    )


def test_a_loose_record_is_exported_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    steam = PYPA_VULNS / "steam" / "PYSEC-2019-125.yaml"
    code, out, err = run_cli(capsys, "advisory", "export", str(steam), "--container-only")
    assert code == 0
    assert json.loads(out)["affected"][0]["versions"] == [
        {"version": "0", "status": "affected", "lessThan": "2019-09-12", "versionType": "custom"}
    ]
    assert err == (
        f"pyward: warning: {steam}: affected[0].ranges[0].events[1]: not a PEP 440 version: "
        "'2019-09-12'; exported in written order as versionType 'custom'\n"
    )


def test_without_the_advisory_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyward import _extras

    monkeypatch.setitem(_extras.EXTRAS, "advisory", ("pyward_no_such_module",))
    with pytest.raises(_extras.MissingExtra, match=r"pip install 'pyward\[advisory\]'"):
        _exported(_record())


def test_the_cna_comes_from_the_shared_advisory_table(tmp_path: Path) -> None:
    """``export`` reads ``[tool.pyward.advisory]`` through the loader every advisory
    sub-command uses: the same keys, the same one-line errors."""
    from pyward._authoring._config import load_advisory_config

    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.pyward.advisory]\n"
        'cna-org-id = "8254265b-2729-46b6-b9e3-3dfca2d5bfca"\n'
        'cna-short-name = "acme"\n'
        'collection-url = "https://index.example.invalid"\n'
    )
    loaded = load_advisory_config(config)
    assert (loaded.cna_org_id, loaded.cna_short_name, loaded.collection_url) == (
        "8254265b-2729-46b6-b9e3-3dfca2d5bfca",
        "acme",
        "https://index.example.invalid",
    )
    config.write_text('[tool.pyward.advisory]\ncollection-url = "index.example.invalid"\n')
    with pytest.raises(InputError) as err:
        load_advisory_config(config)
    assert str(err.value) == (
        f"{config}: tool.pyward.advisory.collection-url: not an http(s) URL: "
        "'index.example.invalid'"
    )
