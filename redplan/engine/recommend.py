"""Recommend: evaluate every candidate design, drop those that miss an objective, pick the cheapest.

Ties on cost go to the lower write p99, then to fewer replicas. The
rejected patterns are reported by their closest candidate (fewest missed
objectives, then cheapest), each with what it missed and by how much.
"""

from __future__ import annotations

import functools
import heapq
import weakref
from collections import Counter, deque
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from redplan import __version__
from redplan.analysis.availability import downtime_per_year_s, in_series
from redplan.catalog import Catalog
from redplan.engine.candidates import candidate_designs
from redplan.engine.declared import DEFAULT_CAPACITY, declared_design
from redplan.engine.design import (
    CONSENSUS,
    LEADERLESS,
    LEVEL_NAMES,
    MULTI_PRIMARY,
    PRIMARY_BACKUP,
    STATELESS,
    Design,
)
from redplan.engine.evaluate import (
    AvailabilityEstimate,
    Context,
    Evaluation,
    availability_thresholds,
    data_loss,
    evaluate,
    instances_cost,
    misses_rpo,
    remembered_cost,
)
from redplan.engine.results import (
    Assessment,
    Check,
    Estimates,
    Latency,
    Part,
    PlacedReplica,
    QuorumSetting,
    Recommendation,
    Rejected,
    Report,
    ServiceResult,
    Summary,
    Tolerances,
    Tool,
    in_report_order,
)
from redplan.engine.staleness import staleness_of, with_visibility
from redplan.spec.loader import Fleet, LoadedService
from redplan.spec.models import Service
from redplan.spec.units import format_duration

if TYPE_CHECKING:
    from redplan.analysis.cost import CostItem
    from redplan.analysis.latency import LatencyEstimate
    from redplan.analysis.recovery import Estimate
    from redplan.analysis.recovery import Part as RecoveryPart

_RESOLUTION_PREFERENCE: dict[str | None, int] = {"crdt": 0, "lww": 1, "app-merge": 2}  # looked up by Design.conflict_resolution

_NEEDS = {
    PRIMARY_BACKUP: [
        "a failover manager that promotes a standby (Patroni, Sentinel, orchestrator or the managed service)",
        "fencing of the old primary (STONITH or a lease) so two primaries never accept writes: split-brain",
    ],
    CONSENSUS: [
        "an odd number of voters so a majority survives the loss of any one domain",
        "leader election and leases (built into Raft/Paxos systems such as etcd, CockroachDB, Spanner)",
    ],
    LEADERLESS: ["anti-entropy: read repair, hinted handoff and regular repair so replicas converge"],
    MULTI_PRIMARY: ["conflict resolution for concurrent writes in different regions"],
    STATELESS: [
        "health checks and a load balancer that stops sending traffic to failed instances",
        "spread constraints (e.g. Kubernetes topologySpreadConstraints) and a PodDisruptionBudget",
    ],
}
_RESOLUTION_NEEDS = {
    "lww": "last-writer-wins: synchronised clocks, and acceptance that concurrent writes are silently dropped",
    "crdt": "CRDT data types (counters, sets, registers) that merge without losing updates",
    "app-merge": "an application merge function for conflicting versions (most flexible, most work)",
}


def recommend_fleet(fleet: Fleet) -> Report:
    """Every service's recommendation, in report order (as the audit's)."""
    services = _with_dependencies([recommend_service(service, fleet.catalog) for service in fleet.services], fleet)
    services.sort(key=in_report_order)
    unmet = sum(1 for service in services if service.recommendation is None)
    summary = Summary(services=len(services), recommended=len(services) - unmet, unmet=unmet)
    return Report(tool=Tool(name="redplan", version=__version__), services=services, summary=summary)


