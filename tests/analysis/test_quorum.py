"""Quorum tolerance and overlap against published tables, a brute-force oracle and properties.

Every expected number below is worked out by hand in the comment next to it, with its source.
Tolerance fields, in order: nodes, azs, regions, providers, nodes_after_az_loss,
nodes_after_region_loss (DESIGN.md §4).
"""

from __future__ import annotations

from itertools import combinations, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redplan.analysis.model import Quorum, Replica, Tolerance
from redplan.analysis.quorum import (
    _min_break,
    _Property,
    _Threshold,
    after_failure,
    analyse_quorums,
    quorum_size,
)

BROKEN = Tolerance(-1, -1, -1, -1, -1, -1)
MAJORITY = Quorum("majority")  # consensus: a majority of the voters
DATA_MAJORITY = Quorum("majority", among="data")


def spread(layout: dict[str, str], role: str = "replica", **kw) -> list[Replica]:
    """{"aws:us-east-1": "aab"} -> replicas in AZs a, a, b of us-east-1."""
    return [Replica(region, az, role, **kw) for region, azs in layout.items() for az in azs]


def indices(replicas: list[Replica], region: str, az: str | None = None) -> list[int]:
    return [i for i, r in enumerate(replicas) if r.region == region and (az is None or r.az == az)]


# --- etcd -----------------------------------------------------------------------------------
# etcd FAQ, "What is failure tolerance?": cluster size 1..9, majority 1,2,2,3,3,4,4,5,5 and
# failure tolerance 0,0,1,1,2,2,3,3,4 (= size - majority).
ETCD = [(1, 1, 0), (2, 2, 0), (3, 2, 1), (4, 3, 1), (5, 3, 2), (6, 4, 2), (7, 4, 3), (8, 5, 3), (9, 5, 4)]


@pytest.mark.parametrize(("size", "majority", "tolerance"), ETCD)
def test_etcd_failure_tolerance_table(size, majority, tolerance):
    members = spread({"aws:us-east-1": "a" * size})
    analysis = analyse_quorums(members, MAJORITY, MAJORITY)
    assert quorum_size("majority", size) == majority
    assert analysis.write.nodes == analysis.read.nodes == tolerance
    # durability is a different count: a committed write is on a majority, all of which must fail
    assert analysis.durability.nodes == majority - 1
    # every member in one AZ: losing it loses everything, so no AZ or region is survivable
    assert analysis.write.azs == analysis.write.regions == 0
    assert analysis.consistent_reads and not analysis.conflicting_writes  # 2·maj > n


# --- MongoDB --------------------------------------------------------------------------------
# MongoDB manual, "Replica Set Deployment Architectures": members 3, 4, 5, 6 need a majority of
# 2, 3, 3, 4 to elect a primary and tolerate 1, 1, 2, 2 failures.
@pytest.mark.parametrize(("members", "fault_tolerance"), [(3, 1), (4, 1), (5, 2), (6, 2)])
def test_mongodb_fault_tolerance_table(members, fault_tolerance):
    replica_set = [Replica("aws:us-east-1", "a", "primary"), *spread({"aws:us-east-1": "a" * (members - 1)}, "standby")]
    assert analyse_quorums(replica_set, MAJORITY, MAJORITY).write.nodes == fault_tolerance


# MongoDB manual, "Replica Sets Distributed across Two or More Data Centers" (data centres as regions):
#   3 members, 2 + 1: losing the 1-member DC keeps a writable set, losing the 2-member one does not.
#   3 members, 1 + 1 + 1 and 5 members, 2 + 2 + 1: any one DC can go down and the set stays writable.
#   5 members, 3 + 2: losing the 3-member DC leaves 2 of 5, no majority (read-only).
DC_LAYOUTS = [
    ({"dc:dc1": "ab", "dc:dc2": "a"}, 0, "dc:dc2", "dc:dc1"),
    ({"dc:dc1": "a", "dc:dc2": "a", "dc:dc3": "a"}, 1, "dc:dc3", None),
    ({"dc:dc1": "ab", "dc:dc2": "ab", "dc:dc3": "a"}, 1, "dc:dc1", None),
    ({"dc:dc1": "abc", "dc:dc2": "ab"}, 0, "dc:dc2", "dc:dc1"),
]


