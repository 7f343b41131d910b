"""Errors of the catalog: malformed data, unknown regions and impossible site measurements."""

from __future__ import annotations

from collections.abc import Sequence


class CatalogError(ValueError):
    """Catalog data is malformed (`path:line: message`), or a question about it has no answer."""


class UnknownRegionError(CatalogError, KeyError):
    """A region id the catalog does not know, with up to three did-you-mean suggestions."""

    def __init__(self, region_id: str, suggestions: Sequence[str]) -> None:
        self.region_id = region_id
        self.suggestions = list(suggestions)
        hint = f"; did you mean {' or '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown region {region_id!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])  # KeyError would wrap the message in quotes


class SiteDataError(CatalogError):
    """A declared site is inconsistent; `where` points into the spec's `sites` list for file:line.

    `where` is (site_index, field, ...), e.g. (0, "rtt_ms", "dc:amsterdam-1"); `message` does not
    repeat the site's name, so the caller can prefix it.
    """

    def __init__(self, where: tuple[int, str] | tuple[int, str, str], message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"sites[{where[0]}].{'.'.join(str(step) for step in where[1:])}: {message}")
