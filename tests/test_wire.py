"""The typed accessor of wire formats: key paths, each type fault's exact message in each
wording, and the same errors whatever parsed the document."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import rtoml
import yaml

from pyward import _wire
from pyward._advisory._osv import RecordError, load_document
from pyward._inventory import _cyclonedx, _toml
from pyward._wire import (
    EXPECTED,
    EXPECTED_JSON,
    FOUND,
    GOT_JSON,
    GOT_TYPE,
    MUST,
    PYTHON_FOUND,
    Style,
    Table,
    Wire,
)
from pyward.errors import InputError

#: An integer Python will not print in decimal (over ``sys.get_int_max_str_digits()``).
BIG = 1 << 20_000


def fault(call: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the error ``call`` raises."""
    with pytest.raises(Exception) as err:  # noqa: PT011 - each test asserts the exact text
        call(*args, **kwargs)
    return str(err.value)


# -- key paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "key", "expected"),
    [
        ("", "version", "version"),
        ("", None, ""),
        ("package", None, "package"),
        ("package", 12, "package[12]"),
        ("package[12]", "version", "package[12].version"),
        ("package[12].wheels", 0, "package[12].wheels[0]"),
        ("metadata.files", '"a 1.0"', 'metadata.files."a 1.0"'),
    ],
)
def test_path(at: str, key: str | int | None, expected: str) -> None:
    assert _wire.path(at, key) == expected


DOC: dict[str, Any] = {
    "version": 1,
    "package": [
        {"name": "a", "source": {"registry": "https://x.invalid"}},
        {"name": "b", "source": {"registry": 7}, "wheels": [{"hash": "sha256:00"}, "w"]},
    ],
}


def test_nested_tables_and_arrays_render_the_key_path() -> None:
    top = Wire("uv.lock").table(DOC, "")
    first, second = top.tables("package")
    assert first.at == "package[0]"
    assert first.required_sub("source").string("registry") == "https://x.invalid"
    source = second.required_sub("source")
    assert source.at == "package[1].source"
    assert fault(source.string, "registry") == (
        "uv.lock: package[1].source.registry: expected a string, found a number"
    )
    wheels = second.tables("wheels")
    assert next(wheels).at == "package[1].wheels[0]"
    assert fault(next, wheels) == (
        "uv.lock: package[1].wheels[1]: expected a table, found a string"
    )


def test_tables_reports_the_first_fault_in_document_order() -> None:
    # package[0] lacks its name; package[1] is not a table. Reading each table as its
    # turn comes reports package[0], as a reader that checks every item first would not.
    top = Wire("uv.lock").table({"package": [{}, 3]}, "")
    assert fault(lambda: [t.string("name") for t in top.tables("package")]) == (
        "uv.lock: package[0].name: missing"
    )


# -- Wire: values in hand ------------------------------------------------------------------

W = Wire("f.toml")


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        (1, str, "f.toml: a.k: expected a string, found a number"),
        (1.5, str, "f.toml: a.k: expected a string, found a number"),
        (True, str, "f.toml: a.k: expected a string, found a boolean"),
        ([], str, "f.toml: a.k: expected a string, found an array"),
        ({}, str, "f.toml: a.k: expected a string, found a table"),
        ("x", int, "f.toml: a.k: expected an integer, found a string"),
        (True, int, "f.toml: a.k: expected an integer, found a boolean"),
        (1, bool, "f.toml: a.k: expected a boolean, found a number"),
        ("x", list, "f.toml: a.k: expected an array, found a string"),
        ("x", dict, "f.toml: a.k: expected a table, found a string"),
        (dt.date(2026, 1, 2), str, "f.toml: a.k: expected a string, found date"),
        (None, str, "f.toml: a.k: expected a string, found NoneType"),
    ],
)
def test_check_wrong_type(value: object, kind: type, message: str) -> None:
    assert fault(W.check, value, kind, "a", "k") == message


def test_check_returns_the_value() -> None:
    assert W.check(3, int, "a") == 3
    assert W.check(False, bool, "a") is False
    value: list[Any] = []
    assert W.check(value, list, "a") is value
    assert fault(W.check, None, str, "a", "k", missing="missing") == "f.toml: a.k: missing"
    assert fault(W.check, 1, str, "a", what="custom {expected} / {found} / {value}") == (
        "f.toml: a: custom a string / a number / 1"
    )


