"""A repository's CI configuration as the release check reads it: GitHub Actions
workflows (``.github/workflows/*.yml``) and GitLab CI (``.gitlab-ci.yml``), each a
:class:`Workflow` of :class:`Job` records with their :class:`Step` records, every part
knowing its line.

:func:`load_workflows` is the entry point; the YAML is read by :mod:`._yaml`. The
helpers :func:`expressions`, :func:`expression_contexts` and :func:`commands` look
inside the strings a workflow holds: GitHub's ``${{ ... }}`` expressions and the shell
commands of ``run:`` scripts and GitLab ``script:`` lines.

GitLab jobs are read with what they inherit: the keys of their ``extends:`` templates
(nearest first, ``variables`` merged) and of ``default:``; ``!reference`` tags in
scripts are followed. Each value keeps the place it was written, in the template when
it came from one.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from pyward._release._yaml import Document, Key, load
from pyward._wire import path as key_path
from pyward.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

    from pyward._release._model import Repo

__all__ = [
    "Command",
    "Include",
    "Job",
    "Platform",
    "Step",
    "Workflow",
    "assigned_names",
    "command_line",
    "commands",
    "expression_contexts",
    "expressions",
    "load_workflows",
    "workflow_files",
]

#: The CI system a workflow is for.
Platform: TypeAlias = Literal["github", "gitlab"]

#: Where GitHub Actions workflows live.
GITHUB_DIR = ".github/workflows"
#: GitLab CI's default configuration file.
GITLAB_FILE = ".gitlab-ci.yml"

Path_: TypeAlias = tuple[Key, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One step: a GitHub step (``uses:`` or ``run:``), or one line of a GitLab job's
    ``before_script``/``script``/``after_script`` (as a ``run``)."""

    index: int
    """1-based position in its job (GitLab: the line's position across the scripts)."""
    path: Path_
    """Key path of the step (of the script line, for GitLab) in its document."""
    name: str | None = None
    """``name:``."""
    id: str | None = None
    """``id:``."""
    uses: str | None = None
    """``uses:``: the action reference (``owner/repo@ref``, ``./path``,
    ``docker://image``)."""
    run: str | None = None
    """``run:``: the script; a GitLab script line."""
    with_: Mapping[str, Any] = field(default_factory=dict)
    """``with:``: the action's inputs."""
    env: Mapping[str, Any] = field(default_factory=dict)
    """``env:`` of the step itself."""
    if_: str | None = None
    """``if:``, as text."""

    @property
    def action(self) -> str | None:
        """The action's name without its ref, lower-cased (``actions/checkout``,
        ``actions/cache/restore``); ``None`` for a ``run:`` step, a local or a Docker
        action."""
        if self.uses is None or self.uses.startswith(("./", "docker://")):
            return None
        return self.uses.partition("@")[0].lower()

    @property
    def ref(self) -> str | None:
        """The ref after ``@`` in ``uses:`` (``v4``, a commit SHA), if any."""
        if self.uses is None or "@" not in self.uses:
            return None
        return self.uses.rpartition("@")[2]

    @property
    def label(self) -> str:
        """``step 3``: how a finding names the step."""
        return f"step {self.index}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One job of a workflow."""

    id: str
    """The job's key (``publish``)."""
    path: Path_
    """Key path of the job in its document."""
    name: str | None = None
    """``name:``."""
    permissions: Any = None
    """GitHub ``permissions:`` as written (``None`` when absent): a mapping of scopes,
    ``read-all``, ``write-all`` or ``{}``."""
    environment: str | None = None
    """The deployment environment's name (``environment:``, a string or its
    ``name:``); ``None`` when the job runs in none."""
    needs: tuple[str, ...] = ()
    """The jobs it needs (GitHub ``needs:``; GitLab ``needs:`` and
    ``dependencies:``)."""
    if_: str | None = None
    """GitHub ``if:``, as text."""
    env: Mapping[str, Any] = field(default_factory=dict)
    """The variables its steps see: GitHub ``env:`` of the workflow and the job (the
    job's winning); GitLab ``variables:`` global, inherited and the job's."""
    env_paths: Mapping[str, Path_] = field(default_factory=dict)
    """Key path of each :attr:`env` entry."""
    steps: tuple[Step, ...] = ()
    """Its steps in order."""
    uses: str | None = None
    """GitHub: the reusable workflow the job calls (``jobs.<id>.uses``)."""
    id_tokens: Mapping[str, Any] = field(default_factory=dict)
    """GitLab ``id_tokens:`` (name -> its mapping, with ``aud``)."""
    id_tokens_path: Path_ | None = None
    """Key path of :attr:`id_tokens`, when set."""
    cache: Any = None
    """GitLab ``cache:`` as written (inherited from ``default:`` too)."""
    cache_path: Path_ | None = None
    """Key path of :attr:`cache`."""

    @property
    def label(self) -> str:
        """``job publish``: how a finding names the job."""
        return f"job {self.id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Include:
    """One GitLab ``include:`` entry."""

    kind: str
    """``local``, ``remote``, ``project``, ``template`` or ``component``."""
    target: str
    """The file, URL, project path or component address."""
    ref: str | None
    """``ref:`` of a project include; the version after ``@`` of a component."""
    integrity: str | None
    """``integrity:`` of a remote include (``sha256-...``)."""
    path: Path_
    """Key path of the entry."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Workflow:
    """One CI configuration file."""

    platform: Platform
    """``github`` or ``gitlab``."""
    file: str
    """Path relative to the repository root, ``/`` separators."""
    doc: Document = field(repr=False)
    """The parsed document, for line look-ups."""
    triggers: Mapping[str, Any] = field(default_factory=dict)
    """GitHub ``on:`` as a mapping: event name -> its configuration (``None`` when
    written as a bare name). Empty for GitLab."""
    trigger_paths: Mapping[str, Path_] = field(default_factory=dict)
    """Key path of each trigger (the entry in ``on:``)."""
    permissions: Any = None
    """GitHub top-level ``permissions:`` (``None`` when absent)."""
    jobs: tuple[Job, ...] = ()
    """Its jobs in file order (GitLab: without hidden ``.template`` jobs)."""
    includes: tuple[Include, ...] = ()
    """GitLab ``include:`` entries."""

    def line(self, *path: Key) -> int | None:
        """The line of the entry at ``path`` (see :meth:`Document.line`)."""
        return self.doc.line(*path)

    def job(self, job_id: str) -> Job | None:
        """The job with this id, if any."""
        return next((job for job in self.jobs if job.id == job_id), None)


def workflow_files(repo: Repo) -> list[str]:
    """The CI files of the checkout, relative, in order: GitHub workflows sorted by
    name, then ``.gitlab-ci.yml``. Everything by those names that is not a directory
    is listed, a dangling link or a symlink loop too, so that reading it reports it
    rather than passing it over."""
    found: list[str] = []
    directory = repo.root / GITHUB_DIR
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name) if directory.is_dir() else []
    except OSError:
        entries = []  # the directory itself unreadable: nothing to list
    found.extend(
        f"{GITHUB_DIR}/{entry.name}"
        for entry in entries
        if entry.suffix in {".yml", ".yaml"} and not entry.is_dir()
    )
    gitlab = repo.root / GITLAB_FILE
    if gitlab.is_symlink() or gitlab.exists():
        found.append(GITLAB_FILE)
    return found


def load_workflows(repo: Repo, errors: list[InputError] | None = None) -> list[Workflow]:
    """Every CI configuration of the checkout, parsed.

    A file that cannot be read (a symlink loop, a dangling link, a pipe, no
    permission), that is not YAML (a binary file) or not shaped as its CI system
    requires (jobs not a mapping, steps not a list) is an :class:`InputError` naming
    the file and line: raised, or, when ``errors`` is given, appended to it while the
    other files are read. Parsed once per :class:`~pyward._release._model.Repo`."""
    workflows, failed = repo.cached("ci.workflows", lambda: _load_all(repo))
    if failed:
        if errors is None:
            raise failed[0]
        errors.extend(failed)
    return list(workflows)


def _load_all(repo: Repo) -> tuple[tuple[Workflow, ...], tuple[InputError, ...]]:
    """Every CI file parsed, and the errors of those that could not be (read once per
    checkout: the workflows, dependencies and tests rules share it)."""
    workflows: list[Workflow] = []
    errors: list[InputError] = []
    for relative in workflow_files(repo):
        try:
            workflow = _load_one(repo, relative)
        except InputError as exc:
            errors.append(exc)
            continue
        if workflow is not None:
            workflows.append(workflow)
    return tuple(workflows), tuple(errors)


def _load_one(repo: Repo, relative: str) -> Workflow | None:
    text = repo.text(relative)
    if text is None:
        raise InputError(relative, f"cannot be read: {_unreadable(repo.root / relative)}")
    doc = load(text, relative)
    if doc.value is None:
        return None  # an empty file: GitHub and GitLab ignore it
    return _gitlab(doc) if relative == GITLAB_FILE else _github(doc)


def _unreadable(path: Path) -> str:
    """Why ``path``, listed but not read as a regular file, cannot be read."""
    import os
    import stat

    from pyward._files import file_kind

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a dangling symbolic link"
    except OSError as exc:  # a symlink loop, a name too long, no permission
        return exc.strerror or str(exc)
    return file_kind(mode) if not stat.S_ISREG(mode) else "not readable"


# -- GitHub Actions ----------------------------------------------------------------------


def _github(doc: Document) -> Workflow:
    root = _mapping(doc, doc.value, ())
    triggers, trigger_paths = _triggers(doc, root.get("on"))
    top_env = _str_mapping(root.get("env"))
    jobs_value = root.get("jobs", {})
    jobs_map = _mapping(doc, jobs_value, ("jobs",))
    jobs = tuple(_github_job(doc, job_id, value, top_env) for job_id, value in jobs_map.items())
    return Workflow(
        platform="github",
        file=doc.file,
        doc=doc,
        triggers=triggers,
        trigger_paths=trigger_paths,
        permissions=root.get("permissions"),
        jobs=jobs,
    )


def _triggers(doc: Document, value: Any) -> tuple[dict[str, Any], dict[str, Path_]]:
    if value is None:
        return {}, {}
    if isinstance(value, str):
        return {value: None}, {value: ("on",)}  # the trigger is the value of 'on'
    if isinstance(value, list):
        names = [item for item in value if isinstance(item, str)]
        paths: dict[str, Path_] = {
            item: ("on", index) for index, item in enumerate(value) if isinstance(item, str)
        }
        return dict.fromkeys(names), paths
    if isinstance(value, dict):
        return dict(value), {name: ("on", name) for name in value}
    raise InputError(doc.file, "'on' must be an event, a list or a mapping", _where(doc, "on"))


def _github_job(doc: Document, job_id: str, value: Any, top_env: dict[str, Any]) -> Job:
    path: Path_ = ("jobs", job_id)
    job = _mapping(doc, value, path)
    env = {**top_env, **_str_mapping(job.get("env"))}
    env_paths: dict[str, Path_] = {name: ("env", name) for name in top_env}
    env_paths.update({name: (*path, "env", name) for name in _str_mapping(job.get("env"))})
    steps_value = job.get("steps", [])
    if not isinstance(steps_value, list):
        raise InputError(doc.file, "'steps' must be a list", _where(doc, *path, "steps"))
    steps = tuple(
        _github_step(doc, (*path, "steps", index), item, index + 1)
        for index, item in enumerate(steps_value)
    )
    return Job(
        id=job_id,
        path=path,
        name=_text(job.get("name")),
        permissions=job.get("permissions"),
        environment=_environment(job.get("environment")),
        needs=_names(job.get("needs")),
        if_=_text(job.get("if")),
        env=env,
        env_paths=env_paths,
        steps=steps,
        uses=_text(job.get("uses")),
    )


def _github_step(doc: Document, path: Path_, value: Any, index: int) -> Step:
    step = _mapping(doc, value, path)
    return Step(
        index=index,
        path=path,
        name=_text(step.get("name")),
        id=_text(step.get("id")),
        uses=_text(step.get("uses")),
        run=_text(step.get("run")),
        with_=_str_mapping(step.get("with")),
        env=_str_mapping(step.get("env")),
        if_=_text(step.get("if")),
    )


# -- GitLab CI ---------------------------------------------------------------------------

#: Top-level keys of ``.gitlab-ci.yml`` that are not jobs
#: (https://docs.gitlab.com/ci/yaml/#global-keywords).
_GITLAB_GLOBAL = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    }
)
_SCRIPTS = ("before_script", "script", "after_script")
#: The keys a job takes from ``default:`` when it does not set them.
_DEFAULTED = frozenset({"before_script", "after_script", "cache", "id_tokens", "image"})


def _gitlab(doc: Document) -> Workflow:
    root = _mapping(doc, doc.value, ())
    jobs: list[Job] = []
    for name, value in root.items():
        if name in _GITLAB_GLOBAL or name.startswith(".") or not isinstance(value, dict):
            continue
        jobs.append(_gitlab_job(doc, root, name))
    return Workflow(
        platform="gitlab",
        file=doc.file,
        doc=doc,
        jobs=tuple(jobs),
        includes=tuple(_includes(doc, root.get("include"))),
    )


def _chain(doc: Document, root: dict[str, Any], name: str) -> list[Path_]:
    """The job and the templates it extends, nearest first, then ``default:``."""
    order: list[Path_] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in seen or not isinstance(root.get(key), dict):
            return
        seen.add(key)
        order.append((key,))
        parents = root[key].get("extends")
        for parent in [parents] if isinstance(parents, str) else (parents or []):
            if isinstance(parent, str):
                visit(parent)

    visit(name)
    if isinstance(root.get("default"), dict):
        order.append(("default",))
    return order


def _lookup(root: dict[str, Any], chain: list[Path_], key: str) -> tuple[Any, Path_ | None]:
    for source in chain:
        if source == ("default",) and key not in _DEFAULTED:
            continue
        mapping = root[str(source[0])]
        if key in mapping:
            return mapping[key], (*source, key)
    return None, None


def _gitlab_job(doc: Document, root: dict[str, Any], name: str) -> Job:
    chain = _chain(doc, root, name)
    env: dict[str, Any] = {}
    env_paths: dict[str, Path_] = {}
    for source in [("variables",), *[(*s, "variables") for s in reversed(chain)]]:
        value = _get(root, source)
        for key, item in _str_mapping(value).items():
            env[key] = item.get("value") if isinstance(item, dict) else item
            env_paths[key] = (*source, key)
    steps: list[Step] = []
    for key in _SCRIPTS:
        value, path = _lookup(root, chain, key)
        if path is None:
            continue
        for line, line_path in _script_lines(doc, root, value, path):
            steps.append(Step(index=len(steps) + 1, path=line_path, run=line))
    environment, _ = _lookup(root, chain, "environment")
    id_tokens, id_tokens_path = _lookup(root, chain, "id_tokens")
    cache, cache_path = _lookup(root, chain, "cache")
    needs, _ = _lookup(root, chain, "needs")
    dependencies, _ = _lookup(root, chain, "dependencies")
    return Job(
        id=name,
        path=(name,),
        environment=_environment(environment),
        needs=_names(needs) + _names(dependencies),
        env=env,
        env_paths=env_paths,
        steps=tuple(steps),
        id_tokens=_str_mapping(id_tokens),
        id_tokens_path=id_tokens_path,
        cache=cache,
        cache_path=cache_path,
    )


def _script_lines(
    doc: Document, root: dict[str, Any], value: Any, path: Path_, depth: int = 0
) -> Iterator[tuple[str, Path_]]:
    """The lines of a GitLab script (a string, a list, nested lists, ``!reference``)."""
    if depth > 10:
        raise InputError(doc.file, "!reference nested too deeply", _where(doc, *path))
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, list):
        if doc.tags.get(path) == "!reference":
            target = tuple(item for item in value if isinstance(item, str))
            yield from _script_lines(doc, root, _get(root, target), target, depth + 1)
            return
        for index, item in enumerate(value):
            yield from _script_lines(doc, root, item, (*path, index), depth + 1)


def _includes(doc: Document, value: Any) -> Iterator[Include]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    base: Path_ = ("include",)
    for index, item in enumerate(items):
        path = (*base, index) if isinstance(value, list) else base
        if isinstance(item, str):
            kind = "remote" if item.startswith(("https://", "http://")) else "local"
            yield Include(kind=kind, target=item, ref=None, integrity=None, path=path)
            continue
        if not isinstance(item, dict):
            continue
        for kind in ("local", "remote", "template", "component", "project"):
            target = item.get(kind)
            if not isinstance(target, str):
                continue
            ref = _text(item.get("ref"))
            if kind == "component" and "@" in target:
                target, _, ref = target.rpartition("@")
            yield Include(
                kind=kind,
                target=target,
                ref=ref,
                integrity=_text(item.get("integrity")),
                path=path,
            )
            break


# -- shared readers ----------------------------------------------------------------------


def _mapping(doc: Document, value: Any, path: Path_) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    what = ""
    for part in path:
        what = key_path(what, part)
    what = what or "the document"
    raise InputError(doc.file, f"{what} must be a mapping", _where(doc, *path))


def _where(doc: Document, *path: Key) -> str | None:
    line = doc.line(*path)
    return f"line {line}" if line is not None else None


def _get(root: Any, path: Path_) -> Any:
    value = root
    for key in path:
        if isinstance(value, dict) and isinstance(key, str):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        else:
            return None
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _str_mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _environment(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        names = [
            item if isinstance(item, str) else item.get("job") if isinstance(item, dict) else None
            for item in value
        ]
        return tuple(name for name in names if isinstance(name, str))
    return ()


# -- inside strings: expressions and shell commands -----------------------------------


def expressions(text: str) -> Iterator[tuple[int, str]]:
    """Each GitHub expression ``${{ ... }}`` in ``text``: (offset of ``${{``, the
    expression inside). A ``}}`` inside a quoted string literal does not end it."""
    start = text.find("${{")
    while start != -1:
        index = start + 3
        quoted = False
        while index < len(text):
            char = text[index]
            if char == "'":
                quoted = not quoted  # '' inside a literal toggles twice: still quoted
            elif not quoted and text.startswith("}}", index):
                yield start, text[start + 3 : index].strip()
                break
            index += 1
        else:
            return  # unterminated: GitHub refuses it; nothing to expand
        start = text.find("${{", index + 2)


# The expression language's tokens
# (https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/evaluate-expressions-in-workflows-and-actions).
_TOKEN = re.compile(
    r"""
    (?P<string>'(?:[^']|'')*')
  | (?P<op>&&|\|\||==|!=|<=|>=|<|>|!)
  | (?P<open>\() | (?P<close>\)) | (?P<comma>,)
  | (?P<path>[A-Za-z_][\w-]*(?:\s*(?:\.\s*(?:[A-Za-z_][\w-]*|\*)|\[[^\]]*\]))*)
  | (?P<number>[-+]?(?:0x[0-9a-fA-F]+|[0-9.]+(?:[eE][-+]?[0-9]+)?))
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE,
)
#: Functions whose result is a boolean or a hash: no text of their arguments reaches
#: the expansion.
_SAFE_FUNCTIONS = frozenset(
    {"contains", "startswith", "endswith", "success", "failure", "always", "cancelled", "hashfiles"}
)
_LITERALS = frozenset({"true", "false", "null"})


