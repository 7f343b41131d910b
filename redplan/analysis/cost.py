"""Monthly cost of a design: instances × hours + storage + replication transfer + backups (DESIGN.md §5).

Pure functions: prices come in as arguments (the catalog supplies them), nothing of redplan is
imported. A month is 730 hours, the convention the cloud price pages use (8,760 h / 12).
Transfer volumes are decimal gigabytes (10^9 bytes); where a provider bills per GiB the
result over-states the volume, and therefore the cost, by about 7 %.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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


class Bill(NamedTuple):
    """One provider's month as quantities and unit prices; build it with `monthly_bill`, which checks them.

    A named tuple: candidates are priced by the thousand, and a frozen dataclass is several times slower to build."""

    instances: float
    instance_hourly_usd: float
    storage_gb: float
    storage_usd_per_gb_month: float
    transfer_gb_by_class: Mapping[str, float]
    transfer_usd_by_class: Mapping[str, float]
    backup_gb: float
    backup_usd_per_gb_month: float
    label: str = ""
    """Put before each item: the provider's name when a design spans several."""

    def amounts(self) -> list[float]:
        """USD of instances, storage, each transfer class and backups, in that order (nothing left out): all a total
        needs, and candidates are priced by the thousand; `items` words the lines of it that a report shows."""
        return [self.instances * self.instance_hourly_usd * HOURS_PER_MONTH,
                self.storage_gb * self.storage_usd_per_gb_month,
                *[gb * self.transfer_usd_by_class[transfer_class] for transfer_class, gb in self.transfer_gb_by_class.items()],
                self.backup_gb * self.backup_usd_per_gb_month]

    def items(self) -> list[CostItem]:
        """The lines of `amounts` that cost something, and always the instances, each with its arithmetic
        as text: formatting waits until a report shows the lines, and is written out for the same reason."""
        instances, storage, *transfers, backup = self.amounts()
        label = self.label
        items = [_instances_item(label, self.instances, self.instance_hourly_usd, instances)]
        if storage > 0:
            items.append(CostItem(f"{label}block storage", storage, f"{self.storage_gb:,.6g} GB × ${self.storage_usd_per_gb_month:g}/GB-month"))
        for (transfer_class, gb), usd in zip(self.transfer_gb_by_class.items(), transfers):
            if usd > 0:
                items.append(CostItem(f"{label}transfer {transfer_class}", usd, f"{gb:,.6g} GB × ${self.transfer_usd_by_class[transfer_class]:g}/GB"))
        if backup > 0:
            items.append(CostItem(f"{label}backup storage", backup, f"{self.backup_gb:,.6g} GB × ${self.backup_usd_per_gb_month:g}/GB-month"))
        return items


@functools.lru_cache(maxsize=1024)
def _instances_item(label: str, instances: float, hourly_usd: float, usd: float) -> CostItem:
    """The instances line, remembered: a fleet's bills repeat a few sizes and prices (the figures are
    floats, and the text shows an int as its equal float, so equal keys make the same line)."""
    return CostItem(f"{label}instances", usd, f"{instances:g} × ${hourly_usd:g}/h × {HOURS_PER_MONTH} h")


@dataclass(frozen=True)
class CostEstimate:
    """A monthly total in USD over one bill per provider.

    Ranking candidate designs needs only totals, so the itemised breakdown (with the arithmetic
    of each line as text) is built when asked for.
    """

    bills: tuple[Bill, ...]
    total: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", math.fsum(usd for bill in self.bills for usd in bill.amounts()))

    @property
    def breakdown(self) -> tuple[CostItem, ...]:
        """Every line that costs something, and always the instances."""
        return tuple(item for bill in self.bills for item in bill.items())


@dataclass(frozen=True)
class StaticStability:
    """Capacity to provision so that losing one of `domains` equal domains needs no scaling action."""

    domains: int
    factor: float
    survives_domain_loss: bool
    note: str


def monthly_bill(
    instances: float,
    instance_hourly_usd: float,
    storage_gb: float,
    storage_usd_per_gb_month: float,
    transfer_gb_by_class: Mapping[str, float],
    transfer_usd_by_class: Mapping[str, float],
    backup_gb: float,
    backup_usd_per_gb_month: float,
    label: str = "",
) -> Bill:
    """The month of `instances` always-on instances, their block storage, transfer and backups.

    `storage_gb` is the total provisioned across all instances. `transfer_usd_by_class` must price
    every class that `transfer_gb_by_class` uses; a class with no price is an error rather than
    silently free.
    """
    _require_amounts((instances, instance_hourly_usd, storage_gb, storage_usd_per_gb_month, backup_gb, backup_usd_per_gb_month),
                     lambda: ("instances", "instance_hourly_usd", "storage_gb", "storage_usd_per_gb_month", "backup_gb", "backup_usd_per_gb_month"))
    for transfer_class in transfer_gb_by_class:
        if transfer_class not in transfer_usd_by_class:
            raise ValueError(f"no price for transfer class {transfer_class!r} (priced: {', '.join(sorted(transfer_usd_by_class)) or 'none'})")
    _require_amounts((*transfer_gb_by_class.values(), *transfer_usd_by_class.values()),
                     lambda: [*(f"transfer_gb_by_class[{key!r}]" for key in transfer_gb_by_class),
                              *(f"transfer_usd_by_class[{key!r}]" for key in transfer_usd_by_class)])
    return Bill(instances, instance_hourly_usd, storage_gb, storage_usd_per_gb_month, transfer_gb_by_class,
                transfer_usd_by_class, backup_gb, backup_usd_per_gb_month, label)


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
    _require_amounts((write_rate_per_s, write_bytes, *remote_copies_by_class.values()),
                     lambda: ["write_rate_per_s", "write_bytes", *(f"remote_copies_by_class[{key!r}]" for key in remote_copies_by_class)])
    per_copy = write_rate_per_s * write_bytes * SECONDS_PER_MONTH / BYTES_PER_GB
    return {transfer_class: per_copy * copies for transfer_class, copies in remote_copies_by_class.items()}


def _require_amounts(values: Sequence[float], names: Callable[[], Sequence[str]]) -> None:
    """Every value a finite number of at least 0; `names`, built only when one is not, say which.

    The fast path is one min and one sum: pricing a fleet's candidate designs checks millions of figures.
    """
    try:
        if min(values, default=0) >= 0 and math.isfinite(sum(values)):
            return
    except TypeError:
        pass
    for name, value in zip(names(), values):
        _non_negative(name, value)


def _non_negative(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")
