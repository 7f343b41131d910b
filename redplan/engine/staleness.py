"""How stale a leaderless design's partial quorums (R + W ≤ N) make reads, after PBS (DESIGN.md §5).

The closed form (k-staleness) costs nothing and goes into every assessment; t-visibility is a
seeded Monte Carlo over this placement's round trips, added where a report shows one design in
full (recommend), and imports numpy only then.
"""

from __future__ import annotations

from dataclasses import replace

from redplan.analysis.quorum import quorum_groups
from redplan.analysis.staleness import k_staleness
from redplan.engine.design import LEADERLESS, Design
from redplan.engine.evaluate import Context, client_region, round_trip
from redplan.engine.results import Staleness

VERSIONS = (1, 2, 3)
TRIALS, SEED = 100_000, 0
MODEL = ("this placement's round trips from the coordinator in the client's region: each one-way message a lognormal "
         "through half the catalog's p50 and p95 (PBS's WARS model, without read repair)")


def partial_quorum(design: Design) -> tuple[int, int, int] | None:
    """(N, W, R) of a leaderless design whose global read and write quorums need not overlap, else None."""
    if design.coordination != LEADERLESS or design.write.scope != "global" or design.read.scope != "global":
        return None
    (writers, w), (readers, r) = quorum_groups(design.replicas, design.write)[0], quorum_groups(design.replicas, design.read)[0]
    n = len(writers | readers)
    return (n, w, r) if w + r <= n and 1 <= w <= n and 1 <= r <= n else None


def staleness_of(design: Design) -> Staleness | None:
    """PBS k-staleness: the chance a read misses the last k writes when every quorum is picked at random."""
    sizes = partial_quorum(design)
    if sizes is None:
        return None
    n, w, r = sizes
    return Staleness(n=n, w=w, r=r, k_staleness=[round(k_staleness(n, w, r, k), 10) for k in VERSIONS])


def with_visibility(staleness: Staleness, design: Design, context: Context) -> Staleness:
    """Adds t-visibility: the share of reads started right after a commit that see the write, and how
    long after the commit 99.9% do, from a seeded simulation (the same numbers on every run)."""
    from redplan.analysis.visibility import LognormalDelay, PerReplicaWars, Wars, simulate_staleness

    replicas = design.replicas
    client = client_region(design, context)
    coordinator = next((replica for replica in replicas if replica.region == client), replicas[0])
    laws = []
    for replica in replicas:
        rtt = round_trip(context.catalog, coordinator, replica)
        one_way = LognormalDelay(rtt.scale_ms / 2, rtt.sigma)
        laws.append(Wars.symmetric(one_way))
    windows = simulate_staleness(PerReplicaWars(tuple(laws)), staleness.n, staleness.w, staleness.r, TRIALS, SEED)
    return replace(staleness, consistent_at_commit=round(float(windows.p_consistent(0.0)), 6),
                   ms_to_999=round(windows.time_to(0.999), 3), model=MODEL, trials=TRIALS, seed=SEED)
