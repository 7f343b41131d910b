"""Candidate designs for a service, drawn from the regions it may run in.

The set depends only on where the service may run (and whether it holds
state), never on its objectives: objectives only filter and rank. That is
what makes recommend monotone — a tighter objective can only remove
candidates, so it can never make the chosen design cheaper.
"""

from __future__ import annotations

from collections.abc import Iterator

from redplan.analysis.cost import statically_stable_instances
from redplan.analysis.model import Quorum, Replica, Scope
from redplan.catalog import Catalog
from redplan.engine.design import (
    CONSENSUS,
    LEADERLESS,
    MULTI_PRIMARY,
    PRIMARY_ACKS,
    PRIMARY_BACKUP,
    STATELESS,
    Design,
)
from redplan.spec.checks import has_round_trip
from redplan.spec.models import Service

DEFAULT_BACKUP_INTERVAL_S = 24 * 3600.0
BACKUP_INTERVALS_S = (900.0, 3600.0, 4 * 3600.0, 24 * 3600.0)
"""Shortest first: backup designs cost the same at every interval, and among equals the report shows
the first that misses, which should be the closest miss (15-minute backups that copy for 23 hours)."""
MAX_REGIONS = 3
MAJORITY = Quorum("majority")
ONE = Quorum(1, among="data")


def zone_labels(catalog: Catalog, region: str) -> list[str]:
    """Zone names for a region: a, b, c for AWS and GCP; 1, 2, 3 for Azure and sites; one unnamed zone when it has none."""
    count = catalog.region(region).az_count or 0
    if count <= 0:
        return ["-"]
    if region.startswith(("azure:", "dc:")):
        return [str(number) for number in range(1, count + 1)]
    return [chr(ord("a") + index) for index in range(min(count, 26))]


def candidate_regions(service: Service, catalog: Catalog) -> list[str]:
    """The home region first (the first listed region clients use), then the others nearest first.

    A service that lists no regions may run near its clients: their regions, then the catalog's
    nearest regions of the same provider.
    """
    listed = list(dict.fromkeys(service.regions or service.clients))
    if not listed:
        return []
    clients = set(service.clients)
    home = next((region for region in listed if region in clients), listed[0])
    if not service.regions:
        near = catalog.region(home)  # unlocated, it keeps only the regions with a published round trip to it
        listed += [region.id for region in catalog.regions_of(near.provider) if region.located and region.id not in listed
                   and (near.located or has_round_trip(catalog, home, region.id))]
    others = sorted((region for region in listed if region != home), key=lambda region: (catalog.rtt(home, region).p50_ms, region))
    return [home, *others][:MAX_REGIONS]


def candidate_designs(service: Service, catalog: Catalog, capacity: int) -> list[Design]:
    regions = candidate_regions(service, catalog)
    if not regions:
        return []
    zones = {region: zone_labels(catalog, region) for region in regions}
    if service.state == "stateless":
        return list(_stateless(regions, zones, capacity))
    return list(_stateful(regions, zones))


def _stateless(regions: list[str], zones: dict[str, list[str]], capacity: int) -> Iterator[Design]:
    """N+1 over one zone, over the home region's zones (static stability), and over two regions."""
    home = regions[0]
    layouts = [[(home, zones[home][0])], [(home, zone) for zone in zones[home][:3]]]
    if len(regions) > 1:
        layouts.append([(region, zone) for region in regions[:2] for zone in zones[region][:3]])
    for layout in layouts:
        yield from _n_plus_one(layout, capacity)


def _n_plus_one(layout: list[tuple[str, str]], capacity: int) -> Iterator[Design]:
    """Enough instances that losing the largest domain leaves `capacity`: M/(M-1) over M domains, N+1 in one."""
    by_region: dict[str, list[str]] = {}
    for region, zone in layout:
        by_region.setdefault(region, []).append(zone)
    domains = len(by_region) if len(by_region) > 1 else len(layout)
    total = statically_stable_instances(capacity, domains)
    replicas = []
    for (region, region_zones), in_region in zip(by_region.items(), _shares(total, len(by_region))):
        for zone, count in zip(region_zones, _shares(in_region, len(region_zones))):
            replicas += [Replica(region, zone, "instance")] * count
    serve = Quorum(capacity, among="data")
    yield Design("n-plus-1", "none", STATELESS, tuple(replicas), serve, serve, serve)


def _shares(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (index < extra) for index in range(parts)]


def _stateful(regions: list[str], zones: dict[str, list[str]]) -> Iterator[Design]:
    home = regions[0]
    home_zones = zones[home]
    second = regions[1] if len(regions) > 1 else None
    yield from _backup_based(home, home_zones[0], second)
    yield from _active_passive(home, home_zones, regions, zones)
    yield from _consensus(home, home_zones, regions, zones)
    if second is not None:
        yield from _multi_primary(regions, zones)
    yield from _leaderless(home, home_zones, regions, zones)


def _backup_based(home: str, zone: str, second: str | None) -> Iterator[Design]:
    """One running replica; backups at several intervals, kept in another region when there is one."""
    primary = (Replica(home, zone, "primary"),)
    for interval in BACKUP_INTERVALS_S:
        yield Design(
            "backup-restore", "none", PRIMARY_BACKUP, primary, Quorum(1), ONE, PRIMARY_ACKS,
            leader_region=home, backup_interval_s=interval, backup_region=second or home,
        )
        if second is not None:
            yield Design(
                "cold-standby", "none", PRIMARY_BACKUP, primary, Quorum(1), ONE, PRIMARY_ACKS,
                leader_region=home, backup_interval_s=interval, backup_region=second, standby_region=second,
            )


