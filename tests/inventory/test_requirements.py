"""Requirements-file reader on the real files of the corpus and on small written cases."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pyward._inventory import _requirements
from pyward._model import Component, ComponentKey, Hash, Inventory, Location, NotAudited
from pyward.errors import InputError
from tests.conftest import CORPUS

REQ = CORPUS / "requirements"
HASHED = CORPUS / "requirements-hashes"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def pairs(inv: Inventory) -> set[tuple[str, str | None]]:
    return {(c.name, c.version) for c in inv.components}


def plain_pins(path: Path) -> set[tuple[str, str]]:
    """``name==version`` lines counted with a regular expression, independently of the reader."""
    out = set()
    for line in path.read_text().splitlines():
        m = PIN.match(line)
        if m and "*" not in m[3]:
            out.add((re.sub(r"[-_.]+", "-", m[1]).lower(), m[3]))
    return out


def write(tmp_path: Path, text: str, name: str = "requirements.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- corpus -----------------------------------------------------------------------------


def test_ctfd_hand_pinned_with_one_range() -> None:
    path = REQ / "ctfd-2019" / "requirements.txt"
    inv = _requirements.read(path)
    assert inv.format == "requirements"
    assert len(inv.components) == 28
    assert pairs(inv) == plain_pins(path)
    flask = get(inv, "flask==1.1.1")
    assert flask.display_name == "Flask"
    assert flask.purl == "pkg:pypi/flask@1.1.1"
    assert flask.location == Location(file=str(path), line=1)
    assert flask.direct
    assert get(inv, "sqlalchemy-utils==0.36.0").location == Location(file=str(path), line=8)
    assert inv.not_audited == (
        NotAudited(
            name="requests",
            requirement="requests>=2.20.0",
            reason="not pinned: requests>=2.20.0; lock the project first",
            location=Location(file=str(path), line=13),
        ),
    )


def test_readthedocs_testing_includes_pip_and_local_docs_build() -> None:
    path = REQ / "readthedocs-2019" / "testing.txt"
    inv = _requirements.read(path)
    # pip.txt: 52 pins + 2 VCS; local-docs-build.txt: 10 more pins (Pygments again)
    # + 2 VCS; testing.txt: 12 pins.
    assert len(inv.components) == 74
    expected = (
        plain_pins(REQ / "readthedocs-2019" / "pip.txt")
        | plain_pins(REQ / "readthedocs-2019" / "local-docs-build.txt")
        | plain_pins(path)
    )
    assert pairs(inv) == expected
    pygments = get(inv, "pygments==2.4.2")
    assert pygments.display_name == "Pygments"
    assert pygments.location == Location(file=str(REQ / "readthedocs-2019" / "pip.txt"), line=30)
    assert get(inv, "docutils==0.14").location == Location(
        file=str(REQ / "readthedocs-2019" / "local-docs-build.txt"), line=11
    )
    assert get(inv, "mercurial==4.4.2").location == Location(file=str(path), line=18)
    assert get(inv, "django-storages==1.7.2").extras == frozenset({"azure"})
    pip_txt = str(REQ / "readthedocs-2019" / "pip.txt")
    docs_txt = str(REQ / "readthedocs-2019" / "local-docs-build.txt")
    assert inv.not_audited == (
        NotAudited(
            name="elasticsearch-dsl",
            requirement="git+https://github.com/elastic/elasticsearch-dsl-py@"
            "97e3f756a8cacd1c863d3ced3d17abcafbb0f85e#egg=elasticsearch-dsl==6.1.1",
            reason="VCS requirement",
            location=Location(file=pip_txt, line=57),
        ),
        NotAudited(
            name="unicode-slugify",
            requirement="git+https://github.com/mozilla/unicode-slugify@b696c37#egg=unicode-slugify==0.1.5",
            reason="VCS requirement",
            location=Location(file=pip_txt, line=81),
        ),
        NotAudited(
            name="sphinx-intl",
            requirement="git+https://github.com/agjohnson/sphinx-intl.git@"
            "7b5c66bdb30f872b3b1286e371f569c8dcb66de5#egg=sphinx-intl",
            reason="VCS requirement",
            location=Location(file=docs_txt, line=17),
        ),
        NotAudited(
            name=None,
            requirement="git+https://github.com/readthedocs/readthedocs-sphinx-search@master",
            reason="VCS requirement",
            location=Location(file=docs_txt, line=20),
        ),
    )


def test_readthedocs_deploy_per_requirement_option() -> None:
    inv = _requirements.read(REQ / "readthedocs-2019" / "deploy.txt")
    assert len(inv.components) == 52 + 4
    psycopg2 = get(inv, "psycopg2==2.8.3")
    assert psycopg2.location is not None
    assert psycopg2.location.line == 3
    assert get(inv, "pillow==6.2.1").location == Location(
        file=str(REQ / "readthedocs-2019" / "deploy.txt"), line=8
    )


def test_text_generation_webui_urls_wildcards_and_unpinned() -> None:
    path = REQ / "text-generation-webui-2023" / "requirements.txt"
    inv = _requirements.read(path)
    assert sorted(c.key for c in inv.components) == [
        "aiofiles==23.1.0",
        "bitsandbytes==0.41.1",
        "exllamav2==0.0.4",
        "fastapi==0.95.2",
        "gradio-client==0.2.5",
        "gradio==3.33.1",
        "numpy==1.24",
        "optimum==1.13.1",
        "pydantic==1.10.12",
        "safetensors==0.3.2",
    ]
    assert (
        get(inv, "exllamav2==0.0.4").markers
        == 'platform_system != "Darwin" and platform_machine != "x86_64"'
    )
    assert get(inv, "bitsandbytes==0.41.1").markers == 'platform_system != "Windows"'
    assert len(inv.not_audited) == 32
    by_line = {
        n.location.line: n for n in inv.not_audited if n.location and n.location.line is not None
    }
    assert len(by_line) == 32
    unpinned = {
        7: "accelerate==0.23.*",
        8: "colorama",
        9: "datasets",
        10: "einops",
        12: "markdown",
        15: "pandas",
        16: "peft==0.5.*",
        17: "Pillow>=9.5.0",
        18: "pyyaml",
        19: "requests",
        21: "scipy",
        22: "sentencepiece",
        23: "tensorboard",
        24: "transformers==4.34.*",
        25: "tqdm",
        26: "wandb",
    }
    for line, text in unpinned.items():
        assert by_line[line].requirement == text
        assert by_line[line].reason == f"not pinned: {text}; lock the project first"
    assert by_line[17].name == "pillow"
    assert by_line[28] == NotAudited(
        name=None,
        requirement="git+https://github.com/oobabooga/torch-grammar.git",
        reason="VCS requirement",
        location=Location(file=str(path), line=28),
    )
    urls = {line: n for line, n in by_line.items() if n.reason == "direct URL"}
    assert sorted(urls) == [32, 35, 36, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]
    assert urls[45].name == "flash-attn"
    assert urls[45].requirement.endswith(
        'linux_x86_64.whl; platform_system == "Linux" and platform_machine == "x86_64"'
    )
    assert urls[50].name == "ctransformers"
    assert {urls[line].name for line in (39, 40)} == {"auto-gptq"}


def test_httpx_editable_self() -> None:
    path = REQ / "httpx" / "requirements.txt"
    inv = _requirements.read(path)
    assert len(inv.components) == 15
    assert pairs(inv) == plain_pins(path)
    assert get(inv, "coverage==7.10.6").extras == frozenset({"toml"})
    assert inv.not_audited == (
        NotAudited(
            name=None,
            requirement="-e .[brotli,cli,http2,socks,zstd]",
            reason="editable install",
            location=Location(file=str(path), line=5),
        ),
    )


def test_jax_markers_between_pin_and_hashes() -> None:
    path = HASHED / "jax-2025" / "requirements_lock_3_12.txt"
    inv = _requirements.read(path)
    assert len(inv.components) == 105
    assert pairs(inv) == plain_pins(path)
    assert inv.not_audited == ()
    assert sum(1 for c in inv.components if c.markers) == 36
    numpy = get(inv, "numpy==2.0.2")
    assert numpy.markers == 'python_version <= "3.12"'
    assert len(numpy.hashes) == 45
    assert numpy.location == Location(file=str(path), line=805)
    plugin = get(inv, "jax-cuda12-plugin==0.7.2")
    assert plugin.markers == 'sys_platform == "linux" and python_version < "3.14"'
    assert len(plugin.hashes) == 12
    assert get(inv, "absl-py==2.3.1").hashes == (
        Hash(
            algorithm="sha256",
            value="a97820526f7fbfd2ec1bce83f3f25e3a14840dac0d8e02a0b71cd75db3f77fc9",
        ),
        Hash(
            algorithm="sha256",
            value="eeecf07f0c2a93ace0772c92e596ace6d3d3996c042b2128459aaae2a76de11d",
        ),
    )
    assert get(inv, "etils==1.13.0").extras == frozenset({"epath", "epy"})
    # The "unsafe" section after the last pin is read like the rest.
    assert get(inv, "setuptools==80.9.0").location == Location(file=str(path), line=1669)
    # ``# via`` annotations: ``astunparse`` comes in through tensorflow, which the
    # project asks for directly (``-r build/nonfreethreading-requirements.txt``).
    assert not get(inv, "astunparse==1.6.3").direct
    assert inv.why(ComponentKey("astunparse==1.6.3")) == ("tensorflow==2.20.0", "astunparse==1.6.3")
    assert get(inv, "jaxlib==0.7.2").direct


def test_warehouse_extras_and_unsafe_section() -> None:
    path = HASHED / "warehouse-2022" / "main.txt"
    inv = _requirements.read(path)
    assert len(inv.components) == 141
    assert pairs(inv) == plain_pins(path)
    assert inv.not_audited == ()
    celery = get(inv, "celery==5.2.7")
    assert celery.extras == frozenset({"sqs"})
    assert celery.location == Location(file=str(path), line=149)
    assert len(celery.hashes) == 2
    assert get(inv, "setuptools==65.6.3").location == Location(file=str(path), line=1587)
    assert inv.why(ComponentKey("pip==22.3.1")) == ("pip-api==0.0.30", "pip==22.3.1")
    assert all(
        h.algorithm == "sha256" and len(h.value) == 64 for c in inv.components for h in c.hashes
    )
    assert sum(len(c.hashes) for c in inv.components) == 1159


# -- syntax -----------------------------------------------------------------------------


def test_continuations_comments_env_and_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PINNED", "2.31.0")
    monkeypatch.delenv("UNSET_VAR", raising=False)
    digest = "a" * 64
    path = write(
        tmp_path,
        "# a comment \\\n"
        "--index-url https://user:token@mirror.invalid/simple\n"
        "--pre\n"
        "--only-binary :all:\n"
        "--trusted-host mirror.invalid\n"
        "requests==${PINNED}  # inline comment\n"
        f"idna==3.4 \\\n    --hash=sha256:{digest} \\\n    --hash sha256:{'B' * 64}\n"
        "Foo.Bar===1.0-legacy ; python_version < '3.9'\n"
        "dist @ https://example.invalid/dist-1.0.tar.gz\n"
        "./local/pkg\n"
        "urllib3==${UNSET_VAR}\n",
    )
    with pytest.raises(InputError) as err:
        _requirements.read(path, environ=os.environ)
    assert str(err.value) == (
        f"{path}: line 13: invalid requirement: urllib3==${{UNSET_VAR}}: "
        "Expected semicolon (after name with no version specifier) or end"
    )
    path.write_text(path.read_text().replace("urllib3==${UNSET_VAR}\n", ""))
    inv = _requirements.read(path, environ=os.environ)
    index = "https://mirror.invalid/simple"
    assert sorted(c.key for c in inv.components) == [
        "foo-bar==1.0-legacy",
        "idna==3.4",
        "requests==2.31.0",
    ]
    requests = get(inv, "requests==2.31.0")
    assert requests.index == index
    assert requests.purl == "pkg:pypi/requests@2.31.0?repository_url=https://mirror.invalid/simple"
    assert requests.location == Location(file=str(path), line=6)
    idna = get(inv, "idna==3.4")
    assert idna.hashes == (
        Hash(algorithm="sha256", value=digest),
        Hash(algorithm="sha256", value="b" * 64),
    )
    assert idna.location == Location(file=str(path), line=7)
    foo = get(inv, "foo-bar==1.0-legacy")
    assert foo.display_name == "Foo.Bar"
    assert foo.markers == 'python_version < "3.9"'
    assert [(n.requirement, n.reason, n.location) for n in inv.not_audited] == [
        (
            "dist @ https://example.invalid/dist-1.0.tar.gz",
            "direct URL",
            Location(file=str(path), line=11),
        ),
        ("./local/pkg", "local path", Location(file=str(path), line=12)),
    ]


def test_extra_index_url_and_find_links_are_noted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "--extra-index-url https://extra.invalid/simple\n-f ./wheels\n--no-index\nsix==1.16.0\n",
    )
    inv = _requirements.read(path)
    assert inv.notes == (
        f"{path}: line 1: --extra-index-url https://extra.invalid/simple: pip takes each package "
        "from whichever index has the highest version, so the audited names may come from "
        "this index instead (dependency confusion)",
        f"{path}: line 2: --find-links ./wheels: "
        "packages may come from these files instead of the index",
        f"{path}: line 3: --no-index: packages come only from --find-links",
    )
    assert get(inv, "six==1.16.0").index is None


def test_duplicate_pin_is_one_component_and_markers_split_versions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "six==1.16.0\nsix==1.16.0\n"
        'numpy==1.24.4; python_version < "3.9"\nnumpy==2.0.2; python_version >= "3.9"\n',
    )
    inv = _requirements.read(path)
    assert [c.key for c in inv.components] == ["six==1.16.0", "numpy==1.24.4", "numpy==2.0.2"]
    assert get(inv, "six==1.16.0").location == Location(file=str(path), line=1)


def test_conflicting_pins_name_both_lines(tmp_path: Path) -> None:
    write(tmp_path, "requests==2.30.0\n", "base.txt")
    path = write(tmp_path, "-r base.txt\nidna==3.4\nrequests==2.31.0\n")
    with pytest.raises(InputError) as err:
        _requirements.read(path)
    assert str(err.value) == (
        f"{path}: line 3: conflicting pins: requests==2.31.0 and requests==2.30.0 "
        f"({tmp_path / 'base.txt'}: line 1)"
    )
    path.write_text("requests==2.30.0\nidna==3.4\nRequests==2.31.0\n")
    with pytest.raises(InputError) as err:
        _requirements.read(path)
    assert (
        str(err.value)
        == f"{path}: line 3: conflicting pins: requests==2.31.0 and requests==2.30.0 (line 1)"
    )


def test_include_cycle(tmp_path: Path) -> None:
    write(tmp_path, "six==1.16.0\n-r requirements.txt\n", "other.txt")
    path = write(tmp_path, "idna==3.4\n-r other.txt\n")
    with pytest.raises(InputError) as err:
        _requirements.read(path)
    assert str(err.value) == (
        f"{tmp_path / 'other.txt'}: line 2: "
        f"include cycle: {path} -> {tmp_path / 'other.txt'} -> {path}"
    )


def test_missing_include(tmp_path: Path) -> None:
    path = write(tmp_path, "\n-r missing.txt\n")
    with pytest.raises(InputError) as err:
        _requirements.read(path)
    assert str(err.value) == (
        f"{path}: line 2: "
        f"cannot read included file {tmp_path / 'missing.txt'}: No such file or directory"
    )


def test_constraints_pin_but_do_not_add(tmp_path: Path) -> None:
    digest = "c" * 64
    write(
        tmp_path,
        f"requests==2.31.0 --hash=sha256:{digest}\nflask==3.0.0\nidna==3.4\n",
        "constraints.txt",
    )
    path = write(tmp_path, "-c constraints.txt\nrequests\nidna==3.4\nclick>=8\n")
    inv = _requirements.read(path)
    assert [c.key for c in inv.components] == ["idna==3.4", "requests==2.31.0"]
    requests = get(inv, "requests==2.31.0")
    assert requests.location == Location(file=str(path), line=2)
    assert requests.hashes == (Hash(algorithm="sha256", value=digest),)
    assert [n.reason for n in inv.not_audited] == ["not pinned: click>=8; lock the project first"]

    path.write_text("-c constraints.txt\nflask==2.0.0\n")
    with pytest.raises(InputError) as err:
        _requirements.read(path)
    assert str(err.value) == (
        f"{tmp_path / 'constraints.txt'}: line 2: conflicting pins: flask==3.0.0 and flask==2.0.0 "
        f"({path}: line 2)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "six==1.16.0\n\nflask=1.0\n",
            "line 3: invalid requirement: flask=1.0: "
            "Expected semicolon (after name with no version specifier) or end",
        ),
        ("--frobnicate\n", "line 1: unknown option '--frobnicate'"),
        (
            "six==1.16.0 --hash=sha256:abc\n",
            "line 1: invalid --hash value 'sha256:abc' (a sha256 digest is 64 hex digits)",
        ),
        (
            "six==1.16.0 --hash=crc32:00\n",
            "line 1: invalid --hash value 'crc32:00' (expected ALGORITHM:HEX)",
        ),
        ("-i\n", "line 1: option --index-url needs a value"),
        ("--pre=yes\n", "line 1: option --pre takes no value"),
        (
            "--hash=sha256:" + "a" * 64 + "\n",
            "line 1: option --hash needs a requirement on the same line",
        ),
    ],
)
def test_malformed_lines(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        _requirements.read(path)
    assert str(err.value) == f"{path}: {message}"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"six==1.16.0\n\xff\xfe\n")
    with pytest.raises(InputError) as err:
        _requirements.read(path)
    assert str(err.value) == f"{path}: line 2: not UTF-8 text"
