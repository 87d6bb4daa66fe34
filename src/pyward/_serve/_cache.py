"""A cache bounded by entries and by bytes, for the server's answers.

The server's caches are keyed by what clients send (names, versions, ids), so without
a bound a client could grow the process without limit (issue 12, item 2). Least
recently used entries are evicted first; ``functools.lru_cache`` bounds entries only,
not their size, and there is no well-kept library in our dependencies that does both.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True, kw_only=True)
class Bound:
    """How much one cache may hold."""

    entries: int
    """Most entries."""
    bytes: int
    """Most bytes, as counted by the cache's ``size`` function (the contents of keys and
    values; Python's own overhead of a few hundred bytes per entry comes on top)."""


class BoundedCache(Generic[K, V]):
    """A least-recently-used mapping that holds at most ``bound.entries`` entries and
    ``bound.bytes`` bytes. A value larger than the whole byte bound is not kept.

    Safe to share between the event loop and the worker threads that answer big
    batches: every operation takes one lock.
    """

    def __init__(self, bound: Bound, size: Callable[[K, V], int]) -> None:
        self.bound = bound
        self._size = size
        self._data: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    @property
    def bytes(self) -> int:
        """Bytes held, as counted by ``size``."""
        return self._bytes

    def get(self, key: K) -> tuple[bool, V | None]:
        """``(True, value)`` when cached (and now the most recently used), else
        ``(False, None)``: a cached ``None`` stays apart from a miss."""
        with self._lock:
            try:
                value, _ = self._data[key]
            except KeyError:
                return False, None
            self._data.move_to_end(key)
            return True, value

    def put(self, key: K, value: V) -> None:
        size = self._size(key, value)
        if size > self.bound.bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while len(self._data) > self.bound.entries or self._bytes > self.bound.bytes:
                _, (_, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped
