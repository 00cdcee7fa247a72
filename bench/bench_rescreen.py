"""Benchmark: time from a list change to alerts, with 1 million monitored records.

Setup (not timed): import ``sdn_2024-05-01``; load N synthetic monitored records (Faker names in
several locales, combined with numpy so a million take seconds; cached as Parquet in the work
dir) plus one planted record per entity the next day's list adds; declare them screened against
the current version (as a migrated customer base would be).

Timed: importing the real next-day list ``sdn_2024-05-03`` (7 added, 8 removed) with the monitor
attached as activation listener; reported separately are the import itself and the re-screening
from activation to committed alerts, broken down by step.

    .venv/bin/python bench/bench_rescreen.py [--records 1000000] [--database-url URL] [--workdir D]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker

from clearance.model import Entity
from clearance.monitoring import Monitor, RunSummary
from clearance.monitoring.records import RecordInput
from clearance.store import Store

LISTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists" / "ofac_sdn"
OLDER, NEWER = LISTS / "sdn_2024-05-01", LISTS / "sdn_2024-05-03"
LOCALES = ["en_US", "es_MX", "de_DE", "fr_FR", "it_IT", "pt_BR", "tr_TR", "ru_RU", "ar_AA"]


def synthetic_names(count: int, cache: Path, seed: int = 7) -> pa.Table:
    """``count`` realistic person/company names (cached): Faker pools, numpy combinations."""
    if cache.exists() and pq.read_metadata(cache).num_rows == count:
        return pq.read_table(cache)
    fake = Faker(LOCALES)
    Faker.seed(seed)
    firsts = np.array(sorted({fake.first_name() for _ in range(30_000)}), dtype=object)
    lasts = np.array(sorted({fake.last_name() for _ in range(30_000)}), dtype=object)
    companies = np.array(sorted({fake.company() for _ in range(20_000)}), dtype=object)
    rng = np.random.default_rng(seed)
    people = count * 9 // 10
    first = firsts[rng.integers(0, len(firsts), people)]
    last = lasts[rng.integers(0, len(lasts), people)]
    second = lasts[rng.integers(0, len(lasts), people)]
    two_surnames = rng.random(people) < 0.3
    names = np.where(two_surnames, first + " " + last + " " + second, first + " " + last)
    company_names = companies[rng.integers(0, len(companies), count - people)]
    years = rng.integers(1940, 2005, people).astype(str)
    table = pa.table(
        {
            "id": [f"C{i:07d}" for i in range(count)],
            "name": np.concatenate([names, company_names]).tolist(),
            "schema": ["Person"] * people + ["Company"] * (count - people),
            "birth_date": years.tolist() + [None] * (count - people),
        }
    )
    pq.write_table(table, cache)
    return table


def planted(entities: list[Entity]) -> list[RecordInput]:
    """One customer per newly listed entity, named as listed (the hits the diff must raise)."""
    return [
        RecordInput(f"PLANT{i}", e.caption, "Person" if e.schema == "Person" else "LegalEntity")
        for i, e in enumerate(entities)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "clr_bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{args.workdir / f'bench_{time.time_ns()}.sqlite'}"

    started = time.perf_counter()
    table = synthetic_names(args.records, args.workdir / f"names_{args.records}.parquet")
    print(f"names: {table.num_rows:,} in {time.perf_counter() - started:.1f} s")

    store = Store.open(url)
    older = store.import_paths([OLDER]).results[0].version
    scratch = Store.open(f"sqlite:///{args.workdir / f'scratch_{time.time_ns()}.sqlite'}")
    a = scratch.import_paths([OLDER]).results[0].version.id
    b = scratch.import_paths([NEWER]).results[0].version.id
    diff = scratch.diff(a, b)
    added = [e for e in (scratch.get_entity(i) for i in diff.added) if e is not None]
    print(
        f"diff {OLDER.name} -> {NEWER.name}: {len(diff.added)} added, "
        f"{len(diff.removed)} removed, {len(diff.changed)} changed"
    )

    monitor = Monitor(store)
    started = time.perf_counter()
    rows = (
        RecordInput(r["id"], r["name"], r["schema"], r["birth_date"]) for r in table.to_pylist()
    )
    monitor.add_records(rows, actor="bench", source="synthetic", screen=False)
    monitor.add_records(planted(added), actor="bench", source="planted", screen=False)
    monitor.assume_screened(actor="bench")
    print(
        f"loaded {args.records + len(added):,} records into {store.url.split(':')[0]} "
        f"(version {older.id}) in {time.perf_counter() - started:.1f} s"
    )

    runs: list[RunSummary] = []

    def timed_listener(new_version: object, old_version: object) -> None:
        mark = time.perf_counter()
        runs.extend(monitor.catch_up(datasets=[new_version.dataset]))  # type: ignore[attr-defined]
        timed["rescreen"] = time.perf_counter() - mark

    timed: dict[str, float] = {}
    # Monitor.on_activation does the same catch_up (plus webhook delivery); timed here.
    store.add_activation_listener(timed_listener)
    mark = time.perf_counter()
    store.import_paths([NEWER])
    total = time.perf_counter() - mark
    run = runs[0]
    print(json.dumps({k: v for k, v in run.to_dict().items() if k != "seconds"}, indent=None))
    print("steps (s): " + ", ".join(f"{k} {v:.2f}" for k, v in run.seconds.items()))
    print(
        f"list change -> alerts committed: {timed['rescreen']:.1f} s "
        f"(import + re-screen: {total:.1f} s; target <= 60 s)"
    )
    print(
        f"alerts opened: {run.opened} for {len(added)} added entities; "
        f"candidates scored: {run.candidates:,} of {run.records:,} records"
    )


if __name__ == "__main__":
    main()
