"""Licences from the index's JSON API, asked of a real HTTP server on 127.0.0.1 serving
the recorded answers (``tests/data/index/recorded/json``): for components whose input
carries no licence (every lock file). The JSON API describes the latest release."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyward._checks import CheckContext, CheckOptions, Sources
from pyward._checks._license import run
from pyward._model import Component, Inventory
from pyward._policy._details import LicenseDetail
from pyward._policy._model import LicensesRule, Policy
from pyward._sources.index._fetch import ClientOptions, fetch_metadata
from tests.conftest import run_cli
from tests.index._loopback_index import LoopbackIndex, loopback_index

FAST = ClientOptions(timeout=5.0, retries=2, backoff=0.01, max_retry_after=0.05)
#: Each project at its latest recorded release, but decorator at an older one.
PINS = {
    "click": "8.5.1",  # License-Expression BSD-3-Clause
    "six": "1.17.0",  # License "MIT", MIT classifier
    "requests": "2.34.2",  # License "Apache-2.0"
    "packaging": "26.4",  # Apache-2.0 OR BSD-2-Clause
    "greenlet": "3.5.6",  # MIT AND PSF-2.0
    "py": "1.11.0",  # License "MIT license"
    "rope": "1.15.2",  # LGPL-3.0-or-later
    "colorama": "0.4.6",  # only the BSD License classifier
    "decorator": "4.4.2",  # BSD-2-Clause (latest 5.3.2)
}
RULE = LicensesRule(
    allow=("MIT", "BSD-3-Clause", "Apache-2.0", "PSF-2.0"), deny=("LGPL-3.0-or-later",)
)


def _inventory(tmp_path: Path) -> Inventory:
    return Inventory(
        source=str(tmp_path / "uv.lock"),
        format="uv.lock",
        components=tuple(
            Component(name=n, version=v, purl=f"pkg:pypi/{n}@{v}") for n, v in PINS.items()
        ),
    )


@pytest.fixture
def index(online: None) -> Iterator[LoopbackIndex]:
    with loopback_index() as served:
        yield served


def test_licences_from_the_json_api(index: LoopbackIndex, tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    subjects = [(inv, c) for c in inv.components]
    metadata = fetch_metadata(subjects, option=index.simple_url, client=FAST)
    context = CheckContext(
        subjects=tuple(subjects),
        sources=Sources(index=metadata),
        path_of=lambda inv, c: (c.key,),
        options=CheckOptions(policy=Policy(licenses=RULE)),
    )
    result = run(context)
    assert result.undecided == ()
    api = "the index's JSON API"
    assert {f.id: f.detail for f in result.findings} == {
        "license:rope@1.15.2": LicenseDetail(
            outcome="denied",
            expression="LGPL-3.0-or-later",
            offending=("LGPL-3.0-or-later",),
            origin=f"{api} (License)",
        ),
        "license:colorama@0.4.6": LicenseDetail(
            outcome="unknown",
            expression="License :: OSI Approved :: BSD License",
            origin=api,
        ),
        "license:decorator@4.4.2": LicenseDetail(
            outcome="not-allowed",
            expression="BSD-2-Clause",
            offending=("BSD-2-Clause",),
            origin=f"{api} (latest release 5.3.2, not 4.4.2) (License)",
        ),
    }
    assert index.asked("/pypi/decorator/json") == 1


def test_an_index_without_a_json_api_leaves_the_component_undecided(
    index: LoopbackIndex, tmp_path: Path
) -> None:
    index.json_api = False
    inv = _inventory(tmp_path)
    six = [(inv, c) for c in inv.components if c.name == "six"]
    metadata = fetch_metadata(six, option=index.simple_url, client=FAST)
    context = CheckContext(
        subjects=tuple(six), sources=Sources(index=metadata), path_of=lambda inv, c: (c.key,)
    )
    result = run(context)
    assert result.findings == ()
    (undecided,) = result.undecided
    assert undecided.reason == (
        "no licence: uv.lock carries no licence, and its index has no JSON API to give one"
    )


def test_the_cli_asks_the_json_api_for_lock_files(
    index: LoopbackIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("colorama==0.4.6\nclick==8.5.1\n", encoding="utf-8")
    code, out, _ = run_cli(
        capsys,
        "audit",
        "--checks",
        "license",
        "-f",
        "json",
        "-r",
        str(reqs),
        "--index-url",
        index.simple_url,
    )
    report = json.loads(out)
    # Without a policy there are no lists: only the unknown licence is reported.
    assert [(f["id"], f["detail"]["outcome"]) for f in report["findings"]] == [
        ("license:colorama@0.4.6", "unknown")
    ]
    assert index.asked("/pypi/colorama/json") == 1
    assert index.asked("/pypi/click/json") == 1
    assert code == 1
