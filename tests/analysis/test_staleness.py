"""Staleness of partial quorums (PBS): k-staleness against brute force, t-visibility against hand
derivations, the definition, the seed, convergence, and the figures Bailis et al. published."""

import math
import time
from fractions import Fraction
from itertools import combinations, product

import numpy as np
import pytest
from scipy import stats

from redplan.analysis.staleness import k_staleness
from redplan.analysis.visibility import (
    ConstantDelay,
    ExponentialDelay,
    LognormalDelay,
    ParetoExponentialDelay,
    PerReplicaWars,
    StalenessWindows,
    WanWars,
    Wars,
    simulate_staleness,
    t_visibility,
    time_to_consistency,
)
from redplan.catalog.latency_models import load_latency_models

# --- k-staleness -----------------------------------------------------------------------------------


def brute_force_k_staleness(n, w, r, k):
    """Fraction of (k write quorums, read quorum) choices, all of them equally likely, in which the
    read quorum meets none of the k write quorums."""
    quorums = lambda size: [sum(1 << i for i in chosen) for chosen in combinations(range(n), size)]  # noqa: E731
    writes, reads = quorums(w), quorums(r)
    misses = 0
    for history in product(writes, repeat=k):
        written = 0
        for quorum in history:
            written |= quorum
        misses += sum(1 for read in reads if not read & written)
    return Fraction(misses, len(writes) ** k * len(reads))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_k_staleness_matches_brute_force_enumeration_for_every_small_system(k):
    for n in range(1, 7):
        for w in range(1, n + 1):
            for r in range(1, n + 1):
                expected = brute_force_k_staleness(n, w, r, k)
                assert k_staleness(n, w, r, k) == pytest.approx(float(expected), rel=1e-12, abs=0), (n, w, r, k)
                if r + w > n:
                    assert k_staleness(n, w, r, k) == 0


def test_k_staleness_hand_checked_values():
    assert k_staleness(3, 1, 1) == pytest.approx(2 / 3)  # the paper: N=3, R=W=1 gives p_stale = .6̄
    assert k_staleness(3, 1, 1, k=2) == pytest.approx(4 / 9)
    assert k_staleness(5, 2, 2) == pytest.approx(3 / 10)  # C(3,2)/C(5,2)
    assert k_staleness(100, 30, 30) == pytest.approx(1.88e-6, rel=0.01)  # the paper's N=100, R=W=30 example
    assert k_staleness(3, 2, 2) == 0 and k_staleness(3, 1, 3) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1, 1), "n must be at least 1"),
        ((3, 0, 1), "w must be between 1 and n = 3"),
        ((3, 4, 1), "w must be between 1 and n = 3"),
        ((3, 1, 0), "r must be between 1 and n = 3"),
        ((3, 1, 1, 0), "k must be at least 1"),
        ((3, 1.5, 1), "w must be a whole number"),
        ((3, 1, True), "r must be a whole number"),
        (("3", 1, 1), "n must be a whole number"),
    ],
)
def test_k_staleness_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        k_staleness(*args)


# --- Delay laws ------------------------------------------------------------------------------------


def test_pareto_exponential_mixture_is_a_classical_pareto_not_a_lomax():
    """Its empirical CDF matches scipy's mixture of stats.pareto(b=alpha, scale=x_m) and
    stats.expon(scale=1/lambda): a Lomax would put mass below x_m and fail at once."""
    delay = ParetoExponentialDelay(0.38, 1.05, 1.51, 0.183)  # LNKD-DISK's write
    draws = np.sort(delay.sample(np.random.default_rng(3), 400_000))
    points = np.array([0.5, 1.0, 1.05, 1.2, 2.0, 5.0, 10.0, 30.0, 100.0])
    empirical = np.searchsorted(draws, points, side="right") / draws.size
    exact = 0.38 * stats.pareto(b=1.51, scale=1.05).cdf(points) + 0.62 * stats.expon(scale=1 / 0.183).cdf(points)
    assert np.max(np.abs(empirical - exact)) < 5 * math.sqrt(0.25 / draws.size)


def test_lognormal_through_p50_and_p95_and_one_way_is_half_a_round_trip():
    delay = LognormalDelay.from_p50_p95(30, 45)
    draws = delay.sample(np.random.default_rng(4), 400_000)
    assert np.quantile(draws, [0.5, 0.95]) == pytest.approx([30, 45], rel=0.01)
    one_way = LognormalDelay.from_round_trip(60, 90)
    assert one_way == LognormalDelay(30, delay.sigma)
    assert LognormalDelay.from_p50_p95(2, 2).sigma == 0


