"""The typosquat detector on the real popularity list: real historical typosquats are
flagged with the right target, and no name of the top 1000 is flagged as a typosquat
of any other name of the list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyward._model import canonical_name
from pyward._policy._model import TyposquatRule
from pyward._sources.popularity import Popularity
from pyward._sources.popularity._load import load_popularity
from pyward._sources.popularity._squat import (
    BASE,
    SquatIndex,
    confidence,
    detect,
    explain,
    index_of,
)

POPULARITY, _ = load_popularity(None)
RULE = TyposquatRule()

# Real typosquats of PyPI projects, each with where it was reported. All were removed
# from the index; none is in the popularity list.
REAL = [
    # dateutil/dateutil issue 984 (2019): both stole SSH and GPG keys.
    ("jeIlyfish", "jellyfish", "confusable l/I"),
    ("python3-dateutil", "python-dateutil", "affix python3- (for python-)"),
    # SK-CSIRT advisory SK-CSIRT-SA-20170909-pypi (2017): ten packages, these three
    # imitate projects of the list.
    ("urlib3", "urllib3", "deletion of 'l'"),
    ("urllib", "urllib3", "version-like digit '3' dropped"),
    ("setup-tools", "setuptools", "separator"),
    # The twelve packages found by Bertus in 2018 (reported in ZDNet, "Twelve malicious
    # Python libraries found and removed from PyPI", 2018-10): those that imitate a
    # project of the list.
    ("colourama", "colorama", "insertion of 'u'"),
    ("diango", "django", "substitution 'j' -> 'i'"),
    ("djago", "django", "deletion of 'n'"),
    ("dajngo", "django", "transposition 'ja' -> 'aj'"),
    ("djanga", "django", "substitution 'o' -> 'a'"),
    ("mumpy", "numpy", "substitution 'n' -> 'm'"),
    ("mateplotlib", "matplotlib", "insertion of 'e'"),
    ("virtualnv", "virtualenv", "deletion of 'e'"),
    ("nmap-python", "python-nmap", "affix -python (for python-)"),
    ("pythonkafka", "kafka-python", "affix python (for -python)"),
    ("python-openssl", "pyopenssl", "affix python- (for py)"),
    ("request", "requests", "deletion of 's'"),
    # OSV MAL-2026-15859 (ossf/malicious-packages): malicious code in 0requests.
    ("0requests", "requests", "insertion of '0'"),
    # Named in issue 14 as typosquats seen on the index.
    ("reqeusts", "requests", "transposition 'ue' -> 'eu'"),
    ("requets", "requests", "deletion of 's'"),
    ("beautifulsup4", "beautifulsoup4", "deletion of 'o'"),
]


@pytest.mark.parametrize(("name", "target", "technique"), REAL, ids=[r[0] for r in REAL])
def test_a_real_typosquat_is_flagged_with_its_target(
    name: str, target: str, technique: str
) -> None:
    assert canonical_name(name) not in POPULARITY.downloads
    match = detect(name, POPULARITY, RULE)
    assert match is not None
    assert (match.target, match.technique) == (target, technique)
    assert RULE.min_score <= match.score <= 1
    assert match.target_downloads == POPULARITY.downloads[target]
    assert match.downloads is None


def test_no_name_of_the_top_1000_is_flagged_against_the_whole_list() -> None:
    names = list(POPULARITY.downloads)
    assert len(names) == 15_000
    flagged = {n: m.target for n in names[:1000] if (m := detect(n, POPULARITY, RULE))}
    assert flagged == {}


def test_a_plain_edit_distance_would_flag_popular_neighbours_that_pass() -> None:
    # Pairs one edit apart, both in the top 1000 (and a few famous ones beyond it).
    pairs = [
        ("trino", "trio"),
        ("dash", "dask"),
        ("boto", "boto3"),
        ("cattrs", "attrs"),
        ("toml", "tomli"),
        ("authlib", "oauthlib"),
        ("psycopg2", "psycopg"),
        ("pypdf2", "pypdf"),
        ("ujson", "ijson"),
        ("av", "uv"),
        ("nvidia-cublas-cu11", "nvidia-cublas-cu12"),
    ]
    index = index_of(POPULARITY)
    for name, target in pairs:
        found = {m.target: m for m in index.matches(name)}
        assert target in found, (name, target)
        assert found[target].score < RULE.min_score, (name, found[target])


def test_the_tail_of_the_list_is_flagged_only_far_below_its_target() -> None:
    # Names of the list are used, and are suspect only when their target has thousands
    # of times their downloads: 8 of 15,000 are, none above rank 6,000.
    names = list(POPULARITY.downloads)
    flagged = [i for i, n in enumerate(names) if detect(n, POPULARITY, RULE)]
    assert len(flagged) <= 10
    assert min(flagged) > 6000
    panda = detect("panda", POPULARITY, RULE)
    assert panda is not None
    assert panda.target == "pandas"
    assert panda.downloads == POPULARITY.downloads["panda"]


def test_the_allow_list_passes_a_name() -> None:
    rule = TyposquatRule(allow=("Reqeusts", "setup_tools"))
    assert detect("reqeusts", POPULARITY, rule) is None
    assert detect("setup-tools", POPULARITY, rule) is None
    assert detect("requets", POPULARITY, rule) is not None


def test_min_score_decides() -> None:
    djanga = detect("djanga", POPULARITY, RULE)
    assert djanga is not None
    assert djanga.score == 0.62
    assert detect("djanga", POPULARITY, TyposquatRule(min_score=0.63)) is None
    assert detect("djanga", POPULARITY, TyposquatRule(min_score=0.62)) is not None


def test_confusables() -> None:
    pop = Popularity(
        downloads={"mkdocs": 10**8, "werkzeug": 10**8, "protobuf": 10**8, "pillow": 10**8}
    )
    cases = {
        "rnkdocs": ("mkdocs", "confusable m/rn"),
        "vverkzeug": ("werkzeug", "confusable w/vv"),
        "pr0tobuf": ("protobuf", "confusable o/0"),
        "pi1low": ("pillow", "confusable l/1"),
        "PiIlow": ("pillow", "confusable l/I"),
    }
    for name, (target, technique) in cases.items():
        match = detect(name, pop, RULE)
        assert match is not None, name
        assert (match.target, match.technique, match.score) == (target, technique, 0.95)
        assert confidence(match.score) == "high"


def test_the_target_popularity_and_name_length_lower_the_score() -> None:
    pop = Popularity(downloads={"requests": 10**9, "tailname": 10**5, "nump": 10**9, "ab": 10**9})
    top = detect("reqeusts", pop, RULE)
    tail = detect("tialname", pop, RULE)
    assert top is not None
    assert top.score == BASE["transposition"]
    # The list's tail is imitated least: 0.85 x 0.6.
    assert tail is not None
    assert tail.score == 0.51
    assert detect("tailnane", pop, RULE) is None  # 0.65 x 0.6
    index = SquatIndex(pop.downloads)
    short = index.matches("nupm")[0]
    assert short.score == round(BASE["transposition"] * 0.7, 2)
    assert [m.score for m in index.matches("ac")] == [0.0]  # two letters: any edit is a name


def test_a_less_popular_neighbour_is_never_the_target() -> None:
    pop = Popularity(downloads={"alpha-tool": 10**8, "alpha-tools": 10**6})
    assert detect("alpha-tool", pop, RULE) is None
    match = detect("alpha-tools", pop, RULE)
    assert match is None  # itself popular: its target has only 100 times its downloads


def test_explain_a_flagged_name() -> None:
    assert explain("reqeusts", POPULARITY, RULE) == (
        "typosquat reqeusts: popularity list hugovk/top-pypi-packages 5501c5c (built-in "
        "snapshot), 2026-04-06, 15,000 names\n"
        "flagged: imitates requests (transposition 'ue' -> 'eu'); score 0.85 >= 0.5, "
        "confidence high\n"
        "  requests: 1,291,814,272 downloads a month; reqeusts: not in the list"
    )


def test_explain_a_popular_neighbour() -> None:
    text = explain("dask", POPULARITY, RULE)
    assert text.splitlines()[1:] == [
        "dask is itself in the list: 25,758,091 downloads a month",
        "passes: no neighbour scores 0.5 or more; the nearest:",
        "  dash (substitution 'h' -> 'k'; 8,855,044 downloads a month): score 0.00 "
        "(target popularity x0.86; a short name (4 letters) x0.70; dash is less popular "
        "than dask x0.00)",
    ]
    boto = explain("boto", POPULARITY, RULE).splitlines()
    assert boto[3] == (
        "  boto3 (version-like digit '3' dropped; 1,880,218,825 downloads a month): score "
        "0.08 (a short name (5 letters) x0.85; boto is itself popular (boto3 has 215x its "
        "downloads) x0.17)"
    )


def test_explain_a_name_with_no_neighbour_and_an_allowed_one() -> None:
    assert explain("my-private-thing", POPULARITY, RULE).splitlines()[1:] == [
        "passes: no popular name is one edit, a separator, an affix or a confusable character away"
    ]
    allowed = TyposquatRule(allow=("reqeusts",))
    assert explain("reqeusts", POPULARITY, allowed).splitlines()[1:] == [
        "passes: reqeusts is on the policy's allow-list"
    ]


def test_the_index_finds_what_a_scan_of_the_list_finds() -> None:
    # The partition index against a plain scan: every name one Damerau edit away.
    from pyward._sources.popularity._squat import _edit

    names = list(POPULARITY.downloads)
    index = index_of(POPULARITY)
    for query in ("reqeusts", "djanga", "nvidia-cudnn-cu13", "pydantc", "a", "xo", "urllib4"):
        scanned = {n for n in names if n != query and _edit(query, n) is not None}
        found = {m.target for m in index.matches(query)}
        assert scanned <= found, query


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=20))
def test_scores_are_between_0_and_1_and_spelling_does_not_matter(name: str) -> None:
    index = index_of(POPULARITY)
    found = index.matches(name)
    assert all(0 <= m.score <= 1 for m in found)
    same = index.matches(name.upper().replace("-", "_"))
    assert [(m.target, m.score) for m in found] == [(m.target, m.score) for m in same]
