"""Availability with correlated failures: against the binomial formula, brute force over every
domain state, and a seeded Monte Carlo."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from redplan.analysis.availability import (
    LEVELS,
    Hierarchy,
    binomial,
    downtime_per_year_s,
    failover_downtime,
    level,
    nines,
    quorum_availability,
    required_availability,
)
from redplan.analysis.model import Quorum, Replica
from redplan.analysis.quorum import can_form_after

PERFECT = level(1.0, 3600)


def hierarchy(node=0.9995, az=0.9995, region=0.99995, provider=0.99999) -> Hierarchy:
    return Hierarchy(level(node, 1800), level(az, 7200), level(region, 14400), level(provider, 14400))


def replicas_in(*places: str, role: str = "replica") -> tuple[Replica, ...]:
    """'aws:us-east-1/a' -> a replica in that zone."""
    return tuple(Replica(place.split("/")[0], place.split("/")[1], role) for place in places)


@pytest.mark.parametrize("n", range(1, 10))
def test_k_of_n_in_one_zone_is_the_binomial_tail(n):
    only_nodes = Hierarchy(level(0.97, 1800), PERFECT, PERFECT, PERFECT)
    replicas = replicas_in(*["aws:us-east-1/a"] * n)
    for k in range(1, n + 1):
        expected = sum(math.comb(n, i) * 0.97**i * 0.03 ** (n - i) for i in range(k, n + 1))
        assert quorum_availability(replicas, Quorum(k), only_nodes) == pytest.approx(expected, abs=1e-15)


def test_a_single_instance_is_the_product_of_its_levels():
    """The catalog's defaults were chosen to give the 99.9% single-instance SLA: 0.9995² × 0.99995 × 0.99999."""
    estimate = quorum_availability(replicas_in("aws:us-east-1/a"), Quorum(1), hierarchy())
    assert estimate == pytest.approx(0.9995 * 0.9995 * 0.99995 * 0.99999, abs=1e-15)
    assert downtime_per_year_s(estimate) == pytest.approx(33_441, abs=1)


def test_replicas_sharing_a_zone_fail_together():
    """Two replicas in one zone survive a node, not the zone: 1 - (1-p_node)² inside one zone's availability."""
    same_zone = quorum_availability(replicas_in("aws:us-east-1/a", "aws:us-east-1/a"), Quorum(1), hierarchy())
    two_zones = quorum_availability(replicas_in("aws:us-east-1/a", "aws:us-east-1/b"), Quorum(1), hierarchy())
    assert same_zone == pytest.approx((1 - 0.0005**2) * 0.9995 * 0.99995 * 0.99999, abs=1e-15)
    assert two_zones == pytest.approx((1 - (1 - 0.9995 * 0.9995) ** 2) * 0.99995 * 0.99999, abs=1e-15)
    assert two_zones > same_zone


PLACEMENTS = [
    ("aws:us-east-1/a", "aws:us-east-1/b", "aws:us-east-1/c"),
    ("aws:us-east-1/a", "aws:us-east-1/a", "aws:us-east-1/b", "aws:us-west-2/a", "gcp:us-east4/a"),
    ("aws:us-east-1/a", "aws:us-east-1/b", "aws:us-west-2/a", "aws:us-west-2/b"),
    ("aws:us-east-1/a", "aws:eu-west-1/a", "gcp:europe-west1/b", "gcp:europe-west1/c"),
]
QUORUMS = [Quorum(1), Quorum("majority"), Quorum("all"), Quorum(2), Quorum("majority", "each"), Quorum("majority", "local"),
           Quorum(1, "each"), Quorum(2, "local")]
SKEWED = hierarchy(node=0.9, az=0.85, region=0.95, provider=0.97)


def brute_force(replicas, quorum, levels: Hierarchy) -> float:
    """Sum over every up/down state of every node, zone, region and provider that is used (2^14 at most here)."""
    domains = {
        "node": [(index,) for index in range(len(replicas))],
        "az": sorted({(replica.region, replica.az) for replica in replicas}),
        "region": sorted({replica.region for replica in replicas}),
        "provider": sorted({replica.provider for replica in replicas}),
    }
    members = {
        "node": lambda domain, index: index == domain[0],
        "az": lambda domain, index: (replicas[index].region, replicas[index].az) == domain,
        "region": lambda domain, index: replicas[index].region == domain,
        "provider": lambda domain, index: replicas[index].provider == domain,
    }
    every = [(name, domain) for name in LEVELS for domain in domains[name]]
    total = 0.0
    for states in itertools.product((True, False), repeat=len(every)):
        probability = math.prod(levels.level(name).availability if up else 1 - levels.level(name).availability
                                for (name, _), up in zip(every, states))
        failed = {index for (name, domain), up in zip(every, states) if not up
                  for index in range(len(replicas)) if members[name](domain, index)}
        if can_form_after(replicas, failed, quorum):
            total += probability
    return total


