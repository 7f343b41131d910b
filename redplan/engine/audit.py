"""Audit: every rule over every service's declared deployment, as located findings.

Suppressions (`ignore:` in the service, with a reason and an optional expiry)
are applied here: an expired one stops suppressing and says so.
"""

from __future__ import annotations

import datetime
import functools
import gc
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple, Protocol

from redplan import __version__
from redplan.catalog import Catalog
from redplan.engine.declared import declared_design
from redplan.engine.evaluate import Context, evaluate
from redplan.engine.recommend import assessment_of
from redplan.engine.results import (
    EncodedJson,
    Finding,
    Report,
    ServiceResult,
    Summary,
    Tool,
    to_json,
)
from redplan.parallel import Forked, can_fork
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.registry import BY_CODE, RULES
from redplan.spec.errors import SpecInputError
from redplan.spec.files import collect_files
from redplan.spec.loader import Fleet, LoadedService, joined_fleet, load_fleet

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
SERVICE_RULES = [rule for rule in RULES if not rule.fleet_wide]
FLEET_RULES = [rule for rule in RULES if rule.fleet_wide]
Key = tuple[str, int, int]
"""A service in the run: its file, and the line and column where it starts (unique, unlike its path, in a file of several documents)."""
Audited = dict[Key, ServiceResult]
"""What the per-service rules found, before suppressions, by service."""


PARALLEL_FROM_BYTES = 200_000
"""Runs with less YAML than this (about 450 services) are audited in one process: workers would cost more than they save."""
PARENT_SHARE = 1.1
"""The share of the files this process audits, against 1 for each worker: it also joins the shares and writes the report."""


class Progress(Protocol):
    def expect(self, total: int) -> None: ...
    def advance(self) -> None: ...


class ShareAudit(NamedTuple):
    """A worker's answer: its share's services, detached from their documents, and what the rules found in them."""

    services: list[LoadedService]
    audited: Audited


def audit_run(paths: list[str], catalog: Catalog, jobs: int = 1, details: bool = True, progress: Progress | None = None,
              today: datetime.date | None = None) -> Report:
    """Load and audit everything under `paths` (raises SpecInputError). A big run is split into shares of
    its files, each loaded and audited in its own forked process, this one included, then joined: the
    run-wide checks, the service-graph rules and the suppressions see the whole run, so the report is
    the same byte for byte as from one process. Anything a share cannot settle alone (an input error,
    sites, a worker that died) sends the run back to one process, which reports it as it always does."""
    files, _ = collect_files(paths)
    with _workers(files, catalog, jobs, details) as workers:
        if workers is not None:
            report = _audit_shares(files, catalog, workers, details, progress, today)
            if report is not None:
                return report
    fleet = load_fleet(paths, catalog)
    gc.freeze()  # the fleet lives until exit: later collections need not scan it again
    if progress is not None:
        progress.expect(len(fleet.services))
    return audit_fleet(fleet, today, progress, details)


def audit_fleet(fleet: Fleet, today: datetime.date | None = None, progress: Progress | None = None, details: bool = True,
                audited: Audited | None = None) -> Report:
    """Findings for every service, sorted by file, line and rule so the output never depends on file order.

    With `details`, each service also carries its objectives and the assessment of its declared
    design (the JSON report shows them; the other formats show findings only, and skip the cost).
    Services already in `audited` (by the workers of `audit_run`) are only finished here.
    """
    today = today or datetime.date.today()
    audited = dict(audited or {})
    results = []
    for loaded in fleet.services:
        key = _key(loaded)
        if key not in audited:
            audited[key] = _per_service(loaded, fleet, details)
            if progress is not None:
                progress.advance()
        results.append(_finished(audited[key], loaded, fleet, today))
    results.sort(key=lambda result: (result.file, result.line, result.name))
    counts = {severity: sum(1 for result in results for finding in result.findings if finding.severity == severity) for severity in SEVERITY_ORDER}
    summary = Summary(services=len(results), recommended=0, unmet=0, errors=counts["error"], warnings=counts["warning"], infos=counts["info"])
    return Report(tool=Tool(name="redplan", version=__version__), services=results, summary=summary)


def _audit_shares(files: list[str], catalog: Catalog, workers: Forked[list[str], ShareAudit | None], details: bool,
                  progress: Progress | None, today: datetime.date | None) -> Report | None:
    """This process's share, then the workers' answers joined into the run; None when a share could not be settled alone."""
    spread = {file for share in workers.shares for file in share}
    own = _audit_share([file for file in files if file not in spread], catalog, details, progress)
    if own is None:
        return None
    services, audited = list(own.services), dict(own.audited)
    for answer in workers.answers():
        if answer is None:  # an input error or sites in that share, or the worker died
            return None
        services += answer.services  # shares are consecutive runs of `files`: the run's order
        audited.update(answer.audited)
    gc.freeze()  # the answers live until exit: later collections need not scan them
    if progress is not None:
        progress.expect(len(services))
        for _ in range(len(services) - len(own.services)):
            progress.advance()
    try:
        fleet = joined_fleet(files, services, catalog)
    except SpecInputError:
        return None  # one process reports the run's errors, in the run's order
    return audit_fleet(fleet, today, progress, details, audited)


