"""Issue 13's import findings, on the real list files and a real database through the CLI:
lists only move forward (roll-backs are deliberate and audited), a folder or file that holds no
list is an error, a DTD is refused, and an import says what it commits and leaves a trace when
it is killed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from select import select as wait_readable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from clearance.cli.main import app
from clearance.model import DATASET_OFAC_SDN, DATASET_UN
from clearance.monitoring.audit import verify_chain
from clearance.monitoring.tables import AuditEvent
from clearance.sources import read_paths
from clearance.store import Store
from conftest import LISTS

SDN = LISTS / "ofac_sdn"
UN_FILE = LISTS / "un" / "UN_consolidated.xml"
CONS_XML = LISTS / "ofac_cons" / "xml_2025-06-30" / "consolidated.xml"
runner = CliRunner()


def invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def versions() -> list[dict[str, Any]]:
    return json.loads(ok("lists", "versions", "--format", "json"))


def active(dataset: str) -> dict[str, Any]:
    return next(v for v in versions() if v["dataset"] == dataset and v["active"])


def audit_events(action: str) -> list[AuditEvent]:
    with Store.open() as store, Session(store.engine) as session:
        assert verify_chain(session).ok
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        events = list(session.execute(query).scalars())
        session.expunge_all()
    return events


def un_copy(folder: Path, generated: str, edit: Any = None) -> Path:
    """The real UN list with another ``dateGenerated`` (and an optional edit of its text)."""
    text = UN_FILE.read_text(encoding="utf-8")
    text, count = re.subn(r'dateGenerated="[^"]+"', f'dateGenerated="{generated}"', text, count=1)
    assert count == 1
    if edit is not None:
        text = edit(text)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "UN_consolidated.xml"
    path.write_text(text, encoding="utf-8")
    return path


# --- publication dates ---------------------------------------------------------------------


def test_each_format_states_its_publication_date(tmp_path: Path) -> None:
    """OFAC CSV: the date in the folder name; OFAC XML: Publish_Date; UN XML: dateGenerated;
    a CSV in a folder without a date has none."""
    published = {
        batch.files[0].name: batch.published
        for batch in read_paths([SDN / "sdn_2024-05-03", CONS_XML, UN_FILE])
    }
    assert published == {
        "sdn.csv": "2024-05-03",
        "consolidated.xml": "2025-06-30",
        "UN_consolidated.xml": "2026-02-27",
    }
    dateless = tmp_path / "mirror"
    dateless.mkdir()
    shutil.copy(SDN / "sdn_2024-04-04" / "sdn.csv", dateless / "sdn.csv")
    [batch] = read_paths([dateless])
    assert batch.published is None


# --- lists only move forward ---------------------------------------------------------------


def test_an_older_list_is_refused_naming_file_dataset_and_both_dates() -> None:
    ok("lists", "import", str(SDN / "sdn_2024-05-03"))
    newer = active(DATASET_OFAC_SDN)
    result = invoke("lists", "import", str(SDN / "sdn_2024-04-04"))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert str(SDN / "sdn_2024-04-04" / "sdn.csv") in message
    assert DATASET_OFAC_SDN in message
    assert "published 2024-04-04" in message and "published 2024-05-03" in message
    assert "--allow-older" in message
    assert active(DATASET_OFAC_SDN)["id"] == newer["id"]
    assert [v["id"] for v in versions() if v["dataset"] == DATASET_OFAC_SDN] == [newer["id"]]


def test_an_older_xml_list_is_refused_too(tmp_path: Path) -> None:
    ok("lists", "import", str(UN_FILE))
    stale = un_copy(tmp_path / "mirror", "2025-11-20T00:00:01.000Z")
    result = invoke("lists", "import", str(stale.parent))
    assert result.exit_code == 1
    assert "published 2025-11-20" in result.stderr and "published 2026-02-27" in result.stderr
    newer = un_copy(tmp_path / "next", "2026-03-01T00:00:01.000Z")
    assert "imported" in ok("lists", "import", str(newer))


def test_a_stale_file_in_a_folder_refuses_the_whole_import(tmp_path: Path) -> None:
    """Every batch is checked before anything is written: the good list is not imported."""
    ok("lists", "import", str(UN_FILE))
    before = versions()
    stale = un_copy(tmp_path / "un", "2025-11-20T00:00:01.000Z")
    result = invoke("lists", "import", str(CONS_XML), str(stale))
    assert result.exit_code == 1 and DATASET_UN in result.stderr
    assert versions() == before


def test_allow_older_rolls_back_on_purpose_and_is_audited() -> None:
    ok("lists", "import", str(SDN / "sdn_2024-05-03"))
    newer = active(DATASET_OFAC_SDN)
    output = ok("lists", "import", str(SDN / "sdn_2024-04-04"), "--allow-older", "--user", "ana")
    assert "published later (2024-05-03; audited)" in output
    older = active(DATASET_OFAC_SDN)
    assert older["published"] == "2024-04-04"
    [event] = audit_events("lists.imported_older")
    assert event.actor == "ana"
    assert json.loads(event.detail) == {
        "dataset": DATASET_OFAC_SDN,
        "version": older["id"],
        "published": "2024-04-04",
        "label": older["label"],
        "replaced_version": newer["id"],
        "replaced_published": "2024-05-03",
    }


def test_lists_activate_rolls_back_and_is_audited() -> None:
    ok("lists", "import", str(SDN / "sdn_2024-05-01"))
    old = active(DATASET_OFAC_SDN)
    ok("lists", "import", str(SDN / "sdn_2024-05-03"))
    new = active(DATASET_OFAC_SDN)
    assert "is active" in ok("lists", "activate", str(old["id"]), "--user", "bob")
    assert active(DATASET_OFAC_SDN)["id"] == old["id"]
    ok("lists", "activate", str(new["id"]), "--user", "bob")
    back, forward = audit_events("lists.activated")
    assert (back.actor, forward.actor) == ("bob", "bob")
    assert json.loads(back.detail)["older"] is True
    assert json.loads(back.detail)["replaced_version"] == new["id"]
    assert json.loads(forward.detail)["older"] is False


def test_a_list_without_a_date_is_imported_as_it_cannot_be_ordered(tmp_path: Path) -> None:
    """A CSV mirror in a folder without a date (as `lists update` downloads) is not refused."""
    ok("lists", "import", str(SDN / "sdn_2024-05-03"))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(SDN / "sdn_2024-05-01" / "sdn.csv", mirror / "sdn.csv")
    ok("lists", "import", str(mirror))
    assert active(DATASET_OFAC_SDN)["published"] is None


# --- folders and files that hold no list ---------------------------------------------------


def test_an_empty_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "download"
    folder.mkdir()
    result = invoke("lists", "import", str(folder))
    assert result.exit_code == 1
    assert f"{folder}: no list file in this folder (it is empty)" in result.stderr


def test_a_folder_of_other_files_is_an_error_saying_what_it_found(tmp_path: Path) -> None:
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "MANIFEST.md").write_text("# nothing here\n")
    (folder / "sdn.csv.sha256").write_text("0" * 64 + "  sdn.csv\n")
    result = invoke("lists", "import", str(folder))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert str(folder) in message and "MANIFEST.md" in message and "sdn.csv.sha256" in message


def test_random_bytes_named_like_a_list_are_an_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "download"
    folder.mkdir()
    garbage = folder / "UN_consolidated.xml"
    garbage.write_bytes(os.urandom(4096).replace(b"<", b"x"))
    shutil.copy(CONS_XML, folder / "consolidated.xml")
    result = invoke("lists", "import", str(folder))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"{garbage}: not a list file" in message and "binary data" in message
    assert [v["dataset"] for v in versions()] == ["us_designations"], "nothing was imported"


# --- DTDs and entities ---------------------------------------------------------------------


def _with_entity(text: str) -> str:
    """The real UN file with an external entity declared and used in the first FIRST_NAME."""
    declaration = textwrap.dedent(
        """\
        <!DOCTYPE CONSOLIDATED_LIST [
          <!ELEMENT CONSOLIDATED_LIST ANY>
          <!ENTITY name SYSTEM "file:///etc/hostname">
        ]>
        """
    )
    start = text.index("<CONSOLIDATED_LIST")
    text = text[:start] + declaration + text[start:]
    return re.sub(
        r"<FIRST_NAME>[^<]*</FIRST_NAME>", "<FIRST_NAME>&name;</FIRST_NAME>", text, count=1
    )


def test_a_list_declaring_an_entity_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = un_copy(tmp_path / "un", "2026-02-27T00:00:09.554Z", _with_entity)
    line = 1 + path.read_text(encoding="utf-8").split("\n").index(
        '  <!ENTITY name SYSTEM "file:///etc/hostname">'
    )
    result = invoke("lists", "import", str(path))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"{path}, line {line}: the file declares entities (name)" in message
    assert [v["dataset"] for v in versions()] == ["us_designations"]


def test_a_doctype_without_entities_is_refused_too(tmp_path: Path) -> None:
    def doctype(text: str) -> str:
        start = text.index("<CONSOLIDATED_LIST")
        return text[:start] + '<!DOCTYPE CONSOLIDATED_LIST SYSTEM "list.dtd">\n' + text[start:]

    path = un_copy(tmp_path / "un", "2026-02-27T00:00:09.554Z", doctype)
    result = invoke("lists", "import", str(path))
    assert result.exit_code == 1
    assert "declares a DTD" in result.stderr


# --- progress and killed imports -----------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, time
    from clearance.store import store as store_module

    real_row = store_module._entity_row
    seen = set()

    def pause_in_the_second_dataset(version_id, entity):
        seen.add(version_id)
        if len(seen) == 2:
            print("PAUSED", file=sys.stderr, flush=True)
            time.sleep(600)
        return real_row(version_id, entity)

    store_module._entity_row = pause_in_the_second_dataset
    from clearance.cli.main import app
    app(["lists", "import", *sys.argv[1:]])
    """
)


