"""RP205 two-sites-no-tiebreaker: a majority quorum whose voters sit in exactly two regions.

With two sites one always holds at least half the voters, so losing it (or
either, when they are equal) leaves less than a majority and writes stop: the
second site adds latency but not region tolerance. A third region with one more
voter, even a witness or arbiter that holds no data, lets either site fail.
Checked when `region` is in survive.

Failing::

    objectives: {survive: [node, az, region]}
    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: replica, count: 2}
        - {region: aws:us-west-2, az: a, role: replica}
      quorum: {write: majority, read: majority}

Passing::

    objectives: {survive: [node, az, region]}
    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-west-2, az: a, role: replica}
        - {region: aws:us-east-2, az: a, role: witness}
      quorum: {write: majority, read: majority}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.failure_domains import REPLICAS, acked_with, two_sites


class TwoSitesNoTiebreaker(Rule):
    __doc__ = __doc__
    code = "RP205"
    name = "two-sites-no-tiebreaker"
    severity = "error"
    summary = "majority quorum over exactly two regions, with no third-region vote"

    def check(self, subject: Subject) -> Iterator[Problem]:
        design = subject.design
        if design is None or "region" not in (subject.service.objectives.survive or []):
            return
        found = two_sites(design)
        if found is None:
            return
        (first, larger), (second, smaller) = sorted(found.counts.items(), key=lambda item: -item[1])
        which = "either" if larger == smaller else first
        yield Problem(
            REPLICAS,
            f"`region` is in survive, but the {found.total} {found.noun} sit in exactly two regions, {first} ({larger}) "
            f"and {second} ({smaller}), with no third region, witness or arbiter: losing {which} leaves {smaller} of "
            f"{found.total}, short of the majority of {found.quorum}{acked_with(subject, 'region', first)}",
            "add a voter in a third region (a witness or arbiter is enough) so that a majority outlives either site",
        )
