"""Reader of pip requirements files (``requirements*.txt``, ``*.in``).

The file format is pip's (https://pip.pypa.io/en/stable/reference/requirements-file-format/);
PEP 508 requirements inside it are parsed by ``packaging.requirements.Requirement``.

The line and option handling (continuations, comments, ``${VAR}``, option lines,
includes) is hand-written, following pip's ``req_file.py`` step by step. The library
``pip-requirements-parser`` (nexB) was evaluated and not used: its last release (32.0.1)
dates from 2022, it vendors pip 22's parser together with ``packaging-legacy-version``
and ``pyparsing`` (a second, older idea of versions than the ``packaging`` used
everywhere else here), is heavy to import, recurses without end on an include
cycle, and collects bad lines in a list instead of failing on the first one with its
file and line. The part we need is ~200 lines.

Rules, as pip applies them:

* ``\\`` at the end of a line joins the next one (not on a whole-line comment);
  `` #`` starts a comment (``#egg=`` inside a URL does not);
* ``${NAME}`` (upper case, digits, ``_``) is replaced by the variable of that name in
  the ``environ`` the caller gives (the CLI: the process environment) when it is set
  and not empty, and left as written otherwise;
* everything before the first token that starts with ``-`` is the requirement, the rest
  its options (``--hash``; file-wide options such as ``--no-binary`` written on a
  requirement line are accepted and, like pip, do not apply to the file);
* ``-r`` / ``-c`` paths are relative to the including file. Include cycles are an error.

Constraints (``-c``) only pin: a constraint never adds a component. A requirement that
is not pinned in the requirements files but is pinned by a constraint becomes a
component at the constraint's version (with the constraint's hashes); a constraint that
pins a requirement to another version than its own pin is an error, as pip would fail
to install it. A constraint for a name no requirement mentions is ignored (pip would use
it only for a transitive dependency, which a requirements file does not list).

``--hash`` options are the component's hashes; they name no file, so
``Component.artifacts`` stays empty and ``pyward provenance`` finds the files these
hashes are of on the index's page for the release.

Everything pip would install is a component when it is pinned with ``==`` (no
wildcard) or ``===``; everything else is a :class:`NotAudited` with the reason. The
``# via`` annotations of ``pip-compile`` become the dependency graph.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._files import read_capped
from pyward._inventory._common import (
    VCS_PREFIXES,
    dedupe_hashes,
    join_markers,
    parse_requirement,
    pinned_version,
    purl,
    url_reason,
)
from pyward._model import Component, ComponentKey, Hash, Inventory, Location, NotAudited
from pyward._model import canonical_name as _canonical
from pyward._model import component_key as _key
from pyward._text import redact_url
from pyward.errors import InputError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

FORMAT = "requirements"
#: How the reason of an entry without an exact pin begins (``not pinned: flask>=2; lock
#: the project first``): what the ``pinning`` check reads it by.
NOT_PINNED = "not pinned"
#: Deepest chain of ``-r``/``-c`` includes read (pip has none, and fails with a
#: RecursionError past ~900); real projects nest two or three.
MAX_INCLUDE_DEPTH = 100

_COMMENT = re.compile(r"(^|\s+)#.*$")
# Where a comment starts: pip's ``(^|\s+)#``, without the run of spaces, whose
# backtracking is quadratic in a long run of spaces not followed by ``#``.
_COMMENT_START = re.compile(r"(?:^|(?<=\s))#")
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
# Matched against the line without its trailing spaces, and greedy: a lazy ``.*?``
# before ``\s*$`` is quadratic in a long run of inner spaces.
_VIA_START = re.compile(r"^\s*#\s+via(?:\s+(?P<rest>\S.*))?$")
_VIA_MORE = re.compile(r"^\s*#\s{3,}(?P<rest>\S.*)$")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ARCHIVE_SUFFIXES = (
    ".whl",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".zip",
    ".tar",
)
_EGG = re.compile(r"[#&]egg=([^&]+)")

# pip's options (pip/_internal/req/req_file.py SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ):
# canonical long name -> takes a value.
_OPTIONS: dict[str, bool] = {
    "--index-url": True,
    "--extra-index-url": True,
    "--no-index": False,
    "--constraint": True,
    "--requirement": True,
    "--editable": True,
    "--find-links": True,
    "--no-binary": True,
    "--only-binary": True,
    "--prefer-binary": False,
    "--require-hashes": False,
    "--pre": False,
    "--trusted-host": True,
    "--use-feature": True,
    "--hash": True,
    "--config-settings": True,
    "--global-option": True,
    "--install-option": True,
}
_SHORT = {
    "-i": "--index-url",
    "-c": "--constraint",
    "-r": "--requirement",
    "-e": "--editable",
    "-f": "--find-links",
}


@dataclass(slots=True)
class _Entry:
    """A pinned requirement while the files are being read."""

    name: str
    display: str
    version: str
    hashes: list[Hash]
    markers: str | None
    extras: set[str]
    location: Location
    via: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Unpinned:
    """A requirement without an exact pin (a constraint may still pin it)."""

    name: str
    display: str
    requirement: Requirement
    text: str
    location: Location


#: (value, ``${NAME}``) of each variable a line expanded: what is shown in its place.
_Hidden = tuple[tuple[str, str], ...]


@dataclass(slots=True)
class _State:
    entries: dict[ComponentKey, _Entry] = field(default_factory=dict)
    # name -> markers -> entry: the pins of one name, for the conflict check.
    pins: dict[str, dict[str | None, _Entry]] = field(default_factory=dict)
    # (real path, as a constraint) of every file read: a file included from several
    # places (an include DAG) is read once, not once per path to it.
    seen: set[tuple[Path, bool]] = field(default_factory=set)
    unpinned: list[_Unpinned] = field(default_factory=list)
    not_audited: list[NotAudited] = field(default_factory=list)
    # file -> its lines read as a local path (a file of other text reads as one each).
    local_paths: dict[str, int] = field(default_factory=dict)
    constraints: dict[str, _Entry] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    index_url: str | None = None
    annotated: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)


def read(
    path: Path, *, environ: Mapping[str, str] | None = None, origin: Path | None = None
) -> Inventory:
    """Read a requirements file and the files it includes; ``environ`` holds the
    variables ``${NAME}`` expands to (default: none, every ``${NAME}`` stays).

    The value of an expanded variable is never shown: notes, errors and the
    requirements of what is not audited show ``${NAME}`` in its place (issue 12, item
    4). ``origin``: the path to name and to resolve relative includes against when
    ``path`` is a spool of it (a pipe).
    """
    state = _State(environ=environ or {})
    named = Path(origin) if origin is not None else Path(path)
    _read_file(named, state, stack=(), constraint=False, content=Path(path))
    return _build(named, state)


# -- lines ------------------------------------------------------------------------------


def _logical_lines(text: str, environ: Mapping[str, str]) -> Iterator[tuple[int, str, _Hidden]]:
    """pip's ``join_lines`` + ``expand_env_variables``: (first line number, joined line,
    the variables it expanded).

    Whole-line comments are yielded as they are (the ``# via`` annotations live there).
    """
    start: int | None = None
    parts: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        is_comment = _COMMENT.match(line) is not None
        if not line.endswith("\\") or is_comment:
            if parts:
                assert start is not None
                # A comment line ends a continuation, as in pip.
                parts.append(" " + line if is_comment else line)
                yield (start, *_expand("".join(parts), environ))
                parts = []
            else:
                yield (number, *_expand(line, environ))
        else:
            if not parts:
                start = number
            parts.append(line.rstrip("\\"))
    if parts:
        assert start is not None
        yield (start, *_expand("".join(parts), environ))


def _expand(line: str, environ: Mapping[str, str]) -> tuple[str, _Hidden]:
    if "${" not in line:
        return line, ()
    hidden: dict[str, str] = {}

    def value(m: re.Match[str]) -> str:
        found = environ.get(m[1])
        if not found:
            return m[0]
        hidden[found] = m[0]
        return found

    return _ENV_VAR.sub(value, line), tuple(hidden.items())


def _hide(text: str, hidden: _Hidden) -> str:
    """``text`` with the value of each expanded variable shown as ``${NAME}`` again
    (a token in a URL must not reach a report or an error message)."""
    for value, name in sorted(hidden, key=lambda h: -len(h[0])):
        text = text.replace(value, name)
    return text


def _strip_comment(line: str) -> str:
    m = _COMMENT_START.search(line) if "#" in line else None
    return line[: m.start()] if m else line


def _split_args_options(line: str) -> tuple[str, str]:
    """pip's ``break_args_options``: the requirement, then everything from the first option."""
    tokens = line.split(" ")
    for i, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:i]), " ".join(tokens[i:])
    return line, ""