def test_constant_and_exponential_delays():
    rng = np.random.default_rng(5)
    assert np.array_equal(ConstantDelay(2.5).sample(rng, (2, 3)), np.full((2, 3), 2.5))
    assert ExponentialDelay(0.5).sample(rng, 400_000).mean() == pytest.approx(2.0, rel=0.01)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ConstantDelay(-1), "constant delay must be a finite number ≥ 0"),
        (lambda: ExponentialDelay(0), "exponential rate must be a finite number > 0"),
        (lambda: ParetoExponentialDelay(1.2, 1, 1, 1), "pareto_weight must be a probability"),
        (lambda: ParetoExponentialDelay(0.5, 0, 1, 1), "Pareto scale x_m must be"),
        (lambda: ParetoExponentialDelay(0.5, 1, math.inf, 1), "Pareto shape alpha must be"),
        (lambda: LognormalDelay.from_p50_p95(50, 40), "need 0 < p50 ≤ p95"),
        (lambda: WanWars(Wars.symmetric(ConstantDelay(1)), datacenters=0), "datacenters must be"),
    ],
)
def test_bad_delay_parameters_are_rejected(build, message):
    with pytest.raises(ValueError, match=message):
        build()


# --- t-visibility: hand-checked cases ----------------------------------------------------------------

FAST_WRITE = Wars(ConstantDelay(1), ConstantDelay(1), ConstantDelay(5), ConstantDelay(5))
FAST_READ = Wars(ConstantDelay(10), ConstantDelay(1), ConstantDelay(1), ConstantDelay(1))
FAR = Wars.symmetric(ConstantDelay(20))
STEP = PerReplicaWars((FAST_WRITE, FAST_READ, FAR))


def test_constant_delays_give_the_analytic_step():
    """Replica 0 acks first, so the write commits at c = 1 + 1 = 2 ms. Replica 1 answers reads first
    (R + S = 2 ms) but gets the write only at 10 ms; a read sent t ms after commit reaches it at
    2 + t + 1 ms. So with R = 1 the read is stale exactly while 3 + t < 10, i.e. t < 7 ms."""
    ts = [0, 3, 6.99, 7, 7.01, 50]
    assert list(t_visibility(STEP, 3, 1, 1, ts, trials=100)) == [0, 0, 0, 1, 1, 1]
    assert time_to_consistency(STEP, 3, 1, 1, trials=100) == 7
    # With R = 2 the second responder is replica 0, which already has the write at commit.
    assert list(t_visibility(STEP, 3, 1, 2, ts, trials=100)) == [1] * len(ts)
    # Uniform delays: the write reaches every replica before any ack returns, never stale.
    assert time_to_consistency(Wars.symmetric(ConstantDelay(3)), 5, 1, 1, trials=100) == 0


def exponential_model(write_rate, ack_ms, read_ms):
    return Wars(ExponentialDelay(write_rate), ConstantDelay(ack_ms), ConstantDelay(read_ms), ExponentialDelay(1.0))


def closed_form_p_consistent(n, write_rate, ack_ms, read_ms, t):
    """W ~ Exp(λ), A ≡ a, R ≡ ρ, S ~ Exp(1), iid over n replicas, W = R = 1. Derivation:

    * the write commits at c = min_i W_i + a (W = 1: the first ack);
    * the first read response comes from j = argmin S_j (R is constant): uniform over the n
      replicas and independent of the W's;
    * j has the write when the read reaches it iff W_j ≤ c + t + ρ = min W + a + t + ρ;
    * with probability 1/n, j holds the minimum W and always has the write (a, ρ, t ≥ 0);
    * otherwise W_j − min W ~ Exp(λ) (memoryless: given the minimum, the other W's exceed it by
      independent Exp(λ)), so the read is stale with probability e^(−λ(t + a + ρ)).

    Hence P(consistent at t) = 1 − (n−1)/n · e^(−λ(t + a + ρ)); for n = 1 it is 1 (the only
    replica acked, so it has the write), and the time to probability p is
    ln((n−1) / (n(1−p))) / λ − a − ρ."""
    return 1 - (n - 1) / n * np.exp(-write_rate * (np.asarray(t) + ack_ms + read_ms))


