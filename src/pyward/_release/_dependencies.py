"""The ``dependencies`` category: a lock file is committed, the release build installs
pinned tools, and Dependabot or Renovate keeps both the Python dependencies and the
actions up to date.

Sources: Scientific Python SPEC 8 ("Securing the release process": lock files for
building and publishing), OpenSSF Scorecard's Pinned-Dependencies and
Dependency-Update-Tool checks (docs/release-check.md cites both).

The CI configuration (``run:`` steps, GitLab ``script:`` lines) is read through
:func:`pyward._release._ci.load_workflows`, parsed once for every category; Dependabot's
configuration through :func:`pyward._release._yaml.load`.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._release._model import Hit, Repo, Rule
from pyward.errors import InputError

if TYPE_CHECKING:
    from pyward._release._ci import Workflow

__all__ = [
    "DEPENDABOT_FILES",
    "LOCK_FILES",
    "RENOVATE_FILES",
    "RULES",
    "Installer",
    "RunStep",
    "installer_of",
    "run_steps",
    "scan",
]

RULES: tuple[Rule, ...] = (
    Rule(
        id="lock-file",
        category="dependencies",
        severity="medium",
        title="a lock file is committed",
        rationale="Without a lock file every build and every CI run resolves the "
        "dependencies anew: a compromised or broken release published a minute ago is "
        "installed without anyone choosing it, and no two builds are known to be the "
        "same. A committed lock (with hashes) makes the release build reproducible and "
        "its inputs reviewable.",
        fix="Lock the dependencies with the project's installer and commit the file: "
        "`uv lock` (uv.lock), `poetry lock`, `pdm lock`, `pipenv lock`, or "
        "`uv pip compile pyproject.toml --generate-hashes -o requirements.txt` "
        "(pip-tools: `pip-compile --generate-hashes`). Do not list it in .gitignore.",
    ),
    Rule(
        id="unpinned-build-deps",
        category="dependencies",
        severity="medium",
        title="the release build installs pinned tools",
        rationale="The job that builds or uploads the release installs its tools "
        "(build, twine, setuptools...) by name only: whatever the index serves at that "
        "moment runs with the job's credentials and writes the artifacts. Pinning them "
        "(with hashes, from a lock or constraints file) means a new, possibly "
        "compromised, release of a tool reaches the release only through a reviewed "
        "change.",
        fix="Install the release tools from a hashed requirements or constraints file "
        "kept up to date by Dependabot or Renovate: `pip install --require-hashes -r "
        "requirements/release.txt` (or `-c constraints.txt`, `PIP_CONSTRAINT`), or "
        "pin each with `==` (`pip install build==1.2.2 twine==6.1.0`; `uvx "
        "twine@6.1.0`).",
    ),
    Rule(
        id="no-dependency-updates",
        category="dependencies",
        severity="medium",
        title="Dependabot or Renovate is configured",
        rationale="Pinned dependencies and actions only stay safe while someone moves "
        "the pins: without an update tool, fixes for known vulnerabilities arrive late "
        "or never (OpenSSF Scorecard, Dependency-Update-Tool).",
        fix="Add `.github/dependabot.yml` with an entry for the Python ecosystem "
        "(`pip`, `uv` or `poetry`) and one for `github-actions`, or a Renovate "
        "configuration (`renovate.json`).",
    ),
    Rule(
        id="updates-miss-actions",
        category="dependencies",
        severity="low",
        title="the update tool updates the GitHub Actions",
        rationale="Actions pinned to commit SHAs (as they should be) never move by "
        "themselves: without updates for the `github-actions` ecosystem, security "
        "fixes of the actions the release runs on are never picked up.",
        fix="Add an entry to `.github/dependabot.yml`: `- package-ecosystem: "
        "github-actions`, `directory: /`, `schedule: {interval: weekly}` (Renovate: "
        "keep `github-actions` in `enabledManagers`).",
    ),
    Rule(
        id="updates-miss-python",
        category="dependencies",
        severity="low",
        title="the update tool updates the Python dependencies",
        rationale="The lock file and pinned release tools need updates as much as the "
        "actions do: an update tool configured for the actions only leaves the Python "
        "pins to age, vulnerable releases included.",
        fix="Add an entry for the project's Python ecosystem to "
        "`.github/dependabot.yml` (`package-ecosystem: pip`, `uv` or `poetry`, "
        "`directory: /`), or keep a Python manager (`pep621`, `pip_requirements`, "
        "`poetry`...) in Renovate's `enabledManagers`.",
    ),
)

#: Lock files by name, in the order the installers are tried.
LOCK_FILES: tuple[str, ...] = ("uv.lock", "pylock.toml", "poetry.lock", "pdm.lock", "Pipfile.lock")

#: Where Dependabot's configuration lives.
DEPENDABOT_FILES: tuple[str, ...] = (".github/dependabot.yml", ".github/dependabot.yaml")

#: Where Renovate looks for its configuration
#: (https://docs.renovatebot.com/configuration-options/), ``package.json`` aside.
RENOVATE_FILES: tuple[str, ...] = (
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
)

#: Dependabot's ecosystems that update Python dependencies (``pip`` covers pip-tools
#: and Pipenv files).
PYTHON_ECOSYSTEMS = frozenset({"pip", "uv", "poetry", "pipenv"})

#: Renovate's managers that update Python dependencies.
PYTHON_MANAGERS = frozenset(
    {
        "pep621",
        "pep723",
        "pip_requirements",
        "pip_setup",
        "pip-compile",
        "pipenv",
        "poetry",
        "setup-cfg",
    }
)

_PIP_COMPILE = re.compile(
    r"^#.*(autogenerated by pip-compile|autogenerated by uv via|uv pip compile|uv export)",
    re.MULTILINE,
)

# A job builds or uploads a release when one of its commands does this.
_RELEASE_COMMAND = re.compile(
    r"(?:^|[\s;&|(])(?:"
    r"python[0-9.]*\s+-m\s+(?:build|twine\s+upload)\b"
    r"|pyproject-build\b|twine\s+upload\b"
    r"|(?:uv|hatch|poetry|pdm|flit)\s+(?:build|publish)\b"
    r"|python[0-9.]*\s+setup\.py\s+(?:sdist|bdist_wheel)\b"
    r")"
)
_PUBLISH_ACTION = "pypa/gh-action-pypi-publish"

# pip/uv install options that take a value (the value is no requirement).
_VALUE_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--python",
        "-p",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--only-binary",
        "--no-binary",
        "--progress-bar",
        "-e",
        "--editable",
        "--trusted-host",
        "--cache-dir",
        "--src",
        "--index",
        "--default-index",
        "--with",
        "--log",
        "--timeout",
        "--retries",
        "--proxy",
    }
)
# Options that make every requirement of the command come from a pinned file.
_PINNING_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "--constraints",
        "--require-hashes",
        "--build-constraint",
        "--locked",
        "--frozen",
    }
)
_CONSTRAINT_VARIABLES = ("PIP_CONSTRAINT", "UV_CONSTRAINT", "PIP_REQUIRE_HASHES")


def scan(repo: Repo) -> Iterator[Hit]:
    """Every hit of the category's rules. A workflow or update configuration that
    cannot be read is raised last, after every other hit (the runner reports it as not
    checked)."""
    deferred: list[InputError] = []
    yield from _lock_file(repo)
    yield from _updates(repo, deferred)
    yield from _unpinned_build_deps(list(run_steps(repo, deferred)))
    if deferred:
        # The runner takes one error: the first, naming the other files not read.
        first = deferred[0]
        others = [str(e.file) for e in deferred[1:]]
        if others:
            shown = ", ".join(others[:5]) + (
                f" and {len(others) - 5} more" if len(others) > 5 else ""
            )
            raise InputError(
                first.file, f"{first.what} (also not read: {shown})", where=first.where
            )
        raise first


# -- lock-file --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Installer:
    """The installer a project appears to use, and why pyward thinks so."""

    name: str
    """``uv``, ``Poetry``, ``PDM``, ``Pipenv``, ``Hatch`` or ``pip``."""
    evidence: str
    """What says so: ``[tool.uv] in pyproject.toml``."""
    lock: str
    """How to make its lock file."""
    line: int | None = None
    """The line of ``pyproject.toml`` that says so, when one does."""


def installer_of(repo: Repo) -> Installer:
    """The installer ``repo`` appears to use: from its ``pyproject.toml`` (the build
    backend, a ``[tool.uv]``, ``[tool.poetry]`` or ``[tool.pdm]`` table), a
    ``Pipfile``, else pip."""
    data = repo.pyproject()
    tool = data.get("tool")
    tool = tool if isinstance(tool, Mapping) else {}
    build = data.get("build-system")
    backend = build.get("build-backend") if isinstance(build, Mapping) else None
    backend = backend if isinstance(backend, str) else ""
    text = repo.text("pyproject.toml") or ""
    compile_hint = (
        "run `uv pip compile pyproject.toml --generate-hashes -o requirements.txt` "
        "(or `pip-compile --generate-hashes`) and commit the output"
    )
    # (name, its [tool.X] table, its build backend's prefix, how to lock); Pipenv has
    # no table and Hatch no lock of its own: they come after the three that do.
    choices = (
        ("uv", "uv", "uv_build", "run `uv lock` and commit uv.lock"),
        ("Poetry", "poetry", "poetry", "run `poetry lock` and commit poetry.lock"),
        ("PDM", "pdm", "pdm", "run `pdm lock` and commit pdm.lock"),
        ("Pipenv", None, None, "run `pipenv lock` and commit Pipfile.lock"),
        ("Hatch", "hatch", "hatchling", compile_hint),
    )
    for name, table, prefix, lock in choices:
        if table is None:
            if repo.text("Pipfile") is not None:
                return Installer(name=name, evidence="a Pipfile", lock=lock)
            continue
        if table in tool:
            where = f"[tool.{table}]"
            return Installer(
                name=name,
                evidence=f"{where} in pyproject.toml",
                lock=lock,
                line=_line_of(text, where),
            )
        if prefix is not None and backend.startswith(prefix):
            return Installer(
                name=name,
                evidence=f"build-backend {backend!r} in pyproject.toml",
                lock=lock,
                line=_line_of(text, "build-backend"),
            )
    return Installer(name="pip", evidence="no other installer's settings", lock=compile_hint)


def _line_of(text: str, needle: str) -> int | None:
    """The 1-based line where ``needle`` starts a line (a table header or a key)."""
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(needle) or (
            needle.startswith("[") and stripped.startswith(needle[:-1] + ".")
        ):
            return n
    return None


def lock_candidates(repo: Repo) -> list[str]:
    """The files of ``repo`` that lock its dependencies: the lock files by name,
    ``pylock.*.toml``, and requirements files with hashes or written by pip-compile
    (``requirements*.txt`` at the root, ``requirements/*.txt``)."""
    found = [name for name in LOCK_FILES if repo.text(name) is not None]
    root = repo.root
    names = sorted(p.name for p in _glob(root, "pylock.*.toml"))
    found += [n for n in names if repo.text(n) is not None]
    requirements = sorted(
        {p.relative_to(root).as_posix() for p in _glob(root, "requirements*.txt")}
        | {p.relative_to(root).as_posix() for p in _glob(root / "requirements", "*.txt")}
    )
    for name in requirements:
        text = repo.text(name)
        if text is not None and ("--hash=" in text or _PIP_COMPILE.search(text)):
            found.append(name)
    return found


def _glob(directory: Path, pattern: str) -> list[Path]:
    """The regular files of ``directory`` matching ``pattern``."""
    try:
        entries = list(directory.glob(pattern))
    except OSError:
        return []
    return [p for p in entries if p.is_file()]


def _python_project(repo: Repo) -> bool:
    return any(repo.text(n) is not None for n in ("pyproject.toml", "setup.py", "setup.cfg"))


def _lock_file(repo: Repo) -> Iterator[Hit]:
    if not _python_project(repo):
        return
    candidates = lock_candidates(repo)
    ignored = git_ignored(repo, candidates)
    committed = [c for c in candidates if ignored is None or c not in ignored]
    if committed:
        return
    tool = installer_of(repo)
    file = "pyproject.toml" if repo.text("pyproject.toml") is not None else None
    if candidates:
        names = ", ".join(candidates)
        message = (
            f"{names} {'is' if len(candidates) == 1 else 'are'} ignored by .gitignore "
            "(git check-ignore): no lock file is committed"
        )
    else:
        message = "no lock file is committed"
    message += f"; the project appears to use {tool.name} ({tool.evidence}): {tool.lock}"
    yield Hit(
        rule="lock-file",
        message=message,
        file=file,
        line=tool.line if file is not None else None,
        confidence="high" if ignored is not None or not candidates else "medium",
    )


def git_ignored(repo: Repo, names: Iterable[str]) -> set[str] | None:
    """Which of ``names`` git ignores in ``repo`` (``git check-ignore``: a tracked file
    is never ignored); ``None`` when git cannot tell (no git on PATH, not a work tree).
    The repository's own hooks and file-system monitor are turned off: reading a
    checkout must not run its code."""
    names = list(names)
    if not names:
        return set()
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 # nosec B603 - a fixed argv, no shell
            [
                git,
                "-c",
                "core.fsmonitor=false",
                "-c",
                "core.hooksPath=/dev/null",
                "-C",
                str(repo.root),
                "check-ignore",
                "-z",
                "--stdin",
            ],
            input="\0".join(names).encode(),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode not in (0, 1):  # 128: not a work tree, or git refuses it
        return None
    return {n.decode(errors="surrogateescape") for n in done.stdout.split(b"\0") if n}


# -- no-dependency-updates, updates-miss-* ---------------------------------------------------


def _updates(repo: Repo, deferred: list[InputError]) -> Iterator[Hit]:
    # Dependabot's file first: a repository with both is read as Dependabot's.
    configured = [(f, "Dependabot") for f in DEPENDABOT_FILES if repo.text(f) is not None]
    configured += [(f, "Renovate") for f in RENOVATE_FILES if repo.text(f) is not None]
    if not configured:
        yield Hit(
            rule="no-dependency-updates",
            message="no Dependabot (.github/dependabot.yml) or Renovate (renovate.json) "
            "configuration",
            confidence="high",
        )
        return
    config, tool = configured[0]
    try:
        covered, line = (_dependabot if tool == "Dependabot" else _renovate)(repo, config)
    except InputError as exc:
        deferred.append(exc)
        return
    if "actions" not in covered and _has_workflows(repo):
        yield Hit(
            rule="updates-miss-actions",
            message=f"{tool} does not update the GitHub Actions (no github-actions entry)",
            file=config,
            line=line,
            confidence="high",
        )
    if "python" not in covered and _python_project(repo):
        yield Hit(
            rule="updates-miss-python",
            message=f"{tool} does not update the Python dependencies (no pip, uv or poetry entry)"
            if tool == "Dependabot"
            else f"{tool}'s enabledManagers leave out every Python manager",
            file=config,
            line=line,
            confidence="high",
        )


def _has_workflows(repo: Repo) -> bool:
    from pyward._release._ci import GITHUB_DIR, workflow_files

    return any(name.startswith(f"{GITHUB_DIR}/") for name in workflow_files(repo))


def _dependabot(repo: Repo, file: str) -> tuple[set[str], int | None]:
    """What ``file`` updates (``actions``, ``python``) and the line of ``updates``."""
    from pyward._release._yaml import load

    doc = load(repo.text(file) or "", file)
    covered: set[str] = set()
    root = doc.value
    if root is None:
        return covered, None
    if not isinstance(root, dict):
        raise InputError(file, "must be a mapping with an 'updates' list", where="line 1")
    updates = root.get("updates")
    if updates is None:
        return covered, 1
    key_line = doc.line("updates")
    if not isinstance(updates, list):
        raise InputError(file, "must be a list", where=f"line {key_line}: updates")
    for entry in updates:
        value = entry.get("package-ecosystem") if isinstance(entry, dict) else None
        if value == "github-actions":
            covered.add("actions")
        elif value in PYTHON_ECOSYSTEMS:
            covered.add("python")
    return covered, key_line


def _renovate(repo: Repo, file: str) -> tuple[set[str], int | None]:
    """What a Renovate configuration updates: every manager unless ``enabledManagers``
    lists some, less a manager turned off (``"github-actions": {"enabled": false}``)."""
    text = repo.text(file) or ""
    try:
        data = json.loads(text)
    except ValueError as exc:
        reason = (
            "JSON5 beyond plain JSON is not read: the managers were not checked"
            if file.endswith(".json5")
            else f"not valid JSON: {exc}"
        )
        raise InputError(file, reason) from None
    if not isinstance(data, dict):
        raise InputError(file, "must be a JSON object")
    enabled = data.get("enabledManagers")
    managers = {m for m in enabled if isinstance(m, str)} if isinstance(enabled, list) else None

    def on(name: str) -> bool:
        table = data.get(name)
        if isinstance(table, dict) and table.get("enabled") is False:
            return False
        return managers is None or name in managers

    covered = set()
    if on("github-actions"):
        covered.add("actions")
    if any(on(m) for m in PYTHON_MANAGERS):
        covered.add("python")
    line = _line_of(text, '"enabledManagers"') if managers is not None else None
    return covered, line


# -- unpinned-build-deps --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStep:
    """One shell step of a CI file: a GitHub Actions ``run:`` or a GitLab ``script:``
    line."""

    file: str
    """The workflow file, relative to the repository root."""
    job: str
    """The job's id."""
    where: str
    """Its key path: ``jobs.build.steps[2]``, ``build.script[0]``."""
    line: int
    """The 1-based line of the step's first line of shell."""
    text: str
    """The shell text."""
    uses: str | None = None
    """For a GitHub step without ``run:``, its ``uses:`` (an action)."""
    env: frozenset[str] = frozenset()
    """Names of the environment variables the workflow, job or step sets."""


def run_steps(repo: Repo, deferred: list[InputError]) -> Iterator[RunStep]:
    """Every shell step of the GitHub workflows and ``.gitlab-ci.yml`` (as
    :func:`pyward._release._ci.load_workflows` reads them); a file that cannot be read
    goes to ``deferred`` and the others are read."""
    from pyward._release._ci import load_workflows

    for workflow in load_workflows(repo, deferred):
        yield from _workflow_steps(workflow)


def _workflow_steps(workflow: Workflow) -> Iterator[RunStep]:
    from pyward._wire import path as key_path

    doc = workflow.doc
    for job in workflow.jobs:
        job_env = frozenset(job.env)
        for step in job.steps:
            where = ""
            for part in step.path:
                where = key_path(where, part)
            env = job_env | frozenset(step.env)
            if step.run is not None:
                # GitHub: the ``run:`` value; GitLab: the script line itself.
                at = (*step.path, "run") if workflow.platform == "github" else step.path
                yield RunStep(
                    file=workflow.file,
                    job=job.id,
                    where=where,
                    line=doc.text_line(at, 0) or 1,
                    text=step.run,
                    env=env,
                )
            elif step.uses is not None:
                yield RunStep(
                    file=workflow.file,
                    job=job.id,
                    where=where,
                    line=doc.line(*step.path, "uses") or 1,
                    text="",
                    uses=step.uses,
                    env=env,
                )


def _unpinned_build_deps(steps: list[RunStep]) -> Iterator[Hit]:
    release_jobs = {
        (s.file, s.job)
        for s in steps
        if _RELEASE_COMMAND.search(s.text) or (s.uses or "").startswith(_PUBLISH_ACTION)
    }
    for step in steps:
        if (step.file, step.job) not in release_jobs or not step.text:
            continue
        if any(v in step.env for v in _CONSTRAINT_VARIABLES):
            continue
        for offset, command in commands(step.text):
            unpinned = unpinned_installs(command)
            if unpinned:
                shown = " ".join(command.split())
                if len(shown) > 80:
                    shown = shown[:77] + "..."
                yield Hit(
                    rule="unpinned-build-deps",
                    message=f"job {step.job} builds or uploads the release and runs "
                    f"`{shown}`: {', '.join(unpinned)} "
                    f"{'is' if len(unpinned) == 1 else 'are'} not pinned",
                    file=step.file,
                    line=step.line + offset,
                    confidence="high",
                    subject=step.where,
                )


def commands(text: str) -> Iterator[tuple[int, str]]:
    """The shell commands of ``text`` with the 0-based line each starts on: lines
    joined at a trailing backslash, then split at ``&&``, ``||``, ``;`` and ``|``."""
    start = 0
    pending: list[str] = []
    for n, line in enumerate(text.splitlines()):
        if not pending:
            start = n
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        logical = " ".join(pending)
        pending = []
        for part in re.split(r"&&|\|\||;|\|", logical):
            if part.strip() and not part.strip().startswith("#"):
                yield start, part.strip()
    if pending:
        yield start, " ".join(pending).strip()


def unpinned_installs(command: str) -> list[str]:
    """The requirements that ``command`` installs or runs without a version pin: the
    arguments of ``pip install``, ``uv pip install``, ``pipx install`` and ``uv tool
    install`` that are neither pinned with ``==`` nor a path or URL (none when the
    command takes a requirements or constraints file, or ``--require-hashes``), and the
    tool of ``uvx``, ``uv tool run`` and ``pipx run`` without ``==`` or ``@VERSION``."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    # Leading NAME=VALUE words set the command's environment.
    n = 0
    while n < len(words) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=(?!=).*", words[n]):
        if words[n].split("=", 1)[0] in _CONSTRAINT_VARIABLES:
            return []
        n += 1
    words = words[n:]
    if any(w.split("=", 1)[0] in _PINNING_OPTIONS for w in words):
        return []
    # "pip" matches pip3 and pip3.12 too.
    for sequence in (("pip", "install"), ("pipx", "install"), ("tool", "install")):
        args = _after(words, sequence)
        if args is not None:
            return _unpinned_requirements(args)
    runners: tuple[tuple[tuple[str, ...], bool], ...] = (
        (("uvx",), True),
        (("tool", "run"), False),
        (("pipx", "run"), False),
    )
    for runner_words, first in runners:
        runner = _after(words, runner_words, first=first)
        if runner is not None:
            return _unpinned_tool(runner)
    return []


def _after(words: list[str], sequence: tuple[str, ...], *, first: bool = False) -> list[str] | None:
    """The words after ``sequence`` in ``words`` (``pip`` matches ``pip3.12`` too);
    ``first``: only at the start of the command."""
    size = len(sequence)
    for i in range(len(words) - size + 1):
        if first and i > 0:
            break
        window = [w.rsplit("/", 1)[-1] for w in words[i : i + size]]
        if all(
            w == s or (s == "pip" and re.fullmatch(r"pip[0-9.]*", w) is not None)
            for w, s in zip(window, sequence, strict=True)
        ):
            return words[i + size :]
    return None


def _unpinned_requirements(args: list[str]) -> list[str]:
    unpinned: list[str] = []
    skip = False
    for word in args:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in _VALUE_OPTIONS
            continue
        if not _pinned(word):
            unpinned.append(word)
    return unpinned


def _pinned(requirement: str) -> bool:
    """A requirement pinned to one version (``==``, ``===``, ``@`` a version for uv's
    tools), or no index requirement at all (a path, a URL, a built file)."""
    if "==" in requirement or requirement.startswith((".", "/", "~", "$")):
        return True
    if "://" in requirement or requirement.endswith((".whl", ".tar.gz", ".zip")):
        return True
    if "*" in requirement or "/" in requirement:
        return True  # a glob or a path (dist/*.whl)
    return re.fullmatch(r"[A-Za-z0-9._-]+@[0-9][A-Za-z0-9.+!-]*", requirement) is not None


def _unpinned_tool(args: list[str]) -> list[str]:
    skip = False
    for n, word in enumerate(args):
        if skip:
            skip = False
            continue
        if word in ("--from", "--spec") and n + 1 < len(args):
            return [] if _pinned(args[n + 1]) else [args[n + 1]]
        if word.startswith("-"):
            skip = word in _VALUE_OPTIONS
            continue
        return [] if _pinned(word) else [word]
    return []