@pytest.mark.parametrize(("layout", "regions", "survivable_dc", "fatal_dc"), DC_LAYOUTS)
def test_mongodb_data_centre_layouts(layout, regions, survivable_dc, fatal_dc):
    replica_set = spread(layout)
    assert analyse_quorums(replica_set, MAJORITY, MAJORITY).write.regions == regions
    assert after_failure(replica_set, indices(replica_set, survivable_dc), MAJORITY, MAJORITY).writes
    if fatal_dc:
        assert not after_failure(replica_set, indices(replica_set, fatal_dc), MAJORITY, MAJORITY).writes


PSA = [
    Replica("aws:us-east-1", "a", "primary"),
    Replica("aws:us-east-1", "b", "standby"),
    Replica("aws:us-east-1", "c", "witness"),  # the arbiter: votes, holds no data
]


def test_mongodb_psa_election_survives_one_member():
    # 3 voters, majority 2: any one member (arbiter included) can fail and a primary is elected
    # (w:1 writes keep working) -- MongoDB manual, "Three Member Replica Sets", PSA.
    assert analyse_quorums(PSA, MAJORITY, MAJORITY).write.nodes == 1


def test_mongodb_psa_majority_write_concern_needs_both_data_bearing_members():
    # MongoDB manual, "Replica Set Arbiter" / "Mitigate Performance Issues with PSA Replica Set": with
    # w:"majority" a PSA set cannot acknowledge writes while a data-bearing member is down, because
    # arbiters do not acknowledge writes. Counting w:majority among the data holders reproduces it:
    # majority of 2 data holders = 2, so one data-bearing failure stops writes (nodes 0), while an
    # acknowledged write is on both data holders: both must fail to lose it (durability nodes 1).
    analysis = analyse_quorums(PSA, DATA_MAJORITY, MAJORITY)
    assert analysis.write == Tolerance(0, 0, 0, 0, -1, -1)
    assert analysis.durability == Tolerance(1, 1, 0, 0, 0, -1)
    # Counting the arbiter's vote as an acknowledgement (among="voters") would let {primary, arbiter}
    # acknowledge a write that then lives on the primary alone: one failure loses it.
    assert analyse_quorums(PSA, MAJORITY, MAJORITY).durability.nodes == 0


def test_mongodb_w1_acknowledged_writes_roll_back_when_the_primary_fails():
    # w:1 acknowledges on the primary only (rollback risk documented in the MongoDB manual).
    assert analyse_quorums(PSA, MAJORITY, MAJORITY, ack=Quorum(1, among="data")).durability.nodes == 0


# --- Amazon Aurora ----------------------------------------------------------------------------
# Verbitski et al., "Amazon Aurora: Design Considerations for High Throughput Cloud-Native Relational
# Databases" (SIGMOD 2017) §2.1: 6 copies, 2 in each of 3 AZs, write quorum 4/6, read quorum 3/6;
# "lose an entire AZ and one additional node (AZ+1) without losing data" and "lose an entire AZ
# without impacting the ability to write data".
AURORA = spread({"aws:us-east-1": "aabbcc"})


def test_aurora_az_plus_one():
    analysis = analyse_quorums(AURORA, Quorum(4, among="data"), Quorum(3, among="data"))
    # write: 6 - 4 = 2 nodes; one AZ (2 copies) leaves 4 = W, two AZs leave 2; after an AZ no more
    assert analysis.write == Tolerance(2, 1, 0, 0, 0, -1)
    # read: 6 - 3 = 3 nodes; one AZ leaves 4 >= 3, two leave 2; after an AZ one more (AZ+1)
    assert analysis.read == Tolerance(3, 1, 0, 0, 1, -1)
    # durability: lost only when 4 copies (a whole write quorum) are gone: AZ+1 without losing data
    assert analysis.durability == Tolerance(3, 1, 0, 0, 1, -1)
    assert analysis.consistent_reads  # R + W = 7 > 6
    assert not analysis.conflicting_writes  # 2W = 8 > 6


