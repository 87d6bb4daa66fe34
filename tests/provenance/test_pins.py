"""Publisher pins (trust on first use): which pinned identity admits which verified
publisher, reading and writing ``attestation-identities`` in real ``pylock.toml`` files
(every byte outside the new tables kept) and in the side file, and one-line errors
with the key path for malformed pins."""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import rtoml
from hypothesis import given, settings
from hypothesis import strategies as st

from pyward._inventory import read_inventory
from pyward._inventory._pylock import read as read_pylock
from pyward._inventory._toml import Span, spans, stdlib_loads
from pyward._model import Inventory
from pyward._provenance import _pins
from pyward._provenance._model import IdentityRecord, Publisher
from pyward._provenance._pins import (
    SIDE_FILE,
    Pins,
    PinWrite,
    admits,
    quote,
    read_pins,
    write_pins,
)
from pyward.errors import InputError, UsageError
from tests.conftest import CORPUS, DATA
from tests.provenance._support import SAMPLES

PYLOCKS = sorted((CORPUS / "pylock").glob("*/pylock.toml"))
PEP751 = DATA / "pep751" / "pylock.toml"

GITHUB: IdentityRecord = {
    "kind": "GitHub",
    "repository": "python-attrs/attrs",
    "workflow": "pypi-package.yml",
    "environment": "release-pypi",
}
GITLAB: IdentityRecord = {
    "kind": "GitLab",
    "repository": "facutuesca/gitlab-oidc-project",
    "workflow_filepath": ".gitlab-ci.yml",
}
GOOGLE: IdentityRecord = {
    "kind": "Google",
    "email": "919436158236-compute@developer.gserviceaccount.com",
}
CIRCLECI: IdentityRecord = {
    "kind": "CircleCI",
    "project_id": "fdd9283f-e619-46af-8f9c-851f7d3e8b2b",
    "pipeline_definition_id": "8e4f8ab2-8d7c-4827-9f15-de076d6d647f",
    "vcs_origin": "github.com/CircleCI-Public/sign-and-publish-examples",
    "vcs_ref": "refs/heads/pypi",
}
KINDS = {"GitHub": "github", "GitLab": "gitlab", "Google": "google", "CircleCI": "circleci"}


def verified(record: IdentityRecord) -> Publisher:
    """A verified publisher whose provenance names ``record``."""
    return Publisher(kind=KINDS.get(record["kind"], "other"), record=record)  # type: ignore[arg-type]


def edit(record: IdentityRecord, **changes: str | None) -> dict[str, str]:
    out = dict(record)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# -- admits --------------------------------------------------------------------------------

ADMITS = [
    # GitHub: repository without regard to case, workflow and environment exactly.
    ("github same", GITHUB, GITHUB, True),
    ("github repository case", edit(GITHUB, repository="Python-Attrs/ATTRS"), GITHUB, True),
    ("github other repository", edit(GITHUB, repository="evil/attrs"), GITHUB, False),
    ("github other workflow", edit(GITHUB, workflow="release.yml"), GITHUB, False),
    ("github workflow case", edit(GITHUB, workflow="PYPI-package.yml"), GITHUB, False),
    ("github other environment", edit(GITHUB, environment="pypi"), GITHUB, False),
    ("github environment pinned, none now", GITHUB, edit(GITHUB, environment=None), False),
    ("github no environment pinned", edit(GITHUB, environment=None), GITHUB, True),
    ("github kind only", {"kind": "GitHub"}, GITHUB, True),
    (
        "github repository only",
        {"kind": "GitHub", "repository": "python-attrs/attrs"},
        GITHUB,
        True,
    ),
    ("kind spelled otherwise", edit(GITHUB, kind="github"), GITHUB, True),
    ("other kind", edit(GITHUB, kind="GitLab"), GITHUB, False),
    ("github key outside the identity", edit(GITHUB, note="x"), GITHUB, True),
    # GitLab
    ("gitlab same", GITLAB, GITLAB, True),
    (
        "gitlab repository case",
        edit(GITLAB, repository="FacuTuesca/GitLab-OIDC-Project"),
        GITLAB,
        True,
    ),
    ("gitlab other file", edit(GITLAB, workflow_filepath="ci/release.yml"), GITLAB, False),
    ("gitlab environment pinned, none now", edit(GITLAB, environment="prod"), GITLAB, False),
    ("gitlab pin against github", GITLAB, edit(GITLAB, kind="GitHub"), False),
    # Google
    ("google same", GOOGLE, GOOGLE, True),
    ("google other account", edit(GOOGLE, email="other@example.invalid"), GOOGLE, False),
    ("google account case", edit(GOOGLE, email=GOOGLE["email"].upper()), GOOGLE, False),
    # CircleCI: vcs_ref is recorded, never compared.
    ("circleci same", CIRCLECI, CIRCLECI, True),
    ("circleci other vcs_ref", CIRCLECI, edit(CIRCLECI, vcs_ref="refs/tags/v1"), True),
    ("circleci vcs_ref pinned only", {"kind": "CircleCI", "vcs_ref": "x"}, CIRCLECI, True),
    ("circleci other project", edit(CIRCLECI, project_id="0000"), CIRCLECI, False),
    ("circleci other pipeline", edit(CIRCLECI, pipeline_definition_id="0000"), CIRCLECI, False),
    (
        "circleci origin case",
        edit(CIRCLECI, vcs_origin="github.com/circleci-public/sign-and-publish-examples"),
        CIRCLECI,
        False,
    ),
    # A kind pyward does not know: every key the pin sets.
    ("unknown kind same", {"kind": "Forge", "slug": "a/b"}, {"kind": "Forge", "slug": "a/b"}, True),
    (
        "unknown kind other",
        {"kind": "Forge", "slug": "a/b"},
        {"kind": "Forge", "slug": "a/c"},
        False,
    ),
    ("unknown kind missing", {"kind": "Forge", "slug": "a/b"}, {"kind": "Forge"}, False),
    ("unknown kind only", {"kind": "Forge"}, {"kind": "Forge", "slug": "a/b"}, True),
    ("no kind pinned", {"repository": "python-attrs/attrs"}, GITHUB, False),
]


