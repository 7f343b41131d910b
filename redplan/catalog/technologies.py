"""Failover, replication and restore defaults per technology, read from catalogs/technologies.yaml.

Every number is a `Figure`-like model carrying its source, what the source says, an as-of date
and a basis (documented, secondary, derived, recalled or assumption), so reports can show the
parts of an RTO or RPO sum and where each came from. Unknown technologies get the `generic`
entry, whose figures are all labelled assumptions.

Also home of the pieces prices.py shares: citations, as-of dates and the error that names the
file, line and key of bad data.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from redplan.catalog.errors import CatalogError
from redplan.catalog.files import once_when_shipped, read_yaml_document
from redplan.spec.yaml_reader import Locator

if TYPE_CHECKING:
    from redplan.catalog.catalog import Catalog

TECHNOLOGIES_FILE = "technologies.yaml"
GENERIC = "generic"

Basis = Literal["documented", "secondary", "derived", "recalled", "assumption"]
"""documented: read in this catalog's research in the project's or provider's own text;
secondary: read in a third-party copy or article; derived: computed from such figures;
recalled: a known default not re-read, to verify; assumption: redplan's own planning value."""

_UNION_TAGS = frozenset({"figure", "ref"})
"""Names pydantic puts into error locations for the members of a union; not keys of the file."""

_AS_OF = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _as_of(value: Any) -> str:
    """YYYY-MM-DD or YYYY-MM; YAML turns full dates into `date` objects, which are accepted too."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str) or not _AS_OF.match(value):
        raise ValueError("as_of must be a date, YYYY-MM-DD or YYYY-MM")
    try:
        datetime.date.fromisoformat(value if len(value) == 10 else f"{value}-01")
    except ValueError:
        raise ValueError(f"as_of {value!r} is not a real date") from None
    return value


AsOf = Annotated[str, BeforeValidator(_as_of)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class CatalogSource(_Model):
    """A citation of a YAML catalog's `sources:` map. Only assumption entries may lack a URL."""

    title: Text
    url: Text | None = None
    note: str | None = None


class Cited(_Model):
    """Where a number comes from: a source key, what the source says, when, and how it was obtained."""

    source: Text
    says: Text
    as_of: AsOf
    basis: Basis
    formula: str | None = None

    @property
    def is_assumption(self) -> bool:
        return self.basis == "assumption"

    def citation(self, sources: Mapping[str, CatalogSource]) -> str:
        """'says (Title, as of 2026-11-25; recalled)' — the text a report prints next to the number."""
        source = sources.get(self.source)
        title = source.title if source is not None else self.source
        qualifier = "" if self.basis == "documented" else f"; {self.basis}"
        return f"{self.says} ({title}, as of {self.as_of}{qualifier})"


class Duration(Cited):
    """A time in seconds; `low_seconds` is the documented better case when the source gives a range."""

    seconds: float = Field(ge=0, allow_inf_nan=False)
    low_seconds: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _range_in_order(self) -> Duration:
        if self.low_seconds is not None and self.low_seconds > self.seconds:
            raise ValueError(f"low_seconds {self.low_seconds:g} is above seconds {self.seconds:g}")
        return self


class Throughput(Cited):
    bytes_per_second: float = Field(gt=0, allow_inf_nan=False)


def _scalar(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)) and not (isinstance(value, float) and value != value):
        return value
    raise ValueError("value must be a number, a text or true/false")


class Knob(Cited):
    """A default setting that is not itself a duration in the RTO sum (quorum sizes, timeouts, modes)."""

    value: Annotated[bool | int | float | str, BeforeValidator(_scalar)]
    unit: str | None = None


class RedirectRef(_Model):
    ref: Text


def _redirect_kind(value: Any) -> str:
    return "ref" if isinstance(value, (dict, RedirectRef)) and (isinstance(value, RedirectRef) or "ref" in value) else "figure"


RedirectField = Annotated[
    Annotated[Duration, Tag("figure")] | Annotated[RedirectRef, Tag("ref")],
    Discriminator(_redirect_kind),
]


class Witnesses(_Model):
    supported: bool
    note: str | None = None


class Failover(_Model):
    automatic: bool
    detection: Duration | None = None
    promotion: Duration | None = None
    combined: Duration | None = None
    """One published figure for detection and promotion together (managed services)."""
    redirect: RedirectField
    note: str | None = None

    @model_validator(mode="after")
    def _detection_and_promotion_or_combined(self) -> Failover:
        split = self.detection is not None or self.promotion is not None
        if self.combined is not None and split:
            raise ValueError("give either combined or detection + promotion, not both")
        if self.combined is None and (self.detection is None or self.promotion is None):
            raise ValueError("needs detection and promotion, or combined")
        return self


class Replication(_Model):
    async_lag: Duration | None = None
    note: str | None = None


class Restore(_Model):
    provision: Duration | None = None
    throughput: Throughput | None = None


