"""The public library API: every name ``pyward.__all__`` lists resolves, and the
README's library example runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import pyward

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_resolves_to_its_definition() -> None:
    import importlib

    for name in pyward.__all__:
        value = getattr(pyward, name)
        assert value is not None, name
        if name != "__version__":
            module = pyward._PUBLIC[name]
            assert getattr(importlib.import_module(module), name) is value
    assert set(pyward._PUBLIC) | {"__version__"} == set(pyward.__all__)
    assert set(pyward.__all__) <= set(dir(pyward))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError) as caught:
        pyward.no_such_name  # noqa: B018
    assert str(caught.value) == "module 'pyward' has no attribute 'no_such_name'"


def test_importing_pyward_loads_no_library_module() -> None:
    code = "import sys, pyward; print(sorted(m for m in sys.modules if m.startswith('pyward')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['pyward']"


def test_readme_library_example_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    (example,) = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    result = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    # The test's empty cache directory: the built-in snapshot (PyPA data of 2024-10-10).
    assert result.stdout.splitlines() == [
        "vulnerability PYSEC-2023-192 urllib3 high",
        "vulnerability PYSEC-2023-221 werkzeug high",
        "vulnerability PYSEC-2023-212 urllib3 medium",
        "vulnerability PYSEC-2023-62 flask unknown",
        "vulnerability PYSEC-2021-142 pyyaml unknown",
        "vulnerability PYSEC-2023-74 requests unknown",
        "vulnerability PYSEC-2023-57 werkzeug unknown",
        "vulnerability PYSEC-2023-58 werkzeug unknown",
        "fails the run: True",
    ]
