"""t-visibility of partial quorums (R + W ≤ N), after PBS (DESIGN.md §5): a vectorised, seeded Monte Carlo.

Bailis et al., PVLDB 5(8), 2012: how likely is a read started t ms after a write commits to see
it, given how long messages take? The WARS model (W write request, A ack, R read request, S read
response, one draw of each per replica): `t_visibility`, `time_to_consistency`.

Delays are in milliseconds. WARS leaves out read repair and anti-entropy, which only make reads
fresher, so the figures are pessimistic (the paper says the same). numpy is imported here, and
only the commands that report t-visibility import this module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from redplan.analysis.latency import Z95
from redplan.analysis.staleness import check_sizes

DEFAULT_TRIALS = 100_000
DEFAULT_PROBABILITY = 0.999
"""The paper reports the time to a 99.9% probability of a consistent read."""


# --- Message delays ------------------------------------------------------------------------------


class MessageDelay(Protocol):
    """A one-way message delay in ms; `sample` draws an array of independent delays at once."""

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray: ...


def _finite_at_least(value: float, floor: float, what: str, strict: bool = False) -> None:
    if not (math.isfinite(value) and (value > floor if strict else value >= floor)):
        raise ValueError(f"{what} must be a finite number {'>' if strict else '≥'} {floor:g}, not {value!r}")


@dataclass(frozen=True)
class ConstantDelay:
    """Always `ms`: for hand-checked cases and for costs too steady to model."""

    ms: float

    def __post_init__(self) -> None:
        _finite_at_least(self.ms, 0, "a constant delay")

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return np.full(size, float(self.ms))


@dataclass(frozen=True)
class ExponentialDelay:
    """Exponential with rate `rate_per_ms` (mean 1/rate): memoryless, so closed forms exist to test against."""

    rate_per_ms: float

    def __post_init__(self) -> None:
        _finite_at_least(self.rate_per_ms, 0, "an exponential rate", strict=True)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return rng.exponential(1.0 / self.rate_per_ms, size)


@dataclass(frozen=True)
class ParetoExponentialDelay:
    """The paper's fitted form: with probability `pareto_weight` a classical (type I) Pareto with
    scale `x_m_ms` and shape `alpha` (support ≥ x_m), otherwise an exponential with rate `rate_per_ms`.

    Both parts come from one standard exponential E: x_m·exp(E/alpha) is that Pareto
    (P(> x) = (x_m/x)^alpha) and E/rate that exponential. (numpy's `Generator.pareto(a)` would
    draw a Lomax, a Pareto II with support ≥ 0, not this law.)"""

    pareto_weight: float
    x_m_ms: float
    alpha: float
    rate_per_ms: float

    def __post_init__(self) -> None:
        if not 0 <= self.pareto_weight <= 1:
            raise ValueError(f"pareto_weight must be a probability in [0, 1], not {self.pareto_weight!r}")
        _finite_at_least(self.x_m_ms, 0, "the Pareto scale x_m", strict=True)
        _finite_at_least(self.alpha, 0, "the Pareto shape alpha", strict=True)
        _finite_at_least(self.rate_per_ms, 0, "the exponential rate", strict=True)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        use_pareto = rng.random(size) < self.pareto_weight
        standard = rng.standard_exponential(size)
        return np.where(use_pareto, self.x_m_ms * np.exp(standard / self.alpha), standard / self.rate_per_ms)


@dataclass(frozen=True)
class LognormalDelay:
    """Lognormal with median `median_ms` and log-spread `sigma` (sigma 0: constant), for delays
    known only by a median and a p95, such as the catalog's round-trip times."""

    median_ms: float
    sigma: float

    def __post_init__(self) -> None:
        _finite_at_least(self.median_ms, 0, "a median delay", strict=True)
        _finite_at_least(self.sigma, 0, "sigma")

    @classmethod
    def from_p50_p95(cls, p50_ms: float, p95_ms: float) -> LognormalDelay:
        """Through a one-way median and p95: sigma = ln(p95 / p50) / z95."""
        if not (math.isfinite(p95_ms) and 0 < p50_ms <= p95_ms):
            raise ValueError(f"need 0 < p50 ≤ p95, got {p50_ms!r} and {p95_ms!r} ms")
        return cls(p50_ms, math.log(p95_ms / p50_ms) / Z95)

    @classmethod
    def from_round_trip(cls, p50_rtt_ms: float, p95_rtt_ms: float) -> LognormalDelay:
        """One way of a measured round trip: half of it, i.e. the median halves and sigma is
        unchanged. Assumes the two directions take equal time, which a round trip cannot show."""
        return cls.from_p50_p95(p50_rtt_ms / 2, p95_rtt_ms / 2)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return self.median_ms * np.exp(self.sigma * rng.standard_normal(size))


# --- WARS models ---------------------------------------------------------------------------------


class WarsSample(NamedTuple):
    """Per trial (row) and replica (column): write request, write ack, read request, read response."""

    write: np.ndarray
    ack: np.ndarray
    read: np.ndarray
    response: np.ndarray


class WarsModel(Protocol):
    """Anything that draws `trials` × `n` WARS delays."""

    def sample(self, rng: np.random.Generator, n: int, trials: int) -> WarsSample: ...


