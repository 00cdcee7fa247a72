"""Cost of the shared (SQLite-file) rate limiter that every ``--workers`` process consults.

Times ``TokenBucketLimiter.take`` in one process, then in two processes hammering the same file
at once (as two busy workers do), and prints microseconds per take; compare them with the
latency of ``POST /screen`` from ``bench/bench_http.py`` (milliseconds). The first line times the
same bucket arithmetic on an in-process dict (the limiter before it was shared), to show what the
machine's scheduling alone costs at the tail.

    .venv/bin/python bench/bench_ratelimit.py [--takes 20000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from clearance.api.security import TokenBucketLimiter


def spend(path: str, takes: int, callers: int) -> list[float]:
    """Per-take seconds of ``takes`` takes over ``callers`` keys (all allowed: a huge rate)."""
    limiter = TokenBucketLimiter(rate=1e9, burst=1_000_000_000, path=path)
    times = []
    for index in range(takes):
        start = time.perf_counter()
        limiter.take(f"key{index % callers}")
        times.append(time.perf_counter() - start)
    return times


def spend_in_memory(takes: int, callers: int) -> list[float]:
    """The bucket arithmetic alone, on a dict, timed like :func:`spend`."""
    buckets: dict[str, tuple[float, float]] = {}
    times = []
    for index in range(takes):
        start = time.perf_counter()
        caller = f"key{index % callers}"
        now = time.time()
        tokens, stamp = buckets.get(caller, (1e9, now))
        buckets[caller] = (min(1e9, tokens + (now - stamp) * 1e9) - 1.0, now)
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p50 = statistics.median(ordered) * 1e6
    p90 = ordered[int(len(ordered) * 0.90)] * 1e6
    p99 = ordered[int(len(ordered) * 0.99)] * 1e6
    print(
        f"{label:<34} {len(times):>7} takes  p50 {p50:7.1f} us  p90 {p90:7.1f} us  "
        f"p99 {p99:8.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=20_000)
    parser.add_argument("--callers", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "ratelimit.sqlite")
        report("in-process dict (baseline)", spend_in_memory(args.takes, args.callers))
        report("one process", spend(path, args.takes, args.callers))
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            results = pool.starmap(spend, [(path, args.takes // 2, args.callers)] * 2)
        report("two processes, one file, at once", [t for r in results for t in r])


if __name__ == "__main__":
    main()