@pytest.mark.parametrize(("n", "write_rate", "ack_ms", "read_ms"), [(1, 0.5, 0, 0), (2, 0.5, 0, 0), (3, 0.2, 1.0, 0.5), (5, 1.0, 0.25, 0.25)])
def test_exponential_writes_match_the_closed_form(n, write_rate, ack_ms, read_ms):
    trials = 400_000
    ts = np.array([0, 0.5, 1, 2, 5, 10, 20])
    estimate = t_visibility(exponential_model(write_rate, ack_ms, read_ms), n, 1, 1, ts, trials=trials, seed=11)
    exact = closed_form_p_consistent(n, write_rate, ack_ms, read_ms, ts)
    standard_error = np.sqrt(exact * (1 - exact) / trials)
    assert np.all(np.abs(estimate - exact) <= 4 * standard_error + 1e-12)
    if n > 1:
        expected_time = math.log((n - 1) / (n * 0.001)) / write_rate - ack_ms - read_ms
        found = time_to_consistency(exponential_model(write_rate, ack_ms, read_ms), n, 1, 1, trials=trials, seed=11)
        # The 99.9% point of 400,000 draws: the tail count (≈ 400) is within ±10% (5 sd), so t is within ln(1.1)/λ.
        assert found == pytest.approx(expected_time, abs=math.log(1.1) / write_rate)


def test_wan_coordinators_are_drawn_independently_for_writes_and_reads():
    """Constant 1 ms local messages, +75 ms to another datacenter, N = 3 (one replica each), W = R = 1.
    The write commits at 2 ms on its coordinator's replica. If the read's coordinator is in the same
    datacenter (probability 1/3), its local replica answers first and has the write: consistent.
    Otherwise its local replica answers first but gets the write at 76 ms while the read reaches it
    at 2 + t + 1 ms: stale until t = 73 ms. So P(consistent) = 1/3 before 73 ms and 1 from then on."""
    model = WanWars(Wars.symmetric(ConstantDelay(1)))
    trials = 200_000
    p = t_visibility(model, 3, 1, 1, [0, 72.9, 73], trials=trials, seed=2)
    assert p[0] == p[1] == pytest.approx(1 / 3, abs=4 * math.sqrt(2 / 9 / trials))
    assert p[2] == 1


def test_simulation_agrees_with_the_definition_read_for_read():
    """The windows give, for every trial and t, the verdict of the WARS definition itself: replica i
    has the write iff W_i ≤ c + t + R_i, the coordinator keeps the first r responses by arrival
    time c + t + R_i + S_i, and the read is consistent iff one of them has the write."""
    model = load_latency_models()["LNKD-DISK"].wars()
    n, w, r, trials, seed = 5, 2, 2, 2_000, 9
    ts = [0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 40.0]
    delays = model.sample(np.random.default_rng(seed), n, trials)
    consistent = np.zeros(len(ts))
    for trial in range(trials):
        write, ack, read, response = (part[trial] for part in delays)
        commit = sorted(write + ack)[w - 1]
        for index, t in enumerate(ts):
            arrival = commit + t + read + response
            first = sorted(range(n), key=lambda i: arrival[i])[:r]
            consistent[index] += any(write[i] <= commit + t + read[i] for i in first)
    assert list(t_visibility(model, n, w, r, ts, trials=trials, seed=seed)) == list(consistent / trials)


# --- t-visibility: properties ----------------------------------------------------------------------


def test_same_seed_same_numbers_other_seed_other_numbers():
    model = load_latency_models()["YMMR"].wars()
    ts = np.linspace(0, 100, 11)
    first = t_visibility(model, 3, 1, 1, ts, trials=20_000, seed=42)
    assert np.array_equal(first, t_visibility(model, 3, 1, 1, ts, trials=20_000, seed=42))
    assert time_to_consistency(model, 3, 1, 1, trials=20_000, seed=42) == time_to_consistency(model, 3, 1, 1, trials=20_000, seed=42)
    assert not np.array_equal(first, t_visibility(model, 3, 1, 1, ts, trials=20_000, seed=43))


