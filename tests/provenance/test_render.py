"""The provenance section in every output format: from a REAL verification of the
samples in tests/data/pep740-attestations, and from hand-built reports (every status,
many packages, hostile text). Snapshots of the hand-built report in every format are
in tests/render (``REPORTS["provenance"]``)."""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from functools import cache
from typing import Any

import jsonschema
import pytest

from pyward._model import Component, Inventory
from pyward._provenance import _model
from pyward._provenance._model import (
    ArtifactProvenance,
    Coverage,
    PackageProvenance,
    ProvenanceReport,
)
from pyward._render import RENDERERS, render
from pyward._render._provenance import STATUS_WORDS, UNAVAILABLE_LISTED, VERIFIED_LISTED
from pyward._report import AuditReport
from tests.render._reports import (
    ATTESTED,
    GITHUB,
    NOW,
    artifact,
    attested_sha256,
    database,
    httpbin,
    provenance_component,
)
from tests.render._reports import provenance as provenance_report
from tests.render.test_render import JSON_SCHEMA, _validate

#: The real samples whose provenance objects verify on production Sigstore, with the
#: component each belongs to.
REAL = {
    "pypi_attestations-0.0.19.tar.gz": ("pypi-attestations", "0.0.19", True),
    "gcb_attestation_test-0.0.0.tar.gz": ("gcb-attestation-test", "0.0.0", False),
    "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl": (
        "circleci-sign-publish-example",
        "0.0.1.dev137",
        False,
    ),
}


def _verified(component: Component, filename: str, sha256: str) -> ArtifactProvenance:
    """The artifact as the gathering records it after a real verification."""
    from pyward._provenance import verify_provenance

    raw = (ATTESTED / f"{filename}.provenance").read_bytes()
    verification = verify_provenance(filename, sha256, raw)
    return ArtifactProvenance(
        filename=filename,
        sha256=sha256,
        digest_from="lock",
        status="verified" if verification.verified else "failed",
        verification=verification,
        reason=verification.reason,
    )


@cache
def real_report() -> ProvenanceReport:
    """The three production samples verified for real, and the GitHub sample checked
    against another digest (the lock's file is not the one that was attested)."""
    pytest.importorskip("pypi_attestations", reason="needs the 'provenance' extra")
    packages = []
    for line, (filename, (name, version, direct)) in enumerate(REAL.items(), start=1):
        component = provenance_component(name, version, line, direct=direct)
        packages.append(
            PackageProvenance(
                component=component,
                artifacts=(_verified(component, filename, attested_sha256(filename)),),
            )
        )
    tampered = provenance_component("pypi-attestations", "0.0.19", 9)
    tampered = dataclasses.replace(
        tampered, location=None, purl="pkg:pypi/pypi-attestations@0.0.19?x=1"
    )
    packages.append(
        PackageProvenance(
            component=tampered,
            artifacts=(_verified(tampered, "pypi_attestations-0.0.19.tar.gz", "0" * 64),),
        )
    )
    return ProvenanceReport(
        packages=tuple(packages),
        coverage=Coverage(packages=4, packages_attested=3, artifacts=4, artifacts_attested=3),
    )


def _audit(report: ProvenanceReport) -> AuditReport:
    """An audit of the report's packages, nothing found, with their provenance."""
    components = tuple(p.component for p in report.packages)
    return AuditReport(
        database=database(),
        inventories=(Inventory(source="uv.lock", format="uv.lock", components=components),),
        components=components,
        not_audited=(),
        findings=(),
        provenance=report,
    )


def _json(report: AuditReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report, "json", color=False, now=NOW))
    return data


