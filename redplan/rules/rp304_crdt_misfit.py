"""RP304 crdt-misfit: CRDT conflict resolution on data no CRDT fits, or of unstated kind.

A CRDT merges concurrent writes without losing any, but only for data whose
operations commute: counters, sets and registers. A document, ledger or queue
declared "crdt" either has no such type behind it or merges into a state no
client wrote (two withdrawals that each kept a balance positive, merged into a
negative one). Without data.kind nothing shows that a CRDT fits.

Failing::

    data: {kind: document}
    deployment:
      pattern: active-active
      replication: async
      conflict_resolution: crdt
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:eu-west-1, az: a, role: primary}

Passing::

    data: {kind: set}
    deployment:
      pattern: active-active
      replication: async
      conflict_resolution: crdt
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:eu-west-1, az: a, role: primary}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.objectives import CRDT_KINDS
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.coordination import declared_path


class CrdtMisfit(Rule):
    __doc__ = __doc__
    code = "RP304"
    name = "crdt-misfit"
    severity = "error"
    summary = "CRDT conflict resolution on data no CRDT fits"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design = subject.service, subject.design
        kind = service.data.kind if service.data else None
        if design is None or service.state != "stateful" or design.conflict_resolution != "crdt" or kind in CRDT_KINDS:
            return
        fits = ", ".join(sorted(CRDT_KINDS))
        what = f"data.kind {kind} has none" if kind else "data.kind is not stated, so nothing shows one fits"
        yield Problem(
            declared_path(service, ("deployment", "conflict_resolution")),
            f"conflict_resolution is crdt, but CRDTs exist for {len(CRDT_KINDS)} kinds of data ({fits}) and {what}: "
            f"concurrent writes would be merged into a state no client wrote, or need a merge nobody defined",
            f"state data.kind if it is one of {fits}; otherwise use app-merge with a merge you define, "
            "or a single leader (consensus or a primary) so writes never conflict",
        )
