"""Properties of the quorum tolerance analysis (redplan.analysis.quorum), over generated placements.

tests/analysis/test_quorum.py checks the analysis against published tables and a brute-force
oracle, and a few properties (fixed global write quorums under an added member, `nodes` = N − W
for global quorums, R + W > N for data-only integer quorums). The properties here extend those to
every scope, population and property (write, read, durability) and every failure-domain level, and
state precisely where the naive statements of issue #6 are false in the model, with the
counterexample as a test.

Counting (DESIGN.md §4, analysis/model.py): a quorum is counted in its population — `voters`
(primary, standby, replica, witness), `data` (primary, standby, replica, non-voting) or
`data-voters` (both). An arbiter is a witness that keeps no log; `instance` is in no population.
N below is the size of that population, per region for `local` and `each` scopes.
"""

from __future__ import annotations

from dataclasses import fields

from hypothesis import given, settings
from hypothesis import strategies as st

from redplan.analysis.model import Quorum, Replica, Tolerance
from redplan.analysis.quorum import analyse_quorums, in_population, quorum_groups, quorum_size

FIELDS = [f.name for f in fields(Tolerance)]
LEVEL_FIELDS = {  # the fields that depend on each level's partition (nodes depends on none)
    "az": ("azs", "nodes_after_az_loss"),
    "region": ("regions", "nodes_after_region_loss"),
    "provider": ("providers",),
}
LEVEL_KEY = {
    "az": lambda r: (r.region, r.az),
    "region": lambda r: r.region,
    "provider": lambda r: r.provider,
}
# Few regions and zones, so that generated replicas share domains often (what the properties are about).
REGIONS = ["aws:us-east-1", "aws:us-west-2", "gcp:europe-west1"]
ROLES = ["primary", "standby", "replica", "replica", "witness", "non-voting", "instance"]
POPULATIONS = ["voters", "data", "data-voters"]

replica_st = st.builds(
    Replica,
    region=st.sampled_from(REGIONS),
    az=st.sampled_from(["a", "b"]),
    role=st.sampled_from(ROLES),
    keeps_log=st.booleans(),
)
replicas_st = st.lists(replica_st, max_size=8)
fixed_size_st = st.one_of(st.integers(1, 5), st.just("one"))
any_size_st = st.one_of(st.integers(1, 6), st.sampled_from(["one", "majority", "all"]))
scope_st = st.sampled_from(["global", "local", "each"])


def quorum_st(sizes=any_size_st, scopes=scope_st):
    return st.builds(Quorum, size=sizes, scope=scopes, among=st.sampled_from(POPULATIONS))


def tolerances(replicas, write, read, ack=None):
    analysis = analyse_quorums(replicas, write, read, ack)
    return {"write": analysis.write, "read": analysis.read, "durability": analysis.durability}


def never_lower(before: Tolerance, after: Tolerance, names=FIELDS) -> list[str]:
    return [name for name in names if getattr(after, name) < getattr(before, name)]


def never_higher(before: Tolerance, after: Tolerance, names=FIELDS) -> list[str]:
    return [name for name in names if getattr(after, name) > getattr(before, name)]


def joining_an_existing_group(replicas, extra, quorums):
    """For `each` quorums, put the new replica in a region that already has members of the
    quorum's population: a replica that opens a new region makes `each` need a quorum there too."""
    for quorum in quorums:
        if quorum.scope == "each" and in_population(extra, quorum.among):
            regions = sorted({r.region for r in replicas if in_population(r, quorum.among)})
            if regions and extra.region not in regions:
                extra = extra._replace(region=regions[0])
    return extra


# --- adding a replica ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(replicas_st, replica_st, quorum_st(fixed_size_st), quorum_st(fixed_size_st))
def test_adding_a_replica_never_lowers_write_or_read_tolerance_of_fixed_size_quorums(replicas, extra, write, read):
    """Fixed sizes (an integer, `one`), any scope and population, every field: each quorum that
    could be formed before can still be formed, and whole domains lost now cover no more of the
    old replicas than before. For `each`, only when the replica joins a region that already
    holds members of the population (see `joining_an_existing_group`)."""
    extra = joining_an_existing_group(replicas, extra, [write, read])
    before, after = tolerances(replicas, write, read), tolerances([*replicas, extra], write, read)
    for prop in ("write", "read"):
        assert not never_lower(before[prop], after[prop]), (prop, before[prop], after[prop])


