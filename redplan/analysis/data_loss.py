"""Acknowledged writes at risk when the primary fails: asynchronous replication and backups (DESIGN.md §5).

A failure loses the writes acknowledged inside the *loss window* W open at that moment: the
replication lag of an asynchronous replica, or the time since the last backup that reached its
off-site copy. Writes arrive as a Poisson stream of rate λ independent of W, so given W the number
lost is Poisson(λW), and
    RPO at confidence q = the q-quantile of W,
    expected writes lost = λ·E[W],
    P(nothing lost)      = E[P(no arrival in W)] = E[exp(−λW)].
Pure functions of the standard library (statistics.NormalDist for the normal quantiles).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()
Z99 = _STANDARD_NORMAL.inv_cdf(0.99)
_normal_quantile = functools.lru_cache(maxsize=64)(_STANDARD_NORMAL.inv_cdf)
"""Remembered: every service asks for the same confidence."""
MAX_P99_PER_MEDIAN = 1e9
"""Spreads beyond this describe no real lag; below it (σ < 9) every figure here stays finite."""

_NEGLIGIBLE = 1e-18
"""Where the quadrature stops, as a fraction of the integrand's peak (see `_mean_exp_of_lognormal`)."""
_STEP = 0.3
"""Quadrature step as a fraction of the peak's width or of 1/σ, the smaller (see `_mean_exp_of_lognormal`)."""
_NEWTON_STEPS = 100
"""A bound on a loop that always converges: from its start Newton's method takes at most 6 steps (a up to 1e100, σ up to 10)."""


@dataclass(frozen=True)
class DataLossEstimate:
    """What a loss window puts at risk: its quantile at `confidence` (the RPO), its median and mean,
    and, with a write rate, the expected writes lost and the chance that none is."""

    confidence: float
    rpo_s: float
    median_s: float
    mean_s: float
    expected_writes_lost: float | None
    p_nothing_lost: float | None


@dataclass(frozen=True)
class LognormalLag:
    """Replication lag at the moment of failure, L = median · exp(σZ), fitted through a median and a p99.

    Lognormal because lag is positive and right-skewed: it sits near its median while the replica
    keeps up and stretches by factors, not by fixed amounts, when load, long transactions or a slow
    replica push it back. A median of 0 is a replica that never lags (then p99 must be 0 too).
    """

    median_s: float
    p99_s: float

    def __post_init__(self) -> None:
        _check_non_negative("median_s", self.median_s)
        _check_non_negative("p99_s", self.p99_s)
        if self.p99_s < self.median_s:
            raise ValueError(f"p99_s {self.p99_s!r} is below median_s {self.median_s!r}")
        if self.median_s == 0 and self.p99_s > 0:
            raise ValueError("a lognormal lag with median 0 is always 0: p99_s must be 0 too")
        if self.p99_s > MAX_P99_PER_MEDIAN * self.median_s:
            raise ValueError(f"p99_s {self.p99_s!r} is over {MAX_P99_PER_MEDIAN:g} × median_s {self.median_s!r}: no replication lag is that spread")

    @functools.cached_property
    def sigma(self) -> float:
        """σ = ln(p99 / median) / z₀.₉₉ (0 for a constant lag); kept, as services share their technology's lag."""
        return math.log(self.p99_s / self.median_s) / Z99 if self.median_s > 0 else 0.0

    def quantile(self, q: float) -> float:
        _check_probability("q", q)
        return self.median_s * math.exp(self.sigma * _normal_quantile(q))

    @functools.cached_property
    def mean_s(self) -> float:
        """E[L] = median · exp(σ²/2)."""
        return self.median_s * math.exp(self.sigma**2 / 2)

    def p_no_write(self, write_rate_per_s: float) -> float:
        """E[exp(−λL)]: the chance that no write of a Poisson stream at rate λ falls inside the lag."""
        _check_non_negative("write_rate_per_s", write_rate_per_s)
        return _mean_exp_of_lognormal(write_rate_per_s * self.median_s, self.sigma)


def replication_data_loss(lag: LognormalLag, write_rate_per_s: float | None, confidence: float = 0.99) -> DataLossEstimate:
    """Asynchronous replication: the window is the lag L; RPO = L's quantile, E[lost] = λ·E[L], P(none) = E[e^(−λL)]."""
    _check_probability("confidence", confidence)
    rpo = lag.quantile(confidence)
    if write_rate_per_s is None:
        return DataLossEstimate(confidence, rpo, lag.median_s, lag.mean_s, None, None)
    _check_non_negative("write_rate_per_s", write_rate_per_s)
    return DataLossEstimate(confidence, rpo, lag.median_s, lag.mean_s, write_rate_per_s * lag.mean_s, lag.p_no_write(write_rate_per_s))


