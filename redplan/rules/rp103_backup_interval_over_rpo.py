"""RP103 backup-interval-over-rpo: backups taken less often than the RPO, when they are the only copy left.

When a failure the service must survive (a node always, plus `survive`) leaves
no replica holding the data (a single replica, or every replica in the lost
zone or region), the newest backup is what recovery starts from: everything
written since it is lost, so the interval alone exceeds the RPO. Where a
replica survives, replication bounds the loss and the interval does not matter.
An RPO of 0 is RP101's finding: no backup interval meets it.

Failing::

    objectives: {rpo: 15m, survive: [node]}
    deployment:
      pattern: backup-restore
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
      backups: {interval: 1h, offsite: aws:us-west-2}

Passing::

    objectives: {rpo: 15m, survive: [node]}
    deployment:
      pattern: backup-restore
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
      backups: {interval: 10m, offsite: aws:us-west-2}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.evaluate import considered_domains, domain_tolerance
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.objectives_vs_design import from_tier, losing
from redplan.spec.units import format_duration


class BackupIntervalOverRpo(Rule):
    __doc__ = __doc__
    code = "RP103"
    name = "backup-interval-over-rpo"
    severity = "error"
    summary = "backups are the only surviving copy and are taken less often than the RPO"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        rpo, backups = service.objectives.rpo, service.deployment.backups if service.deployment else None
        if rpo is None or rpo == 0 or backups is None or design is None or evaluation is None or service.state != "stateful":
            return
        if backups.interval <= rpo:
            return
        # as evaluate reads it: no loss when an ack quorum survives; else a replica's copy (if replicated); else backups
        copies = evaluation.copies
        replicated = design.replication != "none"
        backups_only = [
            domain for domain in considered_domains(service)
            if domain_tolerance(evaluation.analysis.durability, domain) < 1
            and not (replicated and domain_tolerance(copies, domain) >= 1)
        ]
        if not backups_only:
            return
        holders = len([replica for replica in design.replicas if replica.holds_data])
        failure = losing(backups_only[0])
        if not replicated:
            why = f"with no replication, losing {failure} leaves only the backups"
        elif holders == 1:
            why = f"the data lives on one replica, so losing {failure} leaves only the backups"
        else:
            why = f"losing {failure} can take all {holders} data replicas, leaving only the backups"
        yield Problem(
            ("deployment", "backups", "interval"),
            f"backups are taken every {format_duration(backups.interval)} but the RPO target is "
            f"{from_tier(subject.loaded, 'rpo', format_duration(rpo))}: "
            f"{why}, so up to {format_duration(backups.interval)} of writes are lost, "
            f"{format_duration(backups.interval - rpo)} over",
            f"take backups at least every {format_duration(rpo)} (or stream the log off-site), "
            "or add a replica outside the failure domains in survive",
        )
