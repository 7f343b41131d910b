"""Load service files into validated specs, or into located input errors.

Every problem becomes `file:line:col: message`: YAML problems from the
reader, pydantic errors mapped back through the document's Locator (unknown
keys point at the key, with a did-you-mean), and cross-field problems from
`redplan.spec.checks`. Loading continues past a bad file so one run reports
every broken file at once.
"""

from __future__ import annotations

import math
import pickle
import re
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from redplan.catalog import Catalog, SiteDataError, load_yaml_resource
from redplan.spec.checks import check_service, did_you_mean
from redplan.spec.errors import InputError, SpecInputError, shown
from redplan.spec.files import collect_files, read_text
from redplan.spec.models import Service, Site, SpecDocument
from redplan.spec.tiers import TierCatalog, apply_tier
from redplan.spec.yaml_reader import Document, Locator, PathLocator, read_documents

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

RUN_WIDE_KEYS = frozenset({"name", "depends_on", "ignore"})


class LoadedService:
    """A validated service, its objectives completed from its tier, and where it was written.

    Sent between processes (see `detached`), its spec travels as pickled bytes and is rebuilt at first
    use: the receiving process checks names and `depends_on` and applies suppressions for the whole
    run, but reads the full spec only of the services in the dependency graph (rebuilding every
    pydantic model cost a 10,000-service audit a quarter of a second).
    """

    __slots__ = ("_spec", "file", "locator", "path", "from_tier", "name", "depends_on", "ignores")

    def __init__(self, spec: Service, file: str, locator: Locator | PathLocator, path: tuple[Any, ...],
                 from_tier: tuple[str, ...]) -> None:
        self._spec: Service | bytes = spec
        self.file = file
        self.locator = locator
        self.path = path
        self.from_tier = from_tier
        self.name: str = spec.name
        self.depends_on: tuple[str, ...] = tuple(spec.depends_on)
        self.ignores = len(spec.ignore)
        """How many suppressions the service declares."""

    @property
    def spec(self) -> Service:
        if isinstance(self._spec, bytes):
            spec: Service = pickle.loads(self._spec)
            self._spec = spec
            return spec
        return self._spec

    def locate(self, *subpath: Any, at_key: bool = False) -> tuple[int, int]:
        """1-based line and column of a part of this service (the closest node that exists)."""
        return self.locator.position(self.path + subpath, at_key=at_key)

    def detached(self) -> LoadedService:
        """The same service, light to send between processes: it locates itself, its name and its `depends_on`
        and `ignore` entries, what the run-wide checks, the service-graph rules and suppressions point at."""
        if isinstance(self.locator, PathLocator):
            return self  # detached already: it keeps no more than that
        return _assembled(self._spec, self.file, self.locator.kept(self.path, RUN_WIDE_KEYS), (), self.from_tier,
                          self.name, self.depends_on, self.ignores)

    def __reduce__(self) -> tuple[Any, ...]:
        spec = self._spec if isinstance(self._spec, bytes) else pickle.dumps(self._spec, pickle.HIGHEST_PROTOCOL)
        return (_assembled, (spec, self.file, self.locator, self.path, self.from_tier, self.name, self.depends_on, self.ignores))


def _assembled(spec: Service | bytes, file: str, locator: Locator | PathLocator, path: tuple[Any, ...], from_tier: tuple[str, ...],
          name: str, depends_on: tuple[str, ...], ignores: int) -> LoadedService:
    """A LoadedService from its parts, as `__reduce__` sends them (the spec still pickled) or `detached` keeps them."""
    service = LoadedService.__new__(LoadedService)
    service._spec, service.file, service.locator, service.path, service.from_tier = spec, file, locator, path, from_tier
    service.name, service.depends_on, service.ignores = name, depends_on, ignores
    return service


@dataclass(frozen=True)
class Fleet:
    """Everything one run loaded: services from all files, sites, and the catalog extended by the sites."""

    files: list[str]
    services: list[LoadedService]
    sites: list[Site]
    catalog: Catalog


@dataclass(frozen=True)
class _Parsed:
    file: str
    document: Document
    spec: SpecDocument


