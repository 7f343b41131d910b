"""What the coordination rules (RP301-RP308) share: quorums resolved to numbers and said as W/R/N,
the operations that need more than eventual reads, and the YAML node a finding should point at.

A quorum's size is resolved the way the analysis core resolves it (redplan.analysis.quorum):
over its whole population for `global` scope, over each region's share of it for `local`
and `each`, so the numbers in a message are the ones the analysis used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redplan.analysis.model import Quorum, Replica
from redplan.analysis.quorum import in_population, quorum_size
from redplan.engine.objectives import CONSISTENCY_RANK
from redplan.spec.models import Service


@dataclass(frozen=True)
class Counted:
    """One group a quorum is counted in: `size` of its `population` members must answer."""

    region: str | None  # None: counted over every replica (global scope)
    size: int
    population: int



def counted(replicas: Sequence[Replica], quorum: Quorum) -> list[Counted]:
    """The groups of a quorum with their sizes resolved, regions in the order replicas list them."""
    members = [replica for replica in replicas if in_population(replica, quorum.among)]
    if quorum.scope == "global":
        return [Counted(None, quorum_size(quorum.size, len(members)), len(members))]
    by_region: dict[str, int] = {}
    for replica in members:
        by_region[replica.region] = by_region.get(replica.region, 0) + 1
    return [Counted(region, quorum_size(quorum.size, population), population) for region, population in by_region.items()]


def say(letter: str, replicas: Sequence[Replica], quorum: Quorum) -> str:
    """'W=3 of N=5', 'R=2 of N=3 per region (local scope, 2 regions)', or each region's sizes when they differ."""
    groups = counted(replicas, quorum)
    if quorum.scope == "global":
        return f"{letter}={groups[0].size} of N={groups[0].population}"
    shapes = {(group.size, group.population) for group in groups}
    if len(shapes) == 1:
        size, population = shapes.pop()
        return f"{letter}={size} of N={population} per region ({quorum.scope} scope, {len(groups)} region{'s' * (len(groups) != 1)})"
    each = ", ".join(f"{group.size} of {group.population} in {group.region}" for group in groups)
    return f"{letter} per region ({quorum.scope} scope): {each}"


def strict_operations(service: Service, minimum: str = "session") -> str:
    """The consistency levels at or above `minimum`, named by operation when the spec lists operations."""
    consistency = service.consistency
    if consistency is None:
        return ""
    if isinstance(consistency, str):
        return consistency
    wanted = [f"{operation.operation}: {operation.level}" for operation in consistency
              if CONSISTENCY_RANK[operation.level] >= CONSISTENCY_RANK[minimum]]
    return ", ".join(wanted)


def declared_path(service: Service, *candidates: tuple[str, ...]) -> tuple[str, ...]:
    """The first candidate path (field names) the service file actually writes out, else ("deployment",)."""
    for path in candidates:
        node: Any = service
        for step in path:
            if node is None or step not in getattr(node, "model_fields_set", ()):
                break
            node = getattr(node, step)
        else:
            return path
    return ("deployment",)
