"""RP602 dependency-cycle: depends_on forms a cycle.

Services on a dependency cycle cannot start, or recover after a shared
outage, one before the other: each waits for the next. Every service on the
cycle gets the finding, at the depends_on entry that leads around it, with
the shortest such cycle named (in a tangle of over 500 services, one cycle
through it, found in linear time).

Failing::

    - name: billing
      depends_on: [accounts]
    - name: accounts
      depends_on: [billing]

Passing::

    - name: billing
      depends_on: [accounts]
    - name: accounts
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.shared_rp401_rp603 import ServiceGraph, per_fleet, service_graph
from redplan.spec.loader import Fleet


class DependencyCycle(Rule):
    __doc__ = __doc__
    code = "RP602"
    name = "dependency-cycle"
    severity = "error"
    summary = "depends_on forms a cycle"
    fleet_wide = True

    def check(self, subject: Subject) -> Iterator[Problem]:
        cycle = per_fleet(subject.fleet, _cycles).get(subject.loaded.name)
        if cycle is None:
            return
        others = len(set(cycle)) - 1
        if others == 0:
            around = "it depends on itself"
        else:
            around = f"none of these {others + 1} services can start or recover before the others"
        yield Problem(
            service_graph(subject.fleet).entry(subject.loaded, cycle[1]),
            f"depends_on forms a cycle: {' → '.join(cycle)}; {around}",
            "break the cycle: make one of these dependencies optional at start-up (degrade without it), or remove it",
        )


EXACT_LIMIT = 500
"""Largest component whose members each get their shortest cycle: one search per member, O(C·(C + edges))."""


def _cycles(fleet: Fleet) -> dict[str, tuple[str, ...]]:
    """For every service on a cycle, a cycle starting and ending with it: O(services + edges) to find the
    components (Tarjan), then per component of C services O(C·(C + edges)) for shortest cycles up to
    EXACT_LIMIT, O(C + edges + total cycle length) for larger ones."""
    graph = service_graph(fleet)
    cycles: dict[str, tuple[str, ...]] = {}
    for component in _components(graph):
        members = set(component)
        if len(component) == 1 and component[0] not in graph.needs[component[0]]:
            continue
        if len(component) <= EXACT_LIMIT:
            cycles.update((name, _shortest_cycle(graph, name, members)) for name in component)
        else:
            cycles.update(_cycles_through_root(graph, component, members))
    return cycles


def _cycles_through_root(graph: ServiceGraph, component: list[str], members: set[str]) -> dict[str, tuple[str, ...]]:
    """One cycle per member from two searches: member → root, then root → member, cut short where they cross."""
    root = component[0]
    dependants: dict[str, list[str]] = {name: [] for name in component}
    for name in component:
        for dependency in graph.needs[name]:
            if dependency in members:
                dependants[dependency].append(name)
    toward_root = _search(root, dependants)  # member → next service on its way to root
    from_root = _search(root, {name: [d for d in graph.needs[name] if d in members] for name in component})
    cycles = {root: _shortest_cycle(graph, root, members)}
    for name in component:
        if name == root:
            continue
        there = [name]
        while there[-1] != root:
            there.append(toward_root[there[-1]])
        back = [name]
        while back[-1] != root:
            back.append(from_root[back[-1]])
        back.reverse()  # root → … → name
        where = {service: index for index, service in enumerate(back[:-1])}
        cut = next(index for index, service in enumerate(there) if service in where)
        cycles[name] = (*there[:cut], *back[where[there[cut]]:])
    return cycles


def _search(start: str, edges: dict[str, list[str]]) -> dict[str, str]:
    """Breadth-first from `start`: each reached service → the one it was reached from (`start` → itself)."""
    parent = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in edges[node]:
            if successor not in parent:
                parent[successor] = node
                queue.append(successor)
    return parent


def _components(graph: ServiceGraph) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (a 10,000-service chain must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in graph.needs:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph.needs[root]))]
        while work:
            node, successors = work[-1]
            descended = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph.needs[successor])))
                    descended = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _shortest_cycle(graph: ServiceGraph, start: str, members: set[str]) -> tuple[str, ...]:
    """Breadth-first from `start` back to itself, inside its component; ties go to the earlier depends_on entry."""
    parent = {start: start}  # each reached service → the one it was reached from
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in graph.needs[node]:
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return (*reversed(path), start)
            if successor in members and successor not in parent:
                parent[successor] = node
                queue.append(successor)
    raise AssertionError(f"{start} is in a cycle, so a path back to it exists")
