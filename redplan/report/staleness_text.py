"""The terminal report of `redplan staleness`: k-staleness, and t-visibility as a chart of nines."""

from __future__ import annotations

import math
from typing import TextIO

from rich.console import Console
from rich.table import Table

from redplan.engine.staleness import StalenessReport
from redplan.spec.units import format_availability

BAR_WIDTH = 36
MAX_NINES = 6
"""The chart's scale: a full bar is 99.9999% of reads consistent."""


class StalenessTextFormatter:
    def write(self, report: StalenessReport, stream: TextIO) -> None:
        console = Console(file=stream, highlight=False)
        console.print(f"[bold]N = {report.n}, W = {report.w}, R = {report.r}[/bold], delays: {report.model}")
        console.print(f"[dim]{report.model_basis}[/dim]")
        misses = ", ".join(f"the last {f'{k} writes' if k > 1 else 'write'} {p:.1%} of the time" for k, p in enumerate(report.k_staleness, start=1))
        if report.w + report.r > report.n:
            console.print("k-staleness: W + R > N, so every read quorum meets every write quorum: no read misses a write")
        else:
            console.print(f"k-staleness (quorums picked at random): a read misses {misses}")
        console.print(f"t-visibility ({report.trials:,} simulated writes, seed {report.seed}): consistent reads by time after commit,"
                      " bars in nines (a full bar is 99.9999%)")
        console.print(_chart(report))
        console.print(f"[bold]99.9% of reads see the write {report.ms_to_999:g} ms after commit[/bold]")


def _chart(report: StalenessReport) -> Table:
    table = Table(box=None, padding=(0, 1, 0, 2), show_header=True)
    table.add_column("t after commit", justify="right", no_wrap=True)
    table.add_column("consistent", justify="right", no_wrap=True)
    table.add_column("nines", no_wrap=True)
    for point in report.t_visibility:
        table.add_row(f"{point.t_ms:g} ms", format_availability(point.p_consistent), _bar(point.p_consistent))
    return table


def _bar(probability: float) -> str:
    """-log10 of the stale share, drawn in eighths of a character."""
    nines = MAX_NINES if probability >= 1 else min(MAX_NINES, -math.log10(1 - probability))
    eighths = round(nines / MAX_NINES * BAR_WIDTH * 8)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
