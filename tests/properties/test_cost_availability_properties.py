"""Properties of the monthly cost (engine.evaluate.design_cost over analysis.cost) and of quorum
availability (analysis.availability), over generated designs on catalog regions and prices."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redplan.analysis.availability import (
    LEVELS,
    Hierarchy,
    failover_downtime,
    level,
    quorum_availability,
)
from redplan.analysis.cost import statically_stable_instances
from redplan.analysis.model import Quorum, Replica
from redplan.analysis.quorum import in_population
from redplan.catalog import load_catalog
from redplan.engine.design import (
    CONSENSUS,
    LEADERLESS,
    MULTI_PRIMARY,
    PRIMARY_BACKUP,
    STATELESS,
    Design,
)
from redplan.engine.evaluate import Context, design_cost
from redplan.spec.models import Service

CATALOG = load_catalog()
PRICED = ("aws", "gcp", "azure")
CATALOG_REGIONS = sorted(r.id for r in CATALOG.regions.values() if r.provider in PRICED and r.lat is not None)

# --- cost ------------------------------------------------------------------------------------

SERVICES = [
    Service.model_validate({"name": "ledger", "state": "stateful",
                            "data": {"kind": "ledger", "write_rate": "2000/s", "write_size": "1KiB", "size": "800GiB"}}),
    Service.model_validate({"name": "unsized", "state": "stateful"}),  # default data size, no replication traffic
    Service.model_validate({"name": "web", "state": "stateless", "capacity": 4}),
]
ROLES = ["primary", "standby", "replica", "witness", "non-voting", "instance"]
catalog_replica_st = st.builds(
    Replica, region=st.sampled_from(CATALOG_REGIONS), az=st.sampled_from(["a", "b", "c"]), role=st.sampled_from(ROLES),
)


@st.composite
def priced_designs(draw):
    coordination = draw(st.sampled_from([PRIMARY_BACKUP, CONSENSUS, LEADERLESS, MULTI_PRIMARY, STATELESS]))
    replicas = tuple(draw(st.lists(catalog_replica_st, min_size=1, max_size=6)))
    backup = draw(st.none() | st.sampled_from(CATALOG_REGIONS))
    standby = draw(st.none() | st.sampled_from(CATALOG_REGIONS))
    one = Quorum(1)
    return Design("active-passive", "sync", coordination, replicas, one, one, one,
                  backup_region=backup, standby_region=standby if backup else None)


@settings(max_examples=150, deadline=None)
@given(priced_designs(), catalog_replica_st, st.sampled_from(range(len(SERVICES))))
def test_adding_a_replica_never_makes_a_design_cheaper(design, extra, which):
    """One more replica adds its instance (a quarter of one for a witness), its volume when it
    holds data, and one more replication copy; every price is ≥ 0, so the month cannot cost less.
    The replica is added after the first (the home, which sets every copy's transfer class:
    a new home could move copies to a cheaper class, which is not adding a replica)."""
    context = Context(SERVICES[which], CATALOG)
    bigger = Design(design.pattern, design.replication, design.coordination, (*design.replicas, extra),
                    design.write, design.read, design.ack, backup_region=design.backup_region,
                    standby_region=design.standby_region)
    before, baseline = design_cost(design, context)
    after, same_baseline = design_cost(bigger, context)
    # strictly: every replica is (a share of) an instance, and aws, gcp and azure instances cost > 0
    assert after.total > before.total, (before.breakdown, after.breakdown)
    assert same_baseline == baseline  # the unreplicated reference does not depend on the replicas


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 500), st.integers(1, 6))
def test_statically_stable_instances_survive_any_one_domain_and_grow_with_capacity(capacity, domains):
    """N+1 over M domains: losing any one of M evenly filled domains leaves the capacity, and
    more capacity never needs fewer instances."""
    total = statically_stable_instances(capacity, domains)
    per_domain = -(-total // domains) if domains > 1 else 1  # the fullest domain
    assert total - per_domain >= capacity
    assert statically_stable_instances(capacity + 1, domains) >= total


# --- availability ----------------------------------------------------------------------------

REGIONS = ["aws:us-east-1", "aws:us-west-2", "gcp:europe-west1"]
replica_st = st.builds(
    Replica, region=st.sampled_from(REGIONS), az=st.sampled_from(["a", "b"]),
    role=st.sampled_from(["primary", "standby", "replica", "witness", "non-voting", "instance"]),
)
availability_st = st.floats(0.5, 1.0)
hierarchy_st = st.builds(lambda *a: Hierarchy(*(level(x, 3600) for x in a)), *([availability_st] * 4))
populations = st.sampled_from(["voters", "data", "data-voters"])
any_quorum_st = st.builds(Quorum, size=st.one_of(st.integers(1, 5), st.sampled_from(["one", "majority", "all"])),
                          scope=st.sampled_from(["global", "local", "each"]), among=populations)
ROUNDING = 1e-12  # the convolution drops terms below 1e-18 (availability.NEGLIGIBLE)


@settings(max_examples=150, deadline=None)
@given(st.lists(replica_st, max_size=7), replica_st, hierarchy_st,
       st.builds(Quorum, size=st.one_of(st.integers(1, 4), st.just("one")), scope=st.sampled_from(["global", "local", "each"]), among=populations))
def test_adding_a_replica_never_lowers_the_availability_of_a_fixed_size_quorum(replicas, extra, hierarchy, quorum):
    """With a fixed W (an integer, `one`), every failure state that left W live members still
    does with one more member, so the probability cannot fall; true globally and for `local`, and
    for `each` when the replica joins a region that already has members (a new region would need
    its own quorum). Not true for majorities: see the next test."""
    if quorum.scope == "each" and in_population(extra, quorum.among):
        regions = sorted({r.region for r in replicas if in_population(r, quorum.among)})
        if regions and extra.region not in regions:
            extra = extra._replace(region=regions[0])
    before = quorum_availability(replicas, quorum, hierarchy)
    after = quorum_availability([*replicas, extra], quorum, hierarchy)
    assert after >= before - ROUNDING, (before, after)


def test_adding_a_replica_can_lower_the_availability_of_a_majority():
    """Why "adding a replica never lowers availability" holds only for fixed sizes: one replica
    needs itself; two need both (majority of 2), which is less likely."""
    levels = Hierarchy(level(0.99, 3600), level(1.0, 3600), level(1.0, 3600), level(1.0, 3600))
    one = [Replica("aws:us-east-1", "a", "replica")]
    two = [*one, Replica("aws:us-east-1", "b", "replica")]
    majority = Quorum("majority")
    assert quorum_availability(two, majority, levels) < quorum_availability(one, majority, levels)


@settings(max_examples=200, deadline=None)
@given(st.lists(replica_st, max_size=7), any_quorum_st, hierarchy_st, st.sampled_from(LEVELS), availability_st, availability_st,
       st.lists(st.sampled_from(LEVELS), unique=True), st.floats(0, 600))
def test_availability_grows_with_every_levels_availability(replicas, quorum, hierarchy, name, a, b, failover_levels, failover_s):
    """Any quorum, any scope: a more available node, zone, region or provider never lowers the
    chance a quorum can be formed, nor the writes' availability net of failover downtime. This
    is what lets evaluate.availability_thresholds find each level's break-even by bisection
    (analysis.availability.required_availability)."""
    low, high = hierarchy.with_availability(name, min(a, b)), hierarchy.with_availability(name, max(a, b))
    up_low, up_high = quorum_availability(replicas, quorum, low), quorum_availability(replicas, quorum, high)
    assert up_high >= up_low - ROUNDING
    levels = tuple(failover_levels)
    net_low = max(0.0, up_low - failover_downtime(low, levels, failover_s))
    net_high = max(0.0, up_high - failover_downtime(high, levels, failover_s))
    assert net_high >= net_low - ROUNDING
