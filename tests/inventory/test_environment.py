"""The installed-environment reader, on the test environment itself and on
site-packages directories assembled from its real ``*.dist-info`` directories."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import shutil
import sys
import sysconfig
from pathlib import Path

import pytest

from pyward._inventory._environment import read_environment
from pyward._model import canonical_name
from pyward.errors import InputError

SITE = Path(sysconfig.get_paths()["purelib"])


def _dist_info(name: str) -> Path:
    dist = importlib.metadata.distribution(name)
    path = Path(str(dist._path))  # type: ignore[attr-defined]
    assert path.parent == SITE
    return path


def _site(tmp_path: Path, *names: str) -> Path:
    """A site-packages holding copies of these distributions' real metadata, without
    pip's ``REQUESTED`` marker: whether pip wrote it depends on how the test environment
    was installed (from a lock, every package is requested), so the copies leave it out
    and the dependency graph decides what is direct."""
    site = tmp_path / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = _dist_info(name)
        shutil.copytree(src, site / src.name, ignore=shutil.ignore_patterns("REQUESTED"))
    return site


def _fake(site: Path, dirname: str, metadata: str, **files: str) -> Path:
    path = site / dirname
    path.mkdir(parents=True)
    (path / "METADATA").write_text(metadata, encoding="utf-8")
    for name, text in files.items():
        (path / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return path


def test_every_distribution_of_the_test_environment_is_read() -> None:
    inv = read_environment(SITE)
    expected = {
        (canonical_name(d.metadata["Name"]), d.version)
        for d in importlib.metadata.distributions(path=[str(SITE)])
    }
    assert {(c.name, c.version) for c in inv.components} == expected
    assert inv.not_audited == ()
    assert inv.format == "environment"
    # Same parse as importlib.metadata: summary and licence fields agree for every one.
    for d in importlib.metadata.distributions(path=[str(SITE)]):
        c = next(x for x in inv.components if x.name == canonical_name(d.metadata["Name"]))
        # typeshed gives PackageMetadata a get() only from 3.12; it is an email Message.
        # get(), not [...]: once importlib_metadata is imported (distributed imports it),
        # its finder answers too, and its [...] raises for a field a distribution lacks.
        summary = d.metadata.get("Summary")  # type: ignore[attr-defined]
        assert c.metadata.get("summary") == ((summary or "").strip() or None)
        assert c.license_expression == d.metadata.get("License-Expression")  # type: ignore[attr-defined]


def test_requests_component_edges_and_record_hash() -> None:
    inv = read_environment(SITE)
    version = importlib.metadata.version("requests")
    c = inv.component(f"requests=={version}")  # type: ignore[arg-type]
    assert c is not None
    assert c.purl == f"pkg:pypi/requests@{version}"
    assert c.source == "installed"
    record = _dist_info("requests") / "RECORD"
    assert c.hashes[0].algorithm == "sha256"
    assert c.hashes[0].value == hashlib.sha256(record.read_bytes()).hexdigest()
    assert c.metadata["hash_of"] == "RECORD"
    assert c.metadata["summary"] == "Python HTTP for Humans."
    assert c.metadata["license"] == "Apache-2.0"
    assert "Source, https://github.com/psf/requests" in c.metadata["project_urls"].splitlines()
    assert c.location is not None
    assert c.location.file == str(_dist_info("requests"))
    targets = {k.split("==")[0] for k in inv.edges[c.key]}
    assert targets == {"certifi", "charset-normalizer", "idna", "urllib3"}
    # pip-audit requires it: direct only if it was installed on request (PEP 376's
    # REQUESTED), as in an environment installed from a lock of every package.
    assert c.direct is (_dist_info("requests") / "REQUESTED").is_file()


def test_record_hash_verifies_every_installed_file() -> None:
    """What the RECORD hash promises: every file RECORD lists has the digest it says."""
    dist = _dist_info("idna")
    checked = 0
    for line in (dist / "RECORD").read_text(encoding="utf-8").splitlines():
        path, digest, _size = line.rsplit(",", 2)
        if not digest:
            continue
        algorithm, value = digest.split("=", 1)
        data = (SITE / path).read_bytes()
        actual = (
            base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=").decode()
        )
        assert actual == value, path
        checked += 1
    assert checked > 5


def test_extras_requested_by_a_dependant_bring_their_requirements() -> None:
    # pip-audit requires ``CacheControl[filecache]``; the extra brings filelock.
    inv = read_environment(SITE)
    cc = next(c for c in inv.components if c.name == "cachecontrol")
    assert cc.extras == frozenset({"filecache"})
    assert any(k.startswith("filelock==") for k in inv.edges[cc.key])


def test_extras_nobody_requests_are_not_followed(tmp_path: Path) -> None:
    site = _site(tmp_path, "cachecontrol", "msgpack", "requests")
    inv = read_environment(site)
    cc = next(c for c in inv.components if c.name == "cachecontrol")
    assert cc.extras == frozenset()
    assert {k.split("==")[0] for k in inv.edges[cc.key]} == {"msgpack", "requests"}
    assert cc.direct is True
    assert inv.roots == (cc.key,)
    version = importlib.metadata.version("requests")
    assert sorted(n for n in inv.notes if n.startswith("requests")) == [
        f"requests {version} requires certifi>=2023.5.7, which is not installed in {site}",
        f"requests {version} requires charset_normalizer<4,>=2, which is not installed in {site}",
        f"requests {version} requires idna<4,>=2.5, which is not installed in {site}",
        f"requests {version} requires urllib3<3,>=1.26, which is not installed in {site}",
    ]


def test_editable_install_is_kept_with_its_source() -> None:
    inv = read_environment(SITE)
    pyward = next(c for c in inv.components if c.name == "pyward")
    direct_url = json.loads((_dist_info("pyward") / "direct_url.json").read_text())
    assert direct_url["dir_info"]["editable"] is True
    assert pyward.source == "editable"
    assert pyward.source_url == direct_url["url"]
    assert pyward.license_expression == "Apache-2.0"


def test_vendored_manifests_are_not_installed_packages(tmp_path: Path) -> None:
    site = _site(tmp_path, "pip", "idna")
    # pip vendors its dependencies and lists them in ``pip/_vendor/vendor.txt``;
    # newer setuptools ship whole ``*.dist-info`` directories under ``_vendor``.
    shutil.copytree(SITE / "pip", site / "pip")
    vendored = site / "setuptools" / "_vendor"
    vendored.mkdir(parents=True)
    shutil.copytree(_dist_info("packaging"), vendored / _dist_info("packaging").name)
    assert (site / "pip" / "_vendor" / "vendor.txt").is_file()
    inv = read_environment(site)
    assert [c.name for c in inv.components] == ["idna", "pip"]
    assert inv.not_audited == ()


def test_unreadable_or_incomplete_metadata_is_not_audited(tmp_path: Path) -> None:
    site = _site(tmp_path, "idna")
    (site / "ghost-1.0.dist-info").mkdir()
    _fake(site, "nover-2.0.dist-info", "Metadata-Version: 2.1\nName: nover\n")
    inv = read_environment(site)
    assert [c.name for c in inv.components] == ["idna"]
    assert [(n.name, n.requirement, n.reason) for n in inv.not_audited] == [
        ("ghost", "ghost-1.0.dist-info", "METADATA unreadable: No such file or directory"),
        ("nover", "nover-2.0.dist-info", "METADATA has no Version field"),
    ]


def test_duplicate_distributions_are_both_listed_with_a_note(tmp_path: Path) -> None:
    site = _site(tmp_path, "idna")
    real = _dist_info("idna")
    old = site / "idna-2.0.dist-info"
    shutil.copytree(real, old)
    text = (old / "METADATA").read_text(encoding="utf-8")
    version = importlib.metadata.version("idna")
    (old / "METADATA").write_text(
        text.replace(f"Version: {version}", "Version: 2.0", 1), encoding="utf-8"
    )
    inv = read_environment(site)
    assert [(c.name, c.version) for c in inv.components] == [("idna", "2.0"), ("idna", version)]
    assert inv.notes == (
        f"idna: installed more than once (2.0 at {old}, {version} at {site / real.name}); "
        "every copy is listed",
    )


def test_direct_url_sources(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    vcs = {
        "url": "https://git.invalid/org/vcspkg.git",
        "vcs_info": {"vcs": "git", "commit_id": "0123abcd", "requested_revision": "main"},
    }
    archive = {
        "url": "https://files.invalid/archpkg-1.0.tar.gz",
        "archive_info": {"hashes": {"sha256": "AB" * 32}},
    }
    _fake(
        site,
        "vcspkg-1.0.dist-info",
        "Name: vcspkg\nVersion: 1.0\n",
        direct_url__json=json.dumps(vcs),
    )
    _fake(
        site,
        "archpkg-1.0.dist-info",
        "Name: archpkg\nVersion: 1.0\n",
        direct_url__json=json.dumps(archive),
    )
    _fake(
        site,
        "dirpkg-1.0.dist-info",
        "Name: dirpkg\nVersion: 1.0\n",
        direct_url__json=json.dumps({"url": "file:///src/dirpkg", "dir_info": {}}),
        RECORD="dirpkg/__init__.py,,\n",
    )
    inv = read_environment(site)
    got = {c.name: c for c in inv.components}
    assert got["vcspkg"].source == "git"
    assert got["vcspkg"].source_url == "git+https://git.invalid/org/vcspkg.git@0123abcd"
    assert got["vcspkg"].purl == (
        "pkg:pypi/vcspkg@1.0?vcs_url=git%2Bhttps://git.invalid/org/vcspkg.git%400123abcd"
    )
    assert got["archpkg"].source == "url"
    assert [(h.algorithm, h.value) for h in got["archpkg"].hashes] == [("sha256", "ab" * 32)]
    assert got["archpkg"].metadata["hash_of"] == "artifact"
    assert got["archpkg"].purl == (
        "pkg:pypi/archpkg@1.0?download_url=https://files.invalid/archpkg-1.0.tar.gz"
    )
    assert got["dirpkg"].source == "directory"
    assert got["dirpkg"].source_url == "file:///src/dirpkg"
    assert got["dirpkg"].purl == "pkg:pypi/dirpkg@1.0"
    assert got["dirpkg"].hashes[0].value == hashlib.sha256(b"dirpkg/__init__.py,,\n").hexdigest()


def test_egg_info_with_requires_txt(tmp_path: Path) -> None:
    site = _site(tmp_path, "idna")
    egg = site / "legacy-0.5.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text(
        "Metadata-Version: 1.1\nName: legacy\nVersion: 0.5\n", encoding="utf-8"
    )
    (egg / "requires.txt").write_text("idna>=2\n\n[never]\nmissing-thing\n", encoding="utf-8")
    inv = read_environment(site)
    legacy = next(c for c in inv.components if c.name == "legacy")
    assert legacy.hashes == ()
    assert [k.split("==")[0] for k in inv.edges[legacy.key]] == ["idna"]
    assert inv.roots == (legacy.key,)


def test_markers_are_evaluated_for_the_environment(tmp_path: Path) -> None:
    site = _site(tmp_path, "idna")
    _fake(
        site,
        "app-1.0.dist-info",
        "Name: app\nVersion: 1.0\n"
        'Requires-Dist: idna ; python_version >= "3"\n'
        'Requires-Dist: ancient ; python_version < "3"\n'
        "Requires-Dist: this is not a requirement\n",
    )
    inv = read_environment(site)
    app = next(c for c in inv.components if c.name == "app")
    assert [k.split("==")[0] for k in inv.edges[app.key]] == ["idna"]
    assert len(inv.notes) == 1
    assert inv.notes[0].startswith(
        f"{site / 'app-1.0.dist-info'}: Requires-Dist[2]: "
        "invalid requirement 'this is not a requirement'"
    )


def test_cycle_without_dependants_still_has_a_root(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    _fake(site, "a-1.dist-info", "Name: a\nVersion: 1\nRequires-Dist: b\n")
    _fake(site, "b-1.dist-info", "Name: b\nVersion: 1\nRequires-Dist: a\n")
    inv = read_environment(site)
    assert inv.roots == ("a==1",)
    assert inv.why("b==1") == ("a==1", "b==1")  # type: ignore[arg-type]


def test_virtualenv_layout_and_interpreter_found_without_running_it(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    shutil.copytree(_dist_info("idna"), site / _dist_info("idna").name)
    (venv / "lib" / "python3.12" / "site-packages").mkdir(parents=True)  # another version: ignored
    (venv / "pyvenv.cfg").write_text("home = /nowhere\nversion_info = 3.11.9\n", encoding="utf-8")
    (venv / "bin").mkdir()
    python = venv / "bin" / "python3.11"
    python.write_text("#!/bin/sh\nexit 99\n", encoding="utf-8")  # never executable, never run
    by_dir = read_environment(venv)
    by_python = read_environment(python=str(python))
    assert [c.name for c in by_dir.components] == ["idna"]
    assert by_python.components == by_dir.components
    assert by_dir.source == str(venv)


def test_system_site_packages_flag_is_noted(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(
        "home = /opt/py/bin\ninclude-system-site-packages = true\nversion = 3.11.2\n",
        encoding="utf-8",
    )
    inv = read_environment(venv)
    assert inv.notes == (
        f"{venv / 'pyvenv.cfg'}: include-system-site-packages is true; the base interpreter's "
        "packages (/opt/py/bin) are not included",
    )


def test_running_interpreter_environment() -> None:
    inv = read_environment()
    assert any(c.name == "pyward" for c in inv.components)
    assert any(c.name == "packaging" for c in inv.components)


def test_bad_targets_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        read_environment(tmp_path / "nope")
    assert str(missing.value) == f"{tmp_path / 'nope'}: no such file or directory"
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as empty:
        read_environment(tmp_path / "empty")
    assert str(empty.value) == (
        f"{tmp_path / 'empty'}: not a virtual environment or site-packages directory "
        "(no pyvenv.cfg, no *.dist-info)"
    )
    with pytest.raises(InputError) as no_python:
        read_environment(python=str(tmp_path / "python9"))
    assert str(no_python.value) == f"{tmp_path / 'python9'}: no such interpreter"


def test_address_parsing_equals_getaddresses_on_every_installed_distribution() -> None:
    from email.utils import getaddresses

    from pyward._inventory._environment import addresses_of

    values = [
        str(v).strip()
        for d in importlib.metadata.distributions(path=[str(SITE)])
        for key in ("Author", "Author-email", "Maintainer", "Maintainer-email")
        for v in d.metadata.get_all(key) or ()
    ]
    values += ['"Doe, J" <d@x.invalid>, Jane <j@x.invalid>', "x (comment) <a@b>", "A, B", ""]
    assert len(values) > 100
    for value in values:
        expected = [(n.strip(), a.strip()) for n, a in getaddresses([value]) if n or a]
        assert addresses_of(value) == expected, value


def _fake_interpreter(path: Path, report: dict[str, object]) -> Path:
    """An executable that answers the paths snippet as an interpreter would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\ncat <<'END'\n{json.dumps(report)}\nEND\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_interpreter_outside_a_venv_is_asked_for_its_dist_packages(tmp_path: Path) -> None:
    # The Debian layout: site-packages of the system interpreter under
    # /usr/lib/python3/dist-packages, not under lib/python3.X/site-packages.
    usr = tmp_path / "usr"
    dist = usr / "lib" / "python3" / "dist-packages"
    dist.mkdir(parents=True)
    shutil.copytree(_dist_info("idna"), dist / _dist_info("idna").name)
    python = _fake_interpreter(
        usr / "bin" / "python3",
        {
            "version": "3.11",
            "user": str(tmp_path / "home" / ".local" / "lib" / "python3.11" / "site-packages"),
            "site": [str(usr / "local" / "lib" / "python3.11" / "dist-packages"), str(dist)],
            "scheme": [str(usr / "local" / "lib" / "python3.11" / "dist-packages")],
        },
    )
    inv = read_environment(python=str(python))
    assert [c.name for c in inv.components] == ["idna"]
    assert inv.components[0].location is not None
    assert inv.components[0].location.file == str(dist / _dist_info("idna").name)
    assert inv.source == str(python)