def expression_contexts(expression: str) -> list[str]:
    """The context paths whose text can end up in the value of ``expression``,
    normalised (lower case, indexes as ``*``: ``github.event.commits.*.message``).

    Only what can be the result counts: in ``a && b || c`` the value is ``b`` or
    ``c`` (``a`` only decides, or is falsy: empty); a comparison, ``!`` and the
    boolean functions (``contains``, ``startsWith``...) yield booleans. So
    ``inputs.debug && '--debug' || ''`` expands to a literal, as zizmor's users asked
    of it (zizmorcore/zizmor#1139).
    """
    tokens = [
        (kind, text)
        for match in _TOKEN.finditer(expression)
        for kind, text in match.groupdict().items()
        if text is not None and kind != "space"
    ]
    return _value_paths(tokens)


#: Nesting of ``&&``/``||`` in parentheses followed before every path inside counts.
_MAX_NESTING = 32


def _value_paths(tokens: list[tuple[str, str]], nesting: int = 0) -> list[str]:
    found: list[str] = []
    for alternative in _split(tokens, "||"):
        operands = _split(alternative, "&&")
        found.extend(_operand_paths(operands[-1], nesting))
    return found


def _split(tokens: list[tuple[str, str]], operator: str) -> list[list[tuple[str, str]]]:
    parts: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for kind, text in tokens:
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        if depth == 0 and kind == "op" and text == operator:
            parts.append([])
        else:
            parts[-1].append((kind, text))
    return parts


