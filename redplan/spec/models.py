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

    operation: str = Field(min_length=1, description="A name for the operation, e.g. read-feed.")
    level: ConsistencyLevel = Field(description="The consistency this operation's reads need.")
    max_staleness: Duration | None = Field(None, description="Bound on read staleness for the `bounded` level.")


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

    kind: DataKind | None = Field(
        None, description="What the data is: decides which conflict resolution fits (no last-writer-wins on ledger, "
        "balance or inventory; CRDTs only for counter, set or register)."
    )
    write_rate: Rate | None = Field(None, description="Writes at peak: the writes at risk and the replication traffic billed.")
    write_size: Size | None = Field(None, description="Bytes a write sends to each copy: the replication traffic billed.")
    read_rate: Rate | None = Field(None, description="Reads at peak (recorded; no estimate uses it yet).")
    size: Size | None = Field(None, description="Total data set size; drives restore time.")


class LatencyBudget(StrictModel):
    """Latency the service's clients can accept."""

    write_p50: Duration | None = Field(None, description="Median write latency (recorded; not checked yet).")
    write_p99: Duration | None = Field(
        None, description="99th-percentile write latency: recommend rejects synchronous designs over it, audit reports RP401."
    )
    read_p50: Duration | None = Field(None, description="Median read latency (recorded; not checked yet).")
    read_p99: Duration | None = Field(None, description="99th-percentile read latency (recorded; not checked yet).")


class Replica(StrictModel):
    """One replica (or `count` identical ones) of a deployment."""

    region: RegionId = Field(description="Where it runs: one of the service's regions (provider:region or dc:site).")
    az: ZoneName | None = Field(None, description="Zone within the region, e.g. a, b, 1.")
    role: Role = Field(
        "replica", description="What it does: a witness votes and keeps the log but no full copy, an arbiter only votes, "
        "a non-voting replica holds data without a vote, an instance is a stateless process."
    )
    count: int = Field(1, ge=1, le=100_000, description="How many identical replicas this entry stands for.")
    sync: bool | None = Field(None, description="A standby that acknowledges writes synchronously.")


class Quorum(StrictModel):
    """Replicas that must answer; scope local/each gives Cassandra's LOCAL_QUORUM/EACH_QUORUM."""

    write: QuorumSize = Field(description="Replicas that acknowledge a write: a number, one, majority or all.")
    read: QuorumSize = Field(description="Replicas a read waits for: a number, one, majority or all.")
    scope: Literal["global", "local", "each"] = Field(
        "global", description="Where sizes are counted: all replicas (global), the coordinator's region (local) or every region (each)."
    )
    read_scope: Literal["global", "local", "each"] | None = Field(
        None, description="Reads counted differently from writes, e.g. EACH_QUORUM writes with LOCAL_QUORUM reads."
    )


class Failover(StrictModel):
    """How the deployment fails over; the timings given replace the technology's."""

    automatic: bool | None = Field(None, description="A standby is promoted without a person deciding.")
    detection: Duration | None = Field(None, description="Time to notice that the primary is gone.")
    promotion: Duration | None = Field(None, description="Time to promote a standby to primary.")
    redirect: Duration | None = Field(None, description="Time for clients to reach the new primary (DNS TTL, health checks, retries).")
    fencing: bool | None = Field(
        None, description="The old primary is cut off (STONITH, lease or storage revocation) before a standby is promoted."
    )


class Backups(StrictModel):
    """Periodic backups to object storage."""

    interval: Duration = Field(description="Time between backups: what is lost when they are the last copy.")
    retention: Duration | None = Field(None, description="How long backups are kept (recorded; not used by the estimates).")
    offsite: RegionId | None = Field(None, description="Region the backups are copied to; the first replica's region when left out.")


class ReplicationLag(StrictModel):
    """The asynchronous replicas' measured lag (e.g. PostgreSQL's replay_lag over a busy week)."""

    p50: Duration = Field(description="Median lag; above 0.")
    p99: Duration = Field(description="99th percentile of the lag; at least p50.")


