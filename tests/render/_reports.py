"""AuditReports built by hand from real data, for the renderer tests.

Components and their lines come from real lock files in the corpus; findings come from
the real PyPA advisory records (``tests/data/pypa-advisory-database``), parsed with
``yaml.safe_load`` and scored with ``cvss``. Each version below is one the record
really affects (its ``affected[].versions`` lists it).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timezone
from functools import cache
from typing import Any

import yaml
from cvss import CVSS3

from pyward._advisory._types import AdvisoryId, Match, StoreInfo
from pyward._checks._vulnerability import summary_of
from pyward._findings import (
    CheckId,
    Detail,
    EolDetail,
    Finding,
    FindingKind,
    FixStep,
    Level,
    OutdatedDetail,
    ProjectStatusDetail,
    Rating,
    Reference,
    Score,
    Suppressed,
    UnmaintainedDetail,
    VulnerabilityDetail,
    YankedDetail,
    status_id,
)
from pyward._model import (
    Component,
    ComponentKey,
    Inventory,
    Location,
    NotAudited,
    component_key,
)
from pyward._provenance._model import (
    ArtifactProvenance,
    ArtifactStatus,
    AttestationResult,
    Coverage,
    PackageProvenance,
    ProvenanceReport,
    Publisher,
    PublisherChange,
    Verification,
)
from pyward._report import AuditReport, DataSource, SkippedCheck
from tests.conftest import CORPUS, DATA, PYPA_VULNS

#: The clock of every test: three weeks after the advisory snapshot.
NOW = datetime(2024, 11, 1, 12, 0, tzinfo=timezone.utc)

SALEOR = "tests/data/corpus/poetry/saleor-2020/poetry.lock"
HTTPBIN = "tests/data/corpus/pipenv/httpbin-2018/Pipfile.lock"
LITESTAR = "tests/data/corpus/uv/litestar-2024/uv.lock"


@cache
def record(package: str, advisory_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (PYPA_VULNS / package / f"{advisory_id}.yaml").read_text()
    )
    return data


def lock_line(path: str, name: str) -> int:
    """1-based line of ``name = "NAME"`` in a TOML lock file."""
    lines = (CORPUS.parent.parent.parent / path).read_text().splitlines()
    return lines.index(f'name = "{name}"') + 1


def lock_version(path: str, name: str) -> str:
    lines = (CORPUS.parent.parent.parent / path).read_text().splitlines()
    line = lines[lines.index(f'name = "{name}"') + 1]
    match = re.fullmatch(r'version = "(.*)"', line)
    assert match, line
    return match.group(1)


def database() -> StoreInfo:
    """The advisory directory, with the real count and newest ``modified``."""
    files = sorted(PYPA_VULNS.glob("*/*.yaml"))
    newest = max(
        m.group(1)
        for f in files
        if (m := re.search(r"^modified: ['\"]?([^'\"\n]+)", f.read_text(), re.MULTILINE))
    )
    return StoreInfo(
        source="tests/data/pypa-advisory-database/vulns",
        updated=datetime(2024, 10, 11, 6, 30, tzinfo=timezone.utc),
        record_count=len(files),
        newest_modified=newest,
    )


def snapshot_database() -> StoreInfo:
    return StoreInfo(
        source="built-in snapshot",
        updated=datetime(2024, 10, 10, 18, 0, tzinfo=timezone.utc),
        record_count=len(list(PYPA_VULNS.glob("*/*.yaml"))),
        newest_modified=None,
        snapshot=True,
    )


def locked(
    path: str, name: str, *, direct: bool = False, groups: tuple[str, ...] = ("main",)
) -> Component:
    version = lock_version(path, name)
    return Component(
        name=name,
        version=version,
        purl=f"pkg:pypi/{name}@{version}",
        index="https://pypi.invalid/simple" if path == LITESTAR else None,
        direct=direct,
        groups=frozenset(groups),
        location=Location(file=path, line=lock_line(path, name)),
    )


def pipfile(name: str, version: str, *, line: bool, direct: bool = False) -> Component:
    """A Pipfile.lock entry (JSON: the reader knows the file, not the line)."""
    return Component(
        name=name,
        version=version,
        purl=f"pkg:pypi/{name}@{version}",
        direct=direct,
        groups=frozenset({"main"}),
        location=Location(file=HTTPBIN) if line else None,
    )


def rating(rec: dict[str, Any]) -> Rating:
    scores = []
    for sev in rec.get("severity", []):
        assert sev["type"] == "CVSS_V3"
        cvss = CVSS3(sev["score"])
        level: Level = cvss.severities()[0].lower()
        scores.append(
            Score(
                type="CVSS_V3", vector=sev["score"], base_score=float(cvss.scores()[0]), level=level
            )
        )
    if not scores:
        return Rating(level="unknown")
    best = max(scores, key=lambda s: s.base_score)
    return Rating(
        level=best.level,
        score=best.base_score,
        vector=best.vector,
        type=best.type,
        scores=tuple(scores),
    )


def finding(
    component: Component,
    advisory_id: str,
    *,
    path: tuple[str, ...] = (),
    exposure: str | None = None,
) -> Finding:
    rec = record(component.name, advisory_id)
    assert component.version in [str(v) for v in rec["affected"][0]["versions"]], advisory_id
    fixed = tuple(
        sorted(
            (
                e["fixed"]
                for r in rec["affected"][0]["ranges"]
                if r["type"] == "ECOSYSTEM"
                for e in r["events"]
                if "fixed" in e
            ),
            key=lambda v: tuple(int(p) for p in v.split(".")),
        )
    )
    events = ", ".join(
        f"{k} {v}"
        for r in rec["affected"][0]["ranges"]
        if r["type"] == "ECOSYSTEM"
        for e in r["events"]
        for k, v in e.items()
    )
    assert component.version is not None
    return Finding(
        kind=FindingKind("vulnerability"),
        check=CheckId("vulnerability"),
        component=component,
        id=advisory_id,
        aliases=tuple(rec.get("aliases") or ()),
        # As the vulnerability check chooses it.
        summary=rec.get("summary") or summary_of(rec.get("details") or ""),
        details=rec.get("details"),
        rating=rating(rec),
        path=tuple(ComponentKey(p) for p in path) or (component.key,),
        references=references(rec),
        exposure=exposure,
        detail=VulnerabilityDetail(
            fixed_in=fixed,
            matches=(
                Match(
                    advisory_id=AdvisoryId(advisory_id),
                    package=component.name,
                    version=component.version,
                    reason=f"ECOSYSTEM range: {events}",
                    fixed=fixed,
                ),
            ),
            published=rfc3339(rec.get("published")),
            modified=rfc3339(rec.get("modified")),
        ),
    )


def references(rec: dict[str, Any]) -> tuple[Reference, ...]:
    """Once per URL, as the audit keeps them: ``ADVISORY`` when any entry says so."""
    types: dict[str, str] = {}
    for r in rec.get("references", []):
        if r["url"] not in types or r["type"] == "ADVISORY":
            types[r["url"]] = r["type"]
    return tuple(Reference(type=t, url=u) for u, t in types.items())


def rfc3339(value: object) -> str | None:
    """As an OSV JSON record writes it (YAML turns unquoted timestamps into datetimes)."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return None if value is None else str(value)


