"""The only code that reads catalogs/: regions, round trips (published, same-region or estimated), citations."""

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