@contextmanager
def _workers(files: list[str], catalog: Catalog, jobs: int, details: bool) -> Iterator[Forked[list[str], ShareAudit | None] | None]:
    """Workers forked on every share of `files` but the first (this process's); None for a small run."""
    sizes = [os.path.getsize(file) if os.path.isfile(file) else 0 for file in files]
    if jobs <= 1 or sum(sizes) < PARALLEL_FROM_BYTES or not can_fork():
        yield None
        return
    shares = _shares(files, sizes, jobs)
    if len(shares) < 2:
        yield None
        return
    workers = Forked(lambda share: _audit_share(share, catalog, details), shares[1:])
    try:
        yield workers
    finally:
        workers.stop()


def _shares(files: list[str], sizes: list[int], jobs: int) -> list[list[str]]:
    """Consecutive runs of files, split by size: PARENT_SHARE for this process (first), 1 for each worker."""
    weights = [PARENT_SHARE] + [1.0] * (jobs - 1)
    total, bounds, cumulative = sum(sizes), [], 0.0
    for weight in weights[:-1]:
        cumulative += weight / sum(weights)
        bounds.append(cumulative * total)
    shares: list[list[str]] = [[] for _ in weights]
    position = 0
    for file, size in zip(files, sizes):
        index = sum(1 for bound in bounds if position + size / 2 > bound)
        shares[index].append(file)
        position += size
    return [shares[0], *(share for share in shares[1:] if share)]


def _audit_share(files: list[str], catalog: Catalog, details: bool, progress: Progress | None = None) -> ShareAudit | None:
    """Load these files on their own and run the rules that look at one service (in a worker, or this
    process's share). None when the share cannot be settled alone: an input error (the whole run's load
    reports it), or sites (they extend the catalog for every share)."""
    try:
        fleet = load_fleet(files, catalog, whole=False)
    except SpecInputError:
        return None
    if fleet.sites:
        return None
    gc.freeze()  # the share lives until exit: later collections need not scan it again
    audited = {}
    for loaded in fleet.services:
        audited[_key(loaded)] = _with_encoded_assessment(_per_service(loaded, fleet, details))
        if progress is not None:
            progress.advance()
    return ShareAudit([loaded.detached() for loaded in fleet.services], audited)


def _key(loaded: LoadedService) -> Key:
    return (loaded.file, *loaded.locate())


def _with_encoded_assessment(result: ServiceResult) -> ServiceResult:
    """The assessment, if any, as the JSON report's text (see EncodedJson): only the JSON report asks for details."""
    return result if result.assessment is None else replace(result, assessment=EncodedJson(to_json(result.assessment)))


def _per_service(loaded: LoadedService, fleet: Fleet, details: bool) -> ServiceResult:
    """What the rules that look at this service alone find (before suppressions), and the details."""
    service = loaded.spec
    design = declared_design(service)
    context = Context(service, fleet.catalog)
    evaluation = evaluate(design, context) if design else None
    subject = Subject(loaded, design, evaluation, fleet)
    findings = sorted((_located(loaded, rule, problem) for rule in SERVICE_RULES for problem in rule.check(subject)), key=_in_file_order)
    line, _ = loaded.locate()
    if not details:
        return ServiceResult(name=service.name, file=loaded.file, line=line, objectives={}, findings=findings)
    objectives = {key: value for key, value in service.objectives.model_dump().items() if value is not None}
    return ServiceResult(name=service.name, file=loaded.file, line=line, objectives=objectives,
                         assessment=assessment_of(evaluation, context) if evaluation else None, findings=findings)


def _finished(audited: ServiceResult, loaded: LoadedService, fleet: Fleet, today: datetime.date) -> ServiceResult:
    """The service-graph rules' findings added, suppressions applied, findings in file order."""
    subject = Subject(loaded, None, None, fleet)  # graph rules read the graph, not the service's design or estimates
    graph = [_located(loaded, rule, problem) for rule in FLEET_RULES for problem in rule.check(subject)]
    if not graph and not loaded.ignores:
        return audited  # most services: nothing to add or suppress, and the findings are already in order
    findings = _apply_ignores(loaded, [*audited.findings, *graph], today)
    return replace(audited, findings=sorted(findings, key=_in_file_order))


def _in_file_order(finding: Finding) -> tuple[int, int, str]:
    return (finding.line, finding.column, finding.rule)


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
