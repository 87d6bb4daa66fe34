"""The policy's ``provenance`` rule: its place in the rule table, the loader's settings
(``require``, ``publisher-change``) with one-line errors naming the key path, tighten-only
``extend``, and what the rule makes the gate fail on."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._policy import RULES, rule_of_check
from pyward._policy._load import load_policy, parse_policy
from pyward._policy._model import Policy, ProvenanceRule
from pyward._policy._verdict import enabled_rules, failing_kinds, rule_settings, summary
from pyward.errors import InputError


def _project(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.pyward.policy]\n{text}\n", encoding="utf-8")
    return path


def test_the_rule_is_registered_with_its_check_and_off_by_default() -> None:
    rule = RULES["provenance"]
    assert (rule.field, rule.check, rule.record) == ("provenance", "provenance", ProvenanceRule)
    assert rule_of_check(rule.check) is rule
    assert "repository and CI workflow" in rule.rationale
    assert "taken over" in rule.rationale
    assert Policy().provenance is None
    assert rule not in enabled_rules(Policy())


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"provenance": True}, ProvenanceRule()),
        ({"provenance": {}}, ProvenanceRule()),
        ({"provenance": {"require": True}}, ProvenanceRule(require=True)),
        ({"provenance": {"require": False}}, ProvenanceRule()),
        ({"provenance": {"require": []}}, ProvenanceRule()),
        (
            {"provenance": {"require": ["Pypi_Attestations", "attrs", "ATTRS"]}},
            ProvenanceRule(require=("pypi-attestations", "attrs")),
        ),
        ({"provenance": {"require": "Sigstore"}}, ProvenanceRule(require=("sigstore",))),
        ({"provenance": {"publisher-change": False}}, ProvenanceRule(publisher_change=False)),
        ({"provenance": False}, None),
        ({"provenance": {"enabled": False, "require": True}}, None),
    ],
)
def test_settings_are_read_and_names_normalised(
    table: dict[str, object], expected: ProvenanceRule | None
) -> None:
    assert parse_policy(table).provenance == expected


def test_require_names_the_packages_that_must_be_attested() -> None:
    rule = ProvenanceRule(require=("attrs",))
    assert rule.requires("attrs")
    assert not rule.requires("six")
    assert ProvenanceRule(require=True).requires("six")
    assert not ProvenanceRule().requires("six")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("provenance = 'yes'", "tool.pyward.policy.provenance", "must be true, false or a table"),
        (
            "provenance = { require = 3 }",
            "tool.pyward.policy.provenance.require",
            "must be true, false or a list of project names",
        ),
        (
            "provenance = { require = ['attrs', 'not a name!'] }",
            "tool.pyward.policy.provenance.require[1]",
            "'not a name!' is not a project name",
        ),
        (
            "provenance = { require = ['attrs', 4] }",
            "tool.pyward.policy.provenance.require[1]",
            "must be a non-empty string",
        ),
        (
            "provenance = { publisher-change = 'yes' }",
            "tool.pyward.policy.provenance.publisher-change",
            "must be true or false",
        ),
        (
            "provenance = { publisher_change = false }",
            "tool.pyward.policy.provenance.publisher_change",
            "unknown setting (known: enabled, require, publisher-change)",
        ),
        (
            "[tool.pyward.policy.provenance]\nrequires = true",
            "tool.pyward.policy.provenance.requires",
            "unknown setting",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_file_and_key_path(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = _project(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_policy(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(str(path))
    assert f"{where}: " in text
    assert message in text


def test_a_table_of_settings_in_a_file(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        "[tool.pyward.policy.provenance]\nrequire = ['Cryptography', 'urllib3']\n"
        "publisher-change = true\n",
    )
    policy, _ = load_policy(path)
    assert policy.provenance == ProvenanceRule(require=("cryptography", "urllib3"))
    # The other rules keep the default policy's settings.
    assert policy.cooldown == Policy().cooldown


BASE = """
[provenance]
require = ["cryptography", "urllib3"]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("provenance = true", ProvenanceRule(require=("cryptography", "urllib3"))),
        (
            "provenance = { require = ['urllib3', 'cryptography', 'attrs'] }",
            ProvenanceRule(require=("urllib3", "cryptography", "attrs")),
        ),
        ("provenance = { require = true }", ProvenanceRule(require=True)),
    ],
)
def test_an_extending_policy_may_require_more(
    tmp_path: Path, text: str, expected: ProvenanceRule
) -> None:
    (tmp_path / "org.toml").write_text(BASE, encoding="utf-8")
    policy, _ = load_policy(_project(tmp_path, f"extend = 'org.toml'\n{text}"))
    assert policy.provenance == expected


@pytest.mark.parametrize(
    ("base", "text", "where", "what"),
    [
        (BASE, "provenance = false", "provenance", "turns the rule off"),
        (
            BASE,
            "provenance = { require = ['urllib3', 'attrs'] }",
            "provenance.require",
            "no longer requires cryptography to be attested",
        ),
        (BASE, "provenance = { require = false }", "provenance.require", "no longer requires"),
        (
            "provenance = { require = true }",
            "provenance = { require = ['attrs'] }",
            "provenance.require",
            "no longer requires every package to be attested",
        ),
        (
            "provenance = true",
            "provenance = { publisher-change = false }",
            "provenance.publisher-change",
            "lets a publisher change pass",
        ),
    ],
)
def test_an_extending_policy_may_not_loosen_the_rule(
    tmp_path: Path, base: str, text: str, where: str, what: str
) -> None:
    (tmp_path / "org.toml").write_text(base, encoding="utf-8")
    path = _project(tmp_path, f"extend = 'org.toml'\n{text}")
    with pytest.raises(InputError) as info:
        load_policy(path)
    message = str(info.value)
    assert f"tool.pyward.policy.{where}: " in message
    assert what in message
    assert "may only tighten" in message
    assert str(tmp_path / "org.toml") in message


def test_a_base_without_publisher_change_may_be_tightened_to_it(tmp_path: Path) -> None:
    (tmp_path / "org.toml").write_text(
        "provenance = { publisher-change = false }\n", encoding="utf-8"
    )
    policy, _ = load_policy(
        _project(tmp_path, "extend = 'org.toml'\nprovenance = { publisher-change = true }")
    )
    assert policy.provenance == ProvenanceRule()


def test_the_gate_and_the_report_settings() -> None:
    policy = parse_policy({"provenance": {"require": ["attrs"]}, "undecided": "pass"})
    kinds = failing_kinds(policy)
    assert {"provenance:failed", "provenance:unattested", "provenance:publisher-change"} <= kinds
    assert "undecided" not in kinds
    assert rule_settings(policy.provenance) == {"require": ["attrs"], "publisher-change": True}
    stated = summary(policy)
    assert "provenance" in stated.rules
    assert stated.settings["provenance"] == {"require": ["attrs"], "publisher-change": True}
    lenient = parse_policy({"provenance": {"publisher-change": False}})
    assert "provenance:publisher-change" not in failing_kinds(lenient)
