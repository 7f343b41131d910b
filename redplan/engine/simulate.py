"""What-if: what one failure scenario does to every declared deployment (`redplan simulate`).

A scenario is a set of failed domains that happen together (`--fail` given several times):

    provider:P           every region of provider P (aws, azure, gcp, dc)
    region:P:R           one region, e.g. region:aws:us-east-1
    az:P:R/Z             one zone, labelled as in the service files, e.g. az:aws:us-east-1/a
    node:SERVICE/N       the N-th replica of SERVICE, 1-based, in the order written with `count` expanded
    worst-region         (also worst-az, worst-provider) every region (zone, provider) that some
                         declared replica uses is tried, and the one that hurts most is kept

Readings, each chosen to agree with `redplan audit` rather than to be clever:

* Each service's declared deployment is read by `declared_design`, and one scenario's effect is
  `after_failure` of the quorum analysis: writes, reads and (worst case) acknowledged data. Stateless
  instances count as data replicas, as the audit counts them, so serving needs `capacity` live ones.
* Replicas written without a zone form one shared zone `?` per region (UNKNOWN_ZONE), the zone the
  audit's tolerance counts them in. `az:R/a` does not reach them: fail `az:R/?` for that, and
  `worst-az` tries it. A service with such replicas gets a note saying so.
* A service is *hit* when a dependency (`depends_on`, transitively) cannot write or read; `via`
  is the shortest chain of dependencies down to such a service. A service without a deployment
  is not simulated (its own replicas count as up) but passes the hit on to its dependants.
* Objectives, judged only where the scenario decides them:
  `survive` is breached when the service stops (cannot write or read, or is hit) and everything
  it lost (its own failed replicas and those of the chain it is hit through) lies in one domain
  of a kind it must survive (survive: [region] covers a zone or a node inside one region too);
  `rto` is at risk whenever it stops (nothing can serve until the domain returns or a restore
  completes); `rpo` is breached when acknowledged data may be lost and the RPO is 0, or when every
  copy is down and no backup survives, or the newest may be older than the RPO (backups in a
  region survive zone and node failures there). A loss bounded by replication lag with a non-zero
  RPO is the audit's question (RP101, RP103), not this one's.
* The worst failure of a kind is ranked by services that lose writes, then reads, then data, then
  services hit through dependencies, then by its name, so the choice never depends on file order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from redplan import __version__
from redplan.analysis.availability import LEVELS
from redplan.analysis.model import Replica
from redplan.analysis.quorum import AfterFailure, after_failure
from redplan.engine.candidates import zone_labels
from redplan.engine.declared import UNKNOWN_ZONE, declared_design
from redplan.engine.design import LEVEL_NAMES, STATELESS, Design
from redplan.engine.results import SCHEMA_VERSION, Tool
from redplan.spec.checks import did_you_mean, unknown_region_message
from redplan.spec.loader import Fleet, LoadedService
from redplan.spec.models import Replica as WrittenReplica
from redplan.spec.units import format_duration

WORST = {"worst-region": "region", "worst-az": "az", "worst-provider": "provider"}
GRAMMAR = "provider:P, region:P:R, az:P:R/ZONE, node:SERVICE/N, worst-region, worst-az or worst-provider"
_SYNONYMS = {"zone": "az", "availability-zone": "az", "replica": "node", "instance": "node", "host": "node", "cloud": "provider"}


class FailureSpecError(ValueError):
    """A --fail value that names nothing real: the message is one line, with a did-you-mean where one helps."""


@dataclass(frozen=True, order=True)
class Failure:
    """One failed domain: `kind` is provider, region, az or node; `target` what follows the kind
    (aws; aws:us-east-1; aws:us-east-1/a; payments-ledger/2)."""

    kind: str
    target: str

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.target}"


@dataclass(frozen=True)
class FailurePlan:
    """What the --fail flags ask for: failures that happen together, and at most one kind of domain
    (region, az, provider) whose worst member is searched for on top of them."""

    fixed: tuple[Failure, ...]
    worst: str | None = None


# --- results (encoded by `to_json`: the `simulate --format json` contract) ---------------------


@dataclass(frozen=True)
class ServiceAfterFailure:
    """What the scenario does to one service. `writes`, `reads`, `data_loss` are its own replicas'
    state (`after_failure`); `via` the dependency chain it is hit through ([] when not hit);
    `reasons` say why each objective in `breached` is, in the same order."""

    writes: bool
    reads: bool
    data_loss: bool
    breached: list[str]
    reasons: list[str]
    via: list[str]
    replicas_down: int
    replicas: int
    notes: list[str]


@dataclass(frozen=True)
class SimulatedService:
    name: str
    file: str
    line: int
    state: str  # stateful | stateless
    after_failure: ServiceAfterFailure | None  # None: not simulated, see not_simulated
    not_simulated: str = ""


@dataclass(frozen=True)
class Damage:
    """How many services a scenario hurts, in the order the worst-case search ranks scenarios."""

    lose_writes: int
    lose_reads: int
    lose_data: int
    dependants_hit: int  # simulated services hit through depends_on

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Smaller is worse: sorting by it puts the most harmful scenario first."""
        return (-self.lose_writes, -self.lose_reads, -self.lose_data, -self.dependants_hit)


