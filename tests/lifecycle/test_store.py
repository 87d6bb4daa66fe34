"""The lifecycle store: the shipped snapshot is what the script builds from the real
data, the loader's fallbacks and errors, and release-line matching."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyward._report import DataSource
from pyward._sources.lifecycle import (
    Cycle,
    Product,
    cycle_for,
    data_source,
    load_lifecycle,
    parse_lifecycle,
    supported,
)
from pyward._sources.lifecycle._convert import dump, from_api, from_product_files, product_file
from pyward._sources.lifecycle._load import BUILTIN
from pyward.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "endoflife"
PRODUCTS = DATA / "products"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "lifecycle_snapshot", ROOT / "scripts" / "lifecycle_snapshot.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_snapshot_is_the_scripts_build_of_the_data(tmp_path: Path) -> None:
    script = _script()
    out = tmp_path / "snapshot.json"
    assert script.main([str(PRODUCTS), str(out)]) == 0
    assert out.read_bytes() == BUILTIN.read_bytes()
    doc = json.loads(out.read_bytes())
    assert doc["format"] == "1.0"
    assert doc["source"] == "endoflife.date a70eca3 (built-in snapshot)"
    assert doc["updated"] == "2026-08-22"
    # ansible-core, dbt-core and plone name no pkg:pypi identifier upstream.
    assert [p["name"] for p in doc["products"]] == [
        "ansible",
        "apache-airflow",
        "django",
        "numpy",
        "python",
        "wagtail",
    ]
    assert (BUILTIN.parent / "LICENSE").read_bytes() == (PRODUCTS / "LICENSE").read_bytes()


def test_the_api_fixture_is_the_scripts_build_of_the_data(tmp_path: Path) -> None:
    out = tmp_path / "api.json"
    assert _script().main(["--api", str(PRODUCTS), str(out)]) == 0
    assert out.read_bytes() == (DATA / "api-v1-products-full.json").read_bytes()


def test_the_api_shape_converts_to_the_same_products() -> None:
    api = json.loads((DATA / "api-v1-products-full.json").read_bytes())
    converted = from_api(api, source="https://eol.invalid/api", fetched=dt.date(2026, 12, 7))
    built = json.loads(BUILTIN.read_bytes())
    assert converted["products"] == built["products"]
    assert converted["updated"] == "2026-08-22"
    assert converted["source"] == "https://eol.invalid/api"


def test_the_built_in_snapshot_loads() -> None:
    lifecycle, notes = load_lifecycle(None)
    assert notes == []
    assert lifecycle.source == "endoflife.date a70eca3 (built-in snapshot)"
    assert lifecycle.updated == dt.date(2026, 8, 22)
    django = lifecycle.for_package("Django")
    assert django is not None
    assert django.label == "Django"
    assert django.cycles[0] == Cycle(
        name="6.1",
        release_date=dt.date(2026, 8, 5),
        eoas=dt.date(2027, 4, 30),
        eol=dt.date(2027, 12, 31),
        latest="6.1",
    )
    assert lifecycle.for_package("apache_airflow") is lifecycle.products["apache-airflow"]
    assert lifecycle.for_package("ansible-core") is None
    assert lifecycle.python is not None
    assert lifecycle.python.cycles[-1].name == "2.6"


def test_a_refreshed_copy_wins(tmp_path: Path) -> None:
    doc = json.loads(BUILTIN.read_bytes())
    doc["source"] = "https://eol.invalid/api"
    doc["updated"] = "2026-12-01"
    (tmp_path / "lifecycle.json").write_bytes(dump(doc))
    lifecycle, notes = load_lifecycle(tmp_path)
    assert (lifecycle.source, lifecycle.updated, notes) == (
        "https://eol.invalid/api",
        dt.date(2026, 12, 1),
        [],
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d.update(format="2.0"),
            "format: unsupported format '2.0' (this pyward reads 1.0)",
        ),
        (lambda d: d.pop("format"), "format: missing"),
        (
            lambda d: d["products"][2]["cycles"][3].update(eol="soon"),
            "products[2].cycles[3].eol: not a date (YYYY-MM-DD): 'soon'",
        ),
        (
            lambda d: d["products"][1].update(packages="apache-airflow"),
            "products[1].packages: expected an array, found a string",
        ),
        (
            lambda d: d["products"][0]["cycles"][0].pop("name"),
            "products[0].cycles[0].name: missing",
        ),
    ],
)
def test_a_bad_refreshed_copy_is_a_note_and_the_snapshot_is_used(
    tmp_path: Path, edit: object, message: str
) -> None:
    doc = json.loads(BUILTIN.read_bytes())
    edit(doc)  # type: ignore[operator]
    file = tmp_path / "lifecycle.json"
    file.write_text(json.dumps(doc))
    lifecycle, notes = load_lifecycle(tmp_path)
    assert notes == [f"{file}: {message}; using the built-in snapshot"]
    assert lifecycle.source == "endoflife.date a70eca3 (built-in snapshot)"


def test_a_truncated_copy_is_a_note(tmp_path: Path) -> None:
    file = tmp_path / "lifecycle.json"
    file.write_bytes(BUILTIN.read_bytes()[:100])
    lifecycle, notes = load_lifecycle(tmp_path)
    assert len(notes) == 1
    assert notes[0].startswith(f"{file}: not JSON (")
    assert notes[0].endswith("); using the built-in snapshot")
    assert lifecycle.updated == dt.date(2026, 8, 22)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_copy_is_a_note(tmp_path: Path) -> None:
    file = tmp_path / "lifecycle.json"
    file.write_bytes(BUILTIN.read_bytes())
    file.chmod(0)
    _, notes = load_lifecycle(tmp_path)
    assert notes == [f"{file}: cannot read: Permission denied; using the built-in snapshot"]


def test_a_newer_minor_format_is_read_with_a_note() -> None:
    doc = json.loads(BUILTIN.read_bytes())
    doc["format"] = "1.3"
    doc["new"] = True
    lifecycle, notes = parse_lifecycle(json.dumps(doc).encode(), "x.json")
    assert notes == ["x.json: format 1.3 is newer than 1.0; unknown keys are ignored"]
    assert lifecycle.python is not None


def test_a_bad_product_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "python.md"
    text = (PRODUCTS / "python.md").read_text()
    bad.write_text(text.replace("eol: 2024-10-07", "eol: later", 1))
    with pytest.raises(InputError) as err:
        product_file(bad)
    assert str(err.value) == (
        f"{bad}: releases[6].eol: expected a date or a boolean, found 'later'"
    )
    bad.write_text("no front matter\n")
    with pytest.raises(InputError, match="no YAML front matter"):
        product_file(bad)
    with pytest.raises(InputError) as err:
        from_product_files(tmp_path / "none", source="x", updated="2026-01-01")
    assert str(err.value) == f"{tmp_path / 'none'}: not a directory of endoflife.date product files"


# -- release lines ----------------------------------------------------------------------


def _product(*names: str) -> Product:
    return Product(name="p", packages=("p",), cycles=tuple(Cycle(name=n) for n in names))


@pytest.mark.parametrize(
    ("version", "line"),
    [
        ("4.2.11", "4.2"),
        ("4.2", "4.2"),
        ("4", "4.0"),
        ("4.0.0rc1", "4.0"),
        ("3.12.1", "3.12"),
        ("3.1.4", "3.1"),
        ("3.10", "3.10"),
        ("9.1.0", "9"),
        ("9", "9"),
        ("2.7.18", "2.7"),
        ("2.6", "2"),
        ("1!4.2", None),
        ("5.0", None),
        ("garbage", None),
    ],
)
def test_cycle_for(version: str, line: str | None) -> None:
    product = _product("4.2", "4.0", "3.12", "3.10", "3.1", "9", "2", "2.7")
    found = cycle_for(product, version)
    assert (found.name if found else None) == line


releases = st.lists(st.integers(0, 40), min_size=1, max_size=4).map(tuple)


@given(line=releases, rest=st.lists(st.integers(0, 40), max_size=3), other=releases)
def test_a_line_holds_exactly_the_versions_it_prefixes(
    line: tuple[int, ...], rest: list[int], other: tuple[int, ...]
) -> None:
    name = ".".join(map(str, line))
    product = _product(name)
    inside = ".".join(map(str, (*line, *rest)))
    assert cycle_for(product, inside) is product.cycles[0]
    padded = other + (0,) * (len(line) - len(other))
    if padded[: len(line)] != line:
        assert cycle_for(product, ".".join(map(str, other))) is None


@given(line=releases, extra=st.lists(st.integers(0, 40), min_size=1, max_size=2))
def test_the_longest_line_wins(line: tuple[int, ...], extra: list[int]) -> None:
    short, long = ".".join(map(str, line)), ".".join(map(str, (*line, *extra)))
    for order in ((short, long), (long, short)):
        found = cycle_for(_product(*order), long + ".7")
        assert found is not None
        assert found.name == long


def test_supported_lines_oldest_first() -> None:
    lifecycle, _ = load_lifecycle(None)
    django = lifecycle.for_package("django")
    assert django is not None
    on = dt.date(2026, 12, 7)
    assert [c.name for c in supported(django, on)] == ["5.2", "6.0", "6.1"]
    assert [c.name for c in supported(django, dt.date(2026, 4, 7))] == ["4.2", "5.2", "6.0"]


def test_the_footer_entry() -> None:
    lifecycle, _ = load_lifecycle(None)
    assert data_source(lifecycle, dt.date(2026, 12, 7)) == DataSource(
        name="lifecycle data",
        origin="endoflife.date a70eca3 (built-in snapshot)",
        updated=dt.datetime(2026, 8, 22, tzinfo=dt.timezone.utc),
        stale=False,
    )
    assert data_source(lifecycle, dt.date(2027, 8, 23)).stale is True
    assert data_source(lifecycle, dt.date(2027, 8, 22)).stale is False


def test_a_product_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "django.md"
    bad.write_text("---\ntitle: Django\nreleases: [\n  - oops: {\n---\n")
    with pytest.raises(InputError) as err:
        product_file(bad)
    assert str(err.value) == f"{bad}: line 4: not YAML: did not find expected node content"


@pytest.mark.parametrize(
    ("purl", "kept"),
    [
        ("pkg:pypi/Django", ["django"]),
        ("pkg:pypi/apache_airflow@2.10.0", ["apache-airflow"]),
        ("pkg:pypi/zope.interface?repository_url=x", ["zope-interface"]),
        ("pkg:npm/django", []),
        ("pkg:pypi/", []),
    ],
)
def test_pypi_identifiers(tmp_path: Path, purl: str, kept: list[str]) -> None:
    file = tmp_path / "thing.md"
    file.write_text(
        f'---\ntitle: Thing\nidentifiers:\n  - purl: {purl}\nreleases:\n  - releaseCycle: "1"\n'
        "    eol: 2020-01-01\n---\n\n# Thing\n"
    )
    product = product_file(file)
    if not kept:
        assert product is None
    else:
        assert product == {
            "name": "thing",
            "label": "Thing",
            "packages": kept,
            "cycles": [{"name": "1", "eol": "2020-01-01"}],
        }
