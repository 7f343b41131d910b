"""The terminal report of `redplan recommend`: verdict, placement tree, estimates against targets.

Laid out for an 80-column CI log as much as for a wide terminal: a rule per
service instead of boxes, three-column tables, details on their own lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from redplan.analysis.availability import downtime_per_year_s, nines
from redplan.engine.design import LEVEL_NAMES
from redplan.engine.results import (
    REPLICATION_LAG,
    Assessment,
    DataLoss,
    Estimates,
    Part,
    Recommendation,
    Rejected,
    Report,
    ServiceResult,
    Staleness,
)
from redplan.spec.units import format_availability, format_duration, format_roughly

MET, MISSED = "[green]✔[/green]", "[red]✘[/red]"


class RecommendTextFormatter:
    """Rich output for people; plain (no colour) when NO_COLOR is set or the output is not a terminal."""

    def write(self, report: Report, stream: TextIO) -> None:
        console = Console(file=stream, highlight=False)
        for service in report.services:
            _service(console, service)
            console.print()
        summary = report.summary
        verdict = "every one has a design that meets its objectives" if not summary.unmet else (
            f"{summary.unmet} without a design that meets every objective")
        console.print(f"[bold]{summary.services} service{'s' * (summary.services != 1)}:[/bold] {verdict}")


def _service(console: Console, service: ServiceResult) -> None:
    console.rule(f"[bold]{service.name}[/bold]  [dim]{service.file}:{service.line}[/dim]", align="left")
    recommendation = service.recommendation
    if recommendation is None:
        console.print(f"{MISSED} [bold red]no design meets every objective[/bold red]; the closest ones miss:")
        console.print(_rejected_table(service.unmet))
        return
    estimates = recommendation.estimates
    console.print(f"{MET} [bold]{recommendation.kind}[/bold]  ${estimates.monthly_cost_usd:,.0f}/month "
                  f"({estimates.cost_multiple:g}× one unreplicated instance)")
    console.print(_bulleted(recommendation.rationale))
    console.print(_placement_tree(recommendation))
    console.print(_estimates_table(recommendation))
    latency = estimates.write_latency_ms
    if recommendation.coordination != "stateless":
        console.print(f"  [dim]write latency: {latency.basis}[/dim]")
    if estimates.data_loss is not None:
        console.print(f"  [dim]data at risk: {estimates.data_loss.basis}[/dim]")
    console.print("  [dim]cost: " + "; ".join(f"{part.item} ${part.value:,.0f} ({part.basis})" for part in estimates.cost_parts) + "[/dim]")
    _bullets(console, "Coordination it needs", recommendation.needs)
    if isinstance(service.assessment, Assessment):  # recommend's: never encoded ahead (EncodedJson is audit's)
        console.print(_current(service.assessment))
    if recommendation.rejected:
        console.print("[bold]Rejected alternatives[/bold]")
        console.print(_rejected_table(recommendation.rejected))
    _bullets(console, "Assumptions", [*recommendation.assumptions, *_margins(recommendation)])
    if recommendation.config:
        # plain text: syntax highlighting (pygments) would cost a quarter of recommend's start-up time
        console.print(f"[bold]Configuration ({recommendation.config_language})[/bold]")
        console.print(Text(recommendation.config.rstrip(), style="cyan"))


def _placement_tree(recommendation: Recommendation) -> Tree:
    quorum = recommendation.quorum
    tree = Tree(f"[bold]Placement[/bold] [dim](quorum: write {quorum.write}, read {quorum.read}, scope {quorum.scope})[/dim]")
    regions: dict[str, Tree] = {}
    for replica in recommendation.placement:
        if replica.region not in regions:
            leader = " [dim](leader)[/dim]" if replica.region == recommendation.leader_region else ""
            regions[replica.region] = tree.add(f"{replica.region}{leader}")
        sync = " (sync)" if replica.sync else ""
        regions[replica.region].add(f"zone {replica.az}: {replica.count} × {replica.role}{sync}")
    return tree


def _estimates_table(recommendation: Recommendation) -> Table:
    table = Table(title="[bold]Estimates against targets[/bold]", title_justify="left", box=None, padding=(0, 2, 0, 0))
    table.add_column("objective", no_wrap=True)
    table.add_column("target")
    table.add_column("this design", ratio=1)
    for check in recommendation.checks:
        detail = f"\n[dim]{check.detail}[/dim]" if check.detail else ""
        table.add_row(f"{MET if check.met else MISSED} {check.objective}", check.target, f"{check.actual}{detail}")
    estimates = recommendation.estimates
    latency = estimates.write_latency_ms
    stateless = recommendation.coordination == "stateless"
    if not stateless:
        table.add_row("  write latency", "", f"p50 {latency.p50:g} ms, p99 {latency.p99:g} ms")
    table.add_row("  RTO", "", _sum(estimates.rto_s, estimates.rto_parts, "unrecoverable"))
    if not stateless:
        table.add_row("  RPO", "", _sum(estimates.rpo_s, estimates.rpo_parts, "unbounded"))
    if estimates.data_loss is not None:
        table.add_row("  data at risk", "", _data_at_risk(estimates.data_loss))
    tolerance = recommendation.assessment.tolerance
    for name in ("write",) if stateless else ("write", "read", "durability"):
        value = getattr(tolerance, name)
        table.add_row(f"  survives ({name})", "", f"{_count(value.nodes, 'node')}, {_count(value.azs, 'zone')}, {_count(value.regions, 'region')}"
                      f"\n[dim]then {value.nodes_after_az_loss} more nodes after a zone, {value.nodes_after_region_loss} after a region[/dim]")
    staleness = recommendation.assessment.staleness
    if staleness is not None:
        table.add_row("  staleness", "", _staleness(staleness))
    table.add_row("  availability", "", _availability(estimates))
    composite = recommendation.availability_with_dependencies
    if composite is not None:
        table.add_row("  with dependencies", "", f"writes {format_availability(composite.value)}\n[dim]{composite.basis}[/dim]")
    table.add_row("  monthly cost", "", f"${estimates.monthly_cost_usd:,.2f}")
    return table


def _staleness(staleness: Staleness) -> str:
    """PBS: the closed form for random quorums, then this placement's simulated t-visibility."""
    text = (f"W + R = {staleness.w} + {staleness.r} ≤ N = {staleness.n}: with random quorums a read misses the last write "
            f"{staleness.k_staleness[0]:.1%} of the time (k-staleness)")
    if staleness.consistent_at_commit is not None and staleness.ms_to_999 is not None:
        text += (f"; here {staleness.consistent_at_commit:.2%} of reads right after a commit see it, "
                 f"99.9% after {staleness.ms_to_999:g} ms\n[dim]t-visibility: {staleness.trials:,} simulated writes (seed {staleness.seed}), "
                 f"{staleness.model}[/dim]")
    return text