def key(c: Component) -> str:
    return str(component_key(c.name, c.version))


@cache
def saleor() -> AuditReport:
    """Several findings on one exposed package (urllib3), CVSS and unknown ratings,
    a fix plan with and without a target, an ignore and a VEX suppression."""
    urllib3 = locked(SALEOR, "urllib3")
    requests = locked(SALEOR, "requests", direct=True)
    idna = locked(SALEOR, "idna")
    jinja2 = locked(SALEOR, "jinja2", direct=True)
    py = locked(SALEOR, "py", groups=("dev",))
    pyyaml = locked(SALEOR, "pyyaml", direct=True)
    gitpython = locked(SALEOR, "gitpython", groups=("dev",))
    lxml = locked(SALEOR, "lxml", direct=True)
    amqp = locked(SALEOR, "amqp")
    markupsafe = locked(SALEOR, "markupsafe")
    components = (amqp, gitpython, idna, jinja2, lxml, markupsafe, py, pyyaml, requests, urllib3)
    via_requests = (key(requests), key(urllib3))
    findings = (
        finding(urllib3, "PYSEC-2023-192", path=via_requests, exposure="network client"),
        finding(urllib3, "PYSEC-2023-212", path=via_requests, exposure="network client"),
        finding(urllib3, "PYSEC-2021-108", path=via_requests, exposure="network client"),
        finding(requests, "PYSEC-2023-74", exposure="network client"),
        finding(gitpython, "PYSEC-2023-161"),
        finding(idna, "PYSEC-2024-60", path=(key(requests), key(idna))),
        finding(jinja2, "PYSEC-2021-66"),
        finding(py, "PYSEC-2020-92"),
        finding(py, "PYSEC-2022-42969"),
    )
    inventory = Inventory(source=SALEOR, format="poetry.lock", components=components)
    return AuditReport(
        database=database(),
        inventories=(inventory,),
        components=components,
        not_audited=(),
        findings=findings,
        suppressed=(
            Suppressed(
                finding=finding(pyyaml, "PYSEC-2021-142"),
                rule="ignore PYSEC-2021-142 (pyproject.toml: tool.pyward.ignore[0])",
                reason="only yaml.safe_load is used",
                kind="ignore",
            ),
            Suppressed(
                finding=finding(lxml, "PYSEC-2021-19"),
                rule="VEX not_affected: vex/saleor.openvex.json statements[0]",
                reason="not_affected: vulnerable_code_not_in_execute_path",
                kind="vex",
                state="not_affected",
                justification="vulnerable_code_not_in_execute_path",
            ),
        ),
        fix_plan=(
            FixStep(
                component=urllib3,
                target="1.26.18",
                fixes=("PYSEC-2023-192", "PYSEC-2023-212", "PYSEC-2021-108"),
            ),
            FixStep(component=requests, target="2.31.0", fixes=("PYSEC-2023-74",)),
            FixStep(component=gitpython, target="3.1.33", fixes=("PYSEC-2023-161",)),
            FixStep(component=idna, target="3.7", fixes=("PYSEC-2024-60",), same_major=False),
            FixStep(component=jinja2, target="2.11.3", fixes=("PYSEC-2021-66",)),
            FixStep(
                component=py, target=None, fixes=("PYSEC-2020-92",), unfixed=("PYSEC-2022-42969",)
            ),
        ),
        warnings=("ignore PYSEC-2020-96 matched no finding",),
        fail_on="high",
        failed=True,
    )


