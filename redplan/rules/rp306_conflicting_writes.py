"""RP306 conflicting-writes: two write quorums that need not meet.

When 2W ≤ N, or writes are acknowledged by a quorum of one region while several
regions take writes, two clients' writes to the same item can both be
acknowledged by disjoint replicas: neither write quorum hears of the other.
In a consensus group that is two leaders committing (split brain); in a
leaderless store the conflict is left to the resolver, which usually drops one.

Failing::

    deployment:
      pattern: quorum
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: one, read: all}

Passing::

    deployment:
      pattern: quorum
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: majority, read: majority}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.design import CONSENSUS, LEADERLESS, Design
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.coordination import counted, declared_path, say

RESOLVED_BY = {"lww": "last-writer-wins silently keeps one of them", "crdt": "the CRDT merges them",
               "app-merge": "the application must merge them"}


class ConflictingWrites(Rule):
    __doc__ = __doc__
    code = "RP306"
    name = "conflicting-writes"
    severity = "warning"
    summary = "write quorums can miss each other (2W ≤ N, or local writes in several regions)"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        if design is None or evaluation is None or design.coordination not in (LEADERLESS, CONSENSUS):
            return
        if not evaluation.analysis.conflicting_writes:
            return
        groups = counted(design.replicas, design.write)
        small = next((group for group in groups if 2 * group.size <= group.population), None)
        if small is not None:
            where = f" in {small.region}" if small.region else ""
            why = (f"2 × W = {2 * small.size} ≤ N = {small.population}{where} ({say('W', design.replicas, design.write)}): "
                   "two writes can be acknowledged by disjoint replicas")
            path = declared_path(service, ("deployment", "quorum", "write"), ("deployment", "quorum"))
        else:
            regions = " and ".join(group.region or "" for group in groups[:2])
            why = (f"writes need only a quorum of their own region ({say('W', design.replicas, design.write)}): "
                   f"writes taken in {regions} are acknowledged without meeting")
            path = declared_path(service, ("deployment", "quorum", "scope"), ("deployment", "quorum"))
        yield Problem(path, f"{why}; {_outcome(design)}",
                      "use write quorums that intersect: W > N/2 counted over all replicas (or each scope), "
                      "or route writes for an item to one region")


def _outcome(design: Design) -> str:
    if design.coordination == CONSENSUS:
        return "in a consensus group that is two leaders committing different histories (split brain)"
    return RESOLVED_BY.get(design.conflict_resolution or "lww", "the conflict must be resolved")
