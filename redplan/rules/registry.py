"""The explicit list of audit rules: what `redplan rules`, `redplan explain`, SARIF and the audit iterate.

Adding a rule: write its module (code, slug, severity, docstring with a failing and a
passing example, check), list it here, and add its case file under tests/rules/cases/.
"""

from __future__ import annotations

from redplan.rules.base import Rule
from redplan.rules.rp101_rpo_zero_without_sync import RpoZeroWithoutSync

RULES: tuple[Rule, ...] = (
    RpoZeroWithoutSync(),
)
BY_CODE = {rule.code: rule for rule in RULES}


def find_rule(code_or_name: str) -> Rule | None:
    """A rule by its code (RP101, any case) or its slug (rpo-zero-without-sync)."""
    wanted = code_or_name.strip()
    return BY_CODE.get(wanted.upper()) or next((rule for rule in RULES if rule.name == wanted.lower()), None)
