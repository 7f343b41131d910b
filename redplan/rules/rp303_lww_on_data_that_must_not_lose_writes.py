"""RP303 lww-on-data-that-must-not-lose-writes: last-writer-wins on a ledger, balance or inventory.

Last-writer-wins keeps the write with the latest timestamp and silently drops the
other: two concurrent debits of 100 leave a balance 100 lower, not 200, and both
clients were told their write succeeded. A leaderless quorum pattern resolves
conflicts this way unless told otherwise (Cassandra's cell timestamps).

Failing::

    data: {kind: balance}
    deployment:
      pattern: quorum
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}

Passing::

    data: {kind: balance}
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

from redplan.engine.design import LEADERLESS, MULTI_PRIMARY, Design
from redplan.engine.objectives import NO_LOST_WRITES
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.coordination import declared_path

EXAMPLE = {
    "ledger": "of two entries posted together, one is silently dropped, so the ledger misses 1 of 2 acknowledged entries",
    "balance": "two debits of 100 acknowledged together leave the balance 100 lower, not 200",
    "inventory": "two orders of 100 units acknowledged together leave the stock 100 lower, not 200",
}


class LwwOnDataThatMustNotLoseWrites(Rule):
    __doc__ = __doc__
    code = "RP303"
    name = "lww-on-data-that-must-not-lose-writes"
    severity = "error"
    summary = "last-writer-wins conflict resolution on a ledger, balance or inventory"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design = subject.service, subject.design
        kind = service.data.kind if service.data else None
        if design is None or service.state != "stateful" or design.conflict_resolution != "lww" or kind not in NO_LOST_WRITES:
            return
        path = declared_path(service, ("deployment", "conflict_resolution"), ("deployment", "pattern"))
        how = ("conflict_resolution: lww" if path[-1] == "conflict_resolution"
               else "the leaderless quorum pattern, which resolves conflicts by last-writer-wins by default,")
        yield Problem(
            path,
            f"data.kind {kind} must not lose writes, but {how} keeps only the later of two concurrent writes "
            f"({_writers(design)}): {EXAMPLE[kind]}",
            "order writes through one leader (a consensus group or a single primary), or merge them in the application "
            "(conflict_resolution: app-merge, e.g. append entries instead of overwriting a total)",
        )


def _writers(design: Design) -> str:
    """Who can take a write at the same time, which is what makes writes concurrent."""
    if design.coordination == LEADERLESS:
        holders = sum(1 for replica in design.replicas if replica.holds_data)
        return f"any of the {holders} replicas can coordinate a write"
    if design.coordination == MULTI_PRIMARY:
        primaries = sum(1 for replica in design.replicas if replica.role == "primary") or len(design.replicas)
        return f"{primaries} primaries accept writes independently"
    return f"declared for a {design.coordination} design"
