"""``clearance lists ...`` and ``clearance info`` on the real bundled list files."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from clearance import register
from clearance.cli.main import app
from clearance.sources import download
from clearance.store import Store
from conftest import LISTS

SDN = LISTS / "ofac_sdn"
runner = CliRunner()


def invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def ok_json(*args: str) -> Any:
    return json.loads(ok(*args, "--format", "json"))


def version_ids(home: Path) -> list[int]:
    with Store.open(f"sqlite:///{home / 'clearance.sqlite'}") as store:
        return [v.id for v in store.versions(include_failed=True)]


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data directory where the CLI imported two SDN days and the UN list."""
    home = tmp_path_factory.mktemp("loaded")
    patch = pytest.MonkeyPatch()
    patch.setenv("CLEARANCE_HOME", str(home))
    patch.delenv("CLEARANCE_DATABASE_URL", raising=False)
    result = runner.invoke(
        app,
        [
            "lists",
            "import",
            str(SDN / "sdn_2024-05-01"),
            str(SDN / "sdn_2024-05-03"),
            str(LISTS / "un"),
        ],
    )
    patch.undo()
    assert result.exit_code == 0, result.output + result.stderr
    yield home


@pytest.fixture
def loaded(loaded_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLEARANCE_HOME", str(loaded_home))
    return loaded_home


# --- import --------------------------------------------------------------------------------


def test_import_reports_versions_counts_and_unchanged_reimport() -> None:
    first = ok_json("lists", "import", str(LISTS / "un"))["results"]
    assert [r["outcome"] for r in first] == ["imported"]
    assert first[0]["version"]["dataset"] == "un_sc_sanctions"
    assert first[0]["version"]["entity_count"] == 730 + 273  # MANIFEST: INDIVIDUAL + ENTITY
    again = ok("lists", "import", str(LISTS / "un"))
    assert "unchanged" in again
    assert str(first[0]["version"]["id"]) in again


def test_import_summarises_warnings_and_lists_them_when_verbose() -> None:
    folder = LISTS / "ofac_cons" / "csv_2025-12"
    quiet = ok("lists", "import", str(folder))
    assert "Use --verbose" in quiet
    result = json.loads(ok("lists", "import", str(folder), "--format", "json"))["results"][0]
    assert result["outcome"] == "unchanged"
    warnings = result["warnings"]
    assert warnings, "the cons CSV set has orphan rows"
    verbose = ok("lists", "import", str(folder), "--verbose")
    for warning in warnings:
        assert f"line {warning['line']}" in verbose.replace("\n", " ")


def test_bad_file_is_a_clear_error_naming_file_and_line_and_store_is_untouched(
    tmp_path: Path,
) -> None:
    ok("lists", "import", str(LISTS / "un"))
    home = Path(os.environ["CLEARANCE_HOME"])
    before = version_ids(home)
    truncated = tmp_path / "sdn.csv"
    truncated.write_bytes((SDN / "sdn_2024-05-03" / "sdn.csv").read_bytes()[:5000])
    result = invoke("lists", "import", str(LISTS / "ofac_cons" / "xml_2025-06-30"), str(truncated))
    assert result.exit_code == 1
    assert f"{truncated}, line " in result.stderr and "truncated" in result.stderr
    assert version_ids(home) == before, "nothing imported, not even the good file"


def test_missing_path_is_a_clear_error() -> None:
    result = invoke("lists", "import", "/no/such/folder")
    assert result.exit_code == 1
    assert "no such file or folder: /no/such/folder" in result.stderr


def test_unreachable_database_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "CLEARANCE_DATABASE_URL",
        "postgresql+psycopg://postgres:hunter2@127.0.0.1:1/none?connect_timeout=2",
    )
    for command in (["lists", "status"], ["info"]):
        result = invoke(*command)
        assert result.exit_code == 1
        assert "cannot open the database" in result.stderr
        assert "hunter2" not in result.stderr


# --- status, versions, activate ------------------------------------------------------------