# --- CockroachDB ------------------------------------------------------------------------------
# CockroachDB docs, "Multi-Region Survival Goals" / "Replication Controls": zone survival keeps 3
# replicas in 3 zones (survives a zone, not a region); region survival keeps 5 replicas across
# 3 regions (2 + 2 + 1) and survives a region; 3 replicas in 3 regions also survive a region.
COCKROACH = [
    # layout                                               write/durability tolerance
    ({"aws:us-east-1": "abc"}, Tolerance(1, 1, 0, 0, 0, -1)),
    ({"aws:us-east-1": "ab", "aws:us-west-2": "ab", "aws:eu-west-1": "a"}, Tolerance(2, 2, 1, 0, 1, 0)),
    ({"aws:us-east-1": "a", "aws:us-west-2": "a", "aws:eu-west-1": "a"}, Tolerance(1, 1, 1, 0, 0, 0)),
]
# 3 in 3 AZs: majority 2 of 3; one AZ leaves 2, the only region takes all three.
# 2 + 2 + 1: majority 3 of 5: 2 nodes; AZs hold 1 each, so 2 AZs; losing a 2-replica region leaves
# 3 (regions 1), two regions leave at most 2; after a 2-replica region no more (0); after one AZ,
# 4 remain and 1 more may go; one provider (aws) holds everything (providers 0).
# 1 + 1 + 1: majority 2 of 3, each AZ and region holds one replica.


@pytest.mark.parametrize(("layout", "expected"), COCKROACH)
def test_cockroachdb_survival_goals(layout, expected):
    analysis = analyse_quorums(spread(layout), MAJORITY, MAJORITY)
    assert analysis.write == analysis.read == analysis.durability == expected


# --- Spanner ----------------------------------------------------------------------------------
# Spanner docs, "Regional and multi-region configurations" and "Replication": a regional instance
# has 3 read-write replicas in 3 zones and survives a zone; nam3-style multi-region configs have
# 2 read-write regions with 2 read-write replicas each and a witness region with 1 witness replica
# (5 voters, write majority 3) and keep writing, without data loss, when one region is lost.
def test_spanner_regional_survives_a_zone():
    analysis = analyse_quorums(spread({"gcp:us-central1": "abc"}), MAJORITY, MAJORITY)
    assert analysis.write == analysis.durability == Tolerance(1, 1, 0, 0, 0, -1)


def nam3(witness_keeps_log: bool) -> list[Replica]:
    return [
        *spread({"gcp:us-east4": "ab", "gcp:us-east1": "bc"}),
        Replica("gcp:us-central1", "a", "witness", keeps_log=witness_keeps_log),
    ]


def test_spanner_multi_region_with_a_witness_region():
    analysis = analyse_quorums(nam3(witness_keeps_log=True), MAJORITY, MAJORITY)
    # 5 voters, majority 3: 2 nodes; 1 replica per AZ so 2 AZs; losing a read-write region leaves
    # 2 + witness = 3; after it, nothing more (0); after the witness region 4 remain, 1 more.
    assert analysis.write == Tolerance(2, 2, 1, 0, 1, 0)
    # A Spanner witness is a Paxos voter that persists the log it votes on ("does not maintain a full
    # copy of data", Spanner docs), so an acknowledged write is on 3 of the 5 voters: losing a region
    # (2 of them) never loses it -- durability regions 1, as Google states for multi-region configs.
    assert analysis.durability == Tolerance(2, 2, 1, 0, 1, 0)
    assert analysis.consistent_reads and not analysis.conflicting_writes


