"""The ``eol`` check on the built-in snapshot (endoflife.date at a70eca3), on a fixed
audit date."""

from __future__ import annotations

import datetime as dt

import pytest

from pyward._checks import CHECKS, CheckContext, PythonTarget, Sources, run_checks
from pyward._checks._eol import run
from pyward._findings import EolDetail, Finding, Rating, Reference
from pyward._model import Component, Inventory, Location, component_key
from pyward._sources.lifecycle import Cycle, Lifecycle, Product, load_lifecycle

TODAY = dt.date(2026, 12, 7)
SOURCE = "endoflife.date a70eca3 (built-in snapshot), 2026-08-22"


def _context(
    *pins: tuple[str, str],
    python: PythonTarget | None = None,
    lifecycle: Lifecycle | None = None,
    today: dt.date = TODAY,
) -> CheckContext:
    components = tuple(
        Component(name=n, version=v, location=Location(file="uv.lock", line=i + 1))
        for i, (n, v) in enumerate(pins)
    )
    inv = Inventory(source="uv.lock", format="uv.lock", components=components)
    data = lifecycle if lifecycle is not None else load_lifecycle(None)[0]
    return CheckContext(
        subjects=tuple((inv, c) for c in components),
        sources=Sources(lifecycle=data),
        path_of=lambda inv, c: (c.key,),
        today=today,
        python=python,
    )


def test_django_lines_past_their_end_of_life() -> None:
    result = run(_context(("django", "3.2.25"), ("django", "4.1.13"), ("django", "5.2.8")))
    assert [f.id for f in result.findings] == ["eol:django@3.2", "eol:django@4.1"]
    assert result.warnings == ()
    first, second = result.findings
    assert second.summary == (
        "Django 4.1 reached its end of life on 2023-12-01; the oldest supported line is 5.2 (LTS)"
    )
    assert first.summary == (
        "Django 3.2 reached its end of life on 2024-04-01; the oldest supported line is 5.2 (LTS)"
    )
    assert second == Finding(
        kind="eol",  # type: ignore[arg-type]
        check="eol",  # type: ignore[arg-type]
        id="eol:django@4.1",
        aliases=("eol:django",),
        summary=second.summary,
        rating=Rating(level="high", type="check"),
        component=Component(
            name="django", version="4.1.13", location=Location(file="uv.lock", line=2)
        ),
        path=(component_key("django", "4.1.13"),),
        references=(Reference(type="WEB", url="https://endoflife.date/django"),),
        detail=EolDetail(
            subject="package",
            product="django",
            cycle="4.1",
            eol=dt.date(2023, 12, 1),
            supported=("5.2", "6.0", "6.1"),
            latest="4.1.13",
            source=SOURCE,
        ),
    )


def test_the_day_of_the_end_of_life_is_still_supported() -> None:
    # Django 4.2 LTS: end of life 2026-04-07.
    assert run(_context(("django", "4.2.11"), today=dt.date(2026, 4, 7))).findings == ()
    late = run(_context(("django", "4.2.11"), today=dt.date(2026, 4, 8))).findings
    assert [f.summary for f in late] == [
        "Django 4.2 reached its end of life on 2026-04-07; the oldest supported line is 5.2 (LTS)"
    ]


def test_end_of_active_support_alone_is_no_finding() -> None:
    # Django 6.0: active support ended 2026-08-04, security fixes until 2027-04-30.
    assert run(_context(("django", "6.0.3"))).findings == ()


def test_numpy_and_ansible() -> None:
    result = run(
        _context(("numpy", "1.26.4"), ("numpy", "2.2.0"), ("ansible", "9.1.0"), ("NumPy", "2.5.1"))
    )
    assert [f.summary for f in result.findings] == [
        "NumPy 1.26 reached its end of life on 2025-09-17; the oldest supported line is 2.2",
        "Ansible 9 reached its end of life on 2024-12-03; the oldest supported line is 14",
    ]
    assert [f.id for f in result.findings] == ["eol:numpy@1.26", "eol:ansible@9"]