def test_status_lists_active_versions_with_counts(loaded: Path) -> None:
    data = ok_json("lists", "status")
    active = {d["dataset"]: d for d in data["datasets"]}
    assert set(active) == {"us_ofac_sdn", "un_sc_sanctions", "us_designations"}
    assert active["us_ofac_sdn"]["entity_count"] == 14965
    assert active["us_ofac_sdn"]["published"] == "2024-05-03"
    assert active["us_ofac_sdn"]["stored_versions"] == 2
    assert active["us_designations"]["entity_count"] == len(register.load())
    table = ok("lists", "status")
    assert "us_ofac_sdn" in table and "14965" in table


def test_versions_lists_every_version_oldest_first(loaded: Path) -> None:
    found = ok_json("lists", "versions", "--dataset", "us_ofac_sdn")
    assert [v["published"] for v in found] == ["2024-05-01", "2024-05-03"]
    assert [v["active"] for v in found] == [False, True]
    assert [v["entity_count"] for v in found] == [14966, 14965]


def test_activate_rolls_back_and_forward() -> None:
    ok("lists", "import", str(LISTS / "ofac_cons"))
    older, newer = ok_json("lists", "versions", "--dataset", "us_ofac_cons")
    assert (older["format"], newer["format"]) == ("ofac_xml", "ofac_csv")
    assert "is active" in ok("lists", "activate", str(older["id"]))
    status = {d["dataset"]: d["id"] for d in ok_json("lists", "status")["datasets"]}
    assert status["us_ofac_cons"] == older["id"]
    ok("lists", "activate", str(newer["id"]))
    status = {d["dataset"]: d["id"] for d in ok_json("lists", "status")["datasets"]}
    assert status["us_ofac_cons"] == newer["id"]
    result = invoke("lists", "activate", "999")
    assert result.exit_code == 1 and "no list version 999" in result.stderr


# --- diff and show -------------------------------------------------------------------------


def test_diff_defaults_to_previous_against_active(loaded: Path) -> None:
    [diff] = ok_json("lists", "diff")["diffs"]
    assert diff["dataset"] == "us_ofac_sdn"
    assert diff["counts"] == {"added": 7, "removed": 8, "changed": 0}
    assert ok_json("lists", "diff", "--dataset", "un_sc_sanctions")["diffs"] == []
    table = ok("lists", "diff")
    assert "7 added, 8 removed, 0 changed" in table


def test_diff_between_named_versions(loaded: Path) -> None:
    older, newer = ok_json("lists", "versions", "--dataset", "us_ofac_sdn")
    [diff] = ok_json("lists", "diff", str(newer["id"]), str(older["id"]))["diffs"]
    assert diff["counts"] == {"added": 8, "removed": 7, "changed": 0}
    un = ok_json("lists", "versions", "--dataset", "un_sc_sanctions")[0]
    result = invoke("lists", "diff", str(older["id"]), str(un["id"]))
    assert result.exit_code == 1 and "different datasets" in result.stderr
    result = invoke("lists", "diff", str(older["id"]))
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_show_entity_as_table_and_json(loaded: Path) -> None:
    table = ok("lists", "show", "us_ofac_sdn:22790")
    assert "MADURO MOROS, Nicolas" in table and "VENEZUELA" in table
    data = ok_json("lists", "show", "us_ofac_sdn:22790")
    assert data["entity"]["id"] == "us_ofac_sdn:22790"
    assert len(data["versions"]) == 2
    removed = ok_json("lists", "diff")["diffs"][0]["removed"][0]
    missing = invoke("lists", "show", removed)
    assert missing.exit_code == 1 and "no entity" in missing.stderr
    older = ok_json("lists", "versions", "--dataset", "us_ofac_sdn")[0]
    old = ok_json("lists", "show", removed, "--version", str(older["id"]))
    assert old["entity"]["id"] == removed


# --- info ----------------------------------------------------------------------------------


def test_info_json_has_version_database_and_active_datasets(loaded: Path) -> None:
    data = ok_json("info")
    assert data["version"]
    assert data["database"] == f"sqlite:///{loaded / 'clearance.sqlite'}"
    by_dataset = {d["dataset"]: d for d in data["datasets"]}
    status = {d["dataset"]: d for d in ok_json("lists", "status")["datasets"]}
    for name, entry in by_dataset.items():
        assert entry["version_id"] == status[name]["id"]
        assert entry["label"] == status[name]["label"]
        assert entry["entity_count"] == status[name]["entity_count"]


