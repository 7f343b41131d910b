"""Monthly-cost inputs per provider, read from catalogs/prices.yaml.

One reference instance (4 vCPU / 16 GiB, on-demand Linux), block storage, backup (object)
storage and per-GB transfer prices by class, each with source, as-of date and basis. The
reference region's prices apply to every region of a provider (no regional multiplier; see
`PriceCatalog.reference_region_assumption`). The `dc` entry is all assumptions.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from redplan.analysis.cost import HOURS_PER_MONTH, TRANSFER_CLASSES
from redplan.catalog.errors import CatalogError
from redplan.catalog.files import once_when_shipped
from redplan.catalog.technologies import (
    CatalogSource,
    Cited,
    Text,
    _directory_of,
    _Model,
    check_cited,
    read_cited,
)

if TYPE_CHECKING:
    from redplan.catalog.catalog import Catalog

PRICES_FILE = "prices.yaml"
REQUIRED_PROVIDERS = ("aws", "azure", "gcp", "dc")


class InstancePrice(Cited):
    name: Text
    vcpus: int = Field(gt=0)
    memory_gib: float = Field(gt=0, allow_inf_nan=False)
    usd_per_hour: float = Field(ge=0, allow_inf_nan=False)

    @property
    def usd_per_month(self) -> float:
        return self.usd_per_hour * HOURS_PER_MONTH


class StoragePrice(Cited):
    name: Text
    usd_per_gb_month: float = Field(ge=0, allow_inf_nan=False)


class TransferPrice(Cited):
    usd_per_gb: float = Field(ge=0, allow_inf_nan=False)
    charged: Literal["sender", "both-directions"] = "sender"
    """"both-directions": the sending and the receiving side each pay usd_per_gb (AWS cross-AZ)."""

    @property
    def effective_usd_per_gb(self) -> float:
        """What one GB sent from one replica to another costs in total."""
        return self.usd_per_gb * (2 if self.charged == "both-directions" else 1)


class ProviderPrices(_Model):
    reference_region: Text
    instance: InstancePrice
    block_storage: StoragePrice
    backup_storage: StoragePrice
    backup_storage_infrequent: StoragePrice | None = None
    transfer: dict[str, TransferPrice]

    @field_validator("transfer")
    @classmethod
    def _every_transfer_class(cls, transfer: dict[str, TransferPrice]) -> dict[str, TransferPrice]:
        missing = [name for name in TRANSFER_CLASSES if name not in transfer]
        unknown = [name for name in transfer if name not in TRANSFER_CLASSES]
        if missing:
            raise ValueError(f"transfer is missing {', '.join(missing)}")
        if unknown:
            raise ValueError(f"unknown transfer class {', '.join(unknown)} (known: {', '.join(TRANSFER_CLASSES)})")
        return transfer

    @functools.cached_property
    def transfer_usd_by_class(self) -> Mapping[str, float]:
        """Effective USD per GB replicated, by transfer class, for `analysis.cost.monthly_bill` (computed once)."""
        return MappingProxyType({name: price.effective_usd_per_gb for name, price in self.transfer.items()})


class PriceFile(_Model):
    hours_per_month: int
    reference_region_assumption: Text
    sources: dict[str, CatalogSource]
    providers: dict[str, ProviderPrices]

    @model_validator(mode="after")
    def _month_is_730_hours(self) -> PriceFile:
        if self.hours_per_month != HOURS_PER_MONTH:
            raise ValueError(f"hours_per_month must be {HOURS_PER_MONTH} (the convention analysis.cost uses)")
        return self


class PriceCatalog:
    """Validated prices; build with `load_prices`."""

    def __init__(self, document: PriceFile, path: str) -> None:
        self.path = path
        self.hours_per_month = document.hours_per_month
        self.reference_region_assumption = document.reference_region_assumption
        self.sources: Mapping[str, CatalogSource] = document.sources
        self.providers: Mapping[str, ProviderPrices] = document.providers

    def provider(self, name: str) -> ProviderPrices:
        """Prices of a provider (aws, azure, gcp, dc); a region id such as 'aws:us-east-1' works too."""
        provider = name.partition(":")[0]
        try:
            return self.providers[provider]
        except KeyError:
            known = ", ".join(sorted(self.providers))
            raise CatalogError(f"{self.path}: no prices for provider {provider!r} (known: {known})") from None

    def cite(self, figure: Cited) -> str:
        return figure.citation(self.sources)


def load_prices(catalog: Catalog | str | Path | None = None) -> PriceCatalog:
    """The price catalog of `catalog` (a Catalog, an override directory or None for the shipped one).

    The shipped file is parsed once per process; an override directory's copy is read each call.
    Bad data raises CatalogError naming the file, line and key."""
    return _read_prices(_directory_of(catalog))


@once_when_shipped
def _read_prices(directory: Path | None) -> PriceCatalog:
    document, path, fail = read_cited(PRICES_FILE, directory, PriceFile)
    for name in REQUIRED_PROVIDERS:
        if name not in document.providers:
            fail(("providers",), f"provider {name!r} is missing")
    for name, provider in document.providers.items():
        figures: list[tuple[tuple[str | int, ...], Cited]] = [
            (("providers", name, "instance"), provider.instance),
            (("providers", name, "block_storage"), provider.block_storage),
            (("providers", name, "backup_storage"), provider.backup_storage),
        ]
        if provider.backup_storage_infrequent is not None:
            figures.append((("providers", name, "backup_storage_infrequent"), provider.backup_storage_infrequent))
        figures += [(("providers", name, "transfer", key), price) for key, price in provider.transfer.items()]
        for loc, figure in figures:
            check_cited(figure, loc, document.sources, fail)
            if name == "dc" and figure.basis != "assumption":
                fail((*loc, "basis"), "on-prem (dc) prices are redplan assumptions and must say so")
    return PriceCatalog(document, path)
