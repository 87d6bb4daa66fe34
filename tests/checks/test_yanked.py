"""The ``yanked`` check on the recorded index pages (requests 2.32.0 and 2.32.1 yanked
with a reason, sigstore's early releases) and on pages written by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_version
from packaging.version import Version

from pyward._checks import CheckResult
from pyward._checks._index import is_prerelease, release_key
from pyward._findings import Rating, Reference, YankedDetail
from pyward._model import component_key
from pyward._sources.index._port import FailureKind, IndexFailure
from tests.checks._status_support import context, file, made, metadata, recorded, run
from tests.index._support import INDEX

REQUESTS_REASON = "Yanked due to conflicts with CVE-2024-35195 mitigation"


def test_a_yanked_pin_is_a_finding_with_the_reason_and_the_nearest_upgrade() -> None:
    result = run("yanked", context(metadata(recorded("requests")), "requests==2.32.0"))
    assert result.warnings == ()
    (finding,) = result.findings
    assert (finding.kind, finding.check) == ("yanked", "yanked")
    assert (finding.id, finding.aliases) == ("yanked:requests@2.32.0", ("yanked:requests",))
    assert finding.summary == (
        f'requests 2.32.0 was yanked from its index: "{REQUESTS_REASON}"; upgrade to 2.32.2'
    )
    assert finding.details == (
        f"Every file of requests 2.32.0 on {INDEX} is yanked (PEP 592): installers skip it "
        "unless it is pinned exactly, as a lock pins it. The index gives the reason "
        f'"{REQUESTS_REASON}". 2.32.2 is the nearest release above it that can be installed.'
    )
    assert finding.rating == Rating(level="high", type="check")
    assert finding.detail == YankedDetail(reason=REQUESTS_REASON, index=INDEX)
    assert finding.references == (Reference(type="PACKAGE", url=f"{INDEX}requests/"),)
    assert finding.component is not None
    assert finding.component.version == "2.32.0"
    assert finding.path == (component_key("requests", "2.32.0"),)


def test_the_upgrade_passes_over_every_yanked_release_above() -> None:
    index = metadata(recorded("requests"), recorded("sigstore"))
    result = run("yanked", context(index, "requests==2.32.1", "sigstore==0.4.0", "sigstore==0.2.0"))
    assert [f.summary for f in result.findings] == [
        f'requests 2.32.1 was yanked from its index: "{REQUESTS_REASON}"; upgrade to 2.32.2',
        'sigstore 0.4.0 was yanked from its index: "Missing submodules"; upgrade to 0.5.0',
        'sigstore 0.2.0 was yanked from its index: "Incompatible w/ latest Sigstore APIs"; '
        "upgrade to 0.5.0",
    ]
    # The same answer as the index model's own list of installable versions.
    sigstore = recorded("sigstore")
    assert sigstore.released_versions()[0] == "0.5.0"


def test_releases_that_are_not_yanked_give_nothing() -> None:
    index = metadata(recorded("requests"), recorded("six"), recorded("sampleproject"))
    # 2.15.0 is listed without files: not yanked, and on the index.
    pins = ("requests==2.32.2", "requests==2.15.0", "six==1.16.0", "sampleproject==1.0")
    result = run("yanked", context(index, *pins))
    assert (result.findings, result.warnings) == ((), ())


def test_versions_compare_by_pep_440() -> None:
    index = metadata(recorded("requests"))
    (finding,) = run("yanked", context(index, "requests==2.32.0.0")).findings
    assert finding.id == "yanked:requests@2.32.0.0"
    assert finding.summary.startswith("requests 2.32.0.0 was yanked from its index:")


def test_a_local_version_is_its_own_release() -> None:
    # A ``+cpu`` build is not the public release: it is yanked or not on the index
    # that serves it.
    result = run("yanked", context(metadata(recorded("requests")), "requests==2.32.0+cpu"))
    assert result.findings == ()
    assert result.warnings == (f"requests 2.32.0+cpu: not on the index ({INDEX})",)
    local = made(
        "torchish",
        [
            file("torchish", "2.1.0+cpu", yanked="broken wheel"),
            file("torchish", "2.1.0"),
            file("torchish", "2.1.1+cpu"),
        ],
    )
    (finding,) = run("yanked", context(metadata(local), "torchish==2.1.0+cpu")).findings
    # 2.1.0 (the public release, not yanked) sorts below 2.1.0+cpu: not an upgrade.
    assert finding.summary == (
        'torchish 2.1.0+cpu was yanked from its index: "broken wheel"; upgrade to 2.1.1+cpu'
    )


def test_a_pin_the_index_does_not_list_is_a_warning() -> None:
    result = run("yanked", context(metadata(recorded("six")), "six==1.99.0"))
    assert result.findings == ()
    assert result.warnings == (f"six 1.99.0: not on the index ({INDEX})",)


def test_no_reason_and_no_upgrade() -> None:
    page = made("lonely", [file("lonely", "1.0", yanked=True), file("lonely", "0.9")])
    (finding,) = run("yanked", context(metadata(page), "lonely==1.0")).findings
    assert finding.summary == (
        "lonely 1.0 was yanked from its index (no reason given); no later release to upgrade to"
    )
    assert finding.detail == YankedDetail(reason=None, index=INDEX)
    assert finding.details is not None
    assert finding.details.endswith(
        "The index gives no reason. No release above it can be installed."
    )


def test_a_release_with_one_file_left_is_not_yanked() -> None:
    page = made(
        "half",
        [file("half", "1.0", yanked="bad wheel"), file("half", "1.0", sdist=True)],
    )
    result = run("yanked", context(metadata(page), "half==1.0"))
    assert (result.findings, result.warnings) == ((), ())


def test_the_upgrade_is_one_the_projects_python_can_install() -> None:
    page = made(
        "picky",
        [
            file("picky", "1.0", yanked="oops"),
            file("picky", "1.1", requires_python=">=3.12"),
            file("picky", "1.2rc1"),
            file("picky", "1.2"),
        ],
    )
    index = metadata(page)
    (old,) = run("yanked", context(index, "picky==1.0", python="3.9")).findings
    assert old.summary == 'picky 1.0 was yanked from its index: "oops"; upgrade to 1.2'
    assert old.details is not None
    assert old.details.endswith(
        "1.2 is the nearest release above it that can be installed on Python 3.9."
    )
    (new,) = run("yanked", context(index, "picky==1.0", python="3.12")).findings
    assert new.summary == 'picky 1.0 was yanked from its index: "oops"; upgrade to 1.1'


def test_a_yanked_pre_release_may_be_upgraded_to_a_pre_release() -> None:
    page = made(
        "early",
        [file("early", "2.0b1", yanked="typo"), file("early", "2.0b2"), file("early", "2.0")],
    )
    (finding,) = run("yanked", context(metadata(page), "early==2.0b1")).findings
    assert finding.summary == 'early 2.0b1 was yanked from its index: "typo"; upgrade to 2.0b2'
    sigstore = run("yanked", context(metadata(recorded("sigstore")), "sigstore==0.0.1rc1"))
    assert [f.summary for f in sigstore.findings] == [
        'sigstore 0.0.1rc1 was yanked from its index: "Incompatible w/ latest Sigstore APIs"; '
        "upgrade to 0.5.0"
    ]


def test_a_version_that_is_not_pep_440_is_a_warning() -> None:
    result = run("yanked", context(metadata(recorded("six")), "six==latest"))
    assert result.findings == ()
    assert result.warnings == (
        "six latest: not a PEP 440 version; not compared with its index's releases",
    )
    # No version at all: the audit says so (not audited); the check adds nothing.
    assert run("yanked", context(metadata(recorded("six")), "six==")) == CheckResult()


FAILURES: list[tuple[FailureKind, str]] = [
    ("not-found", "private: not on this index (https://index.invalid/simple/)"),
    ("network", "https://index.invalid/simple/private/: timed out after 3 attempts"),
    ("http", "https://index.invalid/simple/private/: HTTP 403 Forbidden"),
    ("offline", "https://index.invalid/simple/private/: offline and not cached"),
    ("unsupported", "https://index.invalid/simple/private/: the index answered text/html"),
    ("invalid", "https://index.invalid/simple/private/: files[0].url: missing"),
    ("too-large", "https://index.invalid/simple/private/: over the 20 MB limit"),
]


@pytest.mark.parametrize(("kind", "reason"), FAILURES, ids=[k for k, _ in FAILURES])
def test_a_page_that_failed_is_one_warning(kind: FailureKind, reason: str) -> None:
    failure = IndexFailure(name="private", reason=reason, kind=kind)
    index = metadata(failure, recorded("requests"))
    result = run("yanked", context(index, "private==1.0", "private==2.0", "requests==2.32.0"))
    # The rest is checked; the failure is said once for the project.
    assert [f.id for f in result.findings] == ["yanked:requests@2.32.0"]
    shown = reason.removeprefix("private: ")
    assert result.warnings == (
        f"index metadata for private: {shown}; its status checks did not run",
    )


def test_a_project_no_index_was_asked_about_adds_nothing() -> None:
    # No index configured: the audit says so once, not once per package.
    index = metadata(recorded("six"))
    result = run("yanked", context(index, "private==1.0", "six==1.16.0"))
    assert (result.findings, result.warnings) == ((), ())


_SEGMENT = st.integers(min_value=0, max_value=30).map(str) | st.sampled_from(["00", "007", "0"])


@given(
    release=st.lists(_SEGMENT, min_size=1, max_size=5).map(".".join),
    suffix=st.sampled_from(["", "rc1", "a0", ".post1", ".dev3", "+cpu", "+CPU.1", "-1", ".0"]),
    epoch=st.sampled_from(["", "1!"]),
)
def test_two_versions_are_one_release_exactly_when_pep_440_says_so(
    release: str, suffix: str, epoch: str
) -> None:
    # The checks key releases by a string (release_key), with a short cut for plain
    # release numbers: it agrees with packaging's canonical form, so with Version equality.
    text = f"{epoch}{release}{suffix}"
    assert release_key(text) == canonicalize_version(Version(text), strip_trailing_zero=True)
    assert is_prerelease(text) == Version(text).is_prerelease
    padded = f"{epoch}{release}.0{suffix}"
    assert (release_key(text) == release_key(padded)) == (Version(text) == Version(padded))


def test_every_recorded_version_keys_as_packaging_says() -> None:
    for name in ("requests", "six", "sigstore", "sampleproject"):
        page = recorded(name)
        for text in (*page.versions, *(f.version for f in page.files if f.version)):
            assert release_key(text) == canonicalize_version(
                Version(text), strip_trailing_zero=True
            ), text
    assert release_key("not a version") is None
    assert is_prerelease("not a version") is False
