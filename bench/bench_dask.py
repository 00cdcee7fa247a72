"""Throughput of ``screen-file --dask`` with 1, 2 and 4 workers, next to the local run.

Input: a CSV of realistic records — variants of listed names (typos, reorderings,
transliterations, dropped tokens... from ``clearance.evaluation``) and unlisted names from Faker
locales — screened against the bundled lists. Each dask run starts a fresh LocalCluster of
worker processes (one thread each) and its time includes shipping and opening the index on
every worker; "screening" is the same run minus that set-up (the time to the first result is
not subtracted). The local run is ``clearance.batch.screen_records`` on all cores; each dask
output is compared byte for byte with the local output ("= local").

    .venv/bin/python bench/bench_dask.py [--rows 20000] [--workers 1 2 4] [--chunk-rows 5000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
from distributed import Client, LocalCluster

from bench_matching import LISTS, newest_entities
from clearance.batch import read_records, screen_records, write_results
from clearance.batch.dask_runner import DEFAULT_CHUNK_ROWS, run_dask, screener_plugin
from clearance.evaluation.generate import build_test_set
from clearance.matching import Screener


def write_input(entities: list, rows: int, path: Path, seed: int) -> None:
    """About two thirds list-name variants, one third Faker names and near misses."""
    variants = max(1, rows * 2 // 3 // 18)  # ~18 variant classes per sampled name
    test_set = build_test_set(
        entities, seed=seed, sample=variants, negatives=rows // 4, near_misses=rows // 12
    )
    cases = (test_set.cases * (rows // max(1, len(test_set.cases)) + 1))[:rows]
    frame = pd.DataFrame(
        {
            "id": [f"q{n}" for n in range(len(cases))],
            "name": [c.query for c in cases],
            "schema": [c.schema if c.schema != "Airplane" else "Aircraft" for c in cases],
        }
    )
    frame.to_csv(path, index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--lists", type=Path, default=LISTS)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-dask-") as folder:
        os.environ["CLEARANCE_HOME"] = folder
        work = Path(folder)
        entities = newest_entities(args.lists)
        started = time.perf_counter()
        screener = Screener.from_entities(entities, version_key="bench-dask")
        screener.persist()
        print(f"{len(entities):,} entities, index built in {time.perf_counter() - started:.1f} s")
        source = work / "in.csv"
        write_input(entities, args.rows, source, args.seed)
        records, _ = read_records(source)
        print(f"input: {len(records):,} records, {os.cpu_count()} cores on this machine")
        print(f"{'run':<22}{'total s':>9}{'queries/s':>11}{'screening/s':>13}{'hits':>8}")

        started = time.perf_counter()
        parts = screen_records(records, screener)
        elapsed = time.perf_counter() - started
        local_hits = write_results(parts, work / "local.csv")
        rate = len(records) / elapsed
        print(
            f"{'local, all cores':<22}{elapsed:>9.1f}{rate:>11,.0f}{rate:>13,.0f}{local_hits:>8,}"
        )

        for workers in args.workers:
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=40,
                ) as cluster,
                Client(cluster) as client,
            ):
                started = time.perf_counter()
                client.register_plugin(screener_plugin(screener))
                setup = time.perf_counter() - started
                summary = run_dask(
                    source, work / "dask.csv", client, screener=screener, chunk_rows=args.chunk_rows
                )
            same = (work / "dask.csv").read_bytes() == (work / "local.csv").read_bytes()
            screening = summary.records / max(summary.elapsed_s - setup, 1e-9)
            label = f"dask, {workers} worker{'s' if workers > 1 else ''}"
            print(
                f"{label:<22}{summary.elapsed_s:>9.1f}{summary.rate:>11,.0f}{screening:>13,.0f}"
                f"{summary.hits:>8,}  {'= local' if same else 'DIFFERS from local'}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