def _parse_options(text: str, file: Path, number: int) -> list[tuple[str, str | None]]:
    if not any(c in text for c in "\"'\\"):
        # shlex is pure Python and slow on the long ``--hash`` runs of pip-compile
        # output; without quotes or escapes it splits exactly like ``str.split``.
        tokens = text.split()
    else:
        tokens = _shlex_split(text, file, number)
    return _options(tokens, file, number)


def _shlex_split(text: str, file: Path, number: int) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError as exc:
        raise InputError(file, f"cannot split options: {exc}", where=f"line {number}") from None


def _options(tokens: list[str], file: Path, number: int) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        value: str | None = None
        if token.startswith("--"):
            name, eq, inline = token.partition("=")
            if eq:
                value = inline
        elif token.startswith("-") and len(token) >= 2:
            name = token[:2]
            if len(token) > 2:
                value = token[2:]
            name = _SHORT.get(name, name)
        else:
            raise InputError(file, f"unexpected argument {token!r}", where=f"line {number}")
        if name not in _OPTIONS:
            raise InputError(file, f"unknown option {token!r}", where=f"line {number}")
        if _OPTIONS[name] and value is None:
            i += 1
            if i >= len(tokens):
                raise InputError(file, f"option {name} needs a value", where=f"line {number}")
            value = tokens[i]
        elif not _OPTIONS[name] and value is not None:
            raise InputError(file, f"option {name} takes no value", where=f"line {number}")
        out.append((name, value))
        i += 1
    return out


