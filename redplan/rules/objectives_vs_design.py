"""Helpers shared by the rules that hold a declared design against its objectives (RP102-RP106)."""

from __future__ import annotations

from redplan.analysis.model import Replica
from redplan.analysis.recovery import Estimate
from redplan.engine.declared import UNKNOWN_ZONE
from redplan.engine.design import LEVEL_NAMES, PRIMARY_BACKUP, Design
from redplan.engine.evaluate import Evaluation
from redplan.spec.loader import LoadedService


def needs_failover_step(design: Design) -> bool:
    """A primary with backups (active-passive, backup-restore, cold standby) must promote or restore
    before writes resume; consensus, leaderless and multi-primary designs keep serving."""
    return design.coordination == PRIMARY_BACKUP


def sync_standbys(design: Design) -> list[Replica]:
    """The standbys a synchronous primary waits for (declared.py marks every standby when none is)."""
    return [replica for replica in design.replicas if replica.sync and replica.role != "primary" and replica.holds_data]


def where(replica: Replica) -> str:
    """'aws:us-east-1 zone b', or the region alone when the spec gives no zone."""
    return replica.region if replica.az == UNKNOWN_ZONE else f"{replica.region} zone {replica.az}"


def listed(replicas: list[Replica]) -> str:
    """'aws:us-east-1 zone b and aws:us-east-1 zone c'."""
    places = [where(replica) for replica in replicas]
    return places[0] if len(places) == 1 else ", ".join(places[:-1]) + " and " + places[-1]


def losing(domain: str) -> str:
    """'a zone' for az: the failure a `survive` domain names, as messages say it."""
    return f"a {LEVEL_NAMES[domain]}"


def restores(estimate: Estimate) -> bool:
    """The RTO estimate is a restore from backup (provision + restore + redirect), not a failover."""
    return any(part.component == "restore" for part in estimate.parts)


def unrecoverable_failures(evaluation: Evaluation) -> str:
    """'a zone or a region': the failures to survive that the design cannot come back from."""
    return " or ".join(losing(domain) for domain in evaluation.delivered.unrecoverable) or "a failure it must survive"


def from_tier(loaded: LoadedService, objective: str, shown: str) -> str:
    """'1m (from tier critical)' when the service left the objective to its tier, so the reader can find it."""
    return f"{shown} (from tier {loaded.spec.tier})" if objective in loaded.from_tier else shown
