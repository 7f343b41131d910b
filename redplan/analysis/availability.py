"""Availability with correlated failures (DESIGN.md §5): node ⊂ zone ⊂ region ⊂ provider.

Each failure domain is up with a probability of its level, independently of every other domain; a
down domain takes down everything inside it, so replicas that share a zone fail together. The
number of live members of a quorum's population is built bottom up by convolution (exact, apart
from dropping terms below 1e-18), and a quorum can be formed when enough of them are live.

These are steady-state probabilities: the fraction of time a write (or a read) can be served.
A failover adds its own downtime each time the leader's domain fails (`failover_downtime`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from redplan.analysis.model import Quorum, Replica
from redplan.analysis.quorum import quorum_groups

LEVELS = ("node", "az", "region", "provider")
SECONDS_PER_YEAR = 365.25 * 86400
NEGLIGIBLE = 1e-18
"""Probabilities below this are dropped from a distribution: far below any availability target's precision."""

Distribution = dict[int, float]
"""Number of live members -> probability."""


class Level(NamedTuple):
    """One level of the hierarchy: the probability a domain of it is up, and how long its outages last.

    Build it with `level`, which checks the numbers. A named tuple: estimates are remembered by the
    hierarchy they assume, and tuples hash in C."""

    availability: float
    mean_outage_s: float

    @property
    def outages_per_second(self) -> float:
        """Outage rate of one domain: its down fraction over the mean outage (down = rate × duration)."""
        return (1.0 - self.availability) / self.mean_outage_s


def level(availability: float, mean_outage_s: float) -> Level:
    if not 0.0 <= availability <= 1.0:  # NaN fails this too
        raise ValueError(f"availability must be between 0 and 1, not {availability!r}")
    if not 0.0 < mean_outage_s < math.inf:
        raise ValueError(f"mean outage must be a positive duration, not {mean_outage_s!r}")
    return Level(availability, mean_outage_s)


class Hierarchy(NamedTuple):
    """The assumed availability of every level; the same for all domains of a level."""

    node: Level
    az: Level
    region: Level
    provider: Level

    def level(self, name: str) -> Level:
        return getattr(self, name)

    def with_availability(self, name: str, availability: float) -> Hierarchy:
        return self._replace(**{name: level(availability, self.level(name).mean_outage_s)})


def quorum_availability(replicas: Sequence[Replica], quorum: Quorum, hierarchy: Hierarchy) -> float:
    """Probability that a quorum can be formed from live replicas, with the semantics of
    analysis.quorum: global (enough live in the whole population), each (in every region that has
    members) or local (in at least one region)."""
    groups = quorum_groups(replicas, quorum)
    formable = [(members, size) for members, size in groups if 1 <= size <= len(members)]
    if not formable or (quorum.scope != "local" and len(formable) < len(groups)):
        return 0.0
    if quorum.scope == "global":
        members, size = formable[0]
        return _at_least(_live([replicas[index] for index in members], hierarchy), size)
    return _regional(replicas, formable, hierarchy, every=quorum.scope == "each")


def _regional(replicas: Sequence[Replica], groups: list[tuple[frozenset[int], int]], hierarchy: Hierarchy, every: bool) -> float:
    """Per-region quorums: regions depend on each other only through their provider, so condition on it."""
    by_provider: dict[str, list[float]] = {}
    for members, size in groups:
        inside = [replicas[index] for index in members]
        region_up = hierarchy.region.availability * _at_least(_live_in_region(inside, hierarchy), size)
        by_provider.setdefault(inside[0].provider, []).append(region_up)
    provider = hierarchy.provider.availability
    if every:  # each: every region's quorum, so every provider up
        return math.prod(provider * math.prod(regions) for regions in by_provider.values())
    all_lost = math.prod((1.0 - provider) + provider * math.prod(1.0 - up for up in regions) for regions in by_provider.values())
    return 1.0 - all_lost


def _live(replicas: Sequence[Replica], hierarchy: Hierarchy) -> Distribution:
    by_provider: dict[str, list[Replica]] = {}
    for replica in replicas:
        by_provider.setdefault(replica.provider, []).append(replica)
    total: Distribution = {0: 1.0}
    for members in by_provider.values():
        regions: Distribution = {0: 1.0}
        for inside in _grouped(members, lambda replica: replica.region):
            regions = _convolve(regions, _gated(_live_in_region(inside, hierarchy), hierarchy.region.availability))
        total = _convolve(total, _gated(regions, hierarchy.provider.availability))
    return total


