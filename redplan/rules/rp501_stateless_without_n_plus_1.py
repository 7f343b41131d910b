"""RP501 stateless-without-n-plus-1: a stateless service runs fewer instances than its capacity plus one.

`capacity` is how many instances carry peak load (2 when left out). With only
that many, the first instance that fails, or is drained for a deploy, leaves
the rest overloaded at peak: a routine event becomes an outage. N+1 keeps one
spare.

Failing::

    state: stateless
    capacity: 3
    deployment:
      pattern: n-plus-1
      replicas:
        - {region: aws:us-east-1, az: a, role: instance, count: 2}
        - {region: aws:us-east-1, az: b, role: instance, count: 1}

Passing::

    state: stateless
    capacity: 3
    deployment:
      pattern: n-plus-1
      replicas:
        - {region: aws:us-east-1, az: a, role: instance, count: 2}
        - {region: aws:us-east-1, az: b, role: instance, count: 2}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.shared_rp401_rp603 import stateless_instances


class StatelessWithoutNPlus1(Rule):
    __doc__ = __doc__
    code = "RP501"
    name = "stateless-without-n-plus-1"
    severity = "error"
    summary = "a stateless service has fewer instances than capacity + 1"

    def check(self, subject: Subject) -> Iterator[Problem]:
        instances = stateless_instances(subject)
        if instances is None or instances.total >= instances.capacity + 1:
            return
        total, capacity = instances.total, instances.capacity
        if total < capacity:
            consequence = f"fewer than the {capacity} that peak load needs even with none lost"
        else:
            consequence = f"losing one leaves {total - 1}, below the {capacity} that peak load needs"
        yield Problem(
            ("deployment", "replicas"),
            f"{total} instance{'s' * (total != 1)} for a capacity of {instances.capacity_text}: {consequence}; "
            f"N+1 needs at least {capacity + 1}",
            f"run at least {capacity + 1} instances (or state `capacity:` if fewer carry peak load)",
        )
