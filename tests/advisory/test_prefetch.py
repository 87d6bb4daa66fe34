"""``AdvisoryStore.prefetch`` (one query for many packages) changes no result."""

from __future__ import annotations

import json

import pytest
import rtoml

from pyward._advisory import AdvisoryStore
from tests.conftest import CORPUS


def _pins() -> list[tuple[str, str]]:
    lock = rtoml.loads((CORPUS / "poetry" / "saleor-2020" / "poetry.lock").read_text("utf-8"))
    return [(p["name"], p["version"]) for p in lock["package"]]


def test_prefetched_matches_equal_one_query_per_package(real_store: AdvisoryStore) -> None:
    pins = _pins()
    assert len(pins) == 207
    expected = {pin: real_store.vulnerabilities(*pin) for pin in pins}
    fresh = AdvisoryStore(real_store._conn, real_store.info)
    # Spellings that normalise to the same name are fetched once.
    fresh.prefetch([name.upper() for name, _ in pins] + ["not-a-package"])
    assert fresh._entries["not-a-package"] == []
    assert len(fresh._entries) == len({n.lower().replace("_", "-") for n, _ in pins}) + 1
    got = {pin: fresh.vulnerabilities(*pin) for pin in pins}
    assert got == expected
    assert sum(len(v) for v in got.values()) == 69
    assert [v.id for v in got[("django", "3.1.4")]] == [
        "PYSEC-2021-6",
        "PYSEC-2021-7",
        "PYSEC-2021-8",
        "PYSEC-2021-9",
        "PYSEC-2021-98",
        "PYSEC-2021-99",
        "PYSEC-2021-109",
        "PYSEC-2021-439",
    ]


def test_prefetch_leaves_an_unreadable_entry_to_the_lookup(real_store: AdvisoryStore) -> None:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    real_store._conn.backup(conn)
    conn.execute("UPDATE affected SET entry = 'not json' WHERE name = 'django'")
    store = AdvisoryStore(conn, real_store.info)
    store.prefetch(["django", "pillow"])
    assert "django" not in store._entries
    assert len(store._entries["pillow"]) == 51


@pytest.mark.parametrize(
    "blob",
    [
        b'{"r":[["ECOSYSTEM",[["introduced","0"],["fixed","1.2"]]]],"f":["1.2"],"l":[]}',
        b' {"r":[]} ',
        b'\xef\xbb\xbf{"r":[]}',
        '{"r":["\u00e9"]}'.encode("utf-16"),
        '{"r":["\u00e9"]}'.encode("utf-16-le"),
        b'{"r":[]}{"r":[]}',
        b'{"r":[]',
        b'{"r":"\xff"}',
        b'{"r":"\xed\xa0\x80"}',
        b"1\x00",
        b"",
        "not bytes",
    ],
)
def test_an_entry_reads_as_json_loads_reads_it(blob: bytes) -> None:
    from pyward._advisory._store import _entry_doc

    try:
        expected: object = json.loads(blob)
    except ValueError as exc:
        with pytest.raises(type(exc)):
            _entry_doc(blob)
    else:
        assert _entry_doc(blob) == expected
