"""RP204 sync-standby-same-zone: a synchronous standby in the primary's own zone.

A synchronous standby exists so that an acknowledged write survives the
primary's failure. Sitting in the same zone, it shares the primary's power,
cooling and network: one zone outage takes both, and the writes it acknowledged
with them. Zones left out on both count as the same zone (redplan's cautious
reading).

Failing::

    deployment:
      pattern: active-passive
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: a, role: standby, sync: true}
        - {region: aws:us-east-1, az: b, role: standby}

Passing::

    deployment:
      pattern: active-passive
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}
        - {region: aws:us-east-1, az: c, role: standby}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.failure_domains import REPLICAS, unit


class SyncStandbySameZone(Rule):
    __doc__ = __doc__
    code = "RP204"
    name = "sync-standby-same-zone"
    severity = "warning"
    summary = "a synchronous standby shares the primary's zone"

    def check(self, subject: Subject) -> Iterator[Problem]:
        deployment = subject.service.deployment
        if deployment is None or subject.service.state != "stateful":
            return
        replicas = deployment.replicas
        synchronous = [index for index, replica in enumerate(replicas) if replica.sync and replica.role != "primary"]
        if not synchronous:
            return
        zones = [unit(replica.region, replica.az, "az") for replica in replicas]
        primaries = {zones[index]: index for index, replica in enumerate(replicas) if replica.role == "primary"}
        for index in synchronous:
            replica, zone = replicas[index], zones[index]
            if zone not in primaries:
                continue
            elsewhere = sum(1 for other in synchronous if zones[other] != zone)
            primary = f"replicas[{primaries[zone]}]"
            place = (f"is in {zone}, where the primary is ({primary})" if replica.az is not None else
                     f"and the primary ({primary}) name no zone in {replica.region}, which redplan reads as one shared zone")
            yield Problem(
                (*REPLICAS, index),
                f"synchronous standby replicas[{index}] {place}: "
                f"losing that zone takes both, with the writes this standby acknowledged "
                f"({elsewhere} of {len(synchronous)} synchronous standby entries are in another zone)",
                "move the synchronous standby to another zone of the region",
            )