def test_a_version_on_no_known_line_is_a_warning() -> None:
    result = run(_context(("django", "0.96"), ("django", "not-a-version"), ("requests", "1.0")))
    assert result.findings == ()
    assert result.warnings == (
        "django 0.96: on no release line of Django that the lifecycle data knows "
        f"({SOURCE}); its end of life is not checked",
        "django not-a-version: on no release line of Django that the lifecycle data knows "
        f"({SOURCE}); its end of life is not checked",
    )


def test_the_interpreter_past_its_end_of_life() -> None:
    where = Location(file="uv.lock")
    target = PythonTarget(version="3.8", origin="uv.lock requires-python", location=where)
    (finding,) = run(_context(python=target)).findings
    assert finding.id == "eol:python@3.8"
    assert finding.aliases == ("eol:python",)
    assert finding.component is None
    assert finding.location == where
    assert finding.path == ()
    assert finding.summary == (
        "Python 3.8 reached its end of life on 2024-10-07; the oldest supported line is 3.11"
    )
    assert finding.details == "The Python the project runs on is 3.8, from uv.lock requires-python."
    assert finding.detail == EolDetail(
        subject="interpreter",
        product="python",
        cycle="3.8",
        eol=dt.date(2024, 10, 7),
        supported=("3.11", "3.12", "3.13", "3.14"),
        latest="3.8.20",
        source=SOURCE,
    )


@pytest.mark.parametrize("version", ["3.12", "3.12.1", "3.14"])
def test_a_supported_interpreter_is_no_finding(version: str) -> None:
    target = PythonTarget(version=version, origin="--python-version")
    assert run(_context(python=target)).findings == ()


def test_an_interpreter_on_no_known_line_is_a_warning() -> None:
    target = PythonTarget(version="4.0", origin="--python-version")
    assert run(_context(python=target)).warnings == (
        "Python 4.0 (--python-version): on no release line of Python that the lifecycle "
        f"data knows ({SOURCE}); its end of life is not checked",
    )


def test_a_line_ended_without_a_date() -> None:
    product = Product(
        name="thing",
        label="Thing",
        packages=("thing",),
        cycles=(
            Cycle(name="2", release_date=dt.date(2020, 1, 1)),
            Cycle(name="1", eol_flag=True),
        ),
    )
    data = Lifecycle(products={"thing": product}, source="test", updated=dt.date(2026, 1, 2))
    (finding,) = run(_context(("thing", "1.4"), lifecycle=data)).findings
    assert finding.summary == (
        "Thing 1 is past its end of life (no date given; unsupported as of 2026-01-02); "
        "the oldest supported line is 2"
    )
    assert isinstance(finding.detail, EolDetail)
    assert finding.detail.eol == dt.date(2026, 1, 2)


def test_no_supported_line_left() -> None:
    product = Product(
        name="old",
        label="Old",
        packages=("old",),
        cycles=(Cycle(name="1", eol=dt.date(2020, 1, 1)),),
    )
    data = Lifecycle(products={"old": product}, source="test")
    (finding,) = run(_context(("old", "1.0"), lifecycle=data)).findings
    assert (
        finding.summary
        == "Old 1 reached its end of life on 2020-01-01; no release line is supported"
    )


def test_the_registry_runs_it_and_skips_it_without_data() -> None:
    context = _context(("django", "4.1.13"))
    findings, skipped = run_checks(context, [CHECKS["eol"]])  # type: ignore[index]
    assert [f.id for f in findings.findings] == ["eol:django@4.1"]
    assert skipped == ()
    bare = CheckContext(subjects=(), sources=Sources(), path_of=lambda inv, c: (c.key,))
    _, skipped = run_checks(bare, [CHECKS["eol"]])  # type: ignore[index]
    assert [s.check for s in skipped] == ["eol"]