def load_fleet(paths: Iterable[str], catalog: Catalog, *, whole: bool = True) -> Fleet:
    """Load every file under `paths`; raise SpecInputError listing every problem found.

    `whole=False` loads a share of a run's files: what needs the other files (unique service
    names, `depends_on` targets) is left to the load of the whole run.
    """
    files, errors = collect_files(paths)
    parsed: list[_Parsed] = []
    for file in files:
        parsed.extend(_parse_file(file, errors))
    catalog = _extend_catalog(parsed, catalog, errors)
    services = _checked_services(parsed, catalog, errors)
    if whole:
        _check_names(services, errors)
    if errors:
        raise SpecInputError(sorted(set(errors)))
    return Fleet(files, services, [site for item in parsed for site in item.spec.sites], catalog)


def _parse_file(file: str, errors: list[InputError]) -> list[_Parsed]:
    text, error = read_text(file)
    if error:
        errors.append(error)
        return []
    documents, yaml_errors = read_documents(text or "", file)
    errors.extend(yaml_errors)
    if yaml_errors:
        return []
    documents = [document for document in documents if document.data is not None]
    if not documents:
        errors.append(InputError(file, 1, 1, "is empty: a service file starts with `version: 1` and a list of `services`"))
        return []
    parsed = []
    for document in documents:
        if not isinstance(document.data, dict):
            kind = type(document.data).__name__
            errors.append(InputError(file, document.line, 1, f"expected a mapping with `version: 1` and `services`, got {_kind(kind)}"))
            continue
        spec = _validated(file, document, errors)
        if spec is not None:
            parsed.append(_Parsed(file, document, spec))
    return parsed


MAX_PART_NODES = 100_000
"""Values in one service, or in a document outside its services: ten times a service with 1,000 replica
entries. Pydantic holds every error of what it validates at once, about 1 kB each, so a part is refused
unread above this, and services are validated one at a time."""
MAX_ERRORS = 100
"""Errors reported for one document; the rest would only bury them."""


def _validated(file: str, document: Document, errors: list[InputError]) -> SpecDocument | None:
    """The document as a SpecDocument, or None with its errors added to `errors`."""
    data = document.data
    services = data.get("services")
    listed = services if isinstance(services, list) else []
    found: list[InputError] = []
    head: SpecDocument | None = None
    if document.size(data) - (document.size(services) if listed is services else 0) > MAX_PART_NODES:
        found.append(InputError(file, document.line, 1, f"holds more than {MAX_PART_NODES:,} values outside its services; "
                                "a service file this big is not one anyone wrote"))
    else:
        try:
            head = SpecDocument.model_validate({**data, "services": []} if listed is services else data)
        except ValidationError as invalid:
            found.extend(_located(file, document, error) for error in invalid.errors())
    specs, stopped = [], False
    for index, item in enumerate(listed):
        if len(found) >= MAX_ERRORS:
            stopped = True
            break
        if document.size(item) > MAX_PART_NODES:
            line, column = document.locator.position(("services", index))
            found.append(InputError(file, line, column, f"{_describe_path(data, ('services', index))}holds more than "
                                    f"{MAX_PART_NODES:,} values; no service needs that many"))
            continue
        try:
            specs.append(Service.model_validate(item))
        except ValidationError as invalid:
            found.extend(_located(file, document, error, ("services", index)) for error in invalid.errors())
    if stopped or len(found) > MAX_ERRORS:
        found = sorted(found)[:MAX_ERRORS]
        last = found[-1]
        found.append(InputError(file, last.line, last.column, f"stopped after {MAX_ERRORS} errors in this document; "
                                "fix these and run again to see the rest"))
    errors.extend(found)
    return head.model_copy(update={"services": specs}) if head is not None and not found else None


def _kind(type_name: str) -> str:
    return {"list": "a list", "str": "text", "int": "a number", "float": "a number", "bool": "true/false"}.get(type_name, type_name)


_TYPE_MESSAGES = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "date_type": "expected a date such as 2027-01-31",
    "date_from_datetime_parsing": "expected a date such as 2027-01-31",
    "date_parsing": "expected a date such as 2027-01-31",
}