@dataclass(frozen=True)
class Candidate:
    failure: str
    damage: Damage


@dataclass(frozen=True)
class WorstCase:
    """Every failure of `kind` tried (on top of the fixed ones), worst first: the first is the scenario reported."""

    kind: str
    ranking: list[Candidate]


@dataclass(frozen=True)
class SimulationSummary:
    services: int
    simulated: int
    breaching: int  # simulated services with at least one breached objective
    damage: Damage


@dataclass(frozen=True)
class SimulationReport:
    tool: Tool
    scenario: list[str]
    services: list[SimulatedService]
    summary: SimulationSummary
    notes: list[str]  # about the scenario itself: a domain no deployment uses
    worst: WorstCase | None = None
    schema_version: int = SCHEMA_VERSION


# --- parsing --flags -----------------------------------------------------------------------


def plan_failures(specs: list[str], fleet: Fleet) -> FailurePlan:
    """The validated plan for these --fail values; FailureSpecError for the first that names nothing real."""
    fixed: set[Failure] = set()
    worst: list[str] = []
    for text in specs:
        kind, _, target = text.strip().partition(":")
        try:
            if kind in WORST:
                if target:
                    raise FailureSpecError(f"{kind} searches every domain of its kind: write it alone, with nothing after it")
                worst.append(WORST[kind])
                continue
            parse = _PARSERS.get(kind)
            if parse is None:
                raise FailureSpecError(_unknown_kind(kind, text.strip(), fleet))
            fixed.add(Failure(kind, parse(target, fleet)))
        except FailureSpecError as error:
            raise FailureSpecError(f"--fail {text}: {error}") from None
    if len(worst) > 1:
        raise FailureSpecError("--fail: ask for one worst-… failure per run (the search tries one domain at a time)")
    if worst and not any(_replicas_of(service) for service in fleet.services):
        raise FailureSpecError(f"--fail worst-{worst[0]}: no service in the files declares replicas, so there is nothing to try")
    return FailurePlan(tuple(sorted(fixed)), worst[0] if worst else None)


def _unknown_kind(kind: str, text: str, fleet: Fleet) -> str:
    region, slash, _ = text.partition("/")
    if not text:
        return f"say what fails (write {GRAMMAR})"
    if region in fleet.catalog.regions:  # the kind left out: aws:us-east-1 or aws:us-east-1/a
        return f"say what fails; did you mean {'az' if slash else 'region'}:{text}?"
    hint = f"; did you mean {_SYNONYMS[kind]}?" if kind in _SYNONYMS else did_you_mean(kind, ["provider", "region", "az", "node", *WORST])
    return f"unknown failure kind {kind!r}{hint} (write {GRAMMAR})"


def _provider(target: str, fleet: Fleet) -> str:
    providers = fleet.catalog.providers()
    if target not in providers:
        raise FailureSpecError(f"unknown provider {target!r}{did_you_mean(target, providers)} (known: {', '.join(providers)})")
    return target


def _region(target: str, fleet: Fleet) -> str:
    if target not in fleet.catalog.regions:
        raise FailureSpecError(unknown_region_message(target, fleet.catalog))
    return target


def _zone(target: str, fleet: Fleet) -> str:
    region, slash, zone = target.partition("/")
    if not zone:
        raise FailureSpecError(f"name the zone after a slash, e.g. az:{region or 'aws:us-east-1'}/a")
    _region(region, fleet)
    declared = {replica.az or UNKNOWN_ZONE for service in fleet.services for replica in _replicas_of(service) if replica.region == region}
    zones = sorted(declared.union(zone_labels(fleet.catalog, region)))
    if zone not in zones:
        raise FailureSpecError(f"unknown zone {zone!r} in {region}{did_you_mean(zone, zones)} (zones: {', '.join(zones)})")
    return f"{region}/{zone}"


