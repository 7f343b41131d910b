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
import pickle
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
    Finding,
    Report,
    ServiceResult,
    Summary,
    Tool,
    encoded,
    in_report_order,
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
CHUNKS_PER_PROCESS = 16
"""How finely a big run is cut: each process takes the next chunk when it is free, so a slower CPU (another job
on the machine) takes fewer, and the processes finish within a chunk (about 1/16 of their part) of each other."""
MAX_CHUNKS = 4096
"""Whatever --jobs says: their tickets (4 bytes each) must fit in a pipe's buffer (64 KiB on Linux), or writing them would block."""


class Progress(Protocol):
    def expect(self, total: int) -> None: ...
    def advance(self) -> None: ...


class ChunkAudit(NamedTuple):
    """A chunk's audit: its services, detached from their documents, and what the rules found in them."""

    services: list[LoadedService]
    audited: Audited


class Chunks:
    """Consecutive runs of a run's files, handed out in turn to whichever process asks.

    The tickets are chunk numbers in a pipe that forked workers inherit: each read takes the next one, the
    kernel keeps two processes from taking the same, and no lock is left held by a worker that dies."""

    def __init__(self, files: list[list[str]]) -> None:
        self.files = files
        self._tickets, writer = os.pipe()
        os.write(writer, b"".join(index.to_bytes(4, "little") for index in range(len(files))))  # at most MAX_CHUNKS: never blocks
        os.close(writer)

    def taken(self) -> Iterator[tuple[int, list[str]]]:
        """The chunks this process takes, one at a time, until none is left."""
        while len(ticket := os.read(self._tickets, 4)) == 4:
            index = int.from_bytes(ticket, "little")
            yield index, self.files[index]

    def close(self) -> None:
        os.close(self._tickets)


def audit_run(paths: list[str], catalog: Catalog, jobs: int = 1, details: bool = True, progress: Progress | None = None,
              today: datetime.date | None = None) -> Report:
    """Load and audit everything under `paths` (raises SpecInputError). A big run is cut into chunks of
    its files, which forked workers and this process take in turn, each loading and auditing its chunks
    on their own; then they are joined: the run-wide checks, the service-graph rules and the
    suppressions see the whole run, so the report is the same byte for byte as from one process.
    Anything a chunk cannot settle alone (an input error, sites, a worker that died) sends the run back
    to one process, which reports it as it always does."""
    files, _ = collect_files(paths)
    with _workers(files, catalog, jobs, details) as parallel:
        if parallel is not None:
            report = _audit_in_chunks(files, catalog, *parallel, details, progress, today)
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
    results.sort(key=in_report_order)
    counts = {severity: sum(1 for result in results for finding in result.findings if finding.severity == severity) for severity in SEVERITY_ORDER}
    summary = Summary(services=len(results), recommended=0, unmet=0, errors=counts["error"], warnings=counts["warning"], infos=counts["info"])
    return Report(tool=Tool(name="redplan", version=__version__), services=results, summary=summary)


def _audit_in_chunks(files: list[str], catalog: Catalog, chunks: Chunks, workers: Forked[int, list[tuple[int, bytes | None]]],
                  details: bool, progress: Progress | None, today: datetime.date | None) -> Report | None:
    """The chunks this process takes, then the workers' answers joined into the run; None when a chunk could not
    be settled alone, or a worker died with chunks in hand."""
    done: dict[int, ChunkAudit] = {}
    for index, chunk in _taken(chunks, catalog, details, progress):
        if chunk is None:
            return None
        done[index] = chunk
    own = sum(len(chunk.services) for chunk in done.values())
    for answer in workers.answers():
        for index, pickled in answer or []:
            if pickled is None:  # an input error or sites in that chunk
                return None
            done[index] = pickle.loads(pickled)
    if len(done) < len(chunks.files):  # a worker died
        return None
    gc.freeze()  # the answers live until exit: later collections need not scan them
    services = [service for index in sorted(done) for service in done[index].services]  # chunks follow `files`: the run's order
    audited = {key: result for chunk in done.values() for key, result in chunk.audited.items()}
    if progress is not None:
        progress.expect(len(services))
        for _ in range(len(services) - own):
            progress.advance()
    try:
        fleet = joined_fleet(files, services, catalog)
    except SpecInputError:
        return None  # one process reports the run's errors, in the run's order
    return audit_fleet(fleet, today, progress, details, audited)


