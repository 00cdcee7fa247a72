"""OFAC legacy CSV importer: real files and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearance.errors import InputError
from clearance.model import IdKind, NameKind
from clearance.sources.ofac_csv import build_entities, read_table
from conftest import LISTS

SDN_DIR = LISTS / "ofac_sdn"
CONS_DIR = LISTS / "ofac_cons/csv_2025-12"
ROW = '{ent},"{name}",{type},"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,{remarks}'


def _records(path: Path) -> int:
    """Records counted independently: lines that start with an ent_num."""
    return sum(1 for line in path.read_bytes().splitlines() if line[:1].isdigit())


def _write(path: Path, rows: list[str], marker: bool = True, newline: str = "\r\n") -> Path:
    data = newline.join(rows) + newline
    path.write_bytes(data.encode("ascii") + (b"\x1a" if marker else b""))
    return path


def _row(ent: int, name: str = "ACME", type_: str = "-0- ", remarks: str = "-0- ") -> str:
    return ROW.format(ent=ent, name=name, type=type_, remarks=remarks)


@pytest.mark.parametrize(
    "relative",
    ["sdn_2024-04-04/sdn.csv", "sdn_2024-05-01/sdn.csv", "sdn_2024-05-03/sdn.csv"],
)
def test_entity_count_equals_record_count(relative: str) -> None:
    path = SDN_DIR / relative
    table = read_table(path)
    entities, warnings = build_entities(table)
    assert table.complete and table.kind == "primary"
    assert len(entities) == _records(path)
    assert not warnings


def test_counts_of_the_known_files() -> None:
    assert _records(SDN_DIR / "sdn_2024-05-03/sdn.csv") == 14965
    entities, _ = build_entities(
        read_table(CONS_DIR / "cons_prim.csv"),
        [read_table(CONS_DIR / f"cons_{k}.csv") for k in ("add", "alt", "comments")],
    )
    assert len(entities) == _records(CONS_DIR / "cons_prim.csv") == 442
    assert all(e.dataset == "us_ofac_cons" and e.id.startswith("us_ofac_cons:") for e in entities)


@pytest.fixture(scope="module")
def sdn_with_supplements():  # type: ignore[no-untyped-def]
    return build_entities(
        read_table(SDN_DIR / "sdn_2024-05-03/sdn.csv"),
        [
            read_table(SDN_DIR / "addalt_2026/add.csv"),
            read_table(SDN_DIR / "addalt_2026/alt.csv"),
            read_table(SDN_DIR / "comments_2025-12/sdn_comments.csv"),
        ],
        [read_table(SDN_DIR / "excerpt_2026/sdn.csv")],
    )


def test_partial_excerpt_merged(sdn_with_supplements) -> None:  # type: ignore[no-untyped-def]
    entities, _ = sdn_with_supplements
    by_id = {e.id: e for e in entities}
    oseguera = by_id["us_ofac_sdn:17674"]
    assert oseguera.schema == "Person"
    assert oseguera.caption == "OSEGUERA CERVANTES, Ruben"
    assert (oseguera.names[0].first, oseguera.names[0].last) == ("Ruben", "OSEGUERA CERVANTES")
    assert ("OSEGUERA CERVANTES, Nemesio", NameKind.ALIAS) in [
        (n.full, n.kind) for n in oseguera.names
    ]
    assert ("El Mencho", NameKind.WEAK_ALIAS) in [(n.full, n.kind) for n in oseguera.names]
    assert oseguera.programs == ["SDNTK", "SDGT", "ILLICIT-DRUGS-EO14059"]
    assert [i.number for i in oseguera.identifiers if i.kind is IdKind.CURP] == [
        "OECR660717HMNSRB00"
    ]
    assert by_id["us_ofac_sdn:15412"].programs == ["FTO", "SDGT", "TCO"]
    assert by_id["us_ofac_sdn:15412"].schema == "Organization"
    assert "us_ofac_sdn:55025" in by_id  # Cartel de los Soles: only in the excerpt
    assert len(entities) == 14965 + 3


def test_orphans_are_counted_with_file_and_line(sdn_with_supplements) -> None:  # type: ignore[no-untyped-def]
    _, warnings = sdn_with_supplements
    orphan_alt = [w for w in warnings if w.kind == "orphan_alt"]
    assert orphan_alt and all(
        w.location.file.endswith("alt.csv") and w.location.line for w in orphan_alt
    )
    assert {w.kind for w in warnings} >= {"orphan_add", "orphan_alt", "orphan_comments"}
    last = [w for w in warnings if w.kind == "orphan_add"][-1]
    assert last.location.line == 24776 and "57817" in last.message


def test_vessel_and_crypto(sdn_with_supplements) -> None:  # type: ignore[no-untyped-def]
    entities, _ = sdn_with_supplements
    vessels = [e for e in entities if e.schema == "Vessel"]
    assert len(vessels) == 851
    with_imo = [e for e in vessels if any(i.kind is IdKind.IMO for i in e.identifiers)]
    assert len(with_imo) > 800
    assert any("callSign" in e.properties and e.properties.get("flag") for e in vessels)
    wallets = [i for e in entities for i in e.identifiers if i.kind is IdKind.CRYPTO]
    assert len(wallets) > 250 and all(i.currency for i in wallets)
    assert sum(e.schema == "Airplane" for e in entities) == 376


def test_address_country_codes(sdn_with_supplements) -> None:  # type: ignore[no-untyped-def]
    entities, _ = sdn_with_supplements
    cuba = next(e for e in entities if e.id == "us_ofac_sdn:36")
    assert cuba.addresses[0].city == "Havana" and cuba.addresses[0].country == "cu"


# --- bad input -------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty file") as info:
        read_table(path)
    assert info.value.location.file == str(path)


def test_marker_only_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"\r\n\x1a")
    with pytest.raises(InputError, match="empty file"):
        read_table(path)


def test_truncated_copy_of_real_file(tmp_path: Path) -> None:
    data = (SDN_DIR / "sdn_2024-05-03/sdn.csv").read_bytes()
    path = tmp_path / "sdn.csv"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated") as info:
        read_table(path)
    assert info.value.location.line and info.value.location.line > 7000


def test_truncated_inside_quotes(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b'1,"ACME",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,"HALF NA')
    with pytest.raises(InputError, match="truncated") as info:
        read_table(path)
    assert info.value.location.line == 2


def test_partial_file_without_marker_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", [_row(1), _row(2)], marker=False, newline="\n")
    table = read_table(path)
    assert not table.complete and len(table.rows) == 2


@pytest.mark.parametrize(("row", "what"), [('1,"ACME",-0- ', "missing"), (_row(1) + ",x", "extra")])
def test_wrong_column_count_names_line(tmp_path: Path, row: str, what: str) -> None:
    path = _write(tmp_path / "sdn.csv", [_row(7), _row(8), row])
    with pytest.raises(InputError, match=f"{what} columns") as info:
        read_table(path, kind="primary")
    assert (info.value.location.file, info.value.location.line) == (str(path), 3)


def test_unknown_shape(tmp_path: Path) -> None:
    path = _write(tmp_path / "other.csv", ["a,b,c"])
    with pytest.raises(InputError, match="column count"):
        read_table(path)


def test_windows_1252_is_read_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    rows = [_row(1), _row(2, name="CAF\xc9 S.A.")]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252") + b"\x1a")
    table = read_table(path)
    [warning] = table.warnings
    assert warning.kind == "encoding" and warning.location.line == 2
    entities, _ = build_entities(table)
    assert entities[1].caption == "CAFÉ S.A."


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((_row(1) + "\r\n").encode() + b'2,"BAD \x81\x8d",' + b"x\r\n\x1a")
    with pytest.raises(InputError, match="undecodable") as info:
        read_table(path)
    assert info.value.location.line == 2


def test_utf16_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((_row(1) + "\r\n").encode("utf-16"))
    with pytest.raises(InputError, match="NUL byte"):
        read_table(path)


def test_non_numeric_ent_num(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "sdn.csv", [_row(1), ROW.format(ent="X9", name="A", type="-0- ", remarks="-0- ")]
    )
    with pytest.raises(InputError, match="ent_num") as info:
        build_entities(read_table(path))
    assert info.value.location.line == 2 and info.value.location.field == "ent_num"


def test_duplicate_ids_keep_first(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", [_row(1, "FIRST"), _row(2), _row(1, "SECOND")])
    entities, warnings = build_entities(read_table(path))
    assert [e.caption for e in entities] == ["FIRST", "ACME"]
    [warning] = warnings
    assert warning.kind == "duplicate_id" and warning.location.line == 3


def test_orphan_alt_and_add_rows(tmp_path: Path) -> None:
    sdn = _write(tmp_path / "sdn.csv", [_row(1, "DOE, John", '"individual"')])
    alt = _write(tmp_path / "alt.csv", ['1,10,"aka","DOE, Johnny",-0- ', '9,11,"fka","GHOST",-0- '])
    add = _write(tmp_path / "add.csv", ['9,20,"Main St","Caracas","Venezuela",-0- '])
    entities, warnings = build_entities(read_table(sdn), [read_table(alt), read_table(add)])
    [person] = entities
    assert [(n.full, n.kind, n.first, n.last) for n in person.names] == [
        ("DOE, John", NameKind.PRIMARY, "John", "DOE"),
        ("DOE, Johnny", NameKind.ALIAS, "Johnny", "DOE"),
    ]
    assert sorted((w.kind, Path(w.location.file).name, w.location.line) for w in warnings) == [
        ("orphan_add", "add.csv", 1),
        ("orphan_alt", "alt.csv", 2),
    ]


def test_comments_continue_cut_remarks(tmp_path: Path) -> None:
    head, tail = "DOB 1960; ", "; Website www.exa"
    remarks = head + "A" * (1000 - len(head) - len(tail)) + tail
    assert len(remarks) == 1000  # OFAC cuts the remarks column here
    sdn = _write(tmp_path / "sdn.csv", [_row(1, remarks=f'"{remarks}"')])
    comments = _write(tmp_path / "sdn_comments.csv", ['1,"mple.org; Gender Male."'])
    [entity], warnings = build_entities(read_table(sdn), [read_table(comments)])
    assert not warnings
    assert entity.properties["website"] == ["www.example.org"]
    assert entity.gender == "male"


def test_comment_that_does_not_continue_is_flagged(tmp_path: Path) -> None:
    sdn = _write(tmp_path / "sdn.csv", [_row(1, remarks='"DOB 1960."')])
    comments = _write(tmp_path / "sdn_comments.csv", ['1,"Gender Female."', '5,"x."'])
    [entity], warnings = build_entities(read_table(sdn), [read_table(comments)])
    assert entity.gender == "female" and entity.birth_dates[0].value == "1960"
    assert sorted(w.kind for w in warnings) == ["comment_mismatch", "orphan_comments"]
