"""Writes at risk at a primary failure: closed forms, limits, hand-checked figures and seeded simulations."""

from __future__ import annotations

import math
import random

import pytest
from scipy import integrate

from redplan.analysis.data_loss import Z99, LognormalLag, backup_data_loss, replication_data_loss

TEN_FOLD_SIGMA = math.log(10) / Z99  # p99 = 10 × median: σ = 2.302585 / 2.326348 = 0.989785


def within_standard_errors(samples: list[float], expected: float, errors: float = 4.0) -> bool:
    mean = math.fsum(samples) / len(samples)
    variance = math.fsum((value - mean) ** 2 for value in samples) / (len(samples) - 1)
    return abs(mean - expected) <= errors * math.sqrt(variance / len(samples))


# --- the lag --------------------------------------------------------------------------------


def test_the_lognormal_goes_through_its_median_and_p99():
    lag = LognormalLag(0.2, 5.0)
    assert lag.sigma == pytest.approx(math.log(25) / 2.3263478740, rel=1e-9)  # 3.218876 / 2.326348 = 1.383661
    assert lag.quantile(0.5) == pytest.approx(0.2, rel=1e-12)
    assert lag.quantile(0.99) == pytest.approx(5.0, rel=1e-12)
    assert LognormalLag(10, 100).sigma == pytest.approx(0.989785, abs=1e-6)


def test_async_figures_for_the_catalog_lag_with_the_ten_fold_spread():
    # median 20 ms, p99 200 ms: E[L] = 0.02 × exp(0.989785² / 2) = 0.02 × exp(0.489838) = 0.02 × 1.632051 = 0.0326410 s;
    # at 50 writes/s that is 1.632051 writes, and RPO at 99% is the p99, 0.2 s
    estimate = replication_data_loss(LognormalLag(0.02, 0.2), 50.0, 0.99)
    assert estimate.rpo_s == pytest.approx(0.2, rel=1e-12)
    assert estimate.median_s == 0.02
    assert estimate.mean_s == pytest.approx(0.0326410, rel=1e-5)
    assert estimate.expected_writes_lost == pytest.approx(1.632051, rel=1e-6)
    assert 0.38 < estimate.p_nothing_lost < 0.383  # a = λ·median = 1; simulated below
    assert estimate.p_nothing_lost >= math.exp(-estimate.expected_writes_lost)  # Jensen: E[e^(−λL)] ≥ e^(−λE[L]) = 0.1955


def test_without_a_write_rate_only_the_window_is_known():
    estimate = replication_data_loss(LognormalLag(10, 100), None)
    assert (estimate.rpo_s, estimate.expected_writes_lost, estimate.p_nothing_lost) == (pytest.approx(100), None, None)
    assert estimate.mean_s == pytest.approx(16.32051, rel=1e-6)


def test_a_lag_without_spread_is_a_constant_window():
    # σ = 0: no write in a fixed window of 2 s at 0.5/s has probability e^(−1) = 0.367879
    assert LognormalLag(2, 2).p_no_write(0.5) == math.exp(-1)
    # σ → 0 through the quadrature: within λ·median·σ²-ish of the limit
    nearly = LognormalLag(2, 2 * (1 + 1e-6))
    assert nearly.sigma > 0
    assert nearly.p_no_write(0.5) == pytest.approx(math.exp(-1), rel=1e-6)


def test_no_writes_or_no_lag_lose_nothing():
    assert LognormalLag(10, 100).p_no_write(0.0) == 1.0
    estimate = replication_data_loss(LognormalLag(0, 0), 1000.0)
    assert (estimate.rpo_s, estimate.expected_writes_lost, estimate.p_nothing_lost) == (0.0, 0.0, 1.0)


