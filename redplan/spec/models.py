"""Spec v1: the pydantic models of a service file.

These models check types, units and closed vocabularies only. Checks that
need the whole file or the catalog (regions exist, replicas sit in listed
regions, quorums fit, names are unique) live in `redplan.spec.checks`, and
design problems (RPO 0 with async replication) are audit findings, never
input errors.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from redplan.spec.units import Duration, Fraction, Rate, Size

Domain = Literal["node", "az", "region", "provider"]
ConsistencyLevel = Literal["strong", "session", "bounded", "eventual"]
DataKind = Literal["counter", "set", "register", "document", "ledger", "balance", "inventory", "cache", "blob", "queue", "log"]
Tier = Literal["mission-critical", "critical", "important", "standard", "non-critical"]
Pattern = Literal["backup-restore", "cold-standby", "active-passive", "active-active", "quorum", "n-plus-1"]
Replication = Literal["sync", "async", "semi-sync", "none"]
Role = Literal["primary", "standby", "replica", "witness", "arbiter", "non-voting", "instance"]
QuorumName = Literal["one", "majority", "all"]

REGION_PATTERN = r"^[a-z][a-z0-9]*:[A-Za-z0-9][A-Za-z0-9._-]*$"
RegionId = Annotated[str, Field(min_length=1, max_length=100, json_schema_extra={"pattern": REGION_PATTERN})]
ServiceName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


def _zone_name(value: Any) -> Any:
    """Azure and on-prem zones are numbered: `az: 1` means zone "1"."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ZoneName = Annotated[
    str, BeforeValidator(_zone_name), Field(min_length=1, max_length=64),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1, "maxLength": 64}, {"type": "integer", "minimum": 0}]}),
]


class StrictModel(BaseModel):
    """Unknown keys are errors: a misspelt key must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


def _quorum_size(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PydanticCustomError("quorum_size", "expected a number of replicas or one of one, majority, all", {})
    if isinstance(value, int):
        if value < 1:
            raise PydanticCustomError("quorum_size", "a quorum needs at least 1 replica, not {value}", {"value": value})
        return value
    if value not in ("one", "majority", "all"):
        raise PydanticCustomError(
            "quorum_size", "{value} is not a quorum size; use a number, one, majority or all", {"value": repr(value)}
        )
    return value


QuorumSize = Annotated[
    int | QuorumName,
    BeforeValidator(_quorum_size),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"enum": ["one", "majority", "all"]}]}),
]


class Objectives(StrictModel):
    """What the business asks for; a tier preset fills what is left out."""

    rto: Duration | None = Field(None, description="Longest tolerable outage (recovery time objective).")
    rpo: Duration | None = Field(None, description="Most acknowledged data that may be lost (recovery point objective).")
    survive: list[Domain] | None = Field(None, description="Failures that must not stop the service: node, az, region, provider.")
    availability: Fraction | None = Field(None, description="Target availability, e.g. 99.99%.")
    max_staleness: Duration | None = Field(None, description="Bound on read staleness for `bounded` consistency.")


class OperationConsistency(StrictModel):
    """The consistency one operation needs, when operations differ."""

    operation: str = Field(min_length=1)
    level: ConsistencyLevel
    max_staleness: Duration | None = None


def _consistency_branch(value: Any) -> str | None:
    if isinstance(value, str):
        return "level"
    if isinstance(value, list):
        return "operations"
    return None


Consistency = Annotated[
    Annotated[ConsistencyLevel, Tag("level")] | Annotated[list[OperationConsistency], Tag("operations")],
    Discriminator(
        _consistency_branch,
        custom_error_type="consistency",
        custom_error_message="expected a level (strong, session, bounded, eventual) or a list of {operation, level}",
    ),
]


class Data(StrictModel):
    """What the service stores and how fast it changes."""

    kind: DataKind | None = None
    write_rate: Rate | None = None
    write_size: Size | None = None
    read_rate: Rate | None = None
    size: Size | None = Field(None, description="Total data set size; drives restore time.")


class LatencyBudget(StrictModel):
    write_p50: Duration | None = None
    write_p99: Duration | None = None
    read_p50: Duration | None = None
    read_p99: Duration | None = None


class Replica(StrictModel):
    """One replica (or `count` identical ones) of a deployment."""

    region: RegionId
    az: ZoneName | None = Field(None, description="Zone within the region, e.g. a, b, 1.")
    role: Role = "replica"
    count: int = Field(1, ge=1, le=100_000)
    sync: bool | None = Field(None, description="A standby that acknowledges writes synchronously.")


class Quorum(StrictModel):
    """Replicas that must answer; scope local/each gives Cassandra's LOCAL_QUORUM/EACH_QUORUM."""

    write: QuorumSize
    read: QuorumSize
    scope: Literal["global", "local", "each"] = "global"
    read_scope: Literal["global", "local", "each"] | None = Field(
        None, description="Reads counted differently from writes, e.g. EACH_QUORUM writes with LOCAL_QUORUM reads."
    )


