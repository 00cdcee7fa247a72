"""Parse every bundled list with read_paths and print wall/CPU time and peak memory.

Usage: .venv/bin/python bench/bench_sources.py [PATH ...]   (default: ../shared/data/lists)
Target: parsing well under 6 s, so the whole import incl. the store stays within 15 s.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from clearance.sources import read_paths

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lists"


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [DEFAULT]
    wall, cpu = time.perf_counter(), time.process_time()
    batches = read_paths(paths)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for batch in batches:
        print(
            f"{batch.dataset:16} {batch.format:9} {len(batch.entities):6} entities  {batch.label}"
        )
    entities = sum(len(b.entities) for b in batches)
    print(f"read_paths: {entities} entities in {len(batches)} batches")
    print(f"wall {wall:.2f} s, cpu {cpu:.2f} s, peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