def _node(target: str, fleet: Fleet) -> str:
    name, slash, number = target.rpartition("/")
    if not slash:
        raise FailureSpecError(f"give the replica's number after a slash, e.g. node:{target}/1")
    services = {service.name: service for service in fleet.services}
    if name not in services:
        raise FailureSpecError(f"unknown service {name!r}{did_you_mean(name, sorted(services))}")
    count = sum(replica.count for replica in _replicas_of(services[name]))
    if not count:
        raise FailureSpecError(f"{name} declares no replicas, so it has no node to fail")
    if not number.isdigit() or not 1 <= int(number) <= count:
        choice = f"node:{name}/1" if count == 1 else f"node:{name}/1 to node:{name}/{count}"
        raise FailureSpecError(f"{name} has {count} replica{'s' * (count != 1)}, numbered in the order written with count expanded: use {choice}")
    return f"{name}/{int(number)}"


_PARSERS = {"provider": _provider, "region": _region, "az": _zone, "node": _node}


def _replicas_of(service: LoadedService) -> list[WrittenReplica]:
    deployment = service.spec.deployment
    return deployment.replicas if deployment is not None else []


# --- applying a scenario -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Target:
    """A service with a declared deployment, ready to fail: its replicas and which of them each domain holds."""

    loaded: LoadedService
    design: Design
    replicas: tuple[Replica, ...]  # as the quorum analysis counts them
    domains: dict[tuple[str, str], frozenset[int]]

    @classmethod
    def of(cls, loaded: LoadedService, design: Design) -> _Target:
        replicas = design.counted_replicas
        domains: dict[tuple[str, str], set[int]] = {}
        for index, replica in enumerate(replicas):
            for key in (("provider", replica.provider), ("region", replica.region), ("az", f"{replica.region}/{replica.az}")):
                domains.setdefault(key, set()).add(index)
        return cls(loaded, design, replicas, {key: frozenset(members) for key, members in domains.items()})

    @property
    def name(self) -> str:
        return self.loaded.name

    def down(self, scenario: tuple[Failure, ...]) -> frozenset[int]:
        failed: set[int] = set()
        for failure in scenario:
            if failure.kind != "node":
                failed.update(self.domains.get((failure.kind, failure.target), ()))
            else:
                service, _, number = failure.target.rpartition("/")
                if service == self.name:
                    failed.add(self._node_index(int(number)))
        return frozenset(failed)

    def _node_index(self, number: int) -> int:
        """Where the `number`-th written replica sits in the design. declared_design moves primaries first
        and keeps the written order otherwise, so it is the k-th of its (region, zone, primary) kind in both."""
        def kind(region: str, zone: str, role: str) -> tuple[str, str, bool]:
            return region, zone, role == "primary"

        written = [kind(r.region, r.az or UNKNOWN_ZONE, r.role) for r in _replicas_of(self.loaded) for _ in range(r.count)]
        wanted = written[number - 1]
        same = [index for index, r in enumerate(self.design.replicas) if kind(r.region, r.az, r.role) == wanted]
        return same[written[: number - 1].count(wanted)]


@dataclass(frozen=True)
class _Run:
    """One scenario applied to every target: which replicas are down, their own outcome, dependency chains."""

    scenario: tuple[Failure, ...]
    down: dict[str, frozenset[int]]
    own: dict[str, AfterFailure]
    via: dict[str, list[str]]

    @property
    def damage(self) -> Damage:
        return Damage(
            lose_writes=sum(not outcome.writes for outcome in self.own.values()),
            lose_reads=sum(not outcome.reads for outcome in self.own.values()),
            lose_data=sum(outcome.data_loss for outcome in self.own.values()),
            dependants_hit=sum(name in self.via for name in self.own),
        )