def _taken(chunks: Chunks, catalog: Catalog, details: bool, progress: Progress | None = None) -> Iterator[tuple[int, ChunkAudit | None]]:
    """Each chunk this process takes, audited (None, and no more, for one that cannot be settled alone)."""
    for index, files in chunks.taken():
        chunk = _audit_chunk(files, catalog, details, progress)
        yield index, chunk
        if chunk is None:
            return


def _worker_answer(chunks: Chunks, catalog: Catalog, details: bool) -> list[tuple[int, bytes | None]]:
    """A worker's chunks, each pickled as soon as it is audited: the cost of sending them is paid while the
    chunks are still being handed out, so it counts in the balance instead of after it."""
    return [(index, None if chunk is None else pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))
            for index, chunk in _taken(chunks, catalog, details)]


@contextmanager
def _workers(files: list[str], catalog: Catalog, jobs: int, details: bool) -> Iterator[tuple[Chunks, Forked[int, list[tuple[int, bytes | None]]]] | None]:
    """The run cut into chunks, and workers forked to take them with this process; None for a small run."""
    sizes = [os.path.getsize(file) if os.path.isfile(file) else 0 for file in files]
    if jobs <= 1 or sum(sizes) < PARALLEL_FROM_BYTES or not can_fork():
        yield None
        return
    cut = _chunked(files, sizes, min(CHUNKS_PER_PROCESS * jobs, MAX_CHUNKS))
    if len(cut) < 2:
        yield None
        return
    chunks = Chunks(cut)
    workers = Forked(lambda _: _worker_answer(chunks, catalog, details), list(range(jobs - 1)))
    try:
        yield chunks, workers
    finally:
        workers.stop()
        chunks.close()


def _chunked(files: list[str], sizes: list[int], count: int) -> list[list[str]]:
    """Consecutive runs of files, `count` of about equal size (fewer when there are fewer files)."""
    chunks: list[list[str]] = [[] for _ in range(count)]
    total, position = sum(sizes), 0
    for file, size in zip(files, sizes):
        chunks[min(count - 1, int((position + size / 2) * count / max(total, 1)))].append(file)
        position += size
    return [chunk for chunk in chunks if chunk]


def _audit_chunk(files: list[str], catalog: Catalog, details: bool, progress: Progress | None = None) -> ChunkAudit | None:
    """Load these files on their own and run the rules that look at one service (in a worker, or this
    process). None when the chunk cannot be settled alone: an input error (the whole run's load
    reports it), or sites (they extend the catalog for every chunk)."""
    try:
        fleet = load_fleet(files, catalog, whole=False)
    except SpecInputError:
        return None
    if fleet.sites:
        return None
    gc.freeze()  # the chunk lives until exit: later collections need not scan it again
    audited = {}
    for loaded in fleet.services:
        audited[_key(loaded)] = encoded(_per_service(loaded, fleet, details))
        if progress is not None:
            progress.advance()
    return ChunkAudit([loaded.detached() for loaded in fleet.services], audited)


def _key(loaded: LoadedService) -> Key:
    return (loaded.file, *loaded.locate())


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
    if not loaded.depends_on and not loaded.ignores:
        return audited  # most services: nothing to add or suppress (graph rules report only on services with depends_on)
    subject = Subject(loaded, None, None, fleet)  # graph rules read the graph, not the service's design or estimates
    graph = [_located(loaded, rule, problem) for rule in FLEET_RULES for problem in rule.check(subject)]
    if not graph and not loaded.ignores:
        return audited  # the findings are already in order
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
