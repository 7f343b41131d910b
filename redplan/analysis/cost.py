"""Monthly cost of a design: instances × hours + storage + replication transfer + backups (DESIGN.md §5).

Pure functions: prices come in as arguments (the catalog supplies them), nothing of redplan is
imported. A month is 730 hours, the convention the cloud price pages use (8,760 h / 12).
Transfer volumes are decimal gigabytes (10^9 bytes); where a provider bills per GiB the
result over-states the volume, and therefore the cost, by about 7 %.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
BYTES_PER_GB = 1_000_000_000

TRANSFER_CLASSES = ("cross_az", "inter_region", "intercontinental", "internet")
"""Where replication or client traffic goes: another zone of the region, another region on the
same continent, another continent, or out to the internet."""


class CostItem(NamedTuple):
    item: str
    usd: float
    basis: str


@dataclass(frozen=True)
class CostEstimate:
    """A monthly total in USD and the line items it is the sum of."""

    total: float
    breakdown: tuple[CostItem, ...]


@dataclass(frozen=True)
class StaticStability:
    """Capacity to provision so that losing one of `domains` equal domains needs no scaling action."""

    domains: int
    factor: float
    survives_domain_loss: bool
    note: str


def monthly_cost(
    instances: float,
    instance_hourly_usd: float,
    storage_gb: float,
    storage_usd_per_gb_month: float,
    transfer_gb_by_class: Mapping[str, float],
    transfer_usd_by_class: Mapping[str, float],
    backup_gb: float,
    backup_usd_per_gb_month: float,
) -> CostEstimate:
    """Monthly USD for `instances` always-on instances, their block storage, transfer and backups.

    `storage_gb` is the total provisioned across all instances. `transfer_usd_by_class` must price
    every class that `transfer_gb_by_class` uses; a class with no price is an error rather than
    silently free.
    """
    for name, value in (
        ("instances", instances),
        ("instance_hourly_usd", instance_hourly_usd),
        ("storage_gb", storage_gb),
        ("storage_usd_per_gb_month", storage_usd_per_gb_month),
        ("backup_gb", backup_gb),
        ("backup_usd_per_gb_month", backup_usd_per_gb_month),
    ):
        _non_negative(name, value)
    items = [
        CostItem(
            "instances",
            instances * instance_hourly_usd * HOURS_PER_MONTH,
            f"{instances:g} × ${instance_hourly_usd:g}/h × {HOURS_PER_MONTH} h",
        ),
        CostItem(
            "block storage",
            storage_gb * storage_usd_per_gb_month,
            f"{storage_gb:,.6g} GB × ${storage_usd_per_gb_month:g}/GB-month",
        ),
    ]
    for transfer_class, gb in transfer_gb_by_class.items():
        _non_negative(f"transfer_gb_by_class[{transfer_class!r}]", gb)
        if transfer_class not in transfer_usd_by_class:
            raise ValueError(f"no price for transfer class {transfer_class!r} (priced: {', '.join(sorted(transfer_usd_by_class)) or 'none'})")
        usd_per_gb = transfer_usd_by_class[transfer_class]
        _non_negative(f"transfer_usd_by_class[{transfer_class!r}]", usd_per_gb)
        items.append(CostItem(f"transfer {transfer_class}", gb * usd_per_gb, f"{gb:,.6g} GB × ${usd_per_gb:g}/GB"))
    items.append(
        CostItem(
            "backup storage",
            backup_gb * backup_usd_per_gb_month,
            f"{backup_gb:,.6g} GB × ${backup_usd_per_gb_month:g}/GB-month",
        )
    )
    return CostEstimate(math.fsum(item.usd for item in items), tuple(items))


def static_stability(domains: int) -> StaticStability:
    """M/(M−1) capacity survives the loss of one of M equal domains without scaling: 2 → 2×, 3 → 1.5×.

    One domain cannot survive its own loss at any capacity: the factor is 1.0 and the note says so.
    """
    if isinstance(domains, bool) or not isinstance(domains, int) or domains < 1:
        raise ValueError(f"domains must be a whole number of at least 1, got {domains!r}")
    if domains == 1:
        return StaticStability(1, 1.0, False, "a single domain cannot survive its own loss; no extra capacity helps")
    factor = domains / (domains - 1)
    return StaticStability(
        domains,
        factor,
        True,
        f"{domains} domains: each carries 1/{domains - 1} of the load after one is lost, so provision {factor:.3g}×",
    )


def statically_stable_instances(capacity: int, domains: int) -> int:
    """Instances over `domains` evenly filled domains so that losing any one still leaves `capacity`:
    ⌈capacity/(M−1)⌉ in each of M domains, or N+1 in a single domain."""
    if domains <= 1:
        return capacity + 1
    return domains * math.ceil(capacity / (domains - 1))


def static_stability_factor(domains: int) -> float:
    """M/(M−1); 1.0 for a single domain (which cannot survive its own loss, see `static_stability`)."""
    return static_stability(domains).factor


def replication_transfer_gb_per_month(
    write_rate_per_s: float, write_bytes: float, remote_copies_by_class: Mapping[str, int]
) -> dict[str, float]:
    """GB a month sent to remote copies: write rate × write size × copies × seconds in 730 h, per class.

    Example: 2,000 writes/s of 1 KiB to 2 copies in other regions is
    2000 × 1024 × 2 × 2,628,000 B ≈ 10,764 GB a month of inter-region transfer.
    """
    _non_negative("write_rate_per_s", write_rate_per_s)
    _non_negative("write_bytes", write_bytes)
    volumes: dict[str, float] = {}
    for transfer_class, copies in remote_copies_by_class.items():
        _non_negative(f"remote_copies_by_class[{transfer_class!r}]", copies)
        volumes[transfer_class] = write_rate_per_s * write_bytes * copies * SECONDS_PER_MONTH / BYTES_PER_GB
    return volumes


def _non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")
