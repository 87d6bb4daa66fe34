"""Fix plan (smallest upgrade fixing every finding) and --apply on real files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from pyward._advisory import AdvisoryStore
from pyward._audit import audit
from pyward._audit._fix import apply, commands_for, plan, rewrite_requirements
from pyward._findings import FixStep
from pyward._inventory import _requirements, _uvlock
from pyward._model import Component, Inventory
from tests.audit._data import record
from tests.conftest import CORPUS

WAREHOUSE = CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt"
LITESTAR = CORPUS / "uv" / "litestar-2024" / "uv.lock"
TODAY = dt.date(2024, 11, 1)


def _inv(name: str, version: str) -> Inventory:
    return Inventory(
        source="r.txt", format="requirements", components=(Component(name=name, version=version),)
    )


def _steps(
    data: AdvisoryStore, name: str, version: str
) -> list[tuple[str | None, tuple[str, ...], tuple[str, ...], bool]]:
    report = audit([_inv(name, version)], data, today=TODAY)
    return [(s.target, s.fixes, s.unfixed, s.same_major) for s in report.fix_plan]


def test_multi_branch_record_keeps_the_major_version() -> None:
    # Fixed in 2.3.8 (for 0-2.x) and in 3.0.1 (for 3.0.0).
    data = AdvisoryStore.from_records([record("werkzeug", "PYSEC-2023-221")])
    assert _steps(data, "werkzeug", "2.3.7") == [("2.3.8", ("PYSEC-2023-221",), (), True)]
    assert _steps(data, "werkzeug", "3.0.0") == [("3.0.1", ("PYSEC-2023-221",), (), True)]
    assert _steps(data, "werkzeug", "3.0.1") == []


def _last_affected(doc: dict[str, Any], version: str) -> dict[str, Any]:
    out = dict(doc)
    out["id"] = doc["id"] + "-LA"
    out["aliases"] = []
    affected = dict(doc["affected"][0])
    affected["ranges"] = [
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": version}]}
    ]
    affected.pop("versions", None)
    out["affected"] = [affected]
    return out


def test_last_affected_only_is_unfixed_unless_another_fix_covers_it() -> None:
    base = record("requests", "PYSEC-2023-74")  # introduced 2.3.0, fixed 2.31.0
    la = _last_affected(base, "2.30.0")
    alone = AdvisoryStore.from_records([la])
    assert _steps(alone, "requests", "2.28.1") == [(None, (), ("PYSEC-2023-74-LA",), True)]
    both = AdvisoryStore.from_records([base, la])
    # 2.31.0 (the other record's fix) is past last_affected 2.30.0: it fixes both.
    assert _steps(both, "requests", "2.28.1") == [
        ("2.31.0", ("PYSEC-2023-74", "PYSEC-2023-74-LA"), (), True)
    ]
    still = AdvisoryStore.from_records([base, _last_affected(base, "2.31.0")])
    assert _steps(still, "requests", "2.28.1") == [
        ("2.31.0", ("PYSEC-2023-74",), ("PYSEC-2023-74-LA",), True)
    ]


def test_apply_rewrites_real_hashed_requirements(tmp_path: Path) -> None:
    from tests.audit._data import store

    copy = tmp_path / "main.txt"
    shutil.copyfile(WAREHOUSE, copy)
    inv = _requirements.read(copy)
    report = audit([inv], store(), today=TODAY)
    applied = apply([inv], report.fix_plan)
    assert applied.changed == (
        f"{copy}:158: certifi 2022.12.7 -> 2023.7.22",
        f"{copy}:322: cryptography 38.0.4 -> 41.0.6",
        f"{copy}:725: idna 3.4 -> 3.7",
        f"{copy}:949: orjson 3.8.3 -> 3.9.15",
        f"{copy}:1139: pygments 2.13.0 -> 2.15.1",
        f"{copy}:1232: redis 4.4.0 -> 4.4.4",
        f"{copy}:1242: requests 2.28.1 -> 2.31.0",
        f"{copy}:1390: urllib3 1.26.13 -> 1.26.18",
        f"{copy}:1583: pip 22.3.1 -> 23.3",
    )
    assert applied.commands == ()
    assert applied.warnings[6] == (
        f"{copy}:1242: removed the --hash options of requests (they were for 2.28.1); "
        "regenerate hashes (e.g. pip-compile --generate-hashes) before installing with "
        "--require-hashes"
    )
    assert len(applied.warnings) == 9
    old = WAREHOUSE.read_text().splitlines()
    new = copy.read_text().splitlines()
    # requests: the pin line loses its continuation, the two hash lines go, "# via" stays.
    assert old[1241:1245] == [
        "requests==2.28.1 \\",
        "    --hash=sha256:7c5599b102feddaa661c826c56ab4fee28bfd17f5abca1ebbe3e7f19d7c97983 \\",
        "    --hash=sha256:8fefa2a1a1365bf5520aac41836fbee479da67864514bdb821f31ce07ce65349",
        "    # via",
    ]
    at = new.index("requests==2.31.0")
    assert new[at - 1 : at + 3] == [
        "    # via pyramid-mailer",
        "requests==2.31.0",
        "    # via",
        "    #   -r requirements/main.in",
    ]
    # Every other line is unchanged: only the 9 pins and their hash lines differ.
    removed = [line for line in old if line not in new]
    assert len(new) == len(old) - len(removed) + 9
    assert all(line.strip().startswith("--hash=") or "==" in line for line in removed)
    # The rewritten file reads back with the new versions and no hashes on them.
    again = {c.name: c for c in _requirements.read(copy).components}
    assert (again["requests"].version, again["requests"].hashes) == ("2.31.0", ())
    assert again["urllib3"].version == "1.26.18"
    assert again["alembic"].hashes == inv.components[0].hashes


def test_rewrite_keeps_extras_markers_comments_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(
        b"# pinned\r\n"
        b'Django[argon2] == 3.1.4 ; python_version >= "3.6" \\\r\n'
        b"    --hash=sha256:aa --hash=sha256:bb \\\r\n"
        b"    --config-settings=x=y\r\n"
        b"requests==2.28.1  # keep: see ticket 12\r\n"
        b"django-filter==3.1.4\r\n"
    )
    changed, warnings = rewrite_requirements(
        path,
        {
            "django": ("3.1.4", "3.1.14"),
            "requests": ("2.28.1", "2.31.0"),
            "pillow": ("8.0.1", "8.1.1"),
        },
    )
    assert path.read_bytes() == (
        b"# pinned\r\n"
        b'Django[argon2] == 3.1.14 ; python_version >= "3.6" \\\r\n'
        b"    --config-settings=x=y\r\n"
        b"requests==2.31.0  # keep: see ticket 12\r\n"
        b"django-filter==3.1.4\r\n"
    )
    assert changed == [f"{path}:2: Django 3.1.4 -> 3.1.14", f"{path}:5: requests 2.28.1 -> 2.31.0"]
    assert warnings == [
        f"{path}:2: removed the --hash options of Django (they were for 3.1.4); regenerate "
        "hashes (e.g. pip-compile --generate-hashes) before installing with --require-hashes",
        f"{path}: no 'pillow==8.0.1' pin found to upgrade to 8.1.1; edit it by hand",
    ]


def test_commands_for_lock_files_and_environments() -> None:
    inv = _uvlock.read(LITESTAR)
    jinja2 = next(c for c in inv.components if c.name == "jinja2")
    requests = next(c for c in inv.components if c.name == "requests")
    steps = [
        FixStep(component=jinja2, target="3.1.5", fixes=("GHSA-q2x7-8rv6-6q7h",)),
        FixStep(component=requests, target="2.32.4", fixes=("GHSA-9hjg-9r4m-mvj7",)),
        FixStep(component=requests, target=None, fixes=(), unfixed=("X",)),
    ]
    # One lock for every package: a joint resolution (issue 11 item 2).
    assert commands_for(inv, steps) == [
        "uv lock --upgrade-package 'jinja2==3.1.5' --upgrade-package 'requests==2.32.4'",
    ]
    poetry = Inventory(source="poetry.lock", format="poetry.lock", components=(jinja2, requests))
    assert commands_for(poetry, steps[:2]) == [
        "poetry add 'jinja2@^3.1.5'",
        "poetry update requests",
    ]
    pdm = Inventory(source="pdm.lock", format="pdm.lock", components=(jinja2, requests))
    assert commands_for(pdm, steps[:2]) == ["pdm add 'jinja2>=3.1.5'", "pdm update requests"]
    # An environment's own interpreter, one command for every package (issue 11 item 3).
    env = Inventory(source="/venv", format="environment", components=(jinja2, requests))
    assert commands_for(env, steps, python="/my venv/bin/python") == [
        "'/my venv/bin/python' -m pip install 'jinja2==3.1.5' 'requests==2.32.4'"
    ]
    assert commands_for(env, steps[:1]) == [
        "# /venv: run with that environment's interpreter",
        "python -m pip install 'jinja2==3.1.5'",
    ]
    # Every other reader's format, by its ``FORMAT``.
    assert [
        commands_for(Inventory(source=f"in/{fmt}", format=fmt, components=(jinja2,)), steps[:1])
        for fmt in ("Pipfile.lock", "pylock.toml", "cyclonedx", "spdx", "pyproject.toml")
    ] == [
        ["pipenv install 'jinja2>=3.1.5'"],
        ["# in/pylock.toml: re-lock with jinja2>=3.1.5 (e.g. pip lock / uv)"],
        ["# in/cyclonedx: rebuild what it describes with jinja2>=3.1.5"],
        ["# in/spdx: rebuild what it describes with jinja2>=3.1.5"],
        ["# in/pyproject.toml: upgrade jinja2 to 3.1.5"],
    ]
    applied = apply([inv], steps)
    assert applied.changed == ()
    assert applied.commands == (
        "uv lock --upgrade-package 'jinja2==3.1.5' --upgrade-package 'requests==2.32.4'",
    )


def test_plan_groups_findings_per_component() -> None:
    data = AdvisoryStore.from_records([record("werkzeug", "PYSEC-2023-221")])
    report = audit([_inv("werkzeug", "2.0.0")], data, today=TODAY)
    assert plan(report.findings, data) == report.fix_plan
    assert len(report.fix_plan) == 1
