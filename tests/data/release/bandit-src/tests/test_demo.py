import subprocess


def test_run() -> None:
    assert subprocess.call("true", shell=True) == 0
