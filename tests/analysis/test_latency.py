"""Commit latency: order statistics of independent lognormal replies, checked against exact formulas
and seeded Monte Carlo."""

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.special import betainc
from scipy.stats import norm

from redplan.analysis.latency import (
    Z95,
    Delay,
    LatencyEstimate,
    _normal_quantile,
    consensus_write_latency,
    kth_fastest_cdf,
    kth_fastest_quantile,
    quorum_write_latency,
)

LOCAL = Delay.from_p50_p95(0.5, 1.5)  # same region: the 1 ms minimum spread of catalog/spread.py
REMOTE = Delay.from_p50_p95(60, 75)  # an Azure-like inter-region pair
FSYNC = Delay.from_p50_p95(1.0, 2.5)
CLIENT = Delay.from_p50_p95(30, 40)  # a remote client
MIXED = [LOCAL, LOCAL, REMOTE, REMOTE]
SAMPLES = 400_000
MC_TOLERANCE = 0.01


def draw(delay, rng):
    if delay.degenerate:
        return np.full(SAMPLES, delay.p50_ms)
    return delay.shift_ms + delay.scale_ms * np.exp(delay.sigma * rng.standard_normal(SAMPLES))


def kth_samples(delays, k, rng):
    return np.sort(np.stack([draw(delay, rng) for delay in delays]), axis=0)[k - 1]


def assert_matches(estimate_p50, estimate_p99, samples):
    p50, p99 = np.quantile(samples, [0.5, 0.99])
    assert estimate_p50 == pytest.approx(p50, rel=MC_TOLERANCE)
    assert estimate_p99 == pytest.approx(p99, rel=MC_TOLERANCE)


# --- Delay -----------------------------------------------------------------------------------------


def test_fit_hits_the_published_median_and_p95():
    delay = Delay.from_p50_p95(60, 75)
    assert delay.mu == pytest.approx(math.log(60))
    assert delay.sigma == pytest.approx(math.log(75 / 60) / 1.6448536)
    assert delay.quantile(0.5) == pytest.approx(60, rel=1e-12)
    assert delay.quantile(0.95) == pytest.approx(75, rel=1e-12)
    assert delay.cdf(75) == pytest.approx(0.95, rel=1e-12)


def test_shifted_fit_hits_them_too_and_never_goes_below_the_shift():
    delay = Delay.from_p50_p95(60, 75, shift_ms=40)
    assert delay.quantile(0.5) == pytest.approx(60, rel=1e-12)
    assert delay.quantile(0.95) == pytest.approx(75, rel=1e-12)
    assert delay.cdf(40) == 0.0
    assert delay.quantile(1e-12) > 40


def test_from_p50_takes_an_assumed_spread():
    delay = Delay.from_p50(80, math.log(1.059) / Z95)
    assert delay.quantile(0.95) == pytest.approx(80 * 1.059, rel=1e-12)


@pytest.mark.parametrize("p", [1e-12, 1e-7, 0.001, 0.02425, 0.2, 0.5, 0.8, 0.975, 0.99, 1 - 1e-9])
def test_normal_quantile_matches_scipy(p):
    assert _normal_quantile(p) == pytest.approx(norm.ppf(p), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Delay.from_p50_p95(75, 60), "p50 ≤ p95"),
        (lambda: Delay.from_p50_p95(40, 75, shift_ms=40), "equals the shift"),
        (lambda: Delay.from_p50(10, -0.1), "sigma"),
        (lambda: Delay.constant(math.nan), "scale_ms"),
        (lambda: REMOTE.quantile(1.0), "strictly between 0 and 1"),
    ],
)
def test_bad_delays_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --- (a) identical replicas: the Beta order-statistic formula --------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 10])
@pytest.mark.parametrize("level", [1e-4, 0.05, 0.3, 0.5, 0.8, 0.99, 0.9999])
def test_identical_replicas_follow_the_beta_formula(n, level):
    t = REMOTE.quantile(level)
    f = REMOTE.cdf(t)
    for k in range(1, n + 1):
        exact = betainc(k, n - k + 1, f)  # P(T(k) ≤ t) = I_F(t)(k, n − k + 1)
        assert kth_fastest_cdf([REMOTE] * n, k, t) == pytest.approx(exact, rel=1e-9, abs=1e-300)


def test_identical_replica_quantile_inverts_the_beta_formula():
    # T(k) ≤ t iff F(t) ≥ the q-quantile of Beta(k, n − k + 1)
    from scipy.stats import beta

    for n, k in [(3, 2), (5, 3), (7, 1), (7, 7)]:
        for q in (0.5, 0.99):
            exact = REMOTE.quantile(beta.ppf(q, k, n - k + 1))
            assert kth_fastest_quantile([REMOTE] * n, k, q) == pytest.approx(exact, rel=2e-6)


