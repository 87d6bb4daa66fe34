"""The pre-install gate's mechanics (``pyward install``): have the installer resolve
what the user asked for without installing it, and install exactly a resolved set.

The steps, each a function the command calls in turn:

1. :func:`split_arguments` sorts pip's arguments into what the resolution takes (all of
   them, as given), what the install step takes again (where from and where to:
   index, find-links, target, binary and build options) and, for uv, the requirements
   to write into its input file.
2. :func:`resolve_with_pip` runs ``python -m pip install --dry-run --report FILE``
   (:mod:`pyward._inventory._pipreport` reads it); :func:`resolve_with_uv` runs
   ``uv pip compile --generate-hashes`` (read as a requirements file).
3. :func:`plan_install` turns the checked inventory into the install's requirements:
   each release from an index as ``name==version --hash=...``, each direct reference
   (a VCS checkout at its commit, a directory) as itself, with no hash to require.
4. :func:`install` runs ``pip install --no-deps --require-hashes -r FILE`` for the pinned
   set, then ``pip install --no-deps`` for the direct references: nothing is resolved
   again, and a file whose hash differs from the checked one is refused by pip.

Nothing here reads the environment: the command passes the interpreter, uv's path and
the settings in.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pyward.errors import InstallerError, UsageError

if TYPE_CHECKING:
    from pyward._model import Inventory

__all__ = [
    "INSTALLERS",
    "InstallPlan",
    "PipArguments",
    "install",
    "plan_install",
    "resolve_with_pip",
    "resolve_with_uv",
    "split_arguments",
    "target_python",
]

Installer = Literal["pip", "uv"]
#: The resolvers ``--installer`` takes.
INSTALLERS: tuple[Installer, ...] = ("pip", "uv")

#: The hash algorithms pip's hash-checking mode takes
#: (https://pip.pypa.io/en/stable/topics/secure-installs/#hash-checking-mode).
PIP_HASHES = ("sha256", "sha384", "sha512")

_Role = Literal["resolve", "both", "refuse"]


@dataclass(frozen=True, slots=True)
class _Option:
    """One of pip's ``install`` options, as the gate treats it."""

    takes_value: bool
    role: _Role
    """``resolve``: only the resolution takes it (``-r``, ``--pre``); ``both``: the
    install step takes it again (``--index-url``, ``--target``); ``refuse``: the gate
    sets it itself or it would defeat the gate."""
    uv: str | None = None
    """uv's spelling (``uv pip compile``), when uv's resolution takes it."""


