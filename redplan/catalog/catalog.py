"""Lookups over the loaded catalog: regions, did-you-mean, and a round trip for any pair."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from redplan.analysis.geo import InflationFit, fiber_floor_ms, fit_inflation
from redplan.catalog.errors import CatalogError, SiteDataError, UnknownRegionError
from redplan.catalog.models import Region, RttFigure, Site, Source

if TYPE_CHECKING:
    from redplan.catalog.availability import AvailabilityAssumptions
    from redplan.catalog.prices import PriceCatalog
    from redplan.catalog.technologies import TechnologyCatalog

SITE_SOURCE = "site declared in spec"
MEASURED_SOURCE = "measured (spec)"
PROXY_RADIUS_KM = 600.0
PROXY_MEDIAN_ERROR = 0.05
"""Measured by tests/catalog/test_catalog_lookup.py: each published pair estimated from the others."""
ZONE_RTT_ASSUMPTION_MS = 2.0
"""Azure documents its availability zones as under 2 ms round trip apart; used where nothing is published."""


class PublishedRtt(NamedTuple):
    """A directed pair as the data gives it; `distance_km` is None where a location is unpublished."""

    p50_ms: float
    p95_ms: float | None
    source: str
    distance_km: float | None


class SameRegionRtt(NamedTuple):
    rtt_ms: float
    statistic: str
    source: str


def floor_violation(rtt_ms: float, distance_km: float | None) -> str | None:
    """Why `rtt_ms` is physically impossible over `distance_km`, or None when it is possible."""
    if distance_km is None or rtt_ms >= fiber_floor_ms(distance_km):
        return None
    return f"is below the physical floor of {fiber_floor_ms(distance_km):.1f} ms for {distance_km:,.0f} km of fiber"


class Catalog:
    """Regions and round trips; build it with `load_catalog`, extend it with `with_sites`."""

    def __init__(
        self,
        regions: Mapping[str, Region],
        rtt: Mapping[tuple[str, str], PublishedRtt] | Callable[[], dict[tuple[str, str], PublishedRtt]],
        same_region: Mapping[str, SameRegionRtt],
        azure_pairs: Mapping[str, str],
        sources: Mapping[str, Source],
        directory: Path | None,
        fit_from: Catalog | None = None,
    ) -> None:
        self.regions: Mapping[str, Region] = MappingProxyType(dict(regions))
        self.sources: Mapping[str, Source] = MappingProxyType(dict(sources))
        self.directory = directory
        """The override directory this catalog was loaded with (None: shipped files only)."""
        self._rtt_pairs = dict(rtt) if isinstance(rtt, Mapping) else None
        self._rtt_loader = rtt if callable(rtt) else None
        self._same_region = same_region
        self._azure_pairs = azure_pairs
        self._fit_from = fit_from
        self._fit: InflationFit | None = None
        self._neighbour_cache: dict[str, list[tuple[float, str]]] = {}
        self._largest_same_region: dict[str, tuple[float, str]] = {}
        for region_id, figure in same_region.items():
            provider = self.regions[region_id].provider
            if figure.rtt_ms > self._largest_same_region.get(provider, (-math.inf, ""))[0]:
                self._largest_same_region[provider] = (figure.rtt_ms, figure.source)

    def technologies(self) -> TechnologyCatalog:
        """Failover, replication and restore defaults (technologies.yaml), honouring this catalog's directory."""
        cached = self.__dict__.get("_technologies")
        if cached is None:
            from redplan.catalog.technologies import load_technologies

            cached = self.__dict__["_technologies"] = load_technologies(self.directory)
        return cached

    def prices(self) -> PriceCatalog:
        """Monthly-cost inputs (prices.yaml), honouring this catalog's directory."""
        cached = self.__dict__.get("_prices")
        if cached is None:
            from redplan.catalog.prices import load_prices

            cached = self.__dict__["_prices"] = load_prices(self.directory)
        return cached

    def availability(self) -> AvailabilityAssumptions:
        """The assumed availability of nodes, zones, regions and providers (availability.yaml), honouring this catalog's directory."""
        cached = self.__dict__.get("_availability")
        if cached is None:
            from redplan.catalog.availability import load_availability

            cached = self.__dict__["_availability"] = load_availability(self.directory)
        return cached

    def region(self, region_id: str) -> Region:
        try:
            return self.regions[region_id]
        except KeyError:
            raise UnknownRegionError(region_id, self.suggest(region_id)) from None

    def suggest(self, region_id: str) -> list[str]:
        """Up to three ids close to `region_id`: the same region name under another provider first
        (`gcp:us-east-1` → `aws:us-east-1`), then near spellings."""
        wanted = region_id.strip().lower()
        name = wanted.partition(":")[2] or wanted
        same_name = [known for known, region in self.regions.items() if region.name.lower() == name]
        # difflib.get_close_matches breaks ties in reverse order (us-east-l → us-east-2 first); sort ties by id
        scored = sorted((-difflib.SequenceMatcher(None, wanted, known.lower()).ratio(), known) for known in self.regions)
        close = [known for negated_ratio, known in scored[:3] if -negated_ratio >= 0.6]
        return [known for known in dict.fromkeys(same_name + close) if known != region_id][:3]

    def providers(self) -> list[str]:
        return sorted({region.provider for region in self.regions.values()})

    def regions_of(self, provider: str) -> list[Region]:
        return [region for region in self.regions.values() if region.provider == provider]

    def paired_region(self, region_id: str) -> str | None:
        """Azure's paired region, if any. It may lie outside the catalog (azure:swedensouth is unlisted)."""
        self.region(region_id)
        return self._azure_pairs.get(region_id)

    @property
    def inflation_fit(self) -> InflationFit:
        """rtt ≈ f(fiber floor), fitted once on this catalog's published pairs with locations.

        A catalog made by `with_sites` reuses its base's fit: a few measured site links should not
        move every estimate."""
        if self._fit_from is not None:
            return self._fit_from.inflation_fit
        if self._fit is None:
            samples = [
                (fiber_floor_ms(pair.distance_km), pair.p50_ms) for pair in self._rtt.values() if pair.distance_km is not None
            ]
            try:
                self._fit = fit_inflation(samples)
            except ValueError as problem:
                raise CatalogError(f"cannot estimate missing round trips: {problem}") from None
        return self._fit

    @property
    def _rtt(self) -> dict[tuple[str, str], PublishedRtt]:
        """The published pairs, read at first use: `validate` never needs the 5,000-row matrix."""
        if self._rtt_pairs is None:
            assert self._rtt_loader is not None
            self._rtt_pairs = self._rtt_loader()
        return self._rtt_pairs

    def rtt(self, a: str, b: str) -> RttFigure:
        """The round trip a → b: published, else published b → a, else same-region, else estimated."""
        region_a, region_b = self.region(a), self.region(b)
        if (a, b) in self._rtt:
            return self._published(a, b, self._rtt[a, b], reverse=False)
        if (b, a) in self._rtt:
            return self._published(a, b, self._rtt[b, a], reverse=True)
        if a == b:
            return self._same_region_figure(region_a)
        return self._estimate(region_a, region_b)

    def published_pairs(self) -> Iterator[tuple[str, str, PublishedRtt]]:
        """(a, b, figure) for every directed pair the data gives (published, or measured in the spec),
        as given: no reverse lookups, same-region figures or estimates. Raw tuples: it is for
        statistics over thousands of pairs, which `rtt` would slow down with its basis texts."""
        return ((a, b, pair) for (a, b), pair in self._rtt.items())

    def with_sites(self, sites: Sequence[Site]) -> Catalog:
        """A new catalog that also knows the declared on-prem sites and their measured round trips."""
        regions = dict(self.regions)
        for index, site in enumerate(sites):
            if site.name in regions:
                raise SiteDataError((index, "name"), f"{site.name} is already a region or site")
            regions[site.name] = Region(
                id=site.name,
                provider="dc",
                name=site.name.partition(":")[2] or site.name,
                display_name=site.name,
                country="",
                continent="",
                lat=site.lat,
                lon=site.lon,
                az_count=site.zones,
                source=SITE_SOURCE,
            )
        extended = Catalog(
            regions, self._rtt, self._same_region, self._azure_pairs, self.sources, self.directory, fit_from=self
        )
        for index, site in enumerate(sites):
            for other, rtt_ms in site.rtt_ms.items():
                extended._add_measured(index, site.name, other, rtt_ms)
        return extended

    def _add_measured(self, site_index: int, site_id: str, other: str, rtt_ms: float) -> None:
        where = (site_index, "rtt_ms", other)
        if other not in self.regions:
            raise SiteDataError(where, str(UnknownRegionError(other, self.suggest(other))))
        if not (math.isfinite(rtt_ms) and rtt_ms > 0):
            raise SiteDataError(where, f"{rtt_ms} ms to {other} is not a positive round trip")
        distance = self.regions[site_id].distance_km(self.regions[other])
        problem = floor_violation(rtt_ms, distance)
        if problem:
            raise SiteDataError(where, f"{rtt_ms:g} ms to {other} {problem}")
        self._rtt[site_id, other] = PublishedRtt(float(rtt_ms), None, MEASURED_SOURCE, distance)

    def _published(self, a: str, b: str, pair: PublishedRtt, reverse: bool) -> RttFigure:
        if pair.source == MEASURED_SOURCE:
            basis = "measured round trip declared in the spec"
        else:
            statistics = "p50 and p95" if pair.p95_ms is not None else "p50"
            basis = f"published {statistics}, {pair.source}"
        if reverse:
            basis += f" (for {b} → {a}, the direction published)"
        floor = None if pair.distance_km is None else fiber_floor_ms(pair.distance_km)
        return RttFigure(a, b, pair.p50_ms, pair.p95_ms, pair.source, False, basis, pair.distance_km, floor)

    def _same_region_figure(self, region: Region) -> RttFigure:
        published = self._same_region.get(region.id)
        if published is not None:
            source, rtt_ms = published.source, published.rtt_ms
            basis = f"published same-region {published.statistic}, {published.source}"
        elif region.provider in self._largest_same_region:
            rtt_ms, cited = self._largest_same_region[region.provider]
            source = f"assumption: largest published {region.provider} same-region round trip"
            basis = f"no same-region figure published for {region.id}; assumed the largest {region.provider} one, {rtt_ms:g} ms ({cited})"
        else:
            rtt_ms = ZONE_RTT_ASSUMPTION_MS
            source = "assumption: zones under 2 ms round trip apart, as Azure documents for its availability zones"
            basis = f"no same-region figure published for {region.id}; assumed {rtt_ms:g} ms, the bound Azure documents between its availability zones"
        return RttFigure(region.id, region.id, rtt_ms, None, source, False, basis, 0.0, 0.0)

    def _nearest_published(self, region_a: Region, region_b: Region) -> tuple[float, tuple[str, str, PublishedRtt, float]] | None:
        """The published pair whose ends are nearest these two (at most PROXY_RADIUS_KM moved in all),
        with the distance between its ends (only located pairs qualify).

        Routes between metros are shared: a measured pair 100 km away predicts a missing one far
        better (median error 5%) than distance times a fitted inflation (13%)."""
        best: tuple[float, tuple[str, str, PublishedRtt, float]] | None = None
        for moved_a, near_a in self._neighbours(region_a):
            for moved_b, near_b in self._neighbours(region_b):
                moved = moved_a + moved_b
                if moved >= PROXY_RADIUS_KM or (best is not None and moved >= best[0]):
                    continue
                for a, b in ((near_a, near_b), (near_b, near_a)):
                    pair = self._rtt.get((a, b))
                    if pair is not None and pair.distance_km is not None:
                        best = (moved, (a, b, pair, pair.distance_km))
                        break
        return best

    def _neighbours(self, region: Region) -> list[tuple[float, str]]:
        """The region itself and the located regions within PROXY_RADIUS_KM, nearest first."""
        cached = self._neighbour_cache.get(region.id)
        if cached is None:
            around = ((region.distance_km(other), other.id) for other in self.regions.values())
            cached = sorted((km, other) for km, other in around if km is not None and km < PROXY_RADIUS_KM)
            self._neighbour_cache[region.id] = cached
        return cached

    def _estimate(self, region_a: Region, region_b: Region) -> RttFigure:
        distance = region_a.distance_km(region_b)
        if distance is None:
            unlocated = region_b.id if region_a.located else region_a.id
            raise CatalogError(
                f"no published round trip between {region_a.id} and {region_b.id}, and {unlocated} "
                "has no published location to estimate one from"
            )
        floor = fiber_floor_ms(distance)
        proxy = self._nearest_published(*sorted((region_a, region_b), key=lambda region: region.id))  # symmetric
        if proxy is not None:
            moved, (a, b, pair, pair_km) = proxy
            p50 = max(floor, pair.p50_ms + floor - fiber_floor_ms(pair_km))
            basis = (
                f"estimated from the published {a} ↔ {b} round trip ({pair.p50_ms:g} ms, {pair.source}), whose ends lie "
                f"{moved:,.0f} km from these, adjusted by the fiber time of the {distance - pair_km:+,.0f} km "
                f"difference in distance (median error {PROXY_MEDIAN_ERROR:.0%} on the catalog's own pairs)"
            )
            if a.split(":")[0] != region_a.provider or b.split(":")[0] != region_b.provider:
                basis += "; another provider's backbone, so traffic between providers may take longer"
            return RttFigure(region_a.id, region_b.id, p50, None, "estimate", True, basis, distance, floor)
        fit = self.inflation_fit
        p50 = fit.estimate_ms(floor)
        basis = (
            f"estimated from {distance:,.0f} km great-circle distance: {fit.intercept_ms:.1f} ms + "
            f"{fit.slope:.2f} × {floor:.1f} ms fiber floor, fitted on {fit.pairs:,} catalog pairs "
            f"(median error {fit.median_relative_error:.0%})"
        )
        if p50 == floor:
            basis += "; raised to the fiber floor"
        return RttFigure(region_a.id, region_b.id, p50, None, "estimate", True, basis, distance, floor)
