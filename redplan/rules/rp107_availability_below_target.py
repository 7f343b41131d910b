"""RP107 availability-below-target: the declared design is estimated to serve writes less often than the target.

The estimate counts the failure domains as independent, each up with the availability assumed
for its level (catalogs/availability.yaml, or the service's own `assumptions.availability`):
a down zone takes down every replica in it. Writes are served while a write quorum is up,
less the failovers of leader-based designs (each outage of the leader's domain stops writes
for the failover time). The finding names the assumptions and how good each level would have
to be for the target to hold, because the figure is only as good as they are.

Failing::

    objectives: {availability: 99.95%}
    deployment:
      pattern: backup-restore
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}

Passing::

    objectives: {availability: 99.95%}
    deployment:
      pattern: active-passive
      replication: async
      replicas:
        - {region: aws:us-east-1, az: a, role: primary}
        - {region: aws:us-east-1, az: b, role: standby}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.analysis.availability import downtime_per_year_s
from redplan.engine.design import LEVEL_NAMES
from redplan.engine.evaluate import Context, availability_thresholds
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.objectives_vs_design import from_tier
from redplan.spec.units import format_availability, format_roughly


class AvailabilityBelowTarget(Rule):
    __doc__ = __doc__
    code = "RP107"
    name = "availability-below-target"
    severity = "warning"
    summary = "the declared design is estimated to serve writes less often than the availability target"

    def check(self, subject: Subject) -> Iterator[Problem]:
        service, design, evaluation = subject.service, subject.design, subject.evaluation
        target = service.objectives.availability
        if target is None or design is None or evaluation is None or evaluation.availability.writes >= target:
            return
        estimate = evaluation.availability
        context = Context(service, subject.fleet.catalog)
        failovers = (f", of which failovers {format_roughly(downtime_per_year_s(1.0 - estimate.failover_share))}"
                     if estimate.failover_share else "")
        needed = [f"{LEVEL_NAMES[level]}s up {format_availability(required)} of the time "
                  f"(assumed {format_availability(context.hierarchy.level(level).availability)})"
                  for level, required in availability_thresholds(design, context, target).items() if required is not None]
        would = ("; it would be met with " + " or ".join(needed)) if needed else "; no better node, zone, region or provider alone would meet it"
        path = ("tier",) if "availability" in subject.loaded.from_tier else ("objectives", "availability")
        yield Problem(
            path,
            f"availability target is {from_tier(subject.loaded, 'availability', format_availability(target))} but the declared design "
            f"serves writes an estimated {format_availability(estimate.writes)} of the time: "
            f"{format_roughly(downtime_per_year_s(estimate.writes))} down a year{failovers}, against the "
            f"{format_roughly(downtime_per_year_s(target))} the target allows{would}",
            "spread the replicas that form a write quorum over more zones or regions, or shorten the failover; if your "
            "provider's record is better than the assumption, state it in assumptions.availability",
        )
