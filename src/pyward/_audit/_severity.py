"""Severity of a flaw: CVSS vectors scored with the ``cvss`` library, else the record's
own rating, else ``unknown``.

Only findings are rated. The store holds the base score of every vector, computed at
``db update``, so ``cvss`` is imported only for vectors it has not scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pyward._advisory._types import Advisory
from pyward._findings import LEVELS, Level, Rating, Score

#: ``(severity type, vector)``: the key of a score.
Vector = tuple[str, str]

#: Vector types scored, most preferred first on a tie of base scores. CVSS v2 is only
#: used when a flaw has no v3/v4 vector.
_MODERN = ("CVSS_V4", "CVSS_V3")

#: ``database_specific.severity`` as GHSA records write it (and a few other spellings).
_DATABASE_LEVELS: dict[str, Level] = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
}


def level_of(base_score: float) -> Level:
    """The CVSS v3/v4 qualitative rating of a base score
    (https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale).

    A score of 0.0 ("none") is reported as ``low``: a record that names the package
    is still a finding, and ``none`` would sort below ``unknown``.
    """
    if base_score >= 9.0:
        return "critical"
    if base_score >= 7.0:
        return "high"
    if base_score >= 4.0:
        return "medium"
    return "low"


def _level_v2(base_score: float) -> Level:
    # NVD's CVSS v2 scale has no "critical": 7.0-10.0 is high.
    if base_score >= 7.0:
        return "high"
    if base_score >= 4.0:
        return "medium"
    return "low"


def score_vector(
    kind: str, vector: str, known: Mapping[Vector, float | str] | None = None
) -> Score:
    """Score one vector: the store's score from ``db update`` when ``known`` has it, else
    the ``cvss`` library's. Raises ``ValueError`` (with the library's reason) when the
    vector is malformed or of a type that is not CVSS."""
    result = known.get((kind, vector)) if known is not None else None
    if result is None:
        from pyward._advisory._cvss import score_or_reason

        result = score_or_reason(kind, vector)
    if isinstance(result, str):
        raise ValueError(result)
    level = _level_v2(result) if kind == "CVSS_V2" else level_of(result)
    return Score(type=kind, vector=vector, base_score=result, level=level)


def rate(
    advisories: Iterable[Advisory], known: Mapping[Vector, float | str] | None = None
) -> tuple[Rating, tuple[str, ...]]:
    """Rate one flaw from every record that describes it (``known``: the store's
    scores of the records' vectors, see :func:`score_vector`).

    Returns the rating and warnings for vectors that could not be scored (a malformed
    vector never aborts the audit; the flaw falls back to the next source of severity).
    """
    scores: list[Score] = []
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    database: list[Level] = []
    records = list(advisories)
    for adv in records:
        for i, sev in enumerate(adv.severity):
            if not sev.type.startswith("CVSS_V") or (sev.type, sev.score) in seen:
                continue
            seen.add((sev.type, sev.score))
            try:
                scores.append(score_vector(sev.type, sev.score, known))
            except ValueError as exc:
                warnings.append(
                    f"{adv.id}: severity[{i}]: {sev.type} vector {sev.score!r} "
                    f"cannot be scored ({exc}); ignored"
                )
        rating = adv.database_specific.get("severity")
        if isinstance(rating, str) and rating.strip().lower() in _DATABASE_LEVELS:
            database.append(_DATABASE_LEVELS[rating.strip().lower()])
    modern = [s for s in scores if s.type in _MODERN]
    candidates = modern or [s for s in scores if s.type == "CVSS_V2"]
    scored = tuple(sorted(scores, key=lambda s: (_type_rank(s.type), -s.base_score, s.vector)))
    if candidates:
        best = max(candidates, key=lambda s: (s.base_score, -_type_rank(s.type)))
        return (
            Rating(
                level=best.level,
                score=best.base_score,
                vector=best.vector,
                type=best.type,
                scores=scored,
            ),
            tuple(warnings),
        )
    if database:
        worst = min(database, key=LEVELS.index)
        return Rating(level=worst, type="database", scores=scored), tuple(warnings)
    return Rating(level="unknown", scores=scored), tuple(warnings)


def _type_rank(kind: str) -> int:
    order = ("CVSS_V4", "CVSS_V3", "CVSS_V2")
    return order.index(kind) if kind in order else len(order)
