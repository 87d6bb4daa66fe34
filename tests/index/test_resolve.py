"""Which index: the lock's, the option, the environment, then settings files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._model import Component, Location
from pyward._sources.index._resolve import (
    NO_INDEX_REASON,
    NoIndex,
    ResolvedIndex,
    index_base,
    resolve_index,
)


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """A home, a file-system root, a venv and a project, each with settings."""
    home, root, site, project = (tmp_path / d for d in ("home", "root", "venv", "project"))
    files = {
        "xdg": root / "etc/xdg/pip/pip.conf",
        "etc": root / "etc/pip.conf",
        "legacy": home / ".pip/pip.conf",
        "user": home / ".config/pip/pip.conf",
        "venv": site / "pip.conf",
        "uv-user": home / ".config/uv/uv.toml",
        "uv-system": root / "etc/uv/uv.toml",
    }
    for name, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.startswith("uv"):
            path.write_text(f'index-url = "https://{name}.invalid/simple"\n')
        else:
            path.write_text(f"[global]\nindex-url = https://{name}.invalid/simple\n")
    project.mkdir()
    return {"home": home, "root": root, "site": site, "project": project, **files}


def resolve(tree: dict[str, Path], **kwargs: object) -> ResolvedIndex | NoIndex:
    kwargs.setdefault("home", tree["home"])
    kwargs.setdefault("root", tree["root"])
    kwargs.setdefault("site_prefix", tree["site"])
    kwargs.setdefault("project_dir", tree["project"])
    return resolve_index(**kwargs)  # type: ignore[arg-type]


def component(index: str | None) -> Component:
    return Component(
        name="six", version="1.16.0", index=index, location=Location(file="uv.lock", line=3)
    )


def test_precedence_walk(tree: dict[str, Path]) -> None:
    env = {
        "PYWARD_INDEX_URL": "https://pyward.invalid/simple",
        "UV_DEFAULT_INDEX": "https://uvdefault.invalid/simple",
        "UV_INDEX_URL": "https://uvindex.invalid/simple",
        "PIP_INDEX_URL": "https://pipenv.invalid/simple",
    }
    got = resolve(
        tree,
        component=component("https://lock.invalid/simple"),
        option="https://option.invalid/simple/",
        environ=env,
    )
    assert (got.url, got.origin) == ("https://lock.invalid/simple/", "uv.lock")  # type: ignore[union-attr]
    steps = []
    comp = component(None)
    option: str | None = "https://option.invalid/simple/"
    while True:
        got = resolve(tree, component=comp, option=option, environ=env)
        if isinstance(got, NoIndex):
            break
        steps.append((got.url, got.origin))
        if got.origin == "--index-url":
            option = None
        elif got.origin in env:
            env.pop(got.origin)
        else:
            Path(got.origin.split(" ")[0]).unlink()
    root, home, site = tree["root"], tree["home"], tree["site"]
    assert steps == [
        ("https://option.invalid/simple/", "--index-url"),
        ("https://pyward.invalid/simple/", "PYWARD_INDEX_URL"),
        ("https://uvdefault.invalid/simple/", "UV_DEFAULT_INDEX"),
        ("https://uvindex.invalid/simple/", "UV_INDEX_URL"),
        ("https://pipenv.invalid/simple/", "PIP_INDEX_URL"),
        ("https://venv.invalid/simple/", f"{site}/pip.conf [global] index-url"),
        ("https://user.invalid/simple/", f"{home}/.config/pip/pip.conf [global] index-url"),
        ("https://legacy.invalid/simple/", f"{home}/.pip/pip.conf [global] index-url"),
        ("https://etc.invalid/simple/", f"{root}/etc/pip.conf [global] index-url"),
        ("https://xdg.invalid/simple/", f"{root}/etc/xdg/pip/pip.conf [global] index-url"),
        ("https://uv-user.invalid/simple/", f"{home}/.config/uv/uv.toml index-url"),
        ("https://uv-system.invalid/simple/", f"{root}/etc/uv/uv.toml index-url"),
    ]
    assert got == NoIndex(reason=NO_INDEX_REASON)
    assert NO_INDEX_REASON == (
        "no package index configured: set --index-url or PYWARD_INDEX_URL, or configure pip/uv"
    )


def test_pip_config_file_and_install_section(tree: dict[str, Path], tmp_path: Path) -> None:
    conf = tmp_path / "custom.conf"
    conf.write_text("[global]\nindex-url = https://custom.invalid/simple\n")
    got = resolve(tree, environ={"PIP_CONFIG_FILE": str(conf)})
    assert (got.url, got.origin) == (  # type: ignore[union-attr]
        "https://custom.invalid/simple/",
        f"{conf} [global] index-url",
    )
    # pip reads [install] over [global], whichever file holds them.
    tree["etc"].write_text("[install]\nindex-url = https://install.invalid/simple\n")
    got = resolve(tree, environ={"PIP_CONFIG_FILE": str(conf)})
    assert got.origin == f"{tree['etc']} [install] index-url"  # type: ignore[union-attr]
    # PIP_CONFIG_FILE=/dev/null: pip loads no file at all.
    got = resolve(tree, environ={"PIP_CONFIG_FILE": "/dev/null"})
    assert got.origin == f"{tree['home']}/.config/uv/uv.toml index-url"  # type: ignore[union-attr]


def test_project_uv_settings(tree: dict[str, Path]) -> None:
    project = tree["project"]
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[[tool.uv.index]]\nname = 'extra'\n"
        "url = 'https://extra.invalid/simple'\n\n[[tool.uv.index]]\nname = 'main'\n"
        "url = 'https://main.invalid/simple'\ndefault = true\n"
    )
    got = resolve(tree)
    assert (got.url, got.origin) == (  # type: ignore[union-attr]
        "https://main.invalid/simple/",
        f"{project}/pyproject.toml [[tool.uv.index]] default (index[1])",
    )
    (project / "uv.toml").write_text("[pip]\nindex-url = 'https://uvpip.invalid/simple'\n")
    got = resolve(tree)
    assert (got.url, got.origin) == (  # type: ignore[union-attr]
        "https://uvpip.invalid/simple/",
        f"{project}/uv.toml pip.index-url",
    )


def test_bad_settings_are_notes(tree: dict[str, Path]) -> None:
    tree["site"].joinpath("pip.conf").write_text("not ini at all\n")
    (tree["project"] / "uv.toml").write_text("index-url = [\n")
    got = resolve(
        tree,
        component=component("/srv/wheels"),
        environ={"PIP_INDEX_URL": "file:///srv/simple"},
    )
    assert (got.url, got.origin) == (  # type: ignore[union-attr]
        "https://user.invalid/simple/",
        f"{tree['home']}/.config/pip/pip.conf [global] index-url",
    )
    site = tree["site"] / "pip.conf"
    assert got.notes == (
        "uv.lock: six: the recorded index '/srv/wheels' is not an http(s) URL; passed over",
        "PIP_INDEX_URL: 'file:///srv/simple' is not an http(s) URL; passed over",
        f"{tree['project']}/uv.toml: line 1: invalid TOML: unclosed array, expected `]` "
        "(column 14) (uv settings passed over)",
        f"{site}: cannot read pip's settings: File contains no section headers. "
        f"file: '{site}', line: 1 'not ini at all\\n'",
    )


def test_nothing_configured() -> None:
    assert resolve_index() == NoIndex()
    assert str(NoIndex().reason) == NO_INDEX_REASON


def test_credentials_redacted() -> None:
    got = resolve_index(
        component=Component(name="six", version="1", index="https://u:tok@lock.invalid/simple"),
        environ={},
    )
    assert isinstance(got, ResolvedIndex)
    assert got.url == "https://u:tok@lock.invalid/simple/"
    assert got.display_url == "https://***@lock.invalid/simple/"
    assert repr(got) == "ResolvedIndex(origin='lock file', notes=())"
    bad = resolve_index(environ={"PIP_INDEX_URL": "ftp://u:tok@x.invalid/"})
    assert bad == NoIndex(
        notes=("PIP_INDEX_URL: 'ftp://***@x.invalid/' is not an http(s) URL; passed over",)
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://index.invalid/simple", "https://index.invalid/simple/"),
        ("https://index.invalid/simple///", "https://index.invalid/simple/"),
        (" http://index.invalid/root/+simple/ ", "http://index.invalid/root/+simple/"),
        ("https://index.invalid/simple?x=1#frag", "https://index.invalid/simple/"),
        ("file:///srv/simple", None),
        ("../wheels", None),
        ("https:///nohost", None),
    ],
)
def test_index_base(value: str, expected: str | None) -> None:
    assert index_base(value) == expected