def _operand_paths(tokens: list[tuple[str, str]], nesting: int) -> list[str]:
    while (
        len(tokens) >= 2
        and tokens[0][0] == "open"
        and tokens[-1][0] == "close"
        and _closes_at_end(tokens)
    ):
        tokens = tokens[1:-1]
    if not tokens:
        return []
    depth = 0
    logical = False
    for kind, text in tokens:
        depth += kind == "open"
        depth -= kind == "close"
        if depth == 0 and kind == "op":
            if text not in {"&&", "||"}:
                return []  # a comparison or a negation: a boolean
            logical = True
    if logical and nesting < _MAX_NESTING:
        return _value_paths(tokens, nesting + 1)  # it was in parentheses: one level in
    first_kind, first = tokens[0]
    if (
        first_kind == "path"
        and len(tokens) > 1
        and tokens[1][0] == "open"
        and first.lower() in _SAFE_FUNCTIONS
    ):
        return []
    paths: list[str] = []
    for position, (kind, text) in enumerate(tokens):
        if kind != "path" or text.lower() in _LITERALS:
            continue
        if position + 1 < len(tokens) and tokens[position + 1][0] == "open":
            continue  # a function name
        paths.append(_normalise(text))
    return paths


def _closes_at_end(tokens: list[tuple[str, str]]) -> bool:
    depth = 0
    for position, (kind, _) in enumerate(tokens):
        depth += kind == "open"
        depth -= kind == "close"
        if depth == 0 and position < len(tokens) - 1:
            return False
    return True


