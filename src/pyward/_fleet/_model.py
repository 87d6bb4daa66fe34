"""The fleet's records: a project to audit, the job every project gets, and one
project's result, small enough to keep a thousand in memory and to cache and ship as
JSON.

A :class:`ProjectResult` is all the fleet keeps of a project's report: the roll-up, the
renderers and the incremental cache work from it alone. It holds no path of the machine
that audited it (a Dask worker's temporary copy), no timing and no wall clock, so the
same project and data give the same result on any runner, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pyward._findings import LEVEL_RANK, LEVELS, Level

__all__ = [
    "COMMANDS",
    "JOB_FILE_OPTIONS",
    "FleetCommand",
    "FleetFinding",
    "FleetFix",
    "FleetJob",
    "NotAuditedEntry",
    "Project",
    "ProjectResult",
    "ProjectState",
    "job_file_options",
    "worst_level",
]

FleetCommand = Literal["audit", "check", "status"]
"""What each project gets: ``pyward audit``, ``pyward check`` (the usage policy), or the
status checks (``pyward audit --checks status``)."""

COMMANDS: tuple[FleetCommand, ...] = get_args(FleetCommand)

#: Options of a job whose value is a file that decides every project's result: made
#: absolute for the workers, hashed into every cache key, shipped to Dask workers.
JOB_FILE_OPTIONS = ("--config", "--vex", "--policy")


def job_file_options(argv: Sequence[str]) -> Iterator[tuple[int, str, str]]:
    """Each :data:`JOB_FILE_OPTIONS` in ``argv``, as ``--option VALUE`` or
    ``--option=VALUE``: the index of the argument that holds the value, the text before
    the value in that argument (``""`` or ``"--option="``), and the value."""
    for i, arg in enumerate(argv):
        if arg in JOB_FILE_OPTIONS:
            if i + 1 < len(argv):
                yield i + 1, "", argv[i + 1]
        else:
            option, equals, value = arg.partition("=")
            if equals and option in JOB_FILE_OPTIONS:
                yield i, f"{option}=", value


ProjectState = Literal["audited", "failed"]
"""``audited``: the project's command ran and gave a report (which may itself carry
input errors); ``failed``: it could not be audited at all (unreadable directory, no
input it could read, a worker that died), ``ProjectResult.error`` says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """One project of the fleet: what one ``pyward audit TARGET`` would audit."""

    id: str
    """Its name in every report: the path as given or found, relative to the root it was
    found under and prefixed with that root as given (``repos/api``), ``/``-separated.
    Unique within a run."""
    target: str
    """What the project's command reads: a directory, a lock, requirements or SBOM file,
    or a virtual environment (an absolute path on the machine that discovered it)."""
    inputs: tuple[str, ...] = ()
    """The files whose content decides the result (absolute paths), sorted: the lock,
    manifest or SBOM files, the settings beside them (``pyproject.toml``,
    ``.python-version``, ``uv.toml``), and the configuration (``pyward.toml``) with the
    VEX files it names.
    The incremental cache hashes them; a Dask run ships them to the worker."""
    environment: bool = False
    """``target`` is an installed environment (its content is its ``*.dist-info``
    directories, not files that can be shipped)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetJob:
    """What every project of a run gets: picklable and JSON-able, for any runner."""

    command: FleetCommand
    """The command run on each project."""
    argv: tuple[str, ...] = ()
    """Options for each project's command, as on its command line (``--offline``,
    ``--checks vulnerability``, ``--policy FILE``, ``--fail-on high``); no target and no
    output option."""
    environ: tuple[tuple[str, str], ...] = ()
    """The ``PYWARD_*`` and installer settings of the environment the run started in
    (a worker builds its :class:`~pyward._settings.Settings` from them)."""
    pages: str | None = None
    """Directory for one HTML report per project (``--pages``), or None."""

    def environ_map(self) -> dict[str, str]:
        """:attr:`environ` as a mapping."""
        return dict(self.environ)


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetFinding:
    """One kept finding of one project (suppressed ones are counted, not kept)."""

    id: str
    """The finding's id: an advisory id (``PYSEC-...``, ``GHSA-...``), or
    ``kind:NAME@VERSION`` for status and policy findings."""
    kind: str
    """Its kind (``vulnerability``, ``malicious``, ``yanked``, a policy rule...)."""
    aliases: tuple[str, ...] = ()
    """Other ids of the same advisory."""
    package: str | None = None
    """The component's normalised name, when the finding is about one."""
    version: str | None = None
    """The component's version."""
    level: Level
    """Its severity."""
    summary: str = ""
    """One line."""
    fix: str | None = None
    """The version the project's fix plan upgrades the package to for this finding."""
    fails: bool = False
    """The gate counts it against the project (threshold, kinds)."""
    direct: bool = False
    """The package is a direct dependency of the project."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetFix:
    """One step of a project's fix plan."""

    package: str
    """The normalised name of the package to change."""
    version: str | None
    """Its version now."""
    target: str | None
    """The version to move to; None when no release fixes it (``unfixed`` says what)."""
    fixes: tuple[str, ...] = ()
    """Finding ids the step clears."""
    unfixed: tuple[str, ...] = ()
    """Finding ids no known release clears."""
    action: str = "upgrade"
    """``upgrade`` or ``remove`` (a malicious release)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NotAuditedEntry:
    """A requirement of the project that could not be checked, and why."""

    requirement: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectResult:
    """What the fleet keeps of one project's run."""

    project: str
    """:attr:`Project.id`."""
    state: ProjectState
    """Audited, or failed (:attr:`error` says why)."""
    error: str | None = None
    """Why the project could not be audited (one line, naming the file and place)."""
    inputs: tuple[str, ...] = ()
    """What was read, as the report names it (relative to the project)."""
    components: int = 0
    """Components audited."""
    findings: tuple[FleetFinding, ...] = ()
    """Kept findings, in the report's order."""
    suppressed: int = 0
    """Findings the gate suppressed (ignores, VEX)."""
    fixes: tuple[FleetFix, ...] = ()
    """The fix plan."""
    not_audited: tuple[NotAuditedEntry, ...] = ()
    """Requirements that could not be checked."""
    errors: tuple[str, ...] = ()
    """Inputs of the project that could not be read (the report's errors)."""
    warnings: tuple[str, ...] = ()
    """The report's warnings."""
    skipped: tuple[str, ...] = ()
    """Checks that could not run, each ``check: reason``."""
    failed: bool = False
    """The gate's verdict: the project fails (as its own command would exit 1)."""
    exit_code: int = 0
    """What the project's own command would have exited with."""
    data: str = ""
    """The advisory data used: its origin and newest record's time (two workers with
    different data give different values; the fleet report says so)."""
    page: str | None = None
    """The project's HTML page, relative to the pages directory, when written."""

    @property
    def worst(self) -> Level | None:
        """The highest severity among the kept findings (None: no findings)."""
        return worst_level(f.level for f in self.findings)

    def counts(self) -> dict[Level, int]:
        """Kept findings by severity, every level present (zeros included)."""
        counts: dict[Level, int] = dict.fromkeys(LEVELS, 0)
        for f in self.findings:
            counts[f.level] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict that :meth:`from_json` reads back into an equal result."""
        data: dict[str, Any] = _to_json(self)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProjectResult:
        """The result :meth:`to_json` wrote. Raises ``KeyError``/``TypeError``/
        ``ValueError`` on anything else (a cache entry that is not one is re-run)."""
        return ProjectResult(
            project=str(data["project"]),
            state=_state(data["state"]),
            error=_opt(data.get("error")),
            inputs=_strs(data.get("inputs", ())),
            components=int(data.get("components", 0)),
            findings=tuple(_finding(f) for f in data.get("findings", ())),
            suppressed=int(data.get("suppressed", 0)),
            fixes=tuple(_fix(f) for f in data.get("fixes", ())),
            not_audited=tuple(
                NotAuditedEntry(requirement=str(n["requirement"]), reason=str(n["reason"]))
                for n in data.get("not_audited", ())
            ),
            errors=_strs(data.get("errors", ())),
            warnings=_strs(data.get("warnings", ())),
            skipped=_strs(data.get("skipped", ())),
            failed=bool(data.get("failed", False)),
            exit_code=int(data.get("exit_code", 0)),
            data=str(data.get("data", "")),
            page=_opt(data.get("page")),
        )


def worst_level(levels: Iterable[Level]) -> Level | None:
    """The highest of ``levels`` in :data:`~pyward._findings.LEVELS` order (None when
    there are none)."""
    return min(levels, key=LEVEL_RANK.__getitem__, default=None)


def _to_json(value: Any) -> Any:
    if isinstance(value, (ProjectResult, FleetFinding, FleetFix, NotAuditedEntry)):
        return {name: _to_json(getattr(value, name)) for name in value.__slots__}
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _strs(values: Any) -> tuple[str, ...]:
    if isinstance(values, (str, bytes)):
        raise TypeError("expected a list of strings")
    return tuple(str(v) for v in values)


def _state(value: object) -> ProjectState:
    if value == "audited":
        return "audited"
    if value == "failed":
        return "failed"
    raise ValueError(f"unknown state {value!r}")


def _level(value: object) -> Level:
    for level in LEVELS:
        if value == level:
            return level
    raise ValueError(f"unknown level {value!r}")


def _finding(data: Mapping[str, Any]) -> FleetFinding:
    return FleetFinding(
        id=str(data["id"]),
        kind=str(data["kind"]),
        aliases=_strs(data.get("aliases", ())),
        package=_opt(data.get("package")),
        version=_opt(data.get("version")),
        level=_level(data["level"]),
        summary=str(data.get("summary", "")),
        fix=_opt(data.get("fix")),
        fails=bool(data.get("fails", False)),
        direct=bool(data.get("direct", False)),
    )


def _fix(data: Mapping[str, Any]) -> FleetFix:
    return FleetFix(
        package=str(data["package"]),
        version=_opt(data.get("version")),
        target=_opt(data.get("target")),
        fixes=_strs(data.get("fixes", ())),
        unfixed=_strs(data.get("unfixed", ())),
        action=str(data.get("action", "upgrade")),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetRun:
    """Everything a fleet run found, before the roll-up: one result per project."""

    job: FleetJob
    """What every project got."""
    results: tuple[ProjectResult, ...]
    """One per project (discovery failures included, as ``failed`` results), sorted by
    project id."""
    cached: tuple[str, ...] = ()
    """Ids of the projects whose result came from the incremental cache, sorted."""
    runner: str = ""
    """How the projects were run, for people (``2 local processes``, ``Dask at
    tcp://10.0.0.5:8786 (8 workers)``); not part of the results."""
