"""The ``package`` check: deny and allow lists of PEP 508 requirements, their parsing
for the policy loader, and the finding the gate fails on."""

from __future__ import annotations

import pytest

from pyward._audit import audit
from pyward._checks import CHECKS, CheckOptions
from pyward._checks._package import BadEntry, parse_entries
from pyward._config import Config, IgnoreRule
from pyward._findings import Rating
from pyward._model import Component
from pyward._policy._details import PackageDetail, UndecidedDetail
from pyward._policy._model import PackagesRule, Policy
from tests.policy_lists._support import component, context, inventory, run


def policy(*, deny: tuple[str, ...] = (), allow: tuple[str, ...] = ()) -> Policy:
    """A policy with only the ``packages`` rule on."""
    return Policy(
        vulnerabilities=None,
        malicious=None,
        typosquat=None,
        cooldown=None,
        yanked=None,
        project_status=None,
        packages=PackagesRule(deny=deny, allow=allow),
    )


@pytest.mark.parametrize(
    ("text", "name", "specifier"),
    [
        ("insecure-package", "insecure-package", ""),
        ("Insecure_Package", "insecure-package", ""),
        ("urllib3<2", "urllib3", "<2"),
        ("Django >=4.0, <4.2", "django", "<4.2,>=4.0"),
        ("zope.interface===5.0", "zope-interface", "===5.0"),
    ],
)
def test_entries_parse_to_a_normalised_name_and_a_specifier(
    text: str, name: str, specifier: str
) -> None:
    (entry,) = parse_entries([text])
    assert (entry.text, entry.name, str(entry.specifier)) == (text, name, specifier)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "urllib3 @ https://files.example.invalid/u.whl",
            "'urllib3 @ https://files.example.invalid/u.whl': a "
            "packages entry names no URL (give a name and versions)",
        ),
        (
            'urllib3<2; python_version < "3.8"',
            "'urllib3<2; python_version < \"3.8\"': a packages entry takes no environment "
            "marker ('; ...')",
        ),
        ("requests[socks]", "'requests[socks]': a packages entry takes no extras ('[...]')"),
        (
            "urllib3 <<2",
            "'urllib3 <<2': not a PEP 508 requirement (Expected semicolon (after name with "
            "no version specifier) or end)",
        ),
        (
            "",
            "'': not a PEP 508 requirement (Expected package name at the start of dependency "
            "specifier)",
        ),
    ],
)
def test_a_bad_entry_is_a_one_line_error_with_its_position(text: str, message: str) -> None:
    with pytest.raises(BadEntry) as info:
        parse_entries(["six", text])
    assert isinstance(info.value, ValueError)
    assert info.value.index == 1
    assert str(info.value) == message
    assert "\n" not in str(info.value)


DENY_URLLIB3 = PackageDetail(list="deny", entry="urllib3<2")
NOT_ALLOWED = PackageDetail(list="allow", entry=None)


@pytest.mark.parametrize(
    ("deny", "allow", "pin", "expected"),
    [
        # A deny entry with a specifier: only the versions it names.
        (("urllib3<2",), (), "urllib3==1.26.18", DENY_URLLIB3),
        (("urllib3<2",), (), "urllib3==2.2.1", None),
        # Pre-releases match (PEP 440 otherwise: <2 does not take in 2.0.0rc1).
        (("urllib3<2",), (), "urllib3==1.26.0b1", DENY_URLLIB3),
        (("urllib3<2",), (), "urllib3==2.0.0rc1", None),
        (("django>=5",), (), "django==5.1rc1", PackageDetail(list="deny", entry="django>=5")),
        # A name alone: every version; names compare PEP 503 normalised.
        (
            ("Insecure_Package",),
            (),
            "insecure-package==0.1",
            PackageDetail(list="deny", entry="Insecure_Package"),
        ),
        (("insecure-package",), (), "six==1.16.0", None),
        # Versions compare by PEP 440 (2.0 is 2.0.0).
        (
            ("requests==2.0",),
            (),
            "requests==2.0.0",
            PackageDetail(list="deny", entry="requests==2.0"),
        ),
        # The allow-list: a component satisfying no entry is a finding.
        ((), ("requests", "urllib3>=2"), "requests==2.32.3", None),
        ((), ("requests", "urllib3>=2"), "urllib3==2.2.1", None),
        ((), ("requests", "urllib3>=2"), "urllib3==1.26.18", NOT_ALLOWED),
        ((), ("requests", "urllib3>=2"), "six==1.16.0", NOT_ALLOWED),
        # A deny entry decides before the allow-list.
        (("urllib3<2",), ("urllib3",), "urllib3==1.26.18", DENY_URLLIB3),
        (("urllib3<2",), ("urllib3",), "urllib3==2.2.1", None),
    ],
)
def test_deny_and_allow_lists(
    deny: tuple[str, ...], allow: tuple[str, ...], pin: str, expected: PackageDetail | None
) -> None:
    result = run(
        "package", context(inventory(component(pin)), policy=policy(deny=deny, allow=allow))
    )
    assert result.undecided == ()
    assert [f.detail for f in result.findings] == ([expected] if expected else [])