# -- a real verification --------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_a_real_verification_renders_valid_output(fmt: str) -> None:
    text = render(_audit(real_report()), fmt, color=False, now=NOW, width=120)
    if RENDERERS[fmt].media_type.endswith("json"):
        _validate(fmt, json.loads(text))
    if fmt == "sarif":
        # The run's summary: the failure would be a result of the provenance check.
        summary = json.loads(text)["runs"][0]["properties"]["provenance"]
        assert summary["byStatus"] == {"failed": 1, "verified": 3}
        return
    assert "trailofbits/pypi-attestations" in text
    assert "919436158236-compute@developer.gserviceaccount.com" in text


def test_json_carries_the_verified_identity_of_a_real_verification() -> None:
    from pypi_attestations import AttestationType

    data = _json(_audit(real_report()))["provenance"]
    github = data["packages"][0]
    assert github["status"] == "verified"
    assert github["publishers"] == [
        {
            "kind": "github",
            "repository": "trailofbits/pypi-attestations",
            "workflow": "release.yml",
            "environment": None,
            "identity": GITHUB.identity,
            "record": {
                "kind": "GitHub",
                "repository": "trailofbits/pypi-attestations",
                "workflow": "release.yml",
            },
        }
    ]
    assert github["artifacts"] == [
        {
            "filename": "pypi_attestations-0.0.19.tar.gz",
            "sha256": attested_sha256("pypi_attestations-0.0.19.tar.gz"),
            "digest_from": "lock",
            "status": "verified",
            "reason": None,
            "predicate_types": [AttestationType.PYPI_PUBLISH_V1.value],
            "url": None,
        }
    ]
    tampered = data["packages"][3]
    assert tampered["status"] == "failed"
    assert tampered["publishers"] == []
    assert tampered["artifacts"][0]["reason"] == "subject does not match distribution digest"
    assert tampered["artifacts"][0]["predicate_types"] == []


def test_the_table_shows_a_real_failure_with_its_reason() -> None:
    text = render(_audit(real_report()), "table", color=False, now=NOW, width=160)
    section = text[text.index("\nProvenance\n") :]
    assert "  3 of 4 packages attested (3 of 4 artifacts)\n" in section
    row = re.search(r"^pypi-attestations +0\.0\.19 +failed +(.*)$", section, re.MULTILINE)
    assert row is not None
    assert row.group(1) == (
        "pypi_attestations-0.0.19.tar.gz: subject does not match distribution digest"
    )
    assert re.search(
        r"^pypi-attestations +0\.0\.19 +verified +github trailofbits/pypi-attestations "
        r"release\.yml$",
        section,
        re.MULTILINE,
    )


def test_table_section_worst_first_with_coverage_pins_and_notes() -> None:
    # Wide enough that no cell wraps.
    text = render(provenance_report(), "table", color=False, now=NOW, width=300)
    section = text[text.index("\nProvenance\n") : text.rindex("\n-----")]
    lines = section.splitlines()
    assert lines[1:4] == [
        "Provenance",
        "  Sigstore production trust root (bundled)",
        "  3 of 7 packages attested (4 of 8 artifacts); not attested: direct deps "
        "pypi-attestation-models==0.0.4a2",
    ]
    statuses = re.findall(
        r"^(\S+) +\S+ +(publisher changed|failed|unavailable|partial|"
        r"no provenance|no artifacts|verified)\b",
        section,
        re.MULTILINE,
    )
    assert statuses == [
        ("gitlab-oidc-project", "publisher changed"),
        ("rfc8785", "failed"),
        ("spt3g", "unavailable"),
        ("gcb-attestation-test", "partial"),
        ("pypi-attestation-models", "no provenance"),
        ("six", "no artifacts"),
        ("circleci-sign-publish-example", "verified"),
        ("pypi-attestations", "verified"),
    ]
    assert (
        "publisher changed: pinned GitHub facutuesca/gitlab-oidc-project release.yml, now "
        "gitlab facutuesca/gitlab-oidc-project .gitlab-ci.yml (gitlab_oidc_project-0.0.3.tar.gz)"
    ) in section
    assert "no provenance: gcb_attestation_test-0.0.0-py3-none-any.whl" in section
    assert "  Pinned in attestation-identities.toml: 1 project pinned\n" in section
    assert "  note: uv.lock: six 1.16.0 records no files" in section


