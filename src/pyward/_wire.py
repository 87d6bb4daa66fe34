"""One typed accessor for the wire formats pyward reads: TOML, JSON, YAML, and the dicts
the CycloneDX XML reader builds in the JSON form's shape.

A reader parses the bytes first (``pyward._inventory._toml``, orjson, PyYAML), then
takes every value through a :class:`Wire`, one per document: it checks the value's
type and raises the reader's error naming the file and the key path of the bad value
(``uv.lock: package[12].version: missing``). Parse, then validate at the boundary, as
``packaging.pylock`` does (its ``_get``, ``_get_required``, ``_get_sequence``...).

* :class:`Wire` checks values already in hand: ``check`` (required, of a type), ``opt``
  (``None`` when absent), ``text`` (a non-empty string), ``items`` (an array, its items
  of a type), ``table`` (a :class:`Table` view of a table).
* :class:`Table` reads the keys of one table: ``get``, ``required``, ``string``,
  ``opt_string``, ``opt_bool``, ``opt_list``, ``opt_table``, ``sub``,
  ``required_sub``, ``strings``, ``tables``.
* Key paths: ``at`` is the path of the value's owner and ``key`` its key (a string) or
  index (an int); the path (``package[12].version``) is rendered only for an error, so
  reading a valid document builds no strings.
* Wording: pyward's readers word a fault in a few established ways (``expected a
  string, found a number`` in lock files, ``expected a string, got int`` in OSV
  records, ``must be an array`` in VEX documents...), and tests pin each. A
  :class:`Style` holds one wording; ``what`` (and ``missing``, ``empty``) give a
  reader's own message for one value. Messages are templates: ``{expected}`` is the
  style's name of the wanted type, ``{found}`` its name of the value's type and
  ``{value}`` the value's ``repr``; other braces are kept as written.
* Integers: Python refuses to turn an integer of more than 4300 decimal digits into
  text or back (https://docs.python.org/3/library/stdtypes.html#int-max-str-digits),
  and TOML or YAML hexadecimal integers have no such bound. :func:`shown` and
  :func:`parse_int` never raise for them, so such a value gets the normal error.

Everything here is cheap to import: it is on the hot path of every lock-file read.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from pyward.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

_T = TypeVar("_T")

#: Raises the reader's error: (key path, message) -> exception.
Fail = Callable[[str, str], Exception]


def path(at: str, key: str | int | None = None) -> str:
    """The key path of ``key`` in the value at ``at``: ``a.b``, ``a[3]``, or ``at``."""
    if key is None:
        return at
    if type(key) is int:
        return f"{at}[{key}]"
    return f"{at}.{key}" if at else str(key)


def shown(value: object) -> str:
    """``repr(value)``, also for an integer too long to print in decimal."""
    try:
        return repr(value)
    except ValueError:  # int_max_str_digits, anywhere inside the value
        return f"<{type(value).__name__} too long to show>"


def shown_str(value: object) -> str:
    """``str(value)``, also for an integer too long to print in decimal."""
    try:
        return str(value)
    except ValueError:
        return f"<{type(value).__name__} too long to show>"


def parse_digits(text: str) -> int | None:
    """The number an ASCII string of decimal digits spells (an HTTP header, a version
    part), else ``None``: ``str.isdigit`` alone also accepts ``²`` and other digits
    ``int()`` refuses, and a number past Python's digit limit is ``None`` too."""
    if not (text.isascii() and text.isdigit()):
        return None
    return parse_int(text)


def parse_int(text: str) -> int | None:
    """``int(text)``, or ``None`` when ``text`` is not an integer or has more digits
    than Python converts."""
    try:
        return int(text)
    except ValueError:
        return None


# -- names of the type of a value, as each wording says them ---------------------------


def toml_kind(value: object) -> str:
    """``a string``, ``a number``, ``an array``, ``a table``...; the Python type's name
    for a date or time."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def json_kind(value: object) -> str:
    """The JSON type: ``an object``, ``an array``, ``a string``, ``a number``,
    ``a boolean`` or ``null``."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string" if isinstance(value, str) else "null"


