"""Every artifact of a run, its provenance fetched and verified, its pins compared:
:func:`gather_provenance`, what ``pyward provenance`` and the ``provenance`` check use.

1. The files: each component's :attr:`~pyward._model.Component.artifacts` with the
   SHA-256 its input records. A file recorded without a digest (an installed wheel) and
   a component recorded with hashes but no files (hashed requirements, Pipfile.lock)
   are found on the project's index page: by file name (the page's digest is then the
   one verified), or by digest (the page gives the name).
2. The provenance of every file, from the index's integrity API or the URL the page
   gives (:class:`~pyward._sources.index._integrity.IntegritySession`): cached,
   revalidated, offline-aware.
3. Every attestation verified (:func:`pyward._provenance.verify_provenance`) against the
   file's digest and the Sigstore trust root.
4. Each project's verified publishers compared with its pinned identities
   (:mod:`pyward._provenance._pins`): one the pins do not admit is a
   :class:`~pyward._provenance._model.PublisherChange`.

Server errors and time-outs are notes and ``unavailable`` artifacts, never failures;
an answer that is not a provenance object, or one that does not verify, is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._model import (
    Component,
    ComponentKey,
    Inventory,
    canonical_name,
    shortest_paths,
)
from pyward._provenance._model import (
    ArtifactProvenance,
    ArtifactStatus,
    Coverage,
    DigestFrom,
    PackageProvenance,
    ProvenanceReport,
    PublisherChange,
    Trust,
    Verification,
    dist_key,
)
from pyward._provenance._pins import Pins, admits, read_pins
from pyward._sources.index._integrity import (
    IntegritySession,
    ProvenanceItem,
    integrity_api_base,
)
from pyward._sources.index._port import IndexFailure
from pyward._sources.index._resolve import ResolvedIndex
from pyward.errors import InputError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from pyward._sources.index._fetch import IndexArgs
    from pyward._sources.index._model import ProjectInfo

__all__ = ["VERIFY_WORKERS", "gather_provenance"]

#: Threads that verify at once. The signature checks in ``cryptography`` release the
#: GIL, but pydantic validation and the Sigstore code around them do not: bench/README.md
#: has the figures that chose the number (``bench/bench_provenance.py``).
VERIFY_WORKERS = max(1, min(4, os.cpu_count() or 1))

#: Fewer artifacts than this are verified on the calling thread (a pool costs more).
_POOL_FROM = 8

#: The failure kinds that say the index answered with something that is no provenance
#: object: it cannot verify, so it fails (never a pass, never a mere note).
_NOT_PROVENANCE = frozenset({"invalid", "too-large"})
#: The failure kinds that are the index's or the network's trouble: notes.
_TRANSIENT = frozenset({"network", "http"})


@dataclass(frozen=True, slots=True)
class _Planned:
    """One file to fetch the provenance of and verify."""

    filename: str
    sha256: str
    digest_from: DigestFrom
    url: str | None = None


@dataclass(slots=True)
class _Package:
    """What is known of one subject before its files are verified."""

    inventory: Inventory
    component: Component
    planned: list[_Planned]
    # Files that cannot be verified (no digest to be had), already decided.
    decided: list[ArtifactProvenance]
    notes: list[str]
    # The files recorded without a digest (their names), and the digests recorded
    # without a file: what the project's page must tell.
    by_name: list[str]
    by_digest: list[str]


def gather_provenance(
    inventories: Sequence[Inventory],
    subjects: Sequence[tuple[Inventory, Component]],
    *,
    trust: Trust = "production",
    trust_root: str | Path | None = None,
    pins: Callable[[Inventory], Pins] | None = None,
    path_of: Callable[[Inventory, Component], tuple[ComponentKey, ...]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = VERIFY_WORKERS,
    **index: Unpack[IndexArgs],
) -> ProvenanceReport:
    """The provenance of every artifact of ``subjects`` (the ``(inventory, component)``
    pairs the checks see: :func:`pyward._commands._sources.subjects_of`), verified,
    with coverage and the pins compared: one
    :class:`~pyward._provenance._model.PackageProvenance` per subject, in order.

    ``trust``: the Sigstore instance (``staging`` is for testing); ``trust_root``: a
    ``trusted_root.json`` used instead of the bundled one (a bad file is an
    :class:`~pyward.errors.InputError` naming it). ``index``: where and how the indexes
    are asked (:class:`~pyward._sources.index._fetch.IndexArgs`: ``option``,
    ``environ``, ``home``, ``root``, ``cache_dir``, ``offline``, ``refresh``,
    ``max_age``, ``client``). ``pins(inventory)`` reads each
    input's pins (default :func:`~pyward._provenance._pins.read_pins`; a bad pin file is
    an ``InputError``); ``path_of`` gives a component's
    dependency path (default: the shortest from a direct dependency).
    ``progress(done, total)`` is called as artifacts are verified; ``workers`` threads
    verify at once. Needs the ``provenance`` extra
    (:class:`~pyward._extras.MissingExtra` otherwise).
    """
    from pyward._extras import require

    require("provenance", what="provenance verification")
    from pyward._provenance import _verify

    root_path = str(trust_root) if trust_root is not None else None
    if root_path is not None:
        _verify.verifier(trust, root_path)  # a bad file fails before any request
    # The pins first: a pin file that cannot be read fails before any request.
    read = pins or read_pins
    pinned_of: dict[str, Pins] = {}
    for inv, _ in subjects:
        if inv.source not in pinned_of:
            pinned_of[inv.source] = read(inv)
    notes: dict[str, None] = {}
    packages = [_plan(inv, comp) for inv, comp in subjects]
    for inv in inventories:
        bare = [p for p in packages if p.inventory is inv and _records_nothing(p)]
        if bare:
            names = ", ".join(p.component.key for p in bare[:3])
            more = f" and {len(bare) - 3} more" if len(bare) > 3 else ""
            notes.setdefault(
                f"{inv.source} records no files or SHA-256 digests for {len(bare)} "
                f"package(s) ({names}{more}): their provenance cannot be checked"
            )
    with IntegritySession(**index) as session:
        wanting = [p for p in packages if p.by_name or p.by_digest or _no_api(session, p)]
        pages = session.pages((p.inventory, p.component) for p in wanting)
        for package, page in zip(wanting, pages, strict=True):
            _match(package, page, notes)
        fetched = session.provenance(
            ProvenanceItem(
                inventory=p.inventory, component=p.component, filename=f.filename, url=f.url
            )
            for p in packages
            for f in p.planned
        )
        asked = {
            (i, j): planned.url
            or session.provenance_url(package.inventory, package.component, planned.filename)
            for i, package in enumerate(packages)
            for j, planned in enumerate(package.planned)
        }
        notes.update(dict.fromkeys(session.notes))
    results = fetched.results
    jobs: dict[_JobKey, tuple[_Planned, bytes]] = {}
    for i, package in enumerate(packages):
        for j, planned in enumerate(package.planned):
            answer = results[_key(package.component, planned.filename)]
            if isinstance(answer, bytes):
                jobs[i, j] = (planned, answer)
    verified = _verify_all(
        jobs, trust=trust, trust_root=root_path, progress=progress, workers=workers
    )
    paths = _Paths(path_of)
    out: list[PackageProvenance] = []
    offline_count = 0
    for i, package in enumerate(packages):
        artifacts = list(package.decided)
        for j, planned in enumerate(package.planned):
            answer = results[_key(package.component, planned.filename)]
            artifact = _artifact(
                planned,
                verified[i, j] if isinstance(answer, bytes) else answer,
                url=None
                if isinstance(answer, IndexFailure) and answer.kind in ("offline", "not-asked")
                else asked[i, j],
            )
            if isinstance(answer, IndexFailure):
                if answer.kind == "offline":
                    offline_count += 1
                elif answer.kind in _TRANSIENT:
                    notes.setdefault(answer.reason)
            artifacts.append(artifact)
        pinned = pinned_of[package.inventory.source]
        out.append(
            _compare(
                PackageProvenance(
                    component=package.component,
                    path=paths(package.inventory, package.component),
                    artifacts=tuple(artifacts),
                    pinned=pinned.identities.get(canonical_name(package.component.name), ()),
                    pinned_in=pinned.path or None,
                    notes=tuple(package.notes),
                )
            )
        )
    if offline_count:
        notes.setdefault(
            f"offline: the provenance of {offline_count} artifact(s) is not cached, so it "
            "was not checked"
        )
    return ProvenanceReport(
        packages=tuple(out),
        coverage=coverage(out),
        trust=trust,
        trust_root=root_path or "bundled",
        notes=tuple(notes),
    )


def coverage(packages: Iterable[PackageProvenance]) -> Coverage:
    """How much of ``packages`` is attested: packages with an artifact and those every
    artifact of which verified, artifacts and those verified, the direct dependencies
    known to have no provenance (``name==version``, sorted), and the packages whose
    provenance could not be had."""
    with_files = attested = files = verified_files = 0
    unattested: list[str] = []
    unavailable = 0
    for package in packages:
        status = package.status
        unavailable += status == "unavailable"
        count = len(package.artifacts)
        good = sum(1 for a in package.artifacts if a.status == "verified")
        files += count
        verified_files += good
        if count:
            with_files += 1
            attested += good == count
        if package.component.direct and status in ("none", "no-artifacts"):
            unattested.append(f"{package.component.name}=={package.component.version}")
    return Coverage(
        packages=with_files,
        packages_attested=attested,
        artifacts=files,
        artifacts_attested=verified_files,
        unattested_direct=tuple(sorted(unattested)),
        packages_unavailable=unavailable,
    )


def _plan(inventory: Inventory, component: Component) -> _Package:
    """The files of ``component`` with a digest, and what its page must tell."""
    planned: list[_Planned] = []
    by_name: list[str] = []
    from_installer = inventory.format == "environment"
    for artifact in component.artifacts:
        if artifact.sha256 is None:
            by_name.append(artifact.filename)
        else:
            planned.append(
                _Planned(
                    artifact.filename,
                    artifact.sha256.lower(),
                    "installer" if from_installer else "lock",
                )
            )
    by_digest: list[str] = []
    if not component.artifacts:
        by_digest = list(
            dict.fromkeys(h.value.lower() for h in component.hashes if h.algorithm == "sha256")
        )
    return _Package(
        inventory=inventory,
        component=component,
        planned=planned,
        decided=[],
        notes=[],
        by_name=by_name,
        by_digest=by_digest,
    )


def _records_nothing(package: _Package) -> bool:
    return not (package.planned or package.by_name or package.by_digest)


def _no_api(session: IntegritySession, package: _Package) -> bool:
    """Whether ``package`` has files with a digest on an index with no integrity API
    (another layout than ``/simple/``): their provenance URLs are on its page."""
    if not package.planned:
        return False
    found = session.index_of(package.inventory, package.component)
    return isinstance(found, ResolvedIndex) and integrity_api_base(found.url) is None


def _match(package: _Package, page: ProjectInfo | IndexFailure, notes: dict[str, None]) -> None:
    """The files of ``package`` found on its project's ``page``: by name (the page's
    digest) or by digest (the page's name); and the page's provenance URL of each file
    already planned (asked instead of the integrity API)."""
    if not isinstance(page, IndexFailure):
        urls = {_file_key(f.filename): f.provenance for f in page.files if f.provenance}
        package.planned[:] = [
            replace(f, url=urls.get(_file_key(f.filename))) if f.url is None else f
            for f in package.planned
        ]
    if isinstance(page, IndexFailure):
        if page.kind in _TRANSIENT:
            notes.setdefault(page.reason)
        for filename in package.by_name:
            package.decided.append(
                ArtifactProvenance(
                    filename=filename,
                    sha256=None,
                    digest_from="index",
                    status="unavailable",
                    reason=f"no digest: the index page could not be had ({page.reason})",
                )
            )
        for digest in package.by_digest:
            package.decided.append(
                ArtifactProvenance(
                    filename=f"sha256:{digest}",
                    sha256=digest,
                    digest_from="lock",
                    status="unavailable",
                    reason=f"no file name: the index page could not be had ({page.reason})",
                )
            )
        return
    files = [f for f in page.files if f.kind in ("wheel", "sdist")]
    for filename in package.by_name:
        wanted = _file_key(filename)
        found = next((f for f in files if _file_key(f.filename) == wanted), None)
        listed = found.hashes.get("sha256") if found is not None else None
        if found is None or listed is None:
            why = (
                f"the index lists no file {filename} (built from an sdist, or not from this index?)"
                if found is None
                else f"the index gives no SHA-256 for {found.filename}"
            )
            package.decided.append(
                ArtifactProvenance(
                    filename=filename,
                    sha256=None,
                    digest_from="index",
                    status="unavailable",
                    reason=why,
                )
            )
            continue
        package.planned.append(_Planned(found.filename, listed.lower(), "index", found.provenance))
        package.notes.append(
            f"the installed files were not compared with {found.filename}: its digest is "
            "the index's"
        )
    by_digest = {f.hashes["sha256"].lower(): f for f in files if "sha256" in f.hashes}
    for digest in package.by_digest:
        match = by_digest.get(digest)
        if match is None:
            package.notes.append(
                f"sha256 {digest[:12]}... recorded by the input matches no file on the index"
            )
            continue
        package.planned.append(_Planned(match.filename, digest, "lock", match.provenance))


def _file_key(filename: str) -> tuple[object, ...]:
    """:func:`~pyward._provenance._model.dist_key`, or the name itself for anything else."""
    return dist_key(filename) or ("other", filename)


def _key(component: Component, filename: str) -> tuple[str, str, str]:
    return (canonical_name(component.name), component.version or "", filename)


#: A job's place: the package's and the file's index in the plan.
_JobKey = tuple[int, int]


def _verify_all(
    jobs: Mapping[_JobKey, tuple[_Planned, bytes]],
    *,
    trust: Trust,
    trust_root: str | None,
    progress: Callable[[int, int], None] | None,
    workers: int,
) -> dict[_JobKey, Verification | InputError]:
    """Each job's :class:`~pyward._provenance._model.Verification`, or the
    :class:`~pyward.errors.InputError` its body raised (no provenance object): on
    ``workers`` threads when there are enough jobs to pay for a pool."""
    from pyward._provenance import _verify

    total = len(jobs)
    if progress is not None:
        progress(0, total)

    def one(job: tuple[_Planned, bytes]) -> Verification | InputError:
        planned, body = job
        try:
            return _verify.verify_provenance(
                planned.filename, planned.sha256, body, trust=trust, trust_root=trust_root
            )
        except InputError as err:
            return err

    keys = list(jobs)
    if workers <= 1 or total < _POOL_FROM:
        results: Iterable[Verification | InputError] = map(one, jobs.values())
        return _collect(keys, results, total, progress)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pyward-verify") as pool:
        return _collect(keys, pool.map(one, jobs.values()), total, progress)


def _collect(
    keys: Sequence[_JobKey],
    results: Iterable[Verification | InputError],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> dict[_JobKey, Verification | InputError]:
    out: dict[_JobKey, Verification | InputError] = {}
    for done, (key, result) in enumerate(zip(keys, results, strict=True), start=1):
        out[key] = result
        if progress is not None:
            progress(done, total)
    return out


def _artifact(
    planned: _Planned,
    result: Verification | InputError | IndexFailure | None,
    *,
    url: str | None = None,
) -> ArtifactProvenance:
    """One file's outcome: its verification (or why its body is no provenance object),
    else the index's answer (``None``: it has no provenance; or why none could be had)."""

    def outcome(
        status: ArtifactStatus,
        reason: str | None = None,
        verification: Verification | None = None,
    ) -> ArtifactProvenance:
        return ArtifactProvenance(
            filename=planned.filename,
            sha256=planned.sha256,
            digest_from=planned.digest_from,
            status=status,
            verification=verification,
            reason=reason,
            url=url,
        )

    if result is None:
        return outcome("none")
    if isinstance(result, IndexFailure):
        if result.kind in _NOT_PROVENANCE:
            return outcome("failed", result.reason)
        return outcome("unavailable", result.reason)
    if isinstance(result, InputError):
        return outcome("failed", str(result))
    if result.verified:
        return outcome("verified", verification=result)
    return outcome("failed", result.reason, result)


def _compare(package: PackageProvenance) -> PackageProvenance:
    """``package`` with its publisher change, when a verified publisher is admitted by
    none of its pinned identities (the first such artifact shows it)."""
    if not package.pinned:
        return package
    for artifact in package.artifacts:
        found = artifact.publisher
        if found is None or any(admits(pin, found) for pin in package.pinned):
            continue
        return replace(
            package,
            change=PublisherChange(
                pinned=package.pinned,
                found=found,
                filename=artifact.filename,
                pinned_in=package.pinned_in or "",
            ),
        )
    return package


class _Paths:
    """Each component's dependency path, the graph searched once per inventory."""

    def __init__(
        self, given: Callable[[Inventory, Component], tuple[ComponentKey, ...]] | None
    ) -> None:
        self._given = given
        self._search: dict[str, Callable[[ComponentKey], tuple[ComponentKey, ...]]] = {}

    def __call__(self, inventory: Inventory, component: Component) -> tuple[ComponentKey, ...]:
        if self._given is not None:
            return self._given(inventory, component)
        search = self._search.get(inventory.source)
        if search is None:
            search = self._search[inventory.source] = shortest_paths(
                inventory.roots, inventory.edges
            )
        return search(component.key)
