"""Reading files of records (clearance.records_io): fail closed. Every row with a name is a
record, every unusable field of it a warning; ragged and unparseable rows are rejects with
their exact line, and they never stop the rest of the file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearance.errors import InputError
from clearance.records_io import (
    REJECT_COLUMNS,
    default_rejects_path,
    parse_mapping,
    read_rows,
    write_rejects,
)

HEADER = "id,name,schema,birth_date,country\n"


def _read(tmp_path: Path, text: str, name: str = "in.csv", **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_rows(path, **options)


def test_ragged_rows_are_rejected_with_their_line_and_the_rest_is_read(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        HEADER
        + "1,GUZMAN LOERA Joaquin,Person,1954-12-25,mx\n"
        + "2,a,b,c,d,e,f\n"  # seven fields where the header has five
        + "3,CARO QUINTERO Rafael\n"  # two
        + "4,Cartel de los Soles,Organization,,ve\n",
    )
    assert [(r.line, r.id) for r in result.rows] == [(2, "1"), (5, "4")]
    assert [(r.location.line, r.message) for r in result.rejects] == [
        (3, "7 fields where the header has 5"),
        (4, "2 fields where the header has 5"),
    ]
    assert result.rejects[0].excerpt == "2,a,b,c,d,e,f"


def test_an_unterminated_quote_is_rejected_on_its_own_line_and_later_rows_are_read(
    tmp_path: Path,
) -> None:
    result = _read(
        tmp_path,
        HEADER
        + '1,"GUZMAN LOERA Joaquin,Person,1954,mx\n'  # the quote never closes
        + "2,CARO QUINTERO Rafael,Person,1952,mx\n"
        + "3,Tren de Aragua,Organization,,\n",
    )
    assert [(r.line, r.id) for r in result.rows] == [(3, "2"), (4, "3")]
    [reject] = result.rejects
    assert reject.location.line == 2  # the line the quote is on, not one off
    assert "unterminated quote" in reject.message


def test_an_unbalanced_quote_closed_by_a_later_row_rejects_only_its_own_line(
    tmp_path: Path,
) -> None:
    result = _read(
        tmp_path,
        HEADER
        + '1,"GUZMAN LOERA Joaquin,Person,1954,mx\n'
        + "2,CARO QUINTERO Rafael,Person,1952,mx\n"
        + '3,Mario "El Toro" Lopez,Person,,\n'  # its quote "closes" line 2's
        + "4,Tren de Aragua,Organization,,\n",
    )
    assert [(r.line, r.id) for r in result.rows] == [(3, "2"), (4, "3"), (5, "4")]
    assert [r.location.line for r in result.rejects] == [2]
    assert 'Mario "El Toro" Lopez' in [r.query.name for r in result.rows]


def test_a_quoted_field_over_two_lines_is_one_record_and_keeps_later_numbers(
    tmp_path: Path,
) -> None:
    result = _read(
        tmp_path,
        "id,name,address\n"
        + '1,Cartel de los Soles,"Calle 1\nCaracas"\n'
        + "\n"  # blank lines are no records
        + "2,Tren de Aragua,\n"
        + ",,\n",
    )
    assert [(r.line, r.id) for r in result.rows] == [(2, "1"), (5, "2")]
    assert not result.rejects


def test_every_bad_field_of_a_row_is_a_warning_and_the_row_is_still_screened(
    tmp_path: Path,
) -> None:
    result = _read(
        tmp_path,
        "ref,full_name,schema,dob,nationality,id_number\n"
        + "7,GUZMAN LOERA Joaquin,Spaceship,1957-04-32,Narnia,P123\n",
        mapping=parse_mapping(
            ["ref=id", "full_name=name", "dob=birth_date", "nationality=country"]
        ),
    )
    [row] = result.rows
    assert row.query.name == "GUZMAN LOERA Joaquin"
    assert (row.query.schema, row.query.birth_date, row.query.country) == (None, "1957-04", None)
    assert row.query.identifiers  # the good field is used
    # named by the file's own columns, every one of them
    assert [w.location.field for w in row.warnings] == ["schema", "dob", "nationality"]
    assert all(w.location.line == 2 for w in row.warnings)
    assert row.warning_texts()[1].startswith("dob: impossible birth date '1957-04-32'")
    assert result.warnings == list(row.warnings)


def test_a_row_without_a_name_is_rejected(tmp_path: Path) -> None:
    result = _read(tmp_path, HEADER + "1,,Person,1954,mx\n2,  ,,,\n")
    assert not result.rows
    assert [(r.location.line, r.location.field) for r in result.rejects] == [
        (2, "name"),
        (3, "name"),
    ]


def test_dates_and_countries_as_people_write_them(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        HEADER
        + "1,A B,Person,25/12/1954,Mexicano\n"
        + "2,A B,Person,1969-7-16,Estados Unidos\n"
        + "3,A B,Person,03/04/1954,DEU\n",
    )
    dates = [r.query.birth_date for r in result.rows]
    assert dates == ["1954-12-25", "1969-07-16", "1954-04-03;1954-03-04"]
    assert [r.query.country for r in result.rows] == ["mx", "us", "de"]
    assert [len(r.warnings) for r in result.rows] == [0, 0, 1]  # the ambiguous date says so
    fixed = read_rows(tmp_path / "in.csv", date_order="mdy")
    assert fixed.rows[2].query.birth_date == "1954-03-04" and not fixed.rows[2].warnings


def test_tsv_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "in.tsv"
    path.write_bytes("\ufeffid\tname\n1\tTren de Aragua\n2\tx\ty\n".encode())
    result = read_rows(path)
    assert [r.query.name for r in result.rows] == ["Tren de Aragua"]
    assert [r.location.line for r in result.rejects] == [3]


def test_json_lines_and_parquet(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "name": "Tren de Aragua", "country": "zz"}),
        "",
        "[1, 2]",
        "{not json",
        json.dumps({"id": "b", "birth_date": "1954"}),
    ]
    result = _read(tmp_path, "\n".join(lines) + "\n", "in.jsonl")
    assert [(r.line, r.id) for r in result.rows] == [(1, "a")]
    assert [w.location.field for w in result.rows[0].warnings] == ["country"]
    assert [(r.location.line, r.message[:12]) for r in result.rejects] == [
        (3, "not a JSON o"),
        (4, "not JSON (Ex"),
        (5, "no name: not"),
    ]
    frame = pd.DataFrame({"name": ["Tren de Aragua", None], "birth_date": ["1954-13-25", None]})
    frame.to_parquet(tmp_path / "in.parquet")
    parquet = read_rows(tmp_path / "in.parquet")
    assert [(r.line, r.query.birth_date) for r in parquet.rows] == [(1, "1954")]
    assert [r.location.line for r in parquet.rejects] == [2]


def test_a_file_without_a_name_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no 'name' column"):
        _read(tmp_path, "id,full_name\n1,Tren de Aragua\n")
    with pytest.raises(InputError, match="no 'name'"):
        _read(tmp_path, json.dumps({"full_name": "x"}) + "\n", "in.jsonl")


def test_rejects_file(tmp_path: Path) -> None:
    result = _read(tmp_path, HEADER + "1,a,b,c,d,e,f\n")
    out = default_rejects_path(tmp_path / "hits.parquet")
    assert out == tmp_path / "hits.rejects.csv"
    assert write_rejects(result.rejects, out) == 1
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows == [
        list(REJECT_COLUMNS),
        ["2", "", "7 fields where the header has 5", "1,a,b,c,d,e,f"],
    ]
    assert write_rejects([], out) == 0  # no stale rejects from an earlier run
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(REJECT_COLUMNS)]


CELL = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=8
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.lists(CELL, min_size=1, max_size=5)), min_size=1, max_size=12
    )
)
def test_property_good_rows_are_read_and_ragged_ones_rejected_on_their_line(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[bool, list[str]]]
) -> None:
    """Rows written by a CSV writer (quoting newlines and quotes as needed): each row of the
    header's width with a name is a record on the line it starts on, each other width a
    reject on its line; a blank row is no record. (A ragged row is kept on one line here: one
    that spans lines is taken for an unbalanced quote and its next lines are read again.)"""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "x", "y"])
    expected_rows, expected_rejects = [], []
    line = 2
    for named, cells in rows:
        values = (["Tren de Aragua"] if named else []) + cells
        if len(values) != 3:
            values = [v.replace("\n", " ") for v in values]
        writer.writerow(values)
        written = buffer.getvalue().count("\n") + 1  # the line after this row
        blank = not any(v.strip() for v in values)
        if not blank:
            if len(values) != 3:
                expected_rejects.append(line)
            elif values[0].strip():
                expected_rows.append(line)
            else:
                expected_rejects.append(line)
        line = written
    path = tmp_path_factory.mktemp("prop") / "in.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    result = read_rows(path)
    assert [r.line for r in result.rows] == expected_rows
    assert [r.location.line for r in result.rejects] == expected_rejects


def test_monitor_add_follows_the_same_rules(tmp_path: Path) -> None:
    """`monitor add` keeps every named row with an id (an unusable field left out), rejects the
    rest with their lines into the rejects file beside the input, and exits 1 for them."""
    from typer.testing import CliRunner

    from clearance.cli.main import app

    customers = tmp_path / "customers.csv"
    customers.write_text(
        HEADER
        + "c1,Cartel de los Soles,Organization,,Narnia\n"
        + "c2,Jane Smithfield,Person,1954-13-25,mx\n"
        + "c3,a,b,c,d,e,f\n"
        + ",No Id,Person,,\n"
        + "c1,Again,Organization,,\n"
        + "c4,,Person,,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    added = runner.invoke(app, ["monitor", "add", str(customers), "--format", "json"])
    assert added.exit_code == 1, added.output
    data = json.loads(added.output)
    assert (data["added"], data["rejected_rows"], data["fields_left_out"]) == (2, 4, 2)
    assert data["alerts_opened"] >= 1  # the listed cartel, its unknown country left out
    rejects = pd.read_csv(tmp_path / "customers.rejects.csv")
    assert list(rejects.line) == [4, 5, 6, 7]
    again = runner.invoke(
        app, ["monitor", "add", str(customers), "--allow-rejects", "--format", "json"]
    )
    assert again.exit_code == 0 and json.loads(again.output)["unchanged"] == 2
