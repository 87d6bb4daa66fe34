"""The ``typosquat`` check: findings with their id, severity, confidence and detail; the
policy's settings; what is compared; the wiring (``gather_sources``, ``pyward rules``,
an audit of a requirements file)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pyward._checks import CHECKS, CheckContext, CheckOptions, Sources, run_checks
from pyward._checks._typosquat import run
from pyward._commands._sources import gather_sources
from pyward._config import Config
from pyward._findings import Finding, Rating
from pyward._model import Component, Inventory, Location
from pyward._policy._details import TyposquatDetail
from pyward._policy._model import Policy, TyposquatRule
from pyward._settings import Settings
from pyward._sources.popularity._load import load_popularity
from tests.conftest import run_cli

POPULARITY, _ = load_popularity(None)
USED = "popularity list: hugovk/top-pypi-packages 5501c5c (built-in snapshot) (2026-04-06)"


def _context(*components: Component, policy: Policy | None = None) -> CheckContext:
    inv = Inventory(source="requirements.txt", format="requirements", components=components)
    return CheckContext(
        subjects=tuple((inv, c) for c in components),
        sources=Sources(popularity=POPULARITY),
        path_of=lambda inv, c: (c.key,),
        options=CheckOptions(policy=policy),
    )


def _pin(name: str, version: str = "1.0", **more: object) -> Component:
    return Component(name=name.lower(), version=version, display_name=name, **more)  # type: ignore[arg-type]


def test_a_typosquat_is_a_finding() -> None:
    comp = _pin("reqeusts", "2.31.0", location=Location(file="requirements.txt", line=1))
    result = run(_context(comp, _pin("requests", "2.31.0")))
    assert result.findings == (
        Finding(
            kind=CHECKS["typosquat"].kind,  # type: ignore[index]
            check=CHECKS["typosquat"].id,  # type: ignore[index]
            id="typosquat:reqeusts@2.31.0",
            aliases=("typosquat:reqeusts",),
            summary="reqeusts imitates requests (transposition 'ue' -> 'eu'; score 0.85)",
            details="requests has 1,291,814,272 downloads a month; reqeusts is not in the "
            "list. Check that reqeusts is the project you mean; if it is, add it to the "
            f"policy's typosquat allow-list. Data: {USED}.",
            rating=Rating(level="high", type="check"),
            confidence="high",
            component=comp,
            path=(comp.key,),
            detail=TyposquatDetail(
                target="requests",
                technique="transposition 'ue' -> 'eu'",
                score=0.85,
                target_downloads=1_291_814_272,
                downloads=None,
                source=USED,
            ),
        ),
    )
    assert result.undecided == ()
    assert result.warnings == ()
    detail = result.findings[0].detail
    assert isinstance(detail, TyposquatDetail)
    assert detail.describe() == (
        "imitates requests (transposition 'ue' -> 'eu'; requests has 1,291,814,272 "
        "downloads a month)"
    )


def test_the_name_as_written_and_the_confidence() -> None:
    result = run(_context(_pin("jeIlyfish"), _pin("djanga"), _pin("urllib")))
    assert [(f.summary, f.confidence) for f in result.findings] == [
        ("jeIlyfish imitates jellyfish (confusable l/I; score 0.84)", "high"),
        ("djanga imitates django (substitution 'o' -> 'a'; score 0.62)", "low"),
        ("urllib imitates urllib3 (version-like digit '3' dropped; score 0.55)", "low"),
    ]


def test_the_policy_allow_list_and_min_score() -> None:
    names = (_pin("reqeusts"), _pin("djanga"))
    allowed = Policy(typosquat=TyposquatRule(allow=("Reqeusts",)))
    assert [f.id for f in run(_context(*names, policy=allowed)).findings] == [
        "typosquat:djanga@1.0"
    ]
    strict = Policy(typosquat=TyposquatRule(min_score=0.8))
    assert [f.id for f in run(_context(*names, policy=strict)).findings] == [
        "typosquat:reqeusts@1.0"
    ]
    # A policy with the rule off leaves the defaults to a run that asks for the check.
    off = Policy(typosquat=None)
    assert len(run(_context(*names, policy=off)).findings) == 2


def test_only_names_an_installer_looks_up_are_compared() -> None:
    comps = (
        _pin("reqeusts", source="git", source_url="git+https://git.example.invalid/r"),
        _pin("reqeusts", "2.0", source="path", source_url="./reqeusts"),
        _pin("reqeusts", "3.0", source="installed"),
    )
    assert [f.id for f in run(_context(*comps)).findings] == ["typosquat:reqeusts@3.0"]


def test_the_check_explains_a_pass_and_a_flag() -> None:
    from pyward._checks._typosquat import explain

    context = _context(_pin("dask"))
    assert explain(context, _pin("dask")) == (
        "dask is itself in the list: 25,758,091 downloads a month\n"
        "  passes: no neighbour scores 0.5 or more; the nearest:\n"
        "    dash (substitution 'h' -> 'k'; 8,855,044 downloads a month): score 0.00 "
        "(target popularity x0.86; a short name (4 letters) x0.70; dash is less popular "
        "than dask x0.00)"
    )
    allowed = _context(policy=Policy(typosquat=TyposquatRule(allow=("reqeusts",))))
    assert explain(allowed, _pin("reqeusts")) == "passes: reqeusts is on the policy's allow-list"
    bare = CheckContext(subjects=(), sources=Sources(), path_of=lambda inv, c: (c.key,))
    assert explain(bare, _pin("dask")) == "no popularity list"


def test_without_the_list_the_check_is_skipped_with_the_reason() -> None:
    context = CheckContext(subjects=(), sources=Sources(), path_of=lambda inv, c: (c.key,))
    _, skipped = run_checks(context, [CHECKS["typosquat"]])  # type: ignore[index]
    assert [s.reason for s in skipped] == [
        "needs the popularity list (download counts of the most used projects)"
    ]


def _args() -> argparse.Namespace:
    return argparse.Namespace(
        python_version=None, offline=True, refresh=False, index_url=None, quiet=True
    )


def test_gather_sources_loads_the_list_only_for_the_check(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    selected = (CHECKS["typosquat"],)  # type: ignore[index]
    gathered = gather_sources(
        [], selected, args=_args(), config=Config(), settings=settings, start=tmp_path
    )
    assert gathered.sources.popularity is not None
    assert gathered.sources.popularity.downloads is not None
    assert len(gathered.sources.popularity.downloads) == 15_000
    other = gather_sources(
        [], (CHECKS["vulnerability"],), args=_args(), config=Config(), settings=settings,  # type: ignore[index]
        start=tmp_path,
    )  # fmt: skip
    assert other.sources.popularity is None


def test_pyward_rules_lists_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rules", "--format", "json")
    assert code == 0
    rule = next(r for r in json.loads(out) if r["id"] == "typosquat")
    assert rule["needs"] == ["popularity"]
    assert rule["severity"] == "high"
    assert rule["docs"] == "docs/checks.md#typosquat"


def test_an_audit_of_a_requirements_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("reqeusts==2.31.0\nrequests==2.31.0\nsetup-tools==1.0\n")
    code, out, _ = run_cli(
        capsys, "audit", "--checks", "typosquat", "-f", "json", "--cache-dir",
        str(tmp_path / "cache"), str(req),
    )  # fmt: skip
    assert code == 1
    report = json.loads(out)
    assert [(f["id"], f["detail"]["target"]) for f in report["findings"]] == [
        ("typosquat:reqeusts@2.31.0", "requests"),
        ("typosquat:setup-tools@1.0", "setuptools"),
    ]
    assert "popularity list" in [s["name"] for s in report["sources"]]
