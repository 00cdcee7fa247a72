"""screen-file's parts: readers with bad-row reports, the partition function, writers, workers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from clearance.batch import (
    OUTPUT_COLUMNS,
    parse_mapping,
    read_records,
    screen_partition,
    screen_records,
    write_results,
)
from clearance.errors import InputError
from clearance.matching import Screener
from clearance.model import Entity, Name, NameKind
from clearance.register import load as load_register

CSV = """id,name,schema,birth_date,country,id_number
c1,Joaquin Guzman,Person,1954,mx,
c2,,Person,,,
c3,Cartel of the Suns,Organization,,ve,
c4,Jane Doe,Spaceship,,,
c5,Ruben Oseguera,Person,17/07/1966,,
c6,Tren Aragua,,,Atlantis,
c7,Maria Fernanda Lopez,Person,1990-02-03,Mexico,
"""


@pytest.fixture(scope="module")
def screener() -> Screener:
    entities = [
        *load_register(),
        Entity(
            "us_ofac_sdn:6861",
            "Person",
            [Name("GUZMAN LOERA, Joaquin"), Name("GUZMAN, Chapo", NameKind.ALIAS)],
            nationalities=["mx"],
        ),
    ]
    return Screener.from_entities(entities, version_key="batch-test")


def test_every_named_row_is_read_and_every_bad_field_is_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(CSV, encoding="utf-8")
    records, rejects = read_records(source)
    assert list(records["id"]) == ["c1", "c3", "c4", "c5", "c6", "c7"]
    assert list(records["line"]) == [2, 4, 5, 6, 7, 8]
    assert records.loc[records.id == "c7", "country"].item() == "mx"  # names become ISO codes
    assert records.loc[records.id == "c5", "birth_date"].item() == "1966-07-17"
    warned = dict(zip(records["id"], records["warnings"], strict=True))
    assert [w.partition(":")[0] for w in warned["c4"]] == ["schema"]
    assert [w.partition(":")[0] for w in warned["c6"]] == ["country"]
    assert not warned["c1"] and not warned["c5"]
    assert [(r.location.line, r.location.field) for r in rejects] == [(3, "name")]
    assert all(r.location.file == str(source) for r in rejects)


def test_jsonl_and_parquet_read_the_same_records(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "name": "Joaquin Guzman", "schema": "Person"},
        {"id": "b", "name": "Tren de Aragua"},
    ]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    records, rejects = read_records(jsonl)
    assert list(records["id"]) == ["a", "b"]
    assert [(r.location.line, "not JSON" in r.message) for r in rejects] == [(3, True)]
    parquet = tmp_path / "in.parquet"
    pd.DataFrame(rows).to_parquet(parquet)
    from_parquet, _ = read_records(parquet)
    assert list(from_parquet["name"]) == list(records["name"])


def test_map_renames_columns_and_missing_name_column_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("customer,full_name\nx1,Cartel de los Soles\n", encoding="utf-8")
    with pytest.raises(InputError, match="name"):
        read_records(source)
    records, _ = read_records(source, parse_mapping(["customer=id", "full_name=name"]))
    assert list(records["id"]) == ["x1"]
    with pytest.raises(InputError, match="--map"):
        parse_mapping(["full_name=nom"])


def test_file_not_in_utf8_names_its_first_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("id,name\n1,Cartel de los Soles\n2,José Ramírez\n".encode("latin-1"))
    with pytest.raises(InputError) as error:
        read_records(source)
    assert error.value.location.line == 3
    assert "UTF-8" in str(error.value)


def test_partition_gives_one_row_per_hit_and_a_row_per_warned_record(
    tmp_path: Path, screener: Screener
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(CSV, encoding="utf-8")
    records, _ = read_records(source)
    rows = screen_partition(records, screener)
    assert list(rows.columns) == list(OUTPUT_COLUMNS)
    hits = rows[rows.status == "hit"]
    by_query = hits.groupby("query_id")["entity_id"].apply(list).to_dict()
    assert by_query["c1"] == ["us_ofac_sdn:6861"]
    assert by_query["c3"] == ["us_designations:cartel-de-los-soles"]
    assert "c7" not in set(rows.query_id)  # no hit, no warning: not in the default output
    row = hits[hits.query_id == "c3"].iloc[0]
    assert row.datasets == "us_designations" and "FTO" in row.programs
    assert "cartel=cartel" in row.explanation
    warned = rows[rows.query_id == "c4"].iloc[0]  # no hit, but its warning is in the output
    assert warned.status == "no_hit" and "Spaceship" in warned.warnings[0]
    every = screen_partition(records, screener, all_records=True)
    assert set(every.query_id) == set(records.id)
    assert every.groupby("query_id").size().min() == 1
    assert (every.list_versions == "").all()  # an in-memory screener has no versions


@pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl"])
def test_writers_round_trip(tmp_path: Path, screener: Screener, suffix: str) -> None:
    records = pd.DataFrame(
        [{"id": "q1", "name": "Cartel of the Suns", "schema": None, "birth_date": None}]
    )
    part = screen_partition(records, screener)
    part.loc[0, "warnings"] = ["country: unknown country 'zz'; left out of scoring"]
    out = tmp_path / f"out.{suffix}"
    assert write_results([part, part.iloc[0:0]], out) == 1
    if suffix == "csv":
        back = pd.read_csv(out)
    elif suffix == "parquet":
        back = pd.read_parquet(out)
    else:
        back = pd.read_json(out, lines=True)
    assert list(back.columns) == list(OUTPUT_COLUMNS)
    assert back.loc[0, "entity_id"] == "us_designations:cartel-de-los-soles"
    warnings = back.loc[0, "warnings"]
    if suffix == "csv":  # one cell in CSV, a list in Parquet and JSON lines
        assert warnings == "country: unknown country 'zz'; left out of scoring"
    else:
        assert list(warnings) == ["country: unknown country 'zz'; left out of scoring"]


def test_workers_give_the_same_hits_as_one_process(screener: Screener, monkeypatch) -> None:
    import clearance.batch as batch

    monkeypatch.setattr(batch, "CHUNK_ROWS", 50)
    names = ["Joaquin Guzman", "Tren de Aragua", "Maria Lopez", "MS-13", "Gulf Cartel"] * 40
    records = pd.DataFrame({"id": [str(i) for i in range(len(names))], "name": names})
    seen: list[int] = []
    parallel = pd.concat(screen_records(records, screener, workers=2, progress=seen.append))
    single = pd.concat(screen_records(records, screener, workers=1))
    assert sum(seen) == len(records)
    pd.testing.assert_frame_equal(parallel.reset_index(drop=True), single.reset_index(drop=True))


def test_an_ambiguous_birth_date_is_matched_under_both_readings() -> None:
    """``03/04/1954`` is 3 April or 4 March: a person listed as born on either one is
    confirmed by it, and one born years apart is contradicted under both."""
    from clearance.model import DateValue

    def born(day: str) -> Entity:
        return Entity(
            "us_ofac_sdn:1", "Person", [Name("GUZMAN LOERA, Joaquin")], birth_dates=[DateValue(day)]
        )

    for listed in ("1954-04-03", "1954-03-04"):
        screener = Screener.from_entities([born(listed)])
        [hit] = screener.screen("Joaquin Guzman Loera", birth_date="1954-04-03;1954-03-04")
        [feature] = [f for f in hit.features if f.name == "birth_date"]
        assert feature.score > 0 and listed in feature.detail
    screener = Screener.from_entities([born("1960-01-01")])
    [hit] = screener.screen("Joaquin Guzman Loera", birth_date="1954-04-03;1954-03-04")
    assert next(f.score for f in hit.features if f.name == "birth_date") < 0
