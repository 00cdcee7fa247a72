"""Import every bundled list file into a fresh store; print time and peak memory per backend.

Targets (issue #2): everything in ``../shared/data/lists`` plus the built-in register in
<= 15 s and <= 1 GB peak RSS. Each backend runs in its own child process so its peak RSS is
its own. PostgreSQL runs when the server at 127.0.0.1:5432 is reachable (a scratch database is
created and dropped).

    .venv/bin/python bench/bench_import.py [--lists DIR] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LISTS = REPO.parent / "shared" / "data" / "lists"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
TARGET_SECONDS = 15.0
TARGET_RSS_MB = 1024.0


def measure(url: str, lists: Path) -> dict[str, Any]:
    """Open a fresh store at ``url``, import everything under ``lists``, read it all back."""
    from clearance.store import Store

    started = time.perf_counter()
    store = Store.open(url)
    opened = time.perf_counter()
    report = store.import_paths([lists])
    imported = time.perf_counter()
    read_back = sum(1 for _ in store.entities())
    finished = time.perf_counter()
    store.close()
    return {
        "open_and_register_s": round(opened - started, 2),
        "import_s": round(imported - opened, 2),
        "total_s": round(imported - started, 2),
        "versions": len(report.results),
        "entity_rows": sum(r.version.entity_count for r in report.results),
        "warnings": sum(r.version.warning_count for r in report.results),
        "read_active_entities": read_back,
        "read_active_s": round(finished - imported, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def child(backend: str, lists: Path) -> None:
    """Run one measurement in this process and print it as one JSON line."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="clearance-bench-") as home:
            os.environ["CLEARANCE_HOME"] = home
            result = measure(f"sqlite:///{Path(home) / 'clearance.sqlite'}", lists)
    else:
        import psycopg

        name = f"clearance_bench_{secrets.token_hex(6)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                result = measure(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", lists)
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(result))


def postgres_reachable() -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    try:
        psycopg.connect(PG_ADMIN).close()
    except psycopg.OperationalError as exc:
        return str(exc).strip()
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=Path, default=LISTS, help="folder of list files")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), help="run one backend")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.backend, args.lists)
        return
    backends = [args.backend] if args.backend else ["sqlite", "postgresql"]
    print(f"Importing everything under {args.lists} into a fresh store ({os.cpu_count()} CPUs)")
    for backend in backends:
        if backend == "postgresql" and (reason := postgres_reachable()) is not None:
            print(f"{backend}: skipped, server unreachable ({reason})")
            continue
        completed = subprocess.run(
            [sys.executable, __file__, "--child", "--backend", backend, "--lists", str(args.lists)],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            print(f"{backend}: failed\n{completed.stderr}")
            continue
        figures = json.loads(completed.stdout.strip().splitlines()[-1])
        verdict = (
            "within target"
            if figures["total_s"] <= TARGET_SECONDS and figures["peak_rss_mb"] <= TARGET_RSS_MB
            else "OVER TARGET"
        )
        print(
            f"{backend}: {figures['total_s']} s total (open + register "
            f"{figures['open_and_register_s']} s, import {figures['import_s']} s), "
            f"peak RSS {figures['peak_rss_mb']} MB, {figures['versions']} versions, "
            f"{figures['entity_rows']} entity rows, {figures['warnings']} warnings; "
            f"read {figures['read_active_entities']} active entities back in "
            f"{figures['read_active_s']} s -> {verdict} "
            f"(<= {TARGET_SECONDS:.0f} s, <= {TARGET_RSS_MB:.0f} MB)"
        )


if __name__ == "__main__":
    main()