@cache
def httpbin() -> AuditReport:
    """A JSON lock: no line numbers, one component with no location at all; a
    not-audited git dependency; findings in the ``develop`` group."""
    flask = pipfile("flask", "1.0.2", line=True, direct=True)
    werkzeug = pipfile("werkzeug", "0.14.1", line=False)
    jinja2 = pipfile("jinja2", "2.10", line=True)
    rope = Component(
        name="rope",
        version="0.10.7",
        purl="pkg:pypi/rope@0.10.7",
        direct=True,
        groups=frozenset({"dev"}),
        location=Location(file=HTTPBIN),
    )
    gunicorn = pipfile("gunicorn", "19.9.0", line=True, direct=True)
    components = (flask, gunicorn, jinja2, rope, werkzeug)
    findings = (
        finding(
            werkzeug, "PYSEC-2023-221", path=(key(flask), key(werkzeug)), exposure="web framework"
        ),
        finding(
            werkzeug, "PYSEC-2019-140", path=(key(flask), key(werkzeug)), exposure="web framework"
        ),
        finding(flask, "PYSEC-2023-62", exposure="web framework"),
        finding(jinja2, "PYSEC-2019-217", path=(key(flask), key(jinja2))),
        finding(jinja2, "PYSEC-2021-66", path=(key(flask), key(jinja2))),
        finding(rope, "PYSEC-2018-100"),
    )
    not_audited = (
        NotAudited(
            name="pyyaml",
            requirement="pyyaml @ git+https://github.com/yaml/pyyaml.git@a9c28e0b521967f5330f0316edd90a57f99cdd32",
            reason="git dependency with no version; advisories match released versions only",
            location=Location(file=HTTPBIN),
        ),
    )
    inventory = Inventory(
        source=HTTPBIN, format="Pipfile.lock", components=components, not_audited=not_audited
    )
    return AuditReport(
        database=database(),
        inventories=(inventory,),
        components=components,
        not_audited=not_audited,
        findings=findings,
        fix_plan=(
            FixStep(
                component=werkzeug,
                target="2.3.8",
                fixes=("PYSEC-2023-221", "PYSEC-2019-140"),
                same_major=False,
            ),
            FixStep(component=flask, target="2.2.5", fixes=("PYSEC-2023-62",), same_major=False),
            FixStep(component=jinja2, target="2.11.3", fixes=("PYSEC-2019-217", "PYSEC-2021-66")),
            FixStep(component=rope, target="0.11.0", fixes=("PYSEC-2018-100",)),
        ),
        errors=("tests/data/corpus/pipenv/httpbin-2018/Pipfile: not read (no such file)",),
        fail_on=None,
        failed=True,
    )