def test_estimates_converge_as_trials_grow():
    """Against the 10^6-trial estimate (itself within 4 standard errors of the closed form), the
    root-mean-square error over eight seeds shrinks from 10^4 to 10^5 trials and stays within three
    binomial standard errors of the difference of two independent estimates."""
    model = exponential_model(0.2, 1.0, 0.5)
    ts = np.array([0, 2, 5, 10, 20])
    reference = t_visibility(model, 3, 1, 1, ts, trials=1_000_000, seed=0)
    exact = closed_form_p_consistent(3, 0.2, 1.0, 0.5, ts)
    assert np.all(np.abs(reference - exact) <= 4 * np.sqrt(exact * (1 - exact) / 1_000_000))
    errors = {}
    for trials in (10_000, 100_000):
        estimates = np.array([t_visibility(model, 3, 1, 1, ts, trials=trials, seed=seed) for seed in range(1, 9)])
        errors[trials] = np.sqrt(np.mean((estimates - reference) ** 2, axis=0))
        bound = 3 * np.sqrt(reference * (1 - reference) * (1 / trials + 1 / 1_000_000))
        assert np.all(errors[trials] <= bound)
    assert np.all(errors[100_000] < errors[10_000])


@pytest.mark.parametrize("name", ["LNKD-SSD", "LNKD-DISK", "YMMR", "WAN"])
def test_p_consistent_never_decreases_with_time(name):
    p = t_visibility(load_latency_models()[name].wars(), 3, 1, 1, np.linspace(0, 2000, 4001), trials=50_000)
    assert np.all(np.diff(p) >= 0)
    assert 0 < p[0] < 1 and p[-1] > 0.99


@pytest.mark.parametrize("name", ["LNKD-SSD", "LNKD-DISK", "YMMR", "WAN"])
@pytest.mark.parametrize(("n", "w", "r"), [(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3), (5, 4, 2)])
def test_overlapping_quorums_are_consistent_at_commit(name, n, w, r):
    """R + W > N: w replicas have the write by commit time (W_i ≤ W_i + A_i ≤ c), and any r of n
    include one of them."""
    model = load_latency_models()[name].wars()
    assert t_visibility(model, n, w, r, [0], trials=20_000)[0] == 1
    assert time_to_consistency(model, n, w, r, trials=20_000) == 0


def test_time_to_consistency_is_the_first_time_the_probability_is_reached():
    windows = simulate_staleness(load_latency_models()["LNKD-DISK"].wars(), 3, 1, 1, trials=50_000, seed=8)
    for probability in (0.5, 0.9, 0.99, 0.999, 1.0):
        t = windows.time_to(probability)
        assert windows.p_consistent(t) >= probability
        assert windows.p_consistent(np.nextafter(t, -np.inf)) < probability
    assert StalenessWindows(np.array([0.0, 1.0, 2.0, 3.0])).time_to(0.5) == 1.0


def test_bad_simulation_arguments_are_rejected():
    model = Wars.symmetric(ConstantDelay(1))
    with pytest.raises(ValueError, match="w must be between 1 and n = 3"):
        t_visibility(model, 3, 4, 1, [0])
    with pytest.raises(ValueError, match="trials must be a whole number"):
        t_visibility(model, 3, 1, 1, [0], trials=0)
    with pytest.raises(ValueError, match="times after commit must be finite and ≥ 0"):
        t_visibility(model, 3, 1, 1, [-1])
    with pytest.raises(ValueError, match="probability must be in"):
        time_to_consistency(model, 3, 1, 1, probability=0)
    with pytest.raises(ValueError, match="describes 3 replicas, not n = 4"):
        t_visibility(STEP, 4, 1, 1, [0])


def test_a_hundred_thousand_trials_take_well_under_a_second():
    model = load_latency_models()["WAN"].wars()
    simulate_staleness(model, 3, 1, 1, trials=1_000)  # warm-up
    start = time.perf_counter()
    simulate_staleness(model, 3, 1, 1, trials=100_000)
    assert time.perf_counter() - start < 1.0


# --- The published figures ---------------------------------------------------------------------------
#
# Bailis et al., "Probabilistically Bounded Staleness for Practical Partial Quorums", PVLDB 5(8),
# 2012, N = 3. Read in the authors' LaTeX source (github.com/pbailis/pbs-vldb-historical-paper-material,
# writeup/ernst.tex at 01d2d2fed1be8bfcadf6ea2c2aed100011bb9f25): section "Observed t-visibility"
# and the table "t-visibility for p_s = .001 (99.9% probability of consistency for 50,000 reads and
# writes) ... N=3" (label table:lat-stale). The final paper's §1 and §5.6 print the same 1.85 ms,
# 45.5 ms, 43.9%, 1364 ms and 202 ms (seen quoted, with section numbers, in a reading note).

TRIALS = 1_000_000
PAPER_TRIALS_AFTER_COMMIT = 10_000  # "we simulated reads after each of 10,000 non-overlapping writes"
PAPER_TRIALS_AT_999 = 50_000  # the table's caption


