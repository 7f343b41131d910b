"""The terminal output of `redplan audit`: findings grouped by file and service, clickable file:line:col."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from redplan.engine.results import Report

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class AuditTextFormatter:
    def write(self, report: Report, stream: TextIO) -> None:
        console = Console(file=stream, highlight=False, soft_wrap=True)
        findings = [finding for service in report.services for finding in service.findings]
        for file, in_file in groupby(findings, key=lambda finding: finding.file):
            console.print(f"[bold]{escape(file)}[/bold]")
            for service, in_service in groupby(in_file, key=lambda finding: finding.service):
                console.print(f"  service [bold]{escape(service)}[/bold]")
                for finding in in_service:
                    style = STYLE[finding.severity]
                    console.print(f"    {escape(finding.file)}:{finding.line}:{finding.column}: "
                                  f"[{style}]{finding.rule} {finding.severity}[/{style}] {escape(finding.message)} "
                                  f"[dim]({finding.name})[/dim]")
                    if finding.hint:
                        console.print(f"      [dim]fix: {escape(finding.hint)}[/dim]")
        summary = report.summary
        clean = summary.services - len({(finding.file, finding.service) for finding in findings})
        console.print(f"{summary.services} service{'s' * (summary.services != 1)} audited, {clean} clean: "
                      f"{summary.errors} error{'s' * (summary.errors != 1)}, {summary.warnings} warning{'s' * (summary.warnings != 1)}, "
                      f"{summary.infos} info")