def test_a_slow_writer_matches_the_moment_series():
    # e^(−λL) = Σ (−λL)^k / k!, and E[L^k] = m^k e^(k²σ²/2): for λm = 0.001 and σ = 0.989785
    # 1 − 0.001632051 + 0.000003547 − 0.0000000137 = 0.9983715; the next term is below 2e-10
    lag, rate = LognormalLag(1.0, 10.0), 0.001
    series = math.fsum((-rate) ** k * math.exp(k * k * lag.sigma**2 / 2) / math.factorial(k) for k in range(5))
    assert series == pytest.approx(0.9983715, abs=1e-7)
    assert lag.p_no_write(rate) == pytest.approx(series, abs=1e-11)


@pytest.mark.parametrize("writes_per_median", [1e-6, 0.3, 1.0, 30.0, 2e4, 1e7])
@pytest.mark.parametrize("p99_per_median", [1.5, 10.0, 25.0, 1e4])
def test_the_chance_of_losing_nothing_agrees_with_adaptive_quadrature(writes_per_median, p99_per_median):
    """Down to chances of 1e-300 and below: many writes within a lag that rarely drops far below its median."""
    lag = LognormalLag(1.0, p99_per_median)
    sigma = lag.sigma

    def density(z: float) -> float:
        return math.exp(-z * z / 2 - writes_per_median * math.exp(sigma * z)) / math.sqrt(2 * math.pi)

    # scipy's adaptive rule, on both sides of the integrand's peak (where z + aσe^(σz) = 0)
    low, high = -60.0, 0.0
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if middle + writes_per_median * sigma * math.exp(sigma * middle) < 0 else (low, middle)
    reference = sum(integrate.quad(density, a, b, epsabs=0, epsrel=1e-12, limit=500)[0]
                    for a, b in ((low - 40, low), (low, low + 40)))
    computed = lag.p_no_write(writes_per_median)
    if reference < 1e-300:
        assert computed < 1e-290
    else:
        assert computed == pytest.approx(reference, rel=1e-9)


def test_simulated_failures_lose_what_the_formulas_say():
    """Each trial: a lag drawn from the lognormal and the time since the last write before the failure
    (exponential, the Poisson stream being memoryless); nothing is lost when that last write is older than the lag."""
    rng = random.Random(5)
    lag, rate, trials = LognormalLag(0.02, 0.2), 50.0, 100_000
    estimate = replication_data_loss(lag, rate, 0.99)
    lags = [lag.median_s * math.exp(lag.sigma * rng.gauss(0, 1)) for _ in range(trials)]
    nothing_lost = [1.0 if rng.expovariate(rate) > sample else 0.0 for sample in lags]
    within_rpo = [1.0 if sample <= estimate.rpo_s else 0.0 for sample in lags]
    lost = [_poisson_arrivals(rng, rate, sample) for sample in lags]
    assert within_standard_errors(nothing_lost, estimate.p_nothing_lost)
    assert within_standard_errors(within_rpo, 0.99)
    assert within_standard_errors(lost, estimate.expected_writes_lost)


def _poisson_arrivals(rng: random.Random, rate: float, window: float) -> float:
    """Writes of a Poisson stream that fall in a window: exponential gaps counted until they overrun it."""
    count, elapsed = 0, rng.expovariate(rate)
    while elapsed <= window:
        count += 1
        elapsed += rng.expovariate(rate)
    return float(count)


# --- backups --------------------------------------------------------------------------------


def test_backup_figures_by_hand():
    # every hour, 10 minutes to copy off-site, one write per 10 minutes: RPO at 99% = 600 + 0.99 × 3600 = 4164 s;
    # E[lost] = (600 + 1800) / 600 = 4 writes; P(none) = e^(−1) × (1 − e^(−6)) / 6 = 0.3678794 × 0.1662535 = 0.0611613
    estimate = backup_data_loss(3600, 600, 1 / 600, 0.99)
    assert estimate.rpo_s == pytest.approx(4164)
    assert estimate.median_s == estimate.mean_s == 2400
    assert estimate.expected_writes_lost == pytest.approx(4.0)
    assert estimate.p_nothing_lost == pytest.approx(0.0611613, rel=1e-6)