def _with_dependencies(services: list[ServiceResult], fleet: Fleet) -> list[ServiceResult]:
    """Each recommendation's availability in series with everything it depends on, directly or not
    (the product: writes need every one of them up), where all of them have a recommendation."""
    by_name = {service.name: service for service in services}
    depends_on = {loaded.name: loaded.spec.depends_on for loaded in fleet.services}
    finished = []
    for service in services:
        chain = _dependencies(service.name, depends_on)
        parts = [by_name[name].recommendation for name in chain]
        recommended = [part for part in parts if part is not None]
        if service.recommendation is None or not chain or len(recommended) < len(parts):
            finished.append(service)
            continue
        own = service.recommendation
        total = in_series([own.estimates.availability or 0.0, *(part.estimates.availability or 0.0 for part in recommended)])
        regions = {placed.region for placed in own.placement}
        shared = sorted(regions & {placed.region for part in recommended for placed in part.placement})
        basis = (f"in series with {', '.join(chain)}: writes need every one of them up, so the product of their availabilities"
                 + (f"; they share {', '.join(shared)}, so some of their failures are the same failure and the product is a lower bound"
                    if shared else "; they share no region, so their failures are close to independent"))
        composite = Part(item="with its dependencies", value=round(total, 10), basis=basis)
        finished.append(replace(service, recommendation=replace(own, availability_with_dependencies=composite)))
    return finished


def _dependencies(name: str, depends_on: dict[str, list[str]]) -> list[str]:
    """Everything `name` depends on, directly or through others, each once, in the order first met."""
    seen: dict[str, None] = {}  # ordered, and a set: a chain of 3,000 services took 45 s with a list
    waiting = deque(depends_on.get(name, []))
    while waiting:
        current = waiting.popleft()
        if current != name and current not in seen and current in depends_on:
            seen[current] = None
            waiting.extend(depends_on[current])
    return list(seen)


def recommend_service(loaded: LoadedService, catalog: Catalog) -> ServiceResult:
    service = loaded.spec
    context = Context(service, catalog)
    designs, evaluations, incompatible = _candidates(context)
    feasible = sorted((item for item in evaluations if item.feasible), key=_rank)
    line, _ = loaded.locate()
    objectives = {key: value for key, value in service.objectives.model_dump().items() if value is not None}
    declared = declared_design(service)
    current = _in_full(evaluate(declared, context), context) if declared else None
    if not designs:
        nowhere = Rejected(pattern="every pattern", placement="",
                           reasons=["the service lists no regions or clients: there is nowhere to place replicas"])
        return ServiceResult(name=service.name, file=loaded.file, line=line, objectives=objectives, assessment=current,
                             unmet=[nowhere])
    if not feasible:
        return ServiceResult(name=service.name, file=loaded.file, line=line, objectives=objectives, assessment=current,
                             unmet=_rejections(evaluations, incompatible, chosen=None))
    chosen = feasible[0]
    recommendation = _recommendation(chosen, context, loaded, _rejections(evaluations, incompatible, chosen))
    return ServiceResult(name=service.name, file=loaded.file, line=line, objectives=objectives, assessment=current,
                         recommendation=recommendation)




def _candidates(context: Context) -> tuple[list[Design], list[Evaluation], list[Rejected]]:
    """Every candidate design, the evaluations of those the technology can run, and those it cannot."""
    designs, allowed, incompatible = _designs_for(context)
    return list(designs), [evaluate(design, context) for design in allowed], list(incompatible)


_MEMO: weakref.WeakKeyDictionary[Catalog, dict[tuple, Any]] = weakref.WeakKeyDictionary()
"""Per catalog, what fleets repeat: candidate sets per placement requirements, cheapest searches per service requirements."""


def _memo(catalog: Catalog) -> dict[tuple, Any]:
    memo = _MEMO.setdefault(catalog, {})
    if len(memo) > 8192:
        memo.clear()
    return memo


def _candidates_key(context: Context) -> tuple:
    """What the candidates depend on: where the service may run, its state, capacity and technology."""
    service = context.service
    return (tuple(service.regions), tuple(service.clients), service.state, service.capacity or DEFAULT_CAPACITY, context.technology)


def _designs_for(context: Context) -> tuple[tuple[Design, ...], tuple[Design, ...], tuple[Rejected, ...]]:
    """Every candidate, those the technology can run, and why it cannot run the others."""
    key = ("designs", *_candidates_key(context))
    memo = _memo(context.catalog)
    if key not in memo:
        designs = candidate_designs(context.service, context.catalog, context.service.capacity or DEFAULT_CAPACITY)
        allowed, incompatible = _by_technology(designs, context)
        memo[key] = (tuple(designs), tuple(allowed), tuple(incompatible))
    return memo[key]


