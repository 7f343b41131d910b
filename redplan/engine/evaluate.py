"""Estimate what a design delivers: tolerance, write latency, RTO and RPO per failure, and cost.

All numbers come from the analysis core fed with catalog figures; every
figure that is an assumption says so in its basis text.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from redplan.analysis.availability import (
    LEVELS,
    Hierarchy,
    failover_downtime,
    quorum_availability,
    required_availability,
)
from redplan.analysis.cost import (
    HOURS_PER_MONTH,
    CostEstimate,
    monthly_bill,
    replication_transfer_gb_per_month,
)
from redplan.analysis.data_loss import (
    DataLossEstimate,
    LognormalLag,
    backup_data_loss,
    replication_data_loss,
)
from redplan.analysis.latency import (
    Delay,
    LatencyEstimate,
    consensus_write_latency,
    kth_fastest_cdf,
    quorum_write_latency,
)
from redplan.analysis.model import Quorum, QuorumAnalysis, Replica, Tolerance
from redplan.analysis.quorum import analyse_quorums, can_form_after
from redplan.analysis.recovery import (
    Estimate,
    Part,
    async_rpo,
    backup_rpo,
    failover_rto,
    restore_rto,
    sync_rpo,
)
from redplan.catalog import Catalog
from redplan.catalog.prices import PriceCatalog
from redplan.catalog.spread import typical_p95_ratio
from redplan.catalog.technologies import TechnologyCatalog
from redplan.engine.design import (
    CONSENSUS,
    LEADERLESS,
    LEVEL_NAMES,
    MULTI_PRIMARY,
    PRIMARY_BACKUP,
    STATELESS,
    Design,
)
from redplan.engine.objectives import (
    Delivered,
    check_design,
    delivered_consistency,
    rpo_target,
    within,
)
from redplan.engine.results import BACKUP_WINDOW, REPLICATION_LAG, Check, DataLoss
from redplan.spec.models import Service
from redplan.spec.units import format_availability, format_duration, format_roughly

T = TypeVar("T")
Z95 = 1.6448536269514722
SAME_ZONE_RTT_MS = 0.25
SAME_ZONE_BASIS = "assumption: 0.25 ms round trip between hosts of one zone (same data-centre network)"
FSYNC_P50_MS, FSYNC_P95_MS = 0.5, 2.0
FSYNC_BASIS = "assumption: durable log write on SSD, p50 0.5 ms, p95 2 ms"
DEFAULT_DATA_BYTES = 100e9
BACKUP_COPIES = 2.0
WITNESS_SHARE = 0.25
COLD_START_S = 120.0
DATA_LOSS_CONFIDENCE = 0.99
LAG_P99_PER_MEDIAN = 10.0
LAG_SPREAD_BASIS = f"p99 {LAG_P99_PER_MEDIAN:g} × the median (an assumption: state deployment.replication_lag)"


@dataclass(frozen=True)
class Context:
    """What every estimate of one service needs: the catalogs, its technology and its stated data."""

    service: Service
    catalog: Catalog
    memo: dict[tuple, Any] = field(default_factory=dict, compare=False, repr=False)
    """Estimates that depend on the service alone, not on the design: all its candidates share them."""

    def remembered(self, key: tuple, build: Callable[[], T]) -> T:
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    @property
    def technologies(self) -> TechnologyCatalog:
        return self.catalog.technologies()

    @property
    def prices(self) -> PriceCatalog:
        return self.catalog.prices()

    @property
    def technology(self) -> str | None:
        name = self.service.technology
        return name if name in self.technologies else None

    @property
    def hierarchy(self) -> Hierarchy:
        """The catalog's assumed availability per failure-domain level, with this service's own overrides."""
        return self.remembered(("hierarchy",), self._hierarchy)

    def _hierarchy(self) -> Hierarchy:
        hierarchy = self.catalog.availability().hierarchy
        assumptions = self.service.assumptions
        overrides = assumptions.availability if assumptions else None
        for level in LEVELS:
            value = getattr(overrides, level, None) if overrides else None
            if value is not None:
                hierarchy = hierarchy.with_availability(level, value)
        return hierarchy

    @property
    def availability_assumption(self) -> str:
        """The levels' availability as planned with, and which of them the service file set itself."""
        hierarchy, default = self.hierarchy, self.catalog.availability().hierarchy
        levels = ", ".join(f"{LEVEL_NAMES[level]} {format_availability(hierarchy.level(level).availability)}"
                           + (" (this service's own)" if hierarchy.level(level) != default.level(level) else "")
                           for level in LEVELS)
        return (f"availability assumed per failure domain, each independent: {levels}; chosen to agree with the "
                "providers' SLAs, which are credit floors, not measured outage rates (catalogs/availability.yaml)")

    @property
    def data_bytes(self) -> float:
        data = self.service.data
        return data.size if data and data.size is not None else DEFAULT_DATA_BYTES

    @property
    def assumptions(self) -> list[str]:
        notes = [SAME_ZONE_BASIS, FSYNC_BASIS, typical_p95_ratio(self.catalog)[2], self.prices.reference_region_assumption,
                 self.availability_assumption]
        if self.service.technology and self.technology is None:
            notes.append(f"technology {self.service.technology!r} is not in the catalog: generic failover timings used")
        data = self.service.data
        if self.service.state == "stateful":
            if data is None or data.size is None:
                notes.append(f"data size not stated: {DEFAULT_DATA_BYTES / 1e9:g} GB assumed for storage, restore and backups")
            if data is None or data.write_rate is None or data.write_size is None:
                notes.append("write rate or size not stated: replication transfer not costed")
            notes.append(f"backups keep about {BACKUP_COPIES:g}× the data (a full copy plus incrementals)")
        return notes


