"""Audit: every rule over every service's declared deployment, as located findings.

Suppressions (`ignore:` in the service, with a reason and an optional expiry)
are applied here: an expired one stops suppressing and says so.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Callable, Iterator

from redplan import __version__
from redplan.engine.declared import declared_design
from redplan.engine.evaluate import Context, evaluate
from redplan.engine.recommend import assessment_of
from redplan.engine.results import Finding, Report, ServiceResult, Summary, Tool
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.registry import BY_CODE, RULES
from redplan.spec.loader import Fleet, LoadedService

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}


PARALLEL_FROM = 500
"""Fewer services than this are audited in this process: starting workers would cost more than it saves."""
CHUNK = 200


def audit_fleet(fleet: Fleet, today: datetime.date | None = None, on_service: Callable[[], None] | None = None,
                jobs: int = 1, details: bool = True) -> Report:
    """Findings for every service, sorted by file, line and rule so the output never depends on file order.

    With `details`, each service also carries its objectives and the assessment of its declared
    design (the JSON report shows them; the other formats show findings only, and skip the cost).
    With `jobs` > 1, a big fleet is audited by that many forked worker processes, as flake8 does:
    the rules are pure, so the report is the same byte for byte.
    """
    today = today or datetime.date.today()
    results = []
    for result in _audits(fleet, today, jobs, details):
        results.append(result)
        if on_service is not None:
            on_service()
    results.sort(key=lambda result: (result.file, result.line, result.name))
    counts = {severity: sum(1 for result in results for finding in result.findings if finding.severity == severity) for severity in SEVERITY_ORDER}
    summary = Summary(services=len(results), recommended=0, unmet=0, errors=counts["error"], warnings=counts["warning"], infos=counts["info"])
    return Report(tool=Tool(name="redplan", version=__version__), services=results, summary=summary)


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _audits(fleet: Fleet, today: datetime.date, jobs: int, details: bool) -> Iterator[ServiceResult]:
    count = len(fleet.services)
    if jobs <= 1 or count < PARALLEL_FROM or not _can_fork():
        for loaded in fleet.services:
            yield _audit_service(loaded, fleet, today, details)
        return
    global _INHERITED
    _INHERITED = (fleet, today, details)  # forked workers inherit the loaded fleet instead of receiving it pickled
    try:
        chunks = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            for chunk in pool.imap(_audit_chunk, chunks):
                yield from chunk
    finally:
        _INHERITED = None


_INHERITED: tuple[Fleet, datetime.date, bool] | None = None


def _audit_chunk(bounds: tuple[int, int]) -> list[ServiceResult]:
    assert _INHERITED is not None, "workers are forked after the fleet is set"
    fleet, today, details = _INHERITED
    return [_audit_service(fleet.services[index], fleet, today, details) for index in range(*bounds)]


def _can_fork() -> bool:
    """fork() is safe on Linux; macOS's system libraries are not fork-safe, and Windows has no fork."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _audit_service(loaded: LoadedService, fleet: Fleet, today: datetime.date, details: bool) -> ServiceResult:
    service = loaded.spec
    design = declared_design(service)
    evaluation = evaluate(design, Context(service, fleet.catalog)) if design else None
    subject = Subject(loaded, design, evaluation, fleet)
    findings = [_located(loaded, rule, problem) for rule in RULES for problem in rule.check(subject)]
    findings = _apply_ignores(loaded, findings, today)
    line, _ = loaded.locate()
    findings.sort(key=lambda finding: (finding.line, finding.column, finding.rule))
    if not details:
        return ServiceResult(name=service.name, file=loaded.file, line=line, objectives={}, findings=findings)
    objectives = {key: value for key, value in service.objectives.model_dump().items() if value is not None}
    return ServiceResult(name=service.name, file=loaded.file, line=line, objectives=objectives,
                         assessment=assessment_of(evaluation) if evaluation else None, findings=findings)


def _located(loaded: LoadedService, rule: Rule, problem: Problem) -> Finding:
    return _finding(loaded, rule.code, rule.name, rule.severity, problem.path, problem.message, problem.hint)


def _finding(loaded: LoadedService, code: str, name: str, severity: str, path: tuple, message: str, hint: str = "") -> Finding:
    line, column = loaded.locate(*path, at_key=True)
    dotted = ".".join(str(step) for step in path)
    return Finding(rule=code, name=name, severity=severity, message=message, file=loaded.file, line=line, column=column,
                   service=loaded.name, hint=hint, path=dotted, fingerprint=fingerprint(code, loaded.file, loaded.name, dotted))


@functools.lru_cache(maxsize=1024)
def _posix(file: str) -> str:
    return Path(file).as_posix()


def fingerprint(rule: str, file: str, service: str, path: str) -> str:
    """What identifies a finding across edits: no line numbers and no figures, which move and change."""
    text = "\x1f".join((rule, _posix(file), service, path))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _apply_ignores(loaded: LoadedService, findings: list[Finding], today: datetime.date) -> list[Finding]:
    """Drop findings of ignored rules; an expired or unknown ignore becomes a finding itself."""
    kept = list(findings)
    for index, ignore in enumerate(loaded.spec.ignore):
        path = ("ignore", index, "rule")
        if ignore.rule not in BY_CODE:
            message = f"ignore names {ignore.rule}, which is not a rule (`redplan rules` lists them)"
            kept.append(_finding(loaded, "RP000", "unknown-rule", "warning", path, message))
        elif ignore.expires is not None and ignore.expires < today:
            message = (f"the ignore of {ignore.rule} expired on {ignore.expires.isoformat()} and no longer suppresses it "
                       f"(reason given: {ignore.reason})")
            kept.append(_finding(loaded, "RP000", "expired-ignore", "warning", path, message))
        else:
            kept = [finding for finding in kept if finding.rule != ignore.rule]
    return kept