@dataclass(frozen=True)
class Wars:
    """The same four delay laws at every replica, all draws independent."""

    write: MessageDelay
    ack: MessageDelay
    read: MessageDelay
    response: MessageDelay

    @classmethod
    def symmetric(cls, delay: MessageDelay) -> Wars:
        """Every message takes the same law (the paper's LNKD-SSD)."""
        return cls(delay, delay, delay, delay)

    def sample(self, rng: np.random.Generator, n: int, trials: int) -> WarsSample:
        size = (trials, n)
        return WarsSample(*(delay.sample(rng, size) for delay in (self.write, self.ack, self.read, self.response)))


@dataclass(frozen=True)
class PerReplicaWars:
    """Replica i's messages follow `replicas[i]`: a slow disk, a remote zone."""

    replicas: tuple[Wars, ...]

    def sample(self, rng: np.random.Generator, n: int, trials: int) -> WarsSample:
        if n != len(self.replicas):
            raise ValueError(f"this model describes {len(self.replicas)} replicas, not n = {n}")
        columns = [replica.sample(rng, 1, trials) for replica in self.replicas]
        return WarsSample(*(np.hstack([getattr(column, part) for column in columns]) for part in WarsSample._fields))


@dataclass(frozen=True)
class WanWars:
    """The paper's WAN scenario: `local` delays inside a datacenter, plus `remote_one_way_ms` on
    every message between a coordinator and a replica in another datacenter.

    Replica i lives in datacenter i mod `datacenters` (one replica each for N = 3, as in the paper).
    Writes and reads are each coordinated from a datacenter drawn uniformly at random, independently
    of each other ("reads and writes are routed to random data centers", and so does the authors'
    simulator), so a read often starts far from the replica the write committed on."""

    local: Wars
    datacenters: int = 3
    remote_one_way_ms: float = 75.0

    def __post_init__(self) -> None:
        if isinstance(self.datacenters, bool) or not isinstance(self.datacenters, int) or self.datacenters < 1:
            raise ValueError(f"datacenters must be a whole number ≥ 1, not {self.datacenters!r}")
        _finite_at_least(self.remote_one_way_ms, 0, "the remote one-way delay")

    def sample(self, rng: np.random.Generator, n: int, trials: int) -> WarsSample:
        local = self.local.sample(rng, n, trials)
        home = np.arange(n) % self.datacenters
        write_remote = self.remote_one_way_ms * (home != rng.integers(self.datacenters, size=(trials, 1)))
        read_remote = self.remote_one_way_ms * (home != rng.integers(self.datacenters, size=(trials, 1)))
        return WarsSample(local.write + write_remote, local.ack + write_remote, local.read + read_remote, local.response + read_remote)


# --- t-visibility ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StalenessWindows:
    """Per simulated write, how long after its commit a read may still miss it (sorted, ms ≥ 0).

    A read started t ms after commit is consistent iff t ≥ the window, so both the probability at
    any t and the time to reach any probability come from the same draws."""

    sorted_ms: np.ndarray

    def p_consistent(self, ts: float | Sequence[float] | np.ndarray) -> np.ndarray:
        """P(a read started t ms after commit sees the write), for each t in `ts` (ms ≥ 0)."""
        times = np.asarray(ts, dtype=float)
        if not np.all(np.isfinite(times)) or np.any(times < 0):
            raise ValueError("times after commit must be finite and ≥ 0 ms")
        return np.searchsorted(self.sorted_ms, times, side="right") / self.sorted_ms.size

    def time_to(self, probability: float = DEFAULT_PROBABILITY) -> float:
        """The smallest t (ms) at which P(consistent) reaches `probability`."""
        if not 0 < probability <= 1:
            raise ValueError(f"probability must be in (0, 1], not {probability!r}")
        needed = math.ceil(round(probability * self.sorted_ms.size, 9))
        return float(self.sorted_ms[needed - 1])


def simulate_staleness(
    model: WarsModel, n: int, w: int, r: int, trials: int = DEFAULT_TRIALS, seed: int = 0
) -> StalenessWindows:
    """Monte Carlo over WARS: draw `trials` × n delays once (numpy's default_rng(seed)) and return
    each trial's staleness window.

    The write commits at c = the w-th smallest W + A. A read sent t ms later reaches replica i at
    c + t + R_i, which then has the write iff W_i ≤ c + t + R_i; the coordinator keeps the first r
    responses by arrival (smallest R + S). The read is stale iff none of them has the write, i.e.
    iff t < min over those r of (W_i − R_i − c): the window, floored at 0."""
    check_sizes(n, w, r)
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ValueError(f"trials must be a whole number ≥ 1, not {trials!r}")
    delays = model.sample(np.random.default_rng(seed), n, trials)
    commit = np.partition(delays.write + delays.ack, w - 1, axis=1)[:, w - 1 : w]
    first = np.argpartition(delays.read + delays.response, r - 1, axis=1)[:, :r]
    window = np.take_along_axis(delays.write - delays.read, first, axis=1).min(axis=1, keepdims=True) - commit
    return StalenessWindows(np.sort(np.maximum(window[:, 0], 0.0)))


def t_visibility(
    model: WarsModel,
    n: int,
    w: int,
    r: int,
    ts: float | Sequence[float] | np.ndarray,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
) -> np.ndarray:
    """P(consistent read) at each t (ms after commit) in `ts`, from one seeded simulation."""
    return simulate_staleness(model, n, w, r, trials, seed).p_consistent(ts)


def time_to_consistency(
    model: WarsModel,
    n: int,
    w: int,
    r: int,
    probability: float = DEFAULT_PROBABILITY,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
) -> float:
    """How long after commit (ms) a read has `probability` of seeing the write (0 when R + W > N)."""
    return simulate_staleness(model, n, w, r, trials, seed).time_to(probability)
