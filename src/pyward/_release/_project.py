"""The project's own files: a security policy (``policy``), deprecation warnings as errors
in the tests (``tests``) and the package metadata (``metadata``) of ``pyward
release-check``.

Each rule reads the checkout only. What cannot be decided from the files (metadata that a
``setup.py`` or a build backend computes: PEP 621 ``dynamic``) is reported as not
checked, never as a finding: :func:`scan` yields its hits, then raises one
:class:`~pyward.errors.InputError` naming what it left unchecked, which the runner
records as a "not checked" entry.
"""

from __future__ import annotations

import configparser
import contextlib
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pyward._release._model import CategoryInputError, Hit, Repo, Rule
from pyward.errors import InputError

__all__ = ["RULES", "scan", "source_packages"]

RULES: tuple[Rule, ...] = (
    Rule(
        id="security-policy",
        category="policy",
        severity="medium",
        title="a SECURITY.md tells reporters how to report a vulnerability",
        rationale=(
            "Without a security policy, a person who finds a vulnerability has no way to "
            "report it but a public issue, which discloses it to attackers before a fix "
            "exists. OpenSSF Scorecard's Security-Policy check looks for the same file."
        ),
        fix=(
            "Add SECURITY.md at the repository root (or in .github/ or docs/) that says "
            "which versions get security fixes and how to report a vulnerability privately, "
            "e.g. 'Report vulnerabilities through GitHub's private vulnerability reporting: "
            "https://github.com/OWNER/REPO/security/advisories/new'."
        ),
    ),
    Rule(
        id="security-policy-no-private-channel",
        category="policy",
        severity="medium",
        title="the security policy names a private reporting channel",
        rationale=(
            "A policy that sends reporters to the public issue tracker, or names no "
            "channel at all, leads to vulnerabilities being disclosed before they are "
            "fixed. A private channel (an e-mail address, GitHub private vulnerability "
            "reporting, Tidelift's security contact, a bug-bounty platform) keeps the "
            "report confidential until a release fixes it."
        ),
        fix=(
            "Name one private channel in SECURITY.md: enable GitHub private vulnerability "
            "reporting (Settings > Code security) and link "
            "https://github.com/OWNER/REPO/security/advisories/new, or give a monitored "
            "security@ e-mail address."
        ),
    ),
    Rule(
        id="deprecations-not-errors",
        category="tests",
        severity="medium",
        title="deprecation warnings are errors when the tests run",
        rationale=(
            "A deprecation warning announces that an API the project calls will go away, "
            "often because it is unsafe. Turned into errors in the tests, the warnings "
            "fail CI the day a dependency deprecates something, long before the removal "
            "breaks a release, so security upgrades of dependencies stay easy."
        ),
        fix=(
            "Make warnings errors in the pytest configuration, and ignore specific, "
            "understood warnings by message or module after it:\n"
            '[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n'
            "(or run the tests with PYTHONWARNINGS=error / python -W error in CI)."
        ),
    ),
    Rule(
        id="license-expression",
        category="metadata",
        severity="low",
        title="[project] license is a PEP 639 SPDX licence expression",
        rationale=(
            "PEP 639 makes the licence a machine-readable SPDX expression (license = "
            '"MIT"). The legacy table form ({text = ...} or {file = ...}) and licence '
            "classifiers leave users' licence policies (and pyward check) guessing what "
            "the package may be used under."
        ),
        fix=(
            'Write the SPDX expression in pyproject.toml: license = "Apache-2.0" (or '
            '"MIT OR Apache-2.0"), drop the "License ::" classifiers, and list the '
            'licence texts in license-files = ["LICENSE*"].'
        ),
    ),
    Rule(
        id="license-files",
        category="metadata",
        severity="low",
        title="[project] license-files names the licence texts the repository holds",
        rationale=(
            "PEP 639 leaves it to each build backend which licence files go into a "
            "distribution unless license-files says so; declaring them makes every "
            "sdist and wheel carry the licence text the licence requires to be "
            "distributed with the code, and records them in the core metadata."
        ),
        fix=(
            'Add license-files = ["LICENSE*"] (the globs matching your licence files) to [project].'
        ),
    ),
    Rule(
        id="source-url",
        category="metadata",
        severity="low",
        title="[project.urls] links the source repository",
        rationale=(
            "A Source (or Repository) URL lets users and tools go from the package on the "
            "index to the code it was built from, to compare a release with its tag and "
            "to verify Trusted Publishing attestations against the repository."
        ),
        fix=(
            "Add the repository under a well-known label (PEP 753):\n\n"
            "```toml\n"
            "[project.urls]\n"
            'Source = "https://github.com/OWNER/REPO"\n'
            "```\n\n"
            "Repository and Code are well-known labels for it too."
        ),
    ),
    Rule(
        id="requires-python",
        category="metadata",
        severity="low",
        title="[project] requires-python says which Pythons the package supports",
        rationale=(
            "Without requires-python, installers on an old or end-of-life interpreter "
            "pick the newest release even when it cannot run there, and users stuck on "
            "an unsupported Python get no signal that they should move."
        ),
        fix='Add requires-python = ">=3.10" (your oldest supported Python) to [project].',
    ),
)