def test_the_finding_names_the_entry_with_the_status_ids() -> None:
    result = run(
        "package",
        context(inventory(component("urllib3==1.26.18")), policy=policy(deny=("urllib3<2",))),
    )
    (finding,) = result.findings
    assert (finding.kind, finding.check) == ("package", "package")
    assert (finding.id, finding.aliases) == ("package:urllib3@1.26.18", ("package:urllib3",))
    assert finding.summary == "urllib3 1.26.18: denied by the policy (urllib3<2)"
    assert finding.rating == Rating(level=CHECKS["package"].severity, type="check")  # type: ignore[index]
    assert finding.rating.level == "high"
    assert finding.path == ("urllib3==1.26.18",)


def test_without_a_policy_or_with_empty_lists_nothing_is_reported() -> None:
    inv = inventory(component("urllib3==1.26.18"))
    assert run("package", context(inv)) == run("package", context(inv, policy=policy()))
    assert run("package", context(inv)).findings == ()


def test_a_version_that_is_not_pep_440_is_undecided_by_an_entry_with_a_specifier() -> None:
    git = Component(name="urllib3", version="main", source="git", direct=True)
    inv = inventory(git)
    # Not a subject of the index checks (a VCS checkout), but still seen by this rule.
    ctx = context(inv, policy=policy(deny=("urllib3<2",)), subjects=())
    result = run("package", ctx)
    assert result.findings == ()
    (undecided,) = result.undecided
    assert undecided.component == git
    assert undecided.reason == "main is not a PEP 440 version: not compared with 'urllib3<2'"
    # A name alone decides whatever the version.
    named = run("package", context(inv, policy=policy(deny=("urllib3",)), subjects=()))
    assert [f.summary for f in named.findings] == ["urllib3 main: denied by the policy (urllib3)"]
    # On the allow-list the same: an entry that cannot be compared is not a pass.
    allowed = run("package", context(inv, policy=policy(allow=("urllib3>=2",)), subjects=()))
    assert [u.reason for u in allowed.undecided] == [
        "main is not a PEP 440 version: not compared with 'urllib3>=2'"
    ]


def test_each_component_once_across_inputs() -> None:
    first = inventory(component("six==1.16.0"), source="a.txt")
    second = inventory(component("six==1.16.0"), component("idna==3.7"), source="b.txt")
    result = run("package", context(first, second, policy=policy(allow=("idna",))))
    assert [f.id for f in result.findings] == ["package:six@1.16.0"]


def test_a_denied_package_fails_the_policy_run_and_an_ignore_names_it() -> None:
    inv = inventory(component("urllib3==1.26.18"), component("six==1.16.0"))
    chosen = [CHECKS["package"]]  # type: ignore[index]
    pol = policy(deny=("urllib3<2",))
    report = audit([inv], None, checks=chosen, options=CheckOptions(policy=pol))
    assert [f.id for f in report.findings] == ["package:urllib3@1.26.18"]
    assert report.failed
    ignored = audit(
        [inv],
        None,
        checks=chosen,
        options=CheckOptions(policy=pol),
        config=Config(ignores=(IgnoreRule(id="package:urllib3", reason="pinned by a vendor"),)),
    )
    assert ignored.findings == ()
    assert not ignored.failed


def test_an_undecided_component_is_a_finding_of_the_policy_run() -> None:
    git = Component(name="urllib3", version="main", source="git", direct=True)
    report = audit(
        [inventory(git)],
        None,
        checks=[CHECKS["package"]],  # type: ignore[index]
        options=CheckOptions(policy=policy(deny=("urllib3<2",))),
    )
    (finding,) = report.findings
    assert finding.kind == "undecided"
    assert finding.detail == UndecidedDetail(
        rule="packages", reason="main is not a PEP 440 version: not compared with 'urllib3<2'"
    )
    assert report.failed