def test_a_vote_only_witness_region_does_not_protect_acknowledged_writes():
    # With a witness that keeps nothing (DESIGN.md's default reading of "witness", like a MongoDB
    # arbiter), the quorum {us-east4 x2, witness} acknowledges a write held in one region only:
    # 1 data failure + the witness vote is not yet 3, 2 are (durability nodes 1, regions 0).
    analysis = analyse_quorums(nam3(witness_keeps_log=False), MAJORITY, MAJORITY)
    assert analysis.write.regions == 1
    assert analysis.durability == Tolerance(1, 1, 0, 0, 0, -1)
    assert not analysis.consistent_reads  # two majorities can meet on the witness alone


# --- Cassandra --------------------------------------------------------------------------------
# Cassandra docs, "How is the consistency level configured?" / DataStax "Data consistency":
# NetworkTopologyStrategy {dc1: 3, dc2: 3}: QUORUM = floor(6/2)+1 = 4; LOCAL_QUORUM = floor(3/2)+1 = 2
# in the coordinator's DC; EACH_QUORUM = 2 in each DC; strong consistency iff R + W > RF.
CASSANDRA = spread({"aws:us-east-1": "abc", "aws:eu-west-1": "abc"})
QUORUM = Quorum("majority", "global", "data")
LOCAL_QUORUM = Quorum("majority", "local", "data")
EACH_QUORUM = Quorum("majority", "each", "data")
ONE = Quorum("one", "global", "data")


def test_cassandra_quorum_is_4_of_6():
    assert quorum_size("majority", 6) == 4 and quorum_size("majority", 3) == 2
    analysis = analyse_quorums(CASSANDRA, QUORUM, QUORUM)
    # 6 - 4 = 2 nodes; 1 replica per AZ: 2 AZs; a DC leaves 3 < 4; after an AZ 5 remain, 1 more
    assert analysis.write == Tolerance(2, 2, 0, 0, 1, -1)
    assert analysis.consistent_reads and not analysis.conflicting_writes  # 4 + 4 > 6, 8 > 6


def test_cassandra_local_quorum_survives_a_region_but_its_writes_do_not():
    analysis = analyse_quorums(CASSANDRA, LOCAL_QUORUM, LOCAL_QUORUM)
    # writes stop only when both DCs lost 2 of 3: 4 failures, so 3 nodes (also 3 AZs of 1 replica);
    # any one DC may go (regions 1); after one AZ (1 in dc1) dc1 needs 1 more and dc2 2: 2 more;
    # after one DC, the other stops at 2 failures: 1 more.
    assert analysis.write == Tolerance(3, 3, 1, 0, 2, 1)
    # a LOCAL_QUORUM write may live on 2 replicas of one DC: 2 failures there lose it (nodes 1, AZs 1),
    # and the loss of that DC loses it (regions 0, -1 after a region)
    assert analysis.durability == Tolerance(1, 1, 0, 0, 0, -1)
    assert not analysis.consistent_reads  # a write in dc1, a read in dc2
    assert analysis.conflicting_writes  # two DCs take writes independently


def test_cassandra_each_quorum_write_local_quorum_read_is_consistent():
    analysis = analyse_quorums(CASSANDRA, EACH_QUORUM, LOCAL_QUORUM)
    assert analysis.consistent_reads  # 2 + 2 > 3 inside whichever DC serves the read
    assert not analysis.conflicting_writes  # 2·2 > 3 in every DC
    assert analysis.write.regions == 0 and analysis.write.nodes == 1  # every DC must answer
    # the write is on 2 replicas in each DC: lost only when 2 fail in both DCs (4 failures: nodes 3,
    # AZs 3); a whole DC may go (regions 1), after which 1 more failure in the other is tolerated
    assert analysis.durability == Tolerance(3, 3, 1, 0, 2, 1)


def test_cassandra_one_one_is_neither_consistent_nor_conflict_free():
    analysis = analyse_quorums(CASSANDRA, ONE, ONE)
    assert not analysis.consistent_reads and analysis.conflicting_writes  # 1 + 1 <= 6, 2 <= 6
    assert analysis.read == Tolerance(5, 5, 1, 0, 4, 2)  # any single live replica answers
    assert analysis.durability.nodes == 0  # acknowledged by one replica, gone with it


