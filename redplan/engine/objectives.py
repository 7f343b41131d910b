"""Objectives against a design's estimates: each check says target, actual and by how much.

Every check is monotone in its objective (a tighter target never accepts
more designs), which keeps recommend monotone in each objective.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from redplan.analysis.availability import downtime_per_year_s
from redplan.engine.design import (
    CONSENSUS,
    LEADERLESS,
    MULTI_PRIMARY,
    PRIMARY_BACKUP,
    STATELESS,
    Design,
)
from redplan.engine.results import Check
from redplan.spec.models import Service
from redplan.spec.units import format_availability, format_duration, format_roughly

# Strictness order of consistency levels (as Azure Cosmos DB orders its five levels, less consistent prefix).
CONSISTENCY_RANK = {"eventual": 0, "session": 1, "bounded": 2, "strong": 3}
NEAR_ZERO_S = 15.0  # redplan's reading of "RTO zero": no failover step, leaders back within seconds
NO_LOST_WRITES = frozenset({"ledger", "balance", "inventory"})
CRDT_KINDS = frozenset({"counter", "set", "register"})


@dataclass(frozen=True)
class Delivered:
    """What a design delivers, as the checks need it (seconds; None = cannot recover)."""

    rto_s: float | None
    rpo_s: float | None
    failover_free: bool  # no promotion or redirect step in any failure it must survive
    unrecoverable: tuple[str, ...]  # failure domains it cannot come back from
    consistency: str
    write_p99_ms: float
    availability: float  # of writes


def required_consistency(service: Service) -> str | None:
    """The strictest level any operation needs, or None when the service states none."""
    consistency = service.consistency
    if consistency is None:
        return None
    levels = [consistency] if isinstance(consistency, str) else [operation.level for operation in consistency]
    return max(levels, key=CONSISTENCY_RANK.__getitem__, default=None)  # `consistency: []` states none


def delivered_consistency(design: Design, consistent_reads: bool) -> str:
    """A single primary, and consensus whose read quorums meet every write quorum, give linearisable
    reads (consensus reads that can miss a commit are follower reads: eventual); overlapping
    leaderless quorums bound staleness but are not linearisable; asynchronous multi-primary
    replication is eventual."""
    if design.coordination == PRIMARY_BACKUP:
        return "strong"
    if design.coordination == CONSENSUS:
        return "strong" if consistent_reads else "eventual"
    if design.coordination == LEADERLESS:
        return "bounded" if consistent_reads else "eventual"
    if design.coordination == MULTI_PRIMARY:
        return "eventual"
    return "strong" if design.coordination == STATELESS else "eventual"


def rpo_target(service: Service) -> float | None:
    """The RPO that `check_design` holds a design to, or None: a stateless service has no data to lose."""
    return service.objectives.rpo if service.state == "stateful" else None


def within(target_s: float, actual_s: float | None) -> bool:
    """A recovery time or loss window meets its target: bounded (None: cannot recover), and no longer."""
    return actual_s is not None and actual_s <= target_s


def check_design(service: Service, design: Design, delivered: Delivered) -> list[Check]:
    objectives = service.objectives
    checks: list[Check] = []
    if delivered.unrecoverable:
        domains = ", ".join(delivered.unrecoverable)
        checks.append(Check(objective="survive", target=domains, actual="no copy survives", met=False,
                            detail=f"nothing to recover from after losing a whole {domains}"))
    if objectives.rto is not None:
        checks.append(_rto_check(objectives.rto, delivered))
    rpo = rpo_target(service)
    if rpo is not None:
        checks.append(_at_most("rpo", rpo, delivered.rpo_s))
    required = required_consistency(service)
    if required is not None and service.state == "stateful":
        met = CONSISTENCY_RANK[delivered.consistency] >= CONSISTENCY_RANK[required]
        detail = "" if met else f"{design.kind} gives {delivered.consistency} reads"
        checks.append(Check(objective="consistency", target=required, actual=delivered.consistency, met=met, detail=detail))
    if service.latency_budget and service.latency_budget.write_p99 is not None and service.state == "stateful":
        budget_ms = service.latency_budget.write_p99 * 1000
        met = delivered.write_p99_ms <= budget_ms
        over = "" if met else f"{delivered.write_p99_ms - budget_ms:.1f} ms over"
        checks.append(Check(objective="latency", target=f"write p99 ≤ {budget_ms:g} ms",
                            actual=f"{delivered.write_p99_ms:.1f} ms", met=met, detail=over))
    if objectives.availability is not None:
        checks.append(_availability_check(objectives.availability, delivered.availability))
    data_check = _data_kind_check(service, design)
    if data_check is not None:
        checks.append(data_check)
    return checks


def _rto_check(target_s: float, delivered: Delivered) -> Check:
    """Targets under NEAR_ZERO_S (0 included) are read as 'near zero': met by a design that keeps serving
    with no failover step and re-elects or reroutes automatically within NEAR_ZERO_S.

    The allowance covers every target below it, not only 0, so a looser target never rejects a
    design that a tighter one accepted (recommend stays monotone in the RTO).
    """
    if target_s >= NEAR_ZERO_S or delivered.rto_s is None or not delivered.failover_free:
        check = _at_most("rto", target_s, delivered.rto_s)
        if target_s < NEAR_ZERO_S and not delivered.failover_free and not check.met:
            return replace(check, detail=f"{check.detail}; needs a failover step")
        return check
    met = delivered.rto_s <= NEAR_ZERO_S
    shown = "0 (near zero)" if target_s == 0 else format_duration(target_s)
    detail = (f"no failover step: surviving replicas keep serving; automatic recovery within {format_duration(NEAR_ZERO_S)} "
              "counts as near zero") if met else f"automatic recovery takes over {format_duration(NEAR_ZERO_S)}"
    return Check(objective="rto", target=shown, actual=format_duration(round(delivered.rto_s, 3)), met=met, detail=detail)


def _at_most(objective: str, target_s: float, actual_s: float | None) -> Check:
    target = format_duration(target_s)
    if actual_s is None:
        return Check(objective=objective, target=target, actual="unbounded", met=False, detail="cannot recover")
    met = within(target_s, actual_s)
    detail = "" if met else f"{format_duration(round(actual_s - target_s, 3))} over"
    return Check(objective=objective, target=target, actual=format_duration(round(actual_s, 3)), met=met, detail=detail)


def _availability_check(target: float, estimate: float) -> Check:
    """Writes served at least `target` of the time, under the stated availability assumptions."""
    met = estimate >= target
    excess = downtime_per_year_s(estimate) - downtime_per_year_s(target)
    detail = "" if met else f"{format_roughly(excess)} a year more downtime than the target allows"
    return Check(objective="availability", target=format_availability(target), actual=format_availability(estimate), met=met, detail=detail)


def _data_kind_check(service: Service, design: Design) -> Check | None:
    """LWW silently drops concurrent writes; CRDTs exist only for counters, sets and registers."""
    resolution = design.conflict_resolution
    if resolution is None or service.state != "stateful":
        return None
    kind = service.data.kind if service.data else None
    if resolution == "lww" and kind in NO_LOST_WRITES:
        return Check(objective="data", target=f"no lost writes ({kind})", actual="last-writer-wins", met=False,
                     detail=f"LWW silently discards concurrent writes to a {kind}")
    if resolution == "crdt" and kind not in CRDT_KINDS:
        shown = kind or "unstated"
        return Check(objective="data", target=f"data kind {shown}", actual="CRDT", met=False,
                     detail=f"CRDTs fit counters, sets and registers, not {shown} data")
    return None
