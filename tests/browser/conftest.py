"""A real headless Chromium for the HTML reports, driven by Playwright.

The browser is the system's (Debian's ``chromium`` package, which ``.ci/run`` installs;
``$PYWARD_CHROMIUM`` names another executable): Playwright downloads nothing. Pages are
opened from ``file://`` paths, so nothing leaves the machine; the flags keep Chromium
from opening connections of its own. Each test gets a fresh page whose console errors,
uncaught exceptions and requests are recorded (:class:`Watched`), and screenshots go to
``$PYWARD_TEST_ARTIFACTS`` (default ``build/test-artifacts/``) to be kept.

Without a Chromium the browser tests fail (they are not skipped): CI installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The flags the system Chromium needs as root, headless and with no network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """The system Chromium, or a clear failure naming how to install it."""
    path = os.environ.get("PYWARD_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "no Chromium: install Debian's chromium package (apt-get install chromium; "
            ".ci/run does) or set PYWARD_CHROMIUM to a Chromium executable"
        )
    return path


def artifacts_dir() -> Path:
    """Where screenshots are kept (created on demand)."""
    path = Path(os.environ.get("PYWARD_TEST_ARTIFACTS") or ROOT / "build" / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watched:
    """A browser page, and everything it did that a self-contained report must not."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Every URL the page asked for (the ``file://`` page itself included)."""

    def open(self, path: Path) -> None:
        """Load the report at ``path`` and wait until it is ready."""
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def external_requests(self) -> list[str]:
        """Requests other than the page's own file."""
        return [u for u in self.requests if not u.startswith("file://")]

    def screenshot(self, name: str) -> Path:
        """A full-page PNG named ``name`` in the artifacts directory."""
        path = artifacts_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no request beyond the page."""
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.external_requests() == []


@contextmanager
def watch(browser: Any, color_scheme: str = "light") -> Iterator[Watched]:
    """A fresh page in its own context, in ``color_scheme``, recorded as it runs."""
    context = browser.new_context(color_scheme=color_scheme)
    page = context.new_page()
    w = Watched(page=page)
    page.on("console", lambda m: w.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.page_errors.append(str(e)))
    page.on("request", lambda r: w.requests.append(r.url))
    try:
        yield w
    finally:
        context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    with watch(browser) as w:
        yield w