def backup_data_loss(interval_s: float, copy_s: float, write_rate_per_s: float | None, confidence: float = 0.99) -> DataLossEstimate:
    """Backups started every T that take C to reach their off-site copy.

    A failure at a random time t falls uniformly in the cycle of the last backup started at least C
    before it, so the window W = t − (that backup's start) is uniform on [C, C + T]:
    RPO_q = C + qT, E[lost] = λ(C + T/2), P(none) = (1/T)∫ e^(−λw) dw over [C, C + T]
    = e^(−λC)·(1 − e^(−λT))/(λT), which tends to e^(−λC) as λT → 0.
    """
    _check_non_negative("interval_s", interval_s)
    _check_non_negative("copy_s", copy_s)
    _check_probability("confidence", confidence)
    middle = copy_s + interval_s / 2  # the median and the mean of a uniform window
    rpo = copy_s + confidence * interval_s
    if write_rate_per_s is None:
        return DataLossEstimate(confidence, rpo, middle, middle, None, None)
    _check_non_negative("write_rate_per_s", write_rate_per_s)
    writes_per_interval = write_rate_per_s * interval_s
    share_of_cycle_empty = -math.expm1(-writes_per_interval) / writes_per_interval if writes_per_interval > 0 else 1.0
    return DataLossEstimate(confidence, rpo, middle, middle, write_rate_per_s * middle,
                            math.exp(-write_rate_per_s * copy_s) * share_of_cycle_empty)


def _mean_exp_of_lognormal(scale: float, sigma: float) -> float:
    """E[exp(−a·e^(σZ))] for Z standard normal, a = `scale` ≥ 0, σ ≥ 0 (no closed form for σ > 0).

    The integrand φ(z)·exp(−a·e^(σz)) has a concave logarithm, −z²/2 − a·e^(σz), with curvature
    k(z) = 1 + aσ²e^(σz) ≥ 1: it peaks at the root of z + aσe^(σz), an increasing convex function,
    so Newton's method reaches it from any start, and it falls steadily on either side. For such a
    smooth integrand the trapezoid rule converges geometrically as the step shrinks below both the
    peak's width 1/√k(peak) and 1/σ (beyond ±π/(2σ) off the real axis, exp(−a·e^(σz)) blows up),
    so steps of _STEP × the smaller of the two serve a narrow peak far out in the left tail (large a:
    P is tiny) as well as the plain normal (a → 0: P → 1); against adaptive quadrature the relative
    error stays below 1e-13 for σ up to 9. The sum walks out from the peak until the terms fall
    below _NEGLIGIBLE of it (log-concave terms shrink ever faster, so what is left is smaller still),
    and is taken relative to the peak, so a tiny P does not underflow.
    """
    if scale == 0:
        return 1.0
    if sigma == 0:
        return math.exp(-scale)
    peak = 0.0
    if scale * sigma**2 > math.e:  # far out in the left tail: from −z = ln(aσ²)/σ, put once into σz = ln(−z) − ln(aσ)
        rough = math.log(scale * sigma**2) / sigma
        peak = (math.log(rough) - math.log(scale * sigma)) / sigma
    for _ in range(_NEWTON_STEPS):
        pull = scale * sigma * math.exp(sigma * peak)
        step = (peak + pull) / (1 + sigma * pull)
        peak -= step
        if abs(step) <= 1e-12 * max(1.0, -peak):
            break
    width = 1 / math.sqrt(1 - sigma * peak)  # at the peak aσe^(σz) = −z, so k = 1 − σz
    h = _STEP * min(width, 1 / sigma)
    exp = math.exp  # the walk below is this function's whole cost: the integrand is written out, not called
    top = -peak * peak / 2 - scale * exp(sigma * peak)  # the log of the integrand, −z²/2 − a·e^(σz), at the peak
    total = 1.0
    for direction in (-h, h):
        z, term = peak, 1.0
        while term > _NEGLIGIBLE:
            z += direction
            term = exp(-z * z / 2 - scale * exp(sigma * z) - top)
            total += term
    return exp(top) * total * h / math.sqrt(2 * math.pi)


def _check_non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")


def _check_probability(name: str, q: float) -> None:
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {q!r}")
