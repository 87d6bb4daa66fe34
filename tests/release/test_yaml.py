"""The CI YAML loader: values as the CI systems read them, and the line of every part."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pyward._release._yaml import Place, load
from pyward.errors import InputError

WORKFLOW = """\
name: release
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          python -m build
          twine check dist/*
"""


def test_on_key_stays_a_string() -> None:
    # PyYAML's YAML 1.1 resolver reads the key `on` as True; GitHub reads "on".
    doc = load(WORKFLOW, "release.yml")
    assert list(doc.value) == ["name", "on", "jobs"]
    assert doc.value["on"] == {"push": {"tags": ["v*"]}}
    assert doc.line("on") == 2
    assert doc.line("on", "push", "tags") == 4


def test_yaml_1_1_words_are_strings_and_core_booleans_are_booleans() -> None:
    doc = load("a: yes\nb: off\nc: true\nd: False\ne: 2024-01-01\nf: 3\ng: ~\n1: x\n", "f.yml")
    assert doc.value == {
        "a": "yes",
        "b": "off",
        "c": True,
        "d": False,
        "e": "2024-01-01",
        "f": 3,
        "g": None,
        "1": "x",
    }


def test_lines_and_columns_of_keys_items_and_values() -> None:
    doc = load(WORKFLOW, "release.yml")
    assert doc.line("jobs", "build", "steps", 0) == 9
    assert doc.line("jobs", "build", "steps", 0, "uses") == 9
    assert doc.place("jobs", "build", "steps", 0, "uses") == Place(9, 9)
    assert doc.place("jobs", "build", "steps", 1) == Place(10, 9, None)
    # A path not in the document: its nearest written parent.
    assert doc.line("jobs", "build", "steps", 0, "with", "ref") == 9
    assert load("", "empty.yml").line() is None


def test_text_line_in_a_literal_block() -> None:
    doc = load(WORKFLOW, "release.yml")
    path = ("jobs", "build", "steps", 1, "run")
    assert doc.places[path].style == "|"
    assert doc.text_line(path, 0) == 11
    assert doc.text_line(path, 1) == 12
    # A plain scalar: every offset is its own line.
    assert doc.text_line(("jobs", "build", "steps", 0, "uses"), 0) == 9


def test_aliases_share_the_anchor_and_point_at_it() -> None:
    text = """\
.steps: &steps
  - run: make
  - run: make test
a:
  steps: *steps
b:
  steps: *steps
"""
    doc = load(text, ".gitlab-ci.yml")
    assert doc.value["a"]["steps"] == [{"run": "make"}, {"run": "make test"}]
    assert doc.value["a"]["steps"] is doc.value["b"]["steps"]
    assert doc.line("b", "steps", 1, "run") == 3


def test_merge_keys_merge_and_own_keys_win() -> None:
    text = """\
.base: &base
  stage: deploy
  script:
    - twine upload dist/*
job:
  <<: *base
  stage: release
"""
    doc = load(text, ".gitlab-ci.yml")
    assert doc.value["job"] == {"stage": "release", "script": ["twine upload dist/*"]}
    assert doc.line("job", "script", 0) == 4
    assert doc.line("job", "stage") == 7


def test_merge_of_a_list_earlier_wins() -> None:
    text = "x: &x {a: 1, b: 1}\ny: &y {b: 2, c: 2}\nz:\n  <<: [*x, *y]\n"
    doc = load(text, "f.yml")
    assert doc.value["z"] == {"a": 1, "b": 1, "c": 2}
    assert doc.line("z", "c") == 2


def test_tags_are_kept_for_gitlab_references() -> None:
    doc = load("a:\n  script: !reference [.setup, script]\n", ".gitlab-ci.yml")
    assert doc.value["a"]["script"] == [".setup", "script"]
    assert doc.tags[("a", "script")] == "!reference"


def test_many_aliases_cost_what_the_text_costs() -> None:
    # "Billion laughs": each level doubles the expanded size; the built value shares.
    levels = ["l0: &l0 [x, x]"]
    levels += [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, 60)]
    doc = load("\n".join(levels) + "\n", "laughs.yml")
    assert doc.value["l59"][0] is doc.value["l58"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "jobs:\n  build:\n    steps: [a\n",
            "release.yml: line 4: not valid YAML: did not find expected ',' or ']'",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "release.yml: line 2: not valid YAML: expected a single document in the stream, "
            "but found another document",
        ),
        (
            "a: &a\n  b: *a\n",
            # The anchored value's line: PyYAML's nodes keep no place for an alias.
            "release.yml: line 1: not valid YAML: an alias inside the value it names",
        ),
        ("? [a]\n: 1\n", "release.yml: line 1: a mapping key must be a plain string"),
        ("a: 1\nb: *missing\n", "release.yml: line 2: not valid YAML: found undefined alias"),
        ("x: &x [1]\nz:\n  <<: *x\n", "release.yml: line 3: a '<<' merge needs mappings"),
    ],
)
def test_invalid_yaml_is_one_line_naming_file_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load(text, "release.yml")
    assert str(caught.value) == message


# -- for all inputs ------------------------------------------------------------------

_scalars = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.booleans(),
    st.none(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(deadline=None)  # timing never decides a test (STYLE.md)
@given(_values)
def test_what_yaml_dump_writes_loads_back(value: object) -> None:
    # PyYAML quotes the strings its YAML 1.1 resolver would not read back as strings
    # (`on`, `yes`, `1`), so they stay strings here too; every place is a real line.
    text = yaml.safe_dump(value)
    doc = load(text, "f.yml")
    assert doc.value == value
    lines = text.count("\n") + 1
    assert all(1 <= place.line <= lines for place in doc.places.values())


@settings(deadline=None)  # timing never decides a test (STYLE.md)
@given(st.text(max_size=200))
def test_any_text_loads_or_is_an_input_error(text: str) -> None:
    message = None
    try:
        load(text, "f.yml")
    except InputError as error:
        message = str(error)
    assert message is None or message.startswith("f.yml: ")
