"""The terminal report of `redplan recommend`: verdict, placement tree, estimates against targets."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from redplan.engine.results import Assessment, Check, Recommendation, Rejected, Report, ServiceResult
from redplan.spec.units import format_duration

MET, MISSED = "[green]✔[/green]", "[red]✘[/red]"


class RecommendTextFormatter:
    """Rich output for people; plain (no colour) when NO_COLOR is set or the output is not a terminal."""

    def write(self, report: Report, stream: TextIO) -> None:
        console = Console(file=stream, highlight=False, soft_wrap=False)
        for index, service in enumerate(report.services):
            if index:
                console.print()
            console.print(_service(service))
        summary = report.summary
        verdict = "every service has a design" if not summary.unmet else f"{summary.unmet} without a design that meets every objective"
        console.print(f"\n[bold]{summary.services} service{'s' * (summary.services != 1)}:[/bold] {verdict}")


def _service(service: ServiceResult) -> Panel:
    title = f"[bold]{service.name}[/bold] [dim]{service.file}:{service.line}[/dim]"
    recommendation = service.recommendation
    if recommendation is None:
        body = Group(Text.from_markup(f"{MISSED} [bold red]no design meets every objective[/bold red]"),
                     Text("Closest designs and what they miss:"), _rejected_table(service.unmet))
        return Panel(body, title=title, title_align="left", border_style="red")
    estimates = recommendation.estimates
    verdict = Text.from_markup(
        f"{MET} [bold]{recommendation.kind}[/bold] — ${estimates.monthly_cost_usd:,.0f}/month "
        f"({estimates.cost_multiple:g}× one unreplicated instance)"
    )
    parts = [verdict, Text(""), *[Text(f"• {line}") for line in recommendation.rationale], Text(""),
             _placement_tree(recommendation), Text(""), _estimates_table(recommendation)]
    parts += _bullets("Coordination it needs", recommendation.needs)
    if service.assessment is not None:
        parts += [Text(""), _current(service.assessment)]
    if recommendation.rejected:
        parts += [Text(""), Text("Rejected alternatives", style="bold"), _rejected_table(recommendation.rejected)]
    parts += _bullets("Assumptions", recommendation.assumptions)
    if recommendation.config:
        parts += [Text(""), Text("Configuration", style="bold"),
                  Syntax(recommendation.config, recommendation.config_language or "text", theme="ansi_dark", background_color="default")]
    return Panel(Group(*parts), title=title, title_align="left", border_style="green")


def _placement_tree(recommendation: Recommendation) -> Tree:
    tree = Tree("[bold]Placement[/bold]")
    regions: dict[str, Tree] = {}
    for replica in recommendation.placement:
        if replica.region not in regions:
            leader = " [dim](leader)[/dim]" if replica.region == recommendation.leader_region else ""
            regions[replica.region] = tree.add(f"{replica.region}{leader}")
        sync = " sync" if replica.sync else ""
        regions[replica.region].add(f"zone {replica.az}: {replica.count} × {replica.role}{sync}")
    quorum = recommendation.quorum
    tree.add(f"[dim]quorum: write {quorum.write}, read {quorum.read}, scope {quorum.scope}[/dim]")
    return tree


def _estimates_table(recommendation: Recommendation) -> Table:
    table = Table(title="Estimates against targets", title_justify="left", show_edge=False)
    for header in ("", "target", "this design", "how"):
        table.add_column(header, overflow="fold")
    for check in recommendation.checks:
        table.add_row(_mark(check), check.target, check.actual, check.detail)
    estimates = recommendation.estimates
    latency = estimates.write_latency_ms
    table.add_row("write latency", "", f"p50 {latency.p50:g} ms, p99 {latency.p99:g} ms", latency.basis)
    tolerance = recommendation.assessment.tolerance
    for name in ("write", "read", "durability"):
        value = getattr(tolerance, name)
        table.add_row(f"survives ({name})", "", f"nodes {value.nodes}, zones {value.azs}, regions {value.regions}",
                      f"after a zone: {value.nodes_after_az_loss} more nodes; after a region: {value.nodes_after_region_loss}")
    table.add_row("RTO parts", "", _sum(estimates.rto_parts), "")
    table.add_row("RPO parts", "", _sum(estimates.rpo_parts), "")
    table.add_row("monthly cost", "", f"${estimates.monthly_cost_usd:,.2f}", "; ".join(f"{part.item} ${part.value:,.0f}" for part in estimates.cost_parts))
    return table


def _mark(check: Check) -> str:
    return f"{MET if check.met else MISSED} {check.objective}"


def _sum(parts) -> str:  # type: ignore[no-untyped-def]
    return " + ".join(f"{part.item} {format_duration(part.value)}" for part in parts) or "—"


def _current(assessment: Assessment) -> Text:
    write = assessment.tolerance.write
    durability = assessment.tolerance.durability
    estimates = assessment.estimates
    rto = "unrecoverable" if estimates.rto_s is None else format_duration(estimates.rto_s)
    rpo = "unbounded" if estimates.rpo_s is None else format_duration(estimates.rpo_s)
    return Text.from_markup(
        f"[bold]As deployed today:[/bold] RTO {rto}, RPO {rpo}, write p99 {estimates.write_latency_ms.p99:g} ms, "
        f"${estimates.monthly_cost_usd:,.0f}/month; writes survive {write.nodes} nodes / {write.azs} zones / "
        f"{write.regions} regions, data survives {durability.nodes} / {durability.azs} / {durability.regions}"
    )


def _rejected_table(rejected: list[Rejected]) -> Table:
    table = Table(show_edge=False, show_header=True)
    table.add_column("pattern", no_wrap=True)
    table.add_column("why not", overflow="fold")
    for item in rejected:
        table.add_row(item.pattern, "; ".join(item.reasons))
    return table


def _bullets(title: str, lines: list[str]) -> list[Text]:
    if not lines:
        return []
    return [Text(""), Text(title, style="bold"), *[Text(f"• {line}") for line in lines]]