def _margins(recommendation: Recommendation) -> list[str]:
    """How wrong each availability assumption may be before the target is missed."""
    thresholds = recommendation.availability_thresholds
    check = next((check for check in recommendation.checks if check.objective == "availability"), None)
    if not thresholds or check is None:
        return []
    holds = [f"{LEVEL_NAMES[level]}s up {format_availability(value)}" for level, value in thresholds.items() if value is not None]
    return [f"the availability target {check.target} holds as long as each of these holds with the others as assumed: "
            + ", ".join(holds)] if holds else []


def _data_at_risk(loss: DataLoss) -> str:
    """'RPO 200ms at 99% confidence (median lag 20ms); about 1.6 writes lost on average per failure; a 38% chance of losing none'."""
    middle = f"median lag {format_roughly(loss.median_s)}" if loss.window == REPLICATION_LAG else (
        f"median {format_roughly(loss.median_s)} since the last backup off-site")
    text = f"RPO {format_roughly(loss.rpo_s)} at {loss.confidence:.0%} confidence ({middle})"
    if loss.expected_writes_lost is None or loss.p_nothing_lost is None:
        return text + "; state data.write_rate for the writes at risk"
    return (f"{text}; about {_two_digits(loss.expected_writes_lost)} writes lost on average per failure; "
            f"{_chance(loss.p_nothing_lost)} chance of losing none")


