"""RP302 failover-without-fencing: automatic failover of a primary with no fencing of the old one.

A failure detector cannot tell a dead primary from one it cannot reach. When it
promotes a standby without fencing (STONITH, revoking the old primary's lease or
storage), a primary that was only cut off keeps accepting writes: two primaries
acknowledge writes, and the writes of one side are thrown away when they meet
again (split brain). Consensus groups fence by term and need no such step.

Failing::

    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
      failover: {automatic: true, detection: 10s}

Passing::

    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
      failover: {automatic: true, detection: 10s, fencing: true}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.design import PRIMARY_BACKUP
from redplan.engine.evaluate import Context
from redplan.rules.base import Problem, Rule, Subject
from redplan.spec.units import format_duration


class FailoverWithoutFencing(Rule):
    __doc__ = __doc__
    code = "RP302"
    name = "failover-without-fencing"
    severity = "error"
    summary = "automatic failover of a primary without fencing: split-brain risk"

    def check(self, subject: Subject) -> Iterator[Problem]:
        design, deployment = subject.design, subject.service.deployment
        failover = deployment.failover if deployment else None
        if design is None or failover is None or design.coordination != PRIMARY_BACKUP:
            return
        if failover.automatic is not True or failover.fencing is True:
            return
        primary = design.replicas[0]
        candidates = [replica for replica in design.replicas[1:] if replica.holds_data]
        if not candidates:
            return  # nothing to promote, so no second primary
        detection = failover.detection
        if detection is None:
            context = Context(subject.service, subject.fleet.catalog)
            detection = context.technologies.failover_parts(context.technology)["detection"].seconds
        fencing = "fencing: false" if failover.fencing is False else "no fencing declared"
        yield Problem(
            ("deployment", "failover", "fencing") if failover.fencing is False else ("deployment", "failover", "automatic"),
            f"automatic failover promotes {_which(len(candidates))} after "
            f"{format_duration(detection)} without an answer from the primary in {primary.region} zone {primary.az}, with "
            f"{fencing}: a primary that is only cut off keeps accepting writes, so 2 primaries acknowledge writes "
            "and one side's are discarded when they meet (split brain)",
            "fence the old primary before promoting (STONITH, lease or storage revocation) and declare fencing: true, "
            "or make failover manual",
        )


def _which(candidates: int) -> str:
    return "the only standby replica" if candidates == 1 else f"one of {candidates} standby replicas"
