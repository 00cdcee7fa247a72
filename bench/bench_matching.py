"""Matching speed and candidate recall on the combined bundled lists (issue 3 targets).

Run: ``.venv/bin/python bench/bench_matching.py [--queries 20000] [--workers 2]``

Prints index build / reopen time, single-query latency (p50 / p99), batch throughput on all
workers (a freshly reopened index, caches cold, as ``screen-file`` starts), a brute-force
baseline (rapidfuzz ``process.cdist`` with ``token_sort_ratio`` over every listed name, all
cores), the candidate stage's recall on labelled variants, and peak memory. Queries: 80%
realistic non-listed names (Faker, several locales), 20% listed names with a typo, reordering
or dropped token, as a customer file would look.

Wall-clock rates depend on what else the machine runs, so the batch and the brute force are
also given per CPU-second (their ratio is the speed-up on an idle machine of the same cores),
together with the load average before the run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from faker import Faker
from rapidfuzz import fuzz, process

from clearance.batch import screen_records
from clearance.evaluation import build_test_set, evaluate
from clearance.matching import Screener
from clearance.matching.index import NameIndex
from clearance.model import Entity
from clearance.register import load as load_register
from clearance.sources import newest_batches

LISTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists"
TARGETS = {
    "p50_ms": 1.0,
    "p99_ms": 10.0,
    "batch_per_s": 5000.0,
    "speedup": 5.0,
    "build_s": 15.0,
    "reopen_s": 2.0,
    "peak_mb": 1536.0,
}


def newest_entities(lists: Path) -> list[Entity]:
    """The newest version of each bundled dataset plus the register (what a full import holds)."""
    return [e for batch in newest_batches([lists]) for e in batch.entities] + load_register()


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def make_queries(entities: list[Entity], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    fake = Faker(["en_US", "es_MX", "de_DE", "fr_FR", "ar_AA", "ru_RU", "tr_TR", "zh_CN"])
    Faker.seed(seed)
    listed = [n.full for e in entities for n in e.names if n.full.isascii()]
    queries = []
    for _ in range(count):
        if rng.random() < 0.2:
            words = rng.choice(listed).replace(",", "").split()
            if len(words) > 2 and rng.random() < 0.5:
                words.pop(rng.randrange(len(words)))
            else:
                rng.shuffle(words)
            word = rng.randrange(len(words))
            if len(words[word]) > 4:
                i = rng.randrange(1, len(words[word]) - 1)
                words[word] = words[word][:i] + words[word][i + 1 :]
            queries.append(" ".join(words))
        else:
            queries.append(fake.company() if rng.random() < 0.25 else fake.name())
    return queries


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "ok" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=20000)
    parser.add_argument("--single", type=int, default=3000, help="queries timed one by one")
    parser.add_argument("--brute", type=int, default=2000, help="queries for the brute force")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lists", type=Path, default=LISTS)
    args = parser.parse_args()

    entities = newest_entities(args.lists)
    names = sum(len(e.names) for e in entities)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"lists: {len(entities):,} entities, {names:,} names; {os.cpu_count()} cores, load {load}"
    )

    started = time.perf_counter()
    index = NameIndex.build(entities)
    build_s = time.perf_counter() - started
    folder = Path(tempfile.mkdtemp(prefix="bench-matching-"))
    index.save(folder / "index")
    started = time.perf_counter()
    reopened = NameIndex.load(folder / "index")
    reopen_s = time.perf_counter() - started
    assert reopened is not None
    screener = Screener(reopened)

    queries = make_queries(entities, args.queries, args.seed)
    for query in queries[:200]:  # warm the token caches as a running service would have
        screener.screen(query)
    latencies = []
    for query in queries[200 : 200 + args.single]:
        started = time.perf_counter()
        screener.screen(query)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(0.99 * (len(latencies) - 1))]

    records = pd.DataFrame({"id": [str(i) for i in range(len(queries))], "name": queries})
    fresh = NameIndex.load(folder / "index")
    assert fresh is not None
    started, cpu = time.perf_counter(), cpu_seconds()
    parts = screen_records(records, Screener(fresh), workers=args.workers)
    batch_s, batch_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    batch_rate = len(queries) / batch_s
    alerts = sum(len(p) for p in parts)

    choices = [n.full for e in entities for n in e.names]
    brute = queries[: args.brute]
    started, cpu = time.perf_counter(), cpu_seconds()
    process.cdist(brute, choices, scorer=fuzz.token_sort_ratio, workers=-1, processor=str.lower)
    brute_s, brute_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    brute_rate = len(brute) / brute_s
    cpu_speedup = (len(queries) / batch_cpu) / (len(brute) / brute_cpu)
    shutil.rmtree(folder, ignore_errors=True)

    test_set = build_test_set(entities, seed=42, sample=300, negatives=0, near_misses=0)
    report = evaluate(screener, test_set)
    candidate_recall = report.candidate_recall or 0.0

    peak_mb = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )

    rows = [
        ("index build", f"{build_s:.2f} s", verdict(build_s, TARGETS["build_s"], False)),
        ("index reopen", f"{reopen_s:.2f} s", verdict(reopen_s, TARGETS["reopen_s"], False)),
        ("single query p50", f"{p50:.3f} ms", verdict(p50, TARGETS["p50_ms"], False)),
        ("single query p99", f"{p99:.3f} ms", verdict(p99, TARGETS["p99_ms"], False)),
        (
            f"batch, {args.workers} workers",
            f"{batch_rate:,.0f} queries/s ({alerts:,} hits)",
            verdict(batch_rate, TARGETS["batch_per_s"], True),
        ),
        ("batch, per CPU-second", f"{len(queries) / batch_cpu:,.0f} queries", ""),
        ("brute force cdist", f"{brute_rate:,.0f} queries/s", ""),
        ("brute force, per CPU-second", f"{len(brute) / brute_cpu:,.0f} queries", ""),
        (
            "speed-up over brute force",
            f"{batch_rate / brute_rate:.1f}x ({cpu_speedup:.1f}x per CPU-second)",
            verdict(batch_rate / brute_rate, TARGETS["speedup"], True),
        ),
        (
            "candidate recall (variants)",
            f"{100 * candidate_recall:.2f}% of {len(test_set.cases):,}",
            verdict(candidate_recall, 0.995, True),
        ),
        ("peak memory", f"{peak_mb:,.0f} MB", verdict(peak_mb, TARGETS["peak_mb"], False)),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value, result in rows:
        print(f"{label:<{width}}  {value:<36} {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
