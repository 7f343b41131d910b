"""What the failure-domain rules (RP201-RP207) share: which replicas each zone, region or provider holds,
what losing one of them does to writes and data, and which rule owns a given break.

A zone is a (region, az) pair, zones left out being one shared zone per region (declared.py's cautious
reading); a provider is the prefix of a region id. Losses are computed by the analysis core
(`after_failure`) on the design's own quorums, so they agree with the tolerances of the evaluation.

One finding per cause: a quorum group spread over several zones or regions that still keeps a
quorum's worth of voters in one of them is RP203's (RP205's when it is a majority in exactly two
regions); RP201 and RP202 report the breaks those two do not explain.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from redplan.analysis.model import Quorum, Replica
from redplan.analysis.quorum import after_failure, in_population, quorum_size
from redplan.engine.declared import ANY_DATA, UNKNOWN_ZONE
from redplan.engine.design import CONSENSUS, LEADERLESS, PRIMARY_BACKUP, STATELESS, Design
from redplan.engine.evaluate import domain_tolerance
from redplan.rules.base import Problem, Subject
from redplan.spec.models import Service

WORD = {"az": "zone", "region": "region", "provider": "provider"}
REPLICAS = ("deployment", "replicas")


def unit(region: str, az: str | None, domain: str) -> str:
    """The zone, region or provider a replica sits in, as messages name it ('aws:us-east-1 zone a')."""
    if domain == "az":
        return f"{region} zone {az}" if az not in (None, UNKNOWN_ZONE) else f"{region} (zone not named)"
    return region if domain == "region" else region.split(":", 1)[0]


def unit_of(replica: Replica, domain: str) -> str:
    return unit(replica.region, replica.az, domain)


def per_place(replicas: Iterable[Replica], domain: str) -> dict[str, int]:
    """Replicas per zone, region or provider, in order of first appearance (a plain dict: building a
    Counter costs more than the counting)."""
    counts: dict[str, int] = {}
    for replica in replicas:
        where = unit_of(replica, domain)
        counts[where] = counts.get(where, 0) + 1
    return counts


def spec_index(service: Service, domain: str, where: str) -> int:
    """The first entry of deployment.replicas that sits in `where`."""
    assert service.deployment is not None
    replicas = service.deployment.replicas
    return next((i for i, replica in enumerate(replicas) if unit(replica.region, replica.az, domain) == where), 0)



def noun(quorum: Quorum, design: Design | None = None) -> str:
    if quorum.among == "data-voters" and design is not None and design.coordination == PRIMARY_BACKUP:
        return "synchronous copies"  # the primary and its sync standbys
    return {"voters": "voters", "data": "data replicas"}.get(quorum.among, "data-bearing voters")


def all_of(count: int, things: str) -> str:
    """'the only replica', 'both replicas', 'all 3 replicas'."""
    return {1: f"the only {things.removesuffix('s')}", 2: f"both {things}"}.get(count, f"all {count} {things}")


class Loss(NamedTuple):
    """What losing one whole zone, region or provider does (worst case, as the analysis core reads it)."""

    first: int  # the index into design.replicas of its first replica: `where` names the place
    lost: frozenset[int]  # indices into design.replicas
    writes_stop: bool
    acked_lost: bool  # some acknowledged write may be gone with it
    copies_lost: bool  # no replica holding data is left
    # the write and ack quorums counted globally: size, population, and members of it lost (messages quote them)
    writers: tuple[int, int, int]
    ackers: tuple[int, int, int]

    def where(self, design: Design, domain: str) -> str:
        return unit_of(design.replicas[self.first], domain)


def losses(design: Design, domain: str) -> tuple[Loss, ...]:
    """Every zone, region or provider of a stateful design, in the order its replicas list them.

    Remembered by the design's layout (`Design.layout`, the replicas of a stateful design with their
    domains renamed in order of first appearance): the places group and order the replicas the same
    way, so services of a fleet with one layout in different regions share the work; `Loss.where`
    names the place from the design's own replicas.
    """
    return _losses(design.layout, design.write, design.read, design.ack, domain)


def _counted(replicas: tuple[Replica, ...], quorum: Quorum, lost: set[int]) -> tuple[int, int, int]:
    """A globally counted quorum's size, its population, and how many of the population `lost` takes."""
    population = [index for index, replica in enumerate(replicas) if in_population(replica, quorum.among)]
    inside = sum(1 for index in population if index in lost)
    return quorum_size(quorum.size, len(population)), len(population), inside


@functools.lru_cache(maxsize=4096)
def _losses(layout: tuple[Replica, ...], write: Quorum, read: Quorum, ack: Quorum, domain: str) -> tuple[Loss, ...]:
    groups: dict[str, set[int]] = {}
    for index, replica in enumerate(layout):
        groups.setdefault(unit_of(replica, domain), set()).add(index)
    result = []
    for indices in groups.values():
        after = after_failure(layout, indices, write, read, ack)
        copies = after_failure(layout, indices, ANY_DATA, ANY_DATA)
        result.append(Loss(min(indices), frozenset(indices), not after.writes, after.data_loss, not copies.writes,
                           _counted(layout, write, indices), _counted(layout, ack, indices)))
    return tuple(result)


# --- a quorum group with too many voters in one place (RP203, RP205) ---------------------------


