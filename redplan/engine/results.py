"""Result models: what the engine hands to the formatters, and the public JSON contract (DESIGN.md §4).

Names here are a public interface: add freely, remove nothing without a
schema_version bump. Plain frozen dataclasses rather than pydantic models:
they are built, never parsed, and building pydantic schemas for them cost
a tenth of recommend's start-up time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from redplan.analysis.model import Tolerance

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Tolerances:
    write: Tolerance
    read: Tolerance
    durability: Tolerance


@dataclass(frozen=True)
class Latency:
    p50: float
    p99: float
    basis: str


@dataclass(frozen=True)
class Part:
    """One term of a sum (RTO components, cost items) with where its number comes from."""

    item: str
    value: float
    basis: str


REPLICATION_LAG, BACKUP_WINDOW = "replication lag", "backup"
"""DataLoss.window: what an RPO above zero stands for, the lag of an asynchronous copy or the time since the last backup."""


@dataclass(frozen=True)
class DataLoss:
    """Acknowledged writes at risk when the primary fails, where the RPO is a replication lag or a backup
    window: the window's quantile at `confidence`, its median and mean, and with a write rate the writes
    lost on average and the chance that none is (analysis/data_loss.py)."""

    window: str  # REPLICATION_LAG | BACKUP_WINDOW
    confidence: float
    rpo_s: float  # the window's `confidence` quantile
    median_s: float
    mean_s: float
    expected_writes_lost: float | None  # None: no write rate stated
    p_nothing_lost: float | None
    basis: str


@dataclass(frozen=True)
class Estimates:
    rto_s: float | None  # None: this design cannot recover from some failure it must survive
    rpo_s: float | None
    write_latency_ms: Latency
    monthly_cost_usd: float
    cost_multiple: float  # of the unreplicated baseline: one instance and its storage
    rto_parts: list[Part]
    rpo_parts: list[Part]
    cost_parts: list[Part]
    availability: float | None = None  # of writes: the fraction of time a write can commit
    read_availability: float | None = None
    availability_parts: list[Part] = field(default_factory=list)  # the writes' downtime, seconds a year, by cause
    data_loss: DataLoss | None = None  # None: the design loses no acknowledged write, or its RPO is unbounded


@dataclass(frozen=True)
class Staleness:
    """PBS figures of partial quorums (R + W ≤ N): k_staleness[k-1] is the chance a read misses the last
    k writes with random quorums; the t-visibility figures come from a seeded simulation (recommend only)."""

    n: int
    w: int
    r: int
    k_staleness: list[float]
    consistent_at_commit: float | None = None  # share of reads started right after a commit that see it
    ms_to_999: float | None = None  # how long after a commit 99.9% of reads see the write
    model: str | None = None  # the message delays simulated
    trials: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Assessment:
    tolerance: Tolerances
    consistent_reads: bool
    conflicting_writes: bool
    estimates: Estimates
    staleness: Staleness | None = None  # leaderless partial quorums only


@dataclass(frozen=True)
class PlacedReplica:
    region: str
    az: str
    role: str
    count: int
    sync: bool = False


@dataclass(frozen=True)
class QuorumSetting:
    write: str
    read: str
    scope: str


@dataclass(frozen=True)
class Check:
    """One objective against what a design delivers."""

    objective: str  # rto | rpo | survive | consistency | latency | data | technology
    target: str
    actual: str
    met: bool
    detail: str = ""


@dataclass(frozen=True)
class Rejected:
    pattern: str
    placement: str
    reasons: list[str]


@dataclass(frozen=True)
class Recommendation:
    pattern: str
    replication: str
    kind: str
    coordination: str
    placement: list[PlacedReplica]
    quorum: QuorumSetting
    leader_region: str | None
    estimates: Estimates
    assessment: Assessment
    checks: list[Check]
    rationale: list[str]
    needs: list[str]  # coordination the pattern requires: election, fencing, witness, conflict resolution
    rejected: list[Rejected]
    assumptions: list[str]
    config: str | None = None
    config_language: str | None = None
    # per level (node, az, region, provider): the lowest availability at which the target still holds (None: none would)
    availability_thresholds: dict[str, float | None] | None = None
    availability_with_dependencies: Part | None = None  # writes' availability in series with everything it depends on


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: str  # error | warning | info
    message: str
    file: str
    line: int
    column: int
    service: str = ""
    hint: str = ""
    path: str = ""  # the YAML path inside the service, e.g. deployment.replication
    fingerprint: str = ""  # stable across line moves: rule, file, service and path (see engine.audit)


@dataclass(frozen=True)
class ServiceResult:
    name: str
    file: str
    line: int
    objectives: dict[str, object]
    assessment: Assessment | EncodedJson | None = None  # of the declared deployment, when there is one
    recommendation: Recommendation | None = None  # None: no design meets every objective
    unmet: list[Rejected] = field(default_factory=list)  # when nothing qualifies: the closest designs and what they miss
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    services: int
    recommended: int
    unmet: int
    errors: int = 0
    warnings: int = 0
    infos: int = 0


@dataclass(frozen=True)
class Tool:
    name: str
    version: str


@dataclass(frozen=True)
class Report:
    tool: Tool
    services: list[ServiceResult]  # in_report_order
    summary: Summary
    schema_version: int = SCHEMA_VERSION


def in_report_order(service: ServiceResult) -> tuple[str, int, str]:
    """By file, line and name: a report never depends on the order its files were given in."""
    return (service.file, service.line, service.name)


class EncodedJson:
    """A service of an audit's JSON report, encoded by the worker process that audited it (see `encoded`).

    Text crosses between processes several times faster than the objects would, and the JSON formatter
    writes it as is. It stands for the service only while the service's findings are the very list it was
    encoded with: suppressions, service-graph findings and baselines put in a new list, and the service is
    then encoded anew around its assessment's text (`assessment`), the one part that is never recomputed.
    """

    __slots__ = ("text", "findings", "_start", "_end")

    def __init__(self, text: str, assessment: slice, findings: list[Finding]) -> None:
        self.text, self.findings, self._start, self._end = text, findings, assessment.start, assessment.stop

    @property
    def assessment(self) -> str:
        return self.text[self._start : self._end]


def encoded(service: ServiceResult) -> ServiceResult:
    """The service with its JSON text in place of its assessment (a service without one stays as it is)."""
    if service.assessment is None:
        return service
    assessment = to_json(service.assessment)
    text, start = _spliced(service, assessment)
    return replace(service, assessment=EncodedJson(text, slice(start, start + len(assessment)), service.findings))


def service_json(service: ServiceResult) -> str:
    """The service as the JSON report writes it: its worker's text while its findings are unchanged."""
    assessment = service.assessment
    if not isinstance(assessment, EncodedJson):
        return to_json(service)
    if assessment.findings is service.findings:
        return assessment.text
    return _spliced(service, assessment.assessment)[0]


def _spliced(service: ServiceResult, assessment: str) -> tuple[str, int]:
    """The service encoded with `assessment` (text) as its assessment, and where that text starts.

    The first '"assessment":null' is the key (a string value would have its quotes escaped); the fields
    are encoded as a dict, as `to_json` encodes a dataclass, without the cost of copying the dataclass."""
    before, after = to_json(dict(vars(service), assessment=None)).split('"assessment":null', 1)
    return f'{before}"assessment":{assessment}{after}', len(before) + len('"assessment":')


def to_json(value: Any) -> str:
    """The contract's encoding: compact, keys sorted, UTF-8 text rather than escapes."""
    return _ENCODER.encode(value)


def _fields(value: Any) -> dict[str, Any]:
    """A result dataclass as the encoder's next dict (its own, not a copy: nothing else is stored on
    these frozen instances). The C encoder walks lists, numbers and strings itself and asks this only
    for each dataclass: a third faster than converting the report first."""
    if not hasattr(type(value), "__dataclass_fields__"):
        raise TypeError(f"{type(value).__name__} is not part of the JSON report")
    return value.__dict__


_ENCODER = json.JSONEncoder(default=_fields, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
"""One encoder for every call: the audit encodes service by service."""
