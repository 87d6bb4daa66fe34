"""The fix plan of a malicious release: remove it (or move to a release its records do
not name), never an upgrade as for a vulnerability; ``--fix --apply`` never applies it."""

from __future__ import annotations

from pathlib import Path

from pyward._audit import audit
from pyward._audit._fix import Releases, apply, plan
from pyward._findings import FixStep
from pyward._model import Component, Inventory, Location
from pyward._render._common import fix_step_text, fix_target
from tests.malicious._records import num2words_aliases, real, real_store

RELEASES = ("0.5.13", "0.5.14", "0.5.15", "0.5.16", "0.5.17")


def _inventory(path: Path, *pins: tuple[str, str]) -> Inventory:
    path.write_text("".join(f"{n}=={v}\n" for n, v in pins))
    return Inventory(
        source=str(path),
        format="requirements",
        components=tuple(
            Component(
                name=n,
                version=v,
                purl=f"pkg:pypi/{n}@{v}",
                direct=True,
                location=Location(file=str(path), line=i),
            )
            for i, (n, v) in enumerate(pins, start=1)
        ),
    )


def _step(steps: tuple[FixStep, ...], name: str) -> FixStep:
    (step,) = [s for s in steps if s.component.name == name]
    return step


def test_a_malicious_release_is_removed_not_upgraded(tmp_path: Path) -> None:
    inv = _inventory(tmp_path / "requirements.txt", ("num2words", "0.5.15"), ("0requests", "0.0.1"))
    report = audit([inv], real_store())
    assert [s.action for s in report.fix_plan] == ["remove", "remove"]
    step = _step(report.fix_plan, "num2words")
    # Offline (no index asked): no release to move to is known.
    assert (step.target, step.fixes, step.unfixed) == (None, ("MAL-2025-6794",), ())
    assert fix_step_text(step) == "remove num2words==0.5.15: malicious (MAL-2025-6794)"
    assert all(fix_target(f, {(step.component.key, step.component.location): step}) is None
               for f in report.findings)  # fmt: skip


def test_with_the_index_releases_the_step_names_a_release_the_records_do_not(
    tmp_path: Path,
) -> None:
    inv = _inventory(tmp_path / "requirements.txt", ("num2words", "0.5.15"))
    report = audit([inv], real_store(), plan_fixes=False)
    store = real_store()
    above = plan(report.findings, store, releases={"num2words": Releases(versions=RELEASES)})
    # 0.5.16 is named too: the nearest release above that is not.
    assert [(s.action, s.target) for s in above] == [("remove", "0.5.17")]
    assert fix_step_text(above[0]) == (
        "remove num2words==0.5.15: malicious (MAL-2025-6794); or move to 0.5.17, a release "
        "its records do not name"
    )
    below = plan(report.findings, store, releases={"num2words": Releases(versions=RELEASES[:4])})
    assert [s.target for s in below] == ["0.5.14"]
    unknown = plan(
        report.findings, store, releases={"num2words": Releases(versions=None, reason="offline")}
    )
    assert [(s.target, s.unchecked) for s in unknown] == [(None, "offline")]


def test_a_project_whose_every_release_is_named_has_nowhere_to_move(tmp_path: Path) -> None:
    data = real("MAL-2024-10238")
    del data["affected"][0]["versions"]
    data["affected"][0]["ranges"] = [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]
    from pyward._advisory import AdvisoryStore

    store = AdvisoryStore.from_records([data])
    inv = _inventory(tmp_path / "requirements.txt", ("123bla", "0.0.1"))
    report = audit([inv], store, plan_fixes=False)
    (step,) = plan(report.findings, store, releases={"123bla": Releases(versions=("0.0.2",))})
    assert (step.action, step.target) == ("remove", None)


def test_the_vulnerabilities_of_a_malicious_release_are_not_upgraded_apart(
    tmp_path: Path,
) -> None:
    # A made-up vulnerability of num2words, fixed in 0.5.18, beside the real MAL record
    # (0.5.15, 0.5.16): the component's one step is its removal, and the release to move
    # to avoids both records (0.5.17 is not malicious, but still vulnerable).
    vuln = {
        "id": "PYSEC-2099-1",
        "modified": "2025-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "num2words"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.5.18"}]}
                ],
            }
        ],
    }
    store = real_store(vuln)
    inv = _inventory(tmp_path / "requirements.txt", ("num2words", "0.5.15"))
    report = audit([inv], store, plan_fixes=False)
    assert [(f.kind, f.id) for f in report.findings] == [
        ("malicious", "MAL-2025-6794"),
        ("vulnerability", "PYSEC-2099-1"),
    ]
    releases = {"num2words": Releases(versions=(*RELEASES, "0.5.18"))}
    steps = plan(report.findings, store, releases=releases)
    assert [(s.action, s.target, s.fixes) for s in steps] == [
        ("remove", "0.5.18", ("MAL-2025-6794", "PYSEC-2099-1"))
    ]
    # When no release avoids both, one the malicious record does not name.
    steps = plan(report.findings, store, releases={"num2words": Releases(versions=RELEASES)})
    assert [s.target for s in steps] == ["0.5.17"]


def test_apply_never_rewrites_or_removes_a_malicious_pin(tmp_path: Path) -> None:
    inv = _inventory(tmp_path / "requirements.txt", ("num2words", "0.5.15"))
    before = (tmp_path / "requirements.txt").read_text()
    report = audit([inv], real_store(*num2words_aliases()), plan_fixes=False)
    steps = plan(report.findings, real_store(), releases={"num2words": Releases(versions=RELEASES)})
    applied = apply([inv], steps, write=True)
    assert applied.changed == ()
    assert applied.commands == ()
    assert applied.warnings == (
        "num2words 0.5.15 is malicious (MAL-2025-6794): remove it by hand (--fix --apply does not)",
    )
    assert (tmp_path / "requirements.txt").read_text() == before