# -- policy ---------------------------------------------------------------------------

#: Where GitHub (and Scorecard) look for a security policy, in order of preference.
_POLICY_DIRS = ("", ".github/", "docs/")
_POLICY_NAMES = ("security.md", "security.rst", "security.txt")

#: What counts as a private reporting channel, each with a name for the docs.
_CHANNELS: tuple[re.Pattern[str], ...] = (
    # an e-mail address: not a no-reply one, which cannot receive a report, nor a git
    # SSH remote (git@host:...) or a pinned reference (actions/checkout@v4.1.1)
    re.compile(
        r"(?<![\w.+/-])(?!\S*noreply)(?!git@)[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b(?!:)",
        re.I,
    ),
    # GitHub private vulnerability reporting: the form's URL and its button's label
    re.compile(
        r"security/advisories/new|report a vulnerability|private vulnerability report", re.I
    ),
    # Tidelift's security contact
    re.compile(r"tidelift\.com/security|tidelift security contact", re.I),
    # a security.txt (RFC 9116) or a bug-bounty / disclosure platform
    re.compile(r"security\.txt|hackerone\.com|bugcrowd\.com|huntr\.(com|dev)|intigriti\.com", re.I),
    # GitLab's confidential issues are visible to maintainers only
    re.compile(r"confidential issue", re.I),
)

#: A line that is about reporting, the best place to point at when no channel is named.
_REPORTING = re.compile(r"report|disclos|contact|/issues", re.I)


def _policy_files(repo: Repo) -> list[str]:
    """Every security policy file, case-insensitively (``Security.md`` counts), in
    :data:`_POLICY_DIRS` order."""
    found: list[str] = []
    for folder in _POLICY_DIRS:
        directory = repo.root / folder if folder else repo.root
        try:
            names = sorted(entry.name for entry in directory.iterdir())
        except OSError:
            continue
        for wanted in _POLICY_NAMES:
            found.extend(f"{folder}{name}" for name in names if name.lower() == wanted)
    return found


def _scan_policy(repo: Repo) -> Iterator[Hit]:
    files = [name for name in _policy_files(repo) if repo.text(name) is not None]
    if not files:
        yield Hit(
            rule="security-policy",
            message="no SECURITY.md (or .rst/.txt) in the repository root, .github/ or docs/",
        )
        return
    for name in files:
        text = repo.text(name) or ""
        if any(channel.search(text) for channel in _CHANNELS):
            return
    # No file names a channel: point at the first one's line about reporting, if any.
    name = files[0]
    lines = (repo.text(name) or "").splitlines()
    public = next((n for n, text in enumerate(lines, 1) if "/issues" in text), None)
    line = public or next((n for n, text in enumerate(lines, 1) if _REPORTING.search(text)), None)
    yield Hit(
        rule="security-policy-no-private-channel",
        message=(
            f"{name} sends reporters to the public issue tracker and names no private channel"
            if public is not None
            else f"{name} names no private reporting channel (e-mail, GitHub private "
            "vulnerability reporting, Tidelift, security.txt)"
        ),
        file=name,
        line=line,
    )