def test_interpreter_errors_are_one_line(tmp_path: Path) -> None:
    python = _fake_interpreter(
        tmp_path / "bin" / "python3",
        {"version": "3.11", "user": None, "site": [str(tmp_path / "gone")], "scheme": []},
    )
    with pytest.raises(InputError) as none:
        read_environment(python=str(python))
    assert str(none.value) == (
        f"{python}: none of its site-packages directories exists ({tmp_path / 'gone'})"
    )
    failing = tmp_path / "bin" / "failing"
    failing.write_text("#!/bin/sh\necho 'boom' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    with pytest.raises(InputError) as fails:
        read_environment(python=str(failing))
    assert str(fails.value) == f"{failing}: cannot run it to find its site-packages: exit 3: boom"
    garbage = tmp_path / "bin" / "garbage"
    garbage.write_text("#!/bin/sh\necho hello\n", encoding="utf-8")
    garbage.chmod(0o755)
    with pytest.raises(InputError) as not_python:
        read_environment(python=str(garbage))
    assert str(not_python.value) == (
        f"{garbage}: cannot run it to find its site-packages: not a Python interpreter"
    )


def test_base_interpreter_is_run_isolated_and_reads_its_site_packages() -> None:
    # The interpreter behind the test venv, outside any venv: asked, not guessed.
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if not base.is_file() or Path(sys.base_prefix) == Path(sys.prefix):
        pytest.skip("needs the tests to run in a virtual environment")
    inv = read_environment(python=str(base))
    prefix = {"base": sys.base_prefix, "platbase": sys.base_prefix}
    purelib = sysconfig.get_paths(vars=prefix)["purelib"]
    expected = sorted(
        canonical_name(d.metadata["Name"]) for d in importlib.metadata.distributions(path=[purelib])
    )
    assert sorted(c.name for c in inv.components) == expected


def test_a_venv_made_here_is_read_through_its_interpreter(tmp_path: Path) -> None:
    import subprocess

    venv = tmp_path / "made"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    shutil.copytree(_dist_info("idna"), site / _dist_info("idna").name)
    inv = read_environment(python=str(venv / "bin" / "python"))
    assert [c.name for c in inv.components] == ["idna"]
    assert inv.source == str(venv / "bin" / "python")


def test_requested_and_direct_url_make_a_dependency_direct(tmp_path: Path) -> None:
    # Issue 11 item 8: an explicitly installed werkzeug was "via flask==1.0 > werkzeug".
    site = tmp_path / "site-packages"
    _fake(site, "flask-1.0.dist-info", "Name: Flask\nVersion: 1.0\nRequires-Dist: Werkzeug\n"
          "Requires-Dist: click\nRequires-Dist: itsdangerous\n", REQUESTED="")  # fmt: skip
    _fake(site, "werkzeug-0.15.0.dist-info", "Name: Werkzeug\nVersion: 0.15.0\n", REQUESTED="")
    _fake(
        site,
        "click-7.0.dist-info",
        "Name: click\nVersion: 7.0\n",
        direct_url__json=json.dumps({"url": "file:///src/click", "dir_info": {}}),
    )
    _fake(site, "itsdangerous-1.1.0.dist-info", "Name: itsdangerous\nVersion: 1.1.0\n")
    inv = read_environment(site)
    assert [(c.name, c.direct) for c in inv.components] == [
        ("click", True),
        ("flask", True),
        ("itsdangerous", False),
        ("werkzeug", True),
    ]
    assert inv.roots == ("click==7.0", "flask==1.0", "werkzeug==0.15.0")
    assert inv.why("werkzeug==0.15.0") == ("werkzeug==0.15.0",)  # type: ignore[arg-type]
    assert inv.why("itsdangerous==1.1.0") == ("flask==1.0", "itsdangerous==1.1.0")  # type: ignore[arg-type]


DEBIAN_PYTHON = Path("/usr/bin/python3")
DEBIAN_DIST = Path("/usr/lib/python3/dist-packages")


@pytest.mark.skipif(
    not DEBIAN_PYTHON.is_file() or not DEBIAN_DIST.is_dir(),
    reason="needs a Debian/Ubuntu system interpreter",
)
def test_a_debian_system_interpreter_reads_its_dist_packages() -> None:
    inv = read_environment(python=str(DEBIAN_PYTHON))
    expected = {
        canonical_name(d.metadata["Name"])
        for d in importlib.metadata.distributions(path=[str(DEBIAN_DIST)])
        if d.metadata["Name"]
    }
    assert expected
    assert expected <= {c.name for c in inv.components}
