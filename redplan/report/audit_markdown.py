"""Markdown of `redplan audit` for a GitHub Actions job summary (`>> "$GITHUB_STEP_SUMMARY"`) or a comment.

A heading and a summary line (findings by severity, services, files), a table of findings per rule
(worst severity first), then the findings grouped by file and service, each with its
`file:line:col`, rule, message and fix.

Everything the user wrote (service names, file names) and every message is escaped: HTML's `&`,
`<` and `>` become entities, what markdown reads within a line (\\ ` * _ [ ] | ~ $) is backslash-escaped,
line breaks and other control characters become spaces, and file paths go in code spans fenced longer than any run of
backticks they hold; so no service name can open a tag, a link, a table cell or a new block.

GitHub keeps at most 1 MiB of summary per step and drops a step's whole summary beyond that
("Step isolation and limits", Workflow commands for GitHub Actions). The output stays within
`budget` bytes (UTF-8), 900 KiB by default to leave room for other writers in the same step: when
the findings do not all fit, the most severe are listed (in file order) and a last line says how
many were left out, by severity.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import TextIO

from redplan.engine.results import Finding, Report
from redplan.report.audit_sarif import display_path
from redplan.report.audit_text import SEVERITY_RANK, per_rule

GITHUB_STEP_SUMMARY_LIMIT = 1024 * 1024
DEFAULT_BUDGET = 900 * 1024
MARK = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
LEFT_OUT_ROOM = 400  # bytes kept for the closing line that counts what was left out

_BREAKS = re.compile(r"\r\n|[\x00-\x1f\x7f\x85\u2028\u2029]")
_PUNCTUATION = re.compile(r"([\\`*\[\]|~$])")  # what is special mid-line: our own text starts every line
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # GitHub never reads on_sync_standby as emphasis


def text(value: str) -> str:
    """User text as inline markdown that shows exactly these characters and nothing else: no tag, link, emphasis,
    table cell or new line."""
    value = _BREAKS.sub(" ", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LONE_UNDERSCORE.sub(r"\\_", _PUNCTUATION.sub(r"\\\1", value))


def code(value: str) -> str:
    """User text as a code span: literal inside (no entity, tag or emphasis is read there); fenced by one backtick
    more than its longest run, padded when it starts or ends with one. Not for table cells (a pipe would end the cell)."""
    value = _BREAKS.sub(" ", value)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {value} " if value.startswith(("`", " ")) or value.endswith(("`", " ")) else value
    return f"{fence}{padded}{fence}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' * (count != 1)}"


def _severities(errors: int, warnings: int, infos: int) -> str:
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}, {infos:,} info"


class AuditMarkdownFormatter:
    def __init__(self, root: str | Path | None = None, budget: int = DEFAULT_BUDGET) -> None:
        self.root = root  # what file paths are shown relative to; None: the working directory when writing
        self.budget = budget

    def write(self, report: Report, stream: TextIO) -> None:
        stream.write(self.render(report))

    def render(self, report: Report) -> str:
        findings = [finding for service in report.services for finding in service.findings]
        summary = report.summary
        files = len({service.file for service in report.services})
        flagged = len({(finding.file, finding.service) for finding in findings})
        head = ["## redplan audit", ""]
        if not findings:
            head += [f"✅ **No findings**: {_plural(summary.services, 'service')} in {_plural(files, 'file')} audited, all clean."]
            return "\n".join(head) + "\n"
        head += [
            f"**{_severities(summary.errors, summary.warnings, summary.infos)}** in "
            f"{_plural(flagged, 'service')} of {summary.services:,} audited ({summary.services - flagged:,} clean), "
            f"{_plural(files, 'file')}.",
            "",
            *self._by_rule(findings),
            "",
            "### Findings",
        ]
        paths = {file: display_path(file, self.root)[0] for file in {finding.file for finding in findings}}
        start = "\n".join(head) + "\n"
        kept = self._fitting(findings, paths, self.budget - len(start.encode("utf-8")) - LEFT_OUT_ROOM)
        body = self._grouped([finding for index, finding in enumerate(findings) if index in kept], paths)
        left_out = [finding for index, finding in enumerate(findings) if index not in kept]
        if left_out:
            counts = Counter(finding.severity for finding in left_out)
            body += [
                "",
                f"… and {_plural(len(left_out), 'more finding')} ({_severities(counts['error'], counts['warning'], counts['info'])}) "
                f"left out to keep this summary under GitHub's {GITHUB_STEP_SUMMARY_LIMIT // 1024 // 1024} MiB limit per step; "
                "`redplan audit` with `--format text`, `json` or `sarif` lists them all.",
            ]
        return start + "\n".join(body) + "\n"

    def _by_rule(self, findings: list[Finding]) -> list[str]:
        """Findings and services per rule, worst severity first, then by code."""
        lines = ["| rule | severity | findings | services | name |", "|---|---|--:|--:|---|"]
        for first, count, services in per_rule(findings):
            lines.append(f"| {text(first.rule)} | {MARK.get(first.severity, '')} {text(first.severity)} | {count:,} | "
                         f"{services:,} | {text(first.name)} |")
        return lines

    def _fitting(self, findings: list[Finding], paths: dict[str, str], room: int) -> set[int]:
        """Indices of the findings to list: all when they fit in `room` bytes, else the most severe that do
        (a file's or a service's heading counted with its first finding)."""
        cost = [len(line.encode("utf-8")) + 1 for line in self._grouped(findings, paths)]
        if sum(cost) <= room:
            return set(range(len(findings)))
        order = sorted(range(len(findings)), key=lambda index: -SEVERITY_RANK.get(findings[index].severity, 0))
        kept: set[int] = set()
        groups: set[tuple[str, ...]] = set()
        used = 0
        for index in order:
            finding = findings[index]
            size = self._size(finding, paths)
            new = [key for key in ((finding.file,), (finding.file, finding.service)) if key not in groups]
            size += sum(self._heading_size(key, paths) for key in new)
            if used + size > room:
                break
            used += size
            kept.add(index)
            groups.update(new)
        return kept

    def _grouped(self, findings: list[Finding], paths: dict[str, str]) -> list[str]:
        lines: list[str] = []
        for file, in_file in groupby(findings, key=lambda finding: finding.file):
            lines += self._heading((file,), paths)
            for service, in_service in groupby(in_file, key=lambda finding: finding.service):
                lines += self._heading((file, service), paths)
                for finding in in_service:
                    lines += self._finding(finding, paths)
        return lines

    def _heading(self, key: tuple[str, ...], paths: dict[str, str]) -> list[str]:
        if len(key) == 1:
            return ["", f"#### {code(paths[key[0]])}", ""]
        return [f"- service **{text(key[1])}**" if key[1] else "- (no service)"]

    def _heading_size(self, key: tuple[str, ...], paths: dict[str, str]) -> int:
        return sum(len(line.encode("utf-8")) + 1 for line in self._heading(key, paths))

    def _finding(self, finding: Finding, paths: dict[str, str]) -> list[str]:
        where = code(f"{paths[finding.file]}:{finding.line}:{finding.column}")
        lines = [f"  - {MARK.get(finding.severity, '')} **{text(finding.rule)}** {text(finding.severity)} {where}: "
                 f"{text(finding.message)} ({text(finding.name)})"]
        if finding.hint:
            lines.append(f"    - fix: {text(finding.hint)}")
        return lines

    def _size(self, finding: Finding, paths: dict[str, str]) -> int:
        return sum(len(line.encode("utf-8")) + 1 for line in self._finding(finding, paths))