def test_opt() -> None:
    assert W.opt(None, str, "a", "k") is None
    assert W.opt("x", str, "a", "k") == "x"
    assert fault(W.opt, 0, str, "a", "k") == "f.toml: a.k: expected a string, found a number"
    assert fault(W.opt, 0, str, "a", "k", what="no") == "f.toml: a.k: no"


def test_text() -> None:
    assert W.text("x", "a", "k") == "x"
    assert fault(W.text, None, "a", "k") == "f.toml: a.k: missing"
    assert fault(W.text, 2, "a", "k") == "f.toml: a.k: expected a string, found a number"
    assert fault(W.text, "", "a", "k") == "f.toml: a.k: empty"
    assert fault(W.text, " \t", "a", "k") == "f.toml: a.k: empty"
    assert W.text(" ", "a", "k", strip=False) == " "
    assert fault(W.text, "", "a", "k", strip=False) == "f.toml: a.k: empty"
    said = {"what": "bad {value}", "missing": "gone {value}", "empty": "blank {value}"}
    assert fault(W.text, 2, "a", **said) == "f.toml: a: bad 2"
    assert fault(W.text, None, "a", **said) == "f.toml: a: gone None"
    assert fault(W.text, "", "a", **said) == "f.toml: a: blank ''"


def test_items() -> None:
    assert W.items(None, "a", "k") == []
    assert W.items([1, "x"], "a", "k") == [1, "x"]
    assert W.items(["x"], "a", "k", of=str) == ["x"]
    assert fault(W.items, "x", "a", "k") == "f.toml: a.k: expected an array, found a string"
    assert fault(W.items, ["x", 2], "a", "k", of=str) == (
        "f.toml: a.k[1]: expected a string, found a number"
    )
    assert fault(W.items, {}, "a", of=str, what="list please", item_what="no") == (
        "f.toml: a: list please"
    )
    assert fault(W.items, [1], "a", of=str, what="list please", item_what="no") == (
        "f.toml: a[0]: no"
    )


def test_items_checks_each_item_like_check() -> None:
    """The whole-list type check lets through what the item-by-item one does (a
    subclass) and nothing more (a boolean is no integer), and names the first misfit."""

    class Name(str):
        pass

    assert W.items(["x", Name("y")], "a", of=str) == ["x", Name("y")]
    assert W.items([1, 2], "a", of=int) == [1, 2]
    assert fault(W.items, [1, True, "x"], "a", of=int) == (
        "f.toml: a[1]: expected an integer, found a boolean"
    )
    assert fault(W.items, ["x"] * 300 + [3], "a", of=str) == (
        "f.toml: a[300]: expected a string, found a number"
    )


def test_table_view() -> None:
    table = W.table({"k": 1}, "a", 2)
    assert isinstance(table, Table)
    assert (table.at, table.data, table.file) == ("a[2]", {"k": 1}, "f.toml")
    assert fault(W.table, [], "a", 2) == "f.toml: a[2]: expected a table, found an array"
    assert fault(W.table, [], "", what="root") == "f.toml: root"


def test_error_and_fail() -> None:
    assert str(W.error("a.b", "bad")) == "f.toml: a.b: bad"
    assert str(W.error("", "bad")) == "f.toml: bad"
    err = W.error("a", "bad")
    assert isinstance(err, InputError)
    assert (err.file, err.where, err.what) == ("f.toml", "a", "bad")

    seen: list[tuple[str, str]] = []

    def fail(at: str, what: str) -> Exception:
        seen.append((at, what))
        return ValueError(f"{at} | {what}")

    custom = Wire(None, FOUND, fail)
    assert fault(custom.check, 1, str, "q", 0) == "q[0] | expected a string, found a number"
    assert seen == [("q[0]", "expected a string, found a number")]


def test_templates_keep_other_braces() -> None:
    message = "must be an http(s) URL, with {id} where the advisory id goes"
    assert fault(W.check, 1, str, "url", what=message) == f"f.toml: url: {message}"


# -- Table: keys of one table -----------------------------------------------------------


T = Wire("f.toml").table(
    {
        "s": "x",
        "blank": " ",
        "n": 3,
        "b": True,
        "l": ["x", 1],
        "ss": ["x"],
        "t": {"k": "v"},
        "ts": [{"k": 1}, 2],
    },
    "p[1]",
)