class AvailabilityEstimate(NamedTuple):
    """Fractions of time a write and a read can be served; failover_share is the part of the writes'
    downtime spent failing over (each outage of the leader's domain that the design survives)."""

    writes: float
    reads: float
    failover_share: float
    failover_levels: tuple[str, ...]
    failover_s: float


@dataclass(frozen=True)
class Evaluation:
    design: Design
    analysis: QuorumAnalysis
    copies: Tolerance  # failures that leave at least one copy of the data (any replica that holds it)
    latency: LatencyEstimate
    rto: Estimate | None
    rpo: Estimate | None
    cost: CostEstimate
    baseline_usd: float
    availability: AvailabilityEstimate
    delivered: Delivered
    checks: list[Check] = field(default_factory=list)
    loss_window: str | None = None  # what the RPO stands for: REPLICATION_LAG, BACKUP_WINDOW, or None (nothing acknowledged lost, or unbounded)

    @property
    def feasible(self) -> bool:
        return all(check.met for check in self.checks)


ANY_COPY = Quorum(1, among="data")
# Fleets repeat the same layouts: the exact tolerance search and the latency integrals are pure, so remember them
# (tolerance and availability by `Design.layout`, which services in different regions share).
_analyse = functools.lru_cache(maxsize=4096)(analyse_quorums)


def evaluate(design: Design, context: Context) -> Evaluation:
    analysis, copies = _quorums(design)
    latency = _write_latency(design, client_region(design, context), context.catalog)
    rto, loss, failover_free, unrecoverable = _recovery(design, context, analysis, copies.write)
    rpo = None if loss is None else loss.rpo
    cost, baseline = remembered_cost(design, context)
    availability = availability_under(design, context, context.hierarchy)
    delivered = Delivered(
        rto_s=None if rto is None else rto.seconds,
        rpo_s=None if rpo is None else rpo.seconds,
        failover_free=failover_free,
        unrecoverable=unrecoverable,
        consistency=delivered_consistency(design, analysis.consistent_reads),
        write_p99_ms=latency.p99_ms,
        availability=availability.writes,
    )
    checks = check_design(context.service, design, delivered)
    return Evaluation(design, analysis, copies.write, latency, rto, rpo, cost, baseline, availability, delivered, checks,
                      loss_window=None if loss is None else loss.window)


