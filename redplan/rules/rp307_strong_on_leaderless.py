"""RP307 strong-on-leaderless: strong consistency required of a leaderless quorum store.

W + R > N makes every read quorum meet every write quorum, which bounds staleness,
but it is not linearisability: with no leader ordering writes, a read that meets a
write still in flight can return it while a later read does not, concurrent writes
are ordered by timestamps (clock skew decides), and a failed write can surface
later. Dynamo-style stores give strong reads only through a separate consensus
path (Cassandra's lightweight transactions).

Failing::

    consistency: strong
    deployment:
      pattern: quorum
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: majority, read: majority}

Passing::

    consistency: strong
    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: majority, read: majority}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.design import LEADERLESS
from redplan.engine.objectives import required_consistency
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.coordination import declared_path, say, strict_operations


class StrongOnLeaderless(Rule):
    __doc__ = __doc__
    code = "RP307"
    name = "strong-on-leaderless"
    severity = "error"
    summary = "strong consistency required of leaderless quorums"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        if design is None or evaluation is None or design.coordination != LEADERLESS or service.state != "stateful":
            return
        if required_consistency(service) != "strong":
            return
        quorums = f"{say('W', design.replicas, design.write)}, {say('R', design.replicas, design.read)}"
        overlap = ("overlap, but overlap is not linearisability" if evaluation.analysis.consistent_reads
                   else "do not even overlap, and overlapping ones would still not be linearisable")
        yield Problem(
            declared_path(service, ("deployment", "pattern")),
            f"strong consistency is required ({strict_operations(service, 'strong')}), but leaderless quorums "
            f"({quorums}) {overlap}: with no leader ordering writes, reads "
            f"can see an in-flight write and then lose it; this design delivers {evaluation.delivered.consistency} reads",
            "use a consensus group (pattern active-active with replication: sync, or a declared quorum on a leader-based "
            "store), or a consensus path such as lightweight transactions for the operations that need strong reads",
        )