# -- tests ----------------------------------------------------------------------------

_DEPRECATIONS = {"DeprecationWarning", "Warning", ""}
_PARTIAL = {"PendingDeprecationWarning", "FutureWarning"}


@dataclass(frozen=True, slots=True)
class _Filter:
    """One ``filterwarnings`` entry (``action:message:category:module:lineno``), where
    it is written."""

    action: str
    message: str
    category: str
    module: str
    file: str
    line: int | None

    @classmethod
    def parse(cls, entry: str, file: str, line: int | None) -> _Filter:
        parts = [part.strip() for part in entry.split(":")]
        parts += [""] * (5 - len(parts))
        category = parts[2].removeprefix("builtins.")
        return cls(parts[0].lower(), parts[1], category, parts[3], file, line)


@dataclass(frozen=True, slots=True)
class _PytestConfig:
    """The pytest configuration that pytest itself would use, as far as warnings go."""

    file: str
    line: int | None
    filters: tuple[_Filter, ...]


def _ini_key_line(text: str, section: str, key: str) -> tuple[int | None, int | None]:
    """The lines of ``[section]`` and of ``key`` inside it (``None`` where absent)."""
    section_line = key_line = None
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1].strip()
            if current == section and section_line is None:
                section_line = number
            continue
        if current == section and re.match(rf"{re.escape(key)}\s*[=:]", stripped):
            key_line = number
    return section_line, key_line


def _ini_config(repo: Repo, file: str, section: str) -> _PytestConfig | None:
    text = repo.text(file)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=file)
    except configparser.Error as exc:
        where = getattr(exc, "lineno", None)
        raise InputError(
            file,
            f"not an INI file: {' '.join(str(exc).split())}",
            where=f"line {where}" if where else None,
        ) from None
    if not parser.has_section(section):
        return None
    section_line, key_line = _ini_key_line(text, section, "filterwarnings")
    filters: list[_Filter] = []
    lines = text.splitlines()
    for raw in parser.get(section, "filterwarnings", fallback="").splitlines():
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        # Continuation lines follow the key: the first that holds the entry is its line.
        line = key_line
        if key_line is not None:
            line = next(
                (n for n in range(key_line, len(lines) + 1) if entry in lines[n - 1]), key_line
            )
        filters.append(_Filter.parse(entry, file, line))
    filters.extend(_addopts_filters(parser.get(section, "addopts", fallback=""), file, None))
    return _PytestConfig(file, key_line or section_line, tuple(filters))


def _addopts_filters(addopts: str | list[str], file: str, line: int | None) -> list[_Filter]:
    """``-W FILTER`` / ``-WFILTER`` / ``--pythonwarnings=FILTER`` in pytest's ``addopts``."""
    text = addopts if isinstance(addopts, str) else " ".join(str(a) for a in addopts)
    return [
        _Filter.parse(m["filter"].strip("'\""), file, line)
        for m in re.finditer(r"(?:-W\s*|--pythonwarnings[=\s]+)(?P<filter>\S+)", text)
    ]


def _pyproject_config(repo: Repo) -> _PytestConfig | None:
    tool = repo.pyproject().get("tool")
    pytest_table = tool.get("pytest") if isinstance(tool, Mapping) else None
    if not isinstance(pytest_table, Mapping):
        return None
    # pytest 9 reads native TOML options from [tool.pytest] itself, older ones the
    # [tool.pytest.ini_options] table (https://docs.pytest.org/en/stable/reference/customize.html).
    options = pytest_table.get("ini_options")
    path: tuple[str, ...] = ("tool", "pytest", "ini_options")
    if not isinstance(options, Mapping):
        options, path = pytest_table, ("tool", "pytest")
    from pyward._inventory._toml import value_lines

    lines = value_lines(repo.text("pyproject.toml") or "")
    entries = options.get("filterwarnings", [])
    if isinstance(entries, str):
        entries = entries.splitlines()
    filters = [
        _Filter.parse(entry, "pyproject.toml", lines.get((*path, "filterwarnings", index)))
        for index, entry in enumerate(entries if isinstance(entries, list) else [])
        if isinstance(entry, str)
    ]
    addopts = options.get("addopts", "")
    if isinstance(addopts, (str, list)):
        filters.extend(_addopts_filters(addopts, "pyproject.toml", lines.get((*path, "addopts"))))
    line = lines.get((*path, "filterwarnings")) or lines.get(path)
    return _PytestConfig("pyproject.toml", line, tuple(filters))