def misses_rpo(design: Design, context: Context) -> bool:
    """Whether `evaluate` will find the design missing the service's RPO, known from what each failure loses
    alone: the cheapest-design search drops most candidates on this, before estimating anything else."""
    target = rpo_target(context.service)
    if target is None:
        return False
    analysis, copies = _quorums(design)
    loss = _worst(_losses(design, context, analysis.durability, copies.write))
    return not within(target, None if loss is None else loss.seconds)


def _quorums(design: Design) -> tuple[QuorumAnalysis, QuorumAnalysis]:
    """The design's quorum analysis, and the same for keeping any copy of the data (its write tolerance)."""
    layout = design.layout
    return _analyse(layout, design.write, design.read, design.ack), _analyse(layout, ANY_COPY, ANY_COPY, None)


# --- availability ----------------------------------------------------------------------------


def availability_under(design: Design, context: Context, hierarchy: Hierarchy) -> AvailabilityEstimate:
    """Write and read availability with the levels of `hierarchy`: enough replicas up for a quorum,
    less the failovers of leader-based designs (consensus reads go through the leader too)."""
    layout = design.layout
    levels, failover_s = _failover_exposure(design, layout, context)
    share = failover_downtime(hierarchy, levels, failover_s)
    writes = _less_failovers(_quorum_availability(layout, design.write, hierarchy), hierarchy, levels, failover_s)
    reads = _quorum_availability(layout, design.read, hierarchy)
    return AvailabilityEstimate(writes, max(0.0, reads - share) if design.coordination == CONSENSUS else reads, share, levels, failover_s)


def availability_thresholds(design: Design, context: Context, target: float) -> dict[str, float | None]:
    """Per level, the lowest availability at which the design's writes still reach `target`, the
    other levels as assumed (None: not even a level that never fails reaches it): how far each
    assumption may be wrong before the verdict changes."""
    layout = design.layout
    levels, failover_s = _failover_exposure(design, layout, context)
    return _thresholds(layout, design.write, context.hierarchy, levels, failover_s, target)


@functools.lru_cache(maxsize=16384)
def _thresholds(layout: tuple[Replica, ...], write: Quorum, hierarchy: Hierarchy, levels: tuple[str, ...], failover_s: float,
                target: float) -> dict[str, float | None]:
    """Remembered: services of a fleet repeat layouts and targets. The trial hierarchies are not: they bypass the cache."""
    return {level: required_availability(lambda trial: _less_failovers(quorum_availability(layout, write, trial), trial, levels, failover_s),
                                         hierarchy, level, target)
            for level in LEVELS}


def _less_failovers(quorum_up: float, hierarchy: Hierarchy, levels: tuple[str, ...], failover_s: float) -> float:
    return max(0.0, quorum_up - failover_downtime(hierarchy, levels, failover_s))


_quorum_availability = functools.lru_cache(maxsize=16384)(quorum_availability)


def _failover_exposure(design: Design, layout: tuple[Replica, ...], context: Context) -> tuple[tuple[str, ...], float]:
    """The levels at which losing the leader's domain stops writes only for a failover (or a leader
    election), and how long that takes; designs without a leader keep serving."""
    if design.coordination not in (PRIMARY_BACKUP, CONSENSUS):
        return (), 0.0
    levels = _leader_losses_survived(layout, design.write)
    if not levels:
        return (), 0.0
    if design.coordination == PRIMARY_BACKUP:
        return levels, context.remembered(("failover",), lambda: _failover(context)).seconds
    return levels, context.remembered(("reroute", True), lambda: _reroute(True, context)).seconds


@functools.lru_cache(maxsize=16384)
def _leader_losses_survived(layout: tuple[Replica, ...], write: Quorum) -> tuple[str, ...]:
    """The levels at which losing the leader's (first replica's) domain still leaves a write quorum."""
    leader = layout[0]
    keys = {"node": lambda replica: replica, "az": lambda replica: (replica.region, replica.az),
            "region": lambda replica: replica.region, "provider": lambda replica: replica.provider}
    return tuple(level for level, key in keys.items()
                 if can_form_after(layout, [0] if level == "node" else [index for index, replica in enumerate(layout) if key(replica) == key(leader)], write))


