"""How stale a leaderless design's partial quorums (R + W ≤ N) make reads, after PBS (DESIGN.md §5).

The closed form (k-staleness) costs nothing and goes into every assessment; t-visibility is a
seeded Monte Carlo over this placement's round trips, added where a report shows one design in
full (recommend), and imports numpy only then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from redplan import __version__
from redplan.analysis.model import Replica
from redplan.analysis.quorum import quorum_groups
from redplan.analysis.staleness import k_staleness
from redplan.catalog import Catalog
from redplan.engine.design import LEADERLESS, Design
from redplan.engine.evaluate import Context, client_region, round_trip
from redplan.engine.results import Staleness, Tool

if TYPE_CHECKING:  # visibility imports numpy: at run time only when simulating
    from redplan.analysis.visibility import PerReplicaWars, WarsModel

VERSIONS = (1, 2, 3)
TRIALS, SEED = 100_000, 0
ROUND_TRIP_LAWS = "each one-way message a lognormal through half the catalog's p50 and p95 round trip (PBS's WARS model, without read repair)"
MODEL = f"this placement's round trips from the coordinator in the client's region: {ROUND_TRIP_LAWS}"


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
    return Staleness(n=n, w=w, r=r, k_staleness=_versions_missed(n, w, r))


def _versions_missed(n: int, w: int, r: int) -> list[float]:
    """k-staleness for k = 1, 2, 3: the chance a read misses the last k writes."""
    return [round(k_staleness(n, w, r, k), 10) for k in VERSIONS]


def with_visibility(staleness: Staleness, design: Design, context: Context) -> Staleness:
    """Adds t-visibility: the share of reads started right after a commit that see the write, and how
    long after the commit 99.9% do, from a seeded simulation (the same numbers on every run)."""
    from redplan.analysis.visibility import simulate_staleness

    replicas = design.replicas
    client = client_region(design, context)
    coordinator = next((replica for replica in replicas if replica.region == client), replicas[0])
    model = _round_trip_model(context.catalog, coordinator, replicas)
    windows = simulate_staleness(model, staleness.n, staleness.w, staleness.r, TRIALS, SEED)
    return replace(staleness, consistent_at_commit=round(float(windows.p_consistent(0.0)), 6),
                   ms_to_999=round(windows.time_to(0.999), 3), model=MODEL, trials=TRIALS, seed=SEED)


def _round_trip_model(catalog: Catalog, coordinator: Replica, replicas: tuple[Replica, ...]) -> PerReplicaWars:
    """Every message between the coordinator and a replica: half their round trip, a lognormal through its p50 and p95."""
    from redplan.analysis.visibility import LognormalDelay, PerReplicaWars, Wars

    laws = []
    for replica in replicas:
        rtt = round_trip(catalog, coordinator, replica)
        laws.append(Wars.symmetric(LognormalDelay(rtt.scale_ms / 2, rtt.sigma)))
    return PerReplicaWars(tuple(laws))


# --- `redplan staleness`: one quorum configuration, with a named delay model --------------------


@dataclass(frozen=True)
class VisibilityPoint:
    t_ms: float
    p_consistent: float


@dataclass(frozen=True)
class StalenessReport:
    """What `redplan staleness` prints: PBS k-staleness and t-visibility of N, W, R under one delay model."""

    tool: Tool
    n: int
    w: int
    r: int
    model: str
    model_basis: str
    k_staleness: list[float]
    t_visibility: list[VisibilityPoint]
    ms_to_999: float
    trials: int
    seed: int


def staleness_report(n: int, w: int, r: int, model: str, catalog: Catalog, regions: list[str], trials: int, seed: int) -> StalenessReport:
    """With `regions` (one replica each, the coordinator at the first), the catalog's round trips; else the
    fitted production model named `model` (catalogs/pbs_latency_models.yaml)."""
    from redplan.analysis.visibility import simulate_staleness
    from redplan.catalog.latency_models import load_latency_models

    wars: WarsModel
    if regions:
        zones = "abcdefghijklmnopqrstuvwxyz"
        replicas = tuple(Replica(region, zones[regions[:index].count(region) % 26], "replica") for index, region in enumerate(regions))
        wars, name = _round_trip_model(catalog, replicas[0], replicas), "catalog round trips"
        basis = f"one replica per --region (a new zone each time a region repeats), the coordinator at the first: {ROUND_TRIP_LAWS}"
    else:
        fitted = load_latency_models(catalog)[model]
        wars, name, basis = fitted.wars(), model, fitted.citation
    windows = simulate_staleness(wars, n, w, r, trials, seed)
    to_999 = windows.time_to(0.999)
    ts = sorted({round(to_999 * fraction, 3) for fraction in CHART_FRACTIONS}) if to_999 > 0 else [0.0]
    points = [VisibilityPoint(t, round(float(p), 6)) for t, p in zip(ts, windows.p_consistent(ts))]
    return StalenessReport(Tool("redplan", __version__), n, w, r, name, basis,
                           _versions_missed(n, w, r), points, round(to_999, 3), trials, seed)


CHART_FRACTIONS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
"""Times to chart, as fractions of the time to 99.9%: the climb, the knee and what lies past it."""
