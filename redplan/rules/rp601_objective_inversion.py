"""RP601 objective-inversion: a service depends on a service with looser objectives.

A service is down while what it depends on is down, and loses what that
dependency loses: its real RTO, RPO, availability and survivable failures are
at best its dependency's. Objectives must not loosen along depends_on. Both
sides are compared after their tier presets are applied; RTOs under the
near-zero threshold (15s) count as equal, as the RTO check reads them; RPOs
are compared only between stateful services (a stateless one holds no data);
an objective that either side leaves unset is not compared.

Failing::

    - name: checkout
      state: stateful
      objectives: {rto: 1m, rpo: 0s, survive: [node, az, region]}
      depends_on: [inventory]
    - name: inventory
      state: stateful
      objectives: {rto: 15m, rpo: 0s, survive: [node, az]}

Passing::

    - name: checkout
      state: stateful
      objectives: {rto: 15m, rpo: 5m, survive: [node, az]}
      depends_on: [inventory]
    - name: inventory
      state: stateful
      objectives: {rto: 1m, rpo: 0s, survive: [node, az, region]}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.evaluate import considered_domains
from redplan.engine.objectives import NEAR_ZERO_S
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.shared_rp401_rp603 import service_graph
from redplan.spec.models import Service
from redplan.spec.units import format_duration


class ObjectiveInversion(Rule):
    __doc__ = __doc__
    code = "RP601"
    name = "objective-inversion"
    severity = "warning"
    summary = "depends_on names a service with a looser RTO, RPO, availability or survive list"
    fleet_wide = True

    def check(self, subject: Subject) -> Iterator[Problem]:
        graph = service_graph(subject.fleet)
        for name in graph.needs.get(subject.loaded.name, ()):
            if name == subject.loaded.name:
                continue  # a service depending on itself is a cycle (RP602), not an inversion
            looser = _looser(subject.service, graph.by_name[name].spec)
            if looser:
                yield Problem(
                    graph.entry(subject.loaded, name),
                    f"depends on {name}, whose objectives are looser: " + "; ".join(looser),
                    f"tighten {name}'s objectives (and its design) to match, or relax this service's: "
                    "it cannot do better than what it depends on",
                )


def _looser(own: Service, dependency: Service) -> list[str]:
    """Each objective the dependency promises less of, as 'what: theirs there vs ours here'."""
    mine, theirs = own.objectives, dependency.objectives
    found = []
    if mine.rto is not None and theirs.rto is not None and max(theirs.rto, NEAR_ZERO_S) > max(mine.rto, NEAR_ZERO_S):
        found.append(f"RTO {format_duration(theirs.rto)} there vs {format_duration(mine.rto)} here")
    stateful = own.state == dependency.state == "stateful"
    if stateful and mine.rpo is not None and theirs.rpo is not None and theirs.rpo > mine.rpo:
        found.append(f"RPO {format_duration(theirs.rpo)} there vs {format_duration(mine.rpo)} here")
    if mine.availability is not None and theirs.availability is not None and theirs.availability < mine.availability:
        found.append(f"availability {_percent(theirs.availability)} there vs {_percent(mine.availability)} here")
    needed, kept = considered_domains(own), considered_domains(dependency)
    missing = [domain for domain in needed if domain not in kept]
    if missing:
        found.append(f"survive lacks {', '.join(missing)} (there: {', '.join(kept)}; here: {', '.join(needed)})")
    return found


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.10g}%"