@pytest.mark.parametrize(
    ("pinned", "record", "expected"),
    [pytest.param(p, r, e, id=i) for i, p, r, e in ADMITS],
)
def test_admits(pinned: IdentityRecord, record: IdentityRecord, expected: bool) -> None:
    assert admits(pinned, verified(record)) is expected


BARE_GITHUB = Publisher(
    kind="github",
    repository="python-attrs/attrs",
    workflow="pypi-package.yml",
    environment="release-pypi",
    identity="https://github.com/python-attrs/attrs/.github/workflows/pypi-package.yml@refs/tags/25.1.0",
)
BARE_GOOGLE = Publisher(kind="google", identity=GOOGLE["email"])
BARE_CIRCLECI = Publisher(
    kind="circleci",
    repository=CIRCLECI["vcs_origin"],
    workflow=CIRCLECI["pipeline_definition_id"],
)


@pytest.mark.parametrize(
    ("pinned", "publisher", "expected"),
    [
        pytest.param(GITHUB, BARE_GITHUB, True, id="github"),
        pytest.param(edit(GITHUB, repository="PYTHON-ATTRS/attrs"), BARE_GITHUB, True, id="case"),
        pytest.param(edit(GITHUB, workflow="x.yml"), BARE_GITHUB, False, id="github workflow"),
        pytest.param(
            GITHUB,
            Publisher(kind="github", repository="python-attrs/attrs", workflow="pypi-package.yml"),
            False,
            id="github no environment",
        ),
        pytest.param(GOOGLE, BARE_GOOGLE, True, id="google email is the identity"),
        pytest.param(edit(GOOGLE, email="x@y.invalid"), BARE_GOOGLE, False, id="google other"),
        pytest.param(GITHUB, BARE_GOOGLE, False, id="other kind"),
        # The certificate carries no CircleCI project id: a pin that sets one cannot be
        # held to it, and is not admitted.
        pytest.param(CIRCLECI, BARE_CIRCLECI, False, id="circleci project id"),
        pytest.param(
            edit(CIRCLECI, project_id=None), BARE_CIRCLECI, True, id="circleci without project id"
        ),
        pytest.param({"kind": "Forge"}, Publisher(kind="other"), False, id="unknown kind"),
    ],
)
def test_admits_a_publisher_known_only_from_its_certificate(
    pinned: IdentityRecord, publisher: Publisher, expected: bool
) -> None:
    assert publisher.record is None
    assert admits(pinned, publisher) is expected


def test_admits_the_publishers_of_real_attestations() -> None:
    """The records real provenance objects name, verified: each pin of a verified
    publisher's record admits it, and no other sample's does."""
    pytest.importorskip("pypi_attestations", reason="needs the 'provenance' extra")
    from pyward._provenance import verify_provenance

    publishers: list[Publisher] = []
    for provenance in sorted(SAMPLES.glob("*.provenance")):
        artifact = SAMPLES / provenance.name.removesuffix(".provenance")
        digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
        result = verify_provenance(artifact.name, digest, provenance.read_bytes())
        assert result.verified, result.reason
        assert result.publisher is not None
        assert result.publisher.record is not None
        publishers.append(result.publisher)
    assert {p.kind for p in publishers} == {"github", "google", "circleci"}
    for publisher in publishers:
        for other in publishers:
            assert other.record is not None
            assert admits(other.record, publisher) is (other is publisher)