@settings(max_examples=150, deadline=None)
@given(replicas_st, replica_st, quorum_st(st.sampled_from(["majority", "all"])))
def test_adding_a_replica_never_lowers_node_tolerance_of_majority_and_all(replicas, extra, quorum):
    """Sizes that grow with the population: `nodes` (any k failures) never falls, since
    (N − 1) // 2 grows with N for majorities and `all` tolerates no failure at any N.
    Their domain tolerances can fall: see the next test."""
    extra = joining_an_existing_group(replicas, extra, [quorum])
    before, after = tolerances(replicas, quorum, quorum), tolerances([*replicas, extra], quorum, quorum)
    assert after["write"].nodes >= before["write"].nodes


def test_adding_a_replica_can_lower_the_zone_tolerance_of_a_majority():
    """Why the issue's "adding a replica never lowers any tolerance" is false for majorities:
    3 voters in zones a, b, c survive any zone (majority 2 of 3); a 4th in zone a raises the
    majority to 3, and losing zone a leaves 2. This is real (etcd's advice against even sizes)."""
    three = [Replica("aws:us-east-1", zone, "replica") for zone in "abc"]
    majority = Quorum("majority")
    assert analyse_quorums(three, majority, majority).write.azs == 1
    assert analyse_quorums([*three, Replica("aws:us-east-1", "a", "replica")], majority, majority).write.azs == 0


@settings(max_examples=150, deadline=None)
@given(replicas_st, replica_st, st.builds(Quorum, size=fixed_size_st, among=st.sampled_from(POPULATIONS), leader=st.booleans()))
def test_adding_a_replica_that_stores_writes_never_lowers_durability_nodes(replicas, extra, ack):
    """Global fixed-size ack quorum: a write is lost once the storing members of its ack quorum
    fail; a quorum that includes the new member has at least as many storing members as the
    smallest old one. The new replica stores writes (a witness keeps its log) or is an instance,
    in no population; the first replica (the leader, for `leader`) stays first. Only `nodes`:
    the domain counts can fall (see the next test but one)."""
    extra = extra._replace(keeps_log=True) if extra.role == "witness" else extra
    assert extra.stores_writes or extra.role == "instance"
    before = tolerances(replicas, ack, ack)["durability"]
    after = tolerances([*replicas, extra], ack, ack)["durability"]
    assert after.nodes >= before.nodes


@settings(max_examples=100, deadline=None)
@given(replicas_st, replica_st, st.sampled_from(POPULATIONS))
def test_adding_a_replica_never_lowers_any_durability_when_acks_wait_for_all(replicas, extra, among):
    """With `all` acknowledgements every write is on every storing member: one more member can
    only add a copy (or, not storing, change nothing that holds a write)."""
    ack = Quorum("all", among=among)
    before = tolerances(replicas, ack, ack)["durability"]
    after = tolerances([*replicas, extra], ack, ack)["durability"]
    assert not never_lower(before, after), (before, after)


def test_adding_a_replica_can_lower_the_zone_durability_of_a_fixed_quorum():
    """Why "adding a replica never lowers durability" is false for fixed W < N: W = 2 on zones a
    and b keeps every write in two zones; with a second replica in zone a, the ack quorum
    {a, a} holds a write in zone a alone, and losing that zone loses it."""
    two = [Replica("aws:us-east-1", zone, "replica") for zone in "ab"]
    w2 = Quorum(2, among="data")
    assert analyse_quorums(two, w2, w2).durability.azs == 1
    assert analyse_quorums([*two, Replica("aws:us-east-1", "a", "replica")], w2, w2).durability.azs == 0


