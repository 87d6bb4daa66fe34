"""pyproject.toml alone: exact pins are audited, everything else is NotAudited."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._inventory import _pyproject
from pyward._model import Component, ComponentKey, Inventory, Location, NotAudited
from pyward.errors import InputError

PEP621 = """\
[project]
name = "Demo_App"
version = "1.0"
dependencies = [
  "requests==2.31.0",
  "click>=8",
  "attrs[tests]==23.1.0; python_version >= '3.8'",
  "pkg @ git+https://example.invalid/pkg.git",
  "numpy==1.26.*",
  "legacy===1.0-custom",
]

[project.optional-dependencies]
Socks = ["pysocks==1.7.1", "requests==2.31.0"]

[dependency-groups]
test = ["pytest==8.0.0", {include-group = "lint"}]
lint = ["ruff==0.5.0"]
"""

POETRY = """\
[tool.poetry]
name = "shop"
version = "2.0.0"

[tool.poetry.dependencies]
python = "^3.10"
django = "4.2.1"
flask = "^2.0"
celery = {version = "==5.3.0", extras = ["redis"], markers = "sys_platform != 'win32'"}
pillow = {version = "10.0.0", optional = true}
lib = {git = "https://example.invalid/lib.git"}
local = {path = "../local"}
multi = [{version = "1.0", python = "<3.11"}, {version = "2.0", python = ">=3.11"}]

[tool.poetry.extras]
images = ["pillow"]

[tool.poetry.group.dev.dependencies]
pytest = "8.0.0"

[tool.poetry.dev-dependencies]
black = "==24.1.0"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return path


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def test_pep621_and_dependency_groups(tmp_path: Path) -> None:
    path = write(tmp_path, PEP621)
    inv = _pyproject.read(path)
    assert inv.format == "pyproject.toml"
    assert inv.project is not None
    assert (inv.project.name, inv.project.version, inv.project.display_name) == (
        "demo-app",
        "1.0",
        "Demo_App",
    )
    assert [
        (c.key, sorted(c.groups), c.location.line if c.location else None) for c in inv.components
    ] == [
        ("requests==2.31.0", ["extra:socks", "main"], 5),
        ("attrs==23.1.0", ["main"], 7),
        ("legacy==1.0-custom", ["main"], 10),
        ("pysocks==1.7.1", ["extra:socks"], 14),
        ("pytest==8.0.0", ["test"], 17),
        ("ruff==0.5.0", ["lint", "test"], 18),
    ]
    attrs = get(inv, "attrs==23.1.0")
    assert attrs.markers == 'python_version >= "3.8"'
    assert attrs.extras == frozenset({"tests"})
    assert all(c.direct for c in inv.components)
    assert inv.roots == tuple(c.key for c in inv.components)
    f = str(path)
    assert inv.not_audited == (
        NotAudited(
            name="click",
            requirement="click>=8",
            reason="not pinned; lock the project first",
            location=Location(file=f, line=6),
        ),
        NotAudited(
            name="pkg",
            requirement="pkg @ git+https://example.invalid/pkg.git",
            reason="VCS requirement",
            location=Location(file=f, line=8),
        ),
        NotAudited(
            name="numpy",
            requirement="numpy==1.26.*",
            reason="not pinned; lock the project first",
            location=Location(file=f, line=9),
        ),
    )


def test_poetry(tmp_path: Path) -> None:
    path = write(tmp_path, POETRY)
    inv = _pyproject.read(path)
    assert inv.project is not None
    assert (inv.project.name, inv.project.version) == ("shop", "2.0.0")
    assert [
        (c.key, sorted(c.groups), c.location.line if c.location else None) for c in inv.components
    ] == [
        ("django==4.2.1", ["main"], 7),
        ("celery==5.3.0", ["main"], 9),
        ("pillow==10.0.0", ["extra:images"], 10),
        ("black==24.1.0", ["dev"], 22),
        ("pytest==8.0.0", ["dev"], 19),
    ]
    celery = get(inv, "celery==5.3.0")
    assert celery.extras == frozenset({"redis"})
    assert celery.markers == "sys_platform != 'win32'"
    assert [
        (n.name, n.reason, n.location.line if n.location else None) for n in inv.not_audited
    ] == [
        ("flask", "not pinned; lock the project first", 8),
        ("lib", "VCS requirement", 11),
        ("local", "local path", 12),
        ("multi", "not pinned; lock the project first", 13),
    ]


