"""What every audit rule is: a code, a slug, a severity, a docstring that documents it, and a check.

A rule looks at one service (its spec, the design it declares and what that
design delivers) and yields problems as (path inside the service, message,
hint). The audit turns them into located Findings; rules never print.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from redplan.engine.design import Design
from redplan.engine.evaluate import Evaluation
from redplan.spec.loader import Fleet, LoadedService
from redplan.spec.models import Service


@dataclass(frozen=True)
class Problem:
    path: tuple[Any, ...]  # keys and indices inside the service, e.g. ("deployment", "replication")
    message: str
    hint: str = ""


@dataclass(frozen=True)
class Subject:
    """One service as a rule sees it."""

    loaded: LoadedService
    design: Design | None  # what the service declares as deployed, in engine terms
    evaluation: Evaluation | None  # what that design delivers
    fleet: Fleet  # every service of the run, for rules about the service graph

    @cached_property
    def service(self) -> Service:
        """Read once: the rules ask for it some twenty times a service (graph rules may never ask, and a
        service sent by a worker then never rebuilds its spec)."""
        return self.loaded.spec


class Rule:
    """Subclasses set the class attributes and implement `check`; the docstring is the rule's documentation."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    summary: ClassVar[str]
    fleet_wide: ClassVar[bool] = False
    """True for rules that read other services of the run (the service graph); they run once the whole run is loaded,
    and report only on services that depend on others (the audit skips the rest)."""

    def check(self, subject: Subject) -> Iterator[Problem]:
        raise NotImplementedError