# -- pylock.toml ---------------------------------------------------------------------------


def copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "pylock.toml"
    shutil.copyfile(source, target)
    return target


def identity_for(name: str) -> IdentityRecord:
    """A made-up publisher for project ``name`` (some with an environment, one with a
    value that needs escaping)."""
    if name.startswith("c"):
        return {"kind": "Google", "email": f"{name}@example.invalid"}
    record = {"kind": "GitHub", "repository": f"example/{name}", "workflow": "release.yml"}
    if len(name) % 2:
        record["environment"] = 'pypi "release"\\'
    return record


def inserted(before: str, after: str) -> list[str]:
    """The runs of lines ``after`` adds to ``before``; fails if anything else changed.
    Lines keep their ends, so equal lines are equal bytes: ``after`` with the runs taken
    out is ``before``, byte for byte."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    chunks: list[str] = []
    kept: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            chunks.append("".join(new[j1:j2]))
        else:
            assert tag == "equal", (tag, old[i1:i2], new[j1:j2])
            kept.append("".join(new[j1:j2]))
    assert "".join(kept) == before
    return chunks


def without_locations(inventory: Inventory) -> list[Any]:
    import dataclasses

    return [dataclasses.replace(c, location=None) for c in inventory.components]


def validate_pep751(text: str) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Parse ``text`` with tomllib and rtoml (equal) and validate it with ``packaging``'s
    PEP 751 model; each package's name and attestation identities."""
    from packaging.pylock import Pylock

    data = stdlib_loads(text)
    assert rtoml.loads(text) == data
    lock = Pylock.from_dict(data)
    return [(str(p.name), list(p.attestation_identities or [])) for p in lock.packages]


@pytest.mark.parametrize("source", [*PYLOCKS, PEP751], ids=lambda p: p.parent.name)
def test_pins_round_trip_in_a_real_pylock(tmp_path: Path, source: Path) -> None:
    path = copy(source, tmp_path)
    before = path.read_text(encoding="utf-8")
    inventory = read_pylock(path)
    names = sorted({c.name for c in inventory.components})
    already = read_pins(inventory).identities
    pins = {name: (identity_for(name),) for name in names}

    result = write_pins(inventory, pins)

    assert result == PinWrite(
        path=str(path),
        added=tuple(n for n in names if n not in already),
        # The PEP's own attrs entry names another publisher than the made-up one.
        changed=tuple(n for n in names if n in already),
    )
    after = path.read_text(encoding="utf-8")
    chunks = inserted(before, after)
    assert len(chunks) == len(result.added)
    for chunk in chunks:
        assert set(stdlib_loads(chunk)) == {"packages"}
        assert chunk.strip().startswith("[[packages.attestation-identities]]\n")
    # Still a valid PEP 751 lock, read the same by pyward, with the pins in it.
    again = read_pylock(path)
    assert without_locations(again) == without_locations(inventory)
    assert again.requires_python == inventory.requires_python
    for name, identities in validate_pep751(after):
        expected = already.get(name) or pins.get(name) or ()  # the project itself: none
        assert [dict(i) for i in identities] == [dict(r) for r in expected]
    assert read_pins(again) == Pins(
        path=str(path), identities={n: already.get(n) or pins[n] for n in names}
    )

    # Pinned now: the same publishers are kept, other ones are changes; nothing written.
    assert write_pins(again, pins).kept == result.added
    moved = {n: (edit(identity_for(n), kind="GitHub", repository=f"moved/{n}"),) for n in names}
    assert write_pins(again, moved).changed == tuple(names)
    assert path.read_text(encoding="utf-8") == after


