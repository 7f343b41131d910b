"""Synchronous commit latency: how long a write waits for the replies it needs (DESIGN.md §5).

Each reply time is a lognormal, optionally shifted by a floor such as the fiber round trip, fitted
to a published median and p95: the simplest right-skewed law that those two numbers pin down, and
the assumption every result here rests on. Replies are independent. A write that needs k acks
waits for the k-th fastest reply; its CDF is a Poisson-binomial tail. Pure math: no I/O, and no
numpy or scipy (start-up time): the normal CDF is `math.erfc`, quantiles are found by bisection
(regula falsi for the costlier CDF of a sum with the client's round trip).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Z95 = 1.6448536269514722
"""The standard normal 95th percentile: a lognormal's p95 is exp(Z95·sigma) times its median."""

QUANTILE_REL_TOL = 1e-6
"""Bisection stops once the bracket is this narrow relative to its upper end."""

MAX_BISECTIONS = 200
"""Geometric bisection needs ~25 steps for a 1e-6 tolerance; the bound only guards against NaN brackets."""

SUM_GRID_CELLS = 64
"""Cells over the write's own range [its 1e-7 and 1 − 1e-7 quantiles] when adding a client round trip."""

SUM_TAIL = 1e-7
"""Probability left outside that range at each end (kept as point masses on the ends)."""

JUMP_WIDTH = 1e-9
"""Relative width of the cell that carries the jump of a constant Delay when adding a client round trip."""

_SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class Delay:
    """One reply time, T = shift_ms + scale_ms · exp(sigma · Z) with Z standard normal.

    `scale_ms` is the median of the lognormal part (exp(mu)); sigma 0 is the constant
    shift_ms + scale_ms (a local fsync, a measured fixed cost). A positive `shift_ms` (the fiber
    floor, say) keeps the left tail physical; 0 is the plain lognormal.
    """

    scale_ms: float
    sigma: float
    shift_ms: float = 0.0

    def __post_init__(self) -> None:
        for name in ("scale_ms", "sigma", "shift_ms"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number ≥ 0, not {value!r}")

    @classmethod
    def from_p50_p95(cls, p50_ms: float, p95_ms: float, shift_ms: float = 0.0) -> Delay:
        """Fit mu = ln(p50 − shift), sigma = ln((p95 − shift)/(p50 − shift)) / z95; p95 = p50 is a constant."""
        if not shift_ms <= p50_ms <= p95_ms:
            raise ValueError(f"need shift ≤ p50 ≤ p95, got {shift_ms:g}, {p50_ms:g}, {p95_ms:g} ms")
        if p95_ms == p50_ms:
            return cls(p50_ms - shift_ms, 0.0, shift_ms)
        if p50_ms == shift_ms:
            raise ValueError(f"p50 {p50_ms:g} ms equals the shift, so no lognormal reaches p95 {p95_ms:g} ms")
        return cls(p50_ms - shift_ms, math.log((p95_ms - shift_ms) / (p50_ms - shift_ms)) / Z95, shift_ms)

    @classmethod
    def from_p50(cls, p50_ms: float, sigma: float, shift_ms: float = 0.0) -> Delay:
        """A median and an assumed spread, for pairs whose p95 is unpublished."""
        if p50_ms < shift_ms:
            raise ValueError(f"p50 {p50_ms:g} ms is below the shift {shift_ms:g} ms")
        return cls(p50_ms - shift_ms, sigma, shift_ms)

    @classmethod
    def constant(cls, ms: float) -> Delay:
        """Always `ms` (sigma 0): a local write, or a cost too steady to model."""
        return cls(ms, 0.0, 0.0)

    @property
    def mu(self) -> float:
        return math.log(self.scale_ms) if self.scale_ms > 0 else -math.inf

    @property
    def p50_ms(self) -> float:
        return self.shift_ms + self.scale_ms

    @property
    def degenerate(self) -> bool:
        return self.sigma == 0 or self.scale_ms == 0

    def cdf(self, t: float) -> float:
        return self._cdf_sf(t)[0]

    def _cdf_sf(self, t: float) -> tuple[float, float]:
        """(P(T ≤ t), P(T > t)), each computed without cancellation (the DP needs both in the tails)."""
        x = t - self.shift_ms
        if self.degenerate:
            return (1.0, 0.0) if x >= self.scale_ms else (0.0, 1.0)
        if x <= 0:
            return 0.0, 1.0
        a = (math.log(x / self.scale_ms)) / (self.sigma * _SQRT2)
        if a <= 0:
            below = 0.5 * math.erfc(-a)
            return below, 1.0 - below
        above = 0.5 * math.erfc(a)
        return 1.0 - above, above

    def quantile(self, q: float) -> float:
        _check_probability(q)
        if self.degenerate:
            return self.p50_ms
        return self.shift_ms + self.scale_ms * math.exp(self.sigma * _normal_quantile(q))


@dataclass(frozen=True)
class LatencyEstimate:
    p50_ms: float
    p99_ms: float
    explanation: str


def kth_fastest_cdf(delays: Sequence[Delay], k: int, t: float) -> float:
    """P(the k-th fastest of the independent `delays` has arrived by t) = P(at least k arrived by t)."""
    _check_k(delays, k)
    return _at_least(delays, k, t)


def kth_fastest_quantile(delays: Sequence[Delay], k: int, q: float) -> float:
    """The q-quantile of the k-th fastest reply, by bisection on `kth_fastest_cdf`."""
    _check_k(delays, k)
    _check_probability(q)
    return _quantile(lambda t: _at_least(delays, k, t), delays, q)


def quorum_write_latency(
    client_to_coordinator: Delay | None, replica_delays: Sequence[Delay], acks: int
) -> LatencyEstimate:
    """Leaderless or primary-backup synchronous write: the coordinator waits for `acks` replies.

    The coordinator's own write counts as a reply only if the caller lists it (as a near-zero or
    fsync-sized Delay); a remote client adds its round trip to the coordinator.
    """
    _check_k(replica_delays, acks)
    p50, p99 = _plus_client(lambda t: _at_least(replica_delays, acks, t), replica_delays, client_to_coordinator)
    text = f"waits for the {_ordinal(acks)} fastest of {len(replica_delays)} replica replies"
    return LatencyEstimate(p50, p99, text + _CLIENT_TEXT[client_to_coordinator is None] + _MODEL_TEXT)


def consensus_write_latency(
    leader_fsync: Delay, follower_delays: Sequence[Delay], majority: int, client_to_leader: Delay | None = None
) -> LatencyEstimate:
    """Leader-based consensus (Raft, Paxos): commit once the leader's own log write and majority − 1
    follower acks are in, i.e. max(fsync, (majority − 1)-th fastest follower), independent, so
    the CDF is the product; a remote client adds its round trip to the leader."""
    needed = majority - 1
    if not 0 <= needed <= len(follower_delays):
        raise ValueError(f"a majority of {majority} needs 1..{len(follower_delays) + 1} voters counting the leader")
    if needed:
        cdf = lambda t: leader_fsync.cdf(t) * _at_least(follower_delays, needed, t)  # noqa: E731
        text = f"waits for the leader's log write and the {_ordinal(needed)} fastest of {len(follower_delays)} follower acks"
    else:
        cdf = leader_fsync.cdf
        text = "waits for the leader's log write alone (a majority of one)"
    p50, p99 = _plus_client(cdf, [leader_fsync, *follower_delays], client_to_leader)
    return LatencyEstimate(p50, p99, text + _CLIENT_TEXT[client_to_leader is None] + _MODEL_TEXT)


_CLIENT_TEXT = {True: "", False: ", plus the client's round trip"}
_MODEL_TEXT = "; each reply time an independent lognormal through its p50 and (published or assumed) p95"


def _at_least(delays: Sequence[Delay], k: int, t: float) -> float:
    """Poisson-binomial tail by dynamic program: counts[j] = P(exactly j arrived) for j < k, and
    counts[k] = P(k or more), so it costs O(N·k) rather than O(N²)."""
    counts = [1.0] + [0.0] * k
    for delay in delays:
        arrived, late = delay._cdf_sf(t)
        counts[k] += counts[k - 1] * arrived
        for j in range(k - 1, 0, -1):
            counts[j] = counts[j] * late + counts[j - 1] * arrived
        counts[0] *= late
    return min(1.0, counts[k])


def _quantile(cdf: Callable[[float], float], parts: Sequence[Delay], q: float, rel_tol: float = QUANTILE_REL_TOL) -> float:
    """The q-quantile of a variable lying between the fastest and the slowest of `parts`.

    Bracket: P(min ≤ t) ≤ q once every part is below its 1 − (1−q)^(1/N) quantile, and
    P(max ≤ t) ≥ q once every part is past its q^(1/N) quantile; so any order statistic, or a max
    of them, has its q-quantile in between. Bisection is geometric (replies span 0.1–300 ms).
    """
    n = len(parts)
    low_level = -math.expm1(math.log1p(-q) / n)
    high_level = math.exp(math.log(q) / n)
    lo = min(part.quantile(low_level) for part in parts)
    hi = max(part.quantile(high_level) for part in parts)
    return _invert(cdf, q, lo, hi, rel_tol)


def _invert(cdf: Callable[[float], float], q: float, lo: float, hi: float, rel_tol: float) -> float:
    """Smallest t (within rel_tol) with cdf(t) ≥ q, for a monotone cdf bracketed by lo ≤ t ≤ hi."""
    if cdf(lo) >= q:
        return lo
    for _ in range(MAX_BISECTIONS):
        if cdf(hi) >= q:
            break
        lo, hi = hi, 2 * hi + 1e-9  # the bracket is proven; this only absorbs rounding
    for _ in range(MAX_BISECTIONS):
        if hi - lo <= rel_tol * hi:
            break
        middle = math.sqrt(lo * hi) if lo > 0 else 0.5 * (lo + hi)
        if cdf(middle) >= q:
            hi = middle
        else:
            lo = middle
    return hi


def _invert_smooth(cdf: Callable[[float], float], q: float, lo: float, hi: float) -> float:
    """`_invert` by the Illinois variant of regula falsi: for the smooth convolved CDF, whose every
    evaluation costs a pass over the grid, it needs ~8 evaluations where bisection needs ~25."""
    f_lo, f_hi = cdf(lo) - q, cdf(hi) - q
    if f_lo >= 0:
        return lo
    while f_hi < 0:
        lo, f_lo, hi = hi, f_hi, 2 * hi + 1e-9
        f_hi = cdf(hi) - q
    kept = 0
    for _ in range(MAX_BISECTIONS):
        if hi - lo <= QUANTILE_REL_TOL * hi:
            break
        t = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        if not lo < t < hi:
            t = 0.5 * (lo + hi)
        f = cdf(t) - q
        if f >= 0:
            hi, f_hi = t, f
            if kept == 1:
                f_lo /= 2
            kept = 1
        else:
            lo, f_lo = t, f
            if kept == -1:
                f_hi /= 2
            kept = -1
    return hi


def _plus_client(cdf: Callable[[float], float], parts: Sequence[Delay], client: Delay | None) -> tuple[float, float]:
    """p50 and p99 of W + C, W the write (given by its CDF) and C the independent client round trip.

    Each quantile is searched for on its own, to QUANTILE_REL_TOL; where both fall on one jump of
    the CDF (a constant Delay) the p99 found can land below the p50 found, so it is kept at least
    the p50, which stays within the tolerance of both."""
    if client is None or client.degenerate:
        offset = 0.0 if client is None else client.p50_ms
        p50 = _quantile(cdf, parts, 0.5)
        return p50 + offset, max(p50, _quantile(cdf, parts, 0.99)) + offset
    start, end = _quantile(cdf, parts, SUM_TAIL, 1e-2), _quantile(cdf, parts, 1 - SUM_TAIL, 1e-2)
    if end <= start:
        return start + client.quantile(0.5), start + client.quantile(0.99)
    sum_cdf = _convolved_cdf(cdf, start, end, client, [part.p50_ms for part in parts if part.degenerate])
    # X ≥ start + shift (up to the 1e-7 tail), and P(X > end + C's (1+q)/2 quantile) ≤ (1 − q)/2 + 1e-7
    p50, p99 = (
        _invert_smooth(sum_cdf, q, start + client.shift_ms, end + client.quantile(1 - (1 - q) / 2)) for q in (0.5, 0.99)
    )
    return p50, p99


def _convolved_cdf(
    cdf: Callable[[float], float], start: float, end: float, client: Delay, jumps: Sequence[float]
) -> Callable[[float], float]:
    """P(W + C ≤ t) by exact integration of a piecewise-linear F_W against the lognormal C.

    Why this way: W is only known through its CDF, C is lognormal. F_W is sampled on a geometric
    grid over its own 1e-7..1−1e-7 range (the mass outside sits on the ends) and taken as uniform
    within each cell; a cell [a, b] then contributes (mass/(b − a))·(H(t − a) − H(t − b)) with
    H(y) = E[(y − C)+], closed form for a lognormal. This stays exact when C is narrow (it
    reduces to interpolating F_W) and when W is narrow (a point mass at the start is kept as
    one). F_W jumps only where a constant Delay sits; a cell JUMP_WIDTH wide ends at each, so the
    jump's mass stays (almost) a point mass instead of being smeared over a grid cell.
    """
    if start > 0:
        ratio = (end / start) ** (1 / SUM_GRID_CELLS)
        grid = [start * ratio**j for j in range(SUM_GRID_CELLS)]
    else:
        grid = [(end - start) * j / SUM_GRID_CELLS for j in range(SUM_GRID_CELLS)]
    pinned = [edge for jump in jumps for edge in (jump * (1 - JUMP_WIDTH), jump) if start < edge < end]
    nodes = sorted({*grid, *pinned, end})
    levels = [cdf(node) for node in nodes]
    first_mass, last_mass = levels[0], 1.0 - levels[-1]
    densities = [(levels[j + 1] - levels[j]) / (nodes[j + 1] - nodes[j]) for j in range(len(nodes) - 1)]
    shift, mu, sigma = client.shift_ms, client.mu, client.sigma
    half_mean = 0.5 * client.scale_ms * math.exp(0.5 * sigma * sigma)
    scale, lift = 1.0 / (sigma * _SQRT2), sigma / _SQRT2

    def sum_cdf(t: float) -> float:
        # walk the nodes upwards; y = t − node − shift falls, and once C cannot fit (y ≤ 0) nothing further adds
        total = previous = 0.0
        for j, node in enumerate(nodes):
            y = t - node - shift
            if y > 0:
                d = (math.log(y) - mu) * scale
                below = 0.5 * math.erfc(-d)  # F_C(t − node)
                hockey = y * below - half_mean * math.erfc(lift - d)  # E[(t − node − C)+]
            else:
                below = hockey = 0.0
            if j == 0:
                total = first_mass * below
            else:
                total += densities[j - 1] * (previous - hockey)
            previous = hockey
            if y <= 0:
                return min(1.0, total)
        return min(1.0, total + last_mass * below)

    return sum_cdf


def _normal_quantile(p: float) -> float:
    """Φ⁻¹(p): Acklam's rational approximation (rel. error 1e-9) and one Halley step on erfc (to ~1e-15)."""
    if p > 0.5:
        return -_normal_quantile(1.0 - p)
    if p < 0.02425:
        r = math.sqrt(-2.0 * math.log(p))
        x = (((((-7.784894002430293e-03 * r - 3.223964580411365e-01) * r - 2.400758277161838e00) * r - 2.549732539343734e00) * r + 4.374664141464968e00) * r + 2.938163982698783e00) / (
            (((7.784695709041462e-03 * r + 3.224671290700398e-01) * r + 2.445134137142996e00) * r + 3.754408661907416e00) * r + 1.0
        )
    else:
        r = p - 0.5
        s = r * r
        x = (((((-3.969683028665376e01 * s + 2.209460984245205e02) * s - 2.759285104469687e02) * s + 1.383577518672690e02) * s - 3.066479806614716e01) * s + 2.506628277459239e00) * r / (
            ((((-5.447609879822406e01 * s + 1.615858368580409e02) * s - 1.556989798598866e02) * s + 6.680131188771972e01) * s - 1.328068155288572e01) * s + 1.0
        )
    error = 0.5 * math.erfc(-x / _SQRT2) - p
    u = error * math.sqrt(2.0 * math.pi) * math.exp(0.5 * x * x)
    return x - u / (1.0 + 0.5 * x * u)


def _check_probability(q: float) -> None:
    if not 0.0 < q < 1.0:
        raise ValueError(f"a quantile level must lie strictly between 0 and 1, not {q!r}")


def _check_k(delays: Sequence[Delay], k: int) -> None:
    if not delays:
        raise ValueError("no replies to wait for: the list of delays is empty")
    if not 1 <= k <= len(delays):
        raise ValueError(f"cannot wait for {k} of {len(delays)} replies: k must be between 1 and {len(delays)}")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