def test_no_dependencies(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "empty"\nversion = "0"\n')
    inv = _pyproject.read(path)
    assert inv.components == ()
    assert inv.notes == (f"{path}: declares no dependencies",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[project]\nname = "x"\ndependencies = ["ok==1", "bad=="]\n',
            "project.dependencies[1]: invalid requirement: bad==: "
            "Expected semicolon (after name with no version specifier) or end",
        ),
        (
            '[project]\nname = "x"\ndependencies = "requests"\n',
            "project.dependencies: expected an array of strings",
        ),
        (
            '[project]\nname = "x"\n[project.optional-dependencies]\ns = [1]\n',
            "project.optional-dependencies.s[0]: expected a string",
        ),
        (
            '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n',
            "dependency-groups.a: include-group cycle: a -> b -> a",
        ),
        (
            '[dependency-groups]\na = [{include-group = "zz"}]\n',
            "dependency-groups.a[0]: include-group 'zz' is not defined",
        ),
        (
            "[tool.poetry.dependencies]\nx = 3\n",
            "tool.poetry.dependencies.x: expected a version string or a table",
        ),
        ('[project\nname = "x"\n', "line 1: invalid TOML: "),
    ],
)
def test_malformed(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        _pyproject.read(path)
    if message.endswith(": "):
        assert str(err.value).startswith(f"{path}: {message}")
    else:
        assert str(err.value) == f"{path}: {message}"


def test_requirement_lines_come_from_the_parse_not_a_text_search(tmp_path: Path) -> None:
    # Issue 11 item 7: "six" was placed on the "sixer" line, "uv" on the "uvicorn" one.
    path = write(
        tmp_path,
        "[project]\n"
        'name = "p"\n'
        'dependencies = ["uvicorn>=0.29", "sixer==1.0",\n'
        '  "six", "uv"]\n'
        "[project.optional-dependencies]\n"
        'x = [\n  # "six" in a comment\n  "six==1.16.0",\n]\n'
        "[dependency-groups]\n"
        'dev = ["uv==0.4.0"]\n'
        "[tool.poetry.dependencies]\n"
        'sixer = "1.0"\n'
        "[tool.poetry.dependencies.six]\n"
        'version = "1.16.0"\n',
    )
    inv = _pyproject.read(path)
    assert [(n.requirement, n.location.line if n.location else None) for n in inv.not_audited] == [
        ("uvicorn>=0.29", 3),
        ("six", 4),
        ("uv", 4),
    ]
    assert [(c.key, c.location.line if c.location else None) for c in inv.components] == [
        ("sixer==1.0", 3),
        ("six==1.16.0", 8),
        ("uv==0.4.0", 11),
    ]


def test_value_lines_walk_every_toml_construct() -> None:
    from pyward._inventory._toml import value_lines

    text = (
        "# comment\n"
        "[a]\n"
        'k = """x\n"y""""\n'
        "l = '''z'''\n"
        'd.e."f.g" = {h = [1, {i = "j"}]}\n'
        "[[t]]\n"
        "n = 1979-05-27 07:32:00Z\n"
        "[[t]]\n"
        "[t.sub]\n"
        'm = [\n  \'a\', # ]\n  "b\\"",\n]\n'
    )
    assert value_lines(text) == {
        ("a",): 2,
        ("a", "k"): 3,
        ("a", "l"): 5,
        ("a", "d"): 6,
        ("a", "d", "e"): 6,
        ("a", "d", "e", "f.g"): 6,
        ("a", "d", "e", "f.g", "h"): 6,
        ("a", "d", "e", "f.g", "h", 0): 6,
        ("a", "d", "e", "f.g", "h", 1): 6,
        ("a", "d", "e", "f.g", "h", 1, "i"): 6,
        ("t",): 7,
        ("t", 0): 7,
        ("t", 0, "n"): 8,
        ("t", 1): 9,
        ("t", 1, "sub"): 10,
        ("t", 1, "sub", "m"): 11,
        ("t", 1, "sub", "m", 0): 12,
        ("t", 1, "sub", "m", 1): 13,
    }