class TechnologyProfile(_Model):
    name: Text
    topology: Literal["leader", "leaderless", "multi-leader", "stateless"]
    replication_modes: list[Literal["async", "semi-sync", "sync", "consensus", "quorum"]]
    witnesses: Witnesses
    knobs: dict[str, Knob] = Field(default_factory=dict)
    failover: Failover
    replication: Replication = Replication()
    restore: Restore = Restore()

    @field_validator("replication_modes")
    @classmethod
    def _no_repeats(cls, modes: list[str]) -> list[str]:
        if len(set(modes)) != len(modes):
            raise ValueError("replication_modes lists a mode twice")
        return modes


class TechnologyFile(_Model):
    """The document as written: sources, generic redirect paths, technologies."""

    sources: dict[str, CatalogSource]
    redirect: dict[str, Duration]
    technologies: dict[str, TechnologyProfile]


class FailoverPart(_Model):
    """One resolved term of a failover RTO: seconds and the citation text for reports."""

    seconds: float
    basis: str
    figure: Duration


class TechnologyCatalog:
    """Validated technology profiles with redirect references resolved; build with `load_technologies`."""

    def __init__(self, document: TechnologyFile, path: str) -> None:
        self.path = path
        self.sources: Mapping[str, CatalogSource] = document.sources
        self.redirects: Mapping[str, Duration] = document.redirect
        self.technologies: Mapping[str, TechnologyProfile] = document.technologies

    def __contains__(self, name: object) -> bool:
        return name in self.technologies

    def names(self) -> list[str]:
        return sorted(name for name in self.technologies if name != GENERIC)

    def profile(self, name: str | None) -> TechnologyProfile:
        """The named profile, or the `generic` assumptions when the name is None or unknown."""
        if name is not None and name in self.technologies:
            return self.technologies[name]
        return self.technologies[GENERIC]

    def redirect(self, name: str | None) -> Duration:
        """The client-redirect figure of a technology, following {ref: ...} into `redirect:`."""
        redirect = self.profile(name).failover.redirect
        return self.redirects[redirect.ref] if isinstance(redirect, RedirectRef) else redirect

    def failover_parts(self, name: str | None) -> dict[str, FailoverPart]:
        """{"detection", "promotion", "redirect"} → seconds and citation, ready for `failover_rto`.

        A provider's combined figure becomes detection (with promotion 0 s, "included")."""
        profile = self.profile(name)
        failover = profile.failover
        redirect = self.redirect(name)
        parts: dict[str, FailoverPart] = {}
        if failover.combined is not None:
            combined = failover.combined
            parts["detection"] = FailoverPart(
                seconds=combined.seconds, basis=f"detection and promotion together: {self.cite(combined)}", figure=combined
            )
            parts["promotion"] = FailoverPart(seconds=0.0, basis="included in the detection figure", figure=combined)
        else:
            assert failover.detection is not None and failover.promotion is not None  # checked by Failover
            parts["detection"] = FailoverPart(seconds=failover.detection.seconds, basis=self.cite(failover.detection), figure=failover.detection)
            parts["promotion"] = FailoverPart(seconds=failover.promotion.seconds, basis=self.cite(failover.promotion), figure=failover.promotion)
        parts["redirect"] = FailoverPart(seconds=redirect.seconds, basis=self.cite(redirect), figure=redirect)
        return parts

    def async_lag(self, name: str | None) -> Duration:
        """The technology's typical async lag, else the generic assumption."""
        lag = self.profile(name).replication.async_lag
        return lag if lag is not None else self._generic_restore_or_lag("async_lag")

    def restore_provision(self, name: str | None) -> Duration:
        provision = self.profile(name).restore.provision
        return provision if provision is not None else self._generic_restore_or_lag("provision")

    def restore_throughput(self, name: str | None) -> Throughput:
        throughput = self.profile(name).restore.throughput
        if throughput is not None:
            return throughput
        generic = self.technologies[GENERIC].restore.throughput
        assert generic is not None  # checked at load time
        return generic

    def cite(self, figure: Cited) -> str:
        return figure.citation(self.sources)

    def _generic_restore_or_lag(self, which: str) -> Duration:
        generic = self.technologies[GENERIC]
        figure = generic.replication.async_lag if which == "async_lag" else generic.restore.provision
        assert figure is not None  # checked at load time
        return figure


def load_technologies(catalog: Catalog | str | Path | None = None) -> TechnologyCatalog:
    """The technology catalog of `catalog` (a Catalog, an override directory or None for the shipped one).

    The shipped file is parsed once per process; an override directory's copy is read each call
    (as `load_catalog` does). Bad data raises CatalogError naming the file, line and key."""
    return _read_technologies(_directory_of(catalog))


@once_when_shipped
def _read_technologies(directory: Path | None) -> TechnologyCatalog:
    document, path, fail = read_cited(TECHNOLOGIES_FILE, directory, TechnologyFile)
    _check_references(document, fail)
    return TechnologyCatalog(document, path)