def _located(file: str, document: Document, error: ErrorDetails, within: tuple[Any, ...] = ()) -> InputError:
    """The error's place and message; `within` is the path of what was validated (a service) in the document."""
    loc = within + tuple(error["loc"])
    kind = error["type"]
    if kind == "invalid_key":  # pydantic names the key by str(key): the key itself finds its line
        loc = loc[:-1] + (error.get("input"),)
    at_key = kind in ("extra_forbidden", "invalid_key")
    line, column = document.locator.position(loc, at_key=at_key)
    prefix = _describe_path(document.data, loc[:-1] if at_key else loc)
    return InputError(file, line, column, f"{prefix}{_message(error, loc)}")


def _message(error: ErrorDetails, loc: tuple) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1])
        hint = did_you_mean(key, allowed) or (f"; expected one of: {', '.join(allowed)}" if allowed else "")
        return f"unknown key {shown(key)}{hint}"
    if kind == "invalid_key":
        key = loc[-1]
        written = "null" if key is None else "true" if key is True else "false" if key is False else shown(key)
        return f"a key must be a name such as {(_allowed_keys(loc[:-1]) or ['rto'])[0]}, not {written}"
    if kind == "missing":
        extra = " (add `version: 1`)" if loc == ("version",) else ""
        return f"missing required key {loc[-1]!r}{extra}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        if loc == ("version",):
            return f"unsupported spec version {shown(value)}; this redplan reads version 1"
        if value is None:
            return f"has no value; expected one of {', '.join(choices)}"
        suggestion = did_you_mean(str(value)[:100], choices)
        return f"{shown(value)} is not one of {', '.join(choices)}{suggestion}"
    if kind in _TYPE_MESSAGES:
        hint = f"; write [{value}]" if kind == "list_type" and isinstance(value, str) and len(value) <= 60 else ""
        return f"{_TYPE_MESSAGES[kind]}, got {_show(value)}{hint}"
    if isinstance(value, float) and not math.isfinite(value) and kind in _BOUNDS:
        return f"expected a finite number, got {value}"
    if kind in ("string_too_short", "too_short") and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty"
    if kind in _BOUNDS:
        return f"expected {_BOUNDS[kind].format(**error.get('ctx', {}))}, got {_show(value)}"
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        pattern = error.get("ctx", {}).get("pattern", "")
        fixed = next((other for other in (value.strip().lower(), "dc:" + value.strip()) if re.match(pattern, other)), None)
        hint = f"; did you mean {fixed}?" if fixed and len(fixed) <= 100 else ""
        return f"expected {_PATTERNS.get(pattern, f'text matching {pattern}')}, got {_show(value)}{hint}"
    return error["msg"].removeprefix("Value error, ")


_BOUNDS = {
    "greater_than": "more than {gt}",
    "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}",
    "less_than_equal": "at most {le}",
    "finite_number": "a finite number",
    "int_parsing_size": "a whole number of a sensible size",
    "string_too_short": "at least {min_length} characters",
    "too_short": "at least {min_length} characters",
    "string_too_long": "at most {max_length} characters",
    "too_long": "at most {max_length} items",
}
_PATTERNS = {
    r"^[^\x00-\x1f\x7f]+$": "a name without control characters (tabs, line breaks, escapes)",
    r"^RP\d{3}$": "a rule code such as RP101 (`redplan rules` lists them)",
    r"^[a-z0-9][a-z0-9.-]*$": "a name in lower-case letters, digits, dots and dashes, such as postgresql",
    r"^dc:[A-Za-z0-9][A-Za-z0-9._-]*$": "dc: and a name, such as dc:frankfurt-1",
}


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, str) and len(value) > 60:
        return f"{len(value):,} characters: {shown(value, 30)}"
    return shown(value)


def _describe_path(data: Any, loc: tuple) -> str:
    """'service \\'ledger\\': objectives.rto: ' — the real keys of `loc` in the data, readably."""
    parts: list[str] = []
    service = ""
    node = data
    for index, step in enumerate(loc):
        exists = (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        )
        if not exists and index < len(loc) - 1:
            continue  # a pydantic union tag, not a key of the file
        if index == 1 and loc[0] == "services" and exists and isinstance(node[step], dict) and isinstance(node[step].get("name"), str):
            service, parts = f"service {shown(node[step]['name'])}: ", []
        elif isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            parts.append(("." if parts else "") + str(step))
        node = node[step] if exists else None
    path = "".join(parts)
    return f"{service}{path}: " if path else service


