"""Finding catalog files: shipped in the package, or replaced one by one from an override directory."""

from __future__ import annotations

import csv
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from redplan.catalog.errors import CatalogError
from redplan.spec.yaml_reader import Document, read_documents

if TYPE_CHECKING:
    # importlib.resources.abc is new in 3.11; 3.10 has the same protocol in importlib.abc.
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

SHIPPED_PACKAGE = "redplan.catalogs"
Parsed = TypeVar("Parsed")


def once_when_shipped(read: Callable[[Path | None], Parsed]) -> Callable[[Path | None], Parsed]:
    """`read` with the shipped files (directory None) parsed once per process; an override
    directory's copies are read on every call, so edits to them show at once."""
    shipped = functools.cache(lambda: read(None))

    @functools.wraps(read)
    def load(directory: Path | None) -> Parsed:
        return shipped() if directory is None else read(directory)

    return load


def catalog_file(name: str, directory: Path | None) -> Traversable:
    """The override directory's copy of `name` when it has one, else the shipped file."""
    if directory is not None:
        if not directory.is_dir():
            raise CatalogError(f"{directory}: catalog directory does not exist")
        candidate = directory / name
        if candidate.is_file():
            return candidate
    shipped = files(SHIPPED_PACKAGE) / name
    if not shipped.is_file():
        raise CatalogError(f"{shipped}: catalog file is missing from the package")
    return shipped


def csv_rows(name: str, directory: Path | None, columns: Sequence[str], as_tuples: bool = False) -> Iterator[tuple[str, Any]]:
    """Yield (`path:line`, row) for every data row, after checking the header has `columns`;
    with `as_tuples` the row is the fields of `columns` in that order (faster than a dict)."""
    source = catalog_file(name, directory)
    # Traversable.open passes text keywords on to io.TextIOWrapper (documented, and so do
    # pathlib.Path and zipfile.Path); typeshed narrows it to encoding/errors on purpose.
    with source.open("r", encoding="utf-8", newline="") as handle:  # type: ignore[call-overload]
        reader = csv.reader(handle)  # plain reader + zip: a third faster than DictReader on rtt.csv
        header = next(reader, [])
        missing = [column for column in columns if column not in header]
        if missing:
            raise CatalogError(f"{source}:1: missing column(s) {', '.join(missing)}")
        positions = [header.index(column) for column in columns]
        for fields in reader:
            if len(fields) != len(header):
                raise CatalogError(f"{source}:{reader.line_num}: expected {len(header)} fields, found {len(fields)}")
            if as_tuples:
                yield "", tuple(fields[position] for position in positions)
            else:
                yield f"{source}:{reader.line_num}", dict(zip(header, fields))


def read_yaml_document(name: str, directory: str | Path | None = None) -> tuple[Document, str]:
    """The YAML catalog file `name` read like a service file: safe, duplicate keys refused, lines kept."""
    source = catalog_file(name, None if directory is None else Path(directory))
    path = str(source)
    documents, errors = read_documents(source.read_text(encoding="utf-8"), path)
    if errors:
        raise CatalogError(str(errors[0]))
    if len(documents) != 1:
        raise CatalogError(f"{path}: expected one YAML document, found {len(documents)}")
    return documents[0], path


def load_yaml_resource(name: str, directory: str | Path | None = None) -> Any:
    """The parsed YAML catalog file `name` (e.g. tiers.yaml), honouring an override directory."""
    return read_yaml_document(name, directory)[0].data