def test_local_quorum_write_each_quorum_read_is_also_consistent():
    # the write's DC is one of the DCs the EACH_QUORUM read asks: 2 + 2 > 3 there
    assert analyse_quorums(CASSANDRA, LOCAL_QUORUM, EACH_QUORUM).consistent_reads
    assert not analyse_quorums(CASSANDRA, LOCAL_QUORUM, QUORUM).consistent_reads  # 4 of 6 can skip dc1's 2
    assert analyse_quorums(CASSANDRA, EACH_QUORUM, QUORUM).consistent_reads  # 4 + 4 > 6 as well


# --- primary/backup: the DESIGN.md §4 example -------------------------------------------------
# primary us-east-1 a, synchronous standby us-east-1 b, asynchronous standby us-west-2 (zone unknown).
# A write commits when the primary and one standby have it, with failover to a standby:
# write = ack = Quorum(2, among="data") (a sync commit needs 2 data copies); reads from any copy:
# read = Quorum(1, among="data").
PRIMARY_BACKUP = [
    Replica("aws:us-east-1", "a", "primary"),
    Replica("aws:us-east-1", "b", "standby", sync=True),
    Replica("aws:us-west-2", "?", "standby"),
]
SYNC = Quorum(2, among="data")


def test_design_example_write_and_durability_match_the_sketch():
    analysis = analyse_quorums(PRIMARY_BACKUP, SYNC, Quorum(1, among="data"))
    # DESIGN.md §4: write and durability {nodes 1, azs 1, regions 0, after_az 0, after_region -1}
    assert analysis.write == Tolerance(1, 1, 0, 0, 0, -1)
    assert analysis.durability == Tolerance(1, 1, 0, 0, 0, -1)


def test_design_example_reads_from_any_copy():
    analysis = analyse_quorums(PRIMARY_BACKUP, SYNC, Quorum(1, among="data"))
    # The sketch says read {nodes 2, azs 1, regions 1, after_az 1, after_region 0}. Its azs cannot be 1:
    # the three copies sit in three AZs (us-east-1 a, us-east-1 b, us-west-2 ?), and any two AZs
    # leave one copy to read from, so azs is 2. Every other number agrees.
    assert analysis.read == Tolerance(2, 2, 1, 0, 1, 0)
    # Nor can those reads be consistent (the sketch's consistent_reads: true): R + W = 3 = N, a read
    # of the async standby misses a write on {primary, sync standby}.
    assert not analysis.consistent_reads
    assert not analysis.conflicting_writes  # 2·2 > 3


def test_design_example_consistent_reads_cost_read_tolerance():
    # Reads that must see every acknowledged write need R = N - W + 1 = 2: then they tolerate what
    # writes tolerate.
    analysis = analyse_quorums(PRIMARY_BACKUP, SYNC, SYNC)
    assert analysis.consistent_reads
    assert analysis.read == Tolerance(1, 1, 0, 0, 0, -1)


def test_async_primary_backup_loses_writes_with_the_primary():
    primary_only = Quorum(1, among="data")
    analysis = analyse_quorums(PRIMARY_BACKUP, primary_only, primary_only)
    assert analysis.durability == Tolerance(0, 0, 0, 0, -1, -1)  # RPO > 0: the primary alone has it


# --- conventions ------------------------------------------------------------------------------


def test_a_quorum_that_cannot_be_formed_breaks_everything():
    three = spread({"aws:us-east-1": "abc"})
    analysis = analyse_quorums(three, Quorum(4), Quorum(4))
    assert analysis.write == analysis.read == analysis.durability == BROKEN
    assert analysis.consistent_reads and not analysis.conflicting_writes  # vacuous: no quorum at all
    assert analyse_quorums([], MAJORITY, MAJORITY).write == BROKEN


