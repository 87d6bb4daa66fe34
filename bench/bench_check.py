"""Whole-process ``pyward check`` of the 325-package kitchen-sink lock, warm data.

Usage: python bench/bench_check.py [-n RUNS] [--lock PATH] [--instructions]

The issue 14 target: ``pyward check`` of a ~300-package lock with warm data in 150 ms or
less. "Warm" is the state of a machine that checked the project before: the advisory
store built (``pyward db update --source`` of the PyPA database in ``tests/data``), the
package-index metadata of every component cached and fresh (fetched once from a
loopback index serving the synthetic pages of ``bench_index.py``: about 54 releases a
package, upload times a month apart, one yanked release), the lock's read cache filled.
Rows, each a fresh ``pyward`` process (see ``bench_audit.py`` on byte code and noise):

* ``audit``: ``pyward audit LOCK -f json`` with the default checks (the baseline);
* ``check, default policy``: ``pyward check LOCK -f json`` (vulnerabilities, malicious,
  typosquat, cooldown, yanked, project-status);
* ``check, every rule``: a policy that turns every rule on (eol, unmaintained, licences
  with an allow-list, packages, sources, pinning too);
* ``check --offline``: the default policy without asking the index at all.

The figures go in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_audit import PYWARD, Spec, bench_env, build_store, measure, print_table  # noqa: E402
from bench_index import synthetic  # noqa: E402

LOCK = ROOT / "bench" / "data" / "kitchen-sink" / "uv.lock"

#: Every rule on, with settings that make each do its work on every package.
EVERY_RULE = """
[tool.pyward.policy]
undecided = "pass"
eol = true
unmaintained = { years = 3 }
licenses = { allow = ["MIT", "BSD-3-Clause", "Apache-2.0", "ISC", "PSF-2.0"] }
packages = { deny = ["insecure-package", "urllib3<1.0"] }
sources = { indexes = ["{index}"] }
pinning = true
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()

    from pyward._inventory import read_inventory
    from pyward._model import canonical_name

    inventory = read_inventory(args.lock)
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp_name:
        tmp = Path(tmp_name)
        pages = tmp / "pages"
        pages.mkdir()
        for c in inventory.components:
            page, api = synthetic(canonical_name(c.name), c.version or "1.0", 54)
            (pages / f"{canonical_name(c.name)}.simple").write_bytes(page)
            (pages / f"{canonical_name(c.name)}.api").write_bytes(api)
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bench_index.py"), "--serve", str(pages)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline().strip())
            index = f"http://127.0.0.1:{port}/simple/"
            cache = tmp / "cache"
            env = bench_env(tmp, cache)
            env["PYWARD_INDEX_URL"] = index
            env.pop("PYWARD_OFFLINE", None)
            build_store(cache, env)
            project = tmp / "project"
            project.mkdir()
            lock = project / "uv.lock"
            lock.write_bytes(args.lock.read_bytes())
            every = tmp / "every-rule.toml"
            every.write_text(EVERY_RULE.replace("{index}", index.rstrip("/")), encoding="utf-8")
            base = [PYWARD, "check", str(lock), "-f", "json", "--cache-dir", str(cache)]
            # Warm every cache: index metadata (pages and JSON API), the read cache.
            for cmd in (base, [*base, "--policy", str(every)]):
                subprocess.run(cmd, env=env, capture_output=True, check=False)
            specs = [
                Spec(
                    label="audit (default checks)",
                    cmd=[PYWARD, "audit", str(lock), "-f", "json", "--cache-dir", str(cache)],
                    env=env,
                ),
                Spec(label="check, default policy", cmd=base, env=env, target_ms=150),
                Spec(
                    label="check, every rule",
                    cmd=[*base, "--policy", str(every)],
                    env=env,
                    target_ms=150,
                ),
                Spec(label="check --offline", cmd=[*base, "--offline"], env=env, target_ms=150),
            ]
            print(f"{args.lock} ({len(inventory.components)} packages), {args.runs} runs a row")
            print_table(measure(specs, args.runs, instructions_too=args.instructions))
        finally:
            if server.stdin is not None:
                server.stdin.close()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