def type_name(value: object) -> str:
    """The Python type's name: ``int``, ``list``, ``NoneType``."""
    return type(value).__name__


def python_kind(value: object) -> str:
    """``an array`` for a list, else the Python type's name (``str``)."""
    return "an array" if isinstance(value, list) else type(value).__name__


class Style:
    """One wording of a type fault: ``template`` (``expected {expected}, found
    {found}``), the name ``expected`` gives each wanted type (``dict``: ``a table``),
    and ``found``, which names the type of the value found."""

    __slots__ = ("expected", "found", "template")

    def __init__(
        self,
        template: str,
        expected: Mapping[type, str],
        found: Callable[[object], str] = type_name,
    ) -> None:
        self.template = template
        self.expected = expected
        self.found = found


_TABLE_NAMES: dict[type, str] = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    list: "an array",
    dict: "a table",
}
_OBJECT_NAMES: dict[type, str] = {**_TABLE_NAMES, dict: "an object", Mapping: "an object"}

#: Lock files and ``Pipfile.lock``: ``expected a string, found a number``.
FOUND = Style("expected {expected}, found {found}", _TABLE_NAMES, toml_kind)
#: The root of ``Pipfile.lock`` and of SPDX JSON: ``found str`` (a list: ``found an array``).
PYTHON_FOUND = Style("expected {expected}, found {found}", _OBJECT_NAMES, python_kind)
#: ``pyproject.toml``: ``expected a table``.
EXPECTED = Style("expected {expected}", _TABLE_NAMES, toml_kind)
#: SBOMs (CycloneDX, SPDX): ``expected an object``.
EXPECTED_JSON = Style("expected {expected}", _OBJECT_NAMES, json_kind)
#: The server's query bodies: ``expected an object, got a string``.
GOT_JSON = Style("expected {expected}, got {found}", _OBJECT_NAMES, json_kind)
#: OSV records: ``expected a list, got str``.
GOT_TYPE = Style("expected {expected}, got {found}", {**_OBJECT_NAMES, list: "a list"}, type_name)
#: VEX documents and the configuration: ``must be an array``. VEX reads only non-empty
#: strings, so a string is named so.
MUST = Style("must be {expected}", {**_OBJECT_NAMES, str: "a non-empty string"}, json_kind)


def _render(template: str, style: Style, value: object, kind: type | None) -> str:
    if "{" not in template:
        return template
    if "{expected}" in template:
        name = style.expected.get(kind) if kind is not None else None
        template = template.replace("{expected}", name or str(getattr(kind, "__name__", "?")))
    if "{found}" in template:
        template = template.replace("{found}", style.found(value))
    if "{value}" in template:
        template = template.replace("{value}", shown(value))
    return template