@pytest.mark.slow
def test_import_prints_each_dataset_as_committed_and_a_killed_one_is_listed_failed() -> None:
    """The first dataset's line is out while the second is being written; after a SIGKILL the
    first stays active and the second is listed as a failed (interrupted) attempt."""
    with Store.open():
        pass  # the register is in place, so the child's first version is the first dataset
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(CONS_XML), str(UN_FILE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None and child.stdout is not None
        assert child.stderr.readline().strip() == "PAUSED"
        # Before the import printed as it went, nothing came out until the end: wait a while.
        ready, _, _ = wait_readable([child.stdout], [], [], 30)
        assert ready, "no line printed for the committed dataset"
        first_line = child.stdout.readline()
        assert first_line.startswith("imported  us_ofac_cons version")
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL

    listed = versions()
    cons = next(v for v in listed if v["dataset"] == "us_ofac_cons")
    assert cons["active"] and cons["status"] == "complete"
    [un] = [v for v in listed if v["dataset"] == DATASET_UN]
    assert un["status"] == "failed" and not un["active"]
    assert un["error"] == f"interrupted: process {child.pid} ended before the import finished"
    table = ok("lists", "versions")
    assert "failed" in table and "interrupted" in " ".join(table.split())
    assert "imported" in ok("lists", "import", str(UN_FILE)), "the retry imports it"


def test_a_running_import_is_not_marked_failed(tmp_path: Path) -> None:
    """An ``importing`` row whose process still runs stays as it is when another opens."""
    with Store.open() as store:
        [batch] = read_paths([CONS_XML])
        version_id = store._begin_import(batch, len(batch.entities), 0, _now())
        assert store.fail_interrupted_imports() == []
    [row] = [v for v in versions() if v["id"] == version_id]
    assert row["status"] == "importing"


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
