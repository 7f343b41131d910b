"""RP301 even-voters: an even number of voters in a consensus or quorum group.

A majority of 2k voters is k+1, so the group keeps writing through k-1 failures:
exactly what 2k-1 voters give. The extra voter adds cost, a larger quorum to wait
for and one more machine that can fail, and no tolerance. Counted per region for
local and each scopes, where the majority is taken per region.

Failing::

    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: replica, count: 2}
        - {region: aws:us-east-1, az: b, role: replica, count: 2}
      quorum: {write: majority, read: majority}

Passing::

    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: replica}
        - {region: aws:us-east-1, az: b, role: replica}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: majority, read: majority}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.engine.design import CONSENSUS, LEADERLESS
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.coordination import counted, declared_path


class EvenVoters(Rule):
    __doc__ = __doc__
    code = "RP301"
    name = "even-voters"
    severity = "warning"
    summary = "even number of voters in a consensus or quorum group"

    def check(self, subject: Subject) -> Iterator[Problem]:
        design = subject.design
        if design is None or design.coordination not in (CONSENSUS, LEADERLESS):
            return
        for group in counted(design.replicas, design.write):
            voters = group.population
            if voters == 0 or voters % 2 or group.size != voters // 2 + 1:
                continue  # odd, or a quorum that is not a majority: the even count is not what limits it
            where = f" in {group.region}" if group.region else ""
            fewer = voters - 1
            yield Problem(
                declared_path(subject.service, ("deployment", "replicas")),
                f"{voters} voters{where} need a majority of {group.size} and keep writing through "
                f"{voters - group.size} failure{'s' * (voters - group.size != 1)}, no more than {fewer} voters "
                f"(majority {fewer // 2 + 1}) would: the {_ordinal(voters)} voter adds cost and a larger quorum, not tolerance",
                f"use an odd number of voters: {fewer} or {voters + 1} (a witness or arbiter can be the extra vote)",
            )


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