@settings(max_examples=150, deadline=None)
@given(replicas_st, st.integers(1, 5), st.sampled_from(POPULATIONS))
def test_a_larger_ack_quorum_never_lowers_durability_nor_raises_write_tolerance(replicas, w, among):
    """The trade-off W controls: every ack quorum of W + 1 contains one of W that keeps a storing
    member, so durability can only grow with W, and write availability can only shrink."""
    small, large = Quorum(w, among=among), Quorum(w + 1, among=among)
    population = sum(1 for r in replicas if in_population(r, among))
    before, after = tolerances(replicas, small, small), tolerances(replicas, large, large)
    assert not never_higher(before["write"], after["write"])
    if w + 1 <= population:  # the larger quorum can still be formed (else everything is -1)
        assert not never_lower(before["durability"], after["durability"]), (before["durability"], after["durability"])


# --- moving a replica into an already-used domain --------------------------------------------


@settings(max_examples=250, deadline=None)
@given(st.lists(replica_st, min_size=2, max_size=8), st.data(), quorum_st(), quorum_st(), quorum_st())
def test_merging_a_replica_into_a_used_domain_never_raises_that_levels_tolerance(replicas, data, write, read, ack):
    """Move replica i into the zone of replica j. At each level where i was the only replica of
    its domain, the move merges two domains into one: every loss of k domains after the merge is
    a loss of at most k domains before, with the same replicas down, so no tolerance of that
    level (write, read, durability) can rise. Levels where i stays in its domain do not change at
    all, nor does `nodes`. Cross-region moves need global quorums (per-region quorums are resized
    by a move, which is not a merge)."""
    i = data.draw(st.integers(0, len(replicas) - 1), label="moved")
    j = data.draw(st.integers(0, len(replicas) - 1).filter(lambda k: k != i), label="joins")
    moved = replicas[i]
    target = replicas[j]
    if moved.region != target.region:
        write, read, ack = (Quorum(q.size, "global", q.among, q.leader) for q in (write, read, ack))
    after_move = list(replicas)
    after_move[i] = moved._replace(region=target.region, az=target.az)
    before, after = tolerances(replicas, write, read, ack), tolerances(after_move, write, read, ack)
    for prop in before:
        assert after[prop].nodes == before[prop].nodes, prop
        for level, names in LEVEL_FIELDS.items():
            key = LEVEL_KEY[level]
            if key(moved) == key(target):
                assert [getattr(after[prop], n) for n in names] == [getattr(before[prop], n) for n in names], (prop, level)
            elif sum(1 for r in replicas if key(r) == key(moved)) == 1:  # a merge at this level
                assert not never_higher(before[prop], after[prop], names), (prop, level, before[prop], after[prop])


def test_moving_a_replica_out_of_a_crowded_zone_into_a_used_one_can_raise_zone_tolerance():
    """Why the issue's "moving a replica into an already-used domain never raises domain
    tolerance" is false when the replica leaves a domain it shares: zones of 3, 1, 1 replicas
    with W = 3 of 5 cannot lose the zone of 3; moving one of them next to a lone replica gives
    2, 2, 1, and any single zone can go. Spreading is what raises tolerance."""
    crowded = [Replica("aws:us-east-1", zone, "replica") for zone in "aaabc"]
    w3 = Quorum(3, among="data")
    assert analyse_quorums(crowded, w3, w3).write.azs == 0
    spread = [crowded[0]._replace(az="b"), *crowded[1:]]
    assert analyse_quorums(spread, w3, w3).write.azs == 1


# --- tolerance against N − W -----------------------------------------------------------------


def group_sizes(replicas, quorum):
    """(N_r, W_r) per group: one for global scope, one per region with members otherwise."""
    return [(len(members), size) for members, size in quorum_groups(replicas, quorum)]


