"""``clearance screen``, ``compare`` and ``screen-file`` on a fresh install (register only)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from clearance.cli.main import app

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