class Wire:
    """Typed access to the values of one parsed document.

    ``file`` names the document in errors; ``style`` words type faults; ``fail`` builds
    the error from (key path, message), by default ``InputError(file, message,
    where=key path)``.
    """

    __slots__ = ("fail", "file", "style")

    def __init__(
        self,
        file: str | Path | None,
        style: Style = FOUND,
        fail: Fail | None = None,
    ) -> None:
        self.file = file
        self.style = style
        self.fail = fail

    def error(self, at: str, what: str) -> Exception:
        """The reader's error for the value at key path ``at``."""
        if self.fail is not None:
            return self.fail(at, what)
        return InputError(self.file, what, where=at or None)

    def fault(
        self, value: object, kind: type | None, at: str, key: str | int | None, what: str
    ) -> Exception:
        """The error for ``value`` (at ``at``/``key``), ``what`` rendered as a template."""
        return self.error(path(at, key), _render(what, self.style, value, kind))

    def check(
        self,
        value: object,
        kind: type[_T],
        at: str,
        key: str | int | None = None,
        *,
        what: str | None = None,
        missing: str | None = None,
    ) -> _T:
        """``value``, which must be a ``kind``. ``None`` is a wrong type too, unless
        ``missing`` words its own fault."""
        # Written out in each method (a call costs more than the test): the exact type,
        # else an instance, except a bool for an int (TOML and JSON tell them apart).
        if type(value) is kind or (
            value is not None
            and isinstance(value, kind)
            and (kind is not int or type(value) is not bool)
        ):
            return value
        if value is None and missing is not None:
            raise self.fault(value, kind, at, key, missing)
        raise self.fault(value, kind, at, key, what or self.style.template)

    def opt(
        self,
        value: object,
        kind: type[_T],
        at: str,
        key: str | int | None = None,
        *,
        what: str | None = None,
    ) -> _T | None:
        """``value`` (a ``kind``), or ``None`` when it is absent."""
        if (
            value is None
            or type(value) is kind
            or (isinstance(value, kind) and (kind is not int or type(value) is not bool))
        ):
            return value
        raise self.fault(value, kind, at, key, what or self.style.template)

    def text(
        self,
        value: object,
        at: str,
        key: str | int | None = None,
        *,
        what: str | None = None,
        missing: str = "missing",
        empty: str = "empty",
        strip: bool = True,
    ) -> str:
        """``value``, a string that is not empty (nor blank, with ``strip``)."""
        if type(value) is str and (value.strip() if strip else value):
            return value
        if value is None:
            raise self.fault(value, str, at, key, missing)
        text = self.check(value, str, at, key, what=what)
        if not (text.strip() if strip else text):
            raise self.fault(value, str, at, key, empty)
        return text

    @overload
    def items(
        self,
        value: object,
        at: str,
        key: str | int | None = None,
        *,
        of: None = None,
        what: str | None = None,
        item_what: str | None = None,
    ) -> list[Any]: ...
    @overload
    def items(
        self,
        value: object,
        at: str,
        key: str | int | None = None,
        *,
        of: type[_T],
        what: str | None = None,
        item_what: str | None = None,
    ) -> list[_T]: ...
    def items(
        self,
        value: object,
        at: str,
        key: str | int | None = None,
        *,
        of: type[Any] | None = None,
        what: str | None = None,
        item_what: str | None = None,
    ) -> list[Any]:
        """``value``, an array (``[]`` when absent) whose items are each an ``of``."""
        if value is None:
            return []
        items = value if type(value) is list else self.check(value, list, at, key, what=what)
        # Every item's type at once, in C (a ``versions`` list runs to hundreds); item by
        # item only when one differs: a subclass passes, and the first misfit is named.
        if of is not None and not set(map(type, items)) <= {of}:
            for i, item in enumerate(items):
                if type(item) is not of and (
                    not isinstance(item, of) or (of is int and type(item) is bool)
                ):
                    raise self.fault(item, of, path(at, key), i, item_what or self.style.template)
        return items

    def table(
        self, value: object, at: str, key: str | int | None = None, *, what: str | None = None
    ) -> Table:
        """A :class:`Table` view of ``value``, which must be a table."""
        if type(value) is not dict:
            self.check(value, dict, at, key, what=what)
        return Table(self, value, path(at, key))  # type: ignore[arg-type]