def _many(verified: int, *, other: PackageProvenance | None = None) -> ProvenanceReport:
    packages = []
    for i in range(verified):
        c = provenance_component(f"pkg{i:03d}", "1.0", i + 1)
        packages.append(
            PackageProvenance(
                component=c,
                artifacts=(artifact(c, f"pkg{i:03d}-1.0.tar.gz", "verified", publisher=GITHUB),),
            )
        )
    if other is not None:
        packages.append(other)
    n = len(packages)
    return ProvenanceReport(
        packages=tuple(packages),
        coverage=Coverage(
            packages=n, packages_attested=verified, artifacts=n, artifacts_attested=verified
        ),
    )


def _none(name: str) -> PackageProvenance:
    c = provenance_component(name, "2.0", 999)
    return PackageProvenance(component=c, artifacts=(artifact(c, f"{name}-2.0.tar.gz", "none"),))


def test_table_summarises_many_verified_packages() -> None:
    report = _audit(_many(VERIFIED_LISTED + 5, other=_none("unsigned")))
    text = render(report, "table", color=False, now=NOW, width=120)
    assert "pkg000" not in text
    assert re.search(r"^unsigned +2\.0 +no provenance +-$", text, re.MULTILINE)
    assert (
        f"  {VERIFIED_LISTED + 5} more verified packages (25 github): listed in --format json "
        "and markdown\n"
    ) in text
    # Up to the limit, each is a row of its own.
    text = render(_audit(_many(VERIFIED_LISTED)), "table", color=False, now=NOW, width=120)
    assert (
        len(re.findall(r"^pkg\d{3} +1\.0 +verified +github ", text, re.MULTILINE))
        == VERIFIED_LISTED
    )
    assert "more verified" not in text


def test_table_colours_statuses_only_with_colour_and_escapes_hostile_text() -> None:
    hostile = provenance_component("evil", "1.0", 1)
    package = PackageProvenance(
        component=hostile,
        artifacts=(artifact(hostile, "evil-1.0.tar.gz", "failed", reason="bad \x1b[2J signature"),),
        notes=("note \x1b]8;;x\x07",),
    )
    report = _audit(_many(1, other=package))
    plain = render(report, "table", color=False, now=NOW, width=120)
    assert "\x1b" not in plain
    assert "bad \\x1b[2J signature" in plain
    coloured = render(report, "table", color=True, now=NOW, width=120)
    assert "\x1b[2J" not in coloured
    assert "\x1b]8" not in coloured
    assert "\x1b[31mfailed" in coloured  # red
    assert "\x1b[32mverified" in coloured  # green


def test_no_provenance_section_without_provenance() -> None:
    report = httpbin()
    assert "Provenance" not in render(report, "table", color=False, now=NOW)
    assert "Provenance" not in render(report, "markdown", color=False, now=NOW)
    assert _json(report)["provenance"] is None
    sarif = json.loads(render(report, "sarif", color=False, now=NOW))
    assert "provenance" not in sarif["runs"][0]["properties"]


# -- Markdown --------------------------------------------------------------------------


def test_markdown_section_escapes_pipes_and_backticks() -> None:
    hostile = provenance_component("evil", "1.0", 1)
    package = PackageProvenance(
        component=hostile,
        artifacts=(
            artifact(hostile, "evil-1.0.tar.gz", "failed", reason="a | b `code` <b>x</b> [l](u)"),
        ),
    )
    text = render(_audit(_many(1, other=package)), "markdown", color=False, now=NOW)
    section = text[text.index("#### Provenance") :]
    row = next(line for line in section.splitlines() if line.startswith("| evil |"))
    assert row == (
        "| evil | 1.0 | **failed** | - | evil-1.0.tar.gz: a \\| b \\`code\\` &lt;b&gt;x&lt;/b&gt; "
        "\\[l\\](u) |"
    )
    assert row.count(" | ") == 4  # five cells: no pipe of the reason splits one
    assert section.startswith(
        "#### Provenance\n\n1 of 2 packages attested (1 of 2 artifacts).\n\n"
        "<sub>Sigstore production trust root (bundled).</sub>\n\n"
        "| Package | Version | Status | Publisher | Detail |\n"
    )


