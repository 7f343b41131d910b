"""Properties of synchronous commit latency (redplan.analysis.latency), generic and on catalog regions.

What the model computes: each reply time is an independent lognormal, optionally shifted by a
floor (`Delay.shift_ms`); a write that needs k replies waits for the k-th fastest, plus an
independent client round trip; consensus waits for max(leader fsync, (majority − 1)-th fastest
follower). The floors that hold in that model, for every quantile level q reported (p50, p99):

* physical: every reply takes at least its shift, so the k-th fastest takes at least the k-th
  smallest shift, and a client round trip adds at least its own shift;
* order statistics (no shift needed): at least k replies must have arrived, and any N − k + 1
  of them include one of those, so P(T(k) ≤ t) ≤ Σ over those N − k + 1 of F_i(t). Hence the
  q-quantile of the k-th fastest is at least the k-th smallest of the replies' own
  q/(N − k + 1)-quantiles: each reply's own q-quantile for k = N (waiting for all), the union
  bound min_i Q_i(q/N) for k = 1. "p50 ≥ the smallest p50 involved" is *not* a law (the fastest
  of several replies beats each median: tests/analysis/test_latency.py);
* a sum or a max is at least each part: the client's own quantile, the fsync's.

The engine (evaluate.round_trip) fits unshifted lognormals to the catalog's p50 and p95, so on
catalog regions the physical fiber floor is guaranteed for what the write waits for entirely (the
client's round trip to the leader, a single synchronous standby), whose catalog p50 is never below
it; a k-of-N wait is bounded by the order-statistic floor instead.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redplan.analysis.geo import fiber_floor_ms
from redplan.analysis.latency import Delay, consensus_write_latency, quorum_write_latency
from redplan.analysis.model import Quorum, Replica
from redplan.catalog import load_catalog
from redplan.engine.design import CONSENSUS, LEADERLESS, PRIMARY_BACKUP, Design
from redplan.engine.evaluate import FSYNC_P50_MS, FSYNC_P95_MS, _write_latency, round_trip

LEVELS = {"p50": 0.5, "p99": 0.99}
EXACT = 1e-9  # without a client the quantile is found on the exact CDF, returned from above
CONVOLVED = 1e-3  # with a client the CDF of the sum is integrated on a grid (latency.SUM_GRID_CELLS)

delay_st = st.builds(
    Delay,
    scale_ms=st.floats(0.05, 300),
    sigma=st.one_of(st.just(0.0), st.floats(0.01, 1.2)),
    shift_ms=st.one_of(st.just(0.0), st.floats(0.0, 150)),
)
delays_st = st.lists(delay_st, min_size=1, max_size=6)


def order_statistic_floor(delays: list[Delay], k: int, q: float) -> float:
    """The k-th smallest of the replies' own q/(N − k + 1)-quantiles (see the module docstring)."""
    level = q / (len(delays) - k + 1)
    return sorted(delay.quantile(level) for delay in delays)[k - 1]


def shift_floor(delays: list[Delay], k: int) -> float:
    return sorted(delay.shift_ms for delay in delays)[k - 1]


def quantiles(estimate) -> dict[str, float]:
    return {"p50": estimate.p50_ms, "p99": estimate.p99_ms}


@settings(max_examples=100, deadline=None)
@given(delays_st, st.data(), st.none() | delay_st)
def test_a_k_of_n_write_is_above_every_floor(delays, data, client):
    k = data.draw(st.integers(1, len(delays)), label="k")
    estimate = quorum_write_latency(client, delays, k)
    tol = EXACT if client is None else CONVOLVED
    got = quantiles(estimate)
    assert got["p99"] >= got["p50"] > 0
    client_shift = 0.0 if client is None else client.shift_ms
    for name, q in LEVELS.items():
        floor = max(shift_floor(delays, k), order_statistic_floor(delays, k, q)) + client_shift
        assert got[name] >= floor * (1 - tol), (name, got[name], floor)
        if client is not None:
            assert got[name] >= client.quantile(q) * (1 - tol), (name, got[name], client.quantile(q))


@settings(max_examples=100, deadline=None)
@given(st.lists(delay_st, min_size=2, max_size=6), st.data())
def test_waiting_for_one_more_reply_is_never_faster(delays, data):
    k = data.draw(st.integers(1, len(delays) - 1), label="k")
    fewer, more = quorum_write_latency(None, delays, k), quorum_write_latency(None, delays, k + 1)
    assert more.p50_ms >= fewer.p50_ms * (1 - EXACT) and more.p99_ms >= fewer.p99_ms * (1 - EXACT)


