"""RP201 single-zone: `az` is a failure to survive, but one zone's loss stops writes or loses the data.

Zones fail whole (power, cooling, a network partition), so surviving one needs a
write quorum and a copy of every acknowledged write outside any single zone.
Replicas stacked in one zone, a synchronous standby next to its primary, or
zones left out (read as one shared zone) all fail that. A consensus group spread
over zones with too many voters in one is RP203's finding instead.

Failing::

    objectives: {rpo: 0s, survive: [node, az]}
    deployment:
      pattern: active-passive
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: a, role: standby, sync: true}

Passing::

    objectives: {rpo: 0s, survive: [node, az]}
    deployment:
      pattern: active-passive
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}
        - {region: aws:us-east-1, az: c, role: standby, sync: true}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.failure_domains import single_domain_problem


class SingleZone(Rule):
    __doc__ = __doc__
    code = "RP201"
    name = "single-zone"
    severity = "error"
    summary = "losing one zone stops writes or loses data that must survive a zone"

    def check(self, subject: Subject) -> Iterator[Problem]:
        problem = single_domain_problem(
            subject, "az",
            "spread the replicas over three zones, with synchronous copies outside the primary's zone, "
            "so a write quorum and every acknowledged write outlive any one zone",
        )
        if problem:
            yield problem