class Deployment(StrictModel):
    """What runs today; `redplan audit` checks it against the objectives."""

    pattern: Pattern | None = Field(None, description="The redundancy pattern; read from the replicas and quorum when left out.")
    replication: Replication | None = Field(
        None, description="How writes reach the other copies (semi-sync counts as sync); read from the pattern when left out."
    )
    on_sync_standby_loss: Literal["block", "degrade-to-async"] | None = Field(
        None, description="What synchronous replication does when its synchronous standby is gone; block when left out."
    )
    replicas: list[Replica] = Field(default_factory=list, description="Where each copy or instance runs and what it does.")
    quorum: Quorum | None = Field(None, description="Quorum sizes of a quorum store or consensus group.")
    conflict_resolution: Literal["lww", "crdt", "app-merge"] | None = Field(
        None, description="How concurrent writes at different replicas are merged: last-writer-wins, CRDTs or application "
        "merge; lww when left out on leaderless quorums."
    )
    failover: Failover | None = Field(None, description="Failover settings; the technology's timings when left out.")
    backups: Backups | None = Field(None, description="Backups, if any.")
    replication_lag: ReplicationLag | None = Field(
        None, description="Measured lag of asynchronous replication: replaces the technology's typical figure in the data-loss estimate."
    )


class Ignore(StrictModel):
    """A suppressed audit rule; the reason is required so suppressions stay honest."""

    rule: str = Field(pattern=r"^RP\d{3}$", description="The rule's code, e.g. RP204.")
    reason: str = Field(min_length=1, description="Why the finding is accepted.")
    expires: datetime.date | None = Field(
        None, description="Date (YYYY-MM-DD) after which the rule reports again, with an RP000 warning."
    )


class AvailabilityOverrides(StrictModel):
    """Replace the catalog's assumed availability of a failure-domain level for one service."""

    node: Fraction | None = Field(None, description="Probability a node is up, e.g. 99.95%.")
    az: Fraction | None = Field(None, description="Probability a zone is up.")
    region: Fraction | None = Field(None, description="Probability a region is up.")
    provider: Fraction | None = Field(None, description="Probability a whole provider is up.")


class Assumptions(StrictModel):
    """This service's own values for what the catalogs only assume (catalogs/availability.yaml)."""

    availability: AvailabilityOverrides | None = Field(None, description="Availability of a node, zone, region or provider.")


class Service(StrictModel):
    """One service: what it must achieve, where it may run and, optionally, what runs today."""

    name: ServiceName = Field(description="Unique across the run; what depends_on refers to.")
    tier: Tier | None = Field(None, description="Preset for the objectives left out (catalogs/tiers.yaml).")
    state: Literal["stateful", "stateless"] = Field(
        description="stateful: it holds data that must survive; stateless: interchangeable instances."
    )
    objectives: Objectives = Field(default_factory=Objectives, description="RTO, RPO, failures to survive, availability.")
    consistency: Consistency | None = Field(
        None, description="What reads must see: one level for the whole service, or a list of {operation, level}."
    )
    data: Data | None = Field(None, description="What it stores and how fast it changes.")
    latency_budget: LatencyBudget | None = Field(None, description="Latency its clients accept.")
    regions: list[RegionId] = Field(default_factory=list, description="Where the service may run.")
    clients: list[RegionId] = Field(default_factory=list, description="Where its traffic comes from.")
    technology: str | None = Field(
        None, pattern=r"^[a-z0-9][a-z0-9.-]*$",
        description="The store or runtime, e.g. postgresql: failover, lag and restore figures from catalogs/technologies.yaml.",
    )
    capacity: int | None = Field(None, ge=1, le=100_000, description="Instances needed to carry peak load (stateless tiers); 2 when left out.")
    deployment: Deployment | None = Field(None, description="What runs today: audit checks it, simulate fails it.")
    depends_on: list[ServiceName] = Field(default_factory=list, description="Services it needs, by name, from any file of the run.")
    ignore: list[Ignore] = Field(default_factory=list, description="Audit rules suppressed for this service.")
    assumptions: Assumptions | None = Field(None, description="This service's own values for the catalogs' assumptions.")


class Site(StrictModel):
    """A custom failure domain (an on-premises data centre) with measured round trips."""

    name: str = Field(pattern=r"^dc:[A-Za-z0-9][A-Za-z0-9._-]*$", description="dc:NAME, the region services write for it.")
    lat: float = Field(ge=-90, le=90, description="Latitude in degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees.")
    zones: int = Field(1, ge=1, le=100, description="Independent failure zones in the site.")
    rtt_ms: dict[RegionId, Annotated[float, Field(gt=0, le=10_000)]] = Field(
        default_factory=dict, description="Measured round trips in milliseconds to other regions or sites; never below the physical floor."
    )


class SpecDocument(StrictModel):
    """One YAML document of a service file."""

    version: Literal[1] = Field(description="The spec version; always 1.")
    services: list[Service] = Field(default_factory=list, description="The services this document describes.")
    sites: list[Site] = Field(default_factory=list, description="Your own data centres, as regions dc:NAME for every service of the run.")
