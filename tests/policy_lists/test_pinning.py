"""The ``pinning`` check on real requirements files (tests/data/corpus, see its
SOURCES.md): hashed ``pip-compile`` output passes, a hand-pinned file fails per entry
with its line, and entries the reader could not pin (ranges, wildcards, VCS and URL
lines) are findings about the entry itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._audit import audit
from pyward._checks import CHECKS, CheckOptions
from pyward._inventory import read_inventory
from pyward._model import Location
from pyward._policy._details import PinningDetail
from pyward._policy._model import PinningRule, Policy
from tests.conftest import CORPUS
from tests.policy_lists._support import component, context, inventory, run

CTFD = CORPUS / "requirements" / "ctfd-2019" / "requirements.txt"
WEBUI = CORPUS / "requirements" / "text-generation-webui-2023" / "requirements.txt"
READTHEDOCS = CORPUS / "requirements" / "readthedocs-2019"


def policy(*, hashes: bool = True) -> Policy:
    """A policy with only the ``pinning`` rule on."""
    return Policy(
        vulnerabilities=None,
        malicious=None,
        typosquat=None,
        cooldown=None,
        yanked=None,
        project_status=None,
        pinning=PinningRule(hashes=hashes),
    )


def findings(path: Path, *, hashes: bool = True) -> list[tuple[str, int | None, str]]:
    """(id, line, summary) of each finding on the file."""
    result = run("pinning", context(read_inventory(path), policy=policy(hashes=hashes)))
    out = []
    for f in result.findings:
        assert f.where is not None
        out.append((f.id, f.where.line, f.summary))
    return out


@pytest.mark.parametrize(
    "path",
    [
        CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt",
        CORPUS / "requirements-hashes" / "jax-2025" / "requirements_lock_3_12.txt",
    ],
    ids=["warehouse pip-compile --generate-hashes", "jax pip-compile lock"],
)
def test_hashed_pip_compile_output_passes(path: Path) -> None:
    inv = read_inventory(path)
    assert len(inv.components) > 100
    result = run("pinning", context(inv, policy=policy()))
    assert (result.findings, result.warnings) == ((), ())


def test_a_hand_pinned_file_fails_per_entry_with_its_line() -> None:
    found = findings(CTFD)
    # One finding per entry, in file order: 28 pins without hashes, one range.
    assert [line for _, line, _ in found] == list(range(1, 30))
    assert found[0] == (
        "pinning:flask@1.1.1",
        1,
        "Flask==1.1.1: no --hash values (pip's hash-checking mode needs them)",
    )
    assert found[12] == ("pinning:requests", 13, "requests>=2.20.0: not pinned with == or ===")
    result = run("pinning", context(read_inventory(CTFD), policy=policy()))
    unpinned = result.findings[12]
    assert unpinned.component is None
    assert unpinned.path == ()
    assert unpinned.aliases == ()
    assert unpinned.location == Location(file=str(CTFD), line=13)
    assert unpinned.detail == PinningDetail(problem="not-pinned", requirement="requests>=2.20.0")
    pinned = result.findings[0]
    assert pinned.component is not None
    assert pinned.aliases == ("pinning:flask",)
    assert pinned.detail == PinningDetail(problem="no-hashes", requirement="Flask==1.1.1")
    assert pinned.rating.level == "medium"


def test_without_hashes_required_only_the_unpinned_entries_fail() -> None:
    assert findings(CTFD, hashes=False) == [
        ("pinning:requests", 13, "requests>=2.20.0: not pinned with == or ===")
    ]


def test_ranges_wildcards_vcs_and_url_lines_are_not_pinned() -> None:
    found = findings(WEBUI, hashes=False)
    lines = [line for _, line, _ in found]
    # Wildcards (==0.23.*), bare names, a range, the bare git line and every wheel URL;
    # a short pin (numpy==1.24) and a pin under a marker are pins.
    assert lines == [
        *range(7, 11),
        12,
        *range(15, 20),
        *range(21, 27),
        28,
        32,
        35,
        36,
        *range(39, 51),
    ]
    by_line = {line: (id_, summary) for id_, line, summary in found}
    assert by_line[7] == ("pinning:accelerate", "accelerate==0.23.*: not pinned with == or ===")
    assert by_line[28] == (
        "pinning:git+https://github.com/oobabooga/torch-grammar.git",
        "git+https://github.com/oobabooga/torch-grammar.git: not pinned with == or === "
        "(VCS requirement)",
    )
    assert by_line[50][0] == "pinning:ctransformers"
    assert by_line[50][1].endswith(": not pinned with == or === (direct URL)")


def test_entries_of_included_files_carry_their_own_file_and_line() -> None:
    result = run(
        "pinning", context(read_inventory(READTHEDOCS / "testing.txt"), policy=policy(hashes=False))
    )
    assert [(Path(f.where.file).name, f.where.line, f.id) for f in result.findings if f.where] == [
        ("local-docs-build.txt", 17, "pinning:sphinx-intl"),
        (
            "local-docs-build.txt",
            20,
            "pinning:git+https://github.com/readthedocs/readthedocs-sphinx-search@master",
        ),
        ("pip.txt", 57, "pinning:elasticsearch-dsl"),
        ("pip.txt", 81, "pinning:unicode-slugify"),
    ]


def test_the_project_itself_installed_editable_is_outside_the_rule(tmp_path: Path) -> None:
    # httpx's own requirements.txt starts with ``-e .[brotli,cli,http2,socks,zstd]``.
    path = CORPUS / "requirements" / "httpx" / "requirements.txt"
    assert findings(path, hashes=False) == []
    remote = tmp_path / "requirements.txt"
    remote.write_text("-e git+https://git.example.invalid/lib.git#egg=lib\n./vendored/pkg\n")
    assert findings(remote, hashes=False) == [
        (
            "pinning:lib",
            1,
            "-e git+https://git.example.invalid/lib.git#egg=lib: not pinned with == or === "
            "(editable install)",
        )
    ]


def test_uv_pip_compile_output_with_hashes_passes(tmp_path: Path) -> None:
    sha_a, sha_b = "a" * 64, "b" * 64
    path = tmp_path / "requirements.txt"
    path.write_text(
        "# This file was autogenerated by uv via the following command:\n"
        "#    uv pip compile requirements.in --generate-hashes -o requirements.txt\n"
        "idna==3.7 \\\n"
        f"    --hash=sha256:{sha_a} \\\n"
        f"    --hash=sha256:{sha_b}\n"
        "    # via -r requirements.in\n"
        "six==1.16.0 \\\n"
        f"    --hash=sha256:{sha_a}\n"
        "    # via -r requirements.in\n"
    )
    assert findings(path) == []
    path.write_text(path.read_text().replace(f" \\\n    --hash=sha256:{sha_a}\n", "\n"))
    assert findings(path) == [
        (
            "pinning:six@1.16.0",
            7,
            "six==1.16.0: no --hash values (pip's hash-checking mode needs them)",
        )
    ]


def test_a_constraint_pin_and_its_hashes_count(tmp_path: Path) -> None:
    (tmp_path / "constraints.txt").write_text(f"idna==3.7 --hash=sha256:{'c' * 64}\n")
    path = tmp_path / "requirements.txt"
    path.write_text("-c constraints.txt\nidna\n")
    assert findings(path) == []


def test_an_include_at_a_url_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(
        "-r https://files.example.invalid/base.txt\nsix==1.16.0 --hash=sha256:" + "d" * 64 + "\n"
    )
    result = run("pinning", context(read_inventory(path), policy=policy()))
    assert result.findings == ()
    assert result.warnings == (
        f"{path}:1: -r https://files.example.invalid/base.txt: requirements file at a URL; "
        "not fetched: its entries were not checked for pinning",
    )


def test_lock_files_are_outside_the_rule() -> None:
    lock = read_inventory(CORPUS / "uv" / "flask" / "uv.lock")
    unhashed = inventory(component("six==1.16.0"), source="uv.lock", format="uv.lock")
    assert run("pinning", context(lock, unhashed, policy=policy())).findings == ()


def test_a_policy_run_fails_on_each_entry_and_an_ignore_names_one() -> None:
    from pyward._config import Config, IgnoreRule

    inv = read_inventory(CTFD)
    chosen = [CHECKS["pinning"]]  # type: ignore[index]
    options = CheckOptions(policy=policy(hashes=False))
    report = audit([inv], None, checks=chosen, options=options)
    assert [(f.id, f.where) for f in report.findings] == [
        ("pinning:requests", Location(file=str(CTFD), line=13))
    ]
    assert report.failed
    ignore = IgnoreRule(id="pinning:requests", reason="tracked upstream")
    kept = audit([inv], None, checks=chosen, options=options, config=Config(ignores=(ignore,)))
    assert (kept.findings, kept.failed) == ((), False)