def _normalise(path: str) -> str:
    parts: list[str] = []
    for piece in re.split(r"\s*\.\s*|(?=\[)", path):
        if not piece:
            continue
        if piece.startswith("["):
            inner = piece[1:].rstrip("]").strip()
            parts.append(inner.strip("'").lower() if inner.startswith("'") else "*")
        else:
            parts.append(piece.lower())
    return ".".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """One simple command of a shell script."""

    program: str
    """The program run, with a Python runner looked through: ``twine`` for
    ``python -m twine``, ``uvx twine``, ``pipx run twine``."""
    args: tuple[str, ...]
    """Its arguments after the program (and after ``python -m X``)."""
    assignments: Mapping[str, str]
    """``NAME=value`` words before it (variables for this command only)."""
    line: int
    """0-based line of the script where it starts."""

    def has(self, *options: str) -> bool:
        """Whether any of ``options`` is given (``--token``, ``--token=...``,
        ``-t``)."""
        return any(arg in options or arg.partition("=")[0] in options for arg in self.args)

    def value(self, *options: str) -> str | None:
        """The value of the first of ``options`` given (``--token X``,
        ``--token=X``)."""
        for position, arg in enumerate(self.args):
            name, equals, value = arg.partition("=")
            if equals and name in options:
                return value
            if arg in options and position + 1 < len(self.args):
                return self.args[position + 1]
        return None

    def positional(self) -> tuple[str, ...]:
        """Its arguments that are not options (a rough reading: ``upload`` of
        ``twine upload dist/*``)."""
        return tuple(arg for arg in self.args if not arg.startswith("-"))


