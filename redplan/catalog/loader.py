"""Read the catalog CSVs into a Catalog, rejecting malformed rows with `path:line: message`."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path

from redplan.catalog.catalog import Catalog, PublishedRtt, SameRegionRtt, floor_violation
from redplan.catalog.errors import CatalogError
from redplan.catalog.files import csv_rows, once_when_shipped
from redplan.catalog.models import Region, Source


def load_catalog(directory: str | Path | None = None) -> Catalog:
    """The shipped catalog (parsed once per process), or one whose files present in `directory` replace
    the shipped files of the same name (the others still come from the package)."""
    return _read_catalog(None if directory is None else Path(directory))


@once_when_shipped
def _read_catalog(directory: Path | None) -> Catalog:
    sources = _read_sources(directory)
    regions = _read_regions(directory)
    return Catalog(
        regions=regions,
        rtt=_read_rtt(directory, regions, sources),
        same_region=_read_same_region(directory, regions, sources),
        azure_pairs=_read_azure_pairs(directory, regions, sources),
        sources=sources,
        directory=directory,
    )


def _number(text: str, where: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise CatalogError(f"{where}: {what} {text!r} is not a number")
    return value


def _round_trip(text: str, where: str, what: str) -> float:
    value = _number(text, where, what)
    if value <= 0:
        raise CatalogError(f"{where}: {what} {text!r} must be positive")
    return value


def _known(region_id: str, where: str, regions: dict[str, Region]) -> str:
    if region_id not in regions:
        raise CatalogError(f"{where}: unknown region {region_id!r} (not in regions.csv)")
    return region_id


def _cited(keys: str, where: str, sources: dict[str, Source]) -> str:
    """A row's source key(s), each of which must resolve to a citation."""
    for key in keys.split("; "):
        if key not in sources:
            raise CatalogError(f"{where}: source {key!r} has no citation in sources.csv")
    return keys


def _read_sources(directory: Path | None) -> dict[str, Source]:
    columns = ("key", "title", "publisher", "url", "date", "license", "note")
    return {row["key"]: Source(*(row[column] for column in columns)) for _, row in csv_rows("sources.csv", directory, columns)}


def _read_regions(directory: Path | None) -> dict[str, Region]:
    columns = ("id", "provider", "region", "display_name", "country", "continent", "lat", "lon", "az_count", "source")
    regions: dict[str, Region] = {}
    for where, row in csv_rows("regions.csv", directory, columns):
        region_id = row["id"]
        if region_id != f"{row['provider']}:{row['region']}":
            raise CatalogError(f"{where}: id {region_id!r} is not provider:region")
        if region_id in regions:
            raise CatalogError(f"{where}: duplicate region {region_id!r}")
        if bool(row["lat"]) != bool(row["lon"]):
            raise CatalogError(f"{where}: {region_id} needs both lat and lon, or neither")
        lat = _number(row["lat"], where, "lat") if row["lat"] else None
        lon = _number(row["lon"], where, "lon") if row["lon"] else None
        if (lat is not None and abs(lat) > 90) or (lon is not None and abs(lon) > 180):
            raise CatalogError(f"{where}: {region_id} lat/lon {lat}, {lon} is off the globe")
        if row["az_count"] and not row["az_count"].isdigit():
            raise CatalogError(f"{where}: az_count {row['az_count']!r} is not a whole number")
        az_count = int(row["az_count"]) if row["az_count"] else None
        regions[region_id] = Region(
            id=region_id,
            provider=row["provider"],
            name=row["region"],
            display_name=row["display_name"],
            country=row["country"],
            continent=row["continent"],
            lat=lat,
            lon=lon,
            az_count=az_count,
            source=row["source"],
        )
    return regions


def _read_rtt(directory: Path | None, regions: dict[str, Region], sources: dict[str, Source]
              ) -> dict[tuple[str, str], PublishedRtt] | Callable[[], dict[tuple[str, str], PublishedRtt]]:
    """A replaced matrix is read and checked now, so its errors stop the run before it starts; the
    shipped one cannot fail, and is read at first use."""
    if directory is None or not any((directory / name).is_file() for name in ("rtt.csv", "regions.csv", "sources.csv")):
        return functools.partial(_read_shipped_rtt, regions)
    rtt: dict[tuple[str, str], PublishedRtt] = {}
    for where, row in csv_rows("rtt.csv", directory, ("a", "b", "p50_ms", "p95_ms", "source")):
        a, b = _known(row["a"], where, regions), _known(row["b"], where, regions)
        if (a, b) in rtt:
            raise CatalogError(f"{where}: duplicate pair {a} -> {b}")
        p50 = _round_trip(row["p50_ms"], where, "p50_ms")
        p95 = _round_trip(row["p95_ms"], where, "p95_ms") if row["p95_ms"] else None
        if p95 is not None and p95 < p50:
            raise CatalogError(f"{where}: p95_ms {p95:g} is below p50_ms {p50:g}")
        distance = regions[a].distance_km(regions[b])
        problem = floor_violation(p50, distance)
        if problem:
            raise CatalogError(f"{where}: {p50:g} ms from {a} to {b} {problem}")
        rtt[a, b] = PublishedRtt(p50, p95, _cited(row["source"], where, sources), distance)
    return rtt


def _read_shipped_rtt(regions: dict[str, Region]) -> dict[tuple[str, str], PublishedRtt]:
    """The shipped matrix without row checks: tools/build_catalogs.py and the catalog tests already hold
    every row to them (known regions, positive numbers, p95 >= p50, the fiber floor, cited sources),
    and skipping them saves most of the start-up cost of the 5,000-row file."""
    rtt: dict[tuple[str, str], PublishedRtt] = {}
    for _, (a, b, p50, p95, source) in csv_rows("rtt.csv", None, ("a", "b", "p50_ms", "p95_ms", "source"), as_tuples=True):
        rtt[a, b] = PublishedRtt(float(p50), float(p95) if p95 else None, source, regions[a].distance_km(regions[b]))
    return rtt


def _read_same_region(directory: Path | None, regions: dict[str, Region], sources: dict[str, Source]) -> dict[str, SameRegionRtt]:
    return {
        _known(row["region"], where, regions): SameRegionRtt(
            _round_trip(row["rtt_ms"], where, "rtt_ms"), row["statistic"], _cited(row["source"], where, sources)
        )
        for where, row in csv_rows("intra_region.csv", directory, ("region", "rtt_ms", "statistic", "source"))
    }


def _read_azure_pairs(directory: Path | None, regions: dict[str, Region], sources: dict[str, Source]) -> dict[str, str]:
    """Region → paired region; the paired one may be missing from regions.csv (restricted, unlisted)."""
    pairs: dict[str, str] = {}
    for where, row in csv_rows("azure_region_pairs.csv", directory, ("region", "paired_region", "source")):
        _cited(row["source"], where, sources)
        pairs[_known(row["region"], where, regions)] = row["paired_region"]
    return pairs
