"""Record the pip installation reports and uv output in this directory (run by hand).

    python -m tests.data.pip-report.record   # not importable by that name; run:
    python tests/data/pip-report/record.py

Builds the test wheels (``tests/install/_wheels.py``), serves them from a loopback
index, and asks the real pip (``pip install --dry-run --report``) and the real uv
(``uv pip compile --generate-hashes``) to resolve them, offline. The temporary
directory and the loopback port are replaced by ``/srv/pyward-record`` and ``8000``
so that a re-recording changes only what pip changed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.install._wheels import Dist, build_wheels, wheel_index  # noqa: E402

#: What the temporary directory is recorded as.
PLACEHOLDER = "/srv/pyward-record"

DISTS = (
    Dist(
        name="demo-app",
        version="1.0",
        requires=(
            "demo-lib>=1.0",
            "demo_old==0.1",
            'demo-win; sys_platform == "win32"',
            'demo-lib[speed]; extra == "fast"',
        ),
        license_expression="MIT",
        classifiers=("License :: OSI Approved :: MIT License", "Programming Language :: Python"),
        provides_extras=("fast",),
    ),
    Dist(
        name="demo-lib", version="1.2", license_expression="Apache-2.0", provides_extras=("speed",)
    ),
    Dist(
        name="Demo_Old",
        version="0.1",
        license_expression=None,
        license="BSD 3-clause, see LICENSE",
        classifiers=(
            "License :: OSI Approved :: BSD License",
            "License :: Other/Proprietary License",
        ),
    ),
)

PROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "0.3"
license = "MIT"
dependencies = ["demo-lib"]

[tool.hatch.build.targets.wheel]
packages = ["{module}"]
"""


def _run(argv: list[str], cwd: Path | None = None) -> None:
    subprocess.run(argv, check=True, cwd=cwd)


def _project(tmp: Path, name: str) -> Path:
    module = name.replace("-", "_")
    project = tmp / name
    (project / module).mkdir(parents=True)
    (project / "pyproject.toml").write_text(PROJECT.format(name=name, module=module))
    (project / module / "__init__.py").write_text(f'"""{name}."""\n')
    return project


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        wheels = tmp / "wheels"
        build_wheels(wheels, DISTS)
        project = _project(tmp, "demo-local")
        repo = _project(tmp, "demo-vcs")
        _run(["git", "init", "-q", "-b", "main"], cwd=repo)
        _run(["git", "add", "."], cwd=repo)
        identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        _run(["git", *identity, "commit", "-qm", "c"], cwd=repo)
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-cache-dir"]
        with wheel_index(wheels) as index:
            port = index.split(":")[2].split("/")[0]
            base = [*pip, "install", "--dry-run", "--ignore-installed", "--quiet"]
            idx = ["--index-url", index]
            reports = {
                "index.json": [*base, *idx, "--report", "{out}", "demo-app"],
                "direct.json": [
                    *base,
                    *idx,
                    "--no-build-isolation",
                    "--report",
                    "{out}",
                    f"demo-app[fast] @ file://{wheels}/demo_app-1.0-py3-none-any.whl",
                    str(project),
                    f"demo-vcs @ git+file://{repo}@main",
                ],
            }
            for name, argv in reports.items():
                out = tmp / name
                _run([a.replace("{out}", str(out)) for a in argv])
                text = out.read_text()
                text = text.replace(tmp_name, PLACEHOLDER).replace(port, "8000")
                (HERE / name).write_text(text)
            uv = shutil.which("uv")
            if uv is not None:
                req = tmp / "requirements.in"
                req.write_text("demo-app\n")
                out = tmp / "uv-compiled.txt"
                _run(
                    [
                        uv,
                        "pip",
                        "compile",
                        "--quiet",
                        "--no-cache",
                        "--generate-hashes",
                        "--index-url",
                        index,
                        "--python-version",
                        "3.11",
                        str(req),
                        "-o",
                        str(out),
                    ],
                    cwd=tmp,
                )
                text = out.read_text()
                text = text.replace(tmp_name, PLACEHOLDER).replace(port, "8000")
                (HERE / "uv-compiled.txt").write_text(re.sub(r"\n+$", "\n", text))


if __name__ == "__main__":
    main()
