"""Provenance through the real index client from a loopback integrity API (PEP 740):
the real provenance files, ETag revalidation from the cache, 404 as "none", 5xx and
timeouts as failures, offline, the page's own URL preferred, the size cap, the batch
:func:`fetch_provenance`, and a fetched object verified end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from pyward._model import Component, Inventory
from pyward._sources.index._client import MAX_PROVENANCE, IndexClient
from pyward._sources.index._fetch import ClientOptions
from pyward._sources.index._integrity import (
    ProvenanceItem,
    fetch_provenance,
    integrity_api_base,
)
from pyward._sources.index._port import IndexFailure, IndexLookupError
from tests.index._loopback_index import ATTESTATIONS, LoopbackIndex, loopback_index

SDIST = "pypi_attestations-0.0.19.tar.gz"
SDIST_PATH = f"/integrity/pypi-attestations/0.0.19/{SDIST}/provenance"
WHEEL = "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl"
GCB = "gcb_attestation_test-0.0.0.tar.gz"
#: A file the index has no provenance for (its artifact is real, its attestation is not
#: in the PEP 740 provenance form).
BARE = "gitlab_oidc_project-0.0.3.tar.gz"
FAST: dict[str, Any] = {"timeout": 0.5, "retries": 1, "backoff": 0.01, "max_retry_after": 0.05}


def client(index: LoopbackIndex, cache: Path | None, **kwargs: Any) -> IndexClient:
    options = {**FAST, **kwargs}
    return IndexClient(
        index.simple_url,
        integrity_url=integrity_api_base(index.simple_url),
        cache_dir=cache,
        **options,
    )


def provenance_failure(source: IndexClient, *args: str, url: str | None = None) -> IndexFailure:
    with pytest.raises(IndexLookupError) as exc:
        source.provenance(*args, url=url)
    return exc.value.failure


def real(filename: str) -> bytes:
    return (ATTESTATIONS / f"{filename}.provenance").read_bytes()


def test_integrity_api_base_follows_the_simple_layout() -> None:
    assert integrity_api_base("https://index.example.invalid/simple") == (
        "https://index.example.invalid/integrity"
    )
    assert integrity_api_base("https://mirror.example.invalid/root/pypi/+simple/") is None


def test_fetched_then_fresh_from_cache_then_revalidated_with_304(tmp_path: Path) -> None:
    with loopback_index() as index:
        with client(index, tmp_path) as source:
            first = source.provenance("PyPI_Attestations", "0.0.19", SDIST)
            assert source.provenance_url("PyPI_Attestations", "0.0.19", SDIST) == (
                index.base + SDIST_PATH
            )
        assert first == real(SDIST)
        assert index.requests == [(SDIST_PATH, 200)]
        # Fresh (within the TTL): the cached copy, no request.
        with client(index, tmp_path) as source:
            assert source.provenance("pypi-attestations", "0.0.19", SDIST) == first
        assert index.asked(SDIST_PATH) == 1
        # Revalidated: If-None-Match with the cached ETag, 304, the cached body.
        with client(index, tmp_path, refresh=True) as source:
            assert source.provenance("pypi-attestations", "0.0.19", SDIST) == first
        assert index.requests[-1] == (SDIST_PATH, 304)


def test_a_file_without_provenance_is_none_and_not_cached(tmp_path: Path) -> None:
    path = f"/integrity/gitlab-oidc-project/0.0.3/{BARE}/provenance"
    with loopback_index() as index, client(index, tmp_path) as source:
        assert source.provenance("gitlab-oidc-project", "0.0.3", BARE) is None
        # The client caches answers, not 404s: "none" is asked again next time.
        assert source.provenance("gitlab-oidc-project", "0.0.3", BARE) is None
        assert index.requests == [(path, 404), (path, 404)]


def test_a_server_error_after_every_retry_is_a_network_failure(tmp_path: Path) -> None:
    with (
        loopback_index(faults={"pypi-attestations": "error"}) as index,
        client(index, tmp_path) as source,
    ):
        failure = provenance_failure(source, "pypi-attestations", "0.0.19", SDIST)
        assert failure.kind == "network"
        assert failure.name == "pypi-attestations"
        assert "HTTP 500" in failure.reason
        assert "(after 2 attempts)" in failure.reason
        assert index.requests == [(SDIST_PATH, 500), (SDIST_PATH, 500)]


def test_a_timeout_is_a_network_failure_and_a_cached_copy_is_used_instead(
    tmp_path: Path,
) -> None:
    with loopback_index(faults={"pypi-attestations": "hang"}, hang=2.0) as index:
        with client(index, tmp_path, retries=0, timeout=0.2) as source:
            failure = provenance_failure(source, "pypi-attestations", "0.0.19", SDIST)
        assert (failure.kind, failure.url) == ("network", index.base + SDIST_PATH)
        assert "ReadTimeout" in failure.reason
        index.faults.clear()
        with client(index, tmp_path) as source:
            assert source.provenance("pypi-attestations", "0.0.19", SDIST) == real(SDIST)
        index.faults["pypi-attestations"] = "hang"
        # Could not refresh: the old copy serves (stale), as for pages.
        with client(index, tmp_path, retries=0, timeout=0.2, refresh=True) as source:
            assert source.provenance("pypi-attestations", "0.0.19", SDIST) == real(SDIST)


def test_offline_reads_the_cache_only(tmp_path: Path) -> None:
    with loopback_index() as index:
        with client(index, tmp_path, offline=True) as source:
            failure = provenance_failure(source, "pypi-attestations", "0.0.19", SDIST)
        assert failure.kind == "offline"
        assert failure.reason == f"{index.base}{SDIST_PATH}: offline and not cached"
        assert index.requests == []
        with client(index, tmp_path) as source:
            source.provenance("pypi-attestations", "0.0.19", SDIST)
        # Offline, even a copy past its TTL is used, never a request.
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
        with client(index, tmp_path, offline=True, now=lambda: later) as source:
            assert source.provenance("pypi-attestations", "0.0.19", SDIST) == real(SDIST)
        assert index.requests == [(SDIST_PATH, 200)]


def test_the_pages_own_provenance_url_is_preferred(tmp_path: Path) -> None:
    with loopback_index() as index, client(index, tmp_path) as source:
        own = f"{index.base}/files/{WHEEL}.provenance"
        got = source.provenance("circleci-sign-publish-example", "0.0.1.dev137", WHEEL, url=own)
        assert got == real(WHEEL)
        assert index.requests == [(f"/files/{WHEEL}.provenance", 200)]
    # With no integrity API (an index of another layout), only a page's URL is asked.
    bare = IndexClient("https://mirror.example.invalid/root/+simple/", cache_dir=tmp_path)
    failure = provenance_failure(bare, "circleci-sign-publish-example", "0.0.1.dev137", WHEEL)
    assert failure.kind == "unsupported"
    assert "no integrity API configured" in failure.reason


def test_too_large_and_not_an_object_are_refused(tmp_path: Path) -> None:
    huge = json.dumps({"version": 1, "pad": "x" * MAX_PROVENANCE}).encode()
    served = {"big-1.0.tar.gz": huge, "list-1.0.tar.gz": b"[1, 2]", "text-1.0.tar.gz": b"{nope"}
    with loopback_index(provenance=served) as index, client(index, tmp_path) as source:
        big = provenance_failure(source, "big", "1.0", "big-1.0.tar.gz")
        assert big.kind == "too-large"
        assert f"the limit is {MAX_PROVENANCE} bytes" in big.reason
        listed = provenance_failure(source, "list", "1.0", "list-1.0.tar.gz")
        assert listed.kind == "invalid"
        assert listed.reason.endswith("not a provenance object (a JSON list)")
        assert provenance_failure(source, "text", "1.0", "text-1.0.tar.gz").kind == "invalid"


def items(tmp_path: Path, *files: tuple[str, str | None, str]) -> list[ProvenanceItem]:
    inventory = Inventory(source=str(tmp_path / "uv.lock"), format="uv.lock")
    return [
        ProvenanceItem(
            inventory=inventory, component=Component(name=name, version=version), filename=f
        )
        for name, version, f in files
    ]


def test_fetch_provenance_asks_each_file_once_concurrently(tmp_path: Path) -> None:
    wanted = items(
        tmp_path,
        ("pypi-attestations", "0.0.19", SDIST),
        ("circleci-sign-publish-example", "0.0.1.dev137", WHEEL),
        ("gcb-attestation-test", "0.0.0", GCB),
        ("gitlab-oidc-project", "0.0.3", BARE),
        ("spt3g", "1.0", "spt3g-1.0.tar.gz"),
        ("pypi-attestations", "0.0.19", SDIST),
        ("editable-root", None, "editable_root-0.tar.gz"),
    )
    with loopback_index(faults={"spt3g": "error"}) as index:
        got = fetch_provenance(
            wanted,
            option=index.simple_url,
            environ={},
            cache_dir=tmp_path / "cache",
            client=ClientOptions(concurrency=4, **FAST),
        )
        assert index.asked(SDIST_PATH) == 1
    assert list(got.results) == [item.key for item in wanted[:5]] + [wanted[6].key]
    assert got.results[("pypi-attestations", "0.0.19", SDIST)] == real(SDIST)
    assert got.results[("circleci-sign-publish-example", "0.0.1.dev137", WHEEL)] == real(WHEEL)
    assert got.results[("gcb-attestation-test", "0.0.0", GCB)] == real(GCB)
    assert got.results[("gitlab-oidc-project", "0.0.3", BARE)] is None
    failed = got.results[("spt3g", "1.0", "spt3g-1.0.tar.gz")]
    assert isinstance(failed, IndexFailure)
    assert failed.kind == "network"
    unversioned = got.results[("editable-root", "", "editable_root-0.tar.gz")]
    assert isinstance(unversioned, IndexFailure)
    assert unversioned.kind == "not-asked"
    assert got.indexes == (index.simple_url,)


def test_fetch_provenance_without_an_index_asks_nothing(tmp_path: Path) -> None:
    got = fetch_provenance(
        items(tmp_path, ("pypi-attestations", "0.0.19", SDIST)), environ={}, cache_dir=tmp_path
    )
    (failure,) = got.results.values()
    assert isinstance(failure, IndexFailure)
    assert failure.kind == "not-asked"
    assert got.indexes == ()


def test_a_fetched_provenance_verifies_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("pypi_attestations", reason="needs the 'provenance' extra")
    pytest.importorskip("sigstore", reason="needs the 'provenance' extra")
    from pyward._provenance import verify_provenance

    sha256 = hashlib.sha256((ATTESTATIONS / SDIST).read_bytes()).hexdigest()
    with loopback_index() as index:
        got = fetch_provenance(
            items(tmp_path, ("pypi-attestations", "0.0.19", SDIST)),
            option=index.simple_url,
            environ={},
            cache_dir=tmp_path,
            client=ClientOptions(**FAST),
        )
    provenance = got.results[("pypi-attestations", "0.0.19", SDIST)]
    assert isinstance(provenance, bytes)
    result = verify_provenance(SDIST, sha256, provenance, source=index.base + SDIST_PATH)
    assert result.verified, result.reason
    assert result.publisher is not None
    assert result.publisher.repository == "trailofbits/pypi-attestations"
    # The same object against another artifact's digest is a failure, never a pass.
    assert not verify_provenance(SDIST, "0" * 64, provenance).verified