def _check_references(document: TechnologyFile, fail: Fail) -> None:
    for loc, figure in _figures(document):
        check_cited(figure, loc, document.sources, fail)
    for name, technology in document.technologies.items():
        redirect = technology.failover.redirect
        if isinstance(redirect, RedirectRef) and redirect.ref not in document.redirect:
            known = ", ".join(sorted(document.redirect))
            fail(("technologies", name, "failover", "redirect", "ref"), f"unknown redirect {redirect.ref!r} (known: {known})")
    generic = document.technologies.get(GENERIC)
    if generic is None:
        fail(("technologies",), f"the {GENERIC!r} entry (assumptions for unknown technologies) is missing")
    assert generic is not None
    for loc, fallback in (
        (("replication", "async_lag"), generic.replication.async_lag),
        (("restore", "provision"), generic.restore.provision),
        (("restore", "throughput"), generic.restore.throughput),
    ):
        if fallback is None:
            fail(("technologies", GENERIC, *loc), "the generic entry must give this figure (it is every other entry's fallback)")


def _figures(document: TechnologyFile) -> list[tuple[tuple[str | int, ...], Cited]]:
    found: list[tuple[tuple[str | int, ...], Cited]] = [(("redirect", key), figure) for key, figure in document.redirect.items()]
    for name, technology in document.technologies.items():
        base: tuple[str | int, ...] = ("technologies", name)
        found += [((*base, "knobs", key), knob) for key, knob in technology.knobs.items()]
        failover = technology.failover
        for field in ("detection", "promotion", "combined", "redirect"):
            figure = getattr(failover, field)
            if isinstance(figure, Cited):
                found.append(((*base, "failover", field), figure))
        for section, fields in (("replication", ("async_lag",)), ("restore", ("provision", "throughput"))):
            for field in fields:
                figure = getattr(getattr(technology, section), field)
                if figure is not None:
                    found.append(((*base, section, field), figure))
    return found


# ── shared with prices.py ────────────────────────────────────────────────────────────────────


def check_sources(sources: Mapping[str, CatalogSource], fail: Any) -> None:
    """Every source has a URL, except the one that stands for redplan's own assumptions."""
    for key, source in sources.items():
        if source.url is None and key != "redplan-assumption":
            fail(("sources", key, "url"), "a source needs a url (only redplan-assumption may omit it)")


def check_cited(figure: Cited, loc: tuple[str | int, ...], sources: Mapping[str, CatalogSource], fail: Any) -> None:
    """The figure's source exists; assumptions cite the assumption entry and only they may."""
    if figure.source not in sources:
        fail((*loc, "source"), f"source {figure.source!r} is not in this file's sources")
    if (figure.basis == "assumption") != (figure.source == "redplan-assumption"):
        fail((*loc, "basis"), "basis 'assumption' goes with source 'redplan-assumption', and only with it")


Fail = Callable[[tuple[str | int, ...], str], NoReturn]
"""`fail(loc, message)`: raise CatalogError at the line of `loc` in the catalog file being read."""


def read_cited(name: str, directory: Path | None, model: type[BaseModel]) -> tuple[Any, str, Fail]:
    """`read_validated`, with every source checked (see `check_sources`), and the `fail` that points into that file."""
    document, path, locator = read_validated(name, directory, model)

    def fail(loc: tuple[str | int, ...], message: str) -> NoReturn:
        raise CatalogError(located_message(path, locator, loc, message))

    check_sources(document.sources, fail)
    return document, path, fail


def read_validated(name: str, directory: Path | None, model: type[BaseModel]) -> tuple[Any, str, Locator]:
    """Parse the YAML catalog file `name` (duplicate keys refused) and validate it against `model`."""
    document, path = read_yaml_document(name, directory)
    if not isinstance(document.data, dict):
        raise CatalogError(f"{path}: expected a mapping at the top level, found {type(document.data).__name__}")
    try:
        return model.model_validate(document.data), path, document.locator
    except ValidationError as problem:
        error = problem.errors()[0]
        loc = tuple(step for step in error["loc"] if not (isinstance(step, str) and ("[" in step or step in _UNION_TAGS)))
        more = len(problem.errors()) - 1
        message = error["msg"] + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
        raise CatalogError(located_message(path, document.locator, loc, message)) from None


def located_message(path: str, locator: Locator, loc: tuple[str | int, ...], message: str) -> str:
    """'path:line: a.b.c: message' — the line of the deepest node of `loc` that exists in the file."""
    line, _ = locator.position(loc, at_key=True)
    key = ".".join(str(step) for step in loc)
    return f"{path}:{line}: {key}: {message}" if key else f"{path}:{line}: {message}"


def _directory_of(catalog: Catalog | str | Path | None) -> Path | None:
    if catalog is None:
        return None
    if isinstance(catalog, (str, Path)):
        return Path(catalog)
    return catalog.directory
