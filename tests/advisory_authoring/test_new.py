"""``pyward advisory new``: options, a TOML file and prompts give the same exact OSV
record, valid against the official OSV schema; versions come from a file or a loopback
index; bad input is one line naming the option or the key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyward._advisory._match import match_advisory
from pyward._advisory._osv import parse_advisory
from pyward._authoring._draft import CREDIT_TYPES
from tests.conftest import SCHEMAS, run_cli
from tests.index._loopback_index import LoopbackIndex, loopback_index

EXAMPLE = Path(__file__).parents[2] / "examples" / "advisory-draft.toml"
#: 2027-01-15T08:00:00Z
EPOCH = "1800000000"
STAMP = "2027-01-15T08:00:00Z"
V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
V40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N"
RELEASES = "0.9\n1.0\n1.0.1\n1.4.1\n1.4.2\n2.0rc1\n2.0\n2.0.1\n2.0.3\n2.1\n"


def osv_valid(record: dict[str, Any]) -> None:
    """The official OSV schema accepts ``record``."""
    import jsonschema

    schema = json.loads((SCHEMAS / "osv-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(record)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    path = tmp_path / "versions.txt"
    path.write_text(RELEASES, encoding="utf-8")
    return path


OPTIONS = [
    "--package",
    "Example_Lib",
    "--introduced",
    "1.0",
    "--fixed",
    "1.4.2",
    "--introduced",
    "2.0",
    "--fixed",
    "2.0.3",
    "--summary",
    "Cross-site scripting in the template filter of example-lib",
    "--details",
    "The `safe_join` filter of example-lib did not escape attribute values.",
    "--cvss",
    V31,
    "--cvss",
    V40,
    "--cwe",
    "CWE-79",
    "--reference",
    "ADVISORY=https://example.org/security/2026-1",
    "--reference",
    "fix=https://example.org/example-lib/commit/0123abcd",
    "--alias",
    "CVE-2026-12345",
    "--credit",
    "FINDER:Jane Doe:jane@example.org",
    "--credit",
    "remediation-developer:Sam Maintainer:https://example.org/sam",
    "--credit",
    "COORDINATOR:Alex Coordinator",
]

EXPECTED: dict[str, Any] = {
    "schema_version": "1.7.0",
    "id": "PYSEC-0000-DRAFT",
    "modified": STAMP,
    "published": STAMP,
    "aliases": ["CVE-2026-12345"],
    "summary": "Cross-site scripting in the template filter of example-lib",
    "details": "The `safe_join` filter of example-lib did not escape attribute values.",
    "severity": [{"type": "CVSS_V3", "score": V31}, {"type": "CVSS_V4", "score": V40}],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "example-lib", "purl": "pkg:pypi/example-lib"},
            "ranges": [
                {
                    "type": "ECOSYSTEM",
                    "events": [
                        {"introduced": "1.0"},
                        {"fixed": "1.4.2"},
                        {"introduced": "2.0"},
                        {"fixed": "2.0.3"},
                    ],
                }
            ],
            "versions": ["1.0", "1.0.1", "1.4.1", "2.0", "2.0.1"],
        }
    ],
    "references": [
        {"type": "ADVISORY", "url": "https://example.org/security/2026-1"},
        {"type": "FIX", "url": "https://example.org/example-lib/commit/0123abcd"},
    ],
    "credits": [
        {"name": "Jane Doe", "contact": ["mailto:jane@example.org"], "type": "FINDER"},
        {
            "name": "Sam Maintainer",
            "contact": ["https://example.org/sam"],
            "type": "REMEDIATION_DEVELOPER",
        },
        {"name": "Alex Coordinator", "type": "COORDINATOR"},
    ],
    "database_specific": {"cwe_ids": ["CWE-79"]},
}


def test_options_give_the_exact_record(capsys: pytest.CaptureFixture[str], versions: Path) -> None:
    code, out, err = run_cli(capsys, "advisory", "new", *OPTIONS, "--versions-from", str(versions))
    assert code == 0, err
    record = json.loads(out)
    assert record == EXPECTED
    assert list(record) == list(EXPECTED)  # the schema's key order
    osv_valid(record)
    assert err.splitlines() == [
        f"PYSEC-0000-DRAFT: example-lib: 5 of 10 released versions affected (from {versions})",
        f"CVSS_V3 {V31}: base score 6.1 (medium)",
        f"CVSS_V4 {V40}: base score 5.3 (medium)",
    ]


def test_the_toml_file_gives_the_same_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "versions.txt").write_text(RELEASES, encoding="utf-8")
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        '# versions-from = "example-lib-versions.txt"', 'versions-from = "versions.txt"'
    )
    draft = tmp_path / "draft.toml"
    draft.write_text(text, encoding="utf-8")
    out_file = tmp_path / "draft.json"
    code, out, err = run_cli(capsys, "advisory", "new", "--from", str(draft), "-o", str(out_file))
    assert code == 0, err
    assert out == ""
    record = json.loads(out_file.read_text(encoding="utf-8"))
    expected = dict(EXPECTED)
    # The example's details are a multi-line string; everything else is the same.
    assert record["details"].startswith("The `safe_join` filter of example-lib did not escape")
    record["details"] = expected["details"]
    assert record == expected
    osv_valid(record)


def test_the_store_reads_and_matches_a_draft(
    capsys: pytest.CaptureFixture[str], versions: Path
) -> None:
    _, out, _ = run_cli(capsys, "advisory", "new", *OPTIONS, "--versions-from", str(versions))
    advisory = parse_advisory(json.loads(out))
    assert advisory.notes == ()
    assert match_advisory(advisory, "example-lib", "1.4.1") is not None
    assert match_advisory(advisory, "example-lib", "1.4.2") is None
    assert match_advisory(advisory, "example-lib", "2.0.2") is not None


def test_every_credit_type(capsys: pytest.CaptureFixture[str], versions: Path) -> None:
    credits = [
        f"--credit={kind.lower()}:Person {i}:p{i}@example.org"
        for i, kind in enumerate(CREDIT_TYPES)
    ]
    code, out, err = run_cli(
        capsys,
        "advisory",
        "new",
        "--package=demo",
        "--fixed=1.0",
        "--summary=Demo",
        "--versions-from",
        str(versions),
        *credits,
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["credits"] == [
        {"name": f"Person {i}", "contact": [f"mailto:p{i}@example.org"], "type": kind}
        for i, kind in enumerate(CREDIT_TYPES)
    ]
    assert len(CREDIT_TYPES) == 10
    osv_valid(record)


def test_last_affected_goes_in_its_own_range(
    capsys: pytest.CaptureFixture[str], versions: Path
) -> None:
    code, out, err = run_cli(
        capsys,
        "advisory",
        "new",
        "--package=demo",
        "--summary=Demo",
        "--fixed=1.0.1",
        "--introduced=2.0rc1",
        "--last-affected=2.0.1",
        "--introduced=2.1",
        "--versions-from",
        str(versions),
    )
    assert code == 0, err
    affected = json.loads(out)["affected"][0]
    assert affected["ranges"] == [
        {
            "type": "ECOSYSTEM",
            "events": [{"introduced": "0"}, {"fixed": "1.0.1"}, {"introduced": "2.1"}],
        },
        {"type": "ECOSYSTEM", "events": [{"introduced": "2.0rc1"}, {"last_affected": "2.0.1"}]},
    ]
    assert affected["versions"] == ["0.9", "1.0", "2.0rc1", "2.0", "2.0.1", "2.1"]
    osv_valid(json.loads(out))


def test_warnings_for_bounds_that_were_never_released(
    capsys: pytest.CaptureFixture[str], versions: Path
) -> None:
    code, out, err = run_cli(
        capsys,
        "advisory",
        "new",
        "--package=demo",
        "--summary=Demo",
        "--introduced=1.1",
        "--fixed=1.2",
        "--introduced=3.0",
        "--versions-from",
        str(versions),
    )
    assert code == 0
    assert json.loads(out)["affected"][0]["versions"] == []
    assert err.splitlines()[:5] == [
        f"warning: --introduced '1.1': not a released version of demo (per {versions})",
        f"warning: --fixed '1.2': not a released version of demo (per {versions})",
        "warning: --introduced '1.1' .. --fixed '1.2': no released version of demo in it",
        f"warning: --introduced '3.0': not a released version of demo (per {versions})",
        "warning: --introduced '3.0' .. no fix: no released version of demo in it",
    ]


def test_no_versions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys,
        "advisory",
        "new",
        "--package=demo",
        "--summary=Demo",
        "--fixed=1.0",
        "--no-versions",
    )
    assert code == 0
    assert "versions" not in json.loads(out)["affected"][0]
    assert err == "note: no versions list written (--no-versions)\n"


def test_output_file_is_not_overwritten(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "draft.json"
    target.write_text("hand edits\n", encoding="utf-8")
    argv = ["advisory", "new", "--package=demo", "--summary=Demo", "--fixed=1.0", "--no-versions"]
    code, _, err = run_cli(capsys, *argv, "-o", str(target))
    assert code == 2
    assert err == f"pyward: error: --output {target}: exists (use --force to overwrite)\n"
    assert target.read_text(encoding="utf-8") == "hand edits\n"
    code, _, _ = run_cli(capsys, *argv, "-o", str(target), "--force")
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["id"] == "PYSEC-0000-DRAFT"


# -- prompts ---------------------------------------------------------------------------


def test_prompts_ask_for_what_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, versions: Path
) -> None:
    answers = iter(
        ["not a name!", "Example_Lib", "Path traversal in upload", "1.0", "0.9", "1.4.2"]
    )
    asked: list[str] = []

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", fake_input)
    code, out, err = run_cli(
        capsys, "advisory", "new", "--cwe", "CWE-22", "--versions-from", str(versions)
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["summary"] == "Path traversal in upload"
    assert record["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.4.2"}]}
    ]
    assert record["affected"][0]["versions"] == ["1.0", "1.0.1", "1.4.1"]
    assert asked == [
        "package (its name on the index): ",
        "package (its name on the index): ",
        "summary (one line): ",
        "introduced in (a version; 0 for every version before the fix) [0]: ",
        "fixed in (empty: no fix released yet): ",
        "fixed in (empty: no fix released yet): ",
    ]
    assert err.splitlines()[:2] == [
        "package 'not a name!': not a valid project name (PEP 508)",
        "fixed '0.9': not after introduced '1.0'",
    ]
    osv_valid(record)


def test_prompts_defaults_and_end_of_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["Demo", "", ""])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    code, out, _ = run_cli(capsys, "advisory", "new", "--package=demo", "--no-versions")
    assert code == 0
    assert json.loads(out)["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}
    ]

    def eof(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", eof)
    code, _, err = run_cli(capsys, "advisory", "new", "--no-versions")
    assert (code, err) == (2, "pyward: error: no answer for package\n")


def test_without_a_terminal_nothing_is_asked(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "advisory", "new", "--summary=Demo", "--fixed=1.0")
    assert (code, err) == (2, "pyward: error: missing --package\n")


# -- versions from a package index -----------------------------------------------------


@pytest.fixture
def index(online: None) -> Iterator[LoopbackIndex]:
    with loopback_index() as served:
        yield served


def test_versions_from_the_index(capsys: pytest.CaptureFixture[str], index: LoopbackIndex) -> None:
    code, out, err = run_cli(
        capsys,
        "advisory",
        "new",
        "--package=six",
        "--summary=Demo",
        "--introduced=1.14.0",
        "--fixed=1.16.0",
        "--index-url",
        index.simple_url,
    )
    assert code == 0, err
    assert json.loads(out)["affected"][0]["versions"] == ["1.14.0", "1.15.0"]
    assert err.splitlines()[-1] == (
        f"PYSEC-0000-DRAFT: six: 2 of 29 released versions affected (from {index.simple_url}six/)"
    )
    assert index.asked("/simple/six/") == 1


def test_the_index_from_the_environment_and_offline(
    capsys: pytest.CaptureFixture[str], index: LoopbackIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYWARD_INDEX_URL", index.simple_url)
    argv = ["advisory", "new", "--package=idna", "--summary=Demo", "--fixed=3.7"]
    code, _, err = run_cli(capsys, *argv, "--offline")
    assert code == 2
    assert err == (
        f"pyward: error: {index.simple_url}idna/: offline and not cached (the release list "
        "of idna: give --versions-from FILE to work offline)\n"
    )
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert json.loads(out)["affected"][0]["versions"][-2:] == ["3.5", "3.6"]


def test_no_index_configured(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "advisory", "new", "--package=demo", "--summary=D", "--fixed=1")
    assert code == 2
    assert err == (
        "pyward: error: no package index configured: set --index-url or PYWARD_INDEX_URL, or "
        "configure pip/uv; or give --versions-from FILE (or --no-versions) to write the draft "
        "without asking an index\n"
    )


# -- errors ----------------------------------------------------------------------------

BASE = ["advisory", "new", "--package=demo", "--summary=Demo", "--no-versions"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--fixed=1.x"], "--fixed '1.x': not a PEP 440 version"),
        (["--introduced=2.0", "--fixed=1.0"], "--fixed '1.0': not after --introduced '2.0'"),
        (["--introduced=2.0", "--fixed=2.0"], "--fixed '2.0': not after --introduced '2.0'"),
        (
            ["--fixed=2.0", "--introduced=1.0", "--fixed=1.5"],
            "--introduced '1.0': not after the range before it (closed at --fixed '2.0'): "
            "give the ranges in version order",
        ),
        (
            ["--introduced=1.0", "--introduced=2.0"],
            "--introduced '2.0': the range opened by --introduced '1.0' is not closed: give "
            "--fixed or --last-affected before the next introduced",
        ),
        (
            ["--fixed=1.0", "--fixed=2.0"],
            "--fixed '2.0': no introduced before it (the range before closed at --fixed '1.0')",
        ),
        (
            ["--fixed=1", "--cvss=CVSS:3.1/AV:X/AC:L"],
            "--cvss 'CVSS:3.1/AV:X/AC:L': not a valid CVSS vector: ",
        ),
        (
            ["--fixed=1", "--cvss=CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"],
            "--cvss 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H': expected a CVSS v3.1 "
            "(CVSS:3.1/...) or v4.0 (CVSS:4.0/...) vector",
        ),
        (
            ["--fixed=1", f"--cvss={V31}", f"--cvss={V31}"],
            f"--cvss '{V31}': a second CVSS_V3 vector: give one per CVSS version",
        ),
        (
            ["--fixed=1", "--credit=HERO:Jane"],
            "--credit 'HERO': unknown credit type; expected one of " + ", ".join(CREDIT_TYPES),
        ),
        (["--fixed=1", "--credit=Jane"], "--credit 'Jane': expected TYPE:Name[:contact,...]"),
        (
            ["--fixed=1", "--credit=FINDER:Jane:jane"],
            "--credit 'jane': a contact is an e-mail address or a URL (mailto:..., https://...)",
        ),
        (["--fixed=1", "--credit=FINDER: "], "--credit ' ': empty name"),
        (
            ["--fixed=1", "--reference=PATCH=https://example.org"],
            "--reference 'PATCH': unknown reference type; expected one of ADVISORY, ARTICLE, "
            "DETECTION, DISCUSSION, REPORT, FIX, INTRODUCED, GIT, PACKAGE, EVIDENCE, WEB",
        ),
        (
            ["--fixed=1", "--reference=FIX=ftp://example.org/x"],
            "--reference 'ftp://example.org/x': expected an http(s) URL",
        ),
        (
            ["--fixed=1", "--reference=https://example.org"],
            "--reference 'https://example.org': expected TYPE=URL (e.g. FIX=https://...)",
        ),
        (["--fixed=1", "--cwe=79"], "--cwe '79': expected a CWE id like CWE-79"),
        (["--fixed=1", "--alias=CVE-26-1"], "--alias 'CVE-26-1': not a CVE id (CVE-YYYY-NNNN)"),
        (
            ["--fixed=1", "--alias=GHSA-1234"],
            "--alias 'GHSA-1234': not a GHSA id (GHSA-xxxx-xxxx-xxxx)",
        ),
        (
            ["--fixed=1", "--alias=PYSEC-0000-DRAFT"],
            "--alias 'PYSEC-0000-DRAFT': the record's own id",
        ),
        (
            ["--fixed=1", "--id=../etc"],
            "--id '../etc': not an OSV id (PREFIX-ENTRY, e.g. PYSEC-0000-DRAFT)",
        ),
        (
            ["--fixed=1", "--ecosystem=npm"],
            "--ecosystem 'npm': only PyPI (or PyPI:<suffix>) is supported",
        ),
        (
            ["--fixed=1", "--summary=two\nlines"],
            "--summary 'two\\nlines': a summary is one line of text",
        ),
        ([], "missing --introduced/--fixed/--last-affected"),
    ],
)
def test_errors_name_the_option(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *BASE, *extra)
    assert code == 2
    assert out == ""
    assert err.startswith(f"pyward: error: {message}")
    assert err.count("\n") == 1


def test_package_name_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, "advisory", "new", "--package=a b", "--summary=D", "--fixed=1", "--no-versions"
    )
    assert (code, err) == (
        2,
        "pyward: error: --package 'a b': not a valid project name (PEP 508)\n",
    )


def test_from_excludes_field_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "advisory", "new", "--from", str(EXAMPLE), "--summary=x")
    assert (code, err) == (
        2,
        "pyward: error: --summary: not with --from (the file gives the fields)\n",
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('package = "demo"\nsumary = "x"\n', "sumary: unknown key"),
        (
            'package = "demo"\n[[ranges]]\nlast_affected = "1.0"\n',
            "ranges[0].last_affected: unknown key (did you mean 'last-affected'?)",
        ),
        (
            'package = "demo"\n[[ranges]]\nfixed = "1.0"\nlast-affected = "1.0"\n',
            "ranges[0]: fixed and last-affected exclude each other",
        ),
        (
            'package = "demo"\n[[ranges]]\nintroduced = "1.0"\nfixed = "0.5"\n',
            "ranges[0].fixed '0.5': not after ranges[0].introduced '1.0'",
        ),
        ('package = "demo"\n[[ranges]]\n', "ranges[0]: needs introduced, fixed or last-affected"),
        ('package = 3\n[[ranges]]\nfixed = "1"\n', "package: expected a string, found a number"),
        (
            'package = "demo"\ncvss = ["CVSS:2.0/AV:N"]\n[[ranges]]\nfixed = "1"\n',
            "cvss[0] 'CVSS:2.0/AV:N': expected a CVSS v3.1 (CVSS:3.1/...) or v4.0 "
            "(CVSS:4.0/...) vector",
        ),
        (
            'package = "demo"\n[[ranges]]\nfixed = "1"\n[[credits]]\ntype = "HERO"\nname = "J"\n',
            "credits[0].type 'HERO': unknown credit type; expected one of "
            + ", ".join(CREDIT_TYPES),
        ),
        (
            'package = "demo"\n[[ranges]]\nfixed = "1"\n[[credits]]\ntype = "FINDER"\n',
            "credits[0].name: missing",
        ),
        ('summary = "x"\n[[ranges]]\nfixed = "1"\n', "package: missing"),
        ('package = "demo"\n', "ranges: missing"),
    ],
)
def test_toml_errors_name_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, where: str
) -> None:
    draft = tmp_path / "draft.toml"
    draft.write_text(text, encoding="utf-8")
    code, _, err = run_cli(capsys, "advisory", "new", "--from", str(draft), "--no-versions")
    assert (code, err) == (2, f"pyward: error: {draft}: {where}\n")


def test_details_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    details = tmp_path / "details.md"
    details.write_text("\nLine one.\n\n```\ncode\n```\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, *BASE, "--fixed=1", "--details-file", str(details))
    assert code == 0
    assert json.loads(out)["details"] == "Line one.\n\n```\ncode\n```"
    code, _, err = run_cli(capsys, *BASE, "--fixed=1", "--details-file", str(tmp_path / "none.md"))
    assert code == 2
    assert str(tmp_path / "none.md") in err