@pytest.mark.postgres
def test_info_on_postgresql_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        admin = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3",
            autocommit=True,
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {exc}")
    name = f"clearance_test_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        # The local server trusts its clients, so any password is accepted and must be hidden.
        url = f"postgresql+psycopg://postgres:hunter2@127.0.0.1:5432/{name}"
        monkeypatch.setenv("CLEARANCE_DATABASE_URL", url)
        ok("lists", "import", str(LISTS / "un"))
        output = ok("info", "--format", "json")
        assert "hunter2" not in output
        data = json.loads(output)
        assert data["database"] == f"postgresql+psycopg://postgres:***@127.0.0.1:5432/{name}"
        assert {d["dataset"] for d in data["datasets"]} == {"un_sc_sanctions", "us_designations"}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# --- update --------------------------------------------------------------------------------

#: Bundled files standing in for each official download.
SERVED = {
    "SDN.CSV": SDN / "sdn_2024-05-03" / "sdn.csv",
    "ADD.CSV": SDN / "addalt_2026" / "add.csv",
    "ALT.CSV": SDN / "addalt_2026" / "alt.csv",
    "SDN_COMMENTS.CSV": SDN / "comments_2025-12" / "sdn_comments.csv",
    "CONS_PRIM.CSV": LISTS / "ofac_cons" / "csv_2025-12" / "cons_prim.csv",
    "CONS_ADD.CSV": LISTS / "ofac_cons" / "csv_2025-12" / "cons_add.csv",
    "CONS_ALT.CSV": LISTS / "ofac_cons" / "csv_2025-12" / "cons_alt.csv",
    "CONS_COMMENTS.CSV": LISTS / "ofac_cons" / "csv_2025-12" / "cons_comments.csv",
    "consolidated.xml": LISTS / "un" / "UN_consolidated.xml",
}


def _serve(transport: httpx.BaseTransport, monkeypatch: pytest.MonkeyPatch) -> None:
    """Route the real downloader through ``transport`` instead of the network."""
    real = download.download_official
    monkeypatch.setattr(
        download, "download_official", partial(real, transport=transport, backoff=0)
    )


def test_update_offline_says_so_and_leaves_the_store_untouched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ok("lists", "import", str(LISTS / "un"))
    home = Path(os.environ["CLEARANCE_HOME"])
    before = version_ids(home)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    _serve(httpx.MockTransport(unreachable), monkeypatch)
    result = invoke("lists", "update")
    assert result.exit_code == 1
    assert "offline" in result.stderr and "could not download the official lists" in result.stderr
    assert version_ids(home) == before


@pytest.mark.slow
def test_update_downloads_then_imports_every_official_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def official(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=SERVED[request.url.path.rsplit("/", 1)[1]].read_bytes())

    _serve(httpx.MockTransport(official), monkeypatch)
    results = ok_json("lists", "update")["results"]
    counts = {r["version"]["dataset"]: r["version"]["entity_count"] for r in results}
    assert counts["un_sc_sanctions"] == 1003
    assert counts["us_ofac_cons"] == 442
    assert counts["us_ofac_sdn"] == 14965
    assert all(r["outcome"] == "imported" for r in results)


# --- the installed executable ---------------------------------------------------------------


@pytest.mark.slow
def test_clearance_executable_imports_and_reports(tmp_path: Path) -> None:
    """One real run of the installed ``clearance`` script (start-up, entry point, exit code)."""
    executable = Path(sys.executable).parent / "clearance"
    env = {**os.environ, "CLEARANCE_HOME": str(tmp_path)}
    env.pop("CLEARANCE_DATABASE_URL", None)
    completed = subprocess.run(
        [str(executable), "lists", "import", str(LISTS / "un"), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    [result] = json.loads(completed.stdout)["results"]
    assert (result["outcome"], result["version"]["entity_count"]) == ("imported", 1003)
    with Store.open(f"sqlite:///{tmp_path / 'clearance.sqlite'}") as store:
        assert {v.dataset for v in store.active_versions()} == {
            "un_sc_sanctions",
            "us_designations",
        }