def _two_digits(count: float) -> str:
    """Two significant digits, with thousands separators: 4,900, 12, 0.33."""
    return f"{float(f'{count:.2g}'):,.0f}" if count >= 10 else f"{count:.2g}"


def _chance(probability: float) -> str:
    """A percentage with the digits that matter: 'a 38%', 'a 99.96%', 'under a 0.01%' (certainty: 'a 100%')."""
    if probability < 1e-4:
        return "under a 0.01%"
    if probability >= 0.5:
        return f"a {format_availability(probability)}"
    return f"a {probability * 100:.2g}%"


def _availability(estimates: Estimates) -> str:
    """Writes (and reads when they differ), with the downtime a year and its causes."""
    if estimates.availability is None:
        return "not estimated"
    yearly = downtime_per_year_s(estimates.availability)
    text = (f"writes {format_availability(estimates.availability)}, {nines(estimates.availability):.1f} nines "
            f"({format_roughly(yearly)} down a year, {format_roughly(yearly / 12)} a month)")
    if estimates.read_availability is not None and estimates.read_availability != estimates.availability:
        text += f", reads {format_availability(estimates.read_availability)}"
    if len(estimates.availability_parts) > 1:
        text += "\n[dim]= " + " + ".join(f"{part.item} {format_roughly(part.value)}" for part in estimates.availability_parts) + "[/dim]"
    return text


def _sum(total: float | None, parts: Sequence[Part], missing: str) -> str:
    if total is None:
        return missing
    terms = " + ".join(f"{part.item} {format_duration(part.value)}" for part in parts)
    return f"{format_duration(total)}" + (f"\n[dim]= {terms}[/dim]" if len(parts) > 1 else "")


def _current(assessment: Assessment) -> str:
    write, durability = assessment.tolerance.write, assessment.tolerance.durability
    estimates = assessment.estimates
    rto = "unrecoverable" if estimates.rto_s is None else format_duration(estimates.rto_s)
    rpo = "unbounded" if estimates.rpo_s is None else format_duration(estimates.rpo_s)
    availability = "" if estimates.availability is None else f", writes available {format_availability(estimates.availability)}"
    staleness = "" if assessment.staleness is None else f"; staleness: {_staleness(assessment.staleness)}"
    return (f"[bold]As deployed today:[/bold] RTO {rto}, RPO {rpo}, write p99 {estimates.write_latency_ms.p99:g} ms, "
            f"${estimates.monthly_cost_usd:,.0f}/month{availability}; writes survive {_count(write.nodes, 'node')}, {_count(write.azs, 'zone')}, "
            f"{_count(write.regions, 'region')}; data survives {_count(durability.nodes, 'node')}, {_count(durability.azs, 'zone')}, "
            f"{_count(durability.regions, 'region')}{staleness}")


def _rejected_table(rejected: list[Rejected]) -> Table:
    """Patterns that failed for the same reasons share a row."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for item in rejected:
        grouped.setdefault(tuple(item.reasons), []).append(item.pattern)
    table = Table(box=None, padding=(0, 2, 0, 0), show_header=False)
    table.add_column("pattern", ratio=2)
    table.add_column("why not", ratio=3)
    for reasons, patterns in grouped.items():
        table.add_row(f"{MISSED} " + ",\n  ".join(patterns), "\n".join(reasons))
    return table


def _bullets(console: Console, title: str, lines: list[str]) -> None:
    if lines:
        console.print(f"[bold]{title}[/bold]")
        console.print(_bulleted(lines))


def _bulleted(lines: list[str]) -> Table:
    """Bullets with a hanging indent, so wrapped lines stay under their text."""
    grid = Table.grid(padding=(0, 1, 0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for line in lines:
        grid.add_row("•", line)
    return grid


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
