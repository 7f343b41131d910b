"""What the catalog hands out: regions, round-trip figures and citations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from redplan.analysis.geo import great_circle_km


@dataclass(frozen=True)
class Region:
    """A failure domain with a location: a cloud region, or an on-prem site (provider `dc`)."""

    id: str
    provider: str
    name: str
    display_name: str
    country: str
    continent: str
    lat: float | None
    lon: float | None
    az_count: int | None
    source: str

    @property
    def located(self) -> bool:
        """Whether its location is published (a few regions' are not)."""
        return self.lat is not None and self.lon is not None

    def distance_km(self, other: Region) -> float | None:
        """Great-circle distance, or None when either location is unpublished."""
        if self.lat is None or self.lon is None or other.lat is None or other.lon is None:
            return None
        return great_circle_km(self.lat, self.lon, other.lat, other.lon)


@dataclass(frozen=True)
class RttFigure:
    """A round trip between two regions and where the number comes from.

    `source` is a key of sources.csv, "measured (spec)", "estimate" or an "assumption: …" text;
    `basis` says the same in words for reports.
    """

    a: str
    b: str
    p50_ms: float
    p95_ms: float | None
    source: str
    estimated: bool
    basis: str
    distance_km: float | None
    floor_ms: float | None


@dataclass(frozen=True)
class Source:
    """One citation of sources.csv."""

    key: str
    title: str
    publisher: str
    url: str
    date: str
    license: str
    note: str


class Site(Protocol):
    """What `Catalog.with_sites` needs of a declared on-prem site (the spec's Site model fits).
    Read-only members: a settable protocol attribute would need the exact type (a dict of RegionId)."""

    @property
    def name(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def zones(self) -> int: ...
    @property
    def rtt_ms(self) -> Mapping[str, float]: ...
