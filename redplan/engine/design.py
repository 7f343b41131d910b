"""A design: one concrete way to run a service (pattern, replicas, quorums, recovery).

Recommend builds many from a service's requirements; audit builds one from
what a service declares as deployed. Both are then estimated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from redplan.analysis.model import Quorum, Replica, renamed_domains

LEADERLESS = "leaderless"
CONSENSUS = "consensus"
PRIMARY_BACKUP = "primary-backup"
MULTI_PRIMARY = "multi-primary"
STATELESS = "stateless"
LEVEL_NAMES = {"node": "node", "az": "zone", "region": "region", "provider": "provider"}
"""How reports name each failure-domain level (`survive` and the catalogs say az)."""
PRIMARY_ACKS = Quorum(1, leader=True)
"""A primary acknowledging writes alone (asynchronous standbys, backups only, sync degraded to async):
every acknowledged write is on the primary, and only its loss can lose one."""


@dataclass(frozen=True)
class Design:
    """Everything the estimators need to know about one way of running a service.

    `coordination` says who orders writes: a primary with backups, a consensus
    group, leaderless quorums, several primaries merging conflicts, or nobody
    (stateless). `running` is False for a cold standby's replicas, which hold
    data only once restored.
    """

    pattern: str  # spec vocabulary: backup-restore | cold-standby | active-passive | active-active | quorum | n-plus-1
    replication: str  # sync | async | none
    coordination: str
    replicas: tuple[Replica, ...]
    write: Quorum
    read: Quorum
    ack: Quorum
    leader_region: str | None = None
    on_sync_standby_loss: str | None = None  # block | degrade-to-async
    conflict_resolution: str | None = None  # lww | crdt | app-merge
    backup_interval_s: float | None = None
    backup_region: str | None = None  # where backup copies live (None: none taken)
    standby_region: str | None = None  # a cold standby's region

    @property
    def counted_replicas(self) -> tuple[Replica, ...]:
        """The replicas as the quorum analysis counts them: stateless instances as interchangeable replicas that each can serve."""
        if self.coordination == STATELESS:
            return tuple(replica._replace(role="replica") for replica in self.replicas)
        return self.replicas

    @cached_property
    def layout(self) -> tuple[Replica, ...]:
        """The counted replicas with their domains renamed (`renamed_domains`): what tolerance and availability are remembered by."""
        return renamed_domains(self.counted_replicas)

    @property
    def regions(self) -> list[str]:
        return list(dict.fromkeys(replica.region for replica in self.replicas))

    @property
    def kind(self) -> str:
        """The pattern as the table of patterns names it, e.g. 'active-passive (sync, block)'."""
        details = [self.replication] if self.replication not in ("none",) else []
        if self.on_sync_standby_loss:
            details.append(self.on_sync_standby_loss)
        if self.conflict_resolution:
            details.append(self.conflict_resolution.upper() if self.conflict_resolution == "lww" else self.conflict_resolution)
        if self.coordination == CONSENSUS:
            details.append("consensus")
        return f"{self.pattern} ({', '.join(details)})" if details else self.pattern

    @property
    def placement_summary(self) -> str:
        zones = {(replica.region, replica.az) for replica in self.replicas}
        regions = self.regions
        where = regions[0] if len(regions) == 1 else f"{len(regions)} regions"
        noun = "instances" if self.coordination == STATELESS else "replicas"
        return f"{len(self.replicas)} {noun} in {len(zones)} zone{'s' * (len(zones) != 1)} of {where}"