def test_each_quorum_needs_every_region_to_form_one():
    # a region whose only voter is a witness forms a voter quorum but holds no data
    replicas = [*spread({"aws:us-east-1": "ab"}), Replica("aws:us-west-2", "a", "witness")]
    assert analyse_quorums(replicas, Quorum("majority", "each", "data"), ONE).write.nodes == 0
    assert analyse_quorums(replicas, Quorum(2, "each"), ONE).write == BROKEN  # 2 > 1 voter in us-west-2


def test_a_write_acknowledged_by_witnesses_alone_still_needs_a_data_holder():
    # W = 1 among voters with a witness: the quorum that stores the write includes the leader, so one
    # data failure loses it (nodes 0), not zero failures (-1)
    replicas = [Replica("aws:us-east-1", "a", "primary"), Replica("aws:us-east-1", "b", "witness")]
    assert analyse_quorums(replicas, Quorum(1), Quorum(1)).durability.nodes == 0


def test_stateless_instances_are_in_no_population():
    # "instance" neither votes nor holds data: a quorum over instances cannot be formed
    instances = spread({"aws:us-east-1": "ab"}, "instance")
    assert analyse_quorums(instances, Quorum(1, among="data"), Quorum(1, among="data")).read == BROKEN


def test_invalid_quorum_sizes_are_rejected():
    for size in (0, -1, "most", True):
        with pytest.raises(ValueError):
            quorum_size(size, 3)


def test_min_break_falls_back_to_an_exact_search_for_non_nested_domains():
    # two thresholds over {0,1} and {2,3}; domains {0,2}, {1,3}: each touches both thresholds and
    # contains neither, so neither shortcut applies; one domain breaks both thresholds of 1
    prop = _Property("all", (_Threshold(frozenset({0, 1}), 1), _Threshold(frozenset({2, 3}), 1)))
    assert _min_break(prop, [frozenset({0, 2}), frozenset({1, 3})]) == 1
    prop = _Property("all", (_Threshold(frozenset({0, 1}), 2), _Threshold(frozenset({2, 3}), 1)))
    assert _min_break(prop, [frozenset({0, 2}), frozenset({1, 3})]) == 2


# --- a brute-force oracle ---------------------------------------------------------------------
# Straight from the definitions: enumerate every quorum (as a set of replicas) and every failure set.