_SHELL_QUOTING = re.compile(r"[\'\"\\\\#]")
#: What ``shlex`` with ``punctuation_chars`` yields for a line without quoting.
_PLAIN_TOKEN = re.compile(r"[();<>|&]+|[^\s();<>|&]+")
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", "\n"})
_WRAPPERS = frozenset({"sudo", "env", "time", "exec", "command", "nohup"})
#: ``<runner> X`` runs the program X: ``uvx twine``, ``pipx run twine``, ``uv run X``.
_RUNNERS: Mapping[tuple[str, ...], frozenset[str]] = {
    ("uvx",): frozenset({"--from", "--with", "--python", "-p"}),
    ("uv", "tool", "run"): frozenset({"--from", "--with", "--python", "-p"}),
    ("pipx", "run"): frozenset({"--spec", "--python"}),
    ("uv", "run"): frozenset({"--with", "--python", "-p", "--group", "--extra", "--package"}),
    ("poetry", "run"): frozenset(),
    ("hatch", "run"): frozenset(),
    ("pdm", "run"): frozenset(),
}


@lru_cache(maxsize=4096)
def commands(script: str) -> tuple[Command, ...]:
    """The simple commands of a shell script, in order: split at ``;``, ``&&``,
    ``||``, ``|``, ``&`` and newlines (after joining ``\\`` continuations), quotes
    removed as the shell does, comments dropped. A line the shell lexer cannot read
    (an unclosed quote) is split at spaces. Several rules read the same scripts: the
    result is kept."""
    found: list[Command] = []
    lines = script.split("\n")
    index = 0
    while index < len(lines):
        start = index
        logical = lines[index]
        while logical.endswith("\\") and index + 1 < len(lines):
            index += 1
            logical = logical[:-1] + " " + lines[index]
        index += 1
        for words in _words(logical):
            command = command_line(words, start)
            if command is not None:
                found.append(command)
    return tuple(found)


