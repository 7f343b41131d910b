"""RP202 single-region: `region` is a failure to survive, but one region's loss stops writes or loses the data.

A region fails as a whole far less often than a zone, but for longer (hours to
days), and when it does every zone in it goes. Surviving one needs writes to
continue from another region and, with an RPO of 0, every acknowledged write
held outside the lost region. A majority group in two regions (RP205) or one
with too many voters in one region (RP203) is reported by those rules instead.

Failing::

    objectives: {rpo: 5m, survive: [node, az, region]}
    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}

Passing::

    objectives: {rpo: 5m, survive: [node, az, region]}
    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
        - {region: aws:us-west-2, az: a, role: standby}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.failure_domains import single_domain_problem


class SingleRegion(Rule):
    __doc__ = __doc__
    code = "RP202"
    name = "single-region"
    severity = "error"
    summary = "losing one region stops writes or loses data that must survive a region"

    def check(self, subject: Subject) -> Iterator[Problem]:
        problem = single_domain_problem(
            subject, "region",
            "place a standby (synchronous when the RPO is 0) in a second region, or a consensus group over "
            "three regions, so writes and acknowledged data outlive a region",
        )
        if problem:
            yield problem
