"""Markdown for pull-request comments and CI job summaries."""

from __future__ import annotations

from typing import TextIO

from redplan.engine.results import Recommendation, Rejected, Report, ServiceResult
from redplan.spec.units import format_duration


class RecommendMarkdownFormatter:
    def write(self, report: Report, stream: TextIO) -> None:
        lines = ["# redplan recommendations", ""]
        for service in report.services:
            lines += _service(service)
        summary = report.summary
        lines.append(f"**{summary.services} services**: {summary.recommended} with a design, {summary.unmet} without.")
        stream.write("\n".join(lines) + "\n")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _service(service: ServiceResult) -> list[str]:
    lines = [f"## {service.name}", "", f"`{service.file}:{service.line}`", ""]
    recommendation = service.recommendation
    if recommendation is None:
        lines += ["❌ **No design meets every objective.** Closest designs:", ""]
        return lines + _rejected(service.unmet) + [""]
    estimates = recommendation.estimates
    lines += [f"✅ **{recommendation.kind}** — ${estimates.monthly_cost_usd:,.0f}/month ({estimates.cost_multiple:g}× one unreplicated instance)", ""]
    lines += [f"- {line}" for line in recommendation.rationale] + [""]
    lines += _placement(recommendation) + [""]
    lines += ["| objective | target | this design | |", "|---|---|---|---|"]
    for check in recommendation.checks:
        mark = "✅" if check.met else "❌"
        lines.append(f"| {mark} {check.objective} | {_cell(check.target)} | {_cell(check.actual)} | {_cell(check.detail)} |")
    latency = estimates.write_latency_ms
    lines.append(f"| write latency | | p50 {latency.p50:g} ms, p99 {latency.p99:g} ms | {_cell(latency.basis)} |")
    write = recommendation.assessment.tolerance.write
    lines.append(f"| writes survive | | {write.nodes} nodes, {write.azs} zones, {write.regions} regions | |")
    rto = "—" if estimates.rto_s is None else format_duration(estimates.rto_s)
    lines += [f"| RTO | | {rto} | |", ""]
    lines += ["**Coordination it needs**", ""] + [f"- {need}" for need in recommendation.needs] + [""]
    if recommendation.rejected:
        lines += ["**Rejected alternatives**", ""] + _rejected(recommendation.rejected) + [""]
    lines += ["<details><summary>Assumptions</summary>", ""] + [f"- {note}" for note in recommendation.assumptions] + ["", "</details>", ""]
    if recommendation.config:
        lines += [f"```{recommendation.config_language or ''}", recommendation.config.rstrip(), "```", ""]
    return lines


def _placement(recommendation: Recommendation) -> list[str]:
    lines = ["| region | zone | replicas | role |", "|---|---|---|---|"]
    for replica in recommendation.placement:
        role = replica.role + (" (sync)" if replica.sync else "")
        lines.append(f"| {replica.region} | {replica.az} | {replica.count} | {role} |")
    return lines


def _rejected(rejected: list[Rejected]) -> list[str]:
    return ["| pattern | why not |", "|---|---|"] + [f"| {_cell(item.pattern)} | {_cell('; '.join(item.reasons))} |" for item in rejected]
