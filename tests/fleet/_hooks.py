"""A worker's work for the runner tests: :func:`run_project`, except on projects whose
directory name asks it to die or hang. Passed to
:class:`pyward._fleet._local.LocalRunner` as ``work=``; workers import it by name, so it
lives in a module, not in a test function."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from pyward._fleet._model import FleetJob, Project, ProjectResult
from pyward._fleet._work import run_project


def dying_work(project: Project, job: FleetJob) -> ProjectResult:
    """``die-exit*``: ``os._exit(7)``; ``die-kill*``: SIGKILL; ``die-once*``: ``os._exit(9)``
    the first time only (a file beside the project remembers); ``hang*``: blocks forever.
    Anything else: the real work."""
    name = Path(project.target).name
    if name.startswith("die-exit"):
        os._exit(7)
    if name.startswith("die-kill"):
        os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith("die-once"):
        marker = Path(project.target) / "died-once"
        if not marker.exists():
            marker.write_text("")
            os._exit(9)
    if name.startswith("hang"):
        threading.Event().wait()
    return run_project(project, job)