def _pytest_config(repo: Repo) -> _PytestConfig | None:
    """The configuration file pytest would pick, in its own order: ``pytest.ini`` (even
    without a section), ``.pytest.ini``, ``pyproject.toml``, ``tox.ini``, ``setup.cfg``."""
    for name in ("pytest.ini", ".pytest.ini"):
        if repo.text(name) is not None:
            return _ini_config(repo, name, "pytest") or _PytestConfig(name, None, ())
    return (
        _pyproject_config(repo)
        or _ini_config(repo, "tox.ini", "pytest")
        or _ini_config(repo, "setup.cfg", "tool:pytest")
    )


def _covers(item: _Filter, categories: set[str]) -> bool:
    return item.category in categories


def _own_module(module: str, packages: Iterable[str]) -> bool:
    """The ``module`` regex of a filter (``pkg``, ``pkg.*``, ``^pkg\\..*``) starts with
    one of the top-level ``packages``."""
    head = re.match(r"\^?([A-Za-z_]\w*)", module)
    return head is not None and head[1] in packages


# PYTHONWARNINGS=error / python -W error[::DeprecationWarning] / pytest -W error...
_CI_ERROR = re.compile(
    r"PYTHONWARNINGS[\"'\]]*\s*[=:,]\s*[\"']?(?P<env>[^\s\"',}]*)"
    r"|(?:\s|^|[\"'])-W[\"']?[\s,]*[\"']?(?P<flag>error[^\s\"']*)",
    re.M,
)


def _ci_files(repo: Repo) -> list[str]:
    files: list[str] = []
    workflows = repo.root / ".github" / "workflows"
    with contextlib.suppress(OSError):
        files.extend(
            f".github/workflows/{p.name}"
            for p in sorted(workflows.iterdir())
            if p.suffix in {".yml", ".yaml"}
        )
    files.extend([".gitlab-ci.yml", "tox.ini", "noxfile.py"])
    return [name for name in files if repo.text(name) is not None]


def _workflow_env_warnings(repo: Repo) -> list[str]:
    """The ``PYTHONWARNINGS`` values the CI configuration sets (GitHub ``env:`` of the
    workflow, a job or a step; GitLab ``variables:``), as :mod:`._ci` reads it. A file
    that is not valid YAML gives nothing here: the workflows category reports it."""
    from pyward._release._ci import load_workflows

    found: list[str] = []
    for workflow in load_workflows(repo, errors=[]):
        for job in workflow.jobs:
            values = [
                job.env.get("PYTHONWARNINGS"),
                *(s.env.get("PYTHONWARNINGS") for s in job.steps),
            ]
            found.extend(value for value in values if isinstance(value, str))
    return found


def _is_error(value: str, categories: set[str]) -> bool:
    """A ``-W``/``PYTHONWARNINGS`` value (comma-separated filters) makes one of
    ``categories`` an error."""
    for entry in value.split(","):
        item = _Filter.parse(entry, "", None)
        if (
            item.action == "error"
            and not item.message
            and not item.module
            and item.category in categories
        ):
            return True
    return False


def _ci_makes_errors(repo: Repo, categories: set[str]) -> bool:
    for name in _ci_files(repo):
        text = repo.text(name) or ""
        values = [m["env"] or m["flag"] or "" for m in _CI_ERROR.finditer(text)]
        if any(_is_error(value, categories) for value in values):
            return True
    return any(_is_error(value, categories) for value in _workflow_env_warnings(repo))