def _live_in_region(replicas: Sequence[Replica], hierarchy: Hierarchy) -> Distribution:
    """Live members of one region, given the region (and its provider) is up."""
    zones: Distribution = {0: 1.0}
    for inside in _grouped(replicas, lambda replica: replica.az):
        zones = _convolve(zones, _gated(binomial(len(inside), hierarchy.node.availability), hierarchy.az.availability))
    return zones


def _grouped(replicas: Iterable[Replica], key: Callable[[Replica], str]) -> list[list[Replica]]:
    groups: dict[str, list[Replica]] = {}
    for replica in replicas:
        groups.setdefault(key(replica), []).append(replica)
    return list(groups.values())


def binomial(n: int, p: float) -> Distribution:
    """Live nodes out of n, each up with probability p: walked out from the mode, so thousands of
    identical instances cost only the terms that matter."""
    if p >= 1.0 or n == 0:
        return {n: 1.0}
    if p <= 0.0:
        return {0: 1.0}
    mode = min(n, int((n + 1) * p))
    log_mode = math.lgamma(n + 1) - math.lgamma(mode + 1) - math.lgamma(n - mode + 1) + mode * math.log(p) + (n - mode) * math.log1p(-p)
    pmf = {mode: math.exp(log_mode)}
    odds = p / (1.0 - p)
    term, k = pmf[mode], mode
    while k < n and term > NEGLIGIBLE:
        term *= (n - k) / (k + 1) * odds
        k += 1
        pmf[k] = term
    term, k = pmf[mode], mode
    while k > 0 and term > NEGLIGIBLE:
        term *= k / (n - k + 1) / odds
        k -= 1
        pmf[k] = term
    total = math.fsum(pmf.values())  # lgamma of a large n carries a relative error of about 1e-11
    return {count: probability / total for count, probability in pmf.items()}


def _gated(distribution: Distribution, up: float) -> Distribution:
    """The distribution inside a domain that is up with probability `up` (down: nothing inside is live)."""
    gated = {count: probability * up for count, probability in distribution.items()}
    gated[0] = gated.get(0, 0.0) + (1.0 - up)
    return gated


def _convolve(a: Distribution, b: Distribution) -> Distribution:
    """Live members of two disjoint groups, independent of each other."""
    total: Distribution = {}
    for count_a, probability_a in a.items():
        for count_b, probability_b in b.items():
            probability = probability_a * probability_b
            if probability > NEGLIGIBLE:
                total[count_a + count_b] = total.get(count_a + count_b, 0.0) + probability
    return total


def _at_least(distribution: Distribution, size: int) -> float:
    return min(1.0, math.fsum(probability for count, probability in distribution.items() if count >= size))


def failover_downtime(hierarchy: Hierarchy, levels: Iterable[str], failover_s: float) -> float:
    """Fraction of time lost to failovers: each outage of the leader's domain at one of `levels` (those
    whose loss the design survives by failing over) stops writes for `failover_s`."""
    return math.fsum(hierarchy.level(level).outages_per_second for level in levels) * failover_s


def required_availability(estimate: Callable[[Hierarchy], float], hierarchy: Hierarchy, level: str, target: float) -> float | None:
    """The lowest availability of `level` at which `estimate` still reaches `target`, the others unchanged,
    to within 1e-9 (None: not even a level that never fails reaches it). Availability only grows with
    each level's, so a bisection finds it, between the assumed value and 1 when the target is missed
    (a few dozen estimates for a whole audit's worth of findings) and below it when it is met."""
    assumed = hierarchy.level(level).availability
    if estimate(hierarchy) >= target:
        if estimate(hierarchy.with_availability(level, 0.0)) >= target:
            return 0.0
        low, high = 0.0, assumed
    else:
        if estimate(hierarchy.with_availability(level, 1.0)) < target:
            return None
        low, high = assumed, 1.0
    while high - low > REQUIRED_PRECISION:
        middle = (low + high) / 2
        if estimate(hierarchy.with_availability(level, middle)) >= target:
            high = middle
        else:
            low = middle
    return high


REQUIRED_PRECISION = 1e-9


def nines(availability: float) -> float:
    """-log10 of the unavailability: 99.9% is 3 nines (inf for 1)."""
    return math.inf if availability >= 1.0 else -math.log10(1.0 - availability)


def downtime_per_year_s(availability: float) -> float:
    return (1.0 - availability) * SECONDS_PER_YEAR


def in_series(availabilities: Iterable[float]) -> float:
    """All must be up: the product, exact for independent parts and a lower bound when they share
    failure domains (shared failures overlap instead of adding up)."""
    return math.prod(availabilities)