def test_table_get_and_required() -> None:
    assert T.get("s", str) == "x"
    assert T.get("absent", str) is None
    assert fault(T.get, "s", int) == "f.toml: p[1].s: expected an integer, found a string"
    assert fault(T.get, "s", int, what="int {value}") == "f.toml: p[1].s: int 'x'"
    assert T.required("n", int) == 3
    assert fault(T.required, "absent", int) == "f.toml: p[1].absent: missing"
    assert fault(T.required, "absent", int, missing="gone") == "f.toml: p[1].absent: gone"
    assert fault(T.required, "b", int) == "f.toml: p[1].b: expected an integer, found a boolean"


def test_table_strings_and_scalars() -> None:
    assert T.string("s") == "x"
    assert fault(T.string, "absent") == "f.toml: p[1].absent: missing"
    assert fault(T.string, "blank") == "f.toml: p[1].blank: empty"
    assert fault(T.string, "n") == "f.toml: p[1].n: expected a string, found a number"
    assert T.opt_string("s") == "x"
    assert T.opt_string("absent") is None
    assert fault(T.opt_string, "n") == "f.toml: p[1].n: expected a string, found a number"
    assert T.opt_bool("b") is True
    assert T.opt_bool("absent") is None
    assert fault(T.opt_bool, "n") == "f.toml: p[1].n: expected a boolean, found a number"


def test_table_arrays_and_tables() -> None:
    assert T.opt_list("l") == ["x", 1]
    assert T.opt_list("absent") == []
    assert fault(T.opt_list, "s") == "f.toml: p[1].s: expected an array, found a string"
    assert T.strings("ss") == ["x"]
    assert T.strings("absent") == []
    assert fault(T.strings, "l") == "f.toml: p[1].l[1]: expected a string, found a number"
    assert T.opt_table("t") == {"k": "v"}
    assert T.opt_table("absent") is None
    assert fault(T.opt_table, "l") == "f.toml: p[1].l: expected a table, found an array"
    sub = T.sub("t")
    assert sub is not None
    assert (sub.at, sub.string("k")) == ("p[1].t", "v")
    assert T.sub("absent") is None
    assert fault(T.required_sub, "absent") == "f.toml: p[1].absent: missing"
    assert fault(T.required_sub, "s") == "f.toml: p[1].s: expected a table, found a string"
    tables = T.tables("ts")
    assert next(tables).path("k") == "p[1].ts[0].k"
    assert fault(next, tables) == "f.toml: p[1].ts[1]: expected a table, found a number"
    assert list(T.tables("absent")) == []
    assert T.path(3) == "p[1][3]"
    assert str(T.error("k", "bad")) == "f.toml: p[1].k: bad"


# -- wordings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "value", "kind", "message"),
    [
        (FOUND, 1, dict, "expected a table, found a number"),
        (EXPECTED, 1, dict, "expected a table"),
        (EXPECTED, 1, list, "expected an array"),
        (EXPECTED_JSON, 1, dict, "expected an object"),
        (EXPECTED_JSON, 1, str, "expected a string"),
        (GOT_JSON, "x", dict, "expected an object, got a string"),
        (GOT_JSON, None, str, "expected a string, got null"),
        (GOT_JSON, 1.5, list, "expected an array, got a number"),
        (GOT_JSON, {}, str, "expected a string, got an object"),
        (GOT_JSON, False, str, "expected a string, got a boolean"),
        (GOT_TYPE, "x", list, "expected a list, got str"),
        (GOT_TYPE, 1, str, "expected a string, got int"),
        (GOT_TYPE, [], dict, "expected an object, got list"),
        (MUST, 1, list, "must be an array"),
        (MUST, [], dict, "must be an object"),
        (MUST, 1, str, "must be a non-empty string"),
        (PYTHON_FOUND, [], dict, "expected an object, found an array"),
        (PYTHON_FOUND, "x", dict, "expected an object, found str"),
    ],
)
def test_styles(style: Style, value: object, kind: type, message: str) -> None:
    assert fault(Wire("f", style).check, value, kind, "k") == f"f: k: {message}"


def test_a_type_without_a_name_in_the_style() -> None:
    assert fault(W.check, 1, tuple, "k") == "f.toml: k: expected tuple, found a number"


# -- integers Python will not print -------------------------------------------------------


def test_shown_and_parse_int_never_raise_for_long_integers() -> None:
    with pytest.raises(ValueError, match="4300"):
        repr(BIG)
    assert _wire.shown(BIG) == "<int too long to show>"
    assert _wire.shown([BIG]) == "<list too long to show>"
    assert _wire.shown("x") == "'x'"
    assert _wire.shown_str(BIG) == "<int too long to show>"
    assert _wire.shown_str("x") == "x"
    assert _wire.parse_int("12") == 12
    assert _wire.parse_int("x") is None
    assert _wire.parse_int("1" * (sys.get_int_max_str_digits() + 1)) is None