class _Simulator:
    """The fleet's targets and dependency graph, built once for every scenario a run tries."""

    def __init__(self, fleet: Fleet) -> None:
        self.targets: dict[str, _Target] = {}
        for loaded in fleet.services:
            design = declared_design(loaded.spec)
            if design is not None:
                self.targets[loaded.name] = _Target.of(loaded, design)
        dependants: dict[str, set[str]] = {}
        for loaded in fleet.services:
            for dependency in loaded.spec.depends_on:
                dependants.setdefault(dependency, set()).add(loaded.name)
        self.dependants = {name: sorted(names) for name, names in dependants.items()}
        self._outcomes: dict[tuple[str, frozenset[int]], AfterFailure] = {}

    def run(self, scenario: tuple[Failure, ...]) -> _Run:
        down = {name: target.down(scenario) for name, target in self.targets.items()}
        own = {name: self._outcome(target, down[name]) for name, target in self.targets.items()}
        stopped = sorted(name for name, outcome in own.items() if not (outcome.writes and outcome.reads))
        return _Run(scenario, down, own, self._chains(stopped))

    def _outcome(self, target: _Target, down: frozenset[int]) -> AfterFailure:
        """Remembered: a search tries many scenarios, and most leave a given service as it was."""
        key = (target.name, down)
        if key not in self._outcomes:
            design = target.design
            outcome = after_failure(target.replicas, down, design.write, design.read, design.ack)
            stateless = design.coordination == STATELESS
            self._outcomes[key] = outcome._replace(data_loss=False) if stateless else outcome  # instances hold no data
        return self._outcomes[key]

    def _chains(self, stopped: list[str]) -> dict[str, list[str]]:
        """For every service hit through depends_on, the shortest chain of dependencies to one that stopped:
        a breadth-first walk from the stopped services up to their dependants, in name order."""
        parent: dict[str, str] = {}
        queue = deque(stopped)
        while queue:
            name = queue.popleft()
            for dependant in self.dependants.get(name, ()):
                if dependant not in parent and dependant != name:
                    parent[dependant] = name
                    queue.append(dependant)
        roots, chains = set(stopped), {}
        for name in parent:
            chain = [parent[name]]
            while chain[-1] not in roots:
                chain.append(parent[chain[-1]])
            if name not in chain:  # round a dependency cycle back to itself: it stopped on its own already
                chains[name] = chain
        return chains


def simulate_fleet(fleet: Fleet, plan: FailurePlan) -> SimulationReport:
    """The scenario's effect on every service, sorted by name; with `plan.worst`, the worst scenario of that kind."""
    simulator = _Simulator(fleet)
    run, worst = (simulator.run(plan.fixed), None) if plan.worst is None else _worst(simulator, plan)
    services = sorted((_result(loaded, simulator, run) for loaded in fleet.services), key=lambda service: service.name)
    simulated = [service.after_failure for service in services if service.after_failure is not None]
    summary = SimulationSummary(len(services), len(simulated), sum(bool(outcome.breached) for outcome in simulated), run.damage)
    return SimulationReport(Tool("redplan", __version__), [failure.spec for failure in run.scenario], services, summary,
                            _scenario_notes(simulator, run), worst)


def _worst(simulator: _Simulator, plan: FailurePlan) -> tuple[_Run, WorstCase]:
    """Every domain of the kind that some declared replica uses, added to the fixed failures; the worst run first."""
    kind = plan.worst
    tried = sorted({Failure(domain, where) for target in simulator.targets.values() for domain, where in target.domains if domain == kind})
    runs = [(simulator.run(tuple(sorted({*plan.fixed, failure}))), failure) for failure in tried]
    ranked = sorted(((run.damage, failure, run) for run, failure in runs), key=lambda item: (item[0].rank, item[1]))
    return ranked[0][2], WorstCase(str(kind), [Candidate(failure.spec, damage) for damage, failure, _ in ranked])


def _scenario_notes(simulator: _Simulator, run: _Run) -> list[str]:
    unused = [failure.spec for failure in run.scenario if failure.kind != "node"
              and not any((failure.kind, failure.target) in target.domains for target in simulator.targets.values())]
    return [f"{spec}: no declared deployment has a replica there, so nothing is hit" for spec in unused]


def _result(loaded: LoadedService, simulator: _Simulator, run: _Run) -> SimulatedService:
    line = loaded.locate()[0]
    target = simulator.targets.get(loaded.name)
    if target is None:
        reason = "declares no deployment" if loaded.spec.deployment is None else "its deployment lists no replicas"
        return SimulatedService(loaded.name, loaded.file, line, loaded.spec.state, None, reason)
    own, down, via = run.own[loaded.name], run.down[loaded.name], run.via.get(loaded.name, [])
    judged = _judge(target, own, down, via, simulator, run)
    outcome = ServiceAfterFailure(own.writes, own.reads, own.data_loss, [objective for objective, _ in judged],
                                  [reason for _, reason in judged], via, len(down), len(target.replicas), _notes(target, simulator, run))
    return SimulatedService(loaded.name, loaded.file, line, loaded.spec.state, outcome)


# --- objectives ----------------------------------------------------------------------------


