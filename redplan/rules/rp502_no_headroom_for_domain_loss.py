"""RP502 no-headroom-for-domain-loss: losing the largest zone (or region) leaves fewer instances than capacity.

A stateless tier that must survive a zone loss needs the instances left in the
other zones to carry peak load on their own, at once, without waiting for new
instances to start (static stability): over M evenly filled zones that is
capacity × M/(M−1) instances. Autoscaling is no substitute: during a zone
outage every tenant of the region asks for capacity at the same time.

Failing::

    state: stateless
    capacity: 4
    objectives: {survive: [node, az]}
    deployment:
      pattern: n-plus-1
      replicas:
        - {region: aws:us-east-1, az: a, role: instance, count: 3}
        - {region: aws:us-east-1, az: b, role: instance, count: 2}

Passing::

    state: stateless
    capacity: 4
    objectives: {survive: [node, az]}
    deployment:
      pattern: n-plus-1
      replicas:
        - {region: aws:us-east-1, az: a, role: instance, count: 2}
        - {region: aws:us-east-1, az: b, role: instance, count: 2}
        - {region: aws:us-east-1, az: c, role: instance, count: 2}
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter

from redplan.analysis.cost import statically_stable_instances
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.shared_rp401_rp603 import Instances, stateless_instances, zone_label

DOMAINS = {"az": "zone", "region": "region"}


class NoHeadroomForDomainLoss(Rule):
    __doc__ = __doc__
    code = "RP502"
    name = "no-headroom-for-domain-loss"
    severity = "warning"
    summary = "losing the largest zone or region leaves fewer stateless instances than capacity"

    def check(self, subject: Subject) -> Iterator[Problem]:
        survive = subject.service.objectives.survive or []
        domains = [domain for domain in DOMAINS if domain in survive]
        instances = stateless_instances(subject) if domains else None
        if instances is None:
            return
        shortfalls = [text for text in (_shortfall(instances, domain) for domain in domains) if text]
        if shortfalls:
            yield Problem(
                ("deployment", "replicas"),
                "; ".join(shortfalls),
                "spread instances evenly and add headroom: over M zones (regions), capacity × M/(M−1) in all",
            )


def _shortfall(instances: Instances, domain: str) -> str | None:
    """What losing the worst `domain` leaves, when that is below capacity."""
    groups: dict[str, int] = {}
    for replica in instances.replicas:
        label = zone_label(replica.region, replica.az) if domain == "az" else replica.region
        groups[label] = groups.get(label, 0) + 1
    largest, lost = max(groups.items(), key=itemgetter(1))  # the first of the largest, as listed
    left = instances.total - lost
    if left >= instances.capacity:
        return None
    noun = DOMAINS[domain]
    spread = ", ".join(f"{label}: {count}" for label, count in groups.items())
    needed = statically_stable_instances(instances.capacity, max(len(groups), 2))
    return (f"losing the largest {noun} ({largest}, {lost} of {instances.total} instances) leaves {left}, "
            f"below the capacity of {instances.capacity_text} (instances per {noun}: {spread}); "
            f"over {max(len(groups), 2)} {noun}s static stability needs {needed}")

