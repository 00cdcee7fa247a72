"""The 50 Percent Rule at scale: a synthetic graph of 1,000,000 companies and 3,000,000
ownership edges with listed owners sprinkled in (issue 16 targets).

Targets: full evaluation <= 60 s; the update after a list change that touches 100 owners
(50 newly listed, 50 delisted) <= 5 s; peak memory <= 2 GB. The graph is random but shaped
like registers: every company has 1-5 owners whose shares add up to at most 100%, a tenth of
the shares are ranges (``25-50%``), owners are mostly companies "above" it (chains several
levels deep) plus random cross-holdings (cycles), and a set of listed persons own stakes.
Measured: building the sparse matrices, the full evaluation (blocked / possibly blocked /
EU-UK fixed points, aggregate shares, significant ownership, cycle detection), the incremental
update, and a check that the update equals a full evaluation. Screening the parties' names and
publishing the derived datasets are not part of these figures (screening is
``bench_matching.py``'s subject).

    .venv/bin/python bench/bench_ownership.py [--companies 1000000] [--edges 3000000]
        [--listed 20000] [--seed 16]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from clearance.ownership.engine import Graph, evaluate


def synthetic(companies: int, edges: int, listed: int, seed: int) -> tuple[Graph, np.ndarray]:
    """Companies ``0..companies-1`` then listed persons; edges owner -> owned with shares."""
    rng = np.random.default_rng(seed)
    n = companies + listed
    owned = np.sort(rng.integers(0, companies, edges))
    # owners: mostly a company with a lower number (chains), some anywhere (cycles), some
    # listed persons
    kind = rng.random(edges)
    upstream = (owned * rng.random(edges)).astype(np.int64)
    anywhere = rng.integers(0, companies, edges)
    person = companies + rng.integers(0, listed, edges)
    owner = np.where(kind < 0.80, upstream, np.where(kind < 0.97, anywhere, person))
    keep = owner != owned
    owner, owned = owner[keep], owned[keep]
    # shares: random weights per company normalised to at most 100%
    weight = rng.random(owner.size) ** 2 + 0.05
    totals = np.bincount(owned, weights=weight, minlength=n)
    scale = rng.uniform(0.6, 1.0, n)
    lower = weight / totals[owned] * scale[owned]
    ranged = rng.random(owner.size) < 0.1
    upper = np.where(ranged, np.minimum(lower + 0.25, 1.0), lower)
    lower = np.where(ranged, np.maximum(lower - 0.1, 0.0), lower)
    control = rng.random(owner.size) < 0.02
    keys = [f"c{i}" for i in range(companies)] + [f"p{i}" for i in range(listed)]
    graph = Graph.build(keys, owner, owned, lower, upper, control)
    seeds = np.zeros(n, dtype=bool)
    seeds[companies + rng.choice(listed, listed // 2, replace=False)] = True
    return graph, seeds


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=3_000_000)
    parser.add_argument("--listed", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")

    started = time.perf_counter()
    graph, seeds = synthetic(args.companies, args.edges, args.listed, args.seed)
    built = time.perf_counter() - started
    print(
        f"graph: {args.companies:,} companies + {args.listed:,} persons "
        f"({int(seeds.sum()):,} listed), {graph.upper.nnz:,} ownership edges; "
        f"built in {built:.1f} s"
    )

    started = time.perf_counter()
    full = evaluate(graph, seeds)
    full_s = time.perf_counter() - started
    companies = slice(0, args.companies)
    print(
        f"full evaluation: {full_s:.1f} s (target <= 60 s), {full.rounds} rounds; blocked "
        f"{int(full.blocked[companies].sum()):,}, possibly blocked "
        f"{int((full.possibly & ~full.blocked)[companies].sum()):,}, significant "
        f"{int(full.significant[companies].sum()):,}, EU/UK {int(full.eu_uk[companies].sum()):,}; "
        f"{len(full.cycles):,} cycle groups "
        f"(largest {max((len(c) for c in full.cycles), default=0):,} parties)"
    )

    rng = np.random.default_rng(args.seed + 1)
    changed = seeds.copy()
    persons = args.companies + np.arange(args.listed)
    newly = rng.choice(persons[~seeds[persons]], 50, replace=False)
    gone = rng.choice(persons[seeds[persons]], 50, replace=False)
    changed[newly], changed[gone] = True, False
    started = time.perf_counter()
    update = evaluate(graph, changed, previous=full)
    update_s = time.perf_counter() - started
    flips = int((update.blocked != full.blocked).sum())
    print(
        f"update after a list change touching 100 owners: {update_s:.2f} s (target <= 5 s); "
        f"{flips:,} parties changed blocked status"
    )
    check = evaluate(graph, changed)
    same = all(
        np.array_equal(getattr(update, k), getattr(check, k))
        for k in ("blocked", "possibly", "eu_uk", "significant", "share_lower", "share_upper")
    )
    print(f"update equals a full evaluation: {same}")
    print(f"peak memory: {peak_mb():,.0f} MB (target <= 2,048 MB)")


if __name__ == "__main__":
    main()