def _table() -> dict[str, _Option]:
    resolve_only = {
        # Requirements and what limits them are the resolution's input; the install step
        # gets the resolved pins instead.
        ("-r", "--requirement"): _Option(True, "resolve"),
        ("-c", "--constraint"): _Option(True, "resolve", "--constraint"),
        ("-e", "--editable"): _Option(True, "resolve"),
        ("--group",): _Option(True, "resolve"),
        ("--no-deps",): _Option(False, "resolve", "--no-deps"),
        ("--pre",): _Option(False, "resolve", "--prerelease=allow"),
        ("--upgrade-strategy",): _Option(True, "resolve"),
        ("--uploaded-prior-to",): _Option(True, "resolve", "--exclude-newer"),
        ("--require-hashes",): _Option(False, "resolve"),
        ("-q", "--quiet"): _Option(False, "resolve"),
    }
    both_value = {
        ("-i", "--index-url"): "--index-url",
        ("--extra-index-url",): "--extra-index-url",
        ("-f", "--find-links"): "--find-links",
        ("--only-binary",): "--only-binary",
        ("--no-binary",): "--no-binary",
        ("--python-version",): None,
        ("--platform",): None,
        ("--implementation",): None,
        ("--abi",): None,
        ("-t", "--target"): None,
        ("--prefix",): None,
        ("--root",): None,
        ("--src",): None,
        ("--trusted-host",): None,
        ("--cert",): None,
        ("--client-cert",): None,
        ("--proxy",): None,
        ("--timeout",): None,
        ("--retries",): None,
        ("--keyring-provider",): "--keyring-provider",
        ("--cache-dir",): None,
        ("-C", "--config-settings"): "--config-settings",
        ("--root-user-action",): None,
        ("--exists-action",): None,
        ("--progress-bar",): None,
        ("--use-feature",): None,
        ("--use-deprecated",): None,
        ("--log",): None,
    }
    both_flag = {
        ("--no-index",): "--no-index",
        ("--prefer-binary",): None,
        ("--user",): None,
        ("-U", "--upgrade"): None,
        ("--force-reinstall",): None,
        ("-I", "--ignore-installed"): None,
        ("--ignore-requires-python",): None,
        ("--no-build-isolation",): "--no-build-isolation",
        ("--use-pep517",): None,
        ("--check-build-dependencies",): None,
        ("--no-compile",): None,
        ("--compile",): None,
        ("--no-warn-script-location",): None,
        ("--no-warn-conflicts",): None,
        ("--break-system-packages",): "--break-system-packages",
        ("--no-cache-dir",): "--no-cache",
        ("--isolated",): None,
        ("--no-input",): None,
        ("--disable-pip-version-check",): None,
        ("--no-clean",): None,
        ("-v", "--verbose"): None,
    }
    refused = {
        ("--dry-run",): _Option(False, "refuse"),
        ("--report",): _Option(True, "refuse"),
        ("--python",): _Option(True, "refuse"),
        ("-h", "--help"): _Option(False, "refuse"),
    }
    table: dict[str, _Option] = {}
    for names, option in (*resolve_only.items(), *refused.items()):
        table.update(dict.fromkeys(names, option))
    for names, uv in both_value.items():
        table.update(dict.fromkeys(names, _Option(True, "both", uv)))
    for names, uv in both_flag.items():
        table.update(dict.fromkeys(names, _Option(False, "both", uv)))
    return table


#: pip's ``install`` options by every spelling (``-i``, ``--index-url``).
OPTIONS: Mapping[str, _Option] = _table()