@cache
def litestar() -> AuditReport:
    """No findings, built-in snapshot data, a not-audited git source."""
    names = (
        "certifi",
        "h11",
        "httpx",
        "jinja2",
        "pyyaml",
        "requests",
        "tornado",
        "urllib3",
        "uvicorn",
    )
    components = tuple(
        locked(LITESTAR, n, direct=n in {"httpx", "jinja2", "pyyaml"}) for n in names
    )
    not_audited = (
        NotAudited(
            name="litestar-sphinx-theme",
            requirement="litestar-sphinx-theme @ git+https://github.com/litestar-org/litestar-sphinx-theme.git@76b1d0e4c8afff1ad135b1917fe09cf6c1cc6c9b",
            reason="git source; advisories match index releases only",
            location=Location(file=LITESTAR, line=lock_line(LITESTAR, "litestar-sphinx-theme")),
        ),
    )
    inventory = Inventory(
        source=LITESTAR, format="uv.lock", components=components, not_audited=not_audited
    )
    # Offline with an empty cache: the checks that need the index say why they did not
    # run (the audit names them in the warnings too).
    offline = (
        "needs package-index metadata (the index port, online or cached): "
        "--offline and nothing cached"
    )
    skipped = tuple(
        SkippedCheck(check=CheckId(c), reason=offline)
        for c in ("yanked", "project-status", "outdated", "unmaintained")
    )
    return AuditReport(
        database=snapshot_database(),
        inventories=(inventory,),
        components=components,
        not_audited=not_audited,
        findings=(),
        warnings=(
            *(f"check {s.check} did not run: {s.reason}" for s in skipped),
            "advisory data is 21 days old; run `pyward db update`",
        ),
        skipped=skipped,
        fail_on="medium",
        failed=False,
    )


@cache
def empty() -> AuditReport:
    """An inventory with nothing in it."""
    return AuditReport(
        database=database(),
        inventories=(Inventory(source="requirements.txt", format="requirements"),),
        components=(),
        not_audited=(),
        findings=(),
    )


#: The index of the status findings (a fixture host: never a real index's name).
INDEX = "https://index.invalid/simple/"
#: Where the interpreter's version was found.
PYTHON_VERSION_FILE = Location(file=".python-version", line=1)


def status_finding(
    component: Component | None,
    kind: str,
    detail: Detail,
    summary: str,
    *,
    level: Level,
    name: str,
    version: str | None,
    location: Location | None = None,
    exposure: str | None = None,
) -> Finding:
    """A finding of a package-status check as the checks write one: its id from
    :func:`~pyward._findings.status_id` (a release or line, else the project), the
    check's own rating, no fixed versions."""
    fid, aliases = status_id(kind, name, version)
    return Finding(
        kind=FindingKind(kind),
        check=CheckId(kind),
        component=component,
        id=fid,
        aliases=aliases,
        summary=summary,
        rating=Rating(level=level, type="check"),
        confidence="high",
        path=(component.key,) if component is not None else (),
        location=location,
        exposure=exposure,
        detail=detail,
    )