def _size(size, n):
    return {"one": 1, "majority": n // 2 + 1, "all": n}.get(size, size)


def quorum_sets(replicas: list[Replica], q: Quorum) -> list[int]:
    """Every quorum, as a bitmask over replicas."""
    pop = [i for i, r in enumerate(replicas) if (r.votes if q.among == "voters" else r.holds_data)]
    regions: dict[str, set[int]] = {}
    for i in pop:
        regions.setdefault(replicas[i].region, set()).add(i)
    out = []
    for k in range(1, len(pop) + 1):
        for combo in combinations(pop, k):
            chosen = set(combo)
            if q.scope == "global":
                ok = k >= _size(q.size, len(pop))
            elif q.scope == "local":
                ok = any(chosen <= m and k >= _size(q.size, len(m)) for m in regions.values())
            else:
                ok = all(len(chosen & m) >= _size(q.size, len(m)) for m in regions.values())
            if ok:
                out.append(sum(1 << i for i in chosen))
    return out


def brute_holds(replicas, q, durability=False) -> list[bool]:
    """holds[F] for every failure bitmask F."""
    sets = quorum_sets(replicas, q)
    size = 1 << len(replicas)
    if not durability:  # some quorum entirely alive
        return [any(not (s & f) for s in sets) for f in range(size)]
    stores = sum(1 << i for i, r in enumerate(replicas) if r.stores_writes)
    kept = {s & stores for s in sets} - {0}  # where an acknowledged write lives
    if not kept:  # nothing can be acknowledged
        return [False] * size
    return [not any(k & f == k for k in kept) for f in range(size)]


def brute_tolerance(replicas, holds) -> Tolerance:
    n = len(replicas)

    def masks(key):
        groups: dict = {}
        for i, r in enumerate(replicas):
            groups[key(r)] = groups.get(key(r), 0) | 1 << i
        return list(groups.values())

    def survivable(domains, base=0):
        ks = [k for k in range(len(domains) + 1) if all(holds[base | sum(c)] for c in combinations(domains, k))]
        return max(ks, default=-1)

    def after(domains):
        return min((survivable([1 << i for i in range(n) if not d >> i & 1], d) for d in domains), default=-1)

    azs, regions = masks(lambda r: (r.region, r.az)), masks(lambda r: r.region)
    return Tolerance(
        survivable([1 << i for i in range(n)]),
        survivable(azs),
        survivable(regions),
        survivable(masks(lambda r: r.provider)),
        after(azs),
        after(regions),
    )


def brute_consistent(replicas, ack, read) -> bool:
    stores = sum(1 << i for i, r in enumerate(replicas) if r.stores_writes)
    return all(a & b & stores for a, b in product(quorum_sets(replicas, ack), quorum_sets(replicas, read)))


def brute_conflicting(replicas, write) -> bool:
    sets = quorum_sets(replicas, write)
    return any(not a & b for a, b in product(sets, sets))


ROLES = ["primary", "standby", "replica", "replica", "witness", "non-voting", "instance"]
replica_st = st.builds(
    Replica,
    region=st.sampled_from(["aws:us-east-1", "aws:us-west-2", "gcp:europe-west1"]),
    az=st.sampled_from(["a", "b"]),
    role=st.sampled_from(ROLES),
    keeps_log=st.booleans(),
)
size_st = st.one_of(st.integers(1, 5), st.sampled_from(["one", "majority", "all"]))
quorum_st = st.builds(
    Quorum, size=size_st, scope=st.sampled_from(["global", "local", "each"]), among=st.sampled_from(["voters", "data"])
)


@settings(max_examples=400, deadline=None)
@given(st.lists(replica_st, max_size=7), quorum_st, quorum_st, st.none() | quorum_st)
def test_agrees_with_brute_force(replicas, write, read, ack):
    analysis = analyse_quorums(replicas, write, read, ack)
    ack_ = write if ack is None else ack
    assert analysis.write == brute_tolerance(replicas, brute_holds(replicas, write))
    assert analysis.read == brute_tolerance(replicas, brute_holds(replicas, read))
    assert analysis.durability == brute_tolerance(replicas, brute_holds(replicas, ack_, durability=True))
    assert analysis.consistent_reads == brute_consistent(replicas, ack_, read)
    assert analysis.conflicting_writes == brute_conflicting(replicas, write)


@settings(max_examples=200, deadline=None)
@given(st.lists(replica_st, max_size=7), quorum_st, quorum_st, st.none() | quorum_st, st.integers(0, 127))
def test_after_failure_agrees_with_brute_force(replicas, write, read, ack, failed):
    failed &= (1 << len(replicas)) - 1
    ack_ = write if ack is None else ack
    outcome = after_failure(replicas, [i for i in range(len(replicas)) if failed >> i & 1], write, read, ack)
    durable = brute_holds(replicas, ack_, durability=True)
    assert outcome.writes == brute_holds(replicas, write)[failed]
    assert outcome.reads == brute_holds(replicas, read)[failed]
    assert outcome.data_loss == (durable[0] and not durable[failed])


# --- properties -------------------------------------------------------------------------------
data_replica_st = st.builds(
    Replica,
    region=st.sampled_from(["aws:us-east-1", "aws:us-west-2", "gcp:europe-west1", "azure:westeurope"]),
    az=st.sampled_from(["1", "2", "3"]),
    role=st.sampled_from(["primary", "replica", "standby"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(replica_st, max_size=12), replica_st, st.integers(1, 6), st.sampled_from(["voters", "data"]))
def test_adding_a_member_never_lowers_a_fixed_quorums_availability(replicas, extra, w, among):
    # With a fixed integer W, one more member can only add live replicas (unlike "majority", whose
    # size grows with the population, and unlike durability, which a new member can make easier to lose).
    q = Quorum(w, among=among)
    before, after = analyse_quorums(replicas, q, q), analyse_quorums([*replicas, extra], q, q)
    for field in Tolerance.__dataclass_fields__:
        assert getattr(after.write, field) >= getattr(before.write, field)


@settings(max_examples=200, deadline=None)
@given(st.lists(replica_st, max_size=12), size_st, st.sampled_from(["voters", "data"]))
def test_write_node_tolerance_is_population_minus_quorum(replicas, size, among):
    q = Quorum(size, among=among)
    population = sum(1 for r in replicas if (r.votes if among == "voters" else r.holds_data))
    w = quorum_size(size, population)
    nodes = analyse_quorums(replicas, q, q).write.nodes
    assert nodes == (population - w if 1 <= w <= population else -1)
    assert nodes <= len(replicas) - w or nodes == -1


@settings(max_examples=300, deadline=None)
@given(st.lists(data_replica_st, min_size=1, max_size=12), st.integers(1, 13), st.integers(1, 13))
def test_uniform_quorums_overlap_iff_r_plus_w_exceeds_n(replicas, w, r):
    n = len(replicas)
    analysis = analyse_quorums(replicas, Quorum(w, among="data"), Quorum(r, among="data"))
    assert analysis.consistent_reads == (r + w > n)
    assert analysis.conflicting_writes == (2 * w <= n)


@settings(max_examples=100, deadline=None)
@given(st.lists(replica_st, max_size=10), quorum_st, quorum_st)
def test_tolerances_stay_within_what_exists(replicas, write, read):
    analysis = analyse_quorums(replicas, write, read)
    domains = {
        "nodes": len(replicas),
        "azs": len({(r.region, r.az) for r in replicas}),
        "regions": len({r.region for r in replicas}),
        "providers": len({r.provider for r in replicas}),
    }
    for tolerance in (analysis.write, analysis.read, analysis.durability):
        for field, count in domains.items():
            assert -1 <= getattr(tolerance, field) <= count - 1
        assert tolerance.nodes_after_az_loss <= tolerance.nodes
        assert tolerance.nodes_after_region_loss <= tolerance.nodes_after_az_loss or tolerance.nodes_after_region_loss == -1


# --- a primary that is part of every acknowledgement -------------------------------------------


def _lost_with_leader(replicas, failed, size):
    """By definition: some ack quorum = the primary + (size - 1) others of the population has failed whole."""
    population = [i for i, r in enumerate(replicas) if r.votes and r.holds_data]
    others = [i for i in population if i != 0]
    return 0 in failed and sum(1 for i in others if i in failed) >= size - 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["r1", "r2", "r3"]), st.sampled_from(["a", "b"]), st.sampled_from(["standby", "non-voting", "witness"])), min_size=1, max_size=5))
