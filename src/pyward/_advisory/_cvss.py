"""CVSS base scores, computed with the ``cvss`` library (RedHat's, v2 to v4).

``db update`` scores every vector of every record once and keeps the result in the
store (the ``scores`` table), so that an audit neither imports ``cvss`` (with
``decimal``) nor scores the same vectors again on every run; :func:`base_score` is
also what an audit falls back to for a vector the store has not scored (records given
to :meth:`AdvisoryStore.from_records`, VEX documents).
"""

from __future__ import annotations

#: The ``severity[].type`` values this module scores.
CVSS_TYPES = ("CVSS_V2", "CVSS_V3", "CVSS_V4")


def base_score(kind: str, vector: str) -> float:
    """The base score of one vector. Raises ``ValueError`` (with the library's reason)
    when the vector is malformed or ``kind`` is not a CVSS type."""
    import cvss

    try:
        if kind == "CVSS_V4":
            return float(cvss.CVSS4(vector).base_score)
        if kind == "CVSS_V3":
            return float(cvss.CVSS3(vector).scores()[0])
        if kind == "CVSS_V2":
            return float(cvss.CVSS2(vector).scores()[0])
    except cvss.CVSSError as exc:
        raise ValueError(str(exc)) from None
    raise ValueError(f"not a CVSS type: {kind}")


def score_or_reason(kind: str, vector: str) -> float | str:
    """:func:`base_score`, or the reason it cannot be scored (what the store keeps)."""
    try:
        return base_score(kind, vector)
    except ValueError as exc:
        return str(exc)
