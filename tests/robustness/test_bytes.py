"""Byte-level mutations of a real file of every input format, through ``pyward audit``.

Every case: no traceback, no internal error, exit 0/1 only when the mutated file is
still a valid document (a truncation at a line boundary can be), else exit 2 with one
error line naming the file and a place in it (a line or a key path).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness._mutate import ByteCase, byte_cases
from tests.robustness._seeds import SEEDS, Seed, cyclonedx_xml, spdx_tag_value
from tests.robustness._support import assert_one_input_error, run, write

_EXTRA = (
    Seed(id="cyclonedx-xml", name="bom.xml", source=Path("cyclonedx.xml"), xml=True),
    Seed(id="spdx-tag-value", name="sbom.spdx", source=Path("sbom.spdx")),
)


def _seed_bytes(seed: Seed) -> bytes:
    if seed.id == "cyclonedx-xml":
        return cyclonedx_xml()
    if seed.id == "spdx-tag-value":
        return spdx_tag_value()
    return seed.source.read_bytes()


def _cases() -> list[tuple[Seed, ByteCase]]:
    out = []
    for seed in (*SEEDS, *_EXTRA):
        for case in byte_cases(_seed_bytes(seed), text_format=seed.text, xml=seed.xml):
            out.append((seed, case))
    return out


CASES = _cases()


@pytest.mark.parametrize(("seed", "case"), CASES, ids=[f"{s.id}-{c.id}" for s, c in CASES])
def test_mutated_file(
    seed: Seed, case: ByteCase, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / seed.name, case.data)
    outcome = run(capsys, "audit", path, "-f", "json", "-q", "--cache-dir", store)
    if outcome.code != 2:
        assert not case.always_bad, outcome
        assert outcome.code in (0, 1)
        assert outcome.errors == []
        return
    assert_one_input_error(outcome, path)
