"""The exact messages of the reader bugs the sweep found (each was an internal error, a
message without its place, or a refusal of a valid file), and Hypothesis properties:
any bytes as a requirements file, a uv.lock or a CycloneDX document give exit 0, 1 or 2
and never an internal error."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS
from tests.robustness._support import run, write


def _nested(depth: int) -> dict[str, object]:
    doc: dict[str, object] = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}
    level = doc["components"]
    for _ in range(depth):
        child: dict[str, object] = {"name": "a", "components": []}
        assert isinstance(level, list)
        level.append(child)
        level = child["components"]
    return doc


FOUND: list[tuple[str, bytes, str]] = [
    (
        "bom.json",
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "a", '
        b'"purl": "pkg:pypi/a@1", "hashes": [{"alg": ["SHA-256"], "content": "ab"}]}]}',
        "components[0].hashes[0].alg: unknown hash algorithm ['SHA-256']",
    ),
    (
        "bom.json",
        '{"bomFormat": "CycloneDX", "specVersion": "1.²"}'.encode(),
        "specVersion: invalid specVersion '1.²'",
    ),
    (
        "bom.json",
        orjson.dumps(_nested(100)),
        "components[0]" + ".components[0]" * 63 + ".components: components nested deeper "
        "than 64 levels",
    ),
    (
        "bom.xml",
        (
            '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>'
            + '<component type="library"><name>a</name><components>' * 1500
            + "</components></component>" * 1500
            + "</components></bom>"
        ).encode(),
        "components[0]" + ".components[0]" * 63 + ".components: components nested deeper "
        "than 64 levels",
    ),
    (
        "bom.json",
        b'{"bomFormat": "CycloneDX",\n "components": [}\n',
        "line 2: invalid JSON: unexpected character, expected a JSON value (column 17)",
    ),
    ("bom.json", b"[]", "line 1: expected a JSON object, found an array"),
    ("bom.json", b"", "line 1: empty file (not a CycloneDX document)"),
    ("bom.xml", b"not xml", "line 1: invalid XML: syntax error: line 1, column 0"),
    ("sbom.spdx.json", b"\n\n{\n", "line 4: invalid JSON: unexpected end of data (column 1)"),
    ("sbom.spdx.json", b'"SPDX-2.3"', "line 1: expected a JSON object, found str"),
    ("sbom.spdx", b" \n", "line 1: empty file (not an SPDX document)"),
    (
        "sbom.spdx",
        b"SPDXVersion: SPDX-2.3\nPackageName: a\x00b\n",
        "line 2: control character U+0000 in tag-value text",
    ),
    (
        "sbom.spdx",
        b"SPDXVersion: SPDX-2.3\nPackageComment: <text>a\x0cb\nc</text>\nPackageName: \x1b[31m\n",
        "line 4: control character U+001B in tag-value text",
    ),
    ("Pipfile.lock", b"[1]", "line 1: expected a JSON object, found an array"),
    (
        "requirements.txt",
        b"flask==2.0.0\n-r a\x00b.txt\n",
        "line 2: invalid file name 'a\\x00b.txt' (a NUL byte)",
    ),
]


@pytest.mark.parametrize("case", FOUND, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(FOUND)])
def test_found(
    case: tuple[str, bytes, str], tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, data, message = case
    path = write(tmp_path / name, data)
    outcome = run(capsys, "audit", path, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (2, [f"{path}: {message}"])


def test_include_chains(tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(150):
        write(tmp_path / f"r{i}.txt", f"-r r{i + 1}.txt\n".encode())
    write(tmp_path / "r150.txt", b"flask==2.0.0\n")
    outcome = run(capsys, "audit", "-r", tmp_path / "r0.txt", "--cache-dir", store)
    assert outcome.errors == [
        f"{tmp_path / 'r100.txt'}: line 1: includes nested deeper than 100 files "
        f"(from {tmp_path / 'r0.txt'})"
    ]
    groups = "\n".join(f'g{i} = [{{include-group = "g{i + 1}"}}]' for i in range(150))
    path = write(
        tmp_path / "pyproject.toml",
        f'[dependency-groups]\n{groups}\ng150 = ["flask==2.0.0"]\n'.encode(),
    )
    outcome = run(capsys, "audit", path, "--cache-dir", store)
    assert outcome.errors == [
        f"{path}: dependency-groups.g0: include-group nested deeper than 100 groups"
    ]


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("bom.json", CORPUS / "sbom-cyclonedx/sbom4python/sbom4python.cdx.json"),
        ("sbom.spdx.json", CORPUS / "sbom-spdx/sbom4python/sbom4python.spdx.json"),
        ("Pipfile.lock", CORPUS / "pipenv/httpbin-2018/Pipfile.lock"),
    ],
)
def test_byte_order_mark_before_json(
    name: str, source: Path, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = write(tmp_path / "a" / name, source.read_bytes())
    marked = write(tmp_path / "b" / name, b"\xef\xbb\xbf" + source.read_bytes())
    one = run(capsys, "audit", plain, "-f", "json", "--cache-dir", store)
    two = run(capsys, "audit", marked, "-f", "json", "--cache-dir", store)
    assert one.code == two.code
    assert len(orjson.loads(one.out)["components"]) == len(orjson.loads(two.out)["components"]) > 5


_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _any_bytes() -> st.SearchStrategy[bytes]:
    text = st.text(
        alphabet=st.sampled_from(list("[]{}=\"',:#\\-.<>;@ \n\tabz019=~!*^$")), max_size=300
    )
    return st.one_of(st.binary(max_size=300), text.map(str.encode))


@pytest.mark.parametrize(
    "name", ["requirements.txt", "uv.lock", "bom.json", "sbom.spdx", "pylock.toml"]
)
@_SETTINGS
@given(data=_any_bytes())
def test_any_bytes(
    name: str, data: bytes, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / name, data)
    outcome = run(capsys, "audit", path, "-q", "-o", tmp_path / "out", "--cache-dir", store)
    assert outcome.code in (0, 1, 2)
    if outcome.code == 2:
        assert len(outcome.errors) == 1
        assert outcome.errors[0].startswith(f"{path}: ")


@_SETTINGS
@given(data=st.binary(max_size=400))
def test_any_bytes_in_a_real_uv_lock(
    data: bytes, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = (CORPUS / "../../../examples/vulnerable-app/uv.lock").resolve().read_bytes()
    at = len(data) * 97 % len(real)
    path = write(tmp_path / "uv.lock", real[:at] + data + real[at:])
    outcome = run(capsys, "audit", path, "-q", "-o", tmp_path / "out", "--cache-dir", store)
    assert outcome.code in (0, 1, 2)