def test_markdown_folds_many_verified_packages() -> None:
    text = render(
        _audit(_many(VERIFIED_LISTED + 1, other=_none("unsigned"))),
        "markdown",
        color=False,
        now=NOW,
    )
    section = text[text.index("#### Provenance") :]
    head, folded = section.split("<details>", 1)
    assert "| unsigned | 2.0 | no provenance | - | - |" in head
    assert "pkg000" not in head
    assert folded.startswith("\n<summary>21 more verified packages (21 github)</summary>\n")
    assert (
        len(re.findall(r"^\| pkg\d{3} \| 1\.0 \| verified \| github ", folded, re.MULTILINE)) == 21
    )


# -- JSON ------------------------------------------------------------------------------


def test_json_provenance_object_of_the_hand_built_report() -> None:
    data = _json(provenance_report())["provenance"]
    assert list(data) == ["trust", "trust_root", "coverage", "packages", "pinned", "notes"]
    assert data["coverage"] == {
        "packages": 7,
        "packages_attested": 3,
        "artifacts": 8,
        "artifacts_attested": 4,
        "unattested_direct": ["pypi-attestation-models==0.0.4a2"],
        "packages_unavailable": 0,
    }
    assert [(p["name"], p["status"]) for p in data["packages"]] == [
        ("pypi-attestations", "verified"),
        ("gcb-attestation-test", "partial"),
        ("circleci-sign-publish-example", "verified"),
        ("gitlab-oidc-project", "changed"),
        ("rfc8785", "failed"),
        ("pypi-attestation-models", "none"),
        ("spt3g", "unavailable"),
        ("six", "no-artifacts"),
    ]
    gitlab = data["packages"][3]
    pinned = [
        {
            "kind": "GitHub",
            "repository": "facutuesca/gitlab-oidc-project",
            "workflow": "release.yml",
        }
    ]
    assert gitlab["pinned"] == pinned
    assert gitlab["pinned_in"] == "attestation-identities.toml"
    assert gitlab["change"]["pinned"] == pinned
    assert gitlab["change"]["filename"] == "gitlab_oidc_project-0.0.3.tar.gz"
    assert gitlab["change"]["found"]["record"] == {
        "kind": "GitLab",
        "repository": "facutuesca/gitlab-oidc-project",
        "workflow_filepath": ".gitlab-ci.yml",
    }
    assert gitlab["direct"] is True
    assert data["pinned"] == {"attestation-identities.toml": "1 project pinned"}
    assert data["notes"] == ["uv.lock: six 1.16.0 records no files"]
    spt3g = data["packages"][6]["artifacts"][0]
    assert (spt3g["status"], spt3g["reason"]) == (
        "unavailable",
        "the index answered 503 Service Unavailable",
    )


def test_schema_enums_are_the_models_literals() -> None:
    schema = json.loads(JSON_SCHEMA.read_text())
    defs = schema["$defs"]
    package = defs["provenance_package"]["properties"]
    artifact_ = defs["provenance_artifact"]["properties"]
    assert package["status"]["enum"] == list(typing.get_args(_model.PackageStatus))
    assert artifact_["status"]["enum"] == list(typing.get_args(_model.ArtifactStatus))
    assert artifact_["digest_from"]["enum"] == list(typing.get_args(_model.DigestFrom))
    assert defs["publisher"]["properties"]["kind"]["enum"] == list(_model.PUBLISHER_KINDS)
    assert defs["provenance"]["properties"]["trust"]["enum"] == list(typing.get_args(_model.Trust))
    assert set(STATUS_WORDS) == set(typing.get_args(_model.PackageStatus))


