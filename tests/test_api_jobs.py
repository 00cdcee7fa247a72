"""Batch jobs over HTTP on the real lists: every named row screened (warnings and rejects in
the job), errors that name the uploaded file and never a server path, and a job whose server
is killed mid-run: marked ``interrupted`` at the next start and resumed after its last
committed chunk."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api_support import app_for, free_port, prepared
from clearance.api import jobs as jobs_module
from conftest import LISTS

pytestmark = pytest.mark.slow

#: Good rows, one per kind of bad field, ragged and unparseable rows, a row without a name.
MIXED = """id,name,schema,birth_date,country
g1,GUZMAN LOERA Joaquin,Person,25/12/1954,mx
g2,GUZMAN LOERA Joaquin,Person,1957-04-32,zz
g3,CARO QUINTERO Rafael,Person,1954-13-25,Narnia
g4,Tren de Aragua,Spaceship,,
r1,a,b,c,d,e,f
r2,"ZAMBADA GARCIA Ismael,Person,1948,mx
g5,Jane Smithfield,Person,03/04/1954,Alemania
,,Person,,
g6,ZAMBADA GARCIA Ismael,Person,1 Jan 1948,Mexicano
"""


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app_for()) as c:
        yield c


def _h(role: str = "analyst") -> dict[str, str]:
    return {"X-API-Key": prepared().keys[role]}


def _finished(client: TestClient | httpx.Client, job_id: str, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + 120
    while (job := client.get(f"/jobs/{job_id}", headers=headers).json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def test_a_mixed_file_screens_every_named_row_and_reports_the_rest(client: TestClient) -> None:
    started = client.post(
        "/screen/batch", files={"file": ("customers.csv", MIXED, "text/csv")}, headers=_h()
    )
    assert started.status_code == 202, started.text
    job = _finished(client, started.json()["id"], _h())
    assert job["status"] == "done", job
    assert job["rows_total"] == 6 == job["rows_done"]
    assert job["rejected"] == 3 and job["records_with_warnings"] == 4
    prefixes = [
        "rejected: customers.csv, line 6: ",
        "rejected: customers.csv, line 7: ",
        "rejected: customers.csv, line 9, field 'name': ",
    ]
    assert len(job["errors"]) == 3
    assert all(e.startswith(p) for e, p in zip(job["errors"], prefixes, strict=True))
    assert any("line 3: country: unknown country 'zz'" in w for w in job["warnings"])
    table = pd.read_csv(
        io.StringIO(client.get(job["results_url"] + "?format=csv", headers=_h()).text)
    )
    hits = table[table.status == "hit"]
    assert {"g1", "g2", "g3", "g4", "g6"} <= set(hits.query_id)
    guzman = hits[hits.caption.str.contains("GUZMAN LOERA")]
    assert {"g1", "g2"} <= set(guzman.query_id)
    g2 = table[table.query_id == "g2"].iloc[0]
    assert "birth_date: impossible birth date '1957-04-32'" in g2.warnings
    assert "country: unknown country 'zz'" in g2.warnings
    assert "us_ofac_sdn=" in g2.list_versions
    g5 = table[table.query_id == "g5"]  # no hit, but its warnings are in the results
    assert list(g5.status) == ["no_hit"] and "ambiguous birth date" in g5.iloc[0].warnings
    parquet = pd.read_parquet(
        io.BytesIO(client.get(job["results_url"] + "?format=parquet", headers=_h()).content)
    )
    assert len(parquet) == len(table) and list(parquet.iloc[0].warnings) is not None
    rejects = pd.read_csv(io.StringIO(client.get(job["rejects_url"], headers=_h()).text))
    assert list(rejects.line) == [6, 7, 9]
    assert "header has 5" in rejects.reason[0] and "unterminated quote" in rejects.reason[1]


def test_all_records_lists_every_record(client: TestClient) -> None:
    started = client.post(
        "/screen/batch",
        files={"file": ("customers.csv", MIXED, "text/csv")},
        data={"all_records": "true", "date_order": "dmy"},
        headers=_h(),
    )
    job = _finished(client, started.json()["id"], _h())
    table = pd.read_csv(
        io.StringIO(client.get(job["results_url"] + "?format=csv", headers=_h()).text)
    )
    assert set(table.query_id) == {"g1", "g2", "g3", "g4", "g5", "g6"}
    assert table.list_versions.str.contains("us_ofac_sdn=").all()
    g5 = table[table.query_id == "g5"].iloc[0]
    assert g5.status == "no_hit" and "ambiguous" not in str(g5.warnings)  # dmy fixed it


def test_job_errors_name_the_uploaded_file_never_a_server_path(client: TestClient) -> None:
    latin1 = "id,name\n1,Cartel de los Soles\n2,José Ramírez\n".encode("latin-1")
    started = client.post(
        "/screen/batch", files={"file": ("customers.csv", latin1, "text/csv")}, headers=_h()
    )
    job = _finished(client, started.json()["id"], _h())
    assert job["status"] == "failed"
    [error] = job["errors"]
    assert error.startswith("customers.csv, line 3: ") and "UTF-8" in error
    jobs_dir = str(prepared().settings.jobs_dir)
    assert jobs_dir not in str(job) and "input.csv" not in str(job)


# ----------------------------------------------------------------------------------------------
# a real server, killed during a job


def _serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CLEARANCE_HOME": str(home)}
    env.pop("CLEARANCE_DATABASE_URL", None)
    command = [str(Path(sys.executable).parent / "clearance"), "serve", "--no-auth"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while True:
        assert process.poll() is None, "the server exited"
        assert time.monotonic() < deadline, "the server did not get ready"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)


def test_a_job_of_a_killed_server_is_interrupted_then_resumed(tmp_path: Path) -> None:
    from clearance.store import Store

    home = tmp_path / "home"
    store = Store.open(f"sqlite:///{home / 'clearance.sqlite'}")
    store.import_paths([LISTS / "ofac_sdn" / "sdn_2024-05-03"])
    store.close()
    names = ["GUZMAN LOERA Joaquin", "Tren de Aragua", "Maria Fernanda Lopez Garza"]
    rows = [(f"c{i}", names[i % 3]) for i in range(12 * jobs_module.CHUNK_ROWS)]
    upload = "id,name\n" + "".join(f"{i},{n}\n" for i, n in rows)
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    server = _serve(home, port)
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            started = http.post(
                "/screen/batch", files={"file": ("customers.csv", upload, "text/csv")}
            )
            assert started.status_code == 202, started.text
            job_id = started.json()["id"]
            deadline = time.monotonic() + 120
            while http.get(f"/jobs/{job_id}").json()["rows_done"] < 2 * jobs_module.CHUNK_ROWS:
                assert time.monotonic() < deadline
                time.sleep(0.02)
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    folder = home / "jobs" / job_id
    committed = {p.name: p.stat().st_mtime_ns for p in (folder / "chunks").glob("*.parquet")}
    assert committed and len(committed) < 12  # killed mid-run

    server = _serve(home, port)
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            job = http.get(f"/jobs/{job_id}").json()
            assert job["status"] == "interrupted", job  # not "running" forever
            assert f"POST /jobs/{job_id}/resume" in job["errors"][-1]
            assert http.get(f"/jobs/{job_id}/results").status_code == 409
            resumed = http.post(f"/jobs/{job_id}/resume")
            assert resumed.status_code == 202, resumed.text
            assert http.post(f"/jobs/{job_id}/resume").status_code == 409  # not twice
            job = _finished(http, job_id, {})
            assert job["status"] == "done", job
            assert job["rows_done"] == job["rows_total"] == len(rows)
            table = pd.read_parquet(
                io.BytesIO(http.get(f"/jobs/{job_id}/results?format=parquet").content)
            )
    finally:
        server.kill()
        server.wait(timeout=30)
    # the chunks committed before the kill were kept, not screened again
    for name, mtime in committed.items():
        assert (folder / "chunks" / name).stat().st_mtime_ns == mtime
    guzman = table[table.caption.fillna("").str.contains("GUZMAN LOERA")]
    assert len(set(guzman.query_id)) == len(rows) // 3  # every Guzman row, before and after
    assert str(folder) not in str(job)