# -- files ------------------------------------------------------------------------------


def _read_text(file: Path, including: tuple[Path, int] | None) -> str:
    try:
        data = read_capped(file)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if including is not None:
            parent, number = including
            raise InputError(
                parent, f"cannot read included file {file}: {reason}", where=f"line {number}"
            ) from None
        raise InputError(file, f"cannot read: {reason}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(file, "not UTF-8 text", where=f"line {line}") from None


def _read_file(
    file: Path,
    state: _State,
    *,
    stack: tuple[tuple[Path, Path, int], ...],
    constraint: bool,
    content: Path | None = None,
) -> None:
    """Read ``file`` (its bytes from ``content`` when given: a spool); ``stack`` holds
    (real path, file, line) of every including line."""
    real = Path(os.path.realpath(file))
    for seen, _, _ in stack:
        if seen == real:
            chain = " -> ".join([str(f) for _, f, _ in stack] + [str(file)])
            parent, number = stack[-1][1], stack[-1][2]
            raise InputError(parent, f"include cycle: {chain}", where=f"line {number}")
    if (real, constraint) in state.seen:
        return
    state.seen.add((real, constraint))
    text = _read_text(content or file, (stack[-1][1], stack[-1][2]) if stack else None)
    last: _Entry | None = None
    in_via = False
    for number, line, hidden in _logical_lines(text, state.environ):
        counts = (len(state.not_audited), len(state.unpinned), len(state.notes))
        try:
            last, in_via = _line(
                file,
                number,
                line,
                last=last,
                in_via=in_via,
                state=state,
                stack=stack,
                real=real,
                constraint=constraint,
            )
        except InputError as exc:
            if exc.file == str(file):
                _refuse_if_not_requirements(file, text, state.environ)
            if hidden:
                raise InputError(
                    exc.file, _hide(exc.what, hidden), where=exc.where and _hide(exc.where, hidden)
                ) from None
            raise
        if hidden:
            _hide_new(state, counts, hidden)
    if state.local_paths.get(str(file)):
        # ``/etc/passwd`` reads as one "local path" per line (issue 12, item 4).
        _refuse_if_not_requirements(file, text, state.environ)


def _refuse_if_not_requirements(file: Path, text: str, environ: Mapping[str, str]) -> None:
    """Raise when most lines of ``file`` are neither a requirement nor an option: it
    is some other file (``-r /etc/passwd``, ``-r .env``), whose lines must not be
    quoted one by one as local paths or in an error (issue 12, item 4)."""
    bad = total = 0
    first: int | None = None
    for number, line, _ in _logical_lines(text, environ):
        if _COMMENT.match(line):
            continue
        content = _strip_comment(line).strip()
        if not content:
            continue
        total += 1
        if not _plausible(content, file, number):
            bad += 1
            first = first or number
    # Two bad lines at least: a one-line file with a typo gets the error of its line.
    if bad >= 2 and bad * 2 > total:
        raise InputError(
            file,
            f"not a requirements file ({bad} of {total} lines are neither a requirement "
            "nor an option); not read",
            where=f"line {first}",
        )


def _plausible(content: str, file: Path, number: int) -> bool:
    """Whether one line reads as pip would read it: options that parse, a URL, a
    local path that exists (pip refuses one that does not), or a PEP 508 requirement."""
    args, options_text = _split_args_options(content)
    try:
        if options_text:
            _parse_options(options_text, file, number)
        if not args:
            return True
        text = args.strip()
        if _is_url(text):
            return True
        path = text.split(";", 1)[0].strip()
        if _looks_like_path(path) and not _has_operator(text):
            return os.path.exists(path) or (file.parent / path).exists()
        parse_requirement(file, text, f"line {number}")
    except (InputError, OSError, ValueError):
        return False
    return True


def _hide_new(state: _State, counts: tuple[int, int, int], hidden: _Hidden) -> None:
    """Show ``${NAME}`` for the values in what the last line added."""
    n_audit, n_unpinned, n_notes = counts
    for i in range(n_audit, len(state.not_audited)):
        item = state.not_audited[i]
        state.not_audited[i] = NotAudited(
            name=item.name,
            requirement=_hide(item.requirement, hidden),
            reason=_hide(item.reason, hidden),
            location=item.location,
        )
    for unpinned in state.unpinned[n_unpinned:]:
        unpinned.text = _hide(unpinned.text, hidden)
    state.notes[n_notes:] = [_hide(n, hidden) for n in state.notes[n_notes:]]
    if state.index_url is not None:
        state.index_url = _hide(state.index_url, hidden)


def _line(
    file: Path,
    number: int,
    line: str,
    *,
    last: _Entry | None,
    in_via: bool,
    state: _State,
    stack: tuple[tuple[Path, Path, int], ...],
    real: Path,
    constraint: bool,
) -> tuple[_Entry | None, bool]:
    """Read one logical line; the entry a ``# via`` comment after it belongs to, and
    whether a ``# via`` block is open."""
    if _COMMENT.match(line):
        if last is not None and not constraint:
            m = _VIA_START.match(line.rstrip())
            if m:
                state.annotated = True
                if m["rest"]:
                    last.via.append(m["rest"])
                    return last, False
                return last, True
            more = _VIA_MORE.match(line.rstrip()) if in_via else None
            if more:
                last.via.append(more["rest"])
                return last, True
        return last, False
    content = _strip_comment(line).strip()
    if not content:
        return last, False
    args, options_text = _split_args_options(content)
    options = _parse_options(options_text, file, number) if options_text else []
    location = Location(file=str(file), line=number)
    if args:
        return _requirement(args, options, location, file, state, constraint=constraint), False
    last = None
    for name, value in options:
        assert value is not None or not _OPTIONS[name]
        if name in ("--requirement", "--constraint"):
            assert value is not None
            _include(
                file,
                number=number,
                target=value,
                state=state,
                stack=stack,
                real=real,
                constraint=constraint or name == "--constraint",
            )
        elif name == "--editable":
            assert value is not None
            egg = _EGG.search(value)
            state.not_audited.append(
                NotAudited(
                    name=_canonical(egg[1].split("==")[0]) if egg else None,
                    requirement=f"-e {value}",
                    reason="editable install",
                    location=location,
                )
            )
        elif name == "--index-url":
            state.index_url = value
        elif name == "--extra-index-url":
            state.notes.append(
                f"{file}: line {number}: --extra-index-url {redact_url(value or '')}: pip takes "
                "each package from whichever index has the highest version, so the "
                "audited names may come from this index instead (dependency confusion)"
            )
        elif name == "--find-links":
            state.notes.append(
                f"{file}: line {number}: --find-links {redact_url(value or '')}: packages may "
                "come from these files instead of the index"
            )
        elif name == "--no-index":
            state.notes.append(
                f"{file}: line {number}: --no-index: packages come only from --find-links"
            )
        elif name in ("--hash", "--config-settings", "--global-option", "--install-option"):
            raise InputError(
                file,
                f"option {name} needs a requirement on the same line",
                where=f"line {number}",
            )
    return None, False


def _include(
    file: Path,
    *,
    number: int,
    target: str,
    state: _State,
    stack: tuple[tuple[Path, Path, int], ...],
    real: Path,
    constraint: bool,
) -> None:
    if _URL_SCHEME.match(target):
        state.not_audited.append(
            NotAudited(
                name=None,
                requirement=f"-r {target}",
                reason="requirements file at a URL; not fetched",
                location=Location(file=str(file), line=number),
            )
        )
        return
    if "\0" in target:
        raise InputError(file, f"invalid file name {target!r} (a NUL byte)", where=f"line {number}")
    if len(stack) >= MAX_INCLUDE_DEPTH:
        raise InputError(
            file,
            f"includes nested deeper than {MAX_INCLUDE_DEPTH} files (from {stack[0][1]})",
            where=f"line {number}",
        )
    included = Path(target) if os.path.isabs(target) else file.parent / target
    _read_file(included, state, stack=(*stack, (real, file, number)), constraint=constraint)


# -- one requirement --------------------------------------------------------------------


def _is_url(text: str) -> bool:
    return bool(_URL_SCHEME.match(text)) or text.startswith(VCS_PREFIXES)


def _looks_like_path(text: str) -> bool:
    # pip's rule (req_install._looks_like_path): a path separator or an archive name.
    return (
        "/" in text
        or os.sep in text
        or text.startswith(".")
        or text.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _name_from_url(url: str) -> str | None:
    egg = _EGG.search(url)
    if egg:
        return _canonical(re.split(r"[=<>!~\[]", egg[1], maxsplit=1)[0])
    filename = url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    from packaging.utils import InvalidSdistFilename, InvalidWheelFilename

    try:
        if filename.endswith(".whl"):
            from packaging.utils import parse_wheel_filename

            return parse_wheel_filename(filename)[0]
        if filename.endswith((".tar.gz", ".zip")):
            from packaging.utils import parse_sdist_filename

            return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def _requirement(
    args: str,
    options: list[tuple[str, str | None]],
    location: Location,
    file: Path,
    state: _State,
    *,
    constraint: bool,
) -> _Entry | None:
    number = location.line
    text = args.strip()
    if _is_url(text) or (
        _looks_like_path(text.split(";", 1)[0].strip()) and not _has_operator(text)
    ):
        url = text.split("; ", 1)[0].strip() if _is_url(text) else text.split(";", 1)[0].strip()
        if not constraint:
            reason = url_reason(url) if _is_url(text) else "local path"
            if reason == "local path":
                state.local_paths[location.file] = state.local_paths.get(location.file, 0) + 1
            state.not_audited.append(
                NotAudited(
                    name=_name_from_url(url), requirement=text, reason=reason, location=location
                )
            )
        return None
    req = parse_requirement(file, text, f"line {number}")
    name = _canonical(req.name)
    if req.url:
        if not constraint:
            state.not_audited.append(
                NotAudited(
                    name=name, requirement=text, reason=url_reason(req.url), location=location
                )
            )
        return None
    hashes = [_hash(value, file, number) for opt, value in options if opt == "--hash" and value]
    version = pinned_version(req)
    markers = str(req.marker) if req.marker is not None else None
    if version is None:
        if not constraint:
            state.unpinned.append(
                _Unpinned(
                    name=name, display=req.name, requirement=req, text=text, location=location
                )
            )
        return None
    entry = _Entry(
        name=name,
        display=req.name,
        version=version,
        hashes=hashes,
        markers=markers,
        extras={_canonical(e) for e in req.extras},
        location=location,
    )
    if constraint:
        previous = state.constraints.get(name)
        if previous is not None and previous.version != version:
            raise _conflict(file, number, name, version, previous)
        if previous is None:
            state.constraints[name] = entry
        return None
    return _add(entry, state, file)


def _has_operator(text: str) -> bool:
    return any(op in text for op in ("==", ">=", "<=", "~=", "!=", "<", ">", "@"))


#: Hex digest length of every fixed-size hashlib algorithm pip could be given.
_DIGEST_HEX = {
    name: hashlib.new(name).digest_size * 2
    for name in sorted(hashlib.algorithms_guaranteed)
    if not name.startswith("shake")
}
_HEX_DIGITS = frozenset("0123456789abcdef")


def _hash(value: str, file: Path, number: int | None) -> Hash:
    algorithm, sep, digest = value.partition(":")
    algorithm = algorithm.lower()
    size = _DIGEST_HEX.get(algorithm)
    if not sep or size is None:
        raise InputError(
            file, f"invalid --hash value {value!r} (expected ALGORITHM:HEX)", where=f"line {number}"
        )
    digest = digest.lower()
    if len(digest) != size or not _HEX_DIGITS.issuperset(digest):
        raise InputError(
            file,
            f"invalid --hash value {value!r} (a {algorithm} digest is {size} hex digits)",
            where=f"line {number}",
        )
    return Hash(algorithm=algorithm, value=digest)


def _where(location: Location, file: Path) -> str:
    return (
        f"line {location.line}"
        if location.file == str(file)
        else f"{location.file}: line {location.line}"
    )


def _conflict(
    file: Path, number: int | None, name: str, version: str, previous: _Entry
) -> InputError:
    return InputError(
        file,
        f"conflicting pins: {name}=={version} and {name}=={previous.version} "
        f"({_where(previous.location, file)})",
        where=f"line {number}",
    )


def _add(entry: _Entry, state: _State, file: Path) -> _Entry:
    key = _key(entry.name, entry.version)
    existing = state.entries.get(key)
    if existing is not None:
        existing.hashes.extend(entry.hashes)
        existing.extras |= entry.extras
        markers = join_markers((existing.markers, entry.markers))
        if markers != existing.markers:
            pins = state.pins[existing.name]
            if pins.get(existing.markers) is existing:
                del pins[existing.markers]
            pins.setdefault(markers, existing)
            existing.markers = markers
        return existing
    # Two pins of one name are legitimate only under different markers
    # (``uv pip compile --universal`` writes ``numpy==1.26; python_version < "3.9"``...).
    pins = state.pins.setdefault(entry.name, {})
    other = pins.get(entry.markers)
    if other is not None:
        raise _conflict(file, entry.location.line, entry.name, entry.version, other)
    pins[entry.markers] = entry
    state.entries[key] = entry
    return entry


# -- result -----------------------------------------------------------------------------


def _build(path: Path, state: _State) -> Inventory:
    not_audited = list(state.not_audited)
    for item in state.unpinned:
        pin = state.constraints.get(item.name)
        if pin is not None and item.requirement.specifier.contains(pin.version, prereleases=True):
            _add(
                _Entry(
                    name=item.name,
                    display=item.display,
                    version=pin.version,
                    hashes=list(pin.hashes),
                    markers=str(item.requirement.marker) if item.requirement.marker else None,
                    extras={_canonical(e) for e in item.requirement.extras},
                    location=item.location,
                ),
                state,
                path,
            )
            continue
        not_audited.append(
            NotAudited(
                name=item.name,
                requirement=item.text,
                reason=f"{NOT_PINNED}: {item.text}; lock the project first",
                location=item.location,
            )
        )
    for entry in state.entries.values():
        pin = state.constraints.get(entry.name)
        if pin is not None and pin.version != entry.version:
            raise _conflict(
                Path(pin.location.file), pin.location.line, entry.name, pin.version, entry
            )

    # Credentials in an index URL (often a token from ``${VAR}``) never leave the reader.
    index = (
        re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", r"\1", state.index_url)
        if state.index_url
        else None
    )
    by_name: dict[str, list[ComponentKey]] = {}
    for key, entry in state.entries.items():
        by_name.setdefault(entry.name, []).append(key)
    edges: dict[ComponentKey, list[ComponentKey]] = {}
    components: list[Component] = []
    roots: list[ComponentKey] = []
    for key, entry in state.entries.items():
        parents = [
            _canonical(p.split("[", 1)[0].split(" ", 1)[0]) for p in entry.via if _is_package_ref(p)
        ]
        known = [p for p in parents if p in by_name]
        direct = not known or len(known) < len(entry.via)
        for parent in known:
            for parent_key in by_name[parent]:
                edges.setdefault(parent_key, []).append(key)
        if direct:
            roots.append(key)
        components.append(
            Component(
                name=entry.name,
                version=entry.version,
                display_name=entry.display if entry.display != entry.name else None,
                purl=purl(entry.display, entry.version, index),
                index=index,
                hashes=dedupe_hashes(entry.hashes),
                markers=entry.markers,
                extras=frozenset(entry.extras),
                direct=direct,
                location=entry.location,
            )
        )
    return Inventory(
        source=str(path),
        format=FORMAT,
        components=tuple(components),
        # A file included twice (``-r pip.txt`` from two files) lists its entries once.
        not_audited=tuple(dict.fromkeys(not_audited)),
        edges={k: tuple(dict.fromkeys(v)) for k, v in edges.items()},
        roots=tuple(roots),
        notes=tuple(dict.fromkeys(state.notes)),
    )


def _is_package_ref(via: str) -> bool:
    # ``-r requirements.in`` / ``-c constraints.txt`` / ``pyward (pyproject.toml)`` name
    # the project's own inputs, not a package.
    return not via.startswith("-") and "(" not in via
