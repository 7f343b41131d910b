"""Result models: what the engine hands to the formatters, and the public JSON contract (DESIGN.md §4).

Names here are a public interface: add freely, remove nothing without a
schema_version bump.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict

from redplan.analysis.model import Tolerance

SCHEMA_VERSION = 1


class Result(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class Tolerances(Result):
    write: Tolerance
    read: Tolerance
    durability: Tolerance


class Latency(Result):
    p50: float
    p99: float
    basis: str


class Part(Result):
    """One term of a sum (RTO components, cost items) with where its number comes from."""

    item: str
    value: float
    basis: str


class Estimates(Result):
    rto_s: Optional[float]  # None: this design cannot recover from some failure it must survive
    rpo_s: Optional[float]
    write_latency_ms: Latency
    availability: Optional[float] = None
    monthly_cost_usd: float
    cost_multiple: float  # of the unreplicated baseline: one instance and its storage
    rto_parts: list[Part]
    rpo_parts: list[Part]
    cost_parts: list[Part]


class Assessment(Result):
    tolerance: Tolerances
    consistent_reads: bool
    conflicting_writes: bool
    estimates: Estimates


class PlacedReplica(Result):
    region: str
    az: str
    role: str
    count: int
    sync: bool = False


class QuorumSetting(Result):
    write: str
    read: str
    scope: str


class Check(Result):
    """One objective against what a design delivers."""

    objective: str  # rto | rpo | survive | consistency | latency | data | technology
    target: str
    actual: str
    met: bool
    detail: str = ""


class Rejected(Result):
    pattern: str
    placement: str
    reasons: list[str]


class Recommendation(Result):
    pattern: str
    replication: str
    kind: str
    coordination: str
    placement: list[PlacedReplica]
    quorum: QuorumSetting
    leader_region: Optional[str]
    estimates: Estimates
    assessment: Assessment
    checks: list[Check]
    rationale: list[str]
    needs: list[str]  # coordination the pattern requires: election, fencing, witness, conflict resolution
    rejected: list[Rejected]
    assumptions: list[str]
    config: Optional[str] = None
    config_language: Optional[str] = None


class Finding(Result):
    rule: str
    name: str
    severity: str
    message: str
    file: str
    line: int
    column: int


class ServiceResult(Result):
    name: str
    file: str
    line: int
    objectives: dict[str, object]
    assessment: Optional[Assessment] = None  # of the declared deployment, when there is one
    recommendation: Optional[Recommendation] = None  # None: no design meets every objective
    unmet: list[Rejected] = []  # when nothing qualifies: the closest designs and what they miss
    findings: list[Finding] = []


class Summary(Result):
    services: int
    recommended: int
    unmet: int
    errors: int = 0
    warnings: int = 0
    infos: int = 0


class Tool(Result):
    name: str
    version: str


class Report(Result):
    schema_version: int = SCHEMA_VERSION
    tool: Tool
    services: list[ServiceResult]
    summary: Summary
