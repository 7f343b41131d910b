"""The terminal report of `redplan simulate`: the scenario (with the worst-case ranking when one was
searched for), then every service it touches — writes, reads, data, the dependency chain that hits it,
each breached objective and why — then the untouched services on one line and a summary.

Wrapped to the terminal (80 columns in CI logs) with hanging indents and no trailing spaces; styled
with audit_text's `painter`, so plain text when piped or under NO_COLOR.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TextIO

from rich.console import Console

from redplan.engine.simulate import SimulatedService, SimulationReport, WorstCase
from redplan.report.audit_text import painter

RANKED_SHOWN = 4
"""Rows of the worst-case ranking in the text: the choice and its runners-up (the JSON has all)."""

Paint = Callable[[str, str], str]


class SimulateTextFormatter:
    def write(self, report: SimulationReport, stream: TextIO) -> None:
        paint = painter(stream)
        width = Console(file=stream).width
        lines = [paint("Scenario: ", "bold") + " + ".join(report.scenario)]
        if report.worst is not None:
            lines += _ranking(report.worst, width)
        lines += _wrapped([f"note: {note}" for note in report.notes], width, "  ", paint, "dim")
        lines.append("")
        touched = [service for service in report.services if _touched(service)]
        for service in touched:
            lines += _service(service, width, paint)
        if touched:
            lines.append("")
        untouched = [service.name for service in report.services if service.after_failure and service not in touched]
        skipped = [f"{service.name} ({service.not_simulated})" for service in report.services if service.after_failure is None]
        lines += _wrapped([f"Untouched (no replica down, no dependency hit): {', '.join(untouched)}"] if untouched else [], width, "", paint, "")
        lines += _wrapped([f"Not simulated: {', '.join(skipped)}"] if skipped else [], width, "", paint, "")
        if untouched or skipped:
            lines.append("")
        summary, damage = report.summary, report.summary.damage
        lines += _wrapped([
            f"{_count(summary.services, 'service')}, {summary.simulated} simulated: writes lost in {damage.lose_writes}, "
            f"reads lost in {damage.lose_reads}, data may be lost in {damage.lose_data}, {damage.dependants_hit} hit through "
            f"depends_on; {summary.breaching} {'breaches' if summary.breaching == 1 else 'breach'} an objective"
        ], width, "", paint, "bold")
        stream.write("\n".join(lines) + "\n")


def _ranking(worst: WorstCase, width: int) -> list[str]:
    """The chosen failure and its runners-up as a table of the counts they are ranked by."""
    kind = {"az": "zone"}.get(worst.kind, worst.kind)
    rows = [("writes", "reads", "data", "hit", f"the worst {kind} of {len(worst.ranking)} tried, then runners-up")]
    for candidate in worst.ranking[:RANKED_SHOWN]:
        damage = candidate.damage
        rows.append((str(damage.lose_writes), str(damage.lose_reads), str(damage.lose_data), str(damage.dependants_hit), candidate.failure))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  " + "  ".join(cell.rjust(size) for cell, size in zip(row[:4], widths)) + "  " + row[4] for row in rows]
    more = len(worst.ranking) - RANKED_SHOWN
    rule = ("ranked by services that lose writes, then reads, then data, then that are hit through depends_on, then by name"
            + (f"; {more} more in --format json" if more > 0 else ""))
    return lines + textwrap.wrap(rule, width, initial_indent="  ", subsequent_indent="  ")


def _touched(service: SimulatedService) -> bool:
    outcome = service.after_failure
    return outcome is not None and bool(outcome.replicas_down or outcome.via or outcome.breached)


def _service(service: SimulatedService, width: int, paint: Paint) -> list[str]:
    outcome = service.after_failure
    assert outcome is not None
    ok, lost = paint("✔", "green"), paint("✘", "red")
    lines = [f"{lost if outcome.breached else ok} {paint(service.name, 'bold')}  {paint(f'{service.file}:{service.line}', 'dim')}"]
    if service.state == "stateless":  # one quorum for writes and reads: enough live instances to serve
        state = f"{ok if outcome.writes else lost} serves"
        noun = "instance"
    else:
        data = f"{lost} data may be lost" if outcome.data_loss else f"{ok} no data lost"
        state = f"{ok if outcome.writes else lost} writes  {ok if outcome.reads else lost} reads  {data}"
        noun = "replica"
    lines.append(f"  {state}  {paint(f'({outcome.replicas_down} of {_count(outcome.replicas, noun)} down)', 'dim')}")
    if outcome.via:
        lines += _wrapped([f"hit through {' → '.join(outcome.via)}"], width, "  ", paint, "")
    for reason in outcome.reasons:
        wrapped = textwrap.wrap(reason, width - 4)
        lines += [f"  {lost} {wrapped[0]}", *(f"    {line}" for line in wrapped[1:])]
    lines += _wrapped([f"note: {note}" for note in outcome.notes], width, "  ", paint, "dim")
    return lines


def _wrapped(texts: list[str], width: int, indent: str, paint: Paint, style: str) -> list[str]:
    """Each text wrapped to `width` under `indent` (continuations two spaces further in), styled line by line."""
    lines = []
    for text in texts:
        for line in textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False):
            lines.append(paint(line, style) if style else line)
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"
