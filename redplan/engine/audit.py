"""Audit: every rule over every service's declared deployment, as located findings.

Suppressions (`ignore:` in the service, with a reason and an optional expiry)
are applied here: an expired one stops suppressing and says so.
"""

from __future__ import annotations

import datetime

from redplan import __version__
from redplan.engine.declared import declared_design
from redplan.engine.evaluate import Context, evaluate
from redplan.engine.recommend import assessment_of
from redplan.engine.results import Finding, Report, ServiceResult, Summary, Tool
from redplan.rules.base import Problem, Rule, Subject
from redplan.rules.registry import BY_CODE, RULES
from redplan.spec.loader import Fleet, LoadedService

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}


def audit_fleet(fleet: Fleet, today: datetime.date | None = None) -> Report:
    """Findings for every service, sorted by file, line and rule so the output never depends on file order."""
    today = today or datetime.date.today()
    results = sorted((_audit_service(loaded, fleet, today) for loaded in fleet.services), key=lambda result: (result.file, result.line, result.name))
    counts = {severity: sum(1 for result in results for finding in result.findings if finding.severity == severity) for severity in SEVERITY_ORDER}
    summary = Summary(services=len(results), recommended=0, unmet=0, errors=counts["error"], warnings=counts["warning"], infos=counts["info"])
    return Report(tool=Tool(name="redplan", version=__version__), services=results, summary=summary)


def _audit_service(loaded: LoadedService, fleet: Fleet, today: datetime.date) -> ServiceResult:
    service = loaded.spec
    design = declared_design(service)
    evaluation = evaluate(design, Context(service, fleet.catalog)) if design else None
    subject = Subject(loaded, design, evaluation, fleet)
    findings = [_located(loaded, rule, problem) for rule in RULES for problem in rule.check(subject)]
    findings = _apply_ignores(loaded, findings, today)
    line, _ = loaded.locate()
    objectives = {key: value for key, value in service.objectives.model_dump().items() if value is not None}
    findings.sort(key=lambda finding: (finding.line, finding.column, finding.rule))
    return ServiceResult(name=service.name, file=loaded.file, line=line, objectives=objectives,
                         assessment=assessment_of(evaluation) if evaluation else None, findings=findings)


def _located(loaded: LoadedService, rule: Rule, problem: Problem) -> Finding:
    line, column = loaded.locate(*problem.path, at_key=True)
    return Finding(rule=rule.code, name=rule.name, severity=rule.severity, message=problem.message, file=loaded.file,
                   line=line, column=column, service=loaded.name, hint=problem.hint)


def _apply_ignores(loaded: LoadedService, findings: list[Finding], today: datetime.date) -> list[Finding]:
    """Drop findings of ignored rules; an expired or unknown ignore becomes a finding itself."""
    kept = list(findings)
    for index, ignore in enumerate(loaded.spec.ignore):
        line, column = loaded.locate("ignore", index, "rule")
        if ignore.rule not in BY_CODE:
            kept.append(Finding(rule="RP000", name="unknown-rule", severity="warning", file=loaded.file, line=line, column=column,
                                message=f"ignore names {ignore.rule}, which is not a rule (`redplan rules` lists them)", service=loaded.name))
        elif ignore.expires is not None and ignore.expires < today:
            kept.append(Finding(rule="RP000", name="expired-ignore", severity="warning", file=loaded.file, line=line, column=column,
                                message=f"the ignore of {ignore.rule} expired on {ignore.expires.isoformat()} and no longer suppresses it "
                                        f"(reason given: {ignore.reason})", service=loaded.name))
        else:
            kept = [finding for finding in kept if finding.rule != ignore.rule]
    return kept
