"""``clearance screen``, ``compare`` and ``screen-file`` on a fresh install (register only)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clearance.cli.main import app
from conftest import LISTS

runner = CliRunner()


def test_screen_finds_the_register_entry_on_a_fresh_install() -> None:
    result = runner.invoke(app, ["screen", "Cartel of the Suns", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["hits"][0]["entity_id"] == "us_designations:cartel-de-los-soles"
    assert data["hits"][0]["consequences"]
    table = runner.invoke(
        app, ["screen", "Cartel of the Suns", "--limit", "1"], env={"COLUMNS": "200"}
    )
    assert table.exit_code == 0 and "Cartel de los Soles" in table.output


def test_screen_rejects_bad_options_clearly() -> None:
    result = runner.invoke(app, ["screen", "X", "--birth-date", "July 1966"])
    assert result.exit_code == 2 and "birth date" in result.output
    assert runner.invoke(app, ["screen", "X", "--format", "xml"]).exit_code == 2


def test_compare_prints_a_score() -> None:
    result = runner.invoke(app, ["compare", "SIS DOO", "SIS d.o.o.", "--schema", "Company"])
    assert result.exit_code == 0 and result.output.strip() == "1.0000"
    assert runner.invoke(app, ["compare", "a", "b", "--schema", "Spaceship"]).exit_code == 2


def test_info_reports_the_default_threshold() -> None:
    from clearance.matching import DEFAULT_THRESHOLD

    result = runner.invoke(app, ["info", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["default_threshold"] == DEFAULT_THRESHOLD


def test_screen_file_rejects_a_row_without_name_and_exits_1(tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text(
        "ref,full_name,schema\n1,Tren Aragua,Organization\n2,,Person\n3,Gulf Cartel,\n",
        encoding="utf-8",
    )
    out = tmp_path / "hits.parquet"
    command = ["screen-file", str(source), "--out", str(out), "--map", "ref=id"]
    result = runner.invoke(app, [*command, "--map", "full_name=name"])
    assert result.exit_code == 1, result.output  # a row was rejected
    assert "line 3, field 'full_name': no name" in result.output
    assert "1 rows rejected" in result.output
    rejects = pd.read_csv(tmp_path / "hits.rejects.csv")
    assert list(rejects.line) == [3] and list(rejects.column) == ["full_name"]
    accepted = runner.invoke(app, [*command, "--map", "full_name=name", "--allow-rejects"])
    assert accepted.exit_code == 0, accepted.output
    hits = pd.read_parquet(out)
    assert set(hits.query_id) == {"1", "3"}
    assert "us_designations:cartel-del-golfo" in set(hits.entity_id)


@pytest.mark.slow
def test_screen_file_on_a_mixed_file_screens_every_named_row_against_the_real_sdn(
    tmp_path: Path,
) -> None:
    """The issue's file: good rows, each kind of bad field, ragged and unterminated rows. Every
    named row is screened (the listed ones hit), every bad field is in the output, the ragged
    rows are in the rejects file with their lines, and the exit code says so."""
    imported = runner.invoke(app, ["lists", "import", str(LISTS / "ofac_sdn" / "sdn_2024-05-03")])
    assert imported.exit_code == 0, imported.output
    source = tmp_path / "customers.csv"
    source.write_text(
        "id,name,schema,birth_date,country\n"
        "g1,GUZMAN LOERA Joaquin,Person,25/12/1954,mx\n"
        "g2,GUZMAN LOERA Joaquin,Person,1957-04-32,zz\n"
        "g3,GUZMAN LOERA Joaquin,Person,1954-13-25,Narnia\n"
        "g4,GUZMAN LOERA Joaquin,Spaceship,1969-7-16,\n"
        "r1,a,b,c,d,e,f\n"
        "c1,CARO QUINTERO Rafael,Person,03/04/1952,mexicano\n"
        'r2,"ZAMBADA GARCIA Ismael,Person,1948,mx\n'
        "n1,Margaret Thornbury,Person,1 Jan 1961,United Kingdom\n"
        ",,Person,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "screened.csv"
    result = runner.invoke(app, ["screen-file", str(source), "--out", str(out), "--all-records"])
    assert result.exit_code == 1, result.output
    assert "6 records screened" in result.output and "3 rows rejected" in result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert set(table.query_id) == {"g1", "g2", "g3", "g4", "c1", "n1"}  # every record
    hits = table[table.status == "hit"]
    for record in ("g1", "g2", "g3", "g4"):
        assert "GUZMAN LOERA, Joaquin" in set(hits[hits.query_id == record].caption), record
    assert "CARO QUINTERO, Rafael" in set(hits[hits.query_id == "c1"].caption)
    assert list(table[table.query_id == "n1"].status) == ["no_hit"]
    assert table.list_versions.str.contains("us_ofac_sdn=").all()
    warnings = table.groupby("query_id").warnings.first()
    assert warnings["g1"] == "" and warnings["n1"] == ""
    assert "1957-04-32" in warnings["g2"] and "'zz'" in warnings["g2"]  # every bad field
    assert "1954-13-25" in warnings["g3"] and "Narnia" in warnings["g3"]
    assert "Spaceship" in warnings["g4"]
    assert "ambiguous birth date '03/04/1952'" in warnings["c1"]
    rejects = pd.read_csv(tmp_path / "screened.rejects.csv")
    assert list(rejects.line) == [6, 8, 10]


README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_map_example_works_as_written(tmp_path: Path) -> None:
    """The ``--map`` pairs of the README's screen-file synopsis rename a user's columns."""
    import re

    synopsis = next(line for line in README.read_text().splitlines() if "--map " in line)
    pairs = re.findall(r"--map (\S+?=\S+?)[\s\]]", synopsis)
    assert pairs, synopsis
    theirs = {pair.split("=")[1]: pair.split("=")[0] for pair in pairs}
    source = tmp_path / "customers.csv"
    source.write_text(f"{theirs['id']},{theirs['name']}\nc1,Cartel of the Suns\n")
    out = tmp_path / "hits.csv"
    args = ["screen-file", str(source), "--out", str(out)]
    for pair in pairs:
        args += ["--map", pair]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    hits = pd.read_csv(out)
    assert list(hits["query_id"]) == ["c1"]
    assert hits["entity_id"][0] == "us_designations:cartel-de-los-soles"


@pytest.mark.parametrize("suffix", [".txt", ".xlsx", ".tsv", ""])
def test_screen_file_refuses_an_output_it_cannot_write(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("id,name\nc1,Cartel of the Suns\n")
    out = tmp_path / f"hits{suffix}"
    result = runner.invoke(app, ["screen-file", str(source), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "cannot tell the format" in result.output and not out.exists()
    written = runner.invoke(app, ["screen-file", str(source), "--out", str(out), "-f", "jsonl"])
    assert written.exit_code == 0 and out.exists()