def _floors(context: Context) -> list[tuple[float, int, bool, Design]]:
    """The allowed candidates as a heap under their instance-cost floors: the same for every service
    with the same placement, so built once for them (searches copy it)."""
    key = ("floors", *_candidates_key(context))
    memo = _memo(context.catalog)
    if key not in memo:
        _, allowed, _ = _designs_for(context)
        heap = [(instances_cost(design, context) * (1 - 1e-9), index, False, design) for index, design in enumerate(allowed)]
        heapq.heapify(heap)
        memo[key] = heap
    return memo[key]


class _CheapestSearch:
    """The allowed designs of one set of requirements, cheapest first, each priced and evaluated at most once.

    Pricing every candidate costs more than evaluating the few cheapest, so candidates wait in a heap
    under what their instances alone cost (a floor, lowered by a hair so that rounding never lifts it
    over the full price) and are priced in full when they reach the top. Ties go to the earlier candidate.
    Most candidates that fail miss the RPO, which is known from what each failure loses alone: they are
    dropped on that before the rest is estimated.
    """

    def __init__(self, context: Context) -> None:
        self.heap = list(_floors(context))
        self.cheapest: Evaluation | None = None

    def below(self, ceiling: float, context: Context) -> Evaluation | None:
        if self.cheapest is not None:
            return self.cheapest if self.cheapest.cost.total < ceiling else None
        while self.heap and self.heap[0][0] < ceiling:
            _, index, priced, design = heapq.heappop(self.heap)
            if not priced:
                heapq.heappush(self.heap, (remembered_cost(design, context)[0].total, index, True, design))
                continue
            if misses_rpo(design, context):
                continue
            evaluation = evaluate(design, context)
            if evaluation.feasible:
                self.cheapest = evaluation
                return evaluation
        return None


def cheapest_design_below(service: Service, catalog: Catalog, ceiling: float) -> Evaluation | None:
    """The cheapest design that meets every objective and costs less than `ceiling` a month, or None.

    Candidates are priced first (cheap) and fully evaluated in price order only until one
    qualifies; the search is remembered per set of requirements, which fleets repeat.
    """
    context = Context(service, catalog)
    deployment = service.deployment
    failover = deployment.failover.model_dump_json() if deployment and deployment.failover else ""
    key = ("cheapest", service.model_dump_json(exclude={"name", "depends_on", "ignore", "deployment"}) + failover)
    memo = _memo(catalog)
    if key not in memo:
        memo[key] = _CheapestSearch(context)
    return memo[key].below(ceiling, context)


def _rank(evaluation: Evaluation) -> tuple[float, float, int, float, int, str]:
    """Cheapest, then fastest writes, fewest replicas, the least frequent backups that suffice, and
    at equal cost a CRDT (which loses nothing) before LWW (which drops concurrent writes)."""
    design = evaluation.design
    return (round(evaluation.cost.total, 2), round(evaluation.latency.p99_ms, 3), len(design.replicas),
            -(design.backup_interval_s or 0.0), _RESOLUTION_PREFERENCE.get(design.conflict_resolution, 0), design.kind)


def _by_technology(designs: list[Design], context: Context) -> tuple[list[Design], list[Rejected]]:
    """A named technology can only run the coordination it implements (backups work for any)."""
    if context.technology is None:
        return designs, []
    profile = context.technologies.profile(context.technology)
    modes = set(profile.replication_modes)
    supported = {
        PRIMARY_BACKUP: profile.topology == "leader" and bool(modes & {"async", "sync", "semi-sync"}),
        CONSENSUS: "consensus" in modes,
        LEADERLESS: profile.topology == "leaderless" or "quorum" in modes,
        MULTI_PRIMARY: profile.topology == "multi-leader",
        STATELESS: True,
    }
    allowed, refused = [], []
    for design in designs:
        backups_only = design.pattern in ("backup-restore", "cold-standby")
        sync_ok = design.replication != "sync" or design.coordination != PRIMARY_BACKUP or bool(modes & {"sync", "semi-sync"})
        if backups_only or (supported[design.coordination] and sync_ok):
            allowed.append(design)
        else:
            refused.append(Rejected(pattern=design.kind, placement=design.placement_summary,
                                    reasons=[f"not implemented by {profile.name}"]))
    return allowed, refused


