"""``clearance lists export`` and the store's FtM id aliases, on a real store (SQLite)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from clearance.cli.main import app
from clearance.store import Store
from conftest import LISTS
from test_ftm import assert_valid_ftm

runner = CliRunner()


def run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result


def _version(path: Path, people: dict[str, str]) -> Path:
    records = [
        {"id": key, "schema": "Person", "datasets": ["os_demo"], "properties": {"name": [name]}}
        for key, name in people.items()
    ]
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


@pytest.fixture()
def store() -> Any:
    with Store.open() as opened:
        yield opened


def test_export_un_is_valid_ftm_and_complete(tmp_path: Path, store: Store) -> None:
    store.import_paths([LISTS / "un/UN_consolidated.xml"])
    out = tmp_path / "un.ftm.json"
    result = run("lists", "export", "un_sc_sanctions", "--format", "ftm", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert_valid_ftm(lines)  # every reference resolves inside the dataset
    parties = [line for line in lines if line["schema"] in ("Person", "Organization")]
    assert len(parties) == 1003
    assert sum(line["schema"] == "Sanction" for line in lines) == 1003
    assert all(line["first_seen"] and line["last_seen"] and line["last_change"] for line in parties)
    assert parties[0]["first_seen"] == "2026-02-27"  # the list's publication date


def test_timeline_across_versions_and_formats(tmp_path: Path, store: Store) -> None:
    store.import_paths([_version(tmp_path / "v1.json", {"a": "Alpha One", "b": "Bravo Two"})])
    time.sleep(1.1)
    store.import_paths(
        [_version(tmp_path / "v2.json", {"a": "Alpha Changed", "b": "Bravo Two", "c": "Charlie"})]
    )
    first, second = store.versions(dataset="os_demo")
    moment = {v.id: v.imported_at.isoformat(timespec="seconds") for v in (first, second)}
    result = run("lists", "export", "os_demo")
    assert result.exit_code == 0, result.output
    lines = {
        line["id"]: line
        for line in map(json.loads, result.stdout.splitlines())
        if line["schema"] == "Person"
    }
    a, b, c = lines["os-demo-a"], lines["os-demo-b"], lines["os-demo-c"]
    assert (a["first_seen"], a["last_change"]) == (moment[first.id], moment[second.id])
    assert (b["first_seen"], b["last_change"]) == (moment[first.id], moment[first.id])
    assert (c["first_seen"], c["last_change"]) == (moment[second.id], moment[second.id])
    assert a["last_seen"] == b["last_seen"] == c["last_seen"] == moment[second.id]
    csv = run("lists", "export", "os_demo", "--format", "csv")
    assert csv.exit_code == 0 and "os_demo:a" in csv.stdout and "Alpha Changed" in csv.stdout
    parquet = tmp_path / "x.parquet"
    assert run("lists", "export", "--format", "parquet", "-o", str(parquet)).exit_code == 0
    frame = pd.read_parquet(parquet)
    row = frame[frame["clearance_id"] == "os_demo:b"].iloc[0]
    assert list(row["names"]) == ["Bravo Two"] and row["first_seen"] == moment[first.id]
    assert run("lists", "export", "nope").exit_code != 0
    assert run("lists", "export", "--format", "xml").exit_code != 0
    assert run("lists", "export", "--format", "parquet").exit_code != 0  # needs --out


def test_ftm_ids_accepted_on_read_paths(tmp_path: Path, store: Store) -> None:
    store.import_paths([LISTS / "un/UN_consolidated.xml"])
    entity = next(store.entities(datasets=["un_sc_sanctions"]))
    converted = entity.id.replace("un_sc_sanctions:", "un-sc-sanctions-")
    assert store.get_entity(converted) == store.get_entity(entity.id)
    assert store.entity_versions(converted) == store.entity_versions(entity.id)
    shown = run("lists", "show", converted, "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["entity"]["id"] == entity.id
