"""RP106 sync-blocks-writes: synchronous replication that stops writes when its synchronous standby is lost.

With `on_sync_standby_loss: block` (also what an unset value means) the primary
never acknowledges a write without a synchronous standby: no write is lost,
but with a single synchronous standby one standby failure, not a primary
failure, stops every write until it returns. Against an availability target
that is the operator's trade made visible. Two or more synchronous standbys
(the primary waits for any one) keep writes going through one standby loss.

Failing::

    objectives: {rpo: 0s, availability: 99.95%}
    deployment:
      pattern: active-passive
      replication: sync
      on_sync_standby_loss: block
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}

Passing::

    objectives: {rpo: 0s, availability: 99.95%}
    deployment:
      pattern: active-passive
      replication: sync
      on_sync_standby_loss: block
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}
        - {region: aws:us-east-1, az: c, role: standby, sync: true}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.objectives_vs_design import from_tier, listed, sync_standbys


class SyncBlocksWrites(Rule):
    __doc__ = __doc__
    code = "RP106"
    name = "sync-blocks-writes"
    severity = "warning"
    summary = "synchronous replication that stops writes when one standby is lost"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        availability = service.objectives.availability
        if availability is None or design is None or evaluation is None or design.on_sync_standby_loss != "block":
            return
        standbys = sync_standbys(design)
        if len(standbys) >= 2 and evaluation.analysis.write.nodes > 0:
            return
        declared = service.deployment.on_sync_standby_loss if service.deployment else None
        setting = "on_sync_standby_loss is block" if declared else "on_sync_standby_loss is unset (read as block)"
        target = from_tier(subject.loaded, "availability", f"{availability * 100:g}%")
        if not standbys:
            stops = "there is no standby to acknowledge, so no write can complete"
        elif len(standbys) == 1:
            stops = (f"the primary has 1 synchronous standby ({listed(standbys)}), "
                     "so 1 standby failure stops all writes until it returns")
        else:
            stops = (f"with {len(standbys)} synchronous standbys ({listed(standbys)}) a single replica failure still "
                     f"stops writes (write tolerance {evaluation.analysis.write.nodes} nodes)")
        yield Problem(
            ("deployment", "on_sync_standby_loss") if declared else ("deployment", "replication"),
            f"{setting}: {stops}, against an availability target of {target}",
            "add a second synchronous standby in another zone (the primary waits for any one of them), "
            "or choose degrade-to-async and accept the replication lag as the RPO while degraded",
        )
