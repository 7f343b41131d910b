"""The only code that reads catalogs/: regions, round trips (published, same-region or estimated), citations,
technology failover defaults and prices (Catalog.technologies() and Catalog.prices(), loaded on demand:
validating a file does not pay for them)."""

from redplan.catalog.catalog import Catalog
from redplan.catalog.errors import CatalogError, SiteDataError, UnknownRegionError
from redplan.catalog.files import load_yaml_resource
from redplan.catalog.loader import load_catalog
from redplan.catalog.models import Region, RttFigure, Site, Source

__all__ = [
    "Catalog",
    "CatalogError",
    "Region",
    "RttFigure",
    "Site",
    "SiteDataError",
    "Source",
    "UnknownRegionError",
    "load_catalog",
    "load_yaml_resource",
]