def _scan_tests(repo: Repo) -> Iterator[Hit]:
    config = _pytest_config(repo)
    filters = config.filters if config else ()
    full = _DEPRECATIONS
    # The last matching filter wins (pytest applies them in order, later ones first).
    state: str | None = None
    last_error: _Filter | None = None
    error_at: _Filter | None = None
    cancelled: _Filter | None = None
    for item in filters:
        if item.message or item.module:
            continue
        if item.action == "error" and _covers(item, full):
            last_error = item
            state, error_at, cancelled = "full", item, None
        elif item.action == "error" and _covers(item, _PARTIAL) and state is None:
            state, error_at = "partial", item
        elif item.action in {"ignore", "default", "always", "module", "once"} and (
            _covers(item, full) and state == "full"
        ):
            state, cancelled = None, item
    if cancelled is not None and not _ci_makes_errors(repo, full):
        yield Hit(
            rule="deprecations-not-errors",
            message=(
                f"filterwarnings {cancelled.action}::{cancelled.category or 'Warning'} after "
                '"error" turns deprecation warnings back off'
            ),
            file=cancelled.file,
            line=cancelled.line,
        )
    elif state is None and not _ci_makes_errors(repo, full):
        where = (
            f'{config.file} filterwarnings has neither "error" nor "error::DeprecationWarning"'
            if config
            else "no pytest configuration makes them errors"
        )
        yield Hit(
            rule="deprecations-not-errors",
            message=(
                f"deprecation warnings are not errors in the tests ({where}, and CI sets no "
                "PYTHONWARNINGS=error or -W error)"
            ),
            file=config.file if config else None,
            line=config.line if config else None,
        )
    elif state == "partial" and error_at is not None and not _ci_makes_errors(repo, full):
        yield Hit(
            rule="deprecations-not-errors",
            message=(
                f"only {error_at.category} is an error; DeprecationWarning is not "
                '(add "error::DeprecationWarning")'
            ),
            file=error_at.file,
            line=error_at.line,
            severity="low",
        )
    # Deprecations inside the project's own package must stay errors: it can fix them.
    # Only the filters after the last "error" can override it (the last match wins).
    if state == "full" and last_error is not None:
        packages = {path.rsplit("/", 1)[-1] for path in source_packages(repo)}
        project = repo.pyproject().get("project")
        if isinstance(project, Mapping) and isinstance(project.get("name"), str):
            packages.add(_identifier(project["name"]))
        for item in filters[filters.index(last_error) + 1 :]:
            if (
                item.action == "ignore"
                and _covers(item, full)
                and not item.message
                and _own_module(item.module, packages)
            ):
                yield Hit(
                    rule="deprecations-not-errors",
                    message=(
                        f"filterwarnings ignores {item.category or 'Warning'} raised in the "
                        f"project's own package {item.module!r}"
                    ),
                    file=item.file,
                    line=item.line,
                    severity="low",
                    subject=item.module,
                )


# -- metadata -------------------------------------------------------------------------

#: PEP 753 well-known labels (normalised) for the source repository, and "code".
_SOURCE_LABELS = {"source", "repository", "sourcecode", "github", "gitlab", "code"}
_PUNCTUATION = str.maketrans("", "", string.punctuation + string.whitespace)

#: Files a licence is usually in (hatchling's and setuptools' default license-files).
_LICENSE_FILE = re.compile(r"^(licen[cs]e|copying|notice|authors)", re.I)
_LICENSE_REF = re.compile(r"^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")


def _normalise_label(label: str) -> str:
    """PEP 753: drop punctuation and whitespace, lower-case."""
    return label.translate(_PUNCTUATION).lower()


def _spdx_problem(expression: str) -> str | None:
    """Why ``expression`` is not a valid SPDX licence expression, or ``None``. PEP 639
    allows ``LicenseRef-`` identifiers, which the SPDX licence list cannot know."""
    from license_expression import get_spdx_licensing

    info = get_spdx_licensing().validate(expression)
    symbols = [str(symbol) for symbol in info.invalid_symbols]
    if not info.errors:
        return None
    if not symbols or "" in symbols:
        return "not a valid SPDX expression"
    unknown = [symbol for symbol in symbols if not _LICENSE_REF.match(symbol)]
    return f"unknown licence id {', '.join(unknown)}" if unknown else None


