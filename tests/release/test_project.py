"""The policy, tests and metadata rules of ``pyward release-check``
(:mod:`pyward._release._project`), each in a passing and a failing form."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._release._model import Hit, Repo
from pyward._release._project import RULES, scan, source_packages
from pyward.errors import InputError
from tests.release._project_fixtures import checkout, rules_of, write

GOOD_PYPROJECT = """\
[project]
name = "goodpkg"
version = "1.0"
requires-python = ">=3.10"
license = "MIT"
urls = { Repository = "https://git.example.invalid/goodpkg" }

[tool.pytest.ini_options]
filterwarnings = ["error"]
"""
NO_PYTEST = GOOD_PYPROJECT.partition("[tool.pytest")[0]
GOOD_POLICY = "Report vulnerabilities to security@goodpkg.example.invalid.\n"


def run(repo: Repo) -> tuple[list[Hit], str | None]:
    """Every hit :func:`scan` yields, and the "not checked" error it raises after them."""
    hits: list[Hit] = []
    try:
        hits.extend(scan(repo))
    except InputError as exc:
        return hits, str(exc)
    return hits, None


def hits_of(repo: Repo, rule: str) -> list[Hit]:
    hits, _unchecked = run(repo)
    return [hit for hit in hits if hit.rule == rule]


def good(tmp_path: Path, files: dict[str, str] | None = None) -> Repo:
    """A repository passing every rule here, with ``files`` (relative path -> text)
    replaced; an empty text leaves the file out."""
    tree = {"pyproject.toml": GOOD_PYPROJECT, "SECURITY.md": GOOD_POLICY, **(files or {})}
    return write(tmp_path, {name: text for name, text in tree.items() if text})


def test_rules_are_declared_once_in_their_categories() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert {rule.category for rule in RULES} == {"policy", "tests", "metadata"}
    for rule in RULES:
        assert rule.title
        assert rule.rationale
        assert rule.fix


def test_a_good_repository_has_no_hit(tmp_path: Path) -> None:
    assert run(good(tmp_path)) == ([], None)


def test_good_fixture_passes(tmp_path: Path) -> None:
    root = checkout("project-good", tmp_path)
    assert run(Repo(root=root)) == ([], None)


def test_bad_fixture_breaks_every_rule(tmp_path: Path) -> None:
    root = checkout("project-bad", tmp_path)
    hits, unchecked = run(Repo(root=root))
    assert unchecked is None
    assert [(h.rule, h.file, h.line) for h in hits] == [
        ("security-policy-no-private-channel", ".github/SECURITY.md", 4),
        ("deprecations-not-errors", "pytest.ini", 5),
        ("license-expression", "pyproject.toml", 8),
        ("license-files", "pyproject.toml", 5),
        ("source-url", "pyproject.toml", 14),
        ("requires-python", "pyproject.toml", 5),
    ]
    messages = [h.message for h in hits]
    assert messages[0] == (
        ".github/SECURITY.md sends reporters to the public issue tracker and names no "
        "private channel"
    )
    assert messages[1] == (
        'filterwarnings ignore::DeprecationWarning after "error" turns deprecation '
        "warnings back off"
    )
    assert messages[2] == (
        "[project] license is the legacy table form {text = ...}, not an SPDX expression"
    )
    assert messages[3] == "[project] has no license-files, and the repository has LICENSE.txt"


# -- policy ---------------------------------------------------------------------------


def test_no_security_policy(tmp_path: Path) -> None:
    [hit] = hits_of(good(tmp_path, {"SECURITY.md": ""}), "security-policy")
    assert hit.file is None
    assert hit.message == (
        "no SECURITY.md (or .rst/.txt) in the repository root, .github/ or docs/"
    )


@pytest.mark.parametrize("place", ["Security.md", ".github/SECURITY.md", "docs/security.rst"])
def test_policy_found_in_every_place_any_case(tmp_path: Path, place: str) -> None:
    repo = write(tmp_path, {"pyproject.toml": GOOD_PYPROJECT, place: GOOD_POLICY})
    assert run(repo) == ([], None)


@pytest.mark.parametrize(
    "channel",
    [
        "Mail security@example.invalid (PGP key below).",
        "Use https://github.com/o/r/security/advisories/new to tell us.",
        'Click "Report a vulnerability" on the Security tab.',
        "Use the Tidelift security contact.",
        "See https://hackerone.com/example.",
        "Our contacts are in /.well-known/security.txt.",
        "Open a confidential issue on GitLab.",
    ],
)
def test_private_channels(tmp_path: Path, channel: str) -> None:
    repo = good(tmp_path, {"SECURITY.md": f"# Security\n\n{channel}\n"})
    assert hits_of(repo, "security-policy-no-private-channel") == []


def test_policy_without_a_channel_points_at_its_reporting_line(tmp_path: Path) -> None:
    text = (
        "# Security\n\nWe care.\nPlease contact the maintainers.\n"
        "noreply@users.example.invalid, git@git.example.invalid:o/r.git, "
        "uses: actions/checkout@v4.1.1\n"
    )
    [hit] = hits_of(good(tmp_path, {"SECURITY.md": text}), "security-policy-no-private-channel")
    assert (hit.file, hit.line) == ("SECURITY.md", 4)
    assert hit.message == (
        "SECURITY.md names no private reporting channel (e-mail, GitHub private "
        "vulnerability reporting, Tidelift, security.txt)"
    )


# -- tests ----------------------------------------------------------------------------


def test_no_pytest_configuration(tmp_path: Path) -> None:
    repo = write(tmp_path, {"pyproject.toml": NO_PYTEST})
    [hit] = hits_of(repo, "deprecations-not-errors")
    assert (hit.file, hit.line, hit.severity) == (None, None, None)
    assert hit.message == (
        "deprecation warnings are not errors in the tests (no pytest configuration makes "
        "them errors, and CI sets no PYTHONWARNINGS=error or -W error)"
    )


def test_pyproject_without_error_points_at_filterwarnings(tmp_path: Path) -> None:
    text = GOOD_PYPROJECT.replace('["error"]', '["ignore::UserWarning"]')
    [hit] = hits_of(good(tmp_path, {"pyproject.toml": text}), "deprecations-not-errors")
    assert (hit.file, hit.line) == ("pyproject.toml", 9)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "tox.ini",
            "[tox]\nenv_list = py3\n\n[pytest]\nfilterwarnings =\n    error::DeprecationWarning\n",
        ),
        ("setup.cfg", "[tool:pytest]\nfilterwarnings = error\n"),
        ("pytest.ini", "[pytest]\naddopts = -W error::DeprecationWarning\n"),
        ("pyproject.toml", "[tool.pytest]\nfilterwarnings = ['error']\n"),
        ("pyproject.toml", "[tool.pytest.ini_options]\naddopts = '-ra -Werror'\n"),
    ],
)
def test_deprecations_are_errors_in_each_pytest_file(tmp_path: Path, name: str, text: str) -> None:
    files = {"pyproject.toml": NO_PYTEST, name: text}
    if name == "pyproject.toml":
        files[name] = files[name] + "\n" + text
    assert hits_of(write(tmp_path, files), "deprecations-not-errors") == []


def test_pytest_ini_wins_over_pyproject(tmp_path: Path) -> None:
    repo = good(tmp_path, {"pytest.ini": "[pytest]\naddopts = -ra\n"})
    [hit] = hits_of(repo, "deprecations-not-errors")
    assert hit.file == "pytest.ini"


def test_only_future_warnings_is_partial(tmp_path: Path) -> None:
    root = checkout("project-setuppy", tmp_path)
    hits, unchecked = run(Repo(root=root))
    [hit] = [h for h in hits if h.rule == "deprecations-not-errors"]
    assert (hit.file, hit.line, hit.severity) == ("setup.cfg", 3, "low")
    assert hit.message == (
        "only FutureWarning is an error; DeprecationWarning is not "
        '(add "error::DeprecationWarning")'
    )
    assert (
        unchecked == "pyproject.toml: metadata not checked: setup.py builds it (no [project] table)"
    )
    assert rules_of(hits) == ["deprecations-not-errors"]  # its SECURITY.rst names an address


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            ".github/workflows/tests.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n"
            "      PYTHONWARNINGS: error\n    steps:\n      - run: pytest\n",
        ),
        (
            ".github/workflows/tests.yaml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: python -W error::DeprecationWarning -m pytest\n",
        ),
        ("tox.ini", "[testenv]\nsetenv =\n    PYTHONWARNINGS = error\ncommands = pytest\n"),
        ("noxfile.py", 'def tests(session):\n    session.run("pytest", "-W", "error")\n'),
        (".gitlab-ci.yml", 'test:\n  variables:\n    PYTHONWARNINGS: "error"\n  script: pytest\n'),
    ],
)
def test_ci_makes_deprecations_errors(tmp_path: Path, name: str, text: str) -> None:
    files = {"pyproject.toml": NO_PYTEST, name: text}
    assert hits_of(write(tmp_path, files), "deprecations-not-errors") == []


def test_ci_with_a_narrower_filter_does_not_count(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n"
        "      PYTHONWARNINGS: error::UserWarning\n    steps:\n      - run: pytest\n"
    )
    files = {
        "pyproject.toml": NO_PYTEST,
        ".github/workflows/ci.yml": workflow,
    }
    assert rules_of(hits_of(write(tmp_path, files), "deprecations-not-errors")) == [
        "deprecations-not-errors"
    ]


@pytest.mark.parametrize("layout", ["goodpkg", "src/goodpkg", None])
def test_ignoring_the_own_package_is_a_low_hit(tmp_path: Path, layout: str | None) -> None:
    text = GOOD_PYPROJECT.replace(
        '["error"]', '[\n  "error",\n  "ignore::DeprecationWarning:goodpkg.*",\n]'
    )
    if layout is not None:
        (tmp_path / layout).mkdir(parents=True)
        (tmp_path / layout / "__init__.py").write_text("", encoding="utf-8")
    [hit] = hits_of(good(tmp_path, {"pyproject.toml": text}), "deprecations-not-errors")
    assert (hit.line, hit.severity, hit.subject) == (11, "low", "goodpkg.*")
    assert hit.message == (
        "filterwarnings ignores DeprecationWarning raised in the project's own package 'goodpkg.*'"
    )


@pytest.mark.parametrize(
    "filters",
    [
        '["ignore::DeprecationWarning:goodpkg", "error"]',
        '["error", "ignore::DeprecationWarning:^dateutil\\\\..*"]',
        '["error", "ignore:old API:DeprecationWarning:goodpkg"]',
    ],
)
def test_ignores_that_keep_the_own_package_strict(tmp_path: Path, filters: str) -> None:
    text = GOOD_PYPROJECT.replace('["error"]', filters)
    assert hits_of(good(tmp_path, {"pyproject.toml": text}), "deprecations-not-errors") == []


def test_a_broken_ini_file_is_one_line(tmp_path: Path) -> None:
    repo = good(tmp_path)
    (tmp_path / "pytest.ini").write_text("[pytest\nfilterwarnings = error\n", encoding="utf-8")
    _hits, unchecked = run(repo)
    assert unchecked is not None
    assert unchecked.startswith(
        "pytest.ini: line 1: not an INI file: File contains no section headers."
    )


# -- metadata -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("license_line", "message"),
    [
        (
            'license = "Apache 2"',
            "[project] license 'Apache 2' is not an SPDX expression: unknown licence id Apache 2",
        ),
        (
            'license = "MIT AND (Apache-2.0"',
            "[project] license 'MIT AND (Apache-2.0' is not an SPDX expression: "
            "not a valid SPDX expression",
        ),
        (
            'license = { file = "LICENSE" }',
            "[project] license is the legacy table form {file = ...}, not an SPDX expression",
        ),
    ],
)
def test_license_not_an_expression(tmp_path: Path, license_line: str, message: str) -> None:
    text = GOOD_PYPROJECT.replace('license = "MIT"', license_line)
    [hit] = hits_of(good(tmp_path, {"pyproject.toml": text}), "license-expression")
    assert (hit.message, hit.file, hit.line) == (message, "pyproject.toml", 5)


@pytest.mark.parametrize(
    "expression",
    [
        "MIT",
        "Apache-2.0 OR MIT",
        "LicenseRef-Proprietary",
        "GPL-3.0-or-later WITH Classpath-exception-2.0",
    ],
)
def test_license_expressions_pass(tmp_path: Path, expression: str) -> None:
    text = GOOD_PYPROJECT.replace('"MIT"', f'"{expression}"')
    assert hits_of(good(tmp_path, {"pyproject.toml": text}), "license-expression") == []


def test_license_missing_and_classifier_beside_expression(tmp_path: Path) -> None:
    text = GOOD_PYPROJECT.replace(
        'license = "MIT"\n',
        'license = "MIT"\nclassifiers = ["License :: OSI Approved :: MIT License"]\n',
    )
    [hit] = hits_of(good(tmp_path, {"pyproject.toml": text}), "license-expression")
    assert (hit.line, hit.subject) == (6, "License :: OSI Approved :: MIT License")
    text = GOOD_PYPROJECT.replace('license = "MIT"\n', "")
    [hit] = hits_of(good(tmp_path, {"pyproject.toml": text}), "license-expression")
    assert (hit.line, hit.message) == (
        1,
        '[project] declares no license (PEP 639: license = "SPDX-EXPRESSION")',
    )


def test_license_files_only_when_a_licence_exists(tmp_path: Path) -> None:
    repo = good(tmp_path)
    assert hits_of(repo, "license-files") == []
    (tmp_path / "COPYING").write_text("GPL\n", encoding="utf-8")
    [hit] = hits_of(Repo(root=tmp_path), "license-files")
    assert hit.message == "[project] has no license-files, and the repository has COPYING"


@pytest.mark.parametrize(
    "label", ["Source", "source-code", "Source Code", "GitHub", "Code", "repository"]
)
def test_source_labels_are_normalised(tmp_path: Path, label: str) -> None:
    text = GOOD_PYPROJECT.replace("Repository =", f'"{label}" =')
    assert hits_of(good(tmp_path, {"pyproject.toml": text}), "source-url") == []


def test_source_url_missing(tmp_path: Path) -> None:
    text = GOOD_PYPROJECT.replace("Repository =", "Documentation =")
    [hit] = hits_of(good(tmp_path, {"pyproject.toml": text}), "source-url")
    assert (hit.line, hit.message) == (6, "[project.urls] has no Source (Repository, Code) entry")


def test_dynamic_metadata_is_not_checked(tmp_path: Path) -> None:
    text = (
        '[project]\nname = "dyn"\ndynamic = ["version", "license", "urls", "requires-python"]\n'
        '\n[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n'
    )
    hits, unchecked = run(good(tmp_path, {"pyproject.toml": text}))
    assert hits == []
    assert (
        unchecked == "pyproject.toml: license, urls, requires-python not checked: dynamic metadata"
    )


def test_no_pyproject_at_all(tmp_path: Path) -> None:
    repo = write(
        tmp_path, {"SECURITY.md": GOOD_POLICY, "pytest.ini": "[pytest]\nfilterwarnings = error\n"}
    )
    assert run(repo) == (
        [],
        "pyproject.toml: metadata not checked: no pyproject.toml [project] table",
    )


def test_invalid_pyproject_is_one_line(tmp_path: Path) -> None:
    repo = good(tmp_path, {"pyproject.toml": "[project\n"})
    with pytest.raises(InputError, match=r"pyproject\.toml: line 1: invalid TOML"):
        list(scan(repo))


# -- source packages ------------------------------------------------------------------


def _package(root: Path, *names: str) -> None:
    for name in names:
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "__init__.py").write_text("", encoding="utf-8")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("", ["src/alpha", "src/beta"]),
        ('[tool.hatch.build.targets.wheel]\npackages = ["src/alpha"]\n', ["src/alpha"]),
        ('[tool.setuptools]\npackages = ["gamma"]\n', ["gamma"]),
        (
            '[tool.setuptools]\npackage-dir = {"" = "src"}\npackages = ["beta", "beta.sub"]\n',
            ["src/beta"],
        ),
        ('[tool.setuptools.packages.find]\nwhere = ["lib"]\n', ["lib/delta"]),
    ],
)
def test_source_packages(tmp_path: Path, config: str, expected: list[str]) -> None:
    _package(tmp_path, "src/alpha", "src/beta", "src/tests", "gamma", "lib/delta", "tests", "docs")
    repo = write(tmp_path, {"pyproject.toml": f'[project]\nname = "x"\n{config}'})
    assert source_packages(repo) == expected


def test_source_package_from_the_import_name(tmp_path: Path) -> None:
    _package(tmp_path, "my_pkg", "tests", "benchmarks")
    repo = write(tmp_path, {"pyproject.toml": '[project]\nname = "My.Pkg"\n'})
    assert source_packages(repo) == ["my_pkg"]
    assert source_packages(write(tmp_path / "empty", {})) == []


def test_binary_files_and_symlink_loops_do_not_crash(tmp_path: Path) -> None:
    repo = good(tmp_path, {"SECURITY.md": ""})
    (tmp_path / "SECURITY.md").write_bytes(b"\xff\xfe\x00 mail security@x.example.invalid \x00")
    (tmp_path / "docs").symlink_to(tmp_path / "docs")  # a loop
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "workflows").mkdir()
    (tmp_path / ".github" / "workflows" / "ci.yml").write_bytes(b"\x00\x01: [\xff")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "loop").symlink_to(tmp_path / "src" / "loop")
    assert run(repo) == ([], None)


def test_a_package_named_like_examples_is_source_when_it_is_the_project(tmp_path: Path) -> None:
    """``example`` or ``bench`` as the project's own import name, or a package the
    configuration names, is scanned; the same names found by looking are not."""
    _package(tmp_path, "src/example", "src/examples", "src/tests")
    repo = write(tmp_path, {"pyproject.toml": '[project]\nname = "example"\n'})
    assert source_packages(repo) == ["src/example"]
    _package(tmp_path / "named", "bench")
    named = write(
        tmp_path / "named",
        {"pyproject.toml": '[project]\nname = "x"\n[tool.setuptools]\npackages = ["bench"]\n'},
    )
    assert source_packages(named) == ["bench"]
    _package(tmp_path / "flat", "example")
    flat = write(tmp_path / "flat", {"pyproject.toml": '[project]\nname = "Example"\n'})
    assert source_packages(flat) == ["example"]