def test_schema_rejects_a_bad_status_and_a_missing_key() -> None:
    schema = json.loads(JSON_SCHEMA.read_text())
    # The provenance object's own definition: under the top level's ``oneOf`` (null or
    # the object) a validator only says that neither matched.
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/$defs/provenance", "$defs": schema["$defs"]}
    )
    data = _json(provenance_report())["provenance"]
    assert list(validator.iter_errors(data)) == []
    data["packages"][0]["status"] = "trusted"
    del data["packages"][1]["artifacts"][0]["digest_from"]
    assert sorted(e.message for e in validator.iter_errors(data)) == [
        "'digest_from' is a required property",
        "'trusted' is not one of ['changed', 'failed', 'partial', 'none', 'unavailable', "
        "'verified', 'no-artifacts']",
    ]


# -- SARIF -----------------------------------------------------------------------------


def test_sarif_gives_provenance_findings_one_rule_and_the_run_the_coverage() -> None:
    data = json.loads(render(provenance_report(), "sarif", color=False, now=NOW))
    run = data["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["provenance"]
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["helpUri"].endswith("/docs/checks.md#provenance")
    assert rule["shortDescription"]["text"].startswith(
        "An artifact whose PEP 740 attestations fail to verify"
    )
    assert rule["properties"]["security-severity"] == "9.0"  # the publisher change
    assert [(r["ruleId"], r["level"], r["properties"]["id"]) for r in run["results"]] == [
        ("provenance", "error", "provenance:gitlab-oidc-project@0.0.3"),
        ("provenance", "error", "provenance:rfc8785@0.1.2"),
    ]
    summary = run["properties"]["provenance"]
    assert summary["byStatus"] == {
        "changed": 1,
        "failed": 1,
        "unavailable": 1,
        "partial": 1,
        "none": 1,
        "no-artifacts": 1,
        "verified": 2,
    }
    assert summary["coverage"] == (
        "3 of 7 packages attested (4 of 8 artifacts); not attested: direct deps "
        "pypi-attestation-models==0.0.4a2"
    )
    assert (summary["packages"], summary["packagesAttested"]) == (7, 3)
    _validate("sarif", data)


def test_table_folds_many_packages_unavailable_for_one_reason() -> None:
    """Offline with an empty cache, or no index: one line for the packages that share the
    reason, not the same words on every row; the coverage says how many were unknown."""
    why = "not in the cache, and offline"
    packages = []
    for i in range(UNAVAILABLE_LISTED + 2):
        c = provenance_component(f"off{i:02d}", "1.0", i + 1)
        packages.append(
            PackageProvenance(
                component=c,
                artifacts=(artifact(c, f"off{i:02d}-1.0.tar.gz", "unavailable", reason=why),),
            )
        )
    odd = provenance_component("odd", "3.0", 500)
    packages.append(
        PackageProvenance(
            component=odd,
            artifacts=(
                artifact(odd, "odd-3.0.tar.gz", "unavailable", reason="503 from the index"),
            ),
        )
    )
    n = len(packages)
    report = ProvenanceReport(
        packages=tuple(packages),
        coverage=Coverage(
            packages=n,
            packages_attested=0,
            artifacts=n,
            artifacts_attested=0,
            packages_unavailable=n,
        ),
    )
    text = render(_audit(report), "table", color=False, now=NOW, width=120)
    assert f"0 of {n} packages attested (0 of {n} artifacts); {n} could not be checked\n" in text
    assert f"  {UNAVAILABLE_LISTED + 2} packages could not be checked: {why}\n" in text
    assert "off00" not in text
    # A reason only one package has stays on its row.
    assert re.search(
        r"^odd +3\.0 +unavailable +odd-3\.0\.tar\.gz: 503 from the index$", text, re.MULTILINE
    )
    assert _json(_audit(report))["provenance"]["coverage"]["packages_unavailable"] == n