def _judge(target: _Target, own: AfterFailure, down: frozenset[int], via: list[str], simulator: _Simulator, run: _Run) -> list[tuple[str, str]]:
    """(objective, why) for every objective this scenario breaches, in name order."""
    objectives = target.loaded.spec.objectives
    stops = not (own.writes and own.reads) or bool(via)
    judged = []
    if own.data_loss and objectives.rpo is not None:
        why = _rpo_missed(target, down, run.scenario, objectives.rpo)
        if why:
            judged.append(("rpo", f"rpo {format_duration(objectives.rpo)}: {why}"))
    if stops and objectives.rto is not None:
        judged.append(("rto", f"rto {format_duration(objectives.rto)} at risk: {_stop(target, own, via, simulator, run)}"))
    if stops and objectives.survive:
        lost = [target.replicas[i] for i in down]
        lost += [simulator.targets[name].replicas[i] for name in via if name in simulator.targets for i in run.down[name]]
        promise = _promise_covering(lost, objectives.survive)
        if promise:
            judged.append(("survive", f"survive: must keep serving through the loss of {promise}"))
    return judged


def _rpo_missed(target: _Target, down: frozenset[int], scenario: tuple[Failure, ...], rpo_s: float) -> str:
    """Why the loss exceeds the RPO, or "" when this scenario cannot tell (copies remain: the loss is replication lag)."""
    if rpo_s == 0:
        return "acknowledged writes may be lost: every replica that stored some of them is down"
    if any(replica.holds_data for index, replica in enumerate(target.replicas) if index not in down):
        return ""
    design = target.design
    backup = design.backup_region
    if backup is None or design.backup_interval_s is None:
        return "every copy of the data is down and no backups are declared"
    if any((failure.kind, failure.target) in (("region", backup), ("provider", backup.partition(":")[0])) for failure in scenario):
        return f"every copy of the data is down, and so are the backups in {backup}"
    if design.backup_interval_s > rpo_s:
        return f"every copy of the data is down; the newest backup may be {format_duration(design.backup_interval_s)} old"
    return ""


def _stop(target: _Target, own: AfterFailure, via: list[str], simulator: _Simulator, run: _Run) -> str:
    if own.writes and own.reads:  # hit through a dependency only; the chain ends at a simulated service that stopped
        root = via[-1]
        return f"it stops while {root} {_cannot(simulator.targets[root], run.own[root])}"
    restart = "replacement instances start" if target.design.coordination == STATELESS else "a restore completes"
    return f"it {_cannot(target, own)} until the failed domain returns or {restart}"


def _cannot(target: _Target, outcome: AfterFailure) -> str:
    if target.design.coordination == STATELESS:
        return "cannot serve"  # writes and reads are one quorum: `capacity` live instances
    return "cannot " + ("write or read" if not (outcome.writes or outcome.reads) else "write" if not outcome.writes else "read")


def _promise_covering(lost: list[Replica], survive: Sequence[str]) -> str:
    """'a region; all it lost is in region aws:us-east-1' when the lost replicas all lie in one domain of a
    kind `survive` lists, or in one of a smaller kind nested in it; "" otherwise."""
    if not lost:
        return ""
    first = lost[0]
    within = {
        "node": (len(lost) == 1, f"it lost a single replica, in {first.region}/{first.az}"),
        "az": (len({(replica.region, replica.az) for replica in lost}) == 1, f"all it lost is in zone {first.region}/{first.az}"),
        "region": (len({replica.region for replica in lost}) == 1, f"all it lost is in region {first.region}"),
        "provider": (len({replica.provider for replica in lost}) == 1, f"all it lost is in provider {first.provider}"),
    }
    for index, kind in enumerate(LEVELS):
        inside, where = within[kind]
        if inside:
            promised = next((bigger for bigger in LEVELS[index:] if bigger in survive), None)
            return f"a {LEVEL_NAMES[promised]}; {where}" if promised else ""
    return ""


def _notes(target: _Target, simulator: _Simulator, run: _Run) -> list[str]:
    notes = []
    for failure in run.scenario:
        region, _, zone = failure.target.partition("/")
        unzoned = target.domains.get(("az", f"{region}/{UNKNOWN_ZONE}"), frozenset())
        if failure.kind == "az" and zone != UNKNOWN_ZONE and unzoned:
            notes.append(f"{len(unzoned)} of its replicas in {region} name no zone: they are read as one zone "
                         f"'{UNKNOWN_ZONE}', which {failure.spec} does not reach (fail az:{region}/{UNKNOWN_ZONE} too, or name their zones)")
    for dependency in sorted(set(target.loaded.spec.depends_on)):
        if dependency not in simulator.targets:
            notes.append(f"depends on {dependency}, which declares no replicas: its own replicas are taken as up")
    return notes
