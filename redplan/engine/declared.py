"""The design a service declares as deployed, in the engine's terms, so it is estimated like a candidate.

Translation rules (each a reading of the spec, shown to users through the
assessment): a leaderless `quorum` pattern counts W and R as declared, reads
among data holders; a declared quorum on any other pattern is a leader-based
consensus group with the declared sizes, reads and writes counted among
voters (reads go through the leader, which a voting majority keeps);
synchronous primary/backup replication waits for one of the standbys marked
`sync` (all standbys when none is marked), counted among data holders so an
arbiter never stands in for a standby, and when it blocks only those
standbys take part; zones left out are read as one shared zone per region,
the cautious reading.
"""

from __future__ import annotations

from redplan.analysis.model import Among, Quorum, Replica
from redplan.engine.design import (
    CONSENSUS,
    LEADERLESS,
    MULTI_PRIMARY,
    PRIMARY_ACKS,
    PRIMARY_BACKUP,
    STATELESS,
    Design,
)
from redplan.spec.models import Deployment, Service

UNKNOWN_ZONE = "?"
DEFAULT_CAPACITY = 2
ANY_DATA = Quorum(1, among="data")


def declared_design(service: Service) -> Design | None:
    """None when the service declares no replicas."""
    deployment = service.deployment
    if deployment is None or not deployment.replicas:
        return None
    coordination = _coordination(service, deployment)
    replicas = _replicas(deployment, coordination)
    backups = deployment.backups
    home = replicas[0].region
    leader_region = home if coordination in (PRIMARY_BACKUP, CONSENSUS) else None
    on_sync_standby_loss = (deployment.on_sync_standby_loss or "block") if _waits_for_standby(deployment, coordination) else None
    conflict_resolution = deployment.conflict_resolution or ("lww" if coordination == LEADERLESS else None)
    backup_interval_s = backups.interval if backups else None
    backup_region = (backups.offsite or home) if backups else None
    if coordination == STATELESS:
        serve = Quorum(min(service.capacity or DEFAULT_CAPACITY, len(replicas)), among="data")
        write = read = ack = serve
    else:
        write, read, ack = _quorums(deployment, coordination, on_sync_standby_loss)
    pattern = deployment.pattern or _pattern(coordination, replicas)
    replication = {"semi-sync": "sync"}.get(deployment.replication or "", deployment.replication) or _replication(coordination, replicas)
    return Design(pattern, replication, coordination, replicas, write, read, ack, leader_region=leader_region,
                  on_sync_standby_loss=on_sync_standby_loss, conflict_resolution=conflict_resolution,
                  backup_interval_s=backup_interval_s, backup_region=backup_region)


def _coordination(service: Service, deployment: Deployment) -> str:
    if service.state == "stateless" or deployment.pattern == "n-plus-1":
        return STATELESS
    if deployment.pattern == "quorum":
        return LEADERLESS
    if deployment.quorum is not None:
        return CONSENSUS
    if deployment.pattern == "active-active":
        return CONSENSUS if deployment.replication == "sync" else MULTI_PRIMARY
    return PRIMARY_BACKUP


def _waits_for_standby(deployment: Deployment, coordination: str) -> bool:
    return coordination == PRIMARY_BACKUP and deployment.replication in ("sync", "semi-sync")


def _replicas(deployment: Deployment, coordination: str) -> tuple[Replica, ...]:
    """Expanded replicas, primary first; with blocking sync replication, async standbys do not vote."""
    marked = any(replica.sync for replica in deployment.replicas)
    blocking = _waits_for_standby(deployment, coordination) and deployment.on_sync_standby_loss != "degrade-to-async"
    expanded: list[Replica] = []
    for replica in deployment.replicas:
        role = replica.role
        sync = bool(replica.sync) or (_waits_for_standby(deployment, coordination) and role == "standby" and not marked)
        if blocking and role == "standby" and not sync:
            role = "non-voting"
        # a witness keeps the replicated log it votes on (Spanner); an arbiter only votes (MongoDB, a DCS member)
        keeps_log = role == "witness"
        role = "witness" if role == "arbiter" else role
        expanded += [Replica(replica.region, replica.az or UNKNOWN_ZONE, role, sync, keeps_log)] * replica.count
    return tuple(sorted(expanded, key=lambda replica: replica.role != "primary"))


def _quorums(deployment: Deployment, coordination: str, on_loss: str | None) -> tuple[Quorum, Quorum, Quorum]:
    declared = deployment.quorum
    if declared is not None:
        write = Quorum(declared.write, declared.scope)
        read_among: Among = "voters" if coordination == CONSENSUS else "data"
        return write, Quorum(declared.read, declared.read_scope or declared.scope, read_among), write
    if coordination == CONSENSUS:
        return Quorum("majority"), Quorum("majority"), Quorum("majority")
    if coordination == LEADERLESS:
        return Quorum("majority"), Quorum("majority", among="data"), Quorum("majority")
    if on_loss == "block":
        # never an arbiter, never an async (non-voting) standby; every ack includes the primary
        return Quorum(2, among="data-voters"), ANY_DATA, Quorum(2, among="data-voters", leader=True)
    if coordination == PRIMARY_BACKUP:
        return Quorum(1), ANY_DATA, PRIMARY_ACKS
    return Quorum(1), ANY_DATA, Quorum(1)  # multi-primary: each primary acknowledges the writes it takes


def _pattern(coordination: str, replicas: tuple[Replica, ...]) -> str:
    if coordination == STATELESS:
        return "n-plus-1"
    if coordination == LEADERLESS:
        return "quorum"
    if coordination in (CONSENSUS, MULTI_PRIMARY):
        return "active-active"
    return "active-passive" if len(replicas) > 1 else "backup-restore"


def _replication(coordination: str, replicas: tuple[Replica, ...]) -> str:
    if coordination == PRIMARY_BACKUP:
        return "async" if len(replicas) > 1 else "none"
    return {CONSENSUS: "sync", LEADERLESS: "sync", MULTI_PRIMARY: "async"}.get(coordination, "none")