def test_leader_acks_match_brute_force(rest):
    replicas = [Replica("aws:r1", "a", "primary")] + [Replica(f"aws:{region}", zone, role) for region, zone, role in rest]
    ack = Quorum(2, among="data-voters", leader=True)
    population = sum(1 for r in replicas if r.votes and r.holds_data)
    if population < 2:
        return
    for k in range(len(replicas) + 1):
        for failed in combinations(range(len(replicas)), k):
            outcome = after_failure(replicas, failed, ack, Quorum(1, among="data"), ack)
            assert outcome.data_loss == _lost_with_leader(replicas, set(failed), 2), (replicas, failed)


def test_sync_standbys_in_one_other_region_keep_data_when_that_region_goes():
    """Primary in dc1, two sync standbys in dc2: losing dc2 stops writes (strict sync) but loses
    nothing, since the primary holds every acknowledged write; losing dc1 loses nothing either."""
    replicas = [Replica("dc:one", "1", "primary"), Replica("dc:two", "1", "standby", sync=True), Replica("dc:two", "2", "standby", sync=True)]
    analysis = analyse_quorums(replicas, Quorum(2, among="data-voters"), Quorum(1, among="data"), Quorum(2, among="data-voters", leader=True))
    assert analysis.durability.regions == 1 and analysis.durability.nodes == 1
    assert analysis.write.regions == 0
