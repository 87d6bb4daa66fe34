"""The port's default batch method and the in-memory index."""

from __future__ import annotations

from pyward._sources.index._model import ProjectInfo
from pyward._sources.index._port import IndexFailure, IndexLookupError, IndexSource, StaticIndex
from tests.index._support import SIMPLE


class _Counting(IndexSource):
    def __init__(self) -> None:
        self.asked: list[str] = []

    def project(self, name: str) -> ProjectInfo:
        self.asked.append(name)
        if name == "gone":
            raise IndexLookupError(IndexFailure(name=name, reason="gone: gone", kind="not-found"))
        return ProjectInfo(name=name, index_url="memory:", versions=("1.0",))


def test_default_batch_loops_in_order_once_per_name() -> None:
    source = _Counting()
    result = source.projects(["B", "gone", "a", "b"])
    assert source.asked == ["b", "gone", "a"]
    assert result == {
        "b": ProjectInfo(name="b", index_url="memory:", versions=("1.0",)),
        "gone": IndexFailure(name="gone", reason="gone: gone", kind="not-found"),
        "a": ProjectInfo(name="a", index_url="memory:", versions=("1.0",)),
    }


def test_static_index_from_recorded_pages() -> None:
    index = StaticIndex.from_directory(SIMPLE, index_url="https://index.invalid/simple/")
    result = index.projects(["six", "left-pad"])
    six = result["six"]
    assert isinstance(six, ProjectInfo)
    assert six.latest() == "1.17.0"
    assert result["left-pad"] == IndexFailure(
        name="left-pad",
        reason="left-pad: not on this index (https://index.invalid/simple/)",
        kind="not-found",
    )