class Table:
    """The keys of one table of a document, read through its :class:`Wire`.

    ``Table(wire, data, "package[3]").string("version")`` returns the string or raises
    ``InputError(file, "missing", where="package[3].version")``. Build one with
    :meth:`Wire.table`, which checks that the value is a table.
    """

    __slots__ = ("at", "data", "wire")

    def __init__(self, wire: Wire, data: dict[str, Any], at: str) -> None:
        self.wire = wire
        self.data = data
        """The table as parsed."""
        self.at = at
        """Its key path (``""`` for the document)."""

    @property
    def file(self) -> str | Path | None:
        return self.wire.file

    def path(self, key: str | int) -> str:
        """The key path of ``key`` in this table."""
        return path(self.at, key)

    def error(self, key: str | int, what: str) -> Exception:
        """The reader's error for the value at ``key``."""
        return self.wire.error(path(self.at, key), what)

    def get(self, key: str, kind: type[_T], *, what: str | None = None) -> _T | None:
        """The ``kind`` at ``key``, or ``None`` when absent."""
        return self.wire.opt(self.data.get(key), kind, self.at, key, what=what)

    def required(
        self, key: str, kind: type[_T], *, what: str | None = None, missing: str = "missing"
    ) -> _T:
        """The ``kind`` at ``key``, which must be there."""
        return self.wire.check(self.data.get(key), kind, self.at, key, what=what, missing=missing)

    def string(self, key: str) -> str:
        """The string at ``key``: ``missing`` when absent, ``empty`` when blank."""
        value = self.data.get(key)
        if type(value) is str and value.strip():
            return value
        return self.wire.text(value, self.at, key)

    def opt_string(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or type(value) is str:
            return value
        return self.get(key, str)

    def opt_bool(self, key: str) -> bool | None:
        return self.get(key, bool)

    def opt_list(self, key: str) -> list[Any]:
        """The array at ``key``; ``[]`` when absent."""
        value = self.data.get(key)
        if type(value) is list:
            return value
        return self.wire.items(value, self.at, key)

    def opt_table(self, key: str) -> dict[str, Any] | None:
        return self.get(key, dict)

    def sub(self, key: str) -> Table | None:
        """The table at ``key`` as a :class:`Table`, or ``None`` when absent."""
        value = self.get(key, dict)
        return None if value is None else Table(self.wire, value, self.path(key))

    def required_sub(self, key: str) -> Table:
        """The table at ``key`` as a :class:`Table`; ``missing`` when absent."""
        value = self.data.get(key)
        if type(value) is not dict:
            value = self.required(key, dict)
        return Table(self.wire, value, self.path(key))

    def strings(self, key: str) -> list[str]:
        """The array of strings at ``key``; ``[]`` when absent."""
        return self.wire.items(self.data.get(key), self.at, key, of=str)

    def tables(self, key: str) -> Iterator[Table]:
        """The tables of the array at ``key`` (none when absent), each checked when
        its turn comes, so the first fault in document order is the one reported."""
        where = path(self.at, key)
        wire = self.wire
        for i, item in enumerate(self.opt_list(key)):
            yield wire.table(item, where, i)


# -- timestamps ----------------------------------------------------------------------

# RFC 3339 (OSV's ``modified``, PEP 700's ``upload-time``). Hand-written because
# ``datetime.fromisoformat`` of Python 3.10 reads neither ``Z`` nor a fraction of other
# than 3 or 6 digits.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))?"
)


def parse_timestamp(text: str) -> _dt.datetime:
    """An RFC 3339 timestamp with its time zone; ``ValueError`` (``not a date`` or
    ``no time zone``) otherwise."""
    m = _TIMESTAMP.fullmatch(text)
    if m is None:
        raise ValueError("not a date")
    # No generator: a page has thousands of upload times.
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    hour, minute, second = int(m[4]), int(m[5]), int(m[6])
    micro = int(m[7][:6].ljust(6, "0")) if m[7] else 0
    if m[8]:
        tz: _dt.tzinfo = _dt.timezone.utc
    elif m[9]:
        offset = _dt.timedelta(hours=int(m[10]), minutes=int(m[11]))
        tz = _dt.timezone(-offset if m[9] == "-" else offset)
    else:
        raise ValueError("no time zone")
    try:
        return _dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        raise ValueError("not a date") from None


def rfc3339(text: str) -> _dt.datetime | None:
    """An OSV or index timestamp as a UTC-aware datetime (one without a time zone is
    taken as UTC, as OSV writes them), else ``None``."""
    try:
        return parse_timestamp(text.strip())
    except ValueError as exc:
        if str(exc) != "no time zone":
            return None
    return parse_timestamp(text.strip() + "Z")


def format_rfc3339(when: _dt.datetime) -> str:
    """``when`` as OSV writes a timestamp: UTC, whole seconds, ``Z``
    (``2026-01-02T03:04:05Z``)."""
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
