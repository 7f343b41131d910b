"""Formatters: turn result models into text, JSON and other formats; they never decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, TextIO, TypeVar, overload

from redplan.engine.results import Report

if TYPE_CHECKING:
    from redplan.engine.simulate import SimulationReport
    from redplan.engine.staleness import StalenessReport

ReportT = TypeVar("ReportT", contravariant=True)


class Formatter(Protocol[ReportT]):
    """Writes one kind of report. Contravariant: a formatter of several kinds (JSON takes the union of
    all three) is a formatter of each."""

    def write(self, report: ReportT, stream: TextIO) -> None: ...


@overload
def formatter_for(command: Literal["recommend", "audit"], name: str) -> Formatter[Report]: ...
@overload
def formatter_for(command: Literal["simulate"], name: str) -> Formatter[SimulationReport]: ...
@overload
def formatter_for(command: Literal["staleness"], name: str) -> Formatter[StalenessReport]: ...
def formatter_for(
    command: str, name: str
) -> Formatter[Report] | Formatter[SimulationReport] | Formatter[StalenessReport]:
    """The formatter class for a command's --format value (imported on demand: each pulls in its own libraries)."""
    if name == "json":
        from redplan.report.json_format import JsonFormatter

        return JsonFormatter()
    if command == "recommend" and name == "markdown":
        from redplan.report.recommend_markdown import RecommendMarkdownFormatter

        return RecommendMarkdownFormatter()
    if command == "recommend" and name == "text":
        from redplan.report.recommend_text import RecommendTextFormatter

        return RecommendTextFormatter()
    if command == "audit" and name == "text":
        from redplan.report.audit_text import AuditTextFormatter

        return AuditTextFormatter()
    if command == "audit" and name == "sarif":
        from redplan.report.audit_sarif import SarifFormatter

        return SarifFormatter()
    if command == "audit" and name == "junit":
        from redplan.report.audit_junit import JunitFormatter

        return JunitFormatter()
    if command == "audit" and name == "github":
        from redplan.report.audit_github import GithubFormatter

        return GithubFormatter()
    if command == "audit" and name == "markdown":
        from redplan.report.audit_markdown import AuditMarkdownFormatter

        return AuditMarkdownFormatter()
    if command == "staleness" and name == "text":
        from redplan.report.staleness_text import StalenessTextFormatter

        return StalenessTextFormatter()
    if command == "simulate" and name == "text":
        from redplan.report.simulate_text import SimulateTextFormatter

        return SimulateTextFormatter()
    raise ValueError(f"no {name} output for {command}")
