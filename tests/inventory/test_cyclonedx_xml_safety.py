"""The CycloneDX XML reader on hostile XML: why ``xml.etree`` is safe there (ruff S314)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._inventory import _cyclonedx
from pyward.errors import InputError

BOM = '<bom xmlns="http://cyclonedx.org/schema/bom/1.6">&{entity};</bom>\n'


def test_entity_expansion_is_bounded(tmp_path: Path) -> None:
    # "Billion laughs": ten levels of ten references; expat >= 2.4.1 refuses the
    # amplification instead of expanding 10**9 copies.
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    path = tmp_path / "bom.xml"
    path.write_text(f"<!DOCTYPE bom [{entities}]>\n" + BOM.format(entity="lol9"))
    with pytest.raises(InputError) as err:
        _cyclonedx.read(path)
    message, _, column = str(err.value).partition(", column ")
    assert message == (
        f"{path}: line 2: invalid XML: "
        "limit on input amplification factor (from DTD and entities) breached: line 2"
    )
    assert column.isdigit()


def test_external_entities_are_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    path = tmp_path / "bom.xml"
    path.write_text(
        f'<!DOCTYPE bom [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n' + BOM.format(entity="x")
    )
    with pytest.raises(InputError) as err:
        _cyclonedx.read(path)
    assert str(err.value) == f"{path}: line 2: invalid XML: undefined entity &x;: line 2, column 49"