def _active_passive(home: str, home_zones: list[str], regions: list[str], zones: dict[str, list[str]]) -> Iterator[Design]:
    """A primary and standbys in other zones and regions; async, or sync with block or degrade-to-async.

    Synchronous designs wait for ANY one standby (PostgreSQL's `ANY 1 (...)`): with two or more
    standbys, losing one does not stop writes even when the primary blocks without a sync ack.
    """
    primary = Replica(home, home_zones[0], "primary")
    local = [(home, zone) for zone in home_zones[1:3]] or [(home, home_zones[0])]
    layouts = [local[:1], local[:2]]
    if len(regions) > 1:
        remote = [(regions[1], zone) for zone in zones[regions[1]][:2]]
        layouts += [remote[:1], [local[0], remote[0]], remote[:2]]  # the last: every sync ack leaves the region
    if len(regions) > 2:
        layouts.append([(region, zones[region][0]) for region in regions[1:3]])  # any region can be lost
    offsite = _offsite(regions)
    for standbys in _unique(layouts):
        replicas = (primary, *(Replica(region, zone, "standby") for region, zone in standbys))
        yield Design("active-passive", "async", PRIMARY_BACKUP, replicas, Quorum(1), ONE, PRIMARY_ACKS,
                     leader_region=home, backup_interval_s=DEFAULT_BACKUP_INTERVAL_S, backup_region=offsite)
        sync_replicas = (primary, *(Replica(region, zone, "standby", sync=True) for region, zone in standbys))
        block, acked = Quorum(2, among="data-voters"), Quorum(2, among="data-voters", leader=True)
        yield Design("active-passive", "sync", PRIMARY_BACKUP, sync_replicas, block, ONE, acked, on_sync_standby_loss="block",
                     leader_region=home, backup_interval_s=DEFAULT_BACKUP_INTERVAL_S, backup_region=offsite)
        yield Design("active-passive", "sync", PRIMARY_BACKUP, sync_replicas, Quorum(1), ONE, PRIMARY_ACKS,
                     on_sync_standby_loss="degrade-to-async",
                     leader_region=home, backup_interval_s=DEFAULT_BACKUP_INTERVAL_S, backup_region=offsite)


def _unique(layouts: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    return [list(layout) for layout in dict.fromkeys(tuple(layout) for layout in layouts)]


def _offsite(regions: list[str]) -> str:
    return regions[1] if len(regions) > 1 else regions[0]


def _consensus(home: str, home_zones: list[str], regions: list[str], zones: dict[str, list[str]]) -> Iterator[Design]:
    """Raft/Paxos groups: 3 or 5 voters over the home region's zones, or over three regions."""
    layouts = [[(home, zone) for zone in (home_zones * 2)[:3]]]
    if len(home_zones) >= 3:
        layouts.append([(home, zone) for zone in (home_zones[:3] * 2)[:5]])
    if len(regions) >= 3:
        layouts.append([(region, zones[region][0]) for region in regions[:3]])
        layouts.append([(regions[0], zones[regions[0]][0]), (regions[0], zones[regions[0]][-1]),
                        (regions[1], zones[regions[1]][0]), (regions[1], zones[regions[1]][-1]),
                        (regions[2], zones[regions[2]][0])])
    for layout in layouts:
        replicas = tuple(Replica(region, zone, "replica") for region, zone in layout)
        yield Design(
            "active-active", "sync", CONSENSUS, replicas, MAJORITY, MAJORITY, MAJORITY,
            leader_region=home, backup_interval_s=DEFAULT_BACKUP_INTERVAL_S, backup_region=_offsite(regions),
        )


def _multi_primary(regions: list[str], zones: dict[str, list[str]]) -> Iterator[Design]:
    """Every region accepts writes and replicates asynchronously; conflicts merge by LWW, CRDTs or the application."""
    for count in (2, 3):
        if len(regions) < count:
            continue
        replicas = tuple(Replica(region, zones[region][0], "primary") for region in regions[:count])
        for resolution in ("lww", "crdt", "app-merge"):
            yield Design(
                "active-active", "async", MULTI_PRIMARY, replicas, Quorum(1), ONE, Quorum(1),
                conflict_resolution=resolution, backup_interval_s=DEFAULT_BACKUP_INTERVAL_S, backup_region=_offsite(regions),
            )


def _leaderless(home: str, home_zones: list[str], regions: list[str], zones: dict[str, list[str]]) -> Iterator[Design]:
    """Dynamo-style N/W/R: three replicas in the home region, or three in each of two regions."""
    local = [Replica(home, zone, "replica") for zone in (home_zones * 3)[:3]]
    yield Design("quorum", "sync", LEADERLESS, tuple(local), MAJORITY, Quorum("majority", among="data"), MAJORITY,
                 backup_interval_s=DEFAULT_BACKUP_INTERVAL_S, backup_region=_offsite(regions), conflict_resolution="lww")
    if len(regions) < 2:
        return
    spread = tuple(Replica(region, zone, "replica") for region in regions[:2] for zone in (zones[region] * 3)[:3])
    scopes: tuple[tuple[Scope, Scope], ...] = (("global", "global"), ("local", "local"), ("each", "local"))
    for write_scope, read_scope in scopes:
        yield Design(
            "quorum", "sync", LEADERLESS, spread, Quorum("majority", write_scope), Quorum("majority", read_scope, "data"),
            Quorum("majority", write_scope), backup_interval_s=DEFAULT_BACKUP_INTERVAL_S, backup_region=_offsite(regions),
            conflict_resolution="lww",
        )
