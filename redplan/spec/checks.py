"""Cross-field checks that make a file meaningless when they fail.

Each check yields (path, message) with a path of keys and indices inside one
service (or the whole run), so the loader can point at the offending line.
These are input errors; a design that is merely bad is left to audit.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator

from redplan.analysis.model import DATA_ROLES
from redplan.catalog import Catalog
from redplan.spec.models import Replica, Service
from redplan.spec.units import format_duration

Problem = tuple[tuple, str]

VOTING_ROLES = frozenset({"primary", "standby", "replica", "witness", "arbiter"})


def check_service(service: Service, catalog: Catalog) -> Iterator[Problem]:
    """Every check of one service that needs nothing but the service and the catalog."""
    yield from _unknown_regions(service, catalog)
    yield from _replicas_outside_regions(service)
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


def _unknown_regions(service: Service, catalog: Catalog) -> Iterator[Problem]:
    for path, region in _region_references(service):
        if region not in catalog.regions:
            yield path, unknown_region_message(region, catalog)


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
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:  # rpo_seconds -> rpo: a known word with something appended
        close = sorted((choice for choice in choices if word.startswith(choice)), key=len, reverse=True)
    return f"; did you mean {close[0]}?" if close else ""