@settings(max_examples=200, deadline=None)
@given(replicas_st, quorum_st(), quorum_st())
def test_write_and_read_tolerances_never_exceed_n_minus_w(replicas, write, read):
    """Every field of write (read) tolerance is at most N − W (N − R), counted in the quorum's
    population: a witness counts for voter quorums and not for data quorums, a non-voting replica
    the other way round, and an instance never. Per scope: global N − W; each min over regions
    of N_r − W_r (at most N − ΣW_r, the size of an `each` quorum); local N − min_r W_r, since a
    quorum in any one region serves. A quorum that cannot be formed gives -1 everywhere."""
    analysis = analyse_quorums(replicas, write, read)
    for quorum, tolerance in ((write, analysis.write), (read, analysis.read)):
        groups = group_sizes(replicas, quorum)
        formable = [(n, w) for n, w in groups if 1 <= w <= n]
        if quorum.scope == "global":
            bound = groups[0][0] - groups[0][1] if formable else -1
        elif quorum.scope == "each":
            bound = min(n - w for n, w in groups) if groups and len(formable) == len(groups) else -1
        else:
            bound = sum(n for n, _ in groups) - min(w for _, w in formable) if formable else -1
        for name in FIELDS:
            assert getattr(tolerance, name) <= bound, (quorum, name, tolerance, bound)
        if quorum.scope == "global":  # and `nodes` reaches it exactly
            assert tolerance.nodes == bound


@settings(max_examples=200, deadline=None)
@given(replicas_st, st.builds(Quorum, size=any_size_st, among=st.sampled_from(POPULATIONS)))
def test_durability_nodes_is_the_storing_part_of_the_smallest_ack_quorum_minus_one(replicas, ack):
    """Global ack quorum of W in a population with t members that store nothing (vote-only
    witnesses): the worst ack quorum holds a write on max(1, W − t) storing members (always one:
    the coordinator keeps it), and losing those loses it. So durability.nodes = max(1, W − t) − 1
    ≤ W − 1, and -1 when nothing can be acknowledged (W > N, or no member stores writes)."""
    population = [r for r in replicas if in_population(r, ack.among)]
    w = quorum_size(ack.size, len(population))
    storing = sum(1 for r in population if r.stores_writes)
    t = len(population) - storing
    expected = max(1, w - t) - 1 if 1 <= w <= len(population) and storing else -1
    durability = analyse_quorums(replicas, ack, ack).durability
    assert durability.nodes == expected
    assert max(getattr(durability, name) for name in FIELDS) <= max(expected, w - 1)


# --- R + W > N -------------------------------------------------------------------------------

voting_data_st = st.builds(
    Replica,
    region=st.sampled_from(REGIONS),
    az=st.sampled_from(["a", "b"]),
    role=st.sampled_from(["primary", "standby", "replica", "witness", "non-voting"]),
    keeps_log=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(voting_data_st, min_size=1, max_size=10), any_size_st, any_size_st)
def test_reads_see_every_acknowledged_write_iff_r_plus_w_exceeds_n(replicas, w_size, r_size):
    """Uniform global quorums, with the sizes resolved (one, majority, all): W acks among the
    voters, R reads among the data holders (N of them). An ack quorum may use the t witnesses,
    which serve no reads, so it is sure to hold only W − t of the data holders; reads see every
    acknowledged write iff R + max(0, W − t) > N — R + W > N when there are no witnesses. When
    either quorum cannot be formed the property holds vacuously. 2W > N (voters) rules out
    conflicting writes."""
    write, read = Quorum(w_size, among="voters"), Quorum(r_size, among="data")
    voters = sum(1 for r in replicas if r.votes)
    data = sum(1 for r in replicas if r.holds_data)
    witnesses = voters - sum(1 for r in replicas if r.votes and r.holds_data)
    w, r = quorum_size(w_size, voters), quorum_size(r_size, data)
    formable = 1 <= w <= voters and 1 <= r <= data
    analysis = analyse_quorums(replicas, write, read)
    assert analysis.consistent_reads == (not formable or r + max(0, w - witnesses) > data)
    if witnesses == 0:
        assert analysis.consistent_reads == (not formable or r + w > data)
    assert analysis.conflicting_writes == (1 <= w <= voters and 2 * w <= voters)
