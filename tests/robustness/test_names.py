"""File and directory names that are not valid UTF-8 (issue 12, item 10, input side),
and a library's warning in ``sbom`` (item 14): every name read from disk reaches the
model, the errors and every output as text with its bytes escaped (``\\xff``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson
import pytest

from pyward._files import safe_text
from pyward._inventory import read_inventory
from pyward._model import Location, NotAudited
from pyward.errors import InputError, UsageError
from tests.robustness._support import run, write

needs_bytes_names = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="needs a file system that takes any bytes"
)

AUDIT_FORMATS = ("table", "json", "markdown", "sarif", "cyclonedx-vex", "html")
SBOM_FORMATS = ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv")


def test_safe_text() -> None:
    assert safe_text(os.fsdecode(b"caf\xff-\xfe.txt")) == "caf\\xff-\\xfe.txt"
    assert safe_text("caf\u00e9 \ud800") == "caf\u00e9 \\ud800"
    assert safe_text("plain") == "plain"
    assert str(UsageError(os.fsdecode(b"--config a\xff: no such file"))) == (
        "--config a\\xff: no such file"
    )
    error = InputError(os.fsdecode(b"d\xff/r.txt"), "bad", where="line 1")
    assert (error.file, str(error)) == ("d\\xff/r.txt", "d\\xff/r.txt: line 1: bad")


@needs_bytes_names
def test_names_from_disk_are_text(tmp_path: Path) -> None:
    root = Path(os.fsdecode(bytes(tmp_path) + b"/bad\xffdir"))
    site = root / "venv" / "lib" / "python3.12" / "site-packages"
    write(root / "venv" / "pyvenv.cfg", b"home = /usr/bin\nversion_info = 3.12.1\n")
    dist = site / os.fsdecode(b"jinja\xfe-2.10.dist-info")
    write(dist / "METADATA", b"Name: jinja2\nVersion: 2.10\n")
    empty = site / os.fsdecode(b"x\xfe-1.0.dist-info")
    empty.mkdir()
    inventory = read_inventory(root / "venv")
    shown = f"{safe_text(str(tmp_path))}/bad\\xffdir/venv"
    assert inventory.source == shown
    (component,) = inventory.components
    assert component.location == Location(
        file=f"{shown}/lib/python3.12/site-packages/jinja\\xfe-2.10.dist-info"
    )
    assert component.metadata["dist_info"] == component.location.file
    assert inventory.not_audited == (
        NotAudited(
            name="x\\xfe",
            requirement="x\\xfe-1.0.dist-info",
            reason="METADATA unreadable: No such file or directory",
            location=Location(file=f"{shown}/lib/python3.12/site-packages/x\\xfe-1.0.dist-info"),
        ),
    )
    orjson.dumps(repr(inventory))  # raises on a lone surrogate

    req = write(root / "requirements.txt", b"jinja2==2.10\n")
    inventory = read_inventory(req)
    assert inventory.source == f"{safe_text(str(tmp_path))}/bad\\xffdir/requirements.txt"
    assert inventory.components[0].location == Location(file=inventory.source, line=1)
    with pytest.raises(InputError) as info:
        read_inventory(root / "missing.txt")
    assert str(info.value) == (
        f"{safe_text(str(tmp_path))}/bad\\xffdir/missing.txt: no such file or directory"
    )


@needs_bytes_names
def test_every_output_of_a_badly_named_input(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(os.fsdecode(bytes(tmp_path) + b"/bad\xffdir"))
    site = root / "venv" / "lib" / "python3.12" / "site-packages"
    write(root / "venv" / "pyvenv.cfg", b"home = /usr/bin\nversion_info = 3.12.1\n")
    write(
        site / os.fsdecode(b"jinja\xfe-2.10.dist-info") / "METADATA",
        b"Name: jinja2\nVersion: 2.10\n",
    )
    (site / os.fsdecode(b"x\xfe-1.0.dist-info")).mkdir()
    req = write(root / "requirements.txt", b"jinja2==2.10\n")
    for target in (["-r", req], [root / "venv"]):
        for fmt in AUDIT_FORMATS:
            outcome = run(capsys, "audit", *target, "-f", fmt, "-q", "--cache-dir", store)
            assert (outcome.code, outcome.errors) == (1, []), (target, fmt)
            if fmt == "json":
                source = orjson.loads(outcome.out)["inventories"][0]["source"]
                assert source == safe_text(str(target[-1]))
    for fmt in SBOM_FORMATS:
        outcome = run(capsys, "sbom", root / "venv", "-f", fmt, "-q")
        assert (outcome.code, outcome.errors) == (0, []), fmt
    outcome = run(capsys, "audit", root / "missing.txt", "--cache-dir", store)
    assert outcome.errors == [f"{safe_text(str(root))}/missing.txt: no such file or directory"]


def test_a_library_warning_in_sbom_is_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # cyclonedx-python-lib warns (UserWarning, with its own source line) about a
    # version longer than CycloneDX 1.6 allows.
    req = write(tmp_path / "requirements.txt", b"pkg===" + b"1" * 1100 + b"\n")
    for fmt in ("cyclonedx-json", "cyclonedx-xml"):
        # pytest turns warnings into errors: a warning that escapes is an internal error.
        outcome = run(capsys, "sbom", req, "-f", fmt)
        assert outcome.code == 0
        assert outcome.err == (
            "pyward: note: CycloneDX: `@.version`has a maximum length of 1024 from "
            "CycloneDX v1.6 onwards.\n"
        )