@pytest.mark.parametrize("places", PLACEMENTS, ids=lambda places: f"{len(places)} replicas")
@pytest.mark.parametrize("quorum", QUORUMS, ids=lambda quorum: f"{quorum.size}-{quorum.scope}")
def test_the_convolution_equals_brute_force_over_every_domain_state(places, quorum):
    replicas = replicas_in(*places)
    assert quorum_availability(replicas, quorum, SKEWED) == pytest.approx(brute_force(replicas, quorum, SKEWED), abs=1e-12)


def test_witnesses_vote_and_data_quorums_skip_them():
    replicas = (*replicas_in("aws:us-east-1/a", "aws:us-east-1/b"), Replica("aws:us-east-2", "a", "witness"))
    for quorum in (Quorum("majority"), Quorum(1, among="data")):
        assert quorum_availability(replicas, quorum, SKEWED) == pytest.approx(brute_force(replicas, quorum, SKEWED), abs=1e-12)


def test_the_hierarchy_agrees_with_a_seeded_monte_carlo():
    """Independent check by simulation: 100,000 draws of every domain, tolerance 4 standard errors."""
    replicas = replicas_in(*PLACEMENTS[1])
    quorum = Quorum("majority")
    rng = random.Random(20261126)
    levels = SKEWED
    up = 0
    trials = 100_000
    for _ in range(trials):
        down_providers = {p for p in {r.provider for r in replicas} if rng.random() >= levels.provider.availability}
        down_regions = {g for g in {r.region for r in replicas} if rng.random() >= levels.region.availability}
        down_zones = {z for z in {(r.region, r.az) for r in replicas} if rng.random() >= levels.az.availability}
        failed = {index for index, replica in enumerate(replicas)
                  if replica.provider in down_providers or replica.region in down_regions
                  or (replica.region, replica.az) in down_zones or rng.random() >= levels.node.availability}
        up += can_form_after(replicas, failed, quorum)
    exact = quorum_availability(replicas, quorum, levels)
    standard_error = math.sqrt(exact * (1 - exact) / trials)
    assert abs(up / trials - exact) < 4 * standard_error


def test_thousands_of_instances_are_cheap_and_exact():
    """N+1 with 100,000 instances: the binomial is walked out from its mode, not built whole."""
    distribution = binomial(100_000, 0.9995)
    assert math.fsum(distribution.values()) == pytest.approx(1.0, abs=1e-12)
    assert len(distribution) < 300
    small = binomial(200, 0.99)
    for k in (190, 198, 200):
        assert small[k] == pytest.approx(math.comb(200, k) * 0.99**k * 0.01 ** (200 - k), rel=1e-9)
    replicas = replicas_in(*["aws:us-east-1/a"] * 50_000, *["aws:us-east-1/b"] * 50_000)
    # 49,900 needed: either zone's 50,000 carry it (about 49,975 of them are up), so either zone up will do
    assert quorum_availability(replicas, Quorum(49_900, among="data"), hierarchy()) == pytest.approx(
        (1 - 0.0005**2) * 0.99995 * 0.99999, abs=1e-12)
    # 50,000 needed: one zone's nodes fall short (0.9995 × 50,000 = 49,975), so both zones must be up
    assert quorum_availability(replicas, Quorum(50_000, among="data"), hierarchy()) == pytest.approx(
        0.9995**2 * 0.99995 * 0.99999, abs=1e-9)


def test_failover_downtime_is_outage_rate_times_failover_time():
    levels = hierarchy()
    # node: 0.0005 / 1800 s, zone: 0.0005 / 7200 s, so 3.47e-7 outages a second, each costing 30 s
    assert failover_downtime(levels, ("node", "az"), 30.0) == pytest.approx((0.0005 / 1800 + 0.0005 / 7200) * 30, rel=1e-12)
    assert failover_downtime(levels, (), 30.0) == 0.0


def test_required_availability_is_where_the_target_is_crossed():
    replicas = replicas_in("aws:us-east-1/a", "aws:us-east-1/b")
    levels = hierarchy()

    def estimate(trial: Hierarchy) -> float:
        return quorum_availability(replicas, Quorum(1), trial)

    needed = required_availability(estimate, levels, "region", 0.99997)
    assert needed is not None and estimate(levels.with_availability("region", needed)) >= 0.99997
    assert estimate(levels.with_availability("region", needed - 1e-9)) < 0.99997
    assert needed == pytest.approx(0.99997 / ((1 - (1 - 0.9995**2) ** 2) * 0.99999), abs=1e-9)  # REQUIRED_PRECISION
    assert required_availability(estimate, levels, "node", 0.99999) is None  # the region alone allows 99.995%


def test_levels_are_checked_and_nines_read_as_usual():
    with pytest.raises(ValueError, match="between 0 and 1"):
        level(1.5, 60)
    with pytest.raises(ValueError, match="between 0 and 1"):
        level(float("nan"), 60)
    with pytest.raises(ValueError, match="positive duration"):
        level(0.99, 0)
    assert nines(0.999) == pytest.approx(3)
    assert nines(1.0) == math.inf
