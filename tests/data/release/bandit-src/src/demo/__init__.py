"""Run a command the way many release scripts do."""

import subprocess


def run(command: str) -> int:
    assert command, "no command"
    return subprocess.call(command, shell=True)
