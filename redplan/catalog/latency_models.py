"""PBS message-delay models, read from catalogs/pbs_latency_models.yaml.

The one-way delays Bailis et al. (PVLDB 2012) fitted to LinkedIn and Yammer traces, plus their WAN
variant, each with its source, as-of date and basis; `LatencyModel.wars()` turns one into the
WARS model that `redplan.analysis.visibility` simulates. Bad data raises CatalogError naming the
file, line and key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

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
    from redplan.analysis.visibility import ParetoExponentialDelay, WanWars, Wars
    from redplan.catalog.catalog import Catalog

LATENCY_MODELS_FILE = "pbs_latency_models.yaml"
REQUIRED_MODELS = ("LNKD-SSD", "LNKD-DISK", "YMMR", "WAN")
WEIGHT_TOLERANCE = 1e-9
"""How far the Pareto and exponential weights of a mixture may add up away from 1 (rounding)."""

Positive = Field(gt=0, allow_inf_nan=False)


class _ParetoPart(_Model):
    weight: float = Field(ge=0, le=1)
    x_m: float = Positive
    alpha: float = Positive


class _ExponentialPart(_Model):
    weight: float = Field(ge=0, le=1)
    rate: float = Field(gt=0, allow_inf_nan=False, alias="lambda")


class _Mixture(_Model):
    pareto: _ParetoPart
    exponential: _ExponentialPart

    @model_validator(mode="after")
    def _weights_add_up_to_one(self) -> _Mixture:
        total = self.pareto.weight + self.exponential.weight
        if not math.isclose(total, 1.0, abs_tol=WEIGHT_TOLERANCE):
            raise ValueError(f"pareto and exponential weights add up to {total:g}, not 1")
        return self


class _Messages(_Model):
    W: _Mixture
    A: _Mixture
    R: _Mixture
    S: _Mixture


class _Wan(_Model):
    base: Text
    datacenters: int = Field(ge=1, strict=True)
    remote_one_way_ms: float = Field(ge=0, allow_inf_nan=False)


class _ModelEntry(Cited):
    description: Text
    note: str | None = None
    messages: _Messages | None = None
    wan: _Wan | None = None

    @model_validator(mode="after")
    def _messages_or_wan(self) -> _ModelEntry:
        if (self.messages is None) == (self.wan is None):
            raise ValueError("needs either messages (W, A, R, S) or wan (a base model and its datacenters), not both")
        return self


class _LatencyModelFile(_Model):
    sources: dict[str, CatalogSource]
    models: dict[str, _ModelEntry]


@dataclass(frozen=True)
class FittedDelay:
    """One message's fitted law: Pareto(x_m, alpha) with probability `pareto_weight`, else exponential."""

    pareto_weight: float
    x_m_ms: float
    alpha: float
    rate_per_ms: float

    def delay(self) -> ParetoExponentialDelay:
        from redplan.analysis.visibility import (
            ParetoExponentialDelay,  # numpy: only when simulating
        )

        return ParetoExponentialDelay(self.pareto_weight, self.x_m_ms, self.alpha, self.rate_per_ms)


@dataclass(frozen=True)
class WanPlacement:
    """One replica per datacenter; `remote_one_way_ms` more on each message that leaves one."""

    base: str
    datacenters: int
    remote_one_way_ms: float


@dataclass(frozen=True)
class LatencyModel:
    """A named PBS model: the four message laws (a WAN model's are its base's) and where they come from."""

    name: str
    description: str
    write: FittedDelay
    ack: FittedDelay
    read: FittedDelay
    response: FittedDelay
    wan: WanPlacement | None
    source: CatalogSource
    says: str
    as_of: str
    basis: str
    note: str | None

    @property
    def citation(self) -> str:
        """'says (Title, as of 2026-11-26)' — the text a report prints next to a staleness figure."""
        qualifier = "" if self.basis == "documented" else f"; {self.basis}"
        return f"{self.says} ({self.source.title}, as of {self.as_of}{qualifier})"

    def wars(self) -> Wars | WanWars:
        """The model `redplan.analysis.visibility` simulates."""
        from redplan.analysis.visibility import WanWars, Wars  # numpy: only when simulating

        local = Wars(self.write.delay(), self.ack.delay(), self.read.delay(), self.response.delay())
        if self.wan is None:
            return local
        return WanWars(local, self.wan.datacenters, self.wan.remote_one_way_ms)


def load_latency_models(catalog: Catalog | str | Path | None = None) -> Mapping[str, LatencyModel]:
    """The PBS models by name, from `catalog` (a Catalog, an override directory or None for the shipped file).

    The shipped file is parsed once per process; an override directory's copy is read each call."""
    return _read_latency_models(_directory_of(catalog))


@once_when_shipped
def _read_latency_models(directory: Path | None) -> Mapping[str, LatencyModel]:
    document, _, fail = read_cited(LATENCY_MODELS_FILE, directory, _LatencyModelFile)
    for name in REQUIRED_MODELS:
        if name not in document.models:
            fail(("models",), f"model {name!r} is missing")
    models: dict[str, LatencyModel] = {}
    for name, entry in document.models.items():
        check_cited(entry, ("models", name), document.sources, fail)
        messages = entry.messages
        if entry.wan is not None:
            base = document.models.get(entry.wan.base)
            if base is None or base.messages is None:
                fail(("models", name, "wan", "base"), f"base {entry.wan.base!r} is not a model with messages in this file")
            messages = base.messages
        assert messages is not None  # _ModelEntry has messages or wan, and a wan's base was checked above
        write, ack, read, response = (_fitted(mixture) for mixture in (messages.W, messages.A, messages.R, messages.S))
        wan = None if entry.wan is None else WanPlacement(entry.wan.base, entry.wan.datacenters, entry.wan.remote_one_way_ms)
        models[name] = LatencyModel(
            name=name,
            description=entry.description,
            write=write,
            ack=ack,
            read=read,
            response=response,
            wan=wan,
            source=document.sources[entry.source],
            says=entry.says,
            as_of=entry.as_of,
            basis=entry.basis,
            note=entry.note,
        )
    return MappingProxyType(models)


def _fitted(mixture: _Mixture) -> FittedDelay:
    return FittedDelay(mixture.pareto.weight, mixture.pareto.x_m, mixture.pareto.alpha, mixture.exponential.rate)