def _scan_metadata(repo: Repo, unchecked: list[str]) -> Iterator[Hit]:
    data = repo.pyproject()
    project = data.get("project")
    if not isinstance(project, Mapping):
        builder = next(
            (name for name in ("setup.py", "setup.cfg") if repo.text(name) is not None), None
        )
        unchecked.append(
            f"metadata not checked: {builder} builds it (no [project] table)"
            if builder
            else "metadata not checked: no pyproject.toml [project] table"
        )
        return
    from pyward._inventory._toml import value_lines

    lines = value_lines(repo.text("pyproject.toml") or "")
    header = lines.get(("project",))
    dynamic = {str(d) for d in project.get("dynamic", []) if isinstance(d, str)}
    skipped = []

    def at(*keys: str | int) -> int | None:
        return lines.get(("project", *keys), header)

    # license
    license_value = project.get("license")
    if "license" in dynamic:
        skipped.append("license")
    elif license_value is None:
        yield Hit(
            rule="license-expression",
            message='[project] declares no license (PEP 639: license = "SPDX-EXPRESSION")',
            file="pyproject.toml",
            line=header,
        )
    elif isinstance(license_value, Mapping):
        form = "file" if "file" in license_value else "text"
        yield Hit(
            rule="license-expression",
            message=(
                f"[project] license is the legacy table form {{{form} = ...}}, "
                "not an SPDX expression"
            ),
            file="pyproject.toml",
            line=at("license"),
        )
    elif isinstance(license_value, str):
        problem = _spdx_problem(license_value)
        if problem is not None:
            yield Hit(
                rule="license-expression",
                message=f"[project] license {license_value!r} is not an SPDX expression: {problem}",
                file="pyproject.toml",
                line=at("license"),
            )
        classifiers = project.get("classifiers", [])
        for index, classifier in enumerate(classifiers if isinstance(classifiers, list) else []):
            if isinstance(classifier, str) and classifier.startswith("License ::"):
                yield Hit(
                    rule="license-expression",
                    message=(
                        f"classifier {classifier!r} beside a licence expression "
                        "(PEP 639 forbids both)"
                    ),
                    file="pyproject.toml",
                    line=at("classifiers", index),
                    subject=classifier,
                )
    # license-files
    if "license-files" in dynamic:
        skipped.append("license-files")
    elif "license-files" not in project:
        try:
            texts = sorted(
                p.name for p in repo.root.iterdir() if p.is_file() and _LICENSE_FILE.match(p.name)
            )
        except OSError:
            texts = []
        if texts:
            yield Hit(
                rule="license-files",
                message=(
                    f"[project] has no license-files, and the repository has {', '.join(texts)}"
                ),
                file="pyproject.toml",
                line=header,
            )
    # source-url
    urls = project.get("urls")
    if "urls" in dynamic:
        skipped.append("urls")
    elif not (
        isinstance(urls, Mapping)
        and any(_normalise_label(str(label)) in _SOURCE_LABELS for label in urls)
    ):
        yield Hit(
            rule="source-url",
            message="[project.urls] has no Source (Repository, Code) entry",
            file="pyproject.toml",
            line=lines.get(("project", "urls"), header),
        )
    # requires-python
    if "requires-python" in dynamic:
        skipped.append("requires-python")
    elif "requires-python" not in project:
        yield Hit(
            rule="requires-python",
            message="[project] has no requires-python",
            file="pyproject.toml",
            line=header,
        )
    if skipped:
        unchecked.append(f"{', '.join(skipped)} not checked: dynamic metadata")


# -- packages -------------------------------------------------------------------------

_NOT_SOURCE = {
    "tests",
    "test",
    "testing",
    "docs",
    "doc",
    "examples",
    "example",
    "benchmarks",
    "bench",
}