def _allowed_keys(loc: tuple) -> list[str]:
    """The field names of the model that sits at `loc`, for did-you-mean hints."""
    annotation: Any = SpecDocument
    for step in loc:
        annotation = _step_into(annotation, step)
    for candidate in _arms(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return list(candidate.model_fields)
    return []


def _arms(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _arms(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [arm for arg in get_args(annotation) for arm in _arms(arg)]
    return [annotation]


def _step_into(annotation: Any, step: Any) -> Any:
    for arm in _arms(annotation):
        if isinstance(arm, type) and issubclass(arm, BaseModel) and step in arm.model_fields:
            return arm.model_fields[step].annotation
        if get_origin(arm) is list and isinstance(step, int):
            return get_args(arm)[0]
        if get_origin(arm) is dict and isinstance(step, str):
            return get_args(arm)[1]
    return annotation  # a union tag in pydantic's location: stay where we are


def _extend_catalog(parsed: list[_Parsed], catalog: Catalog, errors: list[InputError]) -> Catalog:
    """Add the files' custom sites to the catalog, reporting duplicates and impossible RTTs."""
    owners: list[tuple[_Parsed, int]] = []
    seen: dict[str, str] = {}
    for item in parsed:
        for index, site in enumerate(item.spec.sites):
            line, column = item.document.locator.position(("sites", index, "name"))
            where = f"{item.file}:{line}"
            if site.name in seen or site.name in catalog.regions:
                first = seen.get(site.name, "the shipped catalog")
                errors.append(InputError(item.file, line, column, f"site {site.name!r} is already defined ({first})"))
                continue
            seen[site.name] = where
            owners.append((item, index))
    sites = [item.spec.sites[index] for item, index in owners]
    for _ in range(MAX_ERRORS):  # a broken site is left out, so that the services of the others still find theirs
        if not sites:
            break
        try:
            return catalog.with_sites(sites)
        except SiteDataError as problem:
            site_index, *rest = problem.where
            item, index = owners.pop(site_index)
            line, column = item.document.locator.position(("sites", index, *rest), at_key=True)
            errors.append(InputError(item.file, line, column, f"site {sites.pop(site_index).name!r}: {problem.message}"))
    return catalog


def _checked_services(parsed: list[_Parsed], catalog: Catalog, errors: list[InputError]) -> list[LoadedService]:
    tiers = TierCatalog.model_validate(load_yaml_resource("tiers.yaml", catalog.directory)).tiers
    services: list[LoadedService] = []
    for item in parsed:
        for index, spec in enumerate(item.spec.services):
            objectives, filled = apply_tier(spec.objectives, tiers.get(spec.tier) if spec.tier else None)
            service = LoadedService(spec.model_copy(update={"objectives": objectives}), item.file, item.document.locator, ("services", index), filled)
            for path, message in check_service(spec, catalog):
                errors.append(_service_error(service, path, message))
            services.append(service)
    return services


def joined_fleet(files: list[str], services: list[LoadedService], catalog: Catalog) -> Fleet:
    """A run whose files were loaded in shares, each on its own (`whole=False`, none defining sites),
    joined: the run-wide checks are made here. Raises SpecInputError as `load_fleet` would."""
    errors: list[InputError] = []
    _check_names(services, errors)
    if errors:
        raise SpecInputError(sorted(set(errors)))
    return Fleet(files, services, [], catalog)


def _check_names(services: list[LoadedService], errors: list[InputError]) -> None:
    """Service names are unique across the run, and every `depends_on` names one of them."""
    first_seen: dict[str, LoadedService] = {}
    for service in services:
        if service.name in first_seen:
            other = first_seen[service.name]
            errors.append(_service_error(service, ("name",), f"duplicate service name (first defined at {other.file}:{other.locate()[0]})"))
        else:
            first_seen[service.name] = service
    names = list(first_seen)
    for service in services:
        for index, dependency in enumerate(service.depends_on):
            if dependency not in first_seen:
                message = f"depends on {dependency!r}, which is not a service in the files given{did_you_mean(dependency, names)}"
                errors.append(_service_error(service, ("depends_on", index), message))


def _service_error(service: LoadedService, path: tuple, message: str) -> InputError:
    line, column = service.locate(*path)
    return InputError(service.file, line, column, f"service {service.name!r}: {message}")
