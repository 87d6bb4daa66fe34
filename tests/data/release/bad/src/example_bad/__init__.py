"""A package with code Bandit reports: a shell command built from input."""

import subprocess


def archive(name: str) -> None:
    """Archive the directory ``name`` (the shell sees whatever ``name`` holds)."""
    subprocess.run(f"tar czf {name}.tar.gz {name}", shell=True, check=True)  # noqa: S602
