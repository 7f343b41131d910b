"""RP101 rpo-zero-without-sync: an RPO of 0 with asynchronous replication or backups only.

An asynchronous standby acknowledges nothing: when the primary fails, the writes
it had not shipped yet are lost, so the RPO is the replication lag, not zero.
Backups lose everything since the last one.

Failing::

    objectives: {rpo: 0s}
    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}

Passing::

    objectives: {rpo: 0s}
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
from redplan.spec.units import format_duration


class RpoZeroWithoutSync(Rule):
    __doc__ = __doc__
    code = "RP101"
    name = "rpo-zero-without-sync"
    severity = "error"
    summary = "RPO 0 with asynchronous replication or backups only"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        if service.objectives.rpo != 0 or design is None or evaluation is None or service.state != "stateful":
            return
        if design.replication == "sync" or evaluation.rpo is None or evaluation.rpo.seconds == 0:
            return
        what = "backups only" if design.replication == "none" else f"{design.replication} replication"
        yield Problem(
            ("deployment", "replication") if design.replication != "none" else ("deployment",),
            f"RPO target is 0 but the deployment uses {what}: up to {format_duration(evaluation.rpo.seconds)} "
            f"of acknowledged writes can be lost ({evaluation.rpo.explain()})",
            "replicate synchronously to a standby in another zone (and region, if it must survive one)",
        )
