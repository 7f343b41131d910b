"""The only code that reads catalogs/: regions, round trips (published, same-region or estimated), citations,
technology failover defaults and prices."""

from redplan.catalog.catalog import Catalog
from redplan.catalog.errors import CatalogError, SiteDataError, UnknownRegionError
from redplan.catalog.files import load_yaml_resource
from redplan.catalog.loader import load_catalog
from redplan.catalog.models import Region, RttFigure, Site, Source
from redplan.catalog.prices import PriceCatalog, ProviderPrices, load_prices
from redplan.catalog.technologies import TechnologyCatalog, TechnologyProfile, load_technologies

__all__ = [
    "Catalog",
    "CatalogError",
    "PriceCatalog",
    "ProviderPrices",
    "Region",
    "RttFigure",
    "Site",
    "SiteDataError",
    "Source",
    "TechnologyCatalog",
    "TechnologyProfile",
    "UnknownRegionError",
    "load_catalog",
    "load_prices",
    "load_technologies",
    "load_yaml_resource",
]
