"""RP102 rto-over-target: the declared design takes longer to recover than the RTO allows.

The estimate is the worst recovery over the failures the service must survive
(a node always, plus `survive`): a failover (detection + promotion + redirect),
a leader election, a client retry, or a restore from backup when no replica can
take writes. A failure nothing survives has no recovery at all. Targets under
15 s are read as "near zero", as recommend reads them: met by designs with no
failover step that recover automatically within 15 s. An RTO of 0 on a design
that must fail over is RP104's finding, not this one's.

Failing::

    objectives: {rto: 1m, survive: [node, az]}
    deployment:
      pattern: backup-restore
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
      backups: {interval: 1h, offsite: aws:us-west-2}

Passing::

    objectives: {rto: 1m, survive: [node, az]}
    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
      failover: {automatic: true, detection: 10s, promotion: 10s, redirect: 10s}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.evaluate import considered_domains, domain_tolerance
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.objectives_vs_design import (
    from_tier,
    losing,
    needs_failover_step,
    restores,
    unrecoverable_failures,
)


class RtoOverTarget(Rule):
    __doc__ = __doc__
    code = "RP102"
    name = "rto-over-target"
    severity = "error"
    summary = "the declared design recovers more slowly than the RTO"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        if service.objectives.rto is None or design is None or evaluation is None:
            return
        if service.objectives.rto == 0 and needs_failover_step(design):
            return  # RP104
        # the engine's own RTO check (objectives._rto_check, with its near-zero reading), as recommend applies it
        check = next((check for check in evaluation.checks if check.objective == "rto"), None)
        if check is None or check.met:
            return
        path = ("tier",) if "rto" in subject.loaded.from_tier else ("objectives", "rto")
        target = from_tier(subject.loaded, "rto", check.target)
        if evaluation.rto is None:
            yield Problem(
                path,
                f"RTO target is {target} but the declared design cannot recover from losing "
                f"{unrecoverable_failures(evaluation)}: no replica that can take writes and no backup survives it",
                "keep a standby or an off-site backup outside every failure domain listed in survive",
            )
            return
        when = ""
        if restores(evaluation.rto):  # the failures where no replica can take writes, so recovery is a restore
            write = evaluation.analysis.write
            stopped = [domain for domain in considered_domains(service) if domain_tolerance(write, domain) < 1]
            failures = " or ".join(losing(domain) for domain in stopped)
            when = f", restoring from backup because no replica can take writes after losing {failures}" if stopped else ""
        yield Problem(
            path,
            f"RTO target is {target} but the declared design needs {check.actual} to recover "
            f"({evaluation.rto.explain()}){when}: {check.detail}",
            "keep a standby that can take writes after every failure in survive, so recovery is a failover, not a restore"
            if restores(evaluation.rto) else
            "shorten detection, promotion and redirect (deployment.failover), or use a design with no failover step",
        )
