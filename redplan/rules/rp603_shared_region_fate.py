"""RP603 shared-region-fate: a service that must survive a region loss depends on one that lives in a single region.

However well a service spreads its own replicas, it stops when a dependency
stops. If anything it depends on, directly or through other services, runs
in one region only, losing that region takes the whole chain down: the
service does not survive a region loss whatever its own design says. Where a
dependency declares no deployment, its `regions` list says where it may run.

Failing::

    - name: storefront
      state: stateless
      objectives: {survive: [node, az, region]}
      regions: [aws:us-east-1, aws:us-west-2]
      depends_on: [orders]
    - name: orders
      state: stateful
      regions: [aws:us-east-1]

Passing::

    - name: storefront
      state: stateless
      objectives: {survive: [node, az, region]}
      regions: [aws:us-east-1, aws:us-west-2]
      depends_on: [orders]
    - name: orders
      state: stateful
      regions: [aws:us-east-1, aws:us-west-2]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.shared_rp401_rp603 import per_fleet, service_graph
from redplan.spec.loader import Fleet, LoadedService


@dataclass(frozen=True)
class Confined:
    """Where the nearest single-region service lies from each service that reaches one."""

    toward: dict[str, str | None]  # service → next service on a shortest chain; None at a single-region service
    region: dict[str, str]  # single-region service → its region


class SharedRegionFate(Rule):
    __doc__ = __doc__
    code = "RP603"
    name = "shared-region-fate"
    severity = "error"
    summary = "a service that must survive a region loss depends on one confined to a single region"
    fleet_wide = True

    def check(self, subject: Subject) -> Iterator[Problem]:
        graph, me = service_graph(subject.fleet), subject.loaded.name
        if not graph.needs.get(me) or "region" not in (subject.service.objectives.survive or []):
            return
        confined = per_fleet(subject.fleet, _confined)
        for name in graph.needs[me]:
            chain = _chain(confined, me, name)
            if chain is None:
                continue
            last = graph.by_name[chain[-1]]
            region = confined.region[last.name]
            yield Problem(
                graph.entry(subject.loaded, name),
                f"must survive a region loss, but its dependency chain {' → '.join(chain)} ends in {last.name}, "
                f"{_where(last, region)}: losing {region} stops {last.name}, and this service with it",
                f"run {last.name} in a second region too, or make this service keep working without it",
            )


def _home(service: LoadedService) -> list[str]:
    """Regions of the declared replicas, else the regions it may run in."""
    deployment = service.spec.deployment
    if deployment is not None and deployment.replicas:
        return list(dict.fromkeys(replica.region for replica in deployment.replicas))
    return list(dict.fromkeys(service.spec.regions))


def _where(service: LoadedService, region: str) -> str:
    deployment = service.spec.deployment
    if deployment is not None and deployment.replicas:
        count = sum(replica.count for replica in deployment.replicas)
        return f"whose {count} replica{'s all sit' if count != 1 else ' sits'} in {region}"
    return f"which lists only {region} in its regions (no deployment declared)"


def _confined(fleet: Fleet) -> Confined:
    """One breadth-first search backwards from every single-region service at once: O(services + edges) per run.
    Only a service something depends on can end a chain, so only those are looked at (a service sent by an
    audit worker is rebuilt at first look)."""
    graph = service_graph(fleet)
    depended = {dependency for needs in graph.needs.values() for dependency in needs}
    region = {name: home[0] for name, service in graph.by_name.items() if name in depended and len(home := _home(service)) == 1}
    dependants: dict[str, list[str]] = {name: [] for name in graph.needs}
    for name, needs in graph.needs.items():
        for dependency in needs:
            dependants[dependency].append(name)
    toward: dict[str, str | None] = {name: None for name in region}
    queue = deque(region)
    while queue:
        node = queue.popleft()
        for dependant in dependants[node]:
            if dependant not in toward:
                toward[dependant] = node
                queue.append(dependant)
    return Confined(toward, region)


def _chain(confined: Confined, me: str, dependency: str) -> tuple[str, ...] | None:
    """me → dependency → … → the nearest single-region service, or None.

    A chain that comes back through `me` (a dependency cycle, RP602) is left out:
    what it reaches, `me` reaches through another entry, reported there.
    """
    if dependency not in confined.toward:
        return None
    chain = [me, dependency]
    while (after := confined.toward[chain[-1]]) is not None:
        chain.append(after)
    return None if me in chain[1:] else tuple(chain)
