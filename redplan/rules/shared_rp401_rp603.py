"""Helpers shared by rules RP401–RP603: the service graph, built once per audit run, and stateless instance counts.

The audit calls every rule once per service, but the graph rules (RP601–RP603)
need the whole fleet. `per_fleet` computes a fleet-wide result on the first
call and hands it out again for every other service of the same run, so a
run costs one pass over the graph rather than one per service.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from redplan.analysis.model import Replica
from redplan.engine.declared import DEFAULT_CAPACITY, UNKNOWN_ZONE
from redplan.engine.design import STATELESS
from redplan.rules.base import Subject
from redplan.spec.loader import Fleet, LoadedService

T = TypeVar("T")

# One slot: the fleet of the current run (held weakly) and what was computed from it.
_slot: tuple[weakref.ref[Fleet], dict[Callable[[Fleet], Any], Any]] | None = None


def per_fleet(fleet: Fleet, build: Callable[[Fleet], T]) -> T:
    """`build(fleet)`, computed once per fleet: the audit hands every service the same Fleet object."""
    global _slot
    if _slot is None or _slot[0]() is not fleet:
        _slot = (weakref.ref(fleet), {})
    results = _slot[1]
    if build not in results:
        results[build] = build(fleet)
    return results[build]


@dataclass(frozen=True)
class ServiceGraph:
    """Services by name, and each one's distinct dependencies in the order its depends_on lists them."""

    by_name: Mapping[str, LoadedService]
    needs: Mapping[str, tuple[str, ...]]

    def entry(self, service: LoadedService, dependency: str) -> tuple[str, int]:
        """The path of the depends_on entry that names `dependency` (its first mention)."""
        return ("depends_on", service.depends_on.index(dependency))


def _build_graph(fleet: Fleet) -> ServiceGraph:
    by_name = {service.name: service for service in fleet.services}
    # the loader rejects unknown names; the filter only keeps a half-loaded fleet from raising here
    needs = {name: tuple(dict.fromkeys(d for d in service.depends_on if d in by_name)) for name, service in by_name.items()}
    return ServiceGraph(by_name, needs)


def service_graph(fleet: Fleet) -> ServiceGraph:
    """O(services + depends_on entries), once per run."""
    return per_fleet(fleet, _build_graph)


@dataclass(frozen=True)
class Instances:
    """A stateless service's instances as the engine expands them, and the capacity peak load needs."""

    replicas: tuple[Replica, ...]  # one per instance; an unstated zone is one shared zone per region
    capacity: int
    capacity_stated: bool

    @property
    def total(self) -> int:
        return len(self.replicas)

    @property
    def capacity_text(self) -> str:
        return f"{self.capacity}" if self.capacity_stated else f"{self.capacity} (capacity not stated; the default)"


def stateless_instances(subject: Subject) -> Instances | None:
    """None unless the declared design is stateless (state: stateless, or pattern n-plus-1)."""
    design = subject.design
    if design is None or design.coordination != STATELESS:
        return None
    capacity = subject.service.capacity
    return Instances(design.replicas, capacity or DEFAULT_CAPACITY, capacity is not None)


def zone_label(region: str, az: str) -> str:
    return f"{region} (zone unstated)" if az == UNKNOWN_ZONE else f"{region} zone {az}"