@settings(max_examples=60, deadline=None)
@given(delay_st, st.lists(delay_st, max_size=5), st.data(), st.none() | delay_st)
def test_a_consensus_commit_is_above_every_floor(fsync, followers, data, client):
    majority = data.draw(st.integers(1, len(followers) + 1), label="majority")
    estimate = consensus_write_latency(fsync, followers, majority, client)
    tol = EXACT if client is None else CONVOLVED
    got = quantiles(estimate)
    assert got["p99"] >= got["p50"]
    client_shift = 0.0 if client is None else client.shift_ms
    for name, q in LEVELS.items():
        floors = [fsync.quantile(q), fsync.shift_ms]
        if majority > 1:
            floors += [order_statistic_floor(followers, majority - 1, q), shift_floor(followers, majority - 1)]
        assert got[name] >= (max(floors) + client_shift) * (1 - tol), (name, got[name], floors)
        if client is not None:
            assert got[name] >= client.quantile(q) * (1 - tol)


# --- on catalog regions ----------------------------------------------------------------------

CATALOG = load_catalog()
REGIONS = sorted(region.id for region in CATALOG.regions.values() if region.lat is not None and region.provider in ("aws", "gcp", "azure"))
FSYNC = Delay.from_p50_p95(FSYNC_P50_MS, FSYNC_P95_MS)

placed_st = st.tuples(st.sampled_from(REGIONS), st.sampled_from(["a", "b"]))


def fiber_floor(a: str, b: str) -> float:
    distance = CATALOG.region(a).distance_km(CATALOG.region(b))
    return 0.0 if distance is None else fiber_floor_ms(distance)


@st.composite
def designs(draw):
    """A consensus group, a primary with synchronous standbys, or a leaderless quorum, anywhere."""
    coordination = draw(st.sampled_from([CONSENSUS, PRIMARY_BACKUP, LEADERLESS]))
    places = draw(st.lists(placed_st, min_size=2, max_size=5))
    if coordination == CONSENSUS:
        replicas = tuple(Replica(region, zone, "replica") for region, zone in places)
        return Design("active-active", "sync", CONSENSUS, replicas, Quorum("majority"), Quorum("majority"), Quorum("majority"))
    if coordination == PRIMARY_BACKUP:
        (home, zone), standbys = places[0], places[1:]
        replicas = (Replica(home, zone, "primary"), *(Replica(region, az, "standby", sync=True) for region, az in standbys))
        ack = Quorum(2, among="data-voters", leader=True)
        return Design("active-passive", "sync", PRIMARY_BACKUP, replicas, Quorum(2, among="data-voters"), Quorum(1, among="data"), ack)
    w = draw(st.integers(1, len(places)))
    replicas = tuple(Replica(region, zone, "replica") for region, zone in places)
    return Design("quorum", "sync", LEADERLESS, replicas, Quorum(w), Quorum(1, among="data"), Quorum(w))


def waited_for(design: Design, client: str) -> tuple[list[Delay], int, Delay | None]:
    """The replies the write waits for, how many it needs, and the client's round trip to the
    replica that coordinates (None when the client is in its region)."""
    replicas = design.replicas
    if design.coordination == LEADERLESS:  # the coordinator is a replica in the client's region
        home = next((r for r in replicas if r.region == client), replicas[0])
        own = replicas.index(home)
        replies = [FSYNC if i == own else round_trip(CATALOG, home, r) for i, r in enumerate(replicas)]
        return replies, int(design.write.size), None
    leader = replicas[0]
    to_leader = None if client == leader.region else round_trip(CATALOG, client, leader.region)
    followers = [round_trip(CATALOG, leader, r) for r in replicas[1:]]
    needed = len(replicas) // 2 if design.coordination == CONSENSUS else 1  # majority − 1 followers; one sync standby
    return followers, needed, to_leader


@settings(max_examples=60, deadline=None)
@given(designs(), st.sampled_from(REGIONS))
def test_write_latency_on_catalog_regions_is_above_its_floors(design, client):
    estimate = _write_latency(design, client, CATALOG)
    replies, k, to_leader = waited_for(design, client)
    assert estimate.p99_ms >= estimate.p50_ms > 0
    for name, q in LEVELS.items():
        got = quantiles(estimate)[name]
        tol = EXACT if to_leader is None else CONVOLVED
        assert got >= order_statistic_floor(replies, k, q) * (1 - tol), (name, got)
        if design.coordination != LEADERLESS:
            assert got >= FSYNC.quantile(q) * (1 - tol)  # the leader's own log write
        if to_leader is not None:  # the client's trip: at least its catalog figure, itself above the fiber floor
            assert got >= to_leader.quantile(q) * (1 - tol) >= fiber_floor(client, design.replicas[0].region) * (1 - tol)
    if design.coordination == PRIMARY_BACKUP and len(design.replicas) == 2:  # one sync standby: waits for it
        standby, leader = design.replicas[1], design.replicas[0]
        assert estimate.p50_ms >= fiber_floor(leader.region, standby.region) * (1 - CONVOLVED)
