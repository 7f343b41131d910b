"""Cross-field checks that make a file meaningless when they fail.

Each check yields (path, message) with a path of keys and indices inside one
service (or the whole run), so the loader can point at the offending line.
These are input errors; a design that is merely bad is left to audit.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Iterator

from redplan.analysis.data_loss import MAX_P99_PER_MEDIAN
from redplan.analysis.model import DATA_ROLES
from redplan.catalog import Catalog, CatalogError
from redplan.spec.models import Replica, Service
from redplan.spec.units import format_duration

Problem = tuple[tuple, str]

VOTING_ROLES = frozenset({"primary", "standby", "replica", "witness", "arbiter"})
MAX_REPLICAS = 100_000
MAX_STATEFUL_REPLICAS = 100


def check_service(service: Service, catalog: Catalog) -> Iterator[Problem]:
    """Every check of one service that needs nothing but the service and the catalog."""
    references = list(_region_references(service))
    yield from _unknown_regions(references, catalog)
    yield from _round_trips_known(references, catalog)
    yield from _replicas_outside_regions(service)
    yield from _replica_count_bounded(service)
    yield from _quorum_fits(service)
    yield from _replication_lag_in_order(service)


def _region_references(service: Service) -> Iterator[tuple[tuple, str]]:
    for index, region in enumerate(service.regions):
        yield ("regions", index), region
    for index, region in enumerate(service.clients):
        yield ("clients", index), region
    deployment = service.deployment
    if deployment is None:
        return
    for index, replica in enumerate(deployment.replicas):
        yield ("deployment", "replicas", index, "region"), replica.region
    if deployment.backups and deployment.backups.offsite:
        yield ("deployment", "backups", "offsite"), deployment.backups.offsite


def _unknown_regions(references: list[tuple[tuple, str]], catalog: Catalog) -> Iterator[Problem]:
    for path, region in references:
        if region not in catalog.regions:
            yield path, unknown_region_message(region, catalog)


def _round_trips_known(references: list[tuple[tuple, str]], catalog: Catalog) -> Iterator[Problem]:
    """Every two regions a service names have a round trip: published, or estimated from their locations.
    A few catalog regions have no published location; with one of those only published pairs work."""
    regions = catalog.regions
    named: dict[str, tuple] = {}
    for path, region in references:
        if region in regions:
            named.setdefault(region, path)
    for region in (region for region in named if not regions[region].located):
        missing = [other for other in named if other != region and not has_round_trip(catalog, region, other)]
        if missing:
            others = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            yield named[region], (f"no round trip is known between {region} and {others}: {region} has no published "
                                  "location to estimate one from and the catalog publishes none for those pairs; "
                                  "choose another region, or give the pairs in a catalog of your own (--catalog-dir)")


def has_round_trip(catalog: Catalog, a: str, b: str) -> bool:
    """Whether the catalog gives a round trip between two of its regions (published, or estimated from locations)."""
    try:
        catalog.rtt(a, b)
    except CatalogError:
        return False
    return True


def unknown_region_message(region: str, catalog: Catalog) -> str:
    suggestions = catalog.suggest(region)
    hint = f"; did you mean {suggestions[0]}?" if suggestions else " (regions are provider:region, e.g. aws:us-east-1; `redplan catalog regions` lists them)"
    return f"unknown region {region!r}{hint}"


def _replicas_outside_regions(service: Service) -> Iterator[Problem]:
    if not service.regions or service.deployment is None:
        return
    allowed = set(service.regions)
    for index, replica in enumerate(service.deployment.replicas):
        if replica.region not in allowed:
            listed = ", ".join(service.regions)
            yield (
                ("deployment", "replicas", index, "region"),
                f"replica in {replica.region}, which is not among the service's regions ({listed})",
            )


def _replica_count_bounded(service: Service) -> Iterator[Problem]:
    """The models count replicas one by one: instances in linear time, but the copies of a stateful service's
    data (and its voters) in quorum, latency and staleness models whose cost grows with their square."""
    if service.deployment is None:
        return
    total = copies = 0
    for replica in service.deployment.replicas:
        total += replica.count
        copies += replica.count if replica.role != "instance" else 0
    if total > MAX_REPLICAS:
        yield ("deployment", "replicas"), f"{total:,} replicas in all; redplan models at most {MAX_REPLICAS:,} for one service"
    elif service.state == "stateful" and copies > MAX_STATEFUL_REPLICAS:
        yield (("deployment", "replicas"), f"{copies:,} replicas hold data or vote; redplan models at most "
               f"{MAX_STATEFUL_REPLICAS} (a MongoDB replica set allows 50 members): list the copies of the data, "
               "not the nodes of a sharded cluster")


def _quorum_fits(service: Service) -> Iterator[Problem]:
    deployment = service.deployment
    if deployment is None or deployment.quorum is None:
        return
    quorum = deployment.quorum
    if not deployment.replicas:
        yield ("deployment", "quorum"), "a quorum needs replicas: list them under deployment.replicas"
        return
    checks = (
        ("write", quorum.write, VOTING_ROLES, "voting", quorum.scope),
        ("read", quorum.read, DATA_ROLES, "data-bearing", quorum.read_scope or quorum.scope),
    )
    for operation, size, roles, adjective, scope in checks:
        if not isinstance(size, int):
            continue
        available, where = _quorum_capacity(deployment.replicas, roles, scope)
        if size > available:
            yield (
                ("deployment", "quorum", operation),
                f"{operation} quorum {size} is larger than the {available} {adjective} replicas{where}",
            )


def _replication_lag_in_order(service: Service) -> Iterator[Problem]:
    """A lag is positive (a lognormal through its median and p99 models it) and its p99 is not below its median."""
    lag = service.deployment.replication_lag if service.deployment else None
    if lag is None:
        return
    if lag.p50 <= 0:
        yield ("deployment", "replication_lag", "p50"), "deployment.replication_lag.p50 must be above 0 (a measured median, e.g. 200ms)"
    elif lag.p99 > MAX_P99_PER_MEDIAN * lag.p50:
        yield (("deployment", "replication_lag", "p99"), f"deployment.replication_lag.p99 {format_duration(lag.p99)} is more than "
               f"{MAX_P99_PER_MEDIAN:,.0f} times p50 {format_duration(lag.p50)}: no replication lag is that spread")
    elif lag.p99 < lag.p50:
        yield (("deployment", "replication_lag", "p99"), f"deployment.replication_lag.p99 {format_duration(lag.p99)} is below "
               f"p50 {format_duration(lag.p50)}: a 99th percentile cannot be under the median")


def _quorum_capacity(replicas: list[Replica], roles: frozenset[str], scope: str) -> tuple[int, str]:
    """How many replicas a quorum of this scope can draw on (local: the best region; each: the worst)."""
    per_region: Counter[str] = Counter()
    for replica in replicas:
        if replica.role in roles:
            per_region[replica.region] += replica.count
    if scope == "global" or not per_region:
        return sum(per_region.values()), ""
    region, count = (max if scope == "local" else min)(per_region.items(), key=lambda item: item[1])
    return count, f" in {region} (scope {scope} counts replicas per region)"


def did_you_mean(word: str, choices: list[str]) -> str:
    """A ' did you mean X?' suffix, or nothing when no choice is close."""
    if len(word) > 200:  # nothing is that long, and difflib would index every character of it
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:  # rpo_seconds -> rpo: a known word with something appended
        close = sorted((choice for choice in choices if word.startswith(choice)), key=len, reverse=True)
    if not close:
        return ""
    if any(unicodedata.category(character) in ("Cc", "Cf", "Mn") for character in close[0]):
        return f"; did you mean {ascii(close[0])} (it has invisible or combining characters)?"
    return f"; did you mean {close[0]}?"
