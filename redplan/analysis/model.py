"""The analysis core's own vocabulary: replicas, quorums and tolerances.

The engine translates a spec (or a candidate design) into these plain
dataclasses so the math never depends on how a service file is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

VOTING_ROLES = frozenset({"primary", "standby", "replica", "witness"})
DATA_ROLES = frozenset({"primary", "standby", "replica", "non-voting"})

QuorumSize = int | Literal["one", "majority", "all"]
Scope = Literal["global", "local", "each"]
Among = Literal["voters", "data", "data-voters"]


class Replica(NamedTuple):
    """One replica. Witnesses vote but hold no data; non-voting replicas hold data but do not vote.

    A named tuple, not a dataclass: analyses are cached by the tuple of a design's replicas, and
    tuples hash and compare in C (a tenth of an audit went to dataclass __hash__ and __eq__).
    """

    region: str  # "aws:us-east-1", "dc:frankfurt-1"
    az: str  # zone label within the region; callers give unknown zones one shared label (the cautious reading)
    role: str  # primary | standby | replica | witness | non-voting | instance
    sync: bool = False  # a synchronous standby of a primary
    # A witness that persists the replicated log it votes on (a Paxos acceptor such as a Spanner
    # witness) keeps every write it acknowledged until the data replicas have it, though it serves
    # no reads; a vote-only witness (a MongoDB arbiter) keeps nothing.
    keeps_log: bool = False

    @property
    def provider(self) -> str:
        return self.region.partition(":")[0]

    @property
    def votes(self) -> bool:
        return self.role in VOTING_ROLES

    @property
    def holds_data(self) -> bool:
        return self.role in DATA_ROLES

    @property
    def stores_writes(self) -> bool:
        """An acknowledged write survives on this replica: it holds data or is a log-keeping witness."""
        return self.holds_data or (self.keeps_log and self.votes)


def renamed_domains(replicas: tuple[Replica, ...]) -> tuple[Replica, ...]:
    """The replicas with their providers, regions and zones renamed in order of first appearance.

    Tolerance and availability read names only to tell whether two replicas share a domain, and keep
    domains in order of first appearance, so the renamed layout gives the same results to the last bit:
    a fleet's services in different regions with the same layout share one remembered analysis.
    """
    providers: dict[str, str] = {}
    regions: dict[str, str] = {}
    zones: dict[tuple[str, str], str] = {}
    renamed = []
    for replica in replicas:
        if replica.region not in regions:
            provider = replica.provider
            if provider not in providers:
                providers[provider] = f"p{len(providers)}"
            regions[replica.region] = f"{providers[provider]}:r{len(regions)}"
        zone = (replica.region, replica.az)
        if zone not in zones:
            zones[zone] = f"z{len(zones)}"
        renamed.append(replica._replace(region=regions[replica.region], az=zones[zone]))
    return tuple(renamed)


@dataclass(frozen=True)
class Quorum:
    """How many replicas must answer, counted among voters or among data holders, and where.

    scope "global" counts all replicas; "local" is Cassandra's LOCAL_QUORUM (a quorum of the
    coordinator's region); "each" is EACH_QUORUM (a quorum in every region). With `leader`, the
    first replica is in every quorum (global scope): a primary and the standbys that confirm.
    """

    size: QuorumSize
    scope: Scope = "global"
    among: Among = "voters"
    leader: bool = False  # every quorum includes the first replica: a primary that acknowledges with its standbys


@dataclass(frozen=True)
class Tolerance:
    """How much failure a property survives (DESIGN.md §4).

    nodes: largest k such that any k replica failures keep the property; azs/regions/providers:
    largest number of whole domains whose simultaneous worst-case loss keeps it;
    nodes_after_az_loss / nodes_after_region_loss: further node failures tolerated after the
    worst single AZ / region loss, -1 when that loss alone breaks it.
    """

    nodes: int
    azs: int
    regions: int
    providers: int
    nodes_after_az_loss: int
    nodes_after_region_loss: int


@dataclass(frozen=True)
class QuorumAnalysis:
    write: Tolerance
    read: Tolerance
    durability: Tolerance
    consistent_reads: bool  # every read quorum meets every write quorum
    conflicting_writes: bool  # two write quorums can miss each other (2W <= N)