def _capacity_missing(loaded: LoadedService) -> bool:
    return loaded.spec.state == "stateless" and loaded.spec.capacity is None


def _rejections(evaluations: list[Evaluation], incompatible: list[Rejected], chosen: Evaluation | None) -> list[Rejected]:
    """One line per pattern kind other than the chosen one: the cheapest that qualifies and its extra
    cost, or else its closest miss (fewest objectives missed, then cheapest) and what it missed."""
    chosen_kind = chosen.design.kind if chosen else None
    by_kind: dict[str, Rejected] = {}
    for evaluation in sorted(evaluations, key=lambda item: (not item.feasible, *_closeness(item))):
        kind = evaluation.design.kind
        if kind == chosen_kind or kind in by_kind:
            continue
        if evaluation.feasible and chosen is not None:
            reasons = [f"meets every objective but costs ${evaluation.cost.total - chosen.cost.total:,.0f}/month more"]
        else:
            reasons = [_reason(check) for check in evaluation.checks if not check.met]
        by_kind[kind] = Rejected(pattern=kind, placement=evaluation.design.placement_summary, reasons=reasons)
    for item in incompatible:
        by_kind.setdefault(item.pattern, item)
    return sorted(by_kind.values(), key=lambda item: item.pattern)


def _closeness(evaluation: Evaluation) -> tuple[int, float]:
    return (sum(1 for check in evaluation.checks if not check.met), evaluation.cost.total)


def _reason(check: Check) -> str:
    detail = f": {check.detail}" if check.detail else ""
    return f"{check.objective} {check.target} not met (gets {check.actual}){detail}"


def assessment_of(evaluation: Evaluation, context: Context) -> Assessment:
    analysis = evaluation.analysis
    tolerance = Tolerances(write=analysis.write, read=analysis.read, durability=analysis.durability)
    return Assessment(tolerance=tolerance, consistent_reads=analysis.consistent_reads,
                      conflicting_writes=analysis.conflicting_writes, estimates=_estimates(evaluation, context),
                      staleness=staleness_of(evaluation.design))


def _in_full(evaluation: Evaluation, context: Context) -> Assessment:
    """The assessment of a design the report shows whole: with the t-visibility of partial quorums."""
    assessment = assessment_of(evaluation, context)
    if assessment.staleness is None:
        return assessment
    return replace(assessment, staleness=with_visibility(assessment.staleness, evaluation.design, context))


def _estimates(evaluation: Evaluation, context: Context) -> Estimates:
    availability, read_availability, downtime = _availability(evaluation.availability)
    return Estimates(
        rto_s=None if evaluation.rto is None else round(evaluation.rto.seconds, 3),
        rpo_s=None if evaluation.rpo is None else round(evaluation.rpo.seconds, 3),
        write_latency_ms=_latency(evaluation.latency),
        monthly_cost_usd=round(evaluation.cost.total, 2),
        cost_multiple=round(evaluation.cost.total / evaluation.baseline_usd, 2) if evaluation.baseline_usd else 0.0,
        rto_parts=_parts(evaluation.rto),
        rpo_parts=_parts(evaluation.rpo),
        cost_parts=[_cost_part(item) for item in evaluation.cost.breakdown],
        availability=availability,
        read_availability=read_availability,
        availability_parts=list(downtime),
        data_loss=data_loss(evaluation, context),
    )


# The figures below are remembered by value across services, which share most of them: each is a float
# (so equal values print alike), and the parts are frozen, so services may share them.


@functools.lru_cache(maxsize=256)
def _latency(latency: LatencyEstimate) -> Latency:
    return Latency(p50=round(latency.p50_ms, 2), p99=round(latency.p99_ms, 2), basis=latency.explanation)