@pytest.mark.parametrize("source", [*PYLOCKS, PEP751], ids=lambda p: p.parent.name)
def test_repin_replaces_the_tables_in_place(tmp_path: Path, source: Path) -> None:
    path = copy(source, tmp_path)
    inventory = read_pylock(path)
    names = sorted({c.name for c in inventory.components})
    write_pins(inventory, {n: (identity_for(n),) for n in names})
    before = path.read_text(encoding="utf-8")
    target = names[len(names) // 2]
    new = {"kind": "GitHub", "repository": f"moved/{target}", "workflow": "publish.yml"}

    result = write_pins(read_pylock(path), {target: (new,)}, replace={target.upper()})

    assert result == PinWrite(path=str(path), replaced=(target,))
    old_table = _pins._table("packages.attestation-identities", identity_for(target), "", "\n")
    new_table = _pins._table("packages.attestation-identities", new, "", "\n")
    blocks = sum(1 for c in inventory.components if c.name == target)
    assert before.count(old_table) == blocks
    after = path.read_text(encoding="utf-8")
    assert after == before.replace(old_table, new_table)
    assert read_pins(read_pylock(path)).identities[target] == (new,)
    validate_pep751(after)


def test_an_entry_written_by_another_tool_is_honoured_and_untouched(tmp_path: Path) -> None:
    """PEP 751's example: attrs is pinned by mousebender (literal strings, sorted keys)."""
    path = copy(PEP751, tmp_path)
    before = path.read_text(encoding="utf-8")
    inventory = read_pylock(path)
    assert read_pins(inventory) == Pins(path=str(path), identities={"attrs": (GITHUB,)})

    kept = write_pins(inventory, {"attrs": (GITHUB,)})
    changed = write_pins(inventory, {"attrs": (edit(GITHUB, repository="evil/attrs"),)})
    older = write_pins(inventory, {"attrs": (edit(GITHUB, environment=None),)})

    assert kept == PinWrite(path=str(path), kept=("attrs",))
    assert changed == PinWrite(path=str(path), changed=("attrs",))
    # The pin sets an environment the publisher no longer has: a change too.
    assert older == PinWrite(path=str(path), changed=("attrs",))
    assert path.read_bytes() == PEP751.read_bytes()

    added = write_pins(inventory, {"attrs": (GITHUB,), "numpy": (identity_for("numpy"),)})
    assert added == PinWrite(path=str(path), added=("numpy",), kept=("attrs",))
    # numpy's table goes after its wheels and before [tool.mousebender].
    assert path.read_text(encoding="utf-8") == before.replace(
        "]\n\n[tool.mousebender]",
        "]\n"
        "\n"
        "[[packages.attestation-identities]]\n"
        'kind = "GitHub"\n'
        'repository = "example/numpy"\n'
        'workflow = "release.yml"\n'
        'environment = "pypi \\"release\\"\\\\"\n'
        "\n"
        "[tool.mousebender]",
    )


def test_an_inline_entry_is_honoured_and_replaced_by_tables(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    text = (
        'lock-version = "1.0"\n'
        'created-by = "hand"\n'
        "\n"
        "[[packages]]\n"
        'name = "attrs"\n'
        "attestation-identities = [{ kind = 'GitHub', repository = 'python-attrs/attrs' }]"
        "  # pinned by hand\n"
        'version = "25.1.0"\n'
        "wheels = [{ url = 'https://files.example.invalid/attrs-25.1.0-py3-none-any.whl', "
        "hashes = { sha256 = "
        f"'{'0' * 64}' }} }}]\n"
    )
    path.write_text(text, encoding="utf-8")
    inventory = read_pylock(path)
    hand = {"kind": "GitHub", "repository": "python-attrs/attrs"}
    assert read_pins(inventory).identities == {"attrs": (hand,)}
    assert write_pins(inventory, {"attrs": (GITHUB,)}).kept == ("attrs",)
    assert path.read_text(encoding="utf-8") == text

    assert write_pins(inventory, {"attrs": (GITHUB,)}, replace={"attrs"}).replaced == ("attrs",)

    after = path.read_text(encoding="utf-8")
    assert "pinned by hand" not in after
    assert after == text.replace(text.splitlines(keepends=True)[5], "") + (
        "\n[[packages.attestation-identities]]\n"
        'kind = "GitHub"\n'
        'repository = "python-attrs/attrs"\n'
        'workflow = "pypi-package.yml"\n'
        'environment = "release-pypi"\n'
    )
    assert read_pylock(path).components[0].version == "25.1.0"
    assert validate_pep751(after) == [("attrs", [GITHUB])]


def test_an_empty_array_pins_nothing_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    text = PEP751.read_text(encoding="utf-8").replace(
        "requires-python = '>=3.10'\n", "requires-python = '>=3.10'\nattestation-identities = []\n"
    )
    path.write_text(text, encoding="utf-8")
    assert read_pins(read_pylock(path)).identities == {"attrs": (GITHUB,)}

    assert write_pins(read_pylock(path), {"numpy": (GOOGLE,)}).added == ("numpy",)

    after = path.read_text(encoding="utf-8")
    assert "attestation-identities = []" not in after
    assert [i for _, i in validate_pep751(after)] == [[GITHUB], [], [GOOGLE]]


def test_the_layout_of_the_lock_is_followed(tmp_path: Path) -> None:
    """Indented tables, CRLF line ends, blanks inside the header's brackets and no end
    of line at the end of the file: the new tables follow the lock's layout."""
    lines = PEP751.read_text(encoding="utf-8").splitlines()
    text = "\r\n".join(("  " + line if line else line) for line in lines)
    text = text.replace("[[packages]]", "[[ packages ]]")
    text = text[: text.index("\r\n  [tool.mousebender]")]  # numpy's wheels end the file
    path = tmp_path / "pylock.toml"
    path.write_bytes(text.encode("utf-8"))
    inventory = read_pylock(path)

    result = write_pins(inventory, {"cattrs": (GOOGLE,), "numpy": (GITLAB,)})

    assert result.added == ("cattrs", "numpy")
    after = path.read_bytes().decode("utf-8")
    # The lock had no end of line at its end; the new tables start with one.
    assert len(inserted(text + "\r\n", after)) == 2
    assert after.startswith(text[: text.index("]\r\n\r\n  [[ packages ]]\r\n  name = 'numpy'")])
    assert after.endswith(
        "]\r\n"
        "\r\n"
        "  [[packages.attestation-identities]]\r\n"
        '  kind = "GitLab"\r\n'
        '  repository = "facutuesca/gitlab-oidc-project"\r\n'
        '  workflow_filepath = ".gitlab-ci.yml"\r\n'
    )
    assert "\n" not in after.replace("\r\n", "")
    assert [i for _, i in validate_pep751(after)] == [[GITHUB], [GOOGLE], [GITLAB]]


def test_packages_of_one_name_share_their_pins(tmp_path: Path) -> None:
    wheel = (
        "wheels = [{{ url = 'https://files.example.invalid/foo-{v}-py3-none-any.whl', "
        "hashes = {{ sha256 = '{h}' }} }}]\n"
    )
    text = 'lock-version = "1.0"\ncreated-by = "hand"\n'
    for version, marker in (
        ("1.0", "python_version < '3.12'"),
        ("2.0", "python_version >= '3.12'"),
    ):
        text += (
            f'\n[[packages]]\nname = "foo"\nversion = "{version}"\nmarker = "{marker}"\n'
            + wheel.format(v=version, h="0" * 64)
        )
    path = tmp_path / "pylock.toml"
    path.write_text(text, encoding="utf-8")

    assert write_pins(read_pylock(path), {"foo": (GITHUB,)}).added == ("foo",)
    after = path.read_text(encoding="utf-8")
    assert [i for _, i in validate_pep751(after)] == [[GITHUB], [GITHUB]]
    assert read_pins(read_pylock(path)).identities == {"foo": (GITHUB,)}

    # Pinned in one of them only (by another tool): the project is pinned.
    path.write_text(
        text + "\n[[packages.attestation-identities]]\nkind = 'GitHub'\n", encoding="utf-8"
    )
    assert read_pins(read_pylock(path)).identities == {"foo": ({"kind": "GitHub"},)}
    assert write_pins(read_pylock(path), {"foo": (GITHUB,)}).kept == ("foo",)
    assert write_pins(read_pylock(path), {"foo": (GITLAB,)}).changed == ("foo",)


def test_inline_packages_pin_to_the_side_file(tmp_path: Path) -> None:
    wheel = (
        "wheels = [{{ url = 'https://files.example.invalid/{n}-1.0-py3-none-any.whl', "
        "hashes = {{ sha256 = '{h}' }} }}]"
    )
    text = (
        'lock-version = "1.0"\ncreated-by = "hand"\npackages = [\n'
        f"  {{ name = 'attrs', version = '1.0', {wheel.format(n='attrs', h='0' * 64)},"
        " attestation-identities = [{ kind = 'GitHub', repository = 'python-attrs/attrs' }] },\n"
        f"  {{ name = 'cattrs', version = '1.0', {wheel.format(n='cattrs', h='1' * 64)} }},\n"
        "]\n"
    )
    path = tmp_path / "pylock.toml"
    path.write_text(text, encoding="utf-8")
    inventory = read_pylock(path)
    side = tmp_path / SIDE_FILE

    result = write_pins(inventory, {"attrs": (GITHUB,), "cattrs": (GOOGLE,)})

    assert result == PinWrite(
        path=str(side),
        added=("cattrs",),
        kept=("attrs",),
        note=(
            f"{path} writes its packages as one inline array, which pyward does not edit: "
            f"pins written to {side}"
        ),
    )
    assert path.read_text(encoding="utf-8") == text
    assert read_pins(inventory) == Pins(
        path=str(side),
        identities={
            "attrs": ({"kind": "GitHub", "repository": "python-attrs/attrs"},),
            "cattrs": (GOOGLE,),
        },
    )
    with pytest.raises(UsageError) as caught:
        write_pins(inventory, {"attrs": (GITLAB,)}, replace={"attrs"})
    assert str(caught.value) == (
        f"{path}: the pins of attrs are written in the lock itself, whose packages are one "
        "inline array pyward does not edit; change them there"
    )


def test_a_header_inside_a_string_does_not_hide_inline_packages(tmp_path: Path) -> None:
    """A ``[[packages]]`` line inside a multi-line string looks like a header; the walk
    of the document finds the packages inline all the same."""
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\n'
        'created-by = """\n[[packages]]\n"""\n'
        "packages = [{ name = 'attrs', version = '1.0', wheels = [{ url = "
        f"'https://files.example.invalid/attrs-1.0-py3-none-any.whl', hashes = {{ sha256 = "
        f"'{'0' * 64}' }} }}] }}]\n",
        encoding="utf-8",
    )
    result = write_pins(read_pylock(path), {"attrs": (GITHUB,)})
    assert result.path == str(tmp_path / SIDE_FILE)
    assert result.added == ("attrs",)
    assert (tmp_path / SIDE_FILE).read_text(encoding="utf-8") == SIDE_ATTRS


def test_projects_not_in_the_lock_are_named(tmp_path: Path) -> None:
    path = copy(PEP751, tmp_path)
    result = write_pins(read_pylock(path), {"cattrs": (GOOGLE,), "Not-There": (GOOGLE,)})
    assert result == PinWrite(
        path=str(path), added=("cattrs",), note=f"not in {path}, not pinned: not-there"
    )


def test_an_edit_that_would_change_other_values_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edited text is parsed again and held to what was meant before it replaces
    the lock."""
    path = copy(PEP751, tmp_path)
    real = _pins._edited

    def off_by_one(*args: Any) -> str:
        return real(*args).replace("version = '2.2.3'", "version = '2.2.4'")

    monkeypatch.setattr(_pins, "_edited", off_by_one)
    with pytest.raises(InputError) as caught:
        write_pins(read_pylock(path), {"numpy": (GOOGLE,)})
    assert str(caught.value) == (
        f"{path}: cannot add attestation-identities to this file's layout without changing "
        "other values; nothing was written (please report this)"
    )
    assert path.read_bytes() == PEP751.read_bytes()


# -- the side file ---------------------------------------------------------------------------

SIDE_ATTRS = (
    "# Publisher identities pinned by `pyward provenance --pin` (docs/provenance.md#pins).\n"
    "version = 1\n"
    "\n"
    "[[packages]]\n"
    'name = "attrs"\n'
    "\n"
    "[[packages.attestation-identities]]\n"
    'kind = "GitHub"\n'
    'repository = "python-attrs/attrs"\n'
    'workflow = "pypi-package.yml"\n'
    'environment = "release-pypi"\n'
)


def test_side_file_round_trip_beside_a_uv_lock(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    shutil.copyfile(CORPUS / "uv" / "flask" / "uv.lock", lock)
    inventory = read_inventory(str(lock))
    side = tmp_path / SIDE_FILE
    assert read_pins(inventory) == Pins(path=str(side))
    names = sorted(c.name for c in inventory.components if c.name > "attrs")[:3]
    pins = {n: (identity_for(n),) for n in names}

    result = write_pins(inventory, {"attrs": (GITHUB,), **pins})

    assert result == PinWrite(path=str(side), added=tuple(sorted(["attrs", *names])))
    text = side.read_text(encoding="utf-8")
    assert text.startswith(SIDE_ATTRS)  # sorted by name: attrs first
    assert read_pins(inventory) == Pins(path=str(side), identities={"attrs": (GITHUB,), **pins})
    assert lock.read_bytes() == (CORPUS / "uv" / "flask" / "uv.lock").read_bytes()

    # Pinned: kept or changed, and the file stays as it is.
    assert write_pins(inventory, pins).kept == tuple(names)
    assert write_pins(inventory, {"attrs": (GITLAB,)}).changed == ("attrs",)
    assert side.read_text(encoding="utf-8") == text

    # Re-pinned: attrs' identity replaced, every other project's pins kept.
    assert write_pins(inventory, {"attrs": (GITLAB,)}, replace=["attrs"]).replaced == ("attrs",)
    assert read_pins(inventory).identities == {"attrs": (GITLAB,), **pins}


def test_the_side_file_keeps_other_projects_and_is_stable(tmp_path: Path) -> None:
    side = tmp_path / SIDE_FILE
    side.write_text(
        "version = 1\n"
        "# by hand\n"
        "[[packages]]\n"
        "name = 'Zope.Interface'\n"
        "[[packages.attestation-identities]]\n"
        "kind = 'GitHub'\n"
        "vcs_ref = 'x'\n"
        "repository = 'zopefoundation/zope.interface'\n",
        encoding="utf-8",
    )
    inventory = Inventory(source=str(tmp_path / "requirements.txt"), format="requirements")
    write_pins(inventory, {"attrs": (GITHUB,)})
    assert side.read_text(encoding="utf-8") == SIDE_ATTRS + (
        "\n"
        "[[packages]]\n"
        'name = "zope-interface"\n'
        "\n"
        "[[packages.attestation-identities]]\n"
        'kind = "GitHub"\n'
        'repository = "zopefoundation/zope.interface"\n'
        'vcs_ref = "x"\n'
    )
    # The same pins give the same bytes, whatever the order they come in.
    first = side.read_bytes()
    side.unlink()
    write_pins(
        inventory,
        {
            "zope-interface": (
                {
                    "repository": "zopefoundation/zope.interface",
                    "vcs_ref": "x",
                    "kind": "GitHub",
                },
            ),
            "attrs": (dict(reversed(list(GITHUB.items()))),),
        },
    )
    assert side.read_bytes() == first


def test_an_environment_keeps_its_pins_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inventory = Inventory(source=str(tmp_path / "venv"), format="environment")
    assert read_pins(inventory) == Pins(path=SIDE_FILE)
    assert write_pins(inventory, {"attrs": (GITHUB,)}).path == SIDE_FILE
    assert (tmp_path / SIDE_FILE).read_text(encoding="utf-8") == SIDE_ATTRS


@pytest.mark.parametrize("source", ["-", "fifo"])
def test_standard_input_has_no_pins(tmp_path: Path, source: str) -> None:
    if source == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        source = str(tmp_path / "requirements.txt")
        os.mkfifo(source)
    inventory = Inventory(source=source, format="requirements")
    assert read_pins(inventory) == Pins(path="")
    with pytest.raises(UsageError) as caught:
        write_pins(inventory, {"attrs": (GITHUB,)})
    assert str(caught.value) == (
        f"{source}: an input read from standard input or a pipe has no place for pins; "
        "give the lock file's path to pin its publishers"
    )
    assert not (tmp_path / SIDE_FILE).exists()


# -- malformed pins ------------------------------------------------------------------------

SIDE_ERRORS = [
    ("version = 2\n", "version: unsupported version 2 (this pyward reads version 1)"),
    ("[[packages]]\nname = 'a'\n", "version: missing"),
    ("version = '1'\n", "version: expected an integer, found a string"),
    ("version = 1\n[[packages]]\nversion = '1'\n", "packages[0].name: missing"),
    ("version = 1\npackages = 'attrs'\n", "packages: expected an array, found a string"),
    (
        "version = 1\n[[packages]]\nname = 'a'\n[[packages]]\nname = 'b'\n"
        "[[packages.attestation-identities]]\nkind = 'GitHub'\n"
        "[[packages.attestation-identities]]\nrepository = 'a/b'\n",
        "packages[1].attestation-identities[1].kind: missing",
    ),
    (
        "version = 1\n[[packages]]\nname = 'a'\n"
        "[[packages.attestation-identities]]\nkind = 'GitHub'\nrepository = 3\n",
        "packages[0].attestation-identities[0].repository: expected a string, found a number",
    ),
    (
        "version = 1\n[[packages]]\nname = 'a'\nattestation-identities = ['GitHub']\n",
        "packages[0].attestation-identities[0]: expected a table, found a string",
    ),
    ("version = 1\n[[packages]\n", "line 2: invalid TOML"),
]


@pytest.mark.parametrize(("text", "message"), SIDE_ERRORS, ids=[m for _, m in SIDE_ERRORS])
def test_a_malformed_side_file_is_one_line_naming_the_key_path(
    tmp_path: Path, text: str, message: str
) -> None:
    side = tmp_path / SIDE_FILE
    side.write_text(text, encoding="utf-8")
    inventory = Inventory(source=str(tmp_path / "uv.lock"), format="uv.lock")
    for action in (
        lambda: read_pins(inventory),
        lambda: write_pins(inventory, {"attrs": (GITHUB,)}),
    ):
        with pytest.raises(InputError) as caught:
            action()
        assert str(caught.value).startswith(f"{side}: {message}")
        assert "\n" not in str(caught.value)
    assert side.read_text(encoding="utf-8") == text


PYLOCK_ERRORS = [
    ("kind = 'GitHub'\n", "", "packages[0].attestation-identities[0].kind: missing"),
    ("kind = 'GitHub'\n", "kind = ''\n", "packages[0].attestation-identities[0].kind: empty"),
    (
        "repository = 'python-attrs/attrs'\n",
        "repository = 1\n",
        "packages[0].attestation-identities[0].repository: expected a string, found a number",
    ),
    (
        "environment = 'release-pypi'\n",
        "environment = ['release-pypi']\n",
        "packages[0].attestation-identities[0].environment: expected a string, found an array",
    ),
    (
        "wheels = [\n  {name = 'numpy",
        "attestation-identities = 'GitHub'\nwheels = [\n  {name = 'numpy",
        "packages[2].attestation-identities: expected an array, found a string",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "message"), PYLOCK_ERRORS, ids=[m for _, _, m in PYLOCK_ERRORS]
)
def test_malformed_pins_in_a_pylock_are_one_line_naming_the_key_path(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = tmp_path / "pylock.toml"
    text = PEP751.read_text(encoding="utf-8").replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    inventory = Inventory(source=str(path), format="pylock.toml")
    for action in (
        lambda: read_pins(inventory),
        lambda: write_pins(inventory, {"cattrs": (GITHUB,)}),
    ):
        with pytest.raises(InputError) as caught:
            action()
        assert str(caught.value) == f"{path}: {message}"
    assert path.read_text(encoding="utf-8") == text


# -- TOML text ---------------------------------------------------------------------------


@settings(deadline=None)
@given(st.text())
def test_quote_round_trips_through_both_parsers(value: str) -> None:
    document = f"v = {quote(value)}\n"
    assert stdlib_loads(document) == {"v": value}
    assert rtoml.loads(document) == {"v": value}
    assert "\n" not in quote(value)


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("plain", '"plain"'),
        ('a"b', '"a\\"b"'),
        ("back\\slash", '"back\\\\slash"'),
        ("tab\tnew\nline\r", '"tab\\tnew\\nline\\r"'),
        ("\x00\x1f\x7f", '"\\u0000\\u001F\\u007F"'),
        ("ünïcödé ✓", '"ünïcödé ✓"'),
    ],
)
def test_quote(value: str, quoted: str) -> None:
    assert quote(value) == quoted


identity_records = st.dictionaries(
    st.text(min_size=1).filter(lambda k: k != "kind"), st.text(), max_size=4
).map(lambda d: {"kind": "GitHub", **d})


# Each example writes and reads a file: no deadline on a loaded machine.
@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9]{0,3}(-[a-z0-9]{1,3})?", fullmatch=True), identity_records
    )
)
def test_any_pins_round_trip_through_the_side_file(pins: dict[str, dict[str, str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        inventory = Inventory(source=str(Path(tmp) / "uv.lock"), format="uv.lock")
        write_pins(inventory, {name: (record,) for name, record in pins.items()})
        found = read_pins(inventory).identities
    assert found == {name: (record,) for name, record in pins.items()}


@pytest.mark.parametrize("source", [*PYLOCKS, PEP751], ids=lambda p: p.parent.name)
def test_spans_cut_each_item_out_of_real_locks(source: Path) -> None:
    """Every top-level ``key = value`` span parses on its own to the value the whole
    document has at its path; header spans are the headers."""
    text = source.read_text(encoding="utf-8")
    data = stdlib_loads(text)
    found = spans(text)
    assert found == sorted(found, key=lambda s: s.start)
    for span in found:
        piece = text[span.start : span.end]
        if span.header:
            assert piece.startswith("[")
            assert piece.endswith("]")
            continue
        value: Any = data
        for key in span.path:
            value = value[key]
        parsed: Any = stdlib_loads(piece)
        while isinstance(parsed, dict) and len(parsed) == 1 and span.path[-1] not in parsed:
            parsed = next(iter(parsed.values()))
        assert parsed[span.path[-1]] == value


def test_spans_of_nested_tables() -> None:
    text = "a = 1  # one\n[[p]]\nn = '''\n[[p]]\n'''\n[p.t]\nx.y = 2\n[[p]]\n[[p.w]]\n"
    assert [(s.path, s.header, text[s.start : s.end]) for s in spans(text)] == [
        (("a",), False, "a = 1"),
        (("p", 0), True, "[[p]]"),
        (("p", 0, "n"), False, "n = '''\n[[p]]\n'''"),
        (("p", 0, "t"), True, "[p.t]"),
        (("p", 0, "t", "x", "y"), False, "x.y = 2"),
        (("p", 1), True, "[[p]]"),
        (("p", 1, "w", 0), True, "[[p.w]]"),
    ]
    assert all(isinstance(s, Span) for s in spans(text))


def test_pins_need_neither_the_extra_nor_a_toml_writer() -> None:
    """Reading and writing pins is core: it loads no Sigstore, no pypi-attestations and
    no TOML writer."""
    import subprocess

    code = (
        "import sys\n"
        "from pyward._model import Inventory\n"
        "from pyward._provenance._pins import read_pins, write_pins\n"
        "import tempfile, pathlib\n"
        "with tempfile.TemporaryDirectory() as tmp:\n"
        "    inv = Inventory(source=str(pathlib.Path(tmp) / 'uv.lock'), format='uv.lock')\n"
        "    write_pins(inv, {'attrs': ({'kind': 'GitHub', 'repository': 'a/b'},)})\n"
        "    assert read_pins(inv).identities\n"
        "heavy = ('sigstore', 'pypi_attestations', 'cryptography', 'tomli_w', 'tomlkit')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_record_without_a_kind_is_a_caller_error(tmp_path: Path) -> None:
    inventory = Inventory(source=str(tmp_path / "uv.lock"), format="uv.lock")
    with pytest.raises(ValueError, match="a publisher record without a kind"):
        write_pins(inventory, {"attrs": ({"repository": "python-attrs/attrs"},)})
    assert not (tmp_path / SIDE_FILE).exists()