@dataclass(frozen=True)
class Spread:
    """The members of a globally counted write quorum, per zone or region."""

    counts: dict[str, int]
    total: int
    quorum: int
    noun: str

    @property
    def heavy(self) -> list[tuple[str, int]]:
        """The places whose loss leaves fewer members than the quorum, most members first."""
        return sorted(((where, count) for where, count in self.counts.items() if self.total - count < self.quorum),
                      key=lambda item: -item[1])

    def listed(self) -> str:
        return ", ".join(f"{count} in {where}" for where, count in self.counts.items())


def spread(design: Design, domain: str) -> Spread | None:
    """Voters per place of a consensus group or a leaderless quorum counted over all replicas; None otherwise."""
    if design.coordination not in (CONSENSUS, LEADERLESS) or design.write.scope != "global":
        return None
    population = [replica for replica in design.replicas if in_population(replica, design.write.among)]
    if not population:
        return None
    counts = per_place(population, domain)
    return Spread(counts, len(population), quorum_size(design.write.size, len(population)), noun(design.write))


def two_sites(design: Design) -> Spread | None:
    """RP205's case: a majority quorum whose voters sit in exactly two regions."""
    found = spread(design, "region")
    if found is None or design.write.size != "majority" or len(found.counts) != 2:
        return None
    return found


def concentrated(design: Design, domain: str) -> Spread | None:
    """RP203's case: voters in two or more places, one of which holds enough to break the write quorum."""
    found = spread(design, domain)
    if found is None or len(found.counts) < 2 or not found.heavy:
        return None
    if domain == "region" and two_sites(design) is not None:
        return None
    return found


def acked_with(subject: Subject, domain: str, where: str) -> str:
    """A clause saying that losing `where` also loses acknowledged writes, when it does."""
    if subject.service.state != "stateful" or subject.design is None:
        return ""
    design = subject.design
    loss = next((loss for loss in losses(design, domain) if loss.where(design, domain) == where), None)
    return ", and writes acknowledged only by its voters are lost with it" if loss and loss.acked_lost else ""


# --- writes or data that do not outlive one zone or region (RP201, RP202) -----------------------


def single_domain_problem(subject: Subject, domain: str, hint: str) -> Problem | None:
    """The shared check of RP201 (az) and RP202 (region): a loss of one `domain` stops writes, or loses
    acknowledged writes an RPO of 0 forbids losing, or leaves no copy of the data."""
    service, design, evaluation = subject.service, subject.design, subject.evaluation
    if design is None or evaluation is None or domain not in (service.objectives.survive or []):
        return None
    if design.coordination == STATELESS:
        return None  # instances left below capacity after a zone or region loss: RP502's finding
    analysis = evaluation.analysis
    stateful = service.state == "stateful"
    # the evaluation's tolerances say whether some loss breaks each property (the same analysis as
    # `losses`), so a design that survives every such loss is passed without going through them
    writes = domain_tolerance(analysis.write, domain) < 1
    copies = stateful and domain_tolerance(evaluation.copies, domain) < 1
    # acknowledged writes matter here only when the design keeps them on two nodes (otherwise a single
    # node loss already loses them) and the RPO promises none is lost; lag within a looser RPO is RP1xx's
    acked = (stateful and service.objectives.rpo == 0 and analysis.durability.nodes >= 1
             and domain_tolerance(analysis.durability, domain) < 1)
    if not (writes or copies or acked):
        return None
    if concentrated(design, domain) or (domain == "region" and two_sites(design)):
        return None  # RP203 / RP205 say why, with the voter counts
    everything = len(design.replicas)
    effects = []
    for loss in losses(design, domain):
        what = []
        if writes and loss.writes_stop:
            what.append(f"stops writes ({_shortfall(design, loss)})")
        if copies and loss.copies_lost:
            what.append("leaves no replica holding the data")
        elif acked and loss.acked_lost:
            what.append(f"can lose acknowledged writes ({_acknowledged(design, loss)}; the RPO is 0)")
        if what:
            lost = "it" if len(loss.lost) == everything else f"{loss.where(design, domain)} ({len(loss.lost)} of {everything} replicas)"
            effects.append(f"losing {lost} " + " and ".join(what))
    if not effects:
        return None
    return Problem(REPLICAS, f"`{domain}` is in survive, but {placement(design, domain)}; " + "; ".join(effects), hint)


def placement(design: Design, domain: str) -> str:
    """'all 3 replicas are in aws:us-east-1 zone a' or 'replicas by zone: 2 in aws:us-east-1 zone a, ...'."""
    counts = per_place(design.replicas, domain)
    if len(counts) == 1:
        where, count = next(iter(counts.items()))
        return f"{all_of(count, 'replicas')} {'is' if count == 1 else 'are'} in {where}"
    return f"replicas by {WORD[domain]}: " + ", ".join(f"{count} in {where}" for where, count in counts.items())


def _shortfall(design: Design, loss: Loss) -> str:
    quorum = design.write
    if quorum.scope == "each":
        return "each-scope writes need a quorum in every region, the lost one included"
    if quorum.scope == "local":
        return "local-scope writes need a quorum within one region, and no region left can form one"
    size, population, inside = loss.writers
    return f"a write needs {size} of {population} {noun(quorum, design)}, {population - inside} would remain"


def _acknowledged(design: Design, loss: Loss) -> str:
    ack = design.ack
    if ack.scope != "global":
        return f"a write is acknowledged by a quorum counted per region ({ack.scope} scope)"
    size, population, inside = loss.ackers
    return f"a write is acknowledged once {size} of {population} {noun(ack, design)} have it, and {inside} of them are there"
