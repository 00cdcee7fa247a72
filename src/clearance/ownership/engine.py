"""The 50 Percent Rule as sparse-matrix propagation over the ownership graph.

``M[j, i]`` is the share (0-1) that party ``i`` holds in party ``j``; ``b`` marks blocked
parties. OFAC counts an entity blocked by the rule as a blocked person for the next level, so
the blocked set is the least fixed point of ``b = seeds | (M @ b >= 0.5)``: each round adds the
parties whose owners' blocked holdings reach the threshold. It only grows, so it terminates even
through cross-holdings (cycles), after at most as many rounds as the longest chain. Rounds touch
only the owned parties of what the previous round added (a frontier), each as one sparse
product, so a full evaluation and an update after a few changed owners use the same code: an
update re-runs the fixed point only for the parties the changed owners reach.

Ranges give two graphs, the lower and the upper bounds: *blocked* uses lower bounds, *possibly
blocked* upper bounds (possibly blocked parties counting as owners at the next level), and the
EU/UK test (more than 50%, or control) lower bounds with control edges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components

#: OFAC: owned 50 percent or more.
OFAC_LEVEL = 0.5
#: Default level of *significant* blocked ownership (a risk signal below 50%).
SIGNIFICANT_LEVEL = 0.25
#: Floating error allowed when comparing sums of percentages with a level.
EPSILON = 1e-9


@dataclass(slots=True)
class Graph:
    """Parties ``0..n-1`` and their ownership edges as CSR matrices (owned x owner)."""

    keys: list[str]
    lower: sp.csr_matrix
    upper: sp.csr_matrix
    control: sp.csr_matrix  # 1 where the owner controls the owned party (EU/UK sense)
    owns: sp.csr_matrix = field(init=False)  # owner x owned pattern, for downstream walks

    def __post_init__(self) -> None:
        pattern = (self.upper + self.control).tocsr()
        self.owns = pattern.T.tocsr()

    @classmethod
    def build(
        cls,
        keys: list[str],
        owner: np.ndarray,
        owned: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        control: np.ndarray,
    ) -> Graph:
        """From edge arrays (shares as fractions); repeated pairs add up, capped at 1."""
        n = len(keys)

        def matrix(values: np.ndarray) -> sp.csr_matrix:
            m = sp.csr_matrix((values.astype(np.float64), (owned, owner)), shape=(n, n))
            m.sum_duplicates()
            np.minimum(m.data, 1.0, out=m.data)
            m.eliminate_zeros()
            return m

        return cls(keys, matrix(lower), matrix(upper), matrix(control.astype(np.float64)))

    @property
    def size(self) -> int:
        return len(self.keys)

    def cycles(self) -> list[np.ndarray]:
        """Groups of parties that own each other through a cycle (cross-holdings)."""
        count, labels = connected_components(self.owns, directed=True, connection="strong")
        sizes = np.bincount(labels, minlength=count)
        groups = [np.flatnonzero(labels == c) for c in np.flatnonzero(sizes > 1)]
        loops = np.flatnonzero(self.owns.diagonal() > 0)
        groups += [np.array([node]) for node in loops if sizes[labels[node]] == 1]
        return groups


Test = Callable[[np.ndarray, np.ndarray], np.ndarray]


def fixed_point(
    graph: Graph,
    shares: sp.csr_matrix,
    test: Test,
    seeds: np.ndarray,
    previous: np.ndarray | None = None,
    changed: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """The least blocked set containing ``seeds`` closed under ``test`` (rounds used too).

    ``test(share_sums, controlled)`` says which parties are blocked given the blocked share
    held in them and whether a blocked party controls them. With ``previous`` and ``changed``
    (parties whose seed status changed) only what the change reaches is redone: owners that
    stopped being blocked can only unblock parties they reach through blocked parties (those
    are reset and recomputed), new blocked owners can only block more (spread from them).
    """
    if previous is None or changed is None:
        blocked = seeds.copy()
        return blocked, _spread(graph, shares, test, blocked, np.flatnonzero(~blocked), None)
    blocked = previous.copy()
    removed = changed[~seeds[changed]]
    added = changed[seeds[changed]]
    rounds = 0
    if removed.size:
        region = np.zeros(graph.size, dtype=bool)
        region[removed] = True
        frontier = removed
        while frontier.size:
            step = graph.owns[frontier].indices
            step = np.unique(step[previous[step] & ~region[step]])
            region[step] = True
            frontier = step
        blocked[region] = seeds[region]
        rounds += _spread(graph, shares, test, blocked, np.flatnonzero(region & ~blocked), region)
    if added.size:
        blocked[added] = True
        step = graph.owns[added].indices
        rounds += _spread(graph, shares, test, blocked, np.unique(step[~blocked[step]]), None)
    return blocked, rounds


def _spread(
    graph: Graph,
    shares: sp.csr_matrix,
    test: Test,
    blocked: np.ndarray,
    candidates: np.ndarray,
    region: np.ndarray | None,
) -> int:
    """Block ``candidates`` that pass ``test``, then what they own, until nothing changes
    (within ``region`` when given); ``blocked`` is updated in place. Returns the rounds."""
    rounds = 0
    while candidates.size:
        rounds += 1
        weight = blocked.astype(np.float64)
        sums = shares[candidates] @ weight
        controlled = graph.control[candidates] @ weight > 0
        added = candidates[test(sums, controlled)]
        if not added.size:
            break
        blocked[added] = True
        step = graph.owns[added].indices
        keep = ~blocked[step] if region is None else region[step] & ~blocked[step]
        candidates = np.unique(step[keep])
    return rounds


def ofac_test(level: float = OFAC_LEVEL) -> Test:
    return lambda sums, _controlled: sums >= level - EPSILON


def eu_uk_test(level: float = OFAC_LEVEL) -> Test:
    """EU/UK: owned *more than* 50%, or controlled."""
    return lambda sums, controlled: (sums > level + EPSILON) | controlled


@dataclass(slots=True)
class Evaluation:
    """Per party: blocked (lower bounds), possibly blocked (upper bounds), EU/UK owned or
    controlled, the aggregate blocked shares, and significant blocked ownership."""

    seeds: np.ndarray
    blocked: np.ndarray
    possibly: np.ndarray  # includes the blocked ones (upper bounds reach what lower ones do)
    eu_uk: np.ndarray
    share_lower: np.ndarray  # blocked persons' aggregate share, lower bound (0-1)
    share_upper: np.ndarray  # possibly blocked persons' aggregate share, upper bound
    significant: np.ndarray
    rounds: int
    cycles: list[np.ndarray]


def evaluate(
    graph: Graph,
    seeds: np.ndarray,
    significant_level: float = SIGNIFICANT_LEVEL,
    previous: Evaluation | None = None,
) -> Evaluation:
    """Evaluate every party; with ``previous``, redo only what changed seeds reach."""
    changed = None if previous is None else np.flatnonzero(previous.seeds != seeds)

    def run(shares: sp.csr_matrix, test: Test, before: str) -> tuple[np.ndarray, int]:
        last = None if previous is None else getattr(previous, before)
        return fixed_point(graph, shares, test, seeds, last, changed)

    blocked, r1 = run(graph.lower, ofac_test(), "blocked")
    possibly, r2 = run(graph.upper, ofac_test(), "possibly")
    eu_uk, r3 = run(graph.lower, eu_uk_test(), "eu_uk")
    share_lower = np.minimum(graph.lower @ blocked.astype(np.float64), 1.0)
    share_upper = np.minimum(graph.upper @ possibly.astype(np.float64), 1.0)
    significant = ~blocked & (share_lower >= significant_level - EPSILON)
    cycles = previous.cycles if previous is not None else graph.cycles()
    return Evaluation(
        seeds.copy(),
        blocked,
        possibly,
        eu_uk,
        share_lower,
        share_upper,
        significant,
        max(r1, r2, r3),
        cycles,
    )


def reaches(edges: sp.csr_matrix, source: int, target: int) -> bool:
    """Whether ``target`` is reachable from ``source`` along ``edges`` (owner x owned)."""
    order = breadth_first_order(edges, source, directed=True, return_predecessors=False)
    return bool(np.isin(target, order))