def _identifier(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def source_packages(repo: Repo) -> list[str]:
    """The package's source directories, relative to the root (``src/pyward``), from
    ``pyproject.toml``: hatch's wheel ``packages``, setuptools' ``packages`` and
    ``package-dir``, else the ``src/`` layout's packages, else the directory of the
    import name (the project name with ``_``). Directories found by looking (a ``src/``
    child, setuptools' ``find``) are never the tests, docs, examples or benchmarks; a
    package the configuration names, or the project's own import name, is source
    whatever it is called (a project named ``example`` is scanned). Empty when none is
    found."""
    data = repo.pyproject()
    raw_tool = data.get("tool")
    tool: Mapping[str, Any] = raw_tool if isinstance(raw_tool, Mapping) else {}
    found: list[str] = []
    project = data.get("project")
    name = project.get("name") if isinstance(project, Mapping) else None
    own = _identifier(name) if isinstance(name, str) else None

    def add(relative: str, *, named: bool = False) -> None:
        relative = relative.strip("/").removeprefix("./")
        last = relative.split("/")[-1].lower()
        if (
            relative
            and relative not in found
            and (named or last == own or last not in _NOT_SOURCE)
            and (repo.root / relative).is_dir()
        ):
            found.append(relative)

    hatch = tool.get("hatch", {})
    if isinstance(hatch, Mapping):
        wheel = hatch.get("build", {}).get("targets", {}).get("wheel", {})
        if isinstance(wheel, Mapping) and isinstance(wheel.get("packages"), list):
            for package in wheel["packages"]:
                add(str(package), named=True)
    setuptools = tool.get("setuptools", {})
    if isinstance(setuptools, Mapping):
        package_dir = setuptools.get("package-dir", {})
        base = package_dir.get("", "") if isinstance(package_dir, Mapping) else ""
        packages = setuptools.get("packages")
        if isinstance(packages, list):
            for package in packages:
                if isinstance(package, str) and "." not in package:
                    add(f"{base}/{package}" if base else package, named=True)
        elif isinstance(packages, Mapping) and isinstance(packages.get("find"), Mapping):
            where = packages["find"].get("where", [base or "."])
            for folder in where if isinstance(where, list) else []:
                _add_children(repo, str(folder), add)
        elif base:
            _add_children(repo, base, add)
    if not found:
        _add_children(repo, "src", add)
    if not found and own is not None:
        add(own, named=True)
    return found


def _add_children(repo: Repo, folder: str, add: Any) -> None:
    """Add every package (a directory with ``__init__.py``, or a namespace directory
    with Python files) right under ``folder``."""
    base = repo.root / folder if folder not in {"", "."} else repo.root
    try:
        children = sorted(base.iterdir())
    except OSError:
        return
    prefix = "" if folder in {"", "."} else f"{folder.strip('/')}/"
    for child in children:
        if child.is_dir() and child.name.isidentifier() and any(child.glob("*.py")):
            add(f"{prefix}{child.name}")


def scan(repo: Repo) -> Iterator[Hit]:
    """Every hit of the policy, tests and metadata rules. After the hits, raises one
    :class:`~pyward._release._model.CategoryInputError` naming the categories left
    incomplete: ``tests`` when the pytest configuration is not INI, ``metadata`` when
    it could not be checked (dynamic, or built by ``setup.py``)."""
    errors: list[CategoryInputError] = []
    yield from _scan_policy(repo)
    try:
        yield from _scan_tests(repo)
    except InputError as exc:
        errors.append(CategoryInputError(exc.file, exc.what, exc.where, categories=("tests",)))
    unchecked: list[str] = []
    yield from _scan_metadata(repo, unchecked)
    if unchecked:
        errors.append(
            CategoryInputError("pyproject.toml", "; ".join(unchecked), categories=("metadata",))
        )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        first, second = errors
        raise CategoryInputError(
            first.file,
            f"{first.what} (also not checked: {second.file}: {second.what})",
            first.where,
            categories=(*first.categories, *second.categories),
        )