@pytest.fixture(scope="module")
def windows():
    models = load_latency_models()
    cache = {}

    def simulate(name, r, w):
        if (name, r, w) not in cache:
            cache[name, r, w] = simulate_staleness(models[name].wars(), 3, w, r, trials=TRIALS, seed=2012)
        return cache[name, r, w]

    return simulate


def binomial_tolerance(p, *trial_counts):
    """Three standard errors of the difference between independent estimates of p."""
    return 3 * math.sqrt(sum(p * (1 - p) / trials for trials in trial_counts))


@pytest.mark.parametrize(
    ("name", "t", "published"),
    [
        ("YMMR", 0, 0.893),
        ("LNKD-SSD", 0, 0.975),
        ("LNKD-DISK", 0, 0.439),
        ("YMMR", 10, 0.939),
        ("LNKD-SSD", 10, 1.000),
        ("LNKD-DISK", 10, 0.925),
    ],
)
def test_probability_of_consistency_after_commit_matches_the_paper(windows, name, t, published):
    """N = 3, R = W = 1, right after commit and 10 ms later. The paper printed one decimal of a
    percent from 10,000 reads: allowed, three standard errors of that and of ours, plus the rounding."""
    ours = windows(name, 1, 1).p_consistent(t)
    assert ours == pytest.approx(published, abs=binomial_tolerance(published, PAPER_TRIALS_AFTER_COMMIT, TRIALS) + 0.0005)


@pytest.mark.parametrize(
    ("name", "r", "w", "published_ms"),
    [
        ("LNKD-SSD", 1, 1, 1.85),
        ("LNKD-SSD", 1, 2, 1.79),
        ("LNKD-DISK", 1, 1, 45.5),
        ("LNKD-DISK", 1, 2, 43.3),
        ("LNKD-DISK", 2, 1, 13.6),
        ("YMMR", 1, 1, 1364.0),
        ("YMMR", 1, 2, 1352.0),
        ("YMMR", 2, 1, 202.0),
        ("WAN", 1, 1, 113.0),
        ("WAN", 2, 1, 30.2),
    ],
)
def test_time_to_99_9_percent_matches_the_paper(windows, name, r, w, published_ms):
    """At the time the paper gives for a 99.9% probability of consistency, ours is 99.9% within
    three standard errors of the paper's 50,000 reads and our 10^6.

    Our own 99.9% times come out up to about 15% later (51–53 ms for LNKD-DISK, about 1.46 s for
    YMMR, depending on the seed): the paper estimated each t of a grid from its own 50,000 reads
    and reported the first t whose estimate reached 99.9%, which noise reaches early (simulating
    that procedure on our windows gives a median of 46.3 ms on a 0.1 ms grid for LNKD-DISK, and
    1377 ms for YMMR)."""
    found = windows(name, r, w)
    assert found.p_consistent(published_ms) == pytest.approx(0.999, abs=binomial_tolerance(0.999, PAPER_TRIALS_AT_999, TRIALS))
    assert published_ms <= found.time_to(0.999) <= 1.2 * published_ms


@pytest.mark.parametrize(("name", "r", "w"), [("LNKD-SSD", 2, 1), ("WAN", 1, 2)])
def test_configurations_the_paper_found_consistent_at_99_9_percent_from_commit(windows, name, r, w):
    """The table's t = 0 entries with R + W ≤ N: LNKD-SSD R=2 W=1 ("we never observed message
    reordering") and WAN R=1 W=2 (W = 2 waits for a remote ack, by which time the write is everywhere near)."""
    assert windows(name, r, w).time_to(0.999) == 0


def test_the_papers_qualitative_ranking(windows):
    """SSDs reach 99.9% sooner than disks; the WAN needs longer than the 75 ms crossing and is poor
    before it ("unless a reader read from the same datacenter in which the last write committed");
    Yammer's long write tail takes the longest; R = 2 shortens every window."""
    times = {name: windows(name, 1, 1).time_to(0.999) for name in ("LNKD-SSD", "LNKD-DISK", "WAN", "YMMR")}
    assert times["LNKD-SSD"] < times["LNKD-DISK"] < 75 < times["WAN"] < times["YMMR"]
    wan = windows("WAN", 1, 1).p_consistent([0, 50, 90])
    assert wan[0] == pytest.approx(1 / 3, abs=0.01) and wan[1] < 0.35 and wan[2] > 0.95
    for name in times:
        assert windows(name, 2, 1).time_to(0.999) < times[name]
