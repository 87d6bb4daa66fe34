"""``pyward advisory case``: see :mod:`pyward._commands.advisory`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pyward.errors import UsageError

if TYPE_CHECKING:
    from pyward._settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-command's options."""


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("pyward advisory case is not built yet")
