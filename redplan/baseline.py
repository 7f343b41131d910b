"""Baselines: accept today's findings so CI fails only on new ones.

A baseline file holds finding fingerprints (rule, file, service and YAML path,
never line numbers), so moving lines around does not resurrect a finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from redplan.engine.results import Report, ServiceResult

MARKER = "redplan-baseline"


class BaselineError(Exception):
    pass


def read_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error}") from None
    if not isinstance(data, dict) or data.get("kind") != MARKER:
        raise BaselineError(f"{path}: not a redplan baseline (write one with --write-baseline)")
    return {entry["fingerprint"] for entry in data.get("findings", []) if isinstance(entry, dict) and "fingerprint" in entry}


def write_baseline(path: Path, report: Report) -> int:
    """Write every finding of `report`; refuses to replace a file that is not a redplan baseline."""
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            existing = None
        if not isinstance(existing, dict) or existing.get("kind") != MARKER:
            raise BaselineError(f"{path}: exists and is not a redplan baseline; not overwriting it")
    findings = sorted(
        ({"fingerprint": finding.fingerprint, "rule": finding.rule, "file": finding.file, "service": finding.service, "message": finding.message}
         for service in report.services for finding in service.findings),
        key=lambda entry: (entry["file"], entry["service"], entry["rule"], entry["fingerprint"]),
    )
    path.write_text(json.dumps({"kind": MARKER, "schema_version": 1, "findings": findings}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(findings)


def without_baselined(report: Report, known: set[str]) -> tuple[Report, int]:
    """The report minus findings the baseline knows, and how many were dropped."""
    dropped = 0
    services: list[ServiceResult] = []
    for service in report.services:
        kept = [finding for finding in service.findings if finding.fingerprint not in known]
        dropped += len(service.findings) - len(kept)
        services.append(replace(service, findings=kept))
    summary = replace(report.summary, errors=_count(services, "error"), warnings=_count(services, "warning"),
                      infos=_count(services, "info"))
    return replace(report, services=services, summary=summary), dropped


def _count(services: Iterable[ServiceResult], severity: str) -> int:
    return sum(1 for service in services for finding in service.findings if finding.severity == severity)