# --- latency ---------------------------------------------------------------------------------


def round_trip(catalog: Catalog, a: Replica | str, b: Replica | str) -> Delay:
    """Round trip between two replicas (or regions): published p95 where there is one, else the typical spread."""
    region_a = a if isinstance(a, str) else a.region
    region_b = b if isinstance(b, str) else b.region
    if isinstance(a, Replica) and isinstance(b, Replica) and (a.region, a.az) == (b.region, b.az):
        p50 = SAME_ZONE_RTT_MS
        p95 = None
    else:
        figure = catalog.rtt(region_a, region_b)
        p50, p95 = figure.p50_ms, figure.p95_ms
    if p95 is None or p95 <= p50:
        p95 = max(typical_p95_ratio(catalog)[0] * p50, p50 + 1.0)
    return Delay.from_p50_p95(p50, p95)


def client_region(design: Design, context: Context) -> str:
    return context.service.clients[0] if context.service.clients else design.replicas[0].region


@functools.lru_cache(maxsize=4096)
def _write_latency(design: Design, client: str, catalog: Catalog) -> LatencyEstimate:
    fsync = Delay.from_p50_p95(FSYNC_P50_MS, FSYNC_P95_MS)
    if design.coordination == STATELESS:
        return LatencyEstimate(0.0, 0.0, "stateless: no replicated write")
    if design.coordination == LEADERLESS:
        return _leaderless_latency(design, catalog, client, fsync)
    if design.coordination == MULTI_PRIMARY:  # the client writes to its nearest primary, which commits locally
        nearest = min(design.replicas, key=lambda replica: catalog.rtt(client, replica.region).p50_ms)
        to_nearest = None if client == nearest.region else round_trip(catalog, client, nearest.region)
        return consensus_write_latency(fsync, [], 1, to_nearest)
    leader = design.replicas[0]
    to_leader = None if client == leader.region else round_trip(catalog, client, leader.region)
    if design.coordination == CONSENSUS:
        voters = [replica for replica in design.replicas if replica.votes]
        followers = [round_trip(catalog, leader, replica) for replica in voters[1:]]
        return consensus_write_latency(fsync, followers, len(voters) // 2 + 1, to_leader)
    sync = [round_trip(catalog, leader, replica) for replica in design.replicas if replica.sync]
    if design.replication == "sync" and sync:
        return consensus_write_latency(fsync, sync, 2, to_leader)
    return consensus_write_latency(fsync, [], 1, to_leader)


def _leaderless_latency(design: Design, catalog: Catalog, client: str, fsync: Delay) -> LatencyEstimate:
    """The coordinator (a replica in the client's region) waits for W acks: globally, locally, or in each region.

    Replies are listed per replica, by position: identical replicas (`count: 3`) are three replies."""
    coordinator = next((index for index, replica in enumerate(design.replicas) if replica.region == client), 0)
    home = design.replicas[coordinator]
    replies = [(replica.region, fsync if index == coordinator else round_trip(catalog, home, replica))
               for index, replica in enumerate(design.replicas)]
    write = design.write
    if write.scope == "global":
        return quorum_write_latency(None, [delay for _, delay in replies], _size(write.size, len(replies)))
    if write.scope == "local":
        members = [delay for region, delay in replies if region == home.region]
        return quorum_write_latency(None, members, _size(write.size, len(members)))
    return _each_quorum_latency(design, replies)


def _each_quorum_latency(design: Design, replies: list[tuple[str, Delay]]) -> LatencyEstimate:
    """EACH_QUORUM waits for a local quorum in every region: the CDF is the product of the regions' CDFs."""
    groups: dict[str, list[Delay]] = {}
    for region, delay in replies:
        groups.setdefault(region, []).append(delay)
    needs = {region: _size(design.write.size, len(members)) for region, members in groups.items()}

    def cdf(t: float) -> float:
        return math.prod(kth_fastest_cdf(members, needs[region], t) for region, members in groups.items())

    p50, p99 = (_invert(cdf, q) for q in (0.5, 0.99))
    return LatencyEstimate(p50, p99, f"waits for a local quorum in each of {len(groups)} regions; reply times independent lognormals")


def _invert(cdf: Callable[[float], float], q: float) -> float:
    low, high = 0.0, 1.0
    while cdf(high) < q:
        high *= 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < q else (low, middle)
    return high


def _size(size: int | str, population: int) -> int:
    if isinstance(size, int):
        return min(size, population)
    return {"one": 1, "majority": population // 2 + 1, "all": population}[size]


# --- recovery --------------------------------------------------------------------------------


_TOLERANCE_FIELDS = {"node": "nodes", "az": "azs", "region": "regions", "provider": "providers"}


def domain_tolerance(tolerance: Tolerance, domain: str) -> int:
    return getattr(tolerance, _TOLERANCE_FIELDS[domain])


def considered_domains(service: Service) -> list[str]:
    """The failures whose recovery the RTO and RPO must cover: a node always, plus what `survive` names."""
    wanted = {"node", *(service.objectives.survive or [])}
    return [domain for domain in LEVELS if domain in wanted]


class Loss(NamedTuple):
    """An RPO and its window: REPLICATION_LAG, BACKUP_WINDOW, or None when no acknowledged write is lost."""

    rpo: Estimate
    window: str | None

    @property
    def seconds(self) -> float:
        return self.rpo.seconds


def _recovery(
    design: Design, context: Context, analysis: QuorumAnalysis, copies: Tolerance
) -> tuple[Estimate | None, Loss | None, bool, tuple[str, ...]]:
    """Worst RTO and RPO (with its window) over the failures to survive, whether any needs a failover, and which cannot be recovered."""
    rtos: list[Estimate | None] = []
    failover_free = True
    for domain in considered_domains(context.service):
        if domain_tolerance(analysis.write, domain) >= 1:
            if design.coordination == PRIMARY_BACKUP:
                failover_free = False
                rtos.append(context.remembered(("failover",), lambda: _failover(context)))
            else:
                consensus = design.coordination == CONSENSUS
                rtos.append(context.remembered(("reroute", consensus), functools.partial(_reroute, consensus, context)))
        else:
            failover_free = False
            rtos.append(_restore(design, context, domain))
    losses = _losses(design, context, analysis.durability, copies)
    unrecoverable = tuple(
        domain for domain, rto, loss in zip(considered_domains(context.service), rtos, losses)
        if rto is None or (loss is None and context.service.state == "stateful")
    )
    return _worst(rtos), _worst(losses), failover_free, unrecoverable


Timed = TypeVar("Timed", Estimate, Loss)


def _worst(estimates: list[Timed | None]) -> Timed | None:
    present = [estimate for estimate in estimates if estimate is not None]
    if not estimates or len(present) < len(estimates):
        return None
    return max(present, key=lambda estimate: estimate.seconds)


def _failover(context: Context) -> Estimate:
    """Detection, promotion and redirect: the technology's timings, with any the service file declares taking their place."""
    parts = context.technologies.failover_parts(context.technology)
    seconds = {key: part.seconds for key, part in parts.items()}
    basis = {key: part.basis for key, part in parts.items()}
    deployment = context.service.deployment
    declared = deployment.failover if deployment else None
    for key in ("detection", "promotion", "redirect"):
        value = getattr(declared, key, None) if declared else None
        if value is not None:
            seconds[key], basis[key] = value, "declared in the service file (deployment.failover)"
    return failover_rto(*(seconds[key] for key in ("detection", "promotion", "redirect")), basis=basis)


def _reroute(consensus: bool, context: Context) -> Estimate:
    """No failover step: a consensus group re-elects a leader; other designs just retry elsewhere."""
    technologies, name = context.technologies, context.technology
    if consensus:
        parts = technologies.failover_parts(name)
        return Estimate(parts["detection"].seconds + parts["promotion"].seconds,
                        (Part("leader election", parts["detection"].seconds, parts["detection"].basis),
                         Part("new leader", parts["promotion"].seconds, parts["promotion"].basis)))
    retry = technologies.redirects["connection-retry"]
    return Estimate(retry.seconds, (Part("client retry elsewhere", retry.seconds, technologies.cite(retry)),))


def _backups_survive(design: Design, domain: str) -> bool:
    """Backups sit in object storage, which spans a region's zones (an assumption shown in the report)."""
    if design.backup_region is None:
        return False
    home = design.replicas[0].region
    if domain in ("node", "az"):
        return True
    if domain == "region":
        return design.backup_region != home
    return design.backup_region.split(":")[0] != home.split(":")[0]


def _restore(design: Design, context: Context, domain: str) -> Estimate | None:
    if not _backups_survive(design, domain):
        return None
    from_standby = design.standby_region is not None and domain in ("region", "provider")
    return context.remembered(("restore", from_standby), lambda: _restore_time(context, from_standby))


def _restore_time(context: Context, from_standby: bool) -> Estimate:
    """Provision (or start the cold standby), stream the data back, redirect the clients."""
    technologies, name = context.technologies, context.technology
    throughput = technologies.restore_throughput(name)
    redirect = technologies.redirect(name)
    if from_standby:
        provision_s, provision_basis = COLD_START_S, f"assumption: starting the cold standby's stopped, pre-built hosts, {COLD_START_S:g} s"
    else:
        provision = technologies.restore_provision(name)
        provision_s, provision_basis = provision.seconds, technologies.cite(provision)
    return restore_rto(provision_s, context.data_bytes, throughput.bytes_per_second, redirect.seconds,
                       basis={"provision": provision_basis, "restore": technologies.cite(throughput), "redirect": technologies.cite(redirect)})


def _losses(design: Design, context: Context, durability: Tolerance, copies: Tolerance) -> list[Loss | None]:
    """What each failure to survive loses, in `considered_domains` order (None: no copy left to recover)."""
    return [_loss(design, context, domain, durability, copies) for domain in considered_domains(context.service)]


_STATELESS_LOSS = Loss(sync_rpo("stateless: holds no data"), None)
_SYNC_LOSS = Loss(sync_rpo(), None)


def _loss(design: Design, context: Context, domain: str, durability: Tolerance, copies: Tolerance) -> Loss | None:
    """Losses are immutable and asked for again by every candidate of the service: built once each."""
    if context.service.state == "stateless":
        return _STATELESS_LOSS
    if domain_tolerance(durability, domain) >= 1:
        return _SYNC_LOSS
    if domain_tolerance(copies, domain) >= 1 and design.replication in ("async", "sync"):
        return context.remembered(("async lag",), lambda: Loss(_async_loss(context), REPLICATION_LAG))
    interval = design.backup_interval_s
    if _backups_survive(design, domain) and interval is not None:
        return context.remembered(("backup", interval), lambda: Loss(_backup_loss(context, interval), BACKUP_WINDOW))
    return None


def _async_loss(context: Context) -> Estimate:
    lag = context.technologies.async_lag(context.technology)
    return async_rpo(lag.seconds, write_rate_per_s=_write_rate(context), basis=context.technologies.cite(lag))


def _backup_loss(context: Context, interval_s: float) -> Estimate:
    copy_s, copy_basis = _backup_copy(context)
    return backup_rpo(interval_s, copy_s, basis={"interval": "the design's backup interval", "copy": copy_basis})


def _backup_copy(context: Context) -> tuple[float, str]:
    """How long a backup takes to reach its off-site copy: the data size at the technology's restore throughput.
    Once per service, not once for each backup interval a search tries."""
    def copy() -> tuple[float, str]:
        technologies = context.technologies
        throughput = technologies.restore_throughput(context.technology)
        return context.data_bytes / throughput.bytes_per_second, f"data size at {technologies.cite(throughput)}"

    return context.remembered(("backup copy",), copy)


# --- data at risk ----------------------------------------------------------------------------


def data_loss(evaluation: Evaluation, context: Context) -> DataLoss | None:
    """What a primary failure puts at risk when the design's RPO is a replication lag or a backup window:
    the window at 99%, the writes lost on average and the chance of losing none. Once per service and window."""
    window = evaluation.loss_window
    if window == REPLICATION_LAG:
        return context.remembered(("data loss", window), lambda: _lag_data_loss(context))
    interval = evaluation.design.backup_interval_s
    if window == BACKUP_WINDOW and interval is not None:
        return context.remembered(("data loss", window, interval), lambda: _backup_data_loss(context, interval))
    return None


def _lag_data_loss(context: Context) -> DataLoss:
    """The service's measured lag, else the technology's typical lag as the median with the assumed spread."""
    deployment = context.service.deployment
    measured = deployment.replication_lag if deployment else None
    if measured is not None:
        lag = LognormalLag(measured.p50, measured.p99)
        basis = f"lag lognormal through deployment.replication_lag: median {format_duration(measured.p50)}, p99 {format_duration(measured.p99)}"
    else:
        typical = context.technologies.async_lag(context.technology)
        lag, basis = _typical_lag(typical.seconds, typical.basis, context.service.technology)
    write_rate = _write_rate(context)
    return _data_loss(REPLICATION_LAG, _replication_data_loss(lag, write_rate, DATA_LOSS_CONFIDENCE), basis, write_rate)


@functools.lru_cache(maxsize=256)
def _typical_lag(median_s: float, source: str, technology: str | None) -> tuple[LognormalLag, str]:
    """The typical lag as the median with the assumed spread, and its basis: remembered, as a fleet names few technologies."""
    named = f"for {technology}" if technology else "with no technology named"
    basis = f"lag lognormal: median the typical lag {named}, {format_roughly(median_s)} ({source}); {LAG_SPREAD_BASIS}"
    return LognormalLag(median_s, LAG_P99_PER_MEDIAN * median_s), basis


_replication_data_loss = functools.lru_cache(maxsize=4096)(replication_data_loss)
"""Remembered: a fleet's services share technologies and write rates, and the integral is the costly part."""


def _backup_data_loss(context: Context, interval_s: float) -> DataLoss:
    copy_s, copy_basis = _backup_copy(context)
    basis = (f"loses the writes since the last backup copied off-site: uniform between the copy time "
             f"{format_roughly(copy_s)} ({copy_basis}) and {format_duration(interval_s)} more")
    write_rate = _write_rate(context)
    return _data_loss(BACKUP_WINDOW, backup_data_loss(interval_s, copy_s, write_rate, DATA_LOSS_CONFIDENCE), basis, write_rate)


def _write_rate(context: Context) -> float | None:
    data = context.service.data
    return data.write_rate if data else None


def _data_loss(window: str, estimate: DataLossEstimate, basis: str, write_rate: float | None) -> DataLoss:
    writes = (f"; Poisson writes at {write_rate:g}/s" if write_rate is not None
              else "; write rate not stated (data.write_rate): writes at risk not estimated")
    return DataLoss(window=window, confidence=estimate.confidence, rpo_s=_six_digits(estimate.rpo_s),
                    median_s=_six_digits(estimate.median_s), mean_s=_six_digits(estimate.mean_s),
                    expected_writes_lost=None if estimate.expected_writes_lost is None else _six_digits(estimate.expected_writes_lost),
                    p_nothing_lost=None if estimate.p_nothing_lost is None else _six_digits(estimate.p_nothing_lost),
                    basis=basis + writes)


def _six_digits(value: float) -> float:
    """Six significant digits: a probability of 3e-18 stays readable where rounding to places would make it 0."""
    return float(f"{value:.6g}")


# --- cost ------------------------------------------------------------------------------------


def _transfer_class(catalog: Catalog, a: str, b: str) -> str:
    if a == b:
        return "cross_az"
    region_a, region_b = catalog.region(a), catalog.region(b)
    return "inter_region" if region_a.continent == region_b.continent else "intercontinental"


def _instance_share(replica: Replica) -> float:
    return WITNESS_SHARE if replica.role == "witness" else 1.0


def instances_cost(design: Design, context: Context) -> float:
    """What the design's instances alone cost a month: a floor under `design_cost`, and far quicker."""
    prices = context.prices
    return sum(_instance_share(replica) * prices.provider(replica.provider).instance.usd_per_hour for replica in design.replicas) * HOURS_PER_MONTH


def remembered_cost(design: Design, context: Context) -> tuple[CostEstimate, float]:
    """`design_cost` once per service and billed layout: the search prices a candidate before evaluating it,
    and most candidates share their bill with others (they differ in the backup interval, sync or async
    standbys, zones within a region or the coordination, none of which the bill reads)."""
    layout = _billed_layout(design, context.catalog)
    return context.remembered(("cost", layout), lambda: _layout_cost(layout, context))


def design_cost(design: Design, context: Context) -> tuple[CostEstimate, float]:
    """Monthly cost per provider summed, and the unreplicated baseline (one instance, one copy, same provider).

    The home provider pays for replicating to every other copy, and for the backups and a cold standby.
    """
    return _layout_cost(_billed_layout(design, context.catalog), context)


class _BilledLayout(NamedTuple):
    """All that a design's bill reads from the design."""

    home: str  # the first replica's provider: it pays for replicating, for the backups and for a cold standby
    providers: tuple[tuple[str, float, int], ...]  # sorted: provider, instances (a witness a share), replicas that hold data
    copies: tuple[tuple[str, int], ...]  # copies of the data replicated away from the first replica, per transfer class
    backups: bool
    standby: bool  # a cold standby, whose volumes are billed


def _billed_layout(design: Design, catalog: Catalog) -> _BilledLayout:
    return _layout_of(design.replicas, design.coordination != STATELESS, bool(design.backup_region), bool(design.standby_region), catalog)


@functools.lru_cache(maxsize=4096)
def _layout_of(replicas: tuple[Replica, ...], replicated: bool, backups: bool, standby: bool, catalog: Catalog) -> _BilledLayout:
    """Remembered: a fleet's searches price the same few hundred layouts for thousands of data sizes."""
    by_provider: dict[str, list[Replica]] = {}
    for replica in replicas:
        by_provider.setdefault(replica.provider, []).append(replica)
    home = replicas[0]
    copies: dict[str, int] = {}
    if replicated:
        for replica in replicas[1:]:
            if replica.holds_data:
                kind = _transfer_class(catalog, home.region, replica.region)
                copies[kind] = copies.get(kind, 0) + 1
    providers = tuple((provider, sum(map(_instance_share, members)), sum(1 for replica in members if replica.holds_data))
                      for provider, members in sorted(by_provider.items()))
    return _BilledLayout(home.provider, providers, tuple(copies.items()), backups, standby)


def _layout_cost(layout: _BilledLayout, context: Context) -> tuple[CostEstimate, float]:
    """`design_cost` of any design with this billed layout, for the service of `context`."""
    service, price_list = context.service, context.prices
    data = service.data
    data_gb = context.data_bytes / 1e9 if service.state == "stateful" else 0.0
    bills = []
    for provider, instances, holders in layout.providers:
        prices = price_list.provider(provider)
        stored = data_gb * holders
        transfer, backup_gb = {}, 0.0
        if provider == layout.home:
            transfer = replication_transfer_gb_per_month((data.write_rate or 0.0) if data else 0.0,
                                                         (data.write_size or 0.0) if data else 0.0, dict(layout.copies))
            backup_gb = data_gb * BACKUP_COPIES if layout.backups else 0.0
            if layout.standby:
                stored += data_gb  # the cold standby's volumes
        bills.append(monthly_bill(instances, prices.instance.usd_per_hour, stored, prices.block_storage.usd_per_gb_month,
                                  transfer, prices.transfer_usd_by_class, backup_gb, prices.backup_storage.usd_per_gb_month,
                                  label=f"{provider} " if len(layout.providers) > 1 else ""))
    home_prices = price_list.provider(layout.home)
    baseline = home_prices.instance.usd_per_hour * HOURS_PER_MONTH + data_gb * home_prices.block_storage.usd_per_gb_month
    return CostEstimate(tuple(bills)), baseline