def test_backup_limits():
    # λ → 0: P(none) → 1 − λ(C + T/2), and exactly 1 at λ = 0; the next term, λ²E[W²]/2, is 1e-18 × 6.84e6 / 2 = 3.4e-12
    assert backup_data_loss(3600, 600, 0.0).p_nothing_lost == 1.0
    assert backup_data_loss(3600, 600, 1e-9).p_nothing_lost == pytest.approx(1 - 1e-9 * 2400, abs=1e-11)
    # T → 0 (continuous backups): the window is the copy time alone
    continuous = backup_data_loss(0, 600, 0.01)
    assert (continuous.rpo_s, continuous.p_nothing_lost) == (600, pytest.approx(math.exp(-6)))
    assert backup_data_loss(1e-9, 600, 0.01).p_nothing_lost == pytest.approx(math.exp(-6), rel=1e-9)
    # no write rate: the window alone
    assert backup_data_loss(3600, 600, None).expected_writes_lost is None


def test_simulated_failures_during_a_backup_schedule():
    """A failure at a random time restores the last backup that finished its copy; writes since that backup
    started are lost. Simulated from the schedule itself, not from the uniform window the formulas assume."""
    rng = random.Random(11)
    interval, copy, rate, trials = 3600.0, 600.0, 1 / 600, 100_000
    estimate = backup_data_loss(interval, copy, rate, 0.99)
    nothing_lost, within_rpo, lost = [], [], []
    for _ in range(trials):
        failure = rng.uniform(2 * interval, 1000 * interval)
        recent_starts = [k * interval for k in range(math.floor(failure / interval) - 2, math.floor(failure / interval) + 1)]
        window = failure - max(start for start in recent_starts if start + copy <= failure)
        nothing_lost.append(1.0 if rng.expovariate(rate) > window else 0.0)
        within_rpo.append(1.0 if window <= estimate.rpo_s else 0.0)
        lost.append(_poisson_arrivals(rng, rate, window))
    assert within_standard_errors(nothing_lost, estimate.p_nothing_lost)
    assert within_standard_errors(within_rpo, 0.99)
    assert within_standard_errors(lost, estimate.expected_writes_lost)


# --- inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("median", "p99", "message"), [
    (-1.0, 1.0, "median_s must be a finite number"),
    (1.0, math.inf, "p99_s must be a finite number"),
    (math.nan, 1.0, "median_s must be a finite number"),
    (True, 1.0, "median_s must be a finite number"),
    (2.0, 1.0, "below median_s"),
    (0.0, 1.0, "median 0 is always 0"),
    (1e-9, 10.0, "no replication lag is that spread"),
])
def test_impossible_lags_are_refused(median, p99, message):
    with pytest.raises(ValueError, match=message):
        LognormalLag(median, p99)


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 1.5, math.nan])
def test_confidence_is_strictly_between_0_and_1(confidence):
    with pytest.raises(ValueError, match="confidence must be strictly between 0 and 1"):
        replication_data_loss(LognormalLag(1, 10), 1.0, confidence)
    with pytest.raises(ValueError, match="confidence must be strictly between 0 and 1"):
        backup_data_loss(3600, 60, 1.0, confidence)


@pytest.mark.parametrize("bad", [-1.0, math.inf, math.nan, "5/s"])
def test_rates_and_durations_are_finite_and_not_negative(bad):
    with pytest.raises(ValueError, match="write_rate_per_s must be a finite number"):
        replication_data_loss(LognormalLag(1, 10), bad)
    with pytest.raises(ValueError, match="write_rate_per_s must be a finite number"):
        backup_data_loss(3600, 60, bad)
    with pytest.raises(ValueError, match="interval_s must be a finite number"):
        backup_data_loss(bad, 60, 1.0)
    with pytest.raises(ValueError, match="copy_s must be a finite number"):
        backup_data_loss(3600, bad, 1.0)
