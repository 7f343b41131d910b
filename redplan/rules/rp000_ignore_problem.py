"""RP000 ignore-problem: an `ignore:` entry that names no rule, or whose expiry date has passed.

The audit reports these itself while it applies a service's `ignore:` list (so
`check` finds nothing of its own), as findings named `unknown-rule` (the entry
names a code that is not a rule, so it suppresses nothing; `redplan rules` lists
the codes) or `expired-ignore` (the entry's `expires` date has passed, so it no
longer suppresses and the finding it hid is reported again). It is registered so
that `redplan rules`, `redplan explain RP000` and SARIF viewers know it.

Failing::

    ignore:
      - {rule: RP101, reason: "migrating to sync", expires: 2020-01-31}
      - {rule: RP999, reason: "no such rule"}

Passing::

    ignore:
      - {rule: RP101, reason: "migrating to sync in Q1", expires: 2099-03-31}
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.rules.base import Problem, Rule, Subject


class IgnoreProblem(Rule):
    __doc__ = __doc__
    code = "RP000"
    name = "ignore-problem"
    severity = "warning"
    summary = "an ignore entry names no rule, or has expired"

    def check(self, subject: Subject) -> Iterator[Problem]:
        return iter(())  # reported by engine.audit while it applies the ignores
