"""RP402 over-engineered: the declared design costs more than twice the cheapest design that meets every objective.

Redundancy beyond what the objectives ask for is money spent on failures
nobody asked to survive. Either the objectives leave out a real need (write
it down, so the next reader knows why), or the design can shrink to the one
`redplan recommend` prints. Only designs that already meet every objective
are compared: one that misses an objective is not over-engineered, it is
wrong, and other rules say how.

Failing::

    state: stateless
    capacity: 2
    objectives: {rto: 1m, survive: [node]}
    regions: [aws:us-east-1]
    deployment:
      pattern: n-plus-1
      replicas:
        - {region: aws:us-east-1, az: a, role: instance, count: 12}

Passing::

    state: stateless
    capacity: 2
    objectives: {rto: 1m, survive: [node]}
    regions: [aws:us-east-1]
    deployment:
      pattern: n-plus-1
      replicas:
        - {region: aws:us-east-1, az: a, role: instance, count: 3}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.recommend import cheapest_design_below
from redplan.rules.base import Problem, Rule, Subject

RATIO = 2.0
"""How many times the cheapest sufficient design's monthly cost the declared one may cost before it is flagged."""


class OverEngineered(Rule):
    __doc__ = __doc__
    code = "RP402"
    name = "over-engineered"
    severity = "info"
    summary = "the declared design costs over twice the cheapest design that meets the objectives"

    def check(self, subject: Subject) -> Iterator[Problem]:
        design, evaluation = subject.design, subject.evaluation
        if design is None or evaluation is None or not evaluation.feasible:
            return  # checked before the recommender runs: it is the costly part (a few ms per service)
        declared = round(evaluation.cost.total, 2)
        if declared <= RATIO * evaluation.baseline_usd:
            # no design costs less than one unreplicated instance with its data (at the declared home
            # provider's prices: a cheaper provider among the regions could escape this bound)
            return
        best = cheapest_design_below(subject.service, subject.fleet.catalog, declared / RATIO)
        if best is None or best.cost.total <= 0:
            return
        cheapest = round(best.cost.total, 2)
        yield Problem(
            ("deployment",),
            f"the declared design, {design.kind} with {design.placement_summary}, costs ${declared:,.0f}/month, "
            f"{declared / cheapest:.1f}× the ${cheapest:,.0f}/month of the cheapest design that meets every objective: "
            f"{best.design.kind} with {best.design.placement_summary}",
            "`redplan recommend` prints that design; if a need the objectives leave out justifies the extra, "
            "state it as an objective, or ignore RP402 with that reason",
        )
