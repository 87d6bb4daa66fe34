"""Helpers of the index tests: the recorded pages, a clock, and a counting transport."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import DATA

INDEX_DATA = DATA / "index"
SIMPLE = INDEX_DATA / "simple"
SYNTHETIC = INDEX_DATA / "synthetic"
INDEX = "https://index.invalid/simple/"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
T0 = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def page(name: str) -> bytes:
    """A recorded page (``six``, ``requests``...) or a synthetic one."""
    path = SIMPLE / f"{name}.json"
    return (path if path.exists() else SYNTHETIC / f"{name}.json").read_bytes()


class Clock:
    """A settable ``now`` for the client."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class Recorder:
    """A MockTransport handler that answers from a list of responders and records every
    request."""

    def __init__(self, *answers: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def json_page(
    body: bytes, status: int = 200, **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status,
            content=body,
            headers={
                "Content-Type": JSON_TYPE,
                **{k.replace("_", "-"): v for k, v in headers.items()},
            },
        )

    return answer


def status(code: int, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    """An answer with these headers; a value is sent as its Latin-1 bytes, as a server
    may send any byte."""

    def answer(request: httpx.Request) -> httpx.Response:
        raw = [(k.replace("_", "-").encode(), v.encode("latin-1")) for k, v in headers.items()]
        return httpx.Response(code, headers=raw)

    return answer


def cache_files(cache_dir: Path) -> list[str]:
    return sorted(p.name for p in (cache_dir / "index").iterdir())
