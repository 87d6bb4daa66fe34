"""The ``unmaintained`` check: years since a project's newest upload, and the
``Development Status :: 7 - Inactive`` classifier of the index's JSON API."""

from __future__ import annotations

import datetime as dt
import json

from pyward._findings import Rating, Reference, UnmaintainedDetail
from pyward._sources.index._model import ReleaseInfo
from pyward._sources.index._parse import parse_release_info
from tests.checks._status_support import (
    TODAY,
    context,
    file,
    made,
    metadata,
    recorded,
    recorded_json_api,
    run,
)
from tests.index._support import INDEX, INDEX_DATA

LATER = dt.date(2028, 6, 1)
SIX_LAST = dt.date(2024, 12, 4)


def _inactive_sampleproject() -> ReleaseInfo:
    """The recorded JSON API answer with its Development Status turned to Inactive."""
    data = json.loads((INDEX_DATA / "json" / "sampleproject.json").read_bytes())
    classifiers = data["info"]["classifiers"]
    classifiers[classifiers.index("Development Status :: 3 - Alpha")] = (
        "Development Status :: 7 - Inactive"
    )
    return parse_release_info(
        data, url="https://index.invalid/pypi/sampleproject/json", name="sampleproject"
    )


def test_no_release_for_longer_than_the_limit() -> None:
    index = metadata(recorded("six"), recorded("requests"), recorded("sampleproject"))
    pins = ("six==1.16.0", "requests==2.32.0", "sampleproject==4.0.0")
    result = run("unmaintained", context(index, *pins, today=LATER))
    assert result.warnings == ()
    # requests uploaded 2026-05-14: recent enough.
    assert [(f.id, f.aliases, f.summary) for f in result.findings] == [
        (
            "unmaintained:six",
            (),
            "six has had no release for 3.5 years (last 2024-12-04); look for a maintained "
            "alternative or fork",
        ),
        (
            "unmaintained:sampleproject",
            (),
            "sampleproject has had no release for 3.6 years (last 2024-11-06); look for a "
            "maintained alternative or fork",
        ),
    ]
    six = result.findings[0]
    assert (six.kind, six.check) == ("unmaintained", "unmaintained")
    assert six.detail == UnmaintainedDetail(
        last_release=SIX_LAST, years=(LATER - SIX_LAST).days / 365.25, inactive=False
    )
    assert six.details == (
        "The newest file of six on its index was uploaded 2024-12-04, 3.5 years before "
        "2028-06-01 (the limit is 3 years)."
    )
    assert six.rating == Rating(level="low", type="check")
    assert six.references == (Reference(type="PACKAGE", url=f"{INDEX}six/"),)


def test_the_limit_is_configurable() -> None:
    index = metadata(recorded("six"))
    assert run("unmaintained", context(index, "six==1.16.0")).findings == ()
    (finding,) = run("unmaintained", context(index, "six==1.16.0", years=1.5)).findings
    assert finding.summary == (
        "six has had no release for 2.0 years (last 2024-12-04); look for a maintained "
        "alternative or fork"
    )
    assert finding.details is not None
    assert finding.details.endswith("(the limit is 1.5 years).")


def test_the_inactive_classifier_is_a_finding_however_recent_the_release() -> None:
    index = metadata(recorded("sampleproject"), releases=[_inactive_sampleproject()])
    (finding,) = run("unmaintained", context(index, "sampleproject==4.0.0")).findings
    assert finding.summary == (
        "sampleproject is marked inactive (Development Status :: 7 - Inactive); look for a "
        "maintained alternative or fork"
    )
    last = dt.date(2024, 11, 6)
    assert finding.detail == UnmaintainedDetail(
        last_release=last, years=(TODAY - last).days / 365.25, inactive=True
    )
    (both,) = run("unmaintained", context(index, "sampleproject==4.0.0", today=LATER)).findings
    assert both.summary == (
        "sampleproject is marked inactive (Development Status :: 7 - Inactive) and has had no "
        "release for 3.6 years (last 2024-11-06); look for a maintained alternative or fork"
    )
    assert both.details == (
        "The newest file of sampleproject on its index was uploaded 2024-11-06, 3.6 years "
        "before 2028-06-01 (the limit is 3 years). Its newest release declares the classifier "
        "'Development Status :: 7 - Inactive'."
    )


def test_the_real_json_api_answer_is_not_inactive() -> None:
    index = metadata(recorded("sampleproject"), releases=[recorded_json_api("sampleproject")])
    result = run("unmaintained", context(index, "sampleproject==4.0.0"))
    assert (result.findings, result.warnings) == ((), ())


def test_upload_times_come_from_the_json_api_when_the_page_has_none() -> None:
    page = made(
        "sampleproject",
        [
            file("sampleproject", "4.0.0", uploaded=None),
            file("sampleproject", "3.0.0", uploaded=None),
        ],
    )
    index = metadata(page, releases=[recorded_json_api("sampleproject")])
    (finding,) = run("unmaintained", context(index, "sampleproject==4.0.0", today=LATER)).findings
    assert isinstance(finding.detail, UnmaintainedDetail)
    assert finding.detail.last_release == dt.date(2024, 11, 6)


def test_without_upload_times_or_classifier_it_cannot_be_told() -> None:
    page = made("quiet", [file("quiet", "1.0", uploaded=None), file("quiet", "2.0", uploaded=None)])
    result = run("unmaintained", context(metadata(page), "quiet==1.0", "quiet==2.0"))
    assert result.findings == ()
    # Once for the project, though two of its versions are pinned.
    assert result.warnings == (
        "quiet: its index gives no upload times and no Development Status classifier; "
        "whether it is unmaintained cannot be told",
    )


def test_an_inactive_project_without_upload_times() -> None:
    page = made(
        "sampleproject",
        [file("sampleproject", "4.0.0", uploaded=None)],
    )
    info = _inactive_sampleproject()
    bare = ReleaseInfo(name=info.name, url=info.url, classifiers=info.classifiers)
    (finding,) = run(
        "unmaintained", context(metadata(page, releases=[bare]), "sampleproject==4.0.0")
    ).findings
    assert finding.detail == UnmaintainedDetail(last_release=None, years=None, inactive=True)
    assert finding.details == (
        "The index gives no upload time for any file of sampleproject. Its newest release "
        "declares the classifier 'Development Status :: 7 - Inactive'."
    )
