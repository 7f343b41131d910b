"""RP401 write-latency-over-budget: synchronous replication makes the write p99 exceed the latency budget.

A synchronous commit waits for other replicas' acknowledgements, so its latency
is set by the round trip to the slowest replica it must wait for (the k-th
fastest of those that can acknowledge), plus the client's round trip to the
leader. When that pair is far apart, no tuning brings the p99 under the
budget: move that replica closer, or accept a higher budget.

Failing::

    objectives: {rpo: 0s, survive: [node, az, region]}
    latency_budget: {write_p99: 20ms}
    deployment:
      pattern: active-passive
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:eu-west-1, az: a, role: standby, sync: true}

Passing::

    objectives: {rpo: 0s, survive: [node, az]}
    latency_budget: {write_p99: 20ms}
    deployment:
      pattern: active-passive
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby, sync: true}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from redplan.analysis.model import Replica
from redplan.analysis.quorum import quorum_size
from redplan.catalog import Catalog
from redplan.engine.design import CONSENSUS, LEADERLESS, PRIMARY_BACKUP, Design
from redplan.engine.evaluate import (
    FSYNC_P50_MS,
    SAME_ZONE_BASIS,
    SAME_ZONE_RTT_MS,
    Context,
    client_region,
)
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.shared_rp401_rp603 import zone_label

ORDINALS = {1: "fastest", 2: "2nd fastest", 3: "3rd fastest"}


@dataclass(frozen=True)
class Leg:
    """One round trip the commit waits for, with its median and where the figure comes from."""

    a: str
    b: str
    p50_ms: float
    source: str

    def __str__(self) -> str:
        return f"{self.a} → {self.b} (RTT p50 {self.p50_ms:.4g} ms, source: {self.source})"


class WriteLatencyOverBudget(Rule):
    __doc__ = __doc__
    code = "RP401"
    name = "write-latency-over-budget"
    severity = "error"
    summary = "synchronous replication puts the write p99 over latency_budget.write_p99"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        budget = service.latency_budget.write_p99 if service.latency_budget else None
        if budget is None or design is None or evaluation is None or service.state != "stateful":
            return
        if design.replication != "sync" or design.coordination not in (CONSENSUS, PRIMARY_BACKUP, LEADERLESS):
            return
        budget_ms, p99 = budget * 1000, evaluation.latency.p99_ms
        if p99 <= budget_ms:
            return
        context = Context(service, subject.fleet.catalog)
        waits, critical = _critical_leg(design, context)
        client = _client_leg(design, context)
        causes = [f"{waits}: {critical}" if critical else waits]
        if client is not None:
            causes.append(f"plus the client's round trip {client}")
        yield Problem(
            ("latency_budget", "write_p99"),
            f"write p99 is {p99:.1f} ms, {p99 - budget_ms:.1f} ms over the {budget_ms:g} ms budget; " + ", ".join(causes),
            "move the replica the commit waits for (or the leader) closer, wait for fewer remote acknowledgements, "
            "or raise the budget if this latency is acceptable",
        )


def _pair(catalog: Catalog, a: Replica, b: Replica) -> Leg:
    """The round trip as the latency estimate reads it: same zone is an assumption, else the catalog's figure."""
    if (a.region, a.az) == (b.region, b.az):
        return Leg(zone_label(a.region, a.az), zone_label(b.region, b.az), SAME_ZONE_RTT_MS, SAME_ZONE_BASIS)
    figure = catalog.rtt(a.region, b.region)
    return Leg(zone_label(a.region, a.az), zone_label(b.region, b.az), figure.p50_ms, figure.source)


def _kth(legs: list[Leg], k: int) -> Leg:
    return sorted(legs, key=lambda leg: leg.p50_ms)[k - 1]


def _critical_leg(design: Design, context: Context) -> tuple[str, Leg | None]:
    """What the commit waits for and the slowest round trip among the acks it needs, ranked by median.

    Mirrors whom `evaluate` makes the commit wait for: a majority of voters under
    consensus, the fastest sync standby under primary/backup, W replies (the
    coordinator's own among them) under leaderless quorums.
    """
    catalog, leader = context.catalog, design.replicas[0]
    if design.coordination == CONSENSUS:
        voters = [replica for replica in design.replicas if replica.votes]
        needed = len(voters) // 2
        legs = [_pair(catalog, leader, replica) for replica in voters[1:]]
        if needed == 0:
            return "the leader's log write alone", None
        return f"the leader waits for the {_ordinal(needed)} of {len(legs)} follower acks", _kth(legs, needed)
    if design.coordination == PRIMARY_BACKUP:
        legs = [_pair(catalog, leader, replica) for replica in design.replicas if replica.sync]
        if not legs:
            return "the primary's log write alone", None
        which = "its sync standby" if len(legs) == 1 else f"the fastest of {len(legs)} sync standbys"
        return f"the primary waits for {which}", _kth(legs, 1)
    return _leaderless_leg(design, context)


def _leaderless_leg(design: Design, context: Context) -> tuple[str, Leg | None]:
    """The coordinator (a replica in the client's region) counts its own write; with `each`, the slowest region decides."""
    client = client_region(design, context)
    replicas = design.replicas
    at = next((index for index, replica in enumerate(replicas) if replica.region == client), 0)
    coordinator, scope = replicas[at], design.write.scope
    own = Leg(zone_label(coordinator.region, coordinator.az), "its own log", FSYNC_P50_MS, "assumption: local fsync")
    groups: dict[str, list[Leg]] = {}
    for index, replica in enumerate(replicas):
        if scope == "global" or replica.region == coordinator.region or scope == "each":
            leg = own if index == at else _pair(context.catalog, coordinator, replica)
            groups.setdefault(replica.region if scope == "each" else coordinator.region, []).append(leg)
    picks = []
    for legs in groups.values():
        needed = min(quorum_size(design.write.size, len(legs)), len(legs))
        picks.append((needed, len(legs), _kth(legs, needed)))
    needed, population, slowest = max(picks, key=lambda pick: pick[2].p50_ms)
    where = {"global": "", "local": " in its region", "each": " in each region"}[scope]
    return f"the coordinator waits for the {_ordinal(needed)} of {population} replica replies{where}", slowest


def _client_leg(design: Design, context: Context) -> Leg | None:
    """The client's round trip to the leader, which `evaluate` adds for leader-based designs."""
    if design.coordination == LEADERLESS:
        return None
    client, leader = client_region(design, context), design.replicas[0]
    if client == leader.region:
        return None
    figure = context.catalog.rtt(client, leader.region)
    return Leg(client, leader.region, figure.p50_ms, figure.source)


def _ordinal(k: int) -> str:
    return ORDINALS.get(k, f"{k}th fastest")
