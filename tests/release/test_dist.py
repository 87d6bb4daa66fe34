"""The artifacts category of ``pyward release-check --dist DIR``
(:mod:`pyward._release._dist`): wheels and sdists built here with ``zipfile`` and
``tarfile``, and real ones from ``tests/data/pep740-attestations`` (see its LICENSE)."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from pyward._release import _dist
from pyward._release._dist import RULES, scan
from pyward._release._model import Hit, Repo
from pyward.errors import InputError
from tests.conftest import DATA

PEP740 = DATA / "pep740-attestations"
STAMP = (2024, 1, 2, 3, 4, 6)
METADATA = (
    "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nRequires-Python: >=3.10\n"
    "Requires-Dist: packaging>=24\n"
)
PRIVATE_KEY = (
    b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
    b"-----END OPENSSH PRIVATE KEY-----\n"
)
CERTIFICATE = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def _hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_wheel(
    dist: Path,
    files: dict[str, bytes] | None = None,
    *,
    metadata: str = METADATA,
    name: str = "demo-1.0-py3-none-any.whl",
    record: dict[str, str] | None = None,
    stamps: dict[str, tuple[int, int, int, int, int, int]] | None = None,
) -> Path:
    """A wheel whose RECORD is right, then overridden by ``record`` (path -> row)."""
    dist_info = "demo-1.0.dist-info"
    members = {"demo/__init__.py": b"VERSION = '1.0'\n", **(files or {})}
    members[f"{dist_info}/METADATA"] = metadata.encode()
    members[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    rows = {path: f"{path},{_hash(data)},{len(data)}" for path, data in members.items()}
    rows[f"{dist_info}/RECORD"] = f"{dist_info}/RECORD,,"
    rows.update(record or {})
    members[f"{dist_info}/RECORD"] = (
        "\n".join(row for row in rows.values() if row) + "\n"
    ).encode()
    path = dist / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member, (stamps or {}).get(member, STAMP)), data)
    return path


def make_sdist(
    dist: Path,
    files: dict[str, bytes] | None = None,
    *,
    metadata: str = METADATA,
    name: str = "demo-1.0.tar.gz",
    mtimes: dict[str, int] | None = None,
    links: dict[str, str] | None = None,
) -> Path:
    """An sdist with PKG-INFO under ``demo-1.0/``; ``links`` adds symlinks."""
    members = {"PKG-INFO": metadata.encode(), "pyproject.toml": b"[project]\n", **(files or {})}
    path = dist / name
    with tarfile.open(path, "w:gz") as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(
                member if member.startswith(("/", "..")) else f"demo-1.0/{member}"
            )
            info.size = len(data)
            info.mtime = (mtimes or {}).get(member, 1_700_000_000)
            archive.addfile(info, io.BytesIO(data))
        for member, target in (links or {}).items():
            info = tarfile.TarInfo(f"demo-1.0/{member}")
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


def run(root: Path, dist: Path) -> tuple[list[Hit], str | None]:
    hits: list[Hit] = []
    try:
        hits.extend(scan(Repo(root=root, dist=dist)))
    except InputError as exc:
        return hits, str(exc)
    return hits, None


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    path = tmp_path / "dist"
    path.mkdir()
    return path


def test_rules() -> None:
    ids = [rule.id for rule in RULES]
    assert ids == [
        "secret-file-in-artifact",
        "unsafe-path-in-artifact",
        "metadata-mismatch",
        "wheel-record-invalid",
        "not-reproducible",
    ]
    assert {rule.category for rule in RULES} == {"artifacts"}


def test_no_dist_option_checks_nothing(tmp_path: Path) -> None:
    assert list(scan(Repo(root=tmp_path))) == []


def test_a_clean_release_has_no_hit(tmp_path: Path, dist: Path) -> None:
    make_wheel(dist)
    make_sdist(dist)
    assert run(tmp_path, dist) == ([], None)


def test_real_wheel_and_sdist(tmp_path: Path, dist: Path) -> None:
    shutil.copy(PEP740 / "rfc8785-0.1.2-py3-none-any.whl", dist)
    shutil.copy(PEP740 / "gitlab_oidc_project-0.0.3.tar.gz", dist)
    hits, unchecked = run(tmp_path, dist)
    assert unchecked is None
    # Its RECORD is valid; flit gave the .dist-info files a fixed date, the code its mtime.
    assert [(h.rule, h.file, h.severity) for h in hits] == [
        ("not-reproducible", "dist/gitlab_oidc_project-0.0.3.tar.gz", "low"),
        ("not-reproducible", "dist/rfc8785-0.1.2-py3-none-any.whl", "low"),
    ]
    assert hits[1].message == (
        "dist/rfc8785-0.1.2-py3-none-any.whl: 2 different member timestamps (newest "
        "2024-03-19); a reproducible build gives every member the same one"
    )


def test_dist_outside_the_repository_is_shown_as_given(tmp_path: Path, dist: Path) -> None:
    make_wheel(dist, {"demo/.env": b"TOKEN=x\n"})
    [hit] = run(tmp_path / "elsewhere", dist)[0]
    assert hit.file == f"{dist.as_posix()}/demo-1.0-py3-none-any.whl"


def test_secret_files(tmp_path: Path, dist: Path) -> None:
    make_sdist(
        dist,
        {
            ".env": b"TOKEN=1\n",
            ".env.example": b"TOKEN=\n",
            ".pypirc": b"[pypi]\n",
            ".git/config": b"[core]\n",
            ".git/HEAD": b"ref: refs/heads/main\n",
            "deploy/id_ed25519": PRIVATE_KEY,
            "deploy/id_ed25519.pub": b"ssh-ed25519 AAAA\n",
            "certs/server.key": PRIVATE_KEY,
            "certs/cacert.pem": CERTIFICATE,
            "store.p12": b"\x30\x82",
        },
    )
    hits, unchecked = run(tmp_path, dist)
    assert unchecked is None
    assert [h.message for h in hits if h.rule == "secret-file-in-artifact"] == [
        "dist/demo-1.0.tar.gz contains demo-1.0/.env (an environment file)",
        "dist/demo-1.0.tar.gz contains demo-1.0/.pypirc (package index credentials)",
        "dist/demo-1.0.tar.gz contains demo-1.0/.git/ (a git repository)",
        "dist/demo-1.0.tar.gz contains demo-1.0/deploy/id_ed25519 (an SSH private key)",
        "dist/demo-1.0.tar.gz contains demo-1.0/store.p12 (a key store)",
        "dist/demo-1.0.tar.gz contains demo-1.0/certs/server.key (a private key)",
    ]


def test_private_key_in_a_wheel(tmp_path: Path, dist: Path) -> None:
    make_wheel(dist, {"demo/data/signing.pem": PRIVATE_KEY, "demo/data/ca.pem": CERTIFICATE})
    [hit] = run(tmp_path, dist)[0]
    assert (hit.rule, hit.subject) == ("secret-file-in-artifact", "demo/data/signing.pem")


def test_unsafe_paths(tmp_path: Path, dist: Path) -> None:
    make_sdist(
        dist,
        {"../escape.py": b"", "/etc/cron.d/x": b""},
        links={
            "inside": "pyproject.toml",
            "outside": "../../etc/passwd",
            "absolute": "/etc/passwd",
        },
    )
    hits, _unchecked = run(tmp_path, dist)
    assert [h.message for h in hits if h.rule == "unsafe-path-in-artifact"] == [
        "dist/demo-1.0.tar.gz has a member named '../escape.py': a '..' component",
        "dist/demo-1.0.tar.gz has a member named '/etc/cron.d/x': an absolute path",
        "dist/demo-1.0.tar.gz: 'demo-1.0/outside' links to '../../etc/passwd', outside the archive",
        "dist/demo-1.0.tar.gz: 'demo-1.0/absolute' links to '/etc/passwd', outside the archive",
    ]


def test_unsafe_name_in_a_wheel(tmp_path: Path, dist: Path) -> None:
    make_wheel(dist, {"../../evil.pth": b"import os\n"})
    hits, _unchecked = run(tmp_path, dist)
    assert [(h.rule, h.subject) for h in hits] == [("unsafe-path-in-artifact", "../../evil.pth")]


def test_record_problems(tmp_path: Path, dist: Path) -> None:
    make_wheel(
        dist,
        {
            "demo/a.py": b"A = 1\n",
            "demo/b.py": b"B = 2\n",
            "demo/c.py": b"C = 3\n",
            "demo/d.py": b"",
        },
        record={
            "demo/a.py": f"demo/a.py,{_hash(b'A = 2')},6",
            "demo/b.py": f"demo/b.py,{_hash(b'B = 2' + chr(10).encode())},99",
            "demo/c.py": "",
            "demo/d.py": "demo/d.py,md5=1B2M2Y8AsgTpgAmY7PhCfg,0",
            "demo/gone.py": f"demo/gone.py,{_hash(b'')},0",
        },
    )
    hits, unchecked = run(tmp_path, dist)
    assert unchecked is None
    assert [(h.subject, h.message) for h in hits] == [
        (
            "hash",
            "dist/demo-1.0-py3-none-any.whl: 1 file(s) do not match their RECORD hash: demo/a.py",
        ),
        (
            "size",
            "dist/demo-1.0-py3-none-any.whl: 1 file(s) do not match their RECORD size: demo/b.py",
        ),
        (
            "unlisted",
            "dist/demo-1.0-py3-none-any.whl: 1 file(s) are not listed in RECORD: demo/c.py",
        ),
        (
            "weak-or-no-hash",
            "dist/demo-1.0-py3-none-any.whl: 1 file(s) have no sha256 (or stronger) hash "
            "in RECORD: demo/d.py",
        ),
        (
            "missing",
            "dist/demo-1.0-py3-none-any.whl: 1 file(s) are listed in RECORD but not in the "
            "wheel: demo/gone.py",
        ),
    ]
    assert {h.rule for h in hits} == {"wheel-record-invalid"}


def test_no_record(tmp_path: Path, dist: Path) -> None:
    path = make_wheel(dist)
    with zipfile.ZipFile(path) as source:
        kept = [(i, source.read(i)) for i in source.infolist() if not i.filename.endswith("RECORD")]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in kept:
            archive.writestr(info, data)
    [hit] = run(tmp_path, dist)[0]
    assert hit.message == "dist/demo-1.0-py3-none-any.whl has no demo-1.0.dist-info/RECORD"


def test_duplicate_member(tmp_path: Path, dist: Path) -> None:
    path = make_wheel(dist)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo("demo/__init__.py", STAMP), b"import os\n")
    hits = run(tmp_path, dist)[0]
    assert [h.subject for h in hits] == ["duplicate"]


def test_metadata_mismatch_across_one_version(tmp_path: Path, dist: Path) -> None:
    make_sdist(dist)
    make_wheel(dist, metadata=METADATA.replace(">=3.10", ">=3.8") + "Requires-Dist: rich\n")
    make_wheel(dist, name="demo-1.0-py3-none-manylinux_2_17_x86_64.whl")
    hits, _unchecked = run(tmp_path, dist)
    assert [(h.rule, h.file, h.subject, h.message) for h in hits] == [
        (
            "metadata-mismatch",
            "dist/demo-1.0-py3-none-any.whl",
            "Requires-Dist",
            "Requires-Dist differs: dist/demo-1.0.tar.gz has packaging>=24, "
            "dist/demo-1.0-py3-none-any.whl has packaging>=24; rich",
        ),
        (
            "metadata-mismatch",
            "dist/demo-1.0-py3-none-any.whl",
            "Requires-Python",
            "Requires-Python differs: dist/demo-1.0.tar.gz has >=3.10, "
            "dist/demo-1.0-py3-none-any.whl has >=3.8",
        ),
    ]


def test_dynamic_fields_of_an_sdist_are_not_compared(tmp_path: Path, dist: Path) -> None:
    make_sdist(
        dist,
        metadata=METADATA.replace("Requires-Dist: packaging>=24\n", "Dynamic: Requires-Dist\n"),
    )
    make_wheel(dist)
    assert run(tmp_path, dist) == ([], None)


def test_file_name_and_metadata_disagree(tmp_path: Path, dist: Path) -> None:
    make_wheel(dist, metadata=METADATA.replace("Version: 1.0", "Version: 1.0.post1"))
    [hit] = run(tmp_path, dist)[0]
    assert (
        hit.message
        == "dist/demo-1.0-py3-none-any.whl: file name says version 1.0, its metadata 1.0.post1"
    )


def test_versions_are_compared_as_versions(tmp_path: Path, dist: Path) -> None:
    make_sdist(
        dist, metadata=METADATA.replace("Version: 1.0", "Version: 1.0.0"), name="demo-1.0.0.tar.gz"
    )
    make_wheel(
        dist,
        metadata=METADATA.replace("Version: 1.0", "Version: 1.0.0"),
        name="demo-1.0.0-py3-none-any.whl",
    )
    assert run(tmp_path, dist) == ([], None)


def test_not_reproducible_hints(tmp_path: Path, dist: Path) -> None:
    make_sdist(dist, {"a.py": b""}, mtimes={"a.py": 1_700_000_500})
    make_wheel(dist, stamps={"demo/__init__.py": (2025, 5, 6, 7, 8, 10)})
    hits = run(tmp_path, dist)[0]
    assert [h.message for h in hits] == [
        "dist/demo-1.0-py3-none-any.whl: 2 different member timestamps (newest 2025-05-06); "
        "a reproducible build gives every member the same one",
        "dist/demo-1.0.tar.gz: 2 different member mtimes; a build with SOURCE_DATE_EPOCH "
        "clamps them to one",
    ]
    assert {(h.rule, h.severity) for h in hits} == {("not-reproducible", "low")}


def test_corrupt_archives_are_not_checked_the_others_are(tmp_path: Path, dist: Path) -> None:
    (dist / "broken-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 not really")
    (dist / "broken-1.0.tar.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (dist / "README.whl").write_bytes(b"")
    make_wheel(dist, {"demo/.env": b"X=1\n"})
    hits, unchecked = run(tmp_path, dist)
    assert [h.rule for h in hits] == ["secret-file-in-artifact"]
    assert unchecked is not None
    assert unchecked.startswith(
        "dist: not checked: dist/README.whl: not a wheel or sdist file name; "
        "dist/broken-1.0-py3-none-any.whl: not a zip archive: "
    )
    assert "dist/broken-1.0.tar.gz: " in unchecked


def test_truncated_sdist(tmp_path: Path, dist: Path) -> None:
    path = make_sdist(dist, {"big.bin": bytes(range(256)) * 400})
    path.write_bytes(path.read_bytes()[:300])
    hits, unchecked = run(tmp_path, dist)
    assert hits == []
    assert unchecked is not None
    assert unchecked.startswith("dist: not checked: dist/demo-1.0.tar.gz: corrupt tar archive: ")


def test_caps(tmp_path: Path, dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_wheel(dist, {"demo/big.bin": b"\0" * 10_000})
    monkeypatch.setattr(_dist, "MAX_BYTES", 5_000)
    assert run(tmp_path, dist)[1] == (
        "dist: not checked: dist/demo-1.0-py3-none-any.whl: more than 5000 bytes of content "
        "(not read further)"
    )
    monkeypatch.setattr(_dist, "MAX_MEMBERS", 1)
    make_sdist(dist)
    (dist / "demo-1.0-py3-none-any.whl").unlink()
    assert run(tmp_path, dist)[1] == "dist: not checked: dist/demo-1.0.tar.gz: more than 1 members"


def test_empty_or_missing_dist(tmp_path: Path, dist: Path) -> None:
    assert run(tmp_path, dist) == ([], "dist: no sdist (.tar.gz) or wheel (.whl) to check")
    message = run(tmp_path, tmp_path / "absent")[1]
    assert message == "absent: cannot list the artifacts: No such file or directory"
