"""The versioned store on SQLite and PostgreSQL: versions, atomic activation, diffs, crashes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from clearance import register
from clearance.errors import InputWarning, Location
from clearance.model import DATASET_OFAC_SDN, DATASET_REGISTER, Entity, Name, NameKind
from clearance.sources import read_paths
from clearance.sources.batch import SourceBatch
from clearance.sources.ofac_csv import build_entities, read_table
from clearance.store import OUTCOME_IMPORTED, OUTCOME_UNCHANGED, Store, StoreError, VersionInfo
from clearance.store import store as store_module
from clearance.store.codec import encode
from clearance.store.tables import Base, DatasetVersion, EntityRecord
from conftest import LISTS

SDN = LISTS / "ofac_sdn"
SDN_VERSIONS = ("sdn_2024-04-04", "sdn_2024-05-01", "sdn_2024-05-03")
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


# --- databases ------------------------------------------------------------------------------


def _pg_admin() -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {exc}")


def _database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database URL; a PostgreSQL database is created here and dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.sqlite'}"
        return
    admin = _pg_admin()
    name = f"clearance_test_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _database(request.param, tmp_path)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


# --- batches --------------------------------------------------------------------------------


def sdn_batch(folder: str) -> SourceBatch:
    """One bundled sdn.csv as a batch, hashed over its bytes as the importers do."""
    path = SDN / folder / "sdn.csv"
    entities, warnings = build_entities(read_table(path))
    return SourceBatch(
        dataset=DATASET_OFAC_SDN,
        entities=entities,
        files=[path],
        content_hash=hashlib.sha256(path.read_bytes()).hexdigest(),
        label=folder,
        format="ofac_csv",
        published=folder.removeprefix("sdn_"),
        warnings=warnings,
    )


@pytest.fixture(scope="session")
def sdn_batches() -> dict[str, SourceBatch]:
    return {folder: sdn_batch(folder) for folder in SDN_VERSIONS}


def person(native_id: str, name: str, **fields: Any) -> Entity:
    return Entity(
        id=f"{DATASET_OFAC_SDN}:{native_id}",
        schema="Person",
        names=[Name(name, NameKind.PRIMARY)],
        source={"file": "sdn.csv", "line": int(native_id)},
        **fields,
    )


def small_batch(tag: str, entities: list[Entity], warnings: list[InputWarning] = ()) -> SourceBatch:
    return SourceBatch(
        dataset=DATASET_OFAC_SDN,
        entities=entities,
        files=[Path(f"{tag}.csv")],
        content_hash=hashlib.sha256(tag.encode()).hexdigest(),
        label=tag,
        format="ofac_csv",
        warnings=list(warnings),
    )


def first_batch() -> SourceBatch:
    return small_batch(
        "v1",
        [
            person("1", "ALPHA, Ann", programs=["SDGT"]),
            person("2", "BRAVO, Bob", programs=["SDNTK"], properties={"title": ["Boss"]}),
            person("3", "CHARLIE, Cy"),
        ],
        [InputWarning(Location("alt.csv", 7, "ent_num"), "orphan alt row", kind="orphan_alt")],
    )


def second_batch() -> SourceBatch:
    return small_batch(
        "v2",
        [
            person("1", "ALPHA, Ann", programs=["SDGT"]),
            person("2", "BRAVO, Bob", programs=["SDNTK", "SDGT"], properties={"title": ["Chief"]}),
            person("4", "DELTA, Dee"),
        ],
    )


def active_of(store: Store, dataset: str) -> VersionInfo:
    return next(v for v in store.active_versions() if v.dataset == dataset)


# --- opening --------------------------------------------------------------------------------


def test_open_loads_the_register_once(database_url: str) -> None:
    with Store.open(database_url) as store:
        active = active_of(store, DATASET_REGISTER)
        assert active.entity_count == len(register.load())
        assert active.format == "register"
        ids = {e.id for e in store.entities(datasets=[DATASET_REGISTER])}
        assert ids == {e.id for e in register.load()}
    with Store.open(database_url) as reopened:
        assert [v.id for v in reopened.versions()] == [active.id]


def test_migrated_schema_matches_the_table_definitions(store: Store) -> None:
    """Migration 0001 and ``tables.py`` must describe the same tables (others' tables aside)."""
    ours = {"dataset_versions", "entities", "import_warnings", "active_versions"}

    def only_ours(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        return type_ != "table" or name in ours

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": only_ours})
        assert compare_metadata(context, Base.metadata) == []


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the database postgresql"):
        Store.open("postgresql+psycopg://postgres:secret@127.0.0.1:1/none?connect_timeout=2")


def test_unreachable_database_message_hides_the_password() -> None:
    with pytest.raises(StoreError) as raised:
        Store.open("postgresql+psycopg://postgres:secret@127.0.0.1:1/none?connect_timeout=2")
    assert "secret" not in str(raised.value)


# --- versions and activation ----------------------------------------------------------------


def test_each_import_is_a_new_active_version_and_old_ones_stay_queryable(store: Store) -> None:
    events: list[tuple[int, int | None]] = []
    store.add_activation_listener(lambda new, old: events.append((new.id, old.id if old else None)))
    first = store.import_batch_result(first_batch())
    second = store.import_batch_result(second_batch())

    assert (first.outcome, second.outcome) == (OUTCOME_IMPORTED, OUTCOME_IMPORTED)
    assert second.previous is not None and second.previous.id == first.version.id
    assert events == [(first.version.id, None), (second.version.id, first.version.id)]
    sdn_versions = store.versions(DATASET_OFAC_SDN)
    assert [v.id for v in sdn_versions] == [first.version.id, second.version.id]
    assert [v.active for v in sdn_versions] == [False, True]
    assert sdn_versions[0].entity_count == 3 and sdn_versions[0].warning_count == 1
    assert sdn_versions[0].content_hash == first_batch().content_hash
    assert sdn_versions[0].files == (os.path.abspath("v1.csv"),)
    assert active_of(store, DATASET_OFAC_SDN).id == second.version.id

    assert store.get_entity("us_ofac_sdn:3") is None
    old = store.get_entity("us_ofac_sdn:3", version_id=first.version.id)
    assert old is not None and old.caption == "CHARLIE, Cy"
    current = store.get_entity("us_ofac_sdn:2")
    assert current is not None and current.properties == {"title": ["Chief"]}
    assert [v.id for v in store.entity_versions("us_ofac_sdn:2")] == [
        first.version.id,
        second.version.id,
    ]
    assert store.warnings(first.version.id) == first_batch().warnings


def test_same_content_again_is_unchanged_and_creates_no_version(store: Store) -> None:
    first = store.import_batch(first_batch())
    events: list[Any] = []
    store.add_activation_listener(lambda new, old: events.append(new))
    again = store.import_batch_result(first_batch())
    assert again.outcome == OUTCOME_UNCHANGED
    assert again.version.id == first.id
    assert len(store.versions(DATASET_OFAC_SDN)) == 1
    assert events == []


def test_activate_switches_back_and_rejects_unknown_versions(store: Store) -> None:
    first = store.import_batch(first_batch())
    second = store.import_batch(second_batch())
    events: list[tuple[int, int | None]] = []
    store.add_activation_listener(lambda new, old: events.append((new.id, old.id if old else None)))
    assert store.activate(str(first.id)).active
    assert active_of(store, DATASET_OFAC_SDN).id == first.id
    assert store.get_entity("us_ofac_sdn:3") is not None
    assert events == [(first.id, second.id)]
    store.activate(first.id)
    assert len(events) == 1, "activating the active version again is a no-op"
    with pytest.raises(StoreError, match="no list version 999"):
        store.activate(999)
    with pytest.raises(StoreError, match="not a list version id"):
        store.version("latest")


def test_a_failing_listener_does_not_undo_the_activation(store: Store) -> None:
    def broken(new: VersionInfo, old: VersionInfo | None) -> None:
        raise RuntimeError("listener bug")

    seen: list[int] = []
    store.add_activation_listener(broken)
    store.add_activation_listener(lambda new, old: seen.append(new.id))
    version = store.import_batch(first_batch())
    assert seen == [version.id]
    assert active_of(store, DATASET_OFAC_SDN).id == version.id


def test_duplicate_ids_in_a_batch_keep_the_first_and_count_a_warning(store: Store) -> None:
    batch = small_batch("dup", [person("1", "ALPHA, Ann"), person("1", "ALPHA, Other")])
    result = store.import_batch_result(batch)
    assert result.version.entity_count == 1
    assert result.version.warning_count == 1
    [warning] = result.warnings
    assert warning.kind == "duplicate_id"
    assert warning.location == Location("sdn.csv", 1, "id")
    entity = store.get_entity("us_ofac_sdn:1")
    assert entity is not None and entity.caption == "ALPHA, Ann"


def test_failure_mid_import_leaves_the_active_version_and_no_half_version(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.import_batch(first_batch())
    monkeypatch.setattr(store_module, "INSERT_CHUNK", 1)
    real_row = store_module._entity_row
    rows = 0

    def fail_on_second_entity(version_id: int, entity: Entity) -> tuple[Any, ...]:
        nonlocal rows
        rows += 1
        if rows == 2:
            raise RuntimeError("disk on fire")
        return real_row(version_id, entity)

    monkeypatch.setattr(store_module, "_entity_row", fail_on_second_entity)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.import_batch(second_batch())
    monkeypatch.setattr(store_module, "_entity_row", real_row)

    assert rows == 2, "the version row and the first entity were written before the failure"
    assert active_of(store, DATASET_OFAC_SDN).id == before.id
    assert [v.id for v in store.versions(DATASET_OFAC_SDN)] == [before.id]
    [failed] = [
        v for v in store.versions(DATASET_OFAC_SDN, include_failed=True) if v.id != before.id
    ]
    assert failed.status == "failed" and "disk on fire" in (failed.error or "")
    assert _stored_entity_rows(store) == _expected_entity_rows(store)
    assert store.get_entity("us_ofac_sdn:4") is None
    with pytest.raises(StoreError, match="is failed and cannot be activated"):
        store.activate(failed.id)

    retried = store.import_batch_result(second_batch())
    assert retried.outcome == OUTCOME_IMPORTED
    assert active_of(store, DATASET_OFAC_SDN).id == retried.version.id


def _stored_entity_rows(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(EntityRecord)).scalar_one()


def _expected_entity_rows(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(
            select(func.coalesce(func.sum(DatasetVersion.entity_count), 0)).where(
                DatasetVersion.status == "complete"
            )
        ).scalar_one()


# --- entities and diffs ---------------------------------------------------------------------


def test_entities_default_to_active_versions_and_filter(store: Store) -> None:
    first = store.import_batch(first_batch())
    second = store.import_batch(second_batch())
    sdn_ids = [e.id for e in store.entities(datasets=[DATASET_OFAC_SDN])]
    assert sdn_ids == ["us_ofac_sdn:1", "us_ofac_sdn:2", "us_ofac_sdn:4"]
    everything = list(store.entities())
    assert len(everything) == 3 + len(register.load())
    old_ids = [e.id for e in store.entities(version_ids=[first.id])]
    assert old_ids == ["us_ofac_sdn:1", "us_ofac_sdn:2", "us_ofac_sdn:3"]
    assert list(store.entities(datasets=[DATASET_REGISTER], version_ids=[second.id])) == []
    assert store.get_entity("us_ofac_sdn:2", version_id=first.id) == first_batch().entities[1]


def test_diff_names_added_removed_and_changed_fields(store: Store) -> None:
    first = store.import_batch(first_batch())
    second = store.import_batch(second_batch())
    diff = store.diff(first.id, second.id)
    assert diff.added == ["us_ofac_sdn:4"]
    assert diff.removed == ["us_ofac_sdn:3"]
    [change] = diff.changed
    assert change.id == "us_ofac_sdn:2"
    assert change.caption == "BRAVO, Bob"
    assert change.fields == ("programs", "properties.title")
    assert diff.to_dict()["counts"] == {"added": 1, "removed": 1, "changed": 1}
    reverse = store.diff(second.id, first.id)
    assert (reverse.added, reverse.removed) == (diff.removed, diff.added)


def test_diff_ignores_source_only_changes(store: Store) -> None:
    first = store.import_batch(first_batch())
    moved = first_batch()
    moved.content_hash = hashlib.sha256(b"moved").hexdigest()
    for entity in moved.entities:
        entity.source = {"file": "other.csv", "line": 99}
    second = store.import_batch(moved)
    diff = store.diff(first.id, second.id)
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])


def test_diff_across_datasets_is_refused(store: Store) -> None:
    sdn = store.import_batch(first_batch())
    register_version = active_of(store, DATASET_REGISTER)
    with pytest.raises(StoreError, match="different datasets"):
        store.diff(register_version.id, sdn.id)


def test_codec_matches_the_model_on_real_entities(sdn_batches: dict[str, SourceBatch]) -> None:
    for entity in sdn_batches["sdn_2024-05-03"].entities[::50] + register.load():
        data, content_hash = encode(entity)
        assert Entity.from_dict(json.loads(data)) == entity
        assert content_hash == entity.content_hash()


# --- the real SDN versions ------------------------------------------------------------------


def raw_rows(folder: str, name: str = "sdn.csv") -> dict[str, tuple[str, ...]]:
    """OFAC CSV rows by ent_num, read with nothing but the csv module (independent of importers)."""
    data = (SDN.parent / folder / name).read_bytes().rstrip(b"\r\n\x1a")
    reader = csv.reader(io.StringIO(data.decode("cp1252"), newline=""))
    return {row[0].strip(): tuple(field.strip() for field in row) for row in reader if row}


@pytest.fixture(scope="module", params=BACKENDS)
def sdn_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sdn_batches: dict[str, SourceBatch],
) -> Iterator[tuple[Store, dict[str, VersionInfo]]]:
    """A store holding the three real SDN versions, imported oldest first."""
    for url in _database(request.param, tmp_path_factory.mktemp("sdn")):
        with Store.open(url) as opened:
            versions = {name: opened.import_batch(sdn_batches[name]) for name in SDN_VERSIONS}
            yield opened, versions


@pytest.mark.slow
def test_real_versions_hold_every_source_record(
    sdn_store: tuple[Store, dict[str, VersionInfo]],
) -> None:
    store, versions = sdn_store
    for name, version in versions.items():
        ids = {e.native_id for e in store.entities(version_ids=[version.id])}
        assert ids == set(raw_rows(f"ofac_sdn/{name}")), name
        assert version.entity_count == len(ids)
    # Record counts stated in MANIFEST.md.
    assert [versions[n].entity_count for n in SDN_VERSIONS] == [14574, 14966, 14965]
    assert active_of(store, DATASET_OFAC_SDN).id == versions["sdn_2024-05-03"].id
    maduro = store.get_entity("us_ofac_sdn:22790")
    assert maduro is not None and maduro.caption == "MADURO MOROS, Nicolas"


@pytest.fixture(scope="session")
def bundled_batches() -> list[SourceBatch]:
    """Every bundled list file, read once per session."""
    return read_paths([LISTS])


@pytest.mark.slow
def test_import_everything_bundled_holds_every_source_record(
    database_url: str, bundled_batches: list[SourceBatch]
) -> None:
    """All bundled files: one version per dataset version, oldest first, each holding exactly
    the source records (the 2026 excerpt merged over 2024-05-03); then a no-op re-import."""
    newest_sdn = (
        raw_rows("ofac_sdn/sdn_2024-05-03").keys() | raw_rows("ofac_sdn/excerpt_2026").keys()
    )
    expected = [
        ("us_ofac_sdn", len(raw_rows("ofac_sdn/sdn_2024-04-04"))),
        ("us_ofac_sdn", len(raw_rows("ofac_sdn/sdn_2024-05-01"))),
        ("us_ofac_sdn", len(newest_sdn)),
        ("us_ofac_cons", 443),  # <Record_Count> of consolidated.xml
        ("us_ofac_cons", len(raw_rows("ofac_cons/csv_2025-12", "cons_prim.csv"))),
        ("un_sc_sanctions", 730 + 273),  # MANIFEST: INDIVIDUAL + ENTITY
    ]
    with Store.open(database_url) as store:
        results = [store.import_batch_result(batch) for batch in bundled_batches]
        assert [(r.version.dataset, r.version.entity_count) for r in results] == expected
        assert {r.outcome for r in results} == {OUTCOME_IMPORTED}
        active = {v.dataset: v for v in store.active_versions()}
        assert active["us_ofac_sdn"].id == results[2].version.id
        sdn_ids = {e.native_id for e in store.entities(datasets=["us_ofac_sdn"])}
        assert sdn_ids == newest_sdn
        assert active["us_ofac_sdn"].warning_count == len(store.warnings(active["us_ofac_sdn"].id))
        again = [store.import_batch_result(batch) for batch in bundled_batches]
        assert {r.outcome for r in again} == {OUTCOME_UNCHANGED}
        assert len(store.versions()) == len(expected) + 1  # and the register


def test_import_paths_reads_detects_and_imports(store: Store) -> None:
    report = store.import_paths([LISTS / "un", str(LISTS / "ofac_cons" / "xml_2025-06-30")])
    assert [(v.dataset, v.format, v.entity_count) for v in report.versions] == [
        ("us_ofac_cons", "ofac_xml", 443),
        ("un_sc_sanctions", "un_xml", 1003),
    ]
    assert report.to_dict()["results"][0]["outcome"] == OUTCOME_IMPORTED


@pytest.mark.slow
def test_real_two_day_diff_is_seven_added_eight_removed(
    sdn_store: tuple[Store, dict[str, VersionInfo]],
) -> None:
    store, versions = sdn_store
    diff = store.diff(versions["sdn_2024-05-01"].id, versions["sdn_2024-05-03"].id)
    old, new = raw_rows("ofac_sdn/sdn_2024-05-01"), raw_rows("ofac_sdn/sdn_2024-05-03")
    assert (len(diff.added), len(diff.removed)) == (7, 8)
    assert {i.split(":")[1] for i in diff.added} == new.keys() - old.keys()
    assert {i.split(":")[1] for i in diff.removed} == old.keys() - new.keys()
    assert diff.changed == [], "no row present on both days changed"


@pytest.mark.slow
def test_real_one_month_diff_matches_the_raw_rows(
    sdn_store: tuple[Store, dict[str, VersionInfo]],
) -> None:
    """MANIFEST: 403 added, 12 removed, 10 changed. Our entities change exactly where the raw
    rows do: every one of the 10 rows that differ yields a changed entity, and no other does."""
    store, versions = sdn_store
    diff = store.diff(versions["sdn_2024-04-04"].id, versions["sdn_2024-05-03"].id)
    old, new = raw_rows("ofac_sdn/sdn_2024-04-04"), raw_rows("ofac_sdn/sdn_2024-05-03")
    changed_rows = {ent for ent in old.keys() & new.keys() if old[ent] != new[ent]}
    assert (len(diff.added), len(diff.removed), len(changed_rows)) == (403, 12, 10)
    assert {c.id.split(":")[1] for c in diff.changed} == changed_rows
    by_id = {c.id: c.fields for c in diff.changed}
    # MINSK WHEEL TRACTOR PLANT only gained a program tag in its row.
    assert by_id["us_ofac_sdn:34769"] == ("programs",)
    assert all(fields for fields in by_id.values())


# --- a process killed in the middle of an import ---------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, time
    from clearance.store import Store
    from clearance.store import store as store_module
    from test_store import sdn_batch

    batch = sdn_batch("sdn_2024-05-03")
    store = Store.open(sys.argv[1])
    real_row = store_module._entity_row
    rows = 0

    def pause_after_first_chunk(version_id, entity):
        # By now the first INSERT_CHUNK rows were sent (executemany, or COPY on PostgreSQL).
        global rows
        rows += 1
        if rows == store_module.INSERT_CHUNK + 1:
            print("WRITING", flush=True)
            time.sleep(120)
        return real_row(version_id, entity)

    store_module._entity_row = pause_after_first_chunk
    store.import_batch(batch)
    print("FINISHED", flush=True)
    """
)


@pytest.mark.slow
def test_process_killed_mid_import_leaves_the_previous_version_active_and_a_failed_attempt(
    database_url: str, sdn_batches: dict[str, SourceBatch]
) -> None:
    with Store.open(database_url) as store:
        before = store.import_batch(sdn_batches["sdn_2024-05-01"])
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url],
        cwd=Path(__file__).resolve().parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "WRITING"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL

    with Store.open(database_url) as store:
        assert active_of(store, DATASET_OFAC_SDN).id == before.id
        assert [v.id for v in store.versions(DATASET_OFAC_SDN)] == [before.id]
        [killed] = [
            v for v in store.versions(DATASET_OFAC_SDN, include_failed=True) if v.id != before.id
        ]
        assert (killed.status, killed.label, killed.entity_count) == (
            "failed",
            "sdn_2024-05-03",
            14965,
        )
        assert killed.error == f"interrupted: process {child.pid} ended before the import finished"
        assert _stored_entity_rows(store) == _expected_entity_rows(store)
        only_in_killed = (
            raw_rows("ofac_sdn/sdn_2024-05-03").keys() - raw_rows("ofac_sdn/sdn_2024-05-01").keys()
        )
        assert all(store.get_entity(f"us_ofac_sdn:{ent}") is None for ent in only_in_killed)
        after = store.import_batch_result(sdn_batches["sdn_2024-05-03"])
        assert after.outcome == OUTCOME_IMPORTED
        assert active_of(store, DATASET_OFAC_SDN).id == after.version.id