@cache
def status() -> AuditReport:
    """Saleor's lock with one finding of each package-status kind beside its
    vulnerabilities (issue 13): Django 3.1 past its end of life and Python 3.8 past its
    own (endoflife.date's dates), both failing the run, the interpreter's with no
    component; an outdated pin of requests, which also has a vulnerability; an
    unmaintained project (pytimeparse's last release, 2018-05-18); a yanked release and
    an archived project, hand-made (no real marker is at hand for these pins); an
    ignored outdated pin; the index and lifecycle data sources, the index stale."""
    django = locked(SALEOR, "django", direct=True)
    requests = locked(SALEOR, "requests", direct=True)
    regex = locked(SALEOR, "regex")
    pytimeparse = locked(SALEOR, "pytimeparse")
    transifex = locked(SALEOR, "transifex-client", groups=("dev",))
    six = locked(SALEOR, "six")
    components = (django, pytimeparse, regex, requests, six, transifex)
    eol_source = "built-in snapshot (endoflife.date, MIT), 2024-10-20"
    findings = (
        finding(django, "PYSEC-2021-109", exposure="web framework"),
        status_finding(
            django,
            "eol",
            EolDetail(
                subject="package",
                product="django",
                cycle="3.1",
                eol=date(2021, 12, 7),
                supported=("4.2", "5.0", "5.1"),
                latest="3.1.14",
                source=eol_source,
            ),
            "django 3.1 reached its end of life on 2021-12-07; upgrade to 4.2 or later",
            level="high",
            name="django",
            version="3.1",
            exposure="web framework",
        ),
        status_finding(
            None,
            "eol",
            EolDetail(
                subject="interpreter",
                product="python",
                cycle="3.8",
                eol=date(2024, 10, 7),
                supported=("3.9", "3.10", "3.11", "3.12", "3.13"),
                latest="3.8.20",
                source=eol_source,
            ),
            "Python 3.8 reached its end of life on 2024-10-07; upgrade to 3.9 or later",
            level="high",
            name="python",
            version="3.8",
            location=PYTHON_VERSION_FILE,
        ),
        status_finding(
            regex,
            "yanked",
            YankedDetail(reason="Regression in <b>match</b> | see the changelog", index=INDEX),
            "regex 2020.11.13 was yanked: Regression in <b>match</b> | see the changelog",
            level="high",
            name="regex",
            version="2020.11.13",
        ),
        finding(requests, "PYSEC-2023-74"),
        status_finding(
            requests,
            "outdated",
            OutdatedDetail(
                latest="2.32.3",
                releases_behind=13,
                majors_behind=0,
                pinned_released=date(2020, 11, 11),
                latest_released=date(2024, 5, 29),
                python="3.8",
            ),
            "requests 2.25.0 is 13 releases behind 2.32.3",
            level="low",
            name="requests",
            version="2.25.0",
        ),
        status_finding(
            pytimeparse,
            "unmaintained",
            UnmaintainedDetail(last_release=date(2018, 5, 18), years=6.46),
            "pytimeparse: no release for 6.5 years (last 2018-05-18)",
            level="low",
            name="pytimeparse",
            version=None,
        ),
        status_finding(
            transifex,
            "project-status",
            ProjectStatusDetail(status="archived", reason="moved to transifex-cli", index=INDEX),
            "transifex-client is archived: moved to transifex-cli",
            level="medium",
            name="transifex-client",
            version=None,
        ),
    )
    inventory = Inventory(source=SALEOR, format="poetry.lock", components=components)
    return AuditReport(
        database=database(),
        inventories=(inventory,),
        components=components,
        not_audited=(),
        findings=findings,
        suppressed=(
            Suppressed(
                finding=status_finding(
                    six,
                    "outdated",
                    OutdatedDetail(latest="1.16.0", releases_behind=1, majors_behind=0),
                    "six 1.15.0 is 1 release behind 1.16.0",
                    level="low",
                    name="six",
                    version="1.15.0",
                ),
                rule="ignore outdated:six (pyproject.toml: tool.pyward.ignore[0])",
                reason="pinned by graphene 2",
                kind="ignore",
            ),
        ),
        fix_plan=(
            FixStep(component=django, target="3.1.13", fixes=("PYSEC-2021-109",)),
            FixStep(component=requests, target="2.31.0", fixes=("PYSEC-2023-74",)),
        ),
        fail_on="high",
        failed=True,
        sources=(
            DataSource(
                name="index metadata",
                origin=INDEX,
                updated=datetime(2024, 10, 30, 9, 15, tzinfo=timezone.utc),
                stale=True,
            ),
            DataSource(
                name="lifecycle data",
                origin="built-in snapshot (endoflife.date, MIT)",
                updated=datetime(2024, 10, 20, tzinfo=timezone.utc),
            ),
        ),
    )