# --- (b) mixed replicas against Monte Carlo ------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_kth_fastest_of_mixed_replicas_matches_monte_carlo(k):
    rng = np.random.default_rng(20260730 + k)
    samples = kth_samples(MIXED, k, rng)
    assert_matches(kth_fastest_quantile(MIXED, k, 0.5), kth_fastest_quantile(MIXED, k, 0.99), samples)


@pytest.mark.parametrize("acks", [1, 2, 3, 4])
def test_quorum_write_with_a_remote_client_matches_monte_carlo(acks):
    rng = np.random.default_rng(7 + acks)
    estimate = quorum_write_latency(CLIENT, MIXED, acks)
    assert_matches(estimate.p50_ms, estimate.p99_ms, kth_samples(MIXED, acks, rng) + draw(CLIENT, rng))


@pytest.mark.parametrize("majority", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("client", [CLIENT, None, Delay.from_p50_p95(0.4, 1.4)], ids=["remote", "none", "local"])
def test_consensus_write_matches_monte_carlo(majority, client):
    rng = np.random.default_rng(100 * majority + (client is None))
    write = draw(FSYNC, rng)
    if majority > 1:
        write = np.maximum(write, kth_samples(MIXED, majority - 1, rng))
    if client is not None:
        write = write + draw(client, rng)
    estimate = consensus_write_latency(FSYNC, MIXED, majority, client)
    assert_matches(estimate.p50_ms, estimate.p99_ms, write)


def test_constant_replicas_inside_the_range_stay_point_masses():
    # min(30 ms constant, lognormal with median 30 ms): half the mass sits exactly on 30 ms; smearing
    # it over a grid cell would be off by ~1.7 % once a narrow client round trip is added
    rng = np.random.default_rng(3)
    replicas = [Delay.constant(30), Delay.from_p50(30, 0.3)]
    client = Delay.from_p50_p95(0.5, 0.8)
    estimate = quorum_write_latency(client, replicas, 1)
    samples = np.minimum(30.0, draw(replicas[1], rng)) + draw(client, rng)
    p50, p99 = np.quantile(samples, [0.5, 0.99])
    assert estimate.p50_ms == pytest.approx(p50, rel=2e-3)
    assert estimate.p99_ms == pytest.approx(p99, rel=2e-3)


def test_local_write_as_a_constant_replica_matches_monte_carlo():
    rng = np.random.default_rng(11)
    replicas = [Delay.constant(0.05), REMOTE, Delay.from_p50_p95(80, 95)]
    estimate = quorum_write_latency(Delay.from_p50_p95(5, 6), replicas, 2)
    assert_matches(estimate.p50_ms, estimate.p99_ms, kth_samples(replicas, 2, rng) + draw(Delay.from_p50_p95(5, 6), rng))


# --- (c) monotonicity and bounds -------------------------------------------------------------------


@pytest.mark.parametrize("q", [0.01, 0.5, 0.99])
def test_quantile_is_monotone_in_k_and_in_q(q):
    replicas = [LOCAL, REMOTE, Delay.from_p50_p95(20, 30), Delay.from_p50_p95(120, 140), FSYNC]
    by_k = [kth_fastest_quantile(replicas, k, q) for k in range(1, 6)]
    assert by_k == sorted(by_k)
    for k in range(1, 6):
        assert kth_fastest_quantile(replicas, k, 0.5) <= kth_fastest_quantile(replicas, k, 0.99)


def test_quantile_is_accurate_to_the_tolerance():
    for k in (1, 3, 4):
        t = kth_fastest_quantile(MIXED, k, 0.99)
        assert kth_fastest_cdf(MIXED, k, t) >= 0.99
        assert kth_fastest_cdf(MIXED, k, t * (1 - 2e-6)) < 0.99


def test_more_replicas_never_slow_the_kth_fastest():
    assert kth_fastest_quantile([*MIXED, REMOTE], 3, 0.5) <= kth_fastest_quantile(MIXED, 3, 0.5)


def test_commit_latency_is_at_least_each_thing_it_waits_for():
    for majority in (1, 2, 3, 4, 5):
        estimate = consensus_write_latency(FSYNC, MIXED, majority, CLIENT)
        assert estimate.p99_ms >= estimate.p50_ms >= CLIENT.p50_ms + FSYNC.p50_ms
    slowest = quorum_write_latency(None, MIXED, 4)
    assert slowest.p50_ms >= REMOTE.p50_ms
    assert quorum_write_latency(CLIENT, MIXED, 4).p50_ms >= slowest.p50_ms + CLIENT.p50_ms


def test_the_fastest_of_several_beats_each_median():
    # why "p50 ≥ the smallest p50 involved" is *not* a law: the fastest of 5 iid replies has the
    # median F⁻¹(1 − 0.5^(1/5)), below each reply's own median
    fastest = kth_fastest_quantile([REMOTE] * 5, 1, 0.5)
    assert fastest == pytest.approx(REMOTE.quantile(1 - 0.5 ** (1 / 5)), rel=2e-6)
    assert fastest < REMOTE.p50_ms


# --- (d) degenerate (sigma 0) cases ---------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_constant_replies_give_exact_order_statistics(k):
    constants = [Delay.constant(ms) for ms in (4.0, 1.0, 3.0, 2.0)]
    assert kth_fastest_cdf(constants, k, k - 1e-9) == 0.0
    assert kth_fastest_cdf(constants, k, k) == 1.0
    assert kth_fastest_quantile(constants, k, 0.5) == pytest.approx(k, rel=1e-6)
    assert kth_fastest_quantile(constants, k, 0.99) == pytest.approx(k, rel=1e-6)


def test_equal_p50_and_p95_is_a_constant():
    delay = Delay.from_p50_p95(5, 5)
    assert delay.degenerate and delay.sigma == 0
    assert (delay.cdf(4.999), delay.cdf(5), delay.quantile(0.01), delay.quantile(0.99)) == (0.0, 1.0, 5, 5)


def test_all_constant_consensus_is_max_then_sum():
    followers = [Delay.constant(ms) for ms in (1, 40, 60, 90)]
    estimate = consensus_write_latency(Delay.constant(2), followers, 3, Delay.constant(30))
    assert (estimate.p50_ms, estimate.p99_ms) == pytest.approx((max(2, 40) + 30, max(2, 40) + 30), rel=1e-6)
    disk_bound = consensus_write_latency(Delay.constant(50), followers, 3, Delay.constant(30))
    assert disk_bound.p50_ms == pytest.approx(50 + 30, rel=1e-6)


def test_constant_client_shifts_and_constant_write_takes_the_client_quantiles():
    shifted = quorum_write_latency(Delay.constant(10), MIXED, 3)
    alone = quorum_write_latency(None, MIXED, 3)
    assert (shifted.p50_ms, shifted.p99_ms) == pytest.approx((alone.p50_ms + 10, alone.p99_ms + 10), rel=1e-12)
    local_only = quorum_write_latency(CLIENT, [Delay.constant(0.0), REMOTE], 1)
    assert (local_only.p50_ms, local_only.p99_ms) == pytest.approx((CLIENT.quantile(0.5), CLIENT.quantile(0.99)), rel=1e-6)


def test_max_with_a_constant_fsync_is_exact():
    # max(c, X): q-quantile is max(c, F⁻¹(q))
    slow_disk = Delay.constant(65)
    estimate = consensus_write_latency(slow_disk, [REMOTE], 2)
    assert estimate.p50_ms == pytest.approx(65, rel=1e-6)
    assert estimate.p99_ms == pytest.approx(REMOTE.quantile(0.99), rel=1e-6)


# --- validation, wording, cost -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kth_fastest_cdf(MIXED, 0, 10), "cannot wait for 0 of 4 replies: k must be between 1 and 4"),
        (lambda: kth_fastest_quantile(MIXED, 5, 0.5), "cannot wait for 5 of 4 replies"),
        (lambda: kth_fastest_quantile([], 1, 0.5), "empty"),
        (lambda: kth_fastest_quantile(MIXED, 1, 0.0), "strictly between 0 and 1"),
        (lambda: quorum_write_latency(None, MIXED, 5), "cannot wait for 5 of 4"),
        (lambda: consensus_write_latency(FSYNC, MIXED, 6), "a majority of 6 needs 1..5 voters"),
        (lambda: consensus_write_latency(FSYNC, MIXED, 0), "a majority of 0"),
    ],
)
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_explanations_say_what_is_waited_for_and_the_model():
    quorum = quorum_write_latency(CLIENT, MIXED, 3)
    assert isinstance(quorum, LatencyEstimate)
    assert quorum.explanation.startswith("waits for the 3rd fastest of 4 replica replies, plus the client's round trip")
    assert "lognormal" in quorum.explanation
    solo = consensus_write_latency(FSYNC, [], 1)
    assert "a majority of one" in solo.explanation
    assert (solo.p50_ms, solo.p99_ms) == pytest.approx((FSYNC.quantile(0.5), FSYNC.quantile(0.99)), rel=2e-6)


def test_importing_it_pulls_in_no_heavy_modules():
    probe = (
        "import sys, redplan.analysis.latency, redplan.catalog.spread; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'scipy', 'statistics')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
