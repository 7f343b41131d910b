"""RP203 majority-in-one-domain: a quorum group spread over zones (or regions) keeps too many voters in one.

Spreading voters only helps if no single zone holds enough of them to take the
quorum down with it: with 5 voters placed 3 + 2, losing the zone with 3 leaves 2,
short of a majority of 3, so writes stop although the group "spans two zones".
Checked for zones when `az` is in survive and for regions when `region` is
(two regions with a majority quorum are RP205's finding).

Failing::

    objectives: {survive: [node, az]}
    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: replica, count: 3}
        - {region: aws:us-east-1, az: b, role: replica, count: 2}
      quorum: {write: majority, read: majority}

Passing::

    objectives: {survive: [node, az]}
    deployment:
      pattern: active-active
      replication: sync
      replicas:
        - {region: aws:us-east-1, az: a, role: replica, count: 2}
        - {region: aws:us-east-1, az: b, role: replica, count: 2}
        - {region: aws:us-east-1, az: c, role: replica}
      quorum: {write: majority, read: majority}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.failure_domains import REPLICAS, WORD, acked_with, concentrated, spec_index


class MajorityInOneDomain(Rule):
    __doc__ = __doc__
    code = "RP203"
    name = "majority-in-one-domain"
    severity = "error"
    summary = "one zone or region holds enough voters that its loss breaks the write quorum"

    def check(self, subject: Subject) -> Iterator[Problem]:
        design = subject.design
        if design is None:
            return
        for domain in ("az", "region"):
            if domain not in (subject.service.objectives.survive or []):
                continue
            found = concentrated(design, domain)
            if found is None:
                continue
            where, count = found.heavy[0]
            left = found.total - count
            yield Problem(
                (*REPLICAS, spec_index(subject.service, domain, where)),
                f"`{domain}` is in survive, but {where} holds {count} of the {found.total} {found.noun}: losing it leaves "
                f"{left}, short of the write quorum of {found.quorum}{acked_with(subject, domain, where)} "
                f"({found.noun} by {WORD[domain]}: {found.listed()})",
                _hint(found.noun, found.total, found.quorum, WORD[domain]),
            )


def _hint(noun: str, total: int, quorum: int, word: str) -> str:
    spare = total - quorum
    if spare < 1:
        return f"a write quorum of all {total} {noun} survives no loss at all: use a majority quorum"
    return (f"place the {noun} so that no {word} holds more than {spare} of them (what a quorum of {quorum} "
            f"of {total} can lose), over at least {-(-total // spare)} {word}s")
