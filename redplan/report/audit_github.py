"""GitHub Actions workflow annotations for `redplan audit`: shown inline on the pull request's diff.

One line per finding, sorted by file, line, column and rule:

    ::error file=services/db.yaml,line=8,col=7,title=RP101 rpo-zero-without-sync::RPO target is 0 …%0AFix: …

error -> ::error, warning -> ::warning, info -> ::notice. `file` is the path
relative to the working directory (the checkout), as GitHub needs to place the
annotation. The message is the finding's, then "Fix: hint" on a second line.
Escaping follows the runner's rules: in the message % -> %25, CR -> %0D,
LF -> %0A; in the properties also : -> %3A and , -> %2C, so a message can
neither end the command nor start another one. A last plain line sums up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from redplan.engine.results import Report
from redplan.report.audit_sarif import display_paths

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter:
    def __init__(self, root: str | Path | None = None) -> None:
        self.root = root  # what file= is relative to; None: the working directory when writing

    def write(self, report: Report, stream: TextIO) -> None:
        for line in self.lines(report):
            stream.write(line + "\n")

    def lines(self, report: Report) -> list[str]:
        rows, where = [], display_paths(self.root)
        for service in report.services:
            for finding in service.findings:
                path, _ = where(finding.file)
                rows.append((path, finding.line, finding.column, finding.rule, finding.service, finding.message, finding))
        rows.sort(key=lambda row: row[:6])
        lines = []
        for path, line, column, _, _, _, finding in rows:
            properties = ",".join(f"{key}={escape_property(value)}" for key, value in (
                ("file", path), ("line", str(max(1, line))), ("col", str(max(1, column))), ("title", f"{finding.rule} {finding.name}")))
            message = finding.message + (f"\nFix: {finding.hint}" if finding.hint else "")
            lines.append(f"::{COMMAND.get(finding.severity, 'warning')} {properties}::{escape_data(message)}")
        summary = report.summary
        lines.append(f"redplan: {summary.services} service{'s' * (summary.services != 1)} audited: "
                     f"{summary.errors} error{'s' * (summary.errors != 1)}, {summary.warnings} warning{'s' * (summary.warnings != 1)}, "
                     f"{summary.infos} info")
        return lines
