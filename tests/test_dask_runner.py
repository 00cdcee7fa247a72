"""screen-file on dask.distributed: the chunked reader equals the local reader, and a run on a
LocalCluster of worker processes writes exactly what the local run writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster
from faker import Faker
from typer.testing import CliRunner

from clearance.batch import read_records, screen_records, write_results
from clearance.batch.dask_runner import iter_records, run_dask
from clearance.cli.main import app
from clearance.errors import InputError
from clearance.matching import Screener
from clearance.model import NameKind
from matching_lists import active_entities, bundled_screener

FORMATS = ("csv", "parquet", "jsonl")

#: Rows with a bad field, one per kind, spread through the input: the nameless one is
#: rejected, the others are screened with a warning.
BAD_ROWS = (
    {"id": "bad-name", "name": "", "schema": "Person"},
    {"id": "bad-schema", "name": "Jane Roe", "schema": "Spaceship"},
    {"id": "bad-date", "name": "John Roe", "schema": "Person", "birth_date": "17/07/1966"},
    {"id": "bad-country", "name": "Tren Aragua", "country": "Atlantis"},
)

#: Where they sit among the rows (0-based): CSV line = position + 2, JSON line = position + 1.
BAD_POSITIONS = (17, 78, 139, 200)


def _rows() -> list[dict[str, str]]:
    """Listed names as given and lower-cased, unlisted Faker names, bad rows; some without id."""
    entities = sorted(active_entities(), key=lambda e: e.id)
    rows: list[dict[str, str]] = []
    for number, entity in enumerate(entities[::60]):
        name = entity.names_of(NameKind.PRIMARY, NameKind.ALIAS)[0].full
        schema = entity.schema if entity.schema != "Airplane" else "Aircraft"
        rows.append({"id": f"list-{number}", "name": name, "schema": schema})
        rows.append({"id": "", "name": name.lower()})
    fake = Faker(["en_US", "es_MX", "ar_AA"])
    fake.seed_instance(7)
    rows += [{"id": f"fake-{n}", "name": fake.name(), "schema": "Person"} for n in range(150)]
    for position, bad in zip(BAD_POSITIONS, BAD_ROWS, strict=True):
        rows.insert(position, dict(bad))
    columns = ("id", "name", "schema", "birth_date", "country")
    return [{c: row.get(c, "") for c in columns} for row in rows]


def _write_input(rows: list[dict[str, str]], path: Path, fmt: str) -> Path:
    frame = pd.DataFrame(rows)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _read_output(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(
            path, dtype={"score": float}, keep_default_na=False, na_values={"score": [""]}
        )
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_json(path, lines=True, dtype=False)


# ----------------------------------------------------------------------------------------------
# the chunked reader, no cluster


def _plain(records: pd.DataFrame) -> list[dict[str, object]]:
    """Records as plain dicts, a missing value always None (pandas infers NaN or None per frame)."""
    return [
        {k: v if isinstance(v, list) or not pd.isna(v) else None for k, v in row.items()}
        for row in records.to_dict("records")
    ]


SMALL_CSV = """full_name,schema,birth_date,country,ref
Joaquin Guzman,Person,1954,mx,c1
,Person,,,c2
Cartel of the Suns,Organization,,ve,
Jane Doe,Spaceship,,,c4
Ruben Oseguera,Person,17/07/1966,,c5
Tren Aragua,,,Atlantis,
Maria Fernanda Lopez,Person,1990-02-03,Mexico,
Nemesio Oseguera,Person,1966,,c8
"""


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("chunk_rows", [1, 3, 1000])
def test_chunked_reader_equals_the_local_reader(tmp_path: Path, fmt: str, chunk_rows: int) -> None:
    rows = pd.read_csv(pd.io.common.StringIO(SMALL_CSV), dtype=str, keep_default_na=False)
    source = _write_input(rows.to_dict("records"), tmp_path / f"in.{fmt}", fmt)
    mapping = {"full_name": "name", "ref": "id"}
    expected, expected_rejects = read_records(source, mapping)

    chunks = list(iter_records(source, mapping, chunk_rows=chunk_rows))
    records = pd.concat([c for c, _ in chunks], ignore_index=True)
    rejects = [p for _, found in chunks for p in found]

    assert _plain(records) == _plain(expected)
    assert [str(p) for p in rejects] == [str(p) for p in expected_rejects]
    assert len(rejects) == 1 and rejects[0].location.file == str(source)
    assert sum(bool(w) for w in records["warnings"]) == 2  # the bad schema and country
    # a missing id defaults to the record's line in the whole file, not in its chunk
    first = 2 if fmt == "csv" else 1
    assert list(records["id"]) == [
        "c1",
        str(first + 2),
        "c4",
        "c5",
        str(first + 5),
        str(first + 6),
        "c8",
    ]


def test_chunked_reader_names_the_input_when_a_column_is_missing(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("who,schema\nJoaquin Guzman,Person\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'name' column") as raised:
        list(iter_records(source))
    assert raised.value.location.file == str(source)


def test_chunked_reader_bad_json_lines_keep_their_numbers(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = ['{"id": "a", "name": "Joaquin Guzman"}', "not json", "", "[1]", '{"name": "Tren"}']
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chunks = list(iter_records(source, chunk_rows=2))
    records = pd.concat([c for c, _ in chunks])
    assert list(records["id"]) == ["a", "5"] and list(records["line"]) == [1, 5]
    assert [p.location.line for _, found in chunks for p in found] == [2, 4]  # 3 is blank


# ----------------------------------------------------------------------------------------------
# on a LocalCluster of worker processes


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster) as connected:
        yield connected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("in_fmt", "out_fmt"),
    [("csv", "csv"), ("parquet", "parquet"), ("jsonl", "jsonl"), ("csv", "parquet")],
)
def test_dask_run_equals_the_local_run_on_the_bundled_lists(
    tmp_path: Path, client: Client, in_fmt: str, out_fmt: str
) -> None:
    screener = bundled_screener()
    source = _write_input(_rows(), tmp_path / f"in.{in_fmt}", in_fmt)
    records, rejects = read_records(source)
    local_out = tmp_path / f"local.{out_fmt}"
    write_results(screen_records(records, screener, workers=1), local_out)

    seen = []
    dask_out = tmp_path / f"dask.{out_fmt}"
    summary = run_dask(
        source,
        dask_out,
        client,
        screener=screener,
        chunk_rows=37,
        max_in_flight=4,
        on_problem=seen.append,
    )

    local, distributed = _read_output(local_out), _read_output(dask_out)
    assert len(local) > 100 and local["query_id"].str.startswith("list-").any()
    pd.testing.assert_frame_equal(distributed, local, check_dtype=False)
    assert summary.workers == 3 and summary.chunks > 3 * 4
    assert summary.records == len(records) and summary.rows == len(local)
    assert summary.hits == (local["status"] == "hit").sum() and summary.warned == 2
    assert [str(p) for p in seen] == [str(p) for p in rejects]
    first_line = 2 if in_fmt == "csv" else 1
    assert [p.location.line for p in seen] == [first_line + BAD_POSITIONS[0]]


@pytest.mark.slow
def test_cli_dask_run_equals_the_cli_local_run(tmp_path: Path, cluster: LocalCluster) -> None:
    source = _write_input(_rows(), tmp_path / "in.csv", "csv")
    runner = CliRunner()
    local = runner.invoke(app, ["screen-file", str(source), "--out", str(tmp_path / "l.csv")])
    assert local.exit_code == 1, local.output  # the nameless row is rejected
    shipped = runner.invoke(
        app,
        [
            "screen-file",
            str(source),
            "--out",
            str(tmp_path / "d.csv"),
            "--dask",
            cluster.scheduler_address,
        ],
    )
    assert shipped.exit_code == 1, shipped.output
    assert "on 3 dask workers" in shipped.output
    assert "line 19, field 'name': no name" in shipped.output
    assert "line 80: schema: unknown schema 'Spaceship'" in shipped.output
    assert (tmp_path / "d.rejects.csv").read_text() == (tmp_path / "l.rejects.csv").read_text()
    expected = _read_output(tmp_path / "l.csv")
    assert len(expected) > 0
    pd.testing.assert_frame_equal(_read_output(tmp_path / "d.csv"), expected)

    # workers reading a shared index folder instead of receiving it
    folder = Screener.open().persist()
    shared = runner.invoke(
        app,
        [
            "screen-file",
            str(source),
            "--out",
            str(tmp_path / "s.csv"),
            "--dask",
            cluster.scheduler_address,
            "--index-path",
            str(folder),
            "--allow-rejects",
        ],
    )
    assert shared.exit_code == 0, shared.output
    pd.testing.assert_frame_equal(_read_output(tmp_path / "s.csv"), expected)


@pytest.mark.slow
def test_cli_dask_reports_an_index_workers_cannot_open(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    source = _write_input(_rows()[:5], tmp_path / "in.csv", "csv")
    result = CliRunner().invoke(
        app,
        [
            "screen-file",
            str(source),
            "--out",
            str(tmp_path / "o.csv"),
            "--dask",
            cluster.scheduler_address,
            "--index-path",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert "a dask worker cannot open the index" in result.output
    assert "Traceback" not in result.output


def test_cli_index_path_needs_dask(tmp_path: Path) -> None:
    source = _write_input(_rows()[:5], tmp_path / "in.csv", "csv")
    result = CliRunner().invoke(
        app,
        [
            "screen-file",
            str(source),
            "--out",
            str(tmp_path / "o.csv"),
            "--index-path",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "--index-path needs --dask" in result.output
