"""Severity: real CVSS v3 vectors of PyPA records scored with the cvss library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyward._advisory import AdvisoryStore
from pyward._advisory._cvss import base_score
from pyward._advisory._osv import parse_advisory
from pyward._advisory._store import open_snapshot
from pyward._audit._severity import level_of, rate, score_vector
from pyward._findings import Rating, Score
from tests.audit._data import record
from tests.conftest import CORPUS


@pytest.mark.parametrize(
    ("package", "advisory_id", "score", "level"),
    [
        ("apache-skywalking", "PYSEC-2020-342", 9.8, "critical"),
        ("salt", "PYSEC-2023-169", 7.8, "high"),
        ("cryptography", "PYSEC-2023-254", 7.5, "high"),
        ("mlflow", "PYSEC-2023-260", 6.1, "medium"),
        ("pip", "PYSEC-2023-228", 3.3, "low"),
    ],
)
def test_real_v3_vectors(package: str, advisory_id: str, score: float, level: str) -> None:
    adv = parse_advisory(record(package, advisory_id))
    rating, warnings = rate([adv])
    assert (rating.score, rating.level, rating.type) == (score, level, "CVSS_V3")
    assert rating.vector == adv.severity[0].score
    assert warnings == ()


def _with_severity(severity: list[dict[str, str]], **extra: object) -> dict[str, object]:
    doc = dict(record("requests", "PYSEC-2023-74"))
    doc["severity"] = severity
    doc.update(extra)
    return doc


def test_highest_vector_wins_and_every_vector_is_kept() -> None:
    v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
    v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    adv = parse_advisory(
        _with_severity([{"type": "CVSS_V3", "score": v3}, {"type": "CVSS_V4", "score": v4}])
    )
    rating, _ = rate([adv])
    assert rating == Rating(
        level="critical",
        score=9.3,
        vector=v4,
        type="CVSS_V4",
        scores=(
            Score(type="CVSS_V4", vector=v4, base_score=9.3, level="critical"),
            Score(type="CVSS_V3", vector=v3, base_score=6.1, level="medium"),
        ),
    )


def test_v2_only_when_nothing_else() -> None:
    adv = parse_advisory(
        _with_severity([{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}])
    )
    rating, _ = rate([adv])
    assert (rating.level, rating.score, rating.type) == ("high", 7.5, "CVSS_V2")
    both = parse_advisory(
        _with_severity(
            [
                {"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:C/I:C/A:C"},
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N"},
            ]
        )
    )
    rating, _ = rate([both])
    assert (rating.level, rating.score, rating.type) == ("low", 3.3, "CVSS_V3")


def test_malformed_vector_is_a_warning_and_falls_back_to_the_database_rating() -> None:
    adv = parse_advisory(
        _with_severity(
            [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:X/AC:L"}],
            database_specific={"severity": "MODERATE"},
        )
    )
    rating, warnings = rate([adv])
    assert rating == Rating(level="medium", type="database")
    assert warnings == (
        "PYSEC-2023-74: severity[0]: CVSS_V3 vector 'CVSS:3.1/AV:X/AC:L' cannot be scored "
        '(Unknown value "X" in field "AV:X"); ignored',
    )


def test_no_severity_is_unknown() -> None:
    adv = parse_advisory(record("requests", "PYSEC-2023-74"))
    assert rate([adv]) == (Rating(level="unknown"), ())


def test_levels_and_errors() -> None:
    assert [level_of(s) for s in (0.0, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0)] == [
        "low", "low", "medium", "medium", "high", "high", "critical", "critical",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="not a CVSS type: Ubuntu"):
        score_vector("Ubuntu", "high")


# -- scores computed at ``db update`` ---------------------------------------------------


def test_store_scores_every_real_vector_as_the_library_does(tmp_path: Path) -> None:
    store = open_snapshot(tmp_path)
    assert store is not None
    with store:
        ids = store.all_ids()
        scores = store.scores(ids)
        vectors = {
            (sev.type, sev.score)
            for rid in ids
            if (adv := store.advisory(rid)) is not None
            for sev in adv.severity
            if sev.type.startswith("CVSS_V")
        }
    assert set(scores) == vectors
    assert len(vectors) == 59  # distinct vectors of 202 records
    for (kind, vector), stored in scores.items():
        assert stored == base_score(kind, vector), vector


def test_malformed_vector_reads_the_same_from_the_store() -> None:
    doc = _with_severity(
        [
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:X/AC:L"},
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"},
        ]
    )
    store = AdvisoryStore.from_records([doc])
    known = store.scores(["PYSEC-2023-74"])
    assert known == {
        ("CVSS_V3", "CVSS:3.1/AV:X/AC:L"): 'Unknown value "X" in field "AV:X"',
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"): 6.1,
    }
    adv = store.advisory("PYSEC-2023-74")
    assert adv is not None
    assert rate([adv], known) == rate([adv])
    assert rate([adv], known)[0].score == 6.1


def test_a_stored_score_is_used_without_the_library() -> None:
    # What the store says wins: the library is the fallback for vectors it has not scored.
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
    assert score_vector("CVSS_V3", vector, {("CVSS_V3", vector): 9.1}).level == "critical"
    assert score_vector("CVSS_V3", vector, {}).base_score == 6.1


def test_audit_with_findings_imports_no_cvss(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pyward._cli import main\n"
        f"main(['audit', {str(CORPUS / 'poetry/saleor-2020/poetry.lock')!r}, '-q',\n"
        f"      '--format', 'json', '-o', {str(tmp_path / 'out.json')!r}])\n"
        "print(sorted(m for m in ('cvss', 'decimal') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYWARD_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out == "[]\n"
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert len([f for f in report["findings"] if f["kind"] == "vulnerability"]) == 69
    assert {f["severity"]["level"] for f in report["findings"]} == {"high", "medium", "unknown"}
