"""Settings resolved once at the boundary: each variable, the option's precedence, one
cache directory, and no library module reading the environment."""

from __future__ import annotations

import ast
from datetime import datetime, timezone
from pathlib import Path

import platformdirs
import pytest

import pyward
from pyward._advisory._store import resolve_cache_dir
from pyward._settings import DEFAULT_OSV_URL, Settings, default_cache_dir
from pyward.errors import InputError, UsageError

PACKAGE = Path(pyward.__file__).parent
#: The command line's boundary: the only code that may read the environment.
BOUNDARY = ("_cli.py", "_settings.py", "_commands/")
ENVIRONMENT = {"environ", "getenv", "putenv", "getenvb", "environb", "unsetenv"}


def environment_uses(path: Path) -> list[str]:
    """``os.environ`` / ``os.getenv`` / ``os.putenv`` (and ``from os import ...`` of
    them) in one module, as ``line: text``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENVIRONMENT
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append((node.lineno, f"os.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found.extend(
                (node.lineno, f"from os import {a.name}")
                for a in node.names
                if a.name in ENVIRONMENT
            )
    return [f"{line}: {text}" for line, text in sorted(found)]


def library_modules() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if not p.relative_to(PACKAGE).as_posix().startswith(BOUNDARY)
    )


def test_the_walk_sees_the_library_and_the_check_finds_uses(tmp_path: Path) -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in library_modules()}
    assert {"_inventory/_requirements.py", "_serve/_runner.py", "_render/_options.py"} <= names
    assert not any(n.startswith("_commands/") or n in ("_cli.py", "_settings.py") for n in names)
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n"
        "from os import getenv, path\n"
        "a = os.environ.get('X')\n"
        "os.putenv('X', '1')\n"
        "b = os.path.join('a', 'b')\n"
        "environ = {}\n"
    )
    assert environment_uses(module) == [
        "2: from os import getenv",
        "3: os.environ",
        "4: os.putenv",
    ]


@pytest.mark.parametrize("path", library_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_library_modules_never_read_the_environment(path: Path) -> None:
    assert environment_uses(path) == []


def test_defaults_of_an_empty_environment() -> None:
    settings = Settings.from_environ({})
    assert settings == Settings(cache_dir=default_cache_dir())
    assert (settings.read_cache, settings.osv_url, settings.advisory_url) == (
        True,
        DEFAULT_OSV_URL,
        None,
    )
    assert settings.source_date_epoch is None
    assert (settings.no_color, settings.force_color, settings.debug) == (False, False, False)
    assert (dict(settings.environ), settings.index_url, dict(settings.installer_env)) == (
        {},
        None,
        {},
    )
    assert settings.lifecycle_url is None
    assert settings.read_cache_dir == default_cache_dir() / "inventory"


def test_each_variable() -> None:
    environ = {
        "PYWARD_CACHE_DIR": "/srv/pyward",
        "PYWARD_NO_CACHE": "1",
        "PYWARD_OSV_URL": "https://osv.mirror.invalid/PyPI/all.zip",
        "PYWARD_ADVISORY_URL": "https://advisories.invalid/{id}",
        "SOURCE_DATE_EPOCH": " 1700000000 ",
        "NO_COLOR": "1",
        "FORCE_COLOR": "1",
        "PYWARD_DEBUG": "1",
        "PYWARD_INDEX_URL": "https://index.invalid/simple",
        "PYWARD_LIFECYCLE_URL": "https://eol.invalid/api/v1/products/full",
        "UV_DEFAULT_INDEX": "https://uv.invalid/simple",
        "UV_INDEX_URL": "",
        "PIP_INDEX_URL": "https://pip.invalid/simple",
        "PIP_CONFIG_FILE": "/etc/pip.conf",
        "HOME": "/home/someone",
    }
    settings = Settings.from_environ(environ)
    assert settings == Settings(
        cache_dir=Path("/srv/pyward"),
        read_cache=False,
        osv_url="https://osv.mirror.invalid/PyPI/all.zip",
        advisory_url="https://advisories.invalid/{id}",
        source_date_epoch=datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc),
        no_color=True,
        force_color=True,
        debug=True,
        environ=environ,
        index_url="https://index.invalid/simple",
        installer_env={
            "UV_DEFAULT_INDEX": "https://uv.invalid/simple",
            "PIP_INDEX_URL": "https://pip.invalid/simple",
            "PIP_CONFIG_FILE": "/etc/pip.conf",
        },
        lifecycle_url="https://eol.invalid/api/v1/products/full",
    )
    assert settings.read_cache_dir is None
    assert settings.source_date_epoch is not None
    assert settings.source_date_epoch.tzinfo is timezone.utc


def test_the_environment_is_a_read_only_snapshot() -> None:
    environ = {"PINNED": "1.0"}
    settings = Settings.from_environ(environ)
    environ["PINNED"] = "2.0"
    assert settings.environ == {"PINNED": "1.0"}
    with pytest.raises(TypeError):
        settings.environ["PINNED"] = "3.0"  # type: ignore[index]


@pytest.mark.parametrize("value", ["", "0"])
def test_no_cache_off_values(value: str) -> None:
    assert Settings.from_environ({"PYWARD_NO_CACHE": value}).read_cache is True


@pytest.mark.parametrize("name", ["NO_COLOR", "FORCE_COLOR", "PYWARD_DEBUG"])
def test_an_empty_flag_is_unset(name: str) -> None:
    settings = Settings.from_environ({name: ""})
    assert (settings.no_color, settings.force_color, settings.debug) == (False, False, False)


def test_empty_values_are_unset() -> None:
    settings = Settings.from_environ(
        {
            "PYWARD_CACHE_DIR": "",
            "PYWARD_OSV_URL": "",
            "PYWARD_ADVISORY_URL": "",
            "SOURCE_DATE_EPOCH": "  ",
            "PYWARD_INDEX_URL": "",
            "PYWARD_LIFECYCLE_URL": "",
        }
    )
    assert settings == Settings(
        cache_dir=default_cache_dir(),
        environ=settings.environ,
    )


def test_the_option_wins_over_the_variable(tmp_path: Path) -> None:
    settings = Settings.from_environ({"PYWARD_CACHE_DIR": "/elsewhere"}, cache_dir=tmp_path)
    assert settings.cache_dir == tmp_path
    assert settings.read_cache_dir == tmp_path / "inventory"
    assert Settings.from_environ({}, cache_dir=tmp_path).cache_dir == tmp_path


def test_one_cache_directory_on_every_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    # The advisory store and the read cache used to ask platformdirs differently (with
    # and without an app author): two directories on Windows.
    expected = Path(platformdirs.user_cache_dir("pyward", appauthor=False))
    assert default_cache_dir() == expected
    assert resolve_cache_dir(None) == expected
    assert Settings.from_environ({}).cache_dir == expected
    assert Settings().cache_dir == expected
    calls: list[tuple[object, ...]] = []

    def windows(appname: str, appauthor: object = None, *args: object, **kw: object) -> str:
        calls.append((appname, appauthor))
        author = appname if appauthor is None else appauthor
        parts = [r"C:\Users\u\AppData\Local", *([str(author)] if author else []), appname, "Cache"]
        return "\\".join(parts)

    monkeypatch.setattr(platformdirs, "user_cache_dir", windows)
    assert resolve_cache_dir(None) == Settings.from_environ({}).cache_dir == default_cache_dir()
    assert default_cache_dir() == Path(r"C:\Users\u\AppData\Local\pyward\Cache")
    assert set(calls) == {("pyward", False)}


@pytest.mark.parametrize("raw", ["yesterday", "1.5", "0x10", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_a_usage_error(raw: str) -> None:
    with pytest.raises(UsageError) as err:
        Settings.from_environ({"SOURCE_DATE_EPOCH": raw})
    assert str(err.value) == f"SOURCE_DATE_EPOCH: not a Unix timestamp: {raw!r}"


def test_settings_are_frozen_and_keyword_only() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.debug = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        Settings(Path("/x"))  # type: ignore[call-arg]


# -- the CLI passes them down ------------------------------------------------------------


def test_requirements_expand_the_cli_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pyward._cli import main
    from pyward._inventory import read_inventory

    path = tmp_path / "requirements.txt"
    path.write_text("requests==${PINNED}\n")
    monkeypatch.setenv("PINNED", "2.31.0")
    # A library caller gets no expansion unless it passes the variables.
    with pytest.raises(InputError) as err:
        read_inventory(path)
    assert str(err.value) == (
        f"{path}: line 1: invalid requirement: requests==${{PINNED}}: "
        "Expected semicolon (after name with no version specifier) or end"
    )
    assert [c.key for c in read_inventory(path, environ={"PINNED": "2.0"}).components] == [
        "requests==2.0"
    ]
    assert main(["sbom", str(path), "-q"]) == 0
    assert "pkg:pypi/requests@2.31.0" in capsys.readouterr().out


def test_the_read_cache_follows_the_cache_dir_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pyward._cli import main
    from tests.conftest import CORPUS

    lock = CORPUS / "uv" / "flask" / "uv.lock"
    assert main(["sbom", str(lock), "-q", "--cache-dir", str(tmp_path / "a")]) == 0
    assert len(list((tmp_path / "a" / "inventory").iterdir())) == 1
    monkeypatch.setenv("PYWARD_NO_CACHE", "1")
    assert main(["sbom", str(lock), "-q", "--cache-dir", str(tmp_path / "b")]) == 0
    assert not (tmp_path / "b").exists()
    capsys.readouterr()