@functools.lru_cache(maxsize=256)
def _availability(availability: AvailabilityEstimate) -> tuple[float, float, tuple[Part, ...]]:
    """Writes' and reads' availability to 10 places, and the writes' downtime a year: too few replicas
    up for a quorum, then failing over."""
    quorum_lost = 1.0 - (availability.writes + availability.failover_share)
    parts = [Part(item="too few replicas up", value=round(downtime_per_year_s(1.0 - quorum_lost), 1),
                  basis="each failure-domain level up with its assumed availability (catalogs/availability.yaml)")]
    if availability.failover_levels:
        where = ", ".join(LEVEL_NAMES[level] for level in availability.failover_levels)
        parts.append(Part(item="failovers", value=round(downtime_per_year_s(1.0 - availability.failover_share), 1),
                          basis=f"each outage of the leader's {where} costs a {format_duration(availability.failover_s)} failover"))
    return round(availability.writes, 10), round(availability.reads, 10), tuple(parts)


def _parts(estimate: Estimate | None) -> list[Part]:
    return [] if estimate is None else [_part(part) for part in estimate.parts]


@functools.lru_cache(maxsize=4096)
def _part(part: RecoveryPart) -> Part:
    return Part(item=part.component, value=round(part.seconds, 3), basis=part.basis)


@functools.lru_cache(maxsize=4096)
def _cost_part(item: CostItem) -> Part:
    return Part(item=item.item, value=round(item.usd, 2), basis=item.basis)


def _placement(design: Design) -> list[PlacedReplica]:
    counts = Counter((replica.region, replica.az, replica.role, replica.sync) for replica in design.replicas)
    return [PlacedReplica(region=region, az=az, role=role, count=count, sync=sync) for (region, az, role, sync), count in counts.items()]


def _quorum_setting(design: Design) -> QuorumSetting:
    return QuorumSetting(write=str(design.write.size), read=str(design.read.size), scope=design.write.scope)


def _recommendation(chosen: Evaluation, context: Context, loaded: LoadedService, rejected: list[Rejected]) -> Recommendation:
    design = chosen.design
    needs = list(_NEEDS[design.coordination])
    if design.conflict_resolution:
        needs.append(_RESOLUTION_NEEDS[design.conflict_resolution])
    if design.on_sync_standby_loss == "block":
        needs.append("every commit waits for a sync standby: writes stop while none is reachable (block was chosen over degrade-to-async)")
    elif design.on_sync_standby_loss == "degrade-to-async":
        needs.append("writes continue without the sync standby, and RPO is then the async lag (degrade-to-async was chosen over block)")
    assumptions = list(context.assumptions)
    if _capacity_missing(loaded):
        assumptions.append(f"capacity not stated: {DEFAULT_CAPACITY} instances carry peak load")
    if loaded.from_tier:
        assumptions.append(f"from tier {loaded.spec.tier}: {', '.join(loaded.from_tier)}")
    from redplan.engine.config import config_snippet  # only recommendations print configuration

    snippet = config_snippet(design, loaded.spec)
    return Recommendation(
        config=snippet[0] if snippet else None,
        config_language=snippet[1] if snippet else None,
        pattern=design.pattern,
        replication=design.replication,
        kind=design.kind,
        coordination=design.coordination,
        placement=_placement(design),
        quorum=_quorum_setting(design),
        leader_region=design.leader_region,
        estimates=_estimates(chosen, context),
        assessment=_in_full(chosen, context),
        checks=chosen.checks,
        rationale=_rationale(chosen, rejected),
        needs=needs,
        rejected=rejected,
        assumptions=assumptions,
        availability_thresholds=_thresholds(chosen, context),
    )


def _thresholds(chosen: Evaluation, context: Context) -> dict[str, float | None] | None:
    target = context.service.objectives.availability
    if target is None:
        return None
    return {level: None if value is None else round(value, 10) for level, value in availability_thresholds(chosen.design, context, target).items()}


def _rationale(chosen: Evaluation, rejected: list[Rejected]) -> list[str]:
    design = chosen.design
    met = [f"{check.objective} {check.target} (gets {check.actual})" for check in chosen.checks]
    lines = [f"{design.kind} with {design.placement_summary} is the cheapest design that meets every objective"]
    if met:
        lines.append("meets " + "; ".join(met))
    if chosen.rto is not None:
        lines.append(f"recovery: RTO {format_duration(round(chosen.rto.seconds, 3))}, RPO "
                     f"{'unbounded' if chosen.rpo is None else format_duration(round(chosen.rpo.seconds, 3))} for the worst failure it must survive")
    lines.append(f"{len(rejected)} other patterns were rejected or cost more")
    return lines