#: The real distribution files whose attestations tests/provenance verifies.
ATTESTED = DATA / "pep740-attestations"
#: SLSA provenance's predicate type (an identifier in signed statements, not an address
#: pyward asks).
SLSA = "https://slsa.dev/provenance/v1"
#: Where the hand-made reports' provenance objects were asked for.
INTEGRITY = "https://index.example.invalid/integrity"
GITHUB = Publisher(
    kind="github",
    repository="trailofbits/pypi-attestations",
    workflow="release.yml",
    environment="release",
    identity=(
        "https://github.com/trailofbits/pypi-attestations/.github/workflows/"
        "release.yml@refs/tags/v0.0.19"
    ),
    record={
        "kind": "GitHub",
        "repository": "trailofbits/pypi-attestations",
        "workflow": "release.yml",
        "environment": "release",
    },
)
GITLAB = Publisher(
    kind="gitlab",
    repository="facutuesca/gitlab-oidc-project",
    workflow=".gitlab-ci.yml",
    identity="https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main",
    record={
        "kind": "GitLab",
        "repository": "facutuesca/gitlab-oidc-project",
        "workflow_filepath": ".gitlab-ci.yml",
    },
)
GOOGLE = Publisher(
    kind="google",
    identity="919436158236-compute@developer.gserviceaccount.com",
    record={"kind": "Google", "email": "919436158236-compute@developer.gserviceaccount.com"},
)
CIRCLECI = Publisher(
    kind="circleci",
    repository="github.com/CircleCI-Public/sign-and-publish-examples",
    workflow="8e4f8ab2-8d7c-4827-9f15-de076d6d647f",
    identity=(
        "https://circleci.com/api/v2/projects/fdd9283f-e619-46af-8f9c-851f7d3e8b2b/"
        "pipeline-definitions/8e4f8ab2-8d7c-4827-9f15-de076d6d647f"
    ),
    record={
        "kind": "CircleCI",
        "project_id": "fdd9283f-e619-46af-8f9c-851f7d3e8b2b",
        "pipeline_definition_id": "8e4f8ab2-8d7c-4827-9f15-de076d6d647f",
        "vcs_origin": "github.com/CircleCI-Public/sign-and-publish-examples",
        "vcs_ref": "refs/heads/pypi",
    },
)


def attested_sha256(filename: str) -> str:
    """The real SHA-256 of a sample distribution file (a made-up file's: of its name)."""
    path = ATTESTED / filename
    data = path.read_bytes() if path.exists() else filename.encode()
    return hashlib.sha256(data).hexdigest()


def artifact(
    component: Component,
    filename: str,
    status: ArtifactStatus,
    *,
    publisher: Publisher | None = None,
    reason: str | None = None,
) -> ArtifactProvenance:
    """One artifact's outcome as :func:`pyward._provenance._gather` records it: a
    verification for ``verified`` and ``failed``, the integrity API's URL when asked."""
    digest = attested_sha256(filename)
    verification = None
    if status in ("verified", "failed"):
        verification = Verification(
            filename=filename,
            sha256=digest,
            trust="production",
            publisher=publisher if status == "verified" else None,
            attestations=(
                AttestationResult(
                    predicate_type=SLSA if status == "verified" else None,
                    publisher=publisher,
                    reason=reason,
                ),
            ),
            reason=reason,
        )
    url = f"{INTEGRITY}/{component.name}/{component.version}/{filename}/provenance"
    return ArtifactProvenance(
        filename=filename,
        sha256=digest,
        digest_from="lock",
        status=status,
        verification=verification,
        reason=reason if status != "verified" else None,
        url=url,
    )


def provenance_component(name: str, version: str, line: int, *, direct: bool = False) -> Component:
    return Component(
        name=name,
        version=version,
        purl=f"pkg:pypi/{name}@{version}",
        direct=direct,
        groups=frozenset({"main"}),
        location=Location(file="uv.lock", line=line),
    )


