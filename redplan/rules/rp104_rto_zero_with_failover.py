"""RP104 rto-zero-with-failover: an RTO of 0 on a pattern that must fail over before writes resume.

Active-passive, backup-restore and cold standby all have one primary: when it
fails, nothing accepts writes until a standby is promoted (or a copy restored)
and clients are redirected. That gap is tens of seconds at best, never zero.
An RTO of 0 needs replicas that keep serving: a consensus group or
active-active.

Failing::

    objectives: {rto: 0s, survive: [node, az]}
    deployment:
      pattern: active-passive
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}
        - {region: aws:us-east-1, az: c, role: standby, sync: true}

Passing::

    objectives: {rto: 0s, survive: [node, az]}
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

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.objectives_vs_design import (
    from_tier,
    needs_failover_step,
    restores,
    unrecoverable_failures,
)


class RtoZeroWithFailover(Rule):
    __doc__ = __doc__
    code = "RP104"
    name = "rto-zero-with-failover"
    severity = "error"
    summary = "RTO 0 on a pattern that needs a failover step"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        if service.objectives.rto != 0 or design is None or evaluation is None or not needs_failover_step(design):
            return
        declared = service.deployment.pattern if service.deployment else None
        pattern = declared or f"{design.pattern} (inferred, no pattern declared)"
        if evaluation.rto is None:
            gap = f"writes stop until a failover, and after losing {unrecoverable_failures(evaluation)} it cannot recover at all"
        elif restores(evaluation.rto):
            gap = f"writes stop until a copy is restored from backup: {evaluation.rto.explain()}"
        else:
            gap = f"writes stop until a standby is promoted and clients redirected: {evaluation.rto.explain()}"
        yield Problem(
            ("deployment", "pattern") if declared else ("deployment",),
            f"RTO target is {from_tier(subject.loaded, 'rto', '0')} but {pattern} has one primary; {gap}",
            "use a consensus group (quorum of 3 or 5 voters over zones) or active-active, "
            "or set the RTO to the failover time",
        )
