"""The code category of ``pyward release-check``: Bandit as a library over the package's
source (:mod:`pyward._release._code`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from pyward._release._code import RULES, scan
from pyward._release._model import Hit, Repo
from pyward.errors import InputError
from tests.release._project_fixtures import checkout


def bandit_src(tmp_path: Path, pyproject: str | None = None) -> Repo:
    """The ``bandit-src`` fixture; ``pyproject`` replaces its ``[tool.bandit]`` table."""
    root = checkout("bandit-src", tmp_path)
    if pyproject is not None:
        path = root / "pyproject.toml"
        text = path.read_text(encoding="utf-8").partition("\n[tool.bandit]\n")[0] + "\n"
        path.write_text(text + pyproject, encoding="utf-8")
    return Repo(root=root)


def found(hits: list[Hit]) -> list[tuple[str | None, str | None, int | None]]:
    return [(hit.subject, hit.file, hit.line) for hit in hits]


def test_one_rule() -> None:
    [rule] = RULES
    assert (rule.id, rule.category) == ("bandit", "code")


def test_source_only_with_bandit_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hits = list(scan(bandit_src(tmp_path)))
    # B101 (assert) is skipped by [tool.bandit]; vendored/ is excluded; tests/ is not source.
    assert found(hits) == [("B404", "src/demo/__init__.py", 3), ("B602", "src/demo/__init__.py", 8)]
    b602 = hits[1]
    assert b602.rule == "bandit"
    assert (b602.severity, b602.confidence, b602.column) == ("high", "high", 12)
    assert b602.message == (
        "B602 subprocess_popen_with_shell_equals_true: subprocess call with shell=True "
        "identified, security issue."
    )
    assert (hits[0].severity, hits[0].confidence) == ("low", "high")
    assert capsys.readouterr() == ("", "")
    assert [r for r in caplog.records if r.name.startswith(("bandit", "stevedore"))] == []


def test_without_configuration_every_test_runs(tmp_path: Path) -> None:
    hits = list(scan(bandit_src(tmp_path, pyproject="")))
    assert found(hits) == [
        ("B404", "src/demo/__init__.py", 3),
        ("B101", "src/demo/__init__.py", 7),
        ("B602", "src/demo/__init__.py", 8),
        ("B403", "src/demo/vendored/__init__.py", 1),
        ("B301", "src/demo/vendored/__init__.py", 5),
    ]


def test_selected_tests_only(tmp_path: Path) -> None:
    hits = list(scan(bandit_src(tmp_path, pyproject='[tool.bandit]\ntests = ["B602"]\n')))
    assert found(hits) == [("B602", "src/demo/__init__.py", 8)]


def test_nosec_is_honoured(tmp_path: Path) -> None:
    repo = bandit_src(tmp_path)
    source = repo.root / "src" / "demo" / "__init__.py"
    text = source.read_text(encoding="utf-8").replace("shell=True)", "shell=True)  # nosec B602")
    source.write_text(text, encoding="utf-8")
    assert found(list(scan(repo))) == [("B404", "src/demo/__init__.py", 3)]


def test_missing_extra_is_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bandit", None)
    with pytest.raises(InputError) as caught:
        list(scan(bandit_src(tmp_path)))
    assert str(caught.value) == (
        "not checked: release-check's code category (Bandit) needs the 'release' extra, "
        "which is not installed (no module bandit): pip install 'pyward[release]'"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("skips = 3\n", "pyproject.toml: tool.bandit.skips: expected a list of strings"),
        (
            'skips = ["B602"]\ntests = ["B602"]\n',
            "pyproject.toml: tool.bandit: Non-exclusive include/exclude test sets: {'B602'}",
        ),
    ],
)
def test_bad_bandit_configuration(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        list(scan(bandit_src(tmp_path, pyproject="[tool.bandit]\n" + table)))
    assert str(caught.value) == message


def test_comma_separated_skips_as_bandit_takes_them(tmp_path: Path) -> None:
    hits = list(scan(bandit_src(tmp_path, pyproject='[tool.bandit]\nskips = "B101, B404"\n')))
    assert [hit.subject for hit in hits] == ["B602", "B403", "B301"]


def test_a_file_bandit_cannot_parse_is_not_checked(tmp_path: Path) -> None:
    repo = bandit_src(tmp_path)
    (repo.root / "src" / "demo" / "broken.py").write_text("def (:\n", encoding="utf-8")
    hits: list[Hit] = []
    with pytest.raises(InputError) as caught:
        hits.extend(scan(repo))
    assert [hit.subject for hit in hits] == ["B404", "B602"]
    assert str(caught.value) == (
        "not checked by Bandit: src/demo/broken.py: syntax error while parsing AST from file"
    )


def test_no_source_directory(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("import pickle\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "absent"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"^Bandit not run: no package source directory found"):
        list(scan(Repo(root=tmp_path)))


def test_symlink_loops_do_not_crash(tmp_path: Path) -> None:
    repo = bandit_src(tmp_path)
    package = repo.root / "src" / "demo"
    (package / "loop").symlink_to(package / "loop")
    (package / "loop.py").symlink_to(package / "loop.py")
    assert [hit.subject for hit in scan(repo)] == ["B404", "B602"]
