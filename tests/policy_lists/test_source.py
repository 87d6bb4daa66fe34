"""The ``source`` check: only the policy's indexes, and the dependency-confusion probe of
the public ones, through the real index client against a loopback index (a 404 is "not
there"; a 5xx or no answer offline is undecided; a cached page answers offline)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pytest

from pyward._audit import audit
from pyward._checks import CHECKS, CheckOptions, Sources
from pyward._checks._source import origin_of, probe_names
from pyward._commands._sources import gather_sources, source_origins
from pyward._config import Config
from pyward._policy._details import SourceDetail, UndecidedDetail
from pyward._policy._model import Policy, SourcesRule
from pyward._settings import Settings
from pyward._sources.index._fetch import ClientOptions
from pyward._sources.index._public import PublicName, probe_public
from pyward._sources.index._resolve import index_key
from tests.index._loopback_index import loopback_index
from tests.policy_lists._support import component, context, inventory, run

PRIVATE = "https://pkgs.example.invalid/simple/"
PUBLIC = "https://index.example.invalid/simple/"
OTHER = "https://mirror.example.invalid/simple/"
#: Small timeouts, one retry: the faults cost fractions of a second.
FAST = ClientOptions(timeout=0.5, retries=1, backoff=0.01, max_retry_after=0.05)


def policy(*, indexes: tuple[str, ...] = (), public: tuple[str, ...] = ()) -> Policy:
    """A policy with only the ``sources`` rule on."""
    return Policy(
        vulnerabilities=None,
        malicious=None,
        typosquat=None,
        cooldown=None,
        yanked=None,
        project_status=None,
        sources=SourcesRule(indexes=indexes, public=public),
    )


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://pkgs.example.invalid/simple/", "https://pkgs.example.invalid/simple"),
        ("https://pkgs.example.invalid/simple", "https://pkgs.example.invalid/simple"),
        ("HTTPS://Pkgs.Example.INVALID/simple/", "https://pkgs.example.invalid/simple"),
        ("https://user:token@pkgs.example.invalid/simple/", "https://pkgs.example.invalid/simple"),
        ("https://pkgs.example.invalid:443/simple/", "https://pkgs.example.invalid/simple"),
        ("http://pkgs.example.invalid:80/simple", "http://pkgs.example.invalid/simple"),
        ("https://pkgs.example.invalid:8443/simple/", "https://pkgs.example.invalid:8443/simple"),
        # The path keeps its case; the scheme is part of the index.
        ("https://pkgs.example.invalid/Simple/", "https://pkgs.example.invalid/Simple"),
        ("http://pkgs.example.invalid/simple/", "http://pkgs.example.invalid/simple"),
        ("file:///srv/wheels", None),
    ],
)
def test_index_urls_compare_without_credentials_slash_and_case(url: str, key: str | None) -> None:
    assert index_key(url) == key


def answers(*items: tuple[str, str, bool | None]) -> Mapping[tuple[str, str], PublicName]:
    return {
        (index_key(url) or url, name): PublicName(
            exists=exists, reason=None if exists is not None else f"{url}{name}/: HTTP 503"
        )
        for url, name, exists in items
    }


# (rule, component's recorded index, configured index, public answers) -> expected
# detail, or the undecided reason, or None (passes).
CASES = [
    pytest.param(
        policy(indexes=(PRIVATE,)),
        "https://TOKEN@pkgs.example.invalid/simple",
        None,
        {},
        None,
        id="allowed: credentials, slash and case aside",
    ),
    pytest.param(
        policy(indexes=(PRIVATE,)),
        OTHER,
        None,
        {},
        SourceDetail(problem="unlisted-index", index=OTHER),
        id="unlisted index",
    ),
    pytest.param(
        policy(indexes=(PRIVATE,)),
        None,
        PRIVATE,
        {},
        None,
        id="no recorded index: the configured one applies",
    ),
    pytest.param(
        policy(indexes=(PRIVATE,)),
        None,
        OTHER,
        {},
        SourceDetail(problem="unlisted-index", index=OTHER),
        id="the configured index is not listed",
    ),
    pytest.param(
        policy(indexes=(PRIVATE,)),
        None,
        None,
        {},
        "the input does not record its index, and no index is configured",
        id="no index at all: undecided",
    ),
    pytest.param(
        policy(public=(PUBLIC,)),
        PRIVATE,
        None,
        answers((PUBLIC, "acme-utils", True)),
        SourceDetail(problem="confusion", index=PRIVATE, public_index=PUBLIC),
        id="confusion",
    ),
    pytest.param(
        policy(public=(PUBLIC,)),
        PRIVATE,
        None,
        answers((PUBLIC, "acme-utils", False)),
        None,
        id="not on the public index (404)",
    ),
    pytest.param(
        policy(public=(PUBLIC,)),
        PUBLIC.rstrip("/"),
        None,
        {},
        None,
        id="from the public index itself: nothing to probe",
    ),
    pytest.param(
        policy(public=(PUBLIC,)),
        PRIVATE,
        None,
        answers((PUBLIC, "acme-utils", None)),
        f"whether a public index has the name too is unknown: {PUBLIC}acme-utils/: HTTP 503",
        id="public index did not answer: undecided",
    ),
    pytest.param(
        policy(public=(PUBLIC,)),
        PRIVATE,
        None,
        {},
        f"whether a public index has the name too is unknown: {PUBLIC} was not asked",
        id="public index not asked: undecided",
    ),
    pytest.param(
        policy(public=(PUBLIC, OTHER)),
        PRIVATE,
        None,
        answers((PUBLIC, "acme-utils", None), (OTHER, "acme-utils", True)),
        SourceDetail(problem="confusion", index=PRIVATE, public_index=OTHER),
        id="one public index has it: decided whatever the other said",
    ),
    pytest.param(
        policy(indexes=(PRIVATE,), public=(PUBLIC,)),
        OTHER,
        None,
        answers((PUBLIC, "acme-utils", True)),
        SourceDetail(problem="unlisted-index", index=OTHER),
        id="an unlisted index is the one finding",
    ),
]


@pytest.mark.parametrize(("rule", "recorded", "configured", "public", "expected"), CASES)
def test_the_source_rule(
    rule: Policy,
    recorded: str | None,
    configured: str | None,
    public: Mapping[tuple[str, str], PublicName],
    expected: SourceDetail | str | None,
) -> None:
    inv = inventory(component("acme-utils==1.2.0", index=recorded), source="uv.lock")
    sources = Sources(
        configured_indexes={"uv.lock": configured} if configured else {}, public_names=public
    )
    result = run("source", context(inv, policy=rule, sources=sources))
    if isinstance(expected, str):
        assert result.findings == ()
        assert [u.reason for u in result.undecided] == [expected]
    else:
        assert result.undecided == ()
        assert [f.detail for f in result.findings] == ([expected] if expected else [])


def test_the_confusion_finding_says_what_to_do() -> None:
    inv = inventory(component("acme-utils==1.2.0", index=PRIVATE), source="uv.lock")
    sources = Sources(public_names=answers((PUBLIC, "acme-utils", True)))
    (finding,) = run(
        "source", context(inv, policy=policy(public=(PUBLIC,)), sources=sources)
    ).findings
    assert (finding.id, finding.aliases) == ("source:acme-utils@1.2.0", ("source:acme-utils",))
    assert finding.summary == (
        f"acme-utils 1.2.0: the name exists on {PUBLIC} as well as on {PRIVATE} "
        "(dependency confusion)"
    )
    assert finding.details is not None
    assert "--extra-index-url" in finding.details
    assert finding.rating.level == "high"


def test_an_installed_distribution_records_no_index() -> None:
    installed = component("six==1.16.0", source="installed")
    inv = inventory(installed, source="/venv", format="environment")
    assert origin_of(inv, installed, {"/venv": PRIVATE}) == (
        "an installed distribution does not record the index it came from"
    )


def test_credentials_never_reach_a_finding() -> None:
    inv = inventory(
        component("acme-utils==1.2.0", index="https://user:s3cret@pkgs.example.invalid/simple/"),
        source="uv.lock",
    )
    (finding,) = run("source", context(inv, policy=policy(indexes=(OTHER,)))).findings
    assert "s3cret" not in f"{finding.summary} {finding.details}"
    assert finding.detail == SourceDetail(
        problem="unlisted-index", index="https://***@pkgs.example.invalid/simple/"
    )


def test_without_lists_nothing_is_checked() -> None:
    inv = inventory(component("six==1.16.0"))
    assert run("source", context(inv)) == run("source", context(inv, policy=policy()))
    assert run("source", context(inv)).undecided == ()


def test_only_names_from_allowed_private_indexes_are_probed() -> None:
    inv = inventory(
        component("acme-utils==1.0", index=PRIVATE),
        component("six==1.16.0", index=PUBLIC),
        component("stray==1.0", index=OTHER),
        component("unknown==1.0"),
        source="uv.lock",
    )
    subjects = [(inv, c) for c in inv.components]
    rule = SourcesRule(indexes=(PRIVATE, PUBLIC), public=(PUBLIC,))
    assert probe_names(subjects, rule, {}) == ["acme-utils"]
    assert probe_names(subjects, SourcesRule(public=(PUBLIC,)), {}) == ["acme-utils", "stray"]
    assert probe_names(subjects, SourcesRule(indexes=(PRIVATE,)), {}) == []


# -- the probe, through the real client against a loopback index ---------------------


@pytest.mark.usefixtures("online")
def test_the_probe_asks_the_public_index(tmp_path: Path) -> None:
    with loopback_index(faults={"flaky": "error"}) as index:
        found, notes = probe_public(
            [index.simple_url],
            ["six", "acme-internal", "flaky"],
            cache_dir=tmp_path,
            client=FAST,
        )
    key = index_key(index.simple_url)
    assert key is not None
    assert found[(key, "six")] == PublicName(exists=True)
    assert found[(key, "acme-internal")] == PublicName(exists=False)
    flaky = found[(key, "flaky")]
    assert flaky.exists is None
    assert flaky.reason is not None
    assert "500" in flaky.reason
    assert notes == ()


@pytest.mark.usefixtures("online")
def test_the_probe_answers_offline_from_the_cache_and_revalidates(tmp_path: Path) -> None:
    with loopback_index() as index:
        probe_public([index.simple_url], ["six"], cache_dir=tmp_path, client=FAST)
        asked = len(index.requests)
        offline, _ = probe_public(
            [index.simple_url], ["six", "acme-internal"], cache_dir=tmp_path, offline=True
        )
        assert len(index.requests) == asked  # offline: nothing asked
        refreshed, _ = probe_public(
            [index.simple_url], ["six"], cache_dir=tmp_path, refresh=True, client=FAST
        )
        assert index.requests[-1] == ("/simple/six/", 304)  # a conditional request
    key = index_key(index.simple_url)
    assert key is not None
    assert offline[(key, "six")] == PublicName(exists=True)
    # A 404 is not cached: offline, a name not seen before is unknown, not "not there".
    missing = offline[(key, "acme-internal")]
    assert missing.exists is None
    assert missing.reason == f"{index.simple_url}acme-internal/: offline and not cached"
    assert refreshed[(key, "six")] == PublicName(exists=True)


def test_a_public_index_that_is_not_http_answers_unknown() -> None:
    found, _ = probe_public(["/srv/wheels"], ["six"])
    assert found == {
        ("/srv/wheels", "six"): PublicName(exists=None, reason="/srv/wheels is not an http(s) URL")
    }


# -- gathered before the checks, then checked (as the command line runs it) ----------


def _args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "index_url": None,
        "offline": False,
        "refresh": False,
        "python_version": None,
        "quiet": True,
    }
    values.update(overrides)
    return argparse.Namespace(**values)


@pytest.mark.usefixtures("online")
def test_gathered_sources_feed_the_check(tmp_path: Path) -> None:
    lock = inventory(
        component("six==1.16.0", index=PRIVATE),  # on the public index too: confusion
        component("acme-internal==2.0", index=PRIVATE),  # 404 there: fine
        source=str(tmp_path / "uv.lock"),
        format="uv.lock",
    )
    reqs = inventory(
        component("idna==3.7"),  # no recorded index: the configured one (--index-url)
        source=str(tmp_path / "requirements.txt"),
    )
    settings = Settings(cache_dir=tmp_path / "cache")
    with loopback_index() as index:
        rule_policy = policy(indexes=(PRIVATE, index.simple_url), public=(index.simple_url,))
        gathered = gather_sources(
            [lock, reqs],
            [CHECKS["source"]],  # type: ignore[index]
            args=_args(index_url=index.simple_url),
            config=Config(),
            settings=settings,
            start=tmp_path,
            policy=rule_policy,
        )
        assert gathered.options.policy is rule_policy
        report = audit(
            [lock, reqs],
            None,
            checks=[CHECKS["source"]],  # type: ignore[index]
            sources=gathered.sources,
            options=gathered.options,
        )
        probed = {path for path, _ in index.requests}
    # Only the names from the private index were asked of the public one.
    assert probed == {"/simple/six/", "/simple/acme-internal/"}
    assert gathered.sources.configured_indexes == {
        lock.source: index.simple_url,
        reqs.source: index.simple_url,
    }
    (finding,) = report.findings
    assert finding.id == "source:six@1.16.0"
    assert finding.detail == SourceDetail(
        problem="confusion", index=PRIVATE, public_index=index.simple_url
    )
    assert report.failed


def test_offline_without_a_cached_answer_the_policy_run_is_undecided(tmp_path: Path) -> None:
    lock = inventory(
        component("acme-internal==2.0", index=PRIVATE), source=str(tmp_path / "uv.lock")
    )
    rule_policy = policy(public=(PUBLIC,))
    gathered = gather_sources(
        [lock],
        [CHECKS["source"]],  # type: ignore[index]
        args=_args(offline=True),
        config=Config(),
        settings=Settings(cache_dir=tmp_path / "cache"),
        start=tmp_path,
        policy=rule_policy,
    )
    report = audit(
        [lock],
        None,
        checks=[CHECKS["source"]],  # type: ignore[index]
        sources=gathered.sources,
        options=gathered.options,
    )
    (finding,) = report.findings
    assert finding.id == "undecided:sources:acme-internal@2.0"
    assert finding.detail == UndecidedDetail(
        rule="sources",
        reason="whether a public index has the name too is unknown: "
        f"{PUBLIC}acme-internal/: offline and not cached",
    )
    assert report.failed
    lenient = audit(
        [lock],
        None,
        checks=[CHECKS["source"]],  # type: ignore[index]
        sources=gathered.sources,
        options=CheckOptions(policy=replace(rule_policy, undecided="pass")),
    )
    assert not lenient.failed


def test_without_the_source_check_nothing_is_probed(tmp_path: Path) -> None:
    lock = inventory(component("six==1.16.0", index=PRIVATE), source=str(tmp_path / "uv.lock"))
    origins = source_origins(
        [lock],
        policy(),
        args=_args(),
        config=Config(),
        settings=Settings(cache_dir=tmp_path),
    )
    assert (origins.configured, origins.public_names) == ({}, {})
    gathered = gather_sources(
        [lock],
        [CHECKS["package"]],  # type: ignore[index]
        args=_args(),
        config=Config(),
        settings=Settings(cache_dir=tmp_path),
        start=tmp_path,
        policy=policy(public=(PUBLIC,)),
    )
    assert gathered.sources.public_names == {}