@cache
def provenance() -> AuditReport:
    """``pyward provenance`` of a uv.lock naming the real attested samples (hand-made
    records with their real publishers and digests): a GitHub, a Google Cloud Build and
    a CircleCI publisher verified; a GitLab project pinned to another publisher (a
    change); the staging-signed rfc8785 wheel failing against the production root; a
    package with no provenance, one partly attested, one the index could not serve, one
    whose input records no file; a report note and a pin written; and the
    ``provenance`` findings of the change and the failure."""
    attestations = provenance_component("pypi-attestations", "0.0.19", 10, direct=True)
    gcb = provenance_component("gcb-attestation-test", "0.0.0", 20)
    circleci = provenance_component("circleci-sign-publish-example", "0.0.1.dev137", 30)
    gitlab = provenance_component("gitlab-oidc-project", "0.0.3", 40, direct=True)
    rfc8785 = provenance_component("rfc8785", "0.1.2", 50)
    models = provenance_component("pypi-attestation-models", "0.0.4a2", 60, direct=True)
    spt3g = provenance_component("spt3g", "1.0", 70)
    six = provenance_component("six", "1.16.0", 80)
    components = (attestations, gcb, circleci, gitlab, rfc8785, models, spt3g, six)
    pinned = (
        {
            "kind": "GitHub",
            "repository": "facutuesca/gitlab-oidc-project",
            "workflow": "release.yml",
        },
    )
    gitlab_sdist = "gitlab_oidc_project-0.0.3.tar.gz"
    staging = "bundle does not verify against the production trust root"
    change = PublisherChange(
        pinned=pinned,
        found=GITLAB,
        filename=gitlab_sdist,
        pinned_in="attestation-identities.toml",
    )
    packages = (
        PackageProvenance(
            component=attestations,
            path=(attestations.key,),
            artifacts=(
                artifact(
                    attestations, "pypi_attestations-0.0.19.tar.gz", "verified", publisher=GITHUB
                ),
            ),
        ),
        PackageProvenance(
            component=gcb,
            artifacts=(
                artifact(gcb, "gcb_attestation_test-0.0.0.tar.gz", "verified", publisher=GOOGLE),
                artifact(gcb, "gcb_attestation_test-0.0.0-py3-none-any.whl", "none"),
            ),
        ),
        PackageProvenance(
            component=circleci,
            artifacts=(
                artifact(
                    circleci,
                    "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl",
                    "verified",
                    publisher=CIRCLECI,
                ),
            ),
        ),
        PackageProvenance(
            component=gitlab,
            path=(gitlab.key,),
            artifacts=(artifact(gitlab, gitlab_sdist, "verified", publisher=GITLAB),),
            pinned=pinned,
            pinned_in="attestation-identities.toml",
            change=change,
        ),
        PackageProvenance(
            component=rfc8785,
            artifacts=(
                artifact(rfc8785, "rfc8785-0.1.2-py3-none-any.whl", "failed", reason=staging),
            ),
        ),
        PackageProvenance(
            component=models,
            path=(models.key,),
            artifacts=(artifact(models, "pypi_attestation_models-0.0.4a2.tar.gz", "none"),),
            notes=(
                "the installed files were not compared with pypi_attestation_models-0.0.4a2.tar.gz",
            ),
        ),
        PackageProvenance(
            component=spt3g,
            artifacts=(
                artifact(
                    spt3g,
                    "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                    "unavailable",
                    reason="the index answered 503 Service Unavailable",
                ),
            ),
        ),
        PackageProvenance(component=six),
    )
    findings = (
        provenance_finding(gitlab, change.describe(), "critical"),
        provenance_finding(rfc8785, f"rfc8785-0.1.2-py3-none-any.whl: {staging}", "high"),
    )
    report = ProvenanceReport(
        packages=packages,
        coverage=Coverage(
            packages=7,
            packages_attested=3,
            artifacts=8,
            artifacts_attested=4,
            unattested_direct=("pypi-attestation-models==0.0.4a2",),
        ),
        pinned={"attestation-identities.toml": "1 project pinned"},
        notes=("uv.lock: six 1.16.0 records no files",),
    )
    inventory = Inventory(source="uv.lock", format="uv.lock", components=components)
    return AuditReport(
        database=database(),
        inventories=(inventory,),
        components=components,
        not_audited=(),
        findings=findings,
        failed=True,
        provenance=report,
    )


def provenance_finding(component: Component, summary: str, level: Level) -> Finding:
    """A finding of the ``provenance`` check as it writes one (its own detail record
    aside): ``provenance:NAME@VERSION`` with the alias ``provenance:NAME``."""
    fid, aliases = status_id("provenance", component.name, component.version)
    return Finding(
        kind=FindingKind("provenance"),
        check=CheckId("provenance"),
        component=component,
        id=fid,
        aliases=aliases,
        summary=summary,
        rating=Rating(level=level, type="check"),
        confidence="high",
        path=(component.key,),
    )


REPORTS = {
    "saleor": saleor,
    "httpbin": httpbin,
    "litestar": litestar,
    "empty": empty,
    "status": status,
    "provenance": provenance,
}
