"""RP308 async-replica-reads-with-session: read replicas fed asynchronously serving reads that must see the client's writes.

A primary acknowledges a write before an asynchronous replica has it. A client
that writes and then reads from a read replica (a `non-voting` replica: it holds
data, takes no part in failover, and exists to serve reads) can miss its own
write for as long as the replication lag, which breaks session
(read-your-writes) and anything stronger. Standbys are not flagged: the spec
reads them as failover targets, not read endpoints.

Failing::

    consistency: session
    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
        - {region: aws:us-east-1, az: c, role: non-voting, count: 2}

Passing::

    consistency: eventual
    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
        - {region: aws:us-east-1, az: c, role: non-voting, count: 2}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.design import PRIMARY_BACKUP
from redplan.engine.evaluate import Context
from redplan.engine.objectives import CONSISTENCY_RANK, required_consistency
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.coordination import strict_operations
from redplan.spec.units import format_duration


class AsyncReplicaReadsWithSession(Rule):
    __doc__ = __doc__
    code = "RP308"
    name = "async-replica-reads-with-session"
    severity = "warning"
    summary = "session or stronger reads served by asynchronous read replicas"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design = subject.service, subject.design
        required = required_consistency(service)
        if design is None or design.coordination != PRIMARY_BACKUP or service.state != "stateful" or required is None:
            return
        if CONSISTENCY_RANK[required] < CONSISTENCY_RANK["session"]:
            return
        assert service.deployment is not None  # a design exists
        synchronous = design.replication == "sync"
        readers = [(index, replica) for index, replica in enumerate(service.deployment.replicas)
                   if replica.role == "non-voting" and not (synchronous and replica.sync)]
        if not readers:
            return
        count = sum(replica.count for _, replica in readers)
        where = ", ".join(dict.fromkeys(f"{replica.region} zone {replica.az or '?'}" for _, replica in readers))
        context = Context(service, subject.fleet.catalog)
        lag = context.technologies.async_lag(context.technology).seconds
        feed = "replication: async" if not synchronous else "not marked sync: true"
        yield Problem(
            ("deployment", "replicas", readers[0][0]),
            f"consistency {strict_operations(service)} needs a client to read its own writes, but {count} non-voting read "
            f"replica{'s' * (count != 1)} ({where}) {'get' if count != 1 else 'gets'} writes asynchronously ({feed}; typical lag "
            f"{format_duration(lag)}): a read sent there within {format_duration(lag)} of a write can miss it",
            "send session reads to the primary (or to a replica that has caught up to the client's last write position), "
            "or replicate synchronously to the read replicas",
        )
