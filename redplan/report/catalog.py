"""Catalog look-ups as a terminal table or JSON."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from redplan.catalog import Region, RttFigure


def regions_json(regions: Iterable[Region]) -> list[dict[str, Any]]:
    return [asdict(region) for region in regions]


def print_regions(regions: list[Region]) -> None:
    """Id, place, continent and zones; coordinates are in --format json."""
    table = Table(title=f"{len(regions)} regions", title_justify="left")
    table.add_column("region", no_wrap=True)
    table.add_column("location", ratio=1, min_width=20)
    table.add_column("continent", no_wrap=True)
    table.add_column("zones", justify="right", no_wrap=True)
    for region in regions:
        zones = "?" if region.az_count is None else str(region.az_count)
        table.add_row(region.id, region.display_name, region.continent, zones)
    Console().print(table)


def rtt_json(figure: RttFigure) -> dict[str, Any]:
    return asdict(figure)


def print_rtt(figure: RttFigure) -> None:
    p95 = "" if figure.p95_ms is None else f", p95 {figure.p95_ms:g} ms"
    kind = "estimated" if figure.estimated else "published"
    console = Console(highlight=False)
    console.print(f"{figure.a} ↔ {figure.b}: p50 {figure.p50_ms:.1f} ms{p95} ({kind})")
    console.print(f"  source: {figure.basis}")
    if figure.distance_km is not None and figure.floor_ms is not None:
        console.print(f"  great-circle distance {figure.distance_km:,.0f} km; physical floor {figure.floor_ms:.1f} ms round trip")
