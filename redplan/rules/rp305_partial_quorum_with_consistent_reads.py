"""RP305 partial-quorum-with-consistent-reads: reads that must be consistent from quorums that need not overlap.

Session, bounded and strong reads all need a read to find the latest acknowledged
write (at least the client's own). A read quorum finds it only if every read
quorum shares a data-holding replica with every write quorum: W + R > N, counted
in the same replicas. With W + R ≤ N, or quorums counted in different regions
(LOCAL_QUORUM writes in one region, reads in another), a read can come back from
replicas that never saw the write.

Failing::

    consistency: session
    deployment:
      pattern: quorum
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: one, read: one}

Passing::

    consistency: session
    deployment:
      pattern: quorum
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: majority, read: majority}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.analysis.model import Quorum, Replica
from redplan.analysis.quorum import in_population
from redplan.analysis.staleness import k_staleness
from redplan.engine.design import CONSENSUS, LEADERLESS, Design
from redplan.engine.objectives import CONSISTENCY_RANK, required_consistency
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.coordination import counted, declared_path, say, strict_operations


class PartialQuorumWithConsistentReads(Rule):
    __doc__ = __doc__
    code = "RP305"
    name = "partial-quorum-with-consistent-reads"
    severity = "error"
    summary = "consistent reads required but read and write quorums need not overlap"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        required = required_consistency(service)
        if design is None or evaluation is None or service.state != "stateful" or required is None:
            return
        if design.coordination not in (LEADERLESS, CONSENSUS) or CONSISTENCY_RANK[required] < CONSISTENCY_RANK["session"]:
            return
        if evaluation.analysis.consistent_reads:
            return
        why, by_sizes = _miss(design)
        if design.coordination == CONSENSUS and not by_sizes:
            return  # quorums that meet only on an arbiter still meet at the leader, which holds every committed write
        yield Problem(
            declared_path(service, ("deployment", "quorum"), ("deployment", "pattern")),
            f"consistency needs reads that see acknowledged writes ({strict_operations(service)}), but {why}",
            "make every read quorum meet every write quorum: W + R > N over the same replicas (majority/majority), "
            "and count both in the same region or use each-scope writes",
        )


def _miss(design: Design) -> tuple[str, bool]:
    """Why some read quorum can miss every replica that acknowledged a write, with the sizes that show it,
    and whether the sizes alone do it (rather than an overlap on arbiters that keep no data)."""
    replicas, write, read = design.replicas, design.ack, design.read
    shown = f"{say('W', replicas, write)} and {say('R', replicas, read)}"
    if write.scope == read.scope == "global":
        w, r = counted(replicas, write)[0].size, counted(replicas, read)[0].size
        n = sum(1 for replica in replicas if in_population(replica, write.among) or in_population(replica, read.among))
        if w + r <= n:
            return (f"W + R = {w} + {r} = {w + r} ≤ N = {n}: a read quorum can miss every replica that acknowledged a write "
                    f"(with quorums picked at random, {k_staleness(n, w, r):.1%} of reads would miss the last write: PBS k-staleness)"), True
        blind = _shared_without_data(replicas, write, read)
        voters = "1 arbiter, which keeps" if blind == 1 else f"{blind} arbiters, which keep"
        return (f"W + R = {w} + {r} = {w + r} > N = {n} and yet the quorums can meet only on {voters} no data: "
                "a read quorum can miss every replica that stored the write"), False
    sizes = {group.region: group for group in counted(replicas, write)}
    for group in counted(replicas, read):
        other = sizes.get(group.region)
        if other is not None and other.size + group.size <= group.population:
            return (f"{shown}: in {group.region} W + R = {other.size} + {group.size} = {other.size + group.size} ≤ "
                    f"N = {group.population}, so a read quorum there can miss the write"), True
    regions = list(sizes)
    if len(regions) > 1:
        return (f"{shown}: a write acknowledged by a quorum in {regions[0]} and a read answered by a quorum in "
                f"{regions[1]} share no replica"), True
    return f"{shown}: a read quorum can miss every replica that acknowledged a write", False


def _shared_without_data(replicas: tuple[Replica, ...], write: Quorum, read: Quorum) -> int:
    return sum(1 for replica in replicas
               if in_population(replica, write.among) and in_population(replica, read.among) and not replica.stores_writes)