def test_a_long_integer_gets_the_normal_error() -> None:
    table = W.table({"v": BIG}, "")
    assert table.required("v", int) == BIG
    assert fault(table.get, "v", str) == "f.toml: v: expected a string, found a number"
    assert fault(table.get, "v", str, what="got {value}") == "f.toml: v: got <int too long to show>"


def test_long_integers_in_documents() -> None:
    # tomllib reads hexadecimal integers of any length (rtoml refuses them).
    lock = _toml.stdlib_loads(f"version = 0x{'f' * 5000}\n")
    from pyward._inventory import _uvlock

    assert fault(_uvlock._build, Path("uv.lock"), "", lock) == (
        "uv.lock: version: unsupported uv.lock format version <int too long to show> "
        "(this pyward reads 1)"
    )
    # PyYAML int()s decimal integers: over the limit that was a ValueError.
    with pytest.raises(RecordError) as err:
        load_document("x.yaml", b"id: X\nmodified: " + b"1" * 5000)
    assert str(err.value) == "x.yaml: invalid YAML: an integer too long"


def test_long_cyclonedx_spec_minor_is_a_note(tmp_path: Path) -> None:
    spec = "1." + "1" * 5000
    path = tmp_path / "bom.json"
    path.write_bytes(orjson.dumps({"bomFormat": "CycloneDX", "specVersion": spec}))
    assert _cyclonedx.read(path).notes == (
        f"{path}: CycloneDX 1.<5000 digits> is newer than this pyward knows (1.6)",
    )


# -- one accessor for every parser ----------------------------------------------------------


PARSERS: dict[str, Callable[[], Any]] = {
    "rtoml": lambda: rtoml.loads('[[package]]\nname = "a"\nversion = 2\n'),
    "tomllib": lambda: _toml.stdlib_loads('[[package]]\nname = "a"\nversion = 2\n'),
    "orjson": lambda: orjson.loads(b'{"package": [{"name": "a", "version": 2}]}'),
    "yaml": lambda: yaml.safe_load("package:\n- name: a\n  version: 2\n"),
}


@pytest.mark.parametrize("parser", PARSERS)
def test_same_error_whatever_parsed_the_document(parser: str) -> None:
    top = Wire("doc").table(PARSERS[parser](), "")
    (package,) = top.tables("package")
    assert package.string("name") == "a"
    assert fault(package.opt_string, "version") == (
        "doc: package[0].version: expected a string, found a number"
    )


def test_xml_and_json_cyclonedx_give_the_same_error(tmp_path: Path) -> None:
    ns = "http://cyclonedx.org/schema/bom/1.6"
    xml = tmp_path / "bom.xml"
    xml.write_text(
        f'<bom xmlns="{ns}"><components><component type="library"><name>a</name>'
        "</component></components><dependencies><dependency/></dependencies></bom>"
    )
    json = tmp_path / "bom.json"
    json.write_bytes(
        orjson.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.6",
                "components": [{"type": "library", "name": "a"}],
                "dependencies": [{"ref": None, "dependsOn": []}],
            }
        )
    )
    for path in (xml, json):
        with pytest.raises(InputError) as err:
            _cyclonedx.read(path)
        assert str(err.value) == f"{path}: dependencies[0].ref: expected a string"


def test_rfc3339_reads_every_fraction_width_and_takes_utc_for_no_zone() -> None:
    # Python 3.10's datetime.fromisoformat reads neither Z nor a fraction of other than
    # 3 or 6 digits; the four parses this replaced each failed or guessed differently.
    from datetime import datetime, timezone

    from pyward._wire import rfc3339

    utc = timezone.utc
    assert rfc3339("2024-10-10T17:22:00.58Z") == datetime(2024, 10, 10, 17, 22, 0, 580000, utc)
    assert rfc3339("2024-10-10T17:22:00Z") == datetime(2024, 10, 10, 17, 22, tzinfo=utc)
    assert rfc3339("2024-10-10T17:22:00") == datetime(2024, 10, 10, 17, 22, tzinfo=utc)
    assert rfc3339(" 2024-10-10T19:22:00+02:00 ") == datetime(2024, 10, 10, 17, 22, tzinfo=utc)
    assert rfc3339("2024-13-10T17:22:00Z") is None
    assert rfc3339("yesterday") is None