def _words(line: str) -> list[list[str]]:
    if _SHELL_QUOTING.search(line) is None:
        # Nothing for the shell lexer to remove: the same tokens, without its cost.
        tokens = _PLAIN_TOKEN.findall(line)
    else:
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
        except ValueError:
            tokens = line.split()
    groups: list[list[str]] = [[]]
    for token in tokens:
        if token in _SEPARATORS or set(token) <= set(";&|()"):
            groups.append([])
        else:
            groups[-1].append(token)
    return [group for group in groups if group]


def assigned_names(script: str) -> set[str]:
    """The shell variables a script sets for itself (``NAME=value`` alone on a
    command, or after ``export``/``declare``/``local``/``readonly``)."""
    names: set[str] = set()
    for line in script.replace("\\\n", " ").split("\n"):
        for group in _words(line):
            words = group[1:] if group[0] in {"export", "declare", "local", "readonly"} else group
            pairs = [word.partition("=") for word in words]
            if pairs and all(eq and name.isidentifier() for name, eq, _ in pairs):
                names.update(name for name, _, _ in pairs)
    return names


def command_line(words: list[str], line: int = 0) -> Command | None:
    """The :class:`Command` a list of words runs (``None`` when it runs none: only
    assignments)."""
    assignments: dict[str, str] = {}
    position = 0
    while position < len(words):
        word = words[position]
        name, equals, value = word.partition("=")
        if equals and name.isidentifier():
            assignments[name] = value
        elif word in _WRAPPERS:
            pass
        else:
            break
        position += 1
    rest = words[position:]
    if not rest:
        return None
    rest = _look_through(rest)
    if not rest:
        return None
    return Command(
        program=_basename(rest[0]), args=tuple(rest[1:]), assignments=assignments, line=line
    )


def _basename(word: str) -> str:
    """``twine`` for ``/usr/bin/twine``; the word itself when it ends in ``/``."""
    return word.rstrip("/").rsplit("/", 1)[-1] or word


def _look_through(words: list[str]) -> list[str]:
    """``python -m twine upload`` -> ``twine upload``; ``uvx twine`` -> ``twine``."""
    for _ in range(3):
        program = _basename(words[0])
        if re.fullmatch(r"(?:python|py|pypy)[0-9.]*(?:\.exe)?", program):
            rest = words[1:]
            while rest and rest[0].startswith("-") and rest[0] != "-m":
                rest = rest[1:]
            if len(rest) >= 2 and rest[0] == "-m":
                words = rest[1:]
                continue
            return words
        for runner, valued in _RUNNERS.items():
            if tuple(words[: len(runner)]) == runner:
                rest = words[len(runner) :]
                while rest and rest[0].startswith("-"):
                    option = rest[0]
                    rest = rest[2:] if option in valued and "=" not in option else rest[1:]
                if rest:
                    words = rest
                    break
        else:
            return words
    return words
