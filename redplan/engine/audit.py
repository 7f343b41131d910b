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
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

from redplan import __version__
from redplan.catalog import Catalog
from redplan.engine.declared import declared_design
from redplan.engine.evaluate import Context, evaluate
from redplan.engine.recommend import assessment_of
from redplan.engine.results import EncodedJson, Finding, Report, ServiceResult, Summary, Tool, to_json
from redplan.parallel import Forked, can_fork
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.registry import BY_CODE, RULES
from redplan.spec.errors import SpecInputError
from redplan.spec.loader import Fleet, LoadedService, load_fleet

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
SERVICE_RULES = [rule for rule in RULES if not rule.fleet_wide]
FLEET_RULES = [rule for rule in RULES if rule.fleet_wide]
Audited = dict[tuple[str, tuple], ServiceResult]
"""Per (file, path of the service in it): what the per-service rules found, before suppressions."""


PARALLEL_FROM_BYTES = 200_000
"""Runs with less YAML than this (about 450 services) are audited in one process: workers would cost more than they save."""
PARENT_SHARE = 0.7
"""The share of the files this process audits, against 1 for each worker: it also loads the whole run."""


def audit_fleet(fleet: Fleet, today: datetime.date | None = None, on_service: Callable[[], None] | None = None,
                details: bool = True, workers: Forked[list[str], Audited] | None = None) -> Report:
    """Findings for every service, sorted by file, line and rule so the output never depends on file order.

    With `details`, each service also carries its objectives and the assessment of its declared
    design (the JSON report shows them; the other formats show findings only, and skip the cost).
    Services that `workers` (see `early_audit`) have audited are not audited again here.
    """
    today = today or datetime.date.today()
    advance = on_service or (lambda: None)
    done = set() if workers is None else {file for share in workers.shares for file in share}
    audited: Audited = {}
    for loaded in fleet.services:  # this process's share, while the workers audit theirs
        if loaded.file not in done:
            audited[(loaded.file, loaded.path)] = _per_service(loaded, fleet, details)
            advance()
    if workers is not None and details:  # encode ours while the workers finish theirs (the formatter would, after them)
        audited = {key: _with_encoded_assessment(result) for key, result in audited.items()}
    if workers is not None and not fleet.sites:  # sites extend the catalog: a share's own load would not have seen them all
        for answer in workers.answers():
            audited.update(answer or {})  # None: the worker died, and its share is audited below
    results = []
    for loaded in fleet.services:
        key = (loaded.file, loaded.path)
        if key not in audited:  # set aside, or not audited by its worker: audited here
            audited[key] = _per_service(loaded, fleet, details)
        results.append(_finished(audited[key], loaded, fleet, today))
        if loaded.file in done:
            advance()
    results.sort(key=lambda result: (result.file, result.line, result.name))
    counts = {severity: sum(1 for result in results for finding in result.findings if finding.severity == severity) for severity in SEVERITY_ORDER}
    summary = Summary(services=len(results), recommended=0, unmet=0, errors=counts["error"], warnings=counts["warning"], infos=counts["info"])
    return Report(tool=Tool(name="redplan", version=__version__), services=results, summary=summary)


@contextmanager
def early_audit(files: list[str], catalog: Catalog, jobs: int, details: bool) -> Iterator[Forked[list[str], Audited] | None]:
    """Start workers on shares of `files` now, before this process loads them all; None for a small run.

    Loading is a third of an audit and has to be whole before the run-wide checks (unique names,
    `depends_on`) and the service-graph rules, so it would otherwise keep the other CPUs idle. Each
    worker loads its share alone and runs the rules that look at one service; this process loads
    everything, audits its own share, and then applies the service-graph rules and the suppressions
    to every service, so the report is the same byte for byte as from one process. On an input error
    this process reports it and the workers are stopped.
    """
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


def _audit_share(files: list[str], catalog: Catalog, details: bool) -> Audited:
    """In a worker: what the per-service rules find in these files, loaded on their own."""
    try:
        fleet = load_fleet(files, catalog, whole=False)
    except SpecInputError:
        return {}  # the whole run's load reports it, or (a site defined in another file) audits these services itself
    gc.freeze()  # as the main process does after loading: collections need not scan the share again
    audited = {(loaded.file, loaded.path): _per_service(loaded, fleet, details) for loaded in fleet.services}
    return {key: _with_encoded_assessment(result) for key, result in audited.items()} if details else audited


def _with_encoded_assessment(result: ServiceResult) -> ServiceResult:
    """The assessment as the JSON report's text (see EncodedJson): the details exist only for the JSON report."""
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
    if not graph and not loaded.spec.ignore:
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
