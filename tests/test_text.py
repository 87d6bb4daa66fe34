"""pyward._text: untrusted text made safe to show (issue 12, items 8-10)."""

from __future__ import annotations

import json
import sys

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyward._text import (
    encodable,
    encodable_tree,
    json_invisible,
    json_invisible_utf8,
    json_lone_surrogates,
    plain_text,
    safe_url,
    safe_url_template,
    visible,
    xml_safe,
)


def test_visible_escapes_controls_surrogates_and_bidi() -> None:
    hostile = "a\x1b]0;owned\x07b\x1b[2J\x9b\x7f\udcff\ud800\u202etxt.exe\n\tc"
    assert visible(hostile) == (
        "a\\x1b]0;owned\\x07b\\x1b[2J\\x9b\\x7f\\udcff\\ud800\\u202etxt.exe\\x0a\\x09c"
    )
    assert visible("ünïcødé ✓ 名前 😀") == "ünïcødé ✓ 名前 😀"


def test_encodable_keeps_controls_and_escapes_surrogates() -> None:
    assert encodable("a\x1b\udcffb😀") == "a\x1b\\udcffb😀"
    assert encodable("a\x1b\udcffb😀").encode() == b"a\x1b\\udcffb\xf0\x9f\x98\x80"


def test_encodable_tree_lets_orjson_write_any_name() -> None:
    doc = {"file\udcff": ["x\udcff", 1, None, ("y",)], "n": 1.5}
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(doc)
    assert orjson.loads(orjson.dumps(encodable_tree(doc))) == {
        "file\\udcff": ["x\\udcff", 1, None, ["y"]],
        "n": 1.5,
    }


def test_json_lone_surrogates_keeps_pairs_and_escaped_backslashes() -> None:
    text = json.dumps({"a": "x\udcffy😀 \\udcff \ud800", "b": "\udc80\ud83d\ude00"})
    assert json.loads(json_lone_surrogates(text)) == {
        "a": "x\\udcffy😀 \\udcff \\ud800",
        "b": "\\udc80😀",
    }
    raw = json.dumps({"a": "x\udcff😀"}, ensure_ascii=False)
    assert json.loads(json_lone_surrogates(raw)) == {"a": "x\\udcff😀"}
    assert json_lone_surrogates('{"a": "plain"}') == '{"a": "plain"}'


def test_xml_safe() -> None:
    assert xml_safe("a\x1b\x00\tb\n\udcff\ufffe") == "a\\x1b\\x00\tb\n\\udcff\\ufffe"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://advisories.invalid/GHSA-1", "https://advisories.invalid/GHSA-1"),
        ("HTTPS://a.invalid:8443/x?q=1#f", "https://a.invalid:8443/x?q=1#f"),
        # Markdown and HTML metacharacters, non-ASCII and a stray % are percent-encoded.
        (
            'https://a.invalid/x)(|<b>"ü%zz%41',
            "https://a.invalid/x%29%28%7C%3Cb%3E%22%C3%BC%25zz%41",
        ),
        ("https://a.invalid/x)(|<img src=x>", None),
        ("https://a.invalid/a b", None),
        ("https://a.invalid/a\n# Heading", None),
        ("https://a.invalid/\x1b[2J", None),
        ("https://a.invalid/\u202e", None),
        ("javascript:alert(1)", None),
        ("http://a.invalid/x", None),
        ("https://user:secret@a.invalid/", None),
        ("https://[::1]/", None),
        ("https:///x", None),
        ("https://a.invalid\\@b.invalid/", None),
        ("", None),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_the_url_check_of_whitespace_is_str_isspace_on_every_code_point() -> None:
    from pyward._text import _SPACE

    assert [
        c for c in range(sys.maxunicode + 1) if chr(c).isspace() != bool(_SPACE.match(chr(c)))
    ] == []
    assert safe_url("https://a.invalid/x\u3000y") is None


def test_safe_url_schemes_and_template() -> None:
    assert safe_url("http://a.invalid/x", schemes=("https", "http")) == "http://a.invalid/x"
    assert safe_url_template("https://a.invalid/{id}?q=|") == "https://a.invalid/{id}?q=%7C"
    assert safe_url_template("http://a.invalid/v/") == "http://a.invalid/v/"
    assert safe_url_template("https://a.invalid/{id}) # x") is None
    assert safe_url_template("ftp://a.invalid/{id}") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "a\x7fb",
        "x\x9b\u202e\u2028y",
        "caf\u00e9 \u2026 \u2019",
        "\u00a0\u0085\u061c",
        "\U0001f600",
    ],
)
def test_json_invisible_utf8_is_json_invisible(text: str) -> None:
    assert json_invisible_utf8(text.encode()) == json_invisible(text)


@given(st.text(st.characters(blacklist_categories=["Cs"])))
def test_json_invisible_utf8_is_json_invisible_on_any_text(text: str) -> None:
    assert json_invisible_utf8(text.encode()) == json_invisible(text)


def test_json_invisible_keeps_the_value() -> None:
    text = json.dumps({"a": "x\x9b\u202e\u2028y"}, ensure_ascii=False)
    assert json_invisible(text) == '{"a": "x\\u009b\\u202e\\u2028y"}'
    assert json.loads(json_invisible(text)) == {"a": "x\x9b\u202e\u2028y"}


def test_plain_text_keeps_lines() -> None:
    assert plain_text("a\tb\nc\x1b[2J\x9b\udcff") == "a\tb\nc\\x1b[2J\\x9b\\udcff"