class Failover(StrictModel):
    automatic: bool | None = None
    detection: Duration | None = None
    promotion: Duration | None = None
    redirect: Duration | None = None
    fencing: bool | None = None


class Backups(StrictModel):
    interval: Duration
    retention: Duration | None = None
    offsite: RegionId | None = None


class ReplicationLag(StrictModel):
    """The asynchronous replicas' measured lag (e.g. PostgreSQL's replay_lag over a busy week)."""

    p50: Duration = Field(description="Median lag; above 0.")
    p99: Duration = Field(description="99th percentile of the lag; at least p50.")


class Deployment(StrictModel):
    """What runs today; `redplan audit` checks it against the objectives."""

    pattern: Pattern | None = None
    replication: Replication | None = None
    on_sync_standby_loss: Literal["block", "degrade-to-async"] | None = None
    replicas: list[Replica] = Field(default_factory=list)
    quorum: Quorum | None = None
    conflict_resolution: Literal["lww", "crdt", "app-merge"] | None = None
    failover: Failover | None = None
    backups: Backups | None = None
    replication_lag: ReplicationLag | None = Field(
        None, description="Measured lag of asynchronous replication: replaces the technology's typical figure in the data-loss estimate."
    )


class Ignore(StrictModel):
    """A suppressed audit rule; the reason is required so suppressions stay honest."""

    rule: str = Field(pattern=r"^RP\d{3}$")
    reason: str = Field(min_length=1)
    expires: datetime.date | None = None


class AvailabilityOverrides(StrictModel):
    """Replace the catalog's assumed availability of a failure-domain level for one service."""

    node: Fraction | None = Field(None, description="Probability a node is up, e.g. 99.95%.")
    az: Fraction | None = Field(None, description="Probability a zone is up.")
    region: Fraction | None = Field(None, description="Probability a region is up.")
    provider: Fraction | None = Field(None, description="Probability a whole provider is up.")


class Assumptions(StrictModel):
    """This service's own values for what the catalogs only assume (catalogs/availability.yaml)."""

    availability: AvailabilityOverrides | None = None


class Service(StrictModel):
    name: ServiceName
    tier: Tier | None = None
    state: Literal["stateful", "stateless"]
    objectives: Objectives = Field(default_factory=Objectives)
    consistency: Consistency | None = None
    data: Data | None = None
    latency_budget: LatencyBudget | None = None
    regions: list[RegionId] = Field(default_factory=list, description="Where the service may run.")
    clients: list[RegionId] = Field(default_factory=list, description="Where its traffic comes from.")
    technology: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    capacity: int | None = Field(None, ge=1, le=100_000, description="Instances needed to carry peak load (stateless tiers); 2 when left out.")
    deployment: Deployment | None = None
    depends_on: list[ServiceName] = Field(default_factory=list)
    ignore: list[Ignore] = Field(default_factory=list)
    assumptions: Assumptions | None = None


class Site(StrictModel):
    """A custom failure domain (an on-premises data centre) with measured round trips."""

    name: str = Field(pattern=r"^dc:[A-Za-z0-9][A-Za-z0-9._-]*$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    zones: int = Field(1, ge=1, le=100)
    rtt_ms: dict[RegionId, Annotated[float, Field(gt=0, le=10_000)]] = Field(default_factory=dict)


class SpecDocument(StrictModel):
    """One YAML document of a service file."""

    version: Literal[1]
    services: list[Service] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list)