_REFUSED = {
    "--dry-run": "pyward install's own --dry-run goes before the package arguments",
    "--report": "pyward asks pip for the report itself",
    "--python": "pyward install's own --python PATH goes before the package arguments",
    "-h": "see pyward install --help",
    "--help": "see pyward install --help",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PipArguments:
    """The arguments of ``pyward install`` meant for the installer, sorted."""

    given: tuple[str, ...]
    """All of them, as given: the resolution takes them."""
    install: tuple[str, ...]
    """The options the install step takes again (index, target, binary and build
    options), as given."""
    requirements: tuple[str, ...]
    """Requirement specifiers and ``-e REF`` / ``-r FILE`` lines, for uv's input file."""
    uv: tuple[str, ...]
    """The options ``uv pip compile`` takes, in uv's spelling."""
    index_url: str | None
    """The index the resolution uses (``-i``), if given."""
    target: str | None
    """``--target DIR``, if given."""


def split_arguments(args: Sequence[str]) -> PipArguments:
    """Sort ``args`` (pip ``install`` arguments); an option the gate does not know, or
    one it must set itself, is a :class:`~pyward.errors.UsageError`."""
    given = list(args)
    if given[:1] == ["--"]:
        given = given[1:]
    install: list[str] = []
    requirements: list[str] = []
    uv: list[str] = []
    index_url: str | None = None
    target: str | None = None
    i = 0
    while i < len(given):
        arg = given[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            # A local path as pip tells one from a name: it has a separator, starts with
            # a dot or names an archive.
            local = arg.startswith(".") or "/" in arg or arg.endswith(_ARCHIVES)
            requirements.append(_absolute(arg) if local else arg)
            continue
        name, eq, attached = arg.partition("=") if arg.startswith("--") else (arg[:2], "", arg[2:])
        option = OPTIONS.get(name)
        if option is None:
            raise UsageError(
                f"pyward install: pip option {name!r} is not one the gate knows; "
                "run pip itself for it, or see docs/policy.md#pyward-install"
            )
        if option.role == "refuse":
            raise UsageError(f"pyward install: {name} is not passed to pip: {_REFUSED[name]}")
        value: str | None = None
        if option.takes_value:
            if eq or attached:
                value = attached
            elif i < len(given):
                value = given[i]
                i += 1
            else:
                raise UsageError(f"pyward install: {name} needs a value")
            if not value:
                raise UsageError(f"pyward install: {name} needs a value")
        elif eq or attached:
            raise UsageError(f"pyward install: {name} takes no value")
        spelled = [name] if value is None else [name, value]
        if name in ("-i", "--index-url"):
            index_url = value
        elif name in ("-t", "--target"):
            target = value
        if name in ("-r", "--requirement", "-e", "--editable"):
            # uv reads them from a file in another directory: local paths are made
            # absolute, as they name files from the current one.
            requirements.append(f"{name} {_absolute(value or '')}")
        if option.role == "both":
            install.extend(spelled)
        if option.uv is not None:
            uv.extend([option.uv] if value is None else [option.uv, value])
    return PipArguments(
        given=tuple(given),
        install=tuple(install),
        requirements=tuple(requirements),
        uv=tuple(uv),
        index_url=index_url,
        target=target,
    )


_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")


def _absolute(ref: str) -> str:
    """``ref`` made absolute when it names an existing local file or directory."""
    if "://" in ref or "@" in ref:
        return ref
    path = Path(ref)
    return str(path.resolve()) if path.exists() else ref


def target_python(option: str | None, virtual_env: Path | None, running: str) -> str:
    """The interpreter to install into: ``--python`` (an interpreter, or a virtual
    environment's directory), else the active virtual environment's, else ``running``."""
    if option is not None:
        path = Path(option)
        if path.is_dir():
            found = _venv_python(path)
            if found is None:
                raise UsageError(f"--python {option}: no bin/python in this directory")
            return str(found)
        if not path.exists():
            raise UsageError(f"--python {option}: no such interpreter")
        return option
    if virtual_env is not None:
        found = _venv_python(virtual_env)
        if found is not None:
            return str(found)
    return running


def _venv_python(directory: Path) -> Path | None:
    for candidate in (directory / "bin" / "python", directory / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    return None


def _run(argv: Sequence[str], what: str, *, cwd: Path | None = None) -> str:
    """Run ``argv``; its output goes to stderr (stdout may carry the report). A failure
    is an :class:`InstallerError` saying ``what`` failed."""
    try:
        # The user's installer, with the user's arguments, never through a shell:
        done = subprocess.run(  # noqa: S603 # nosec B603
            list(argv), capture_output=True, text=True, errors="replace", cwd=cwd, check=False
        )
    except OSError as exc:
        raise InstallerError(f"{what}: cannot run {argv[0]}: {exc.strerror or exc}") from None
    _relay(done.stdout)
    _relay(done.stderr)
    if done.returncode != 0:
        last = next(
            (line.strip() for line in reversed(done.stderr.splitlines()) if line.strip()), ""
        )
        from pyward._text import redact_text

        detail = f": {redact_text(last)}" if last else ""
        raise InstallerError(f"{what} (exit {done.returncode}){detail}")
    return done.stdout


def _relay(text: str) -> None:
    if not text.strip():
        return
    from pyward._text import redact_text, visible

    lines = text.splitlines()
    sys.stderr.write("".join(visible(redact_text(line)) + "\n" for line in lines))
    sys.stderr.flush()


def _pip(python: str) -> list[str]:
    return [python, "-m", "pip", "--disable-pip-version-check"]


def resolve_with_pip(python: str, args: PipArguments, directory: Path) -> Path:
    """pip's installation report of ``args`` (``pip install --dry-run``: nothing is
    installed), written in ``directory``. pip reports what it would install into that
    interpreter's environment (or ``--target``): a requirement already satisfied there
    is not in it, as it would not be installed."""
    report = directory / "pip-report.json"
    argv = [*_pip(python), "install", "--dry-run", "--quiet", "--report", str(report)]
    _run([*argv, *args.given], "pip could not resolve the requirements; nothing was installed")
    return report


def resolve_with_uv(uv: str, python: str, args: PipArguments, directory: Path) -> Path:
    """uv's resolution of ``args`` for ``python``, pinned with every file's hash
    (``uv pip compile --generate-hashes``), written in ``directory``."""
    if not args.requirements:
        raise UsageError("pyward install: name what to install (a requirement, -r FILE or -e REF)")
    source = directory / "requirements.in"
    source.write_text("".join(f"{r}\n" for r in args.requirements), "utf-8")
    out = directory / "requirements.txt"
    argv = [uv, "pip", "compile", "--quiet", "--generate-hashes", "--python", python]
    _run(
        [*argv, *args.uv, "--output-file", str(out), str(source)],
        "uv could not resolve the requirements; nothing was installed",
    )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallPlan:
    """What the install step installs: the checked set, and nothing else."""

    pinned: tuple[str, ...]
    """Requirement lines pinned with their hashes (``name==version --hash=sha256:...``,
    or ``name @ URL --hash=...`` for a direct archive)."""
    direct: tuple[str, ...]
    """Direct references installed as they are, with no hash to check (a VCS checkout
    at its commit, a local directory; ``-e REF`` for an editable one)."""
    pinned_names: tuple[str, ...]
    """``name version`` of each :attr:`pinned` line, for the messages."""
    names: tuple[str, ...]
    """``name version`` of every component, for the messages."""

    @property
    def empty(self) -> bool:
        return not self.pinned and not self.direct


def plan_install(inventory: Inventory) -> InstallPlan:
    """The requirements that install exactly ``inventory``'s components. A release from
    an index without a hash pip can check is an :class:`InstallerError`: it could not be
    installed pinned."""
    pinned: list[str] = []
    pinned_names: list[str] = []
    direct: list[str] = []
    names: list[str] = []
    for c in inventory.components:
        name = c.display_name or c.name
        names.append(f"{name} {c.version}")
        hashes = " ".join(
            f"--hash={h.algorithm}:{h.value}" for h in c.hashes if h.algorithm in PIP_HASHES
        )
        marker = f" ; {c.markers}" if c.markers else ""
        if c.source == "registry":
            if not hashes:
                raise InstallerError(
                    f"{name} {c.version}: the resolution records no sha256 hash for it, so it "
                    "cannot be installed pinned; nothing was installed"
                )
            pinned.append(f"{name}=={c.version}{marker} {hashes}")
            pinned_names.append(names[-1])
        elif c.source in ("path", "url") and hashes and c.source_url:
            pinned.append(f"{name} @ {c.source_url}{marker} {hashes}")
            pinned_names.append(names[-1])
        elif c.source == "editable" and c.source_url:
            direct.append(f"-e {c.source_url}")
        elif c.source_url:
            direct.append(f"{name} @ {c.source_url}")
        else:
            raise InstallerError(
                f"{name} {c.version}: the resolution says neither its index nor its URL; "
                "nothing was installed"
            )
    for n in inventory.not_audited:
        # A requirement uv's output writes as a URL (``name @ git+...``): installed as
        # written, as pip would.
        direct.append(n.requirement)
        names.append(n.requirement)
    return InstallPlan(
        pinned=tuple(pinned),
        pinned_names=tuple(pinned_names),
        direct=tuple(direct),
        names=tuple(names),
    )


def install(python: str, plan: InstallPlan, args: PipArguments, directory: Path) -> None:
    """Install ``plan`` with ``python``'s pip and the install step's options of ``args``:
    the pinned set in hash-checking mode, then the direct references, each without its
    dependencies (they are in the plan)."""
    base = [*_pip(python), "install", "--no-deps", *args.install]
    if plan.pinned:
        pinned = directory / "pinned.txt"
        pinned.write_text("".join(f"{line}\n" for line in plan.pinned), "utf-8")
        _run(
            [*base, "--require-hashes", "-r", str(pinned)],
            "pip could not install the checked set; nothing was installed",
        )
    if plan.direct:
        refs: list[str] = []
        for ref in plan.direct:
            refs.extend(ref.split(" ", 1) if ref.startswith("-e ") else [ref])
        done = (
            "the releases pinned with their hashes were installed"
            if plan.pinned
            else "nothing was installed"
        )
        _run([*base, *refs], f"pip could not install the direct references; {done}")
