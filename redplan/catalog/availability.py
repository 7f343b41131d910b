"""The assumed availability of each failure-domain level (catalogs/availability.yaml).

Assumptions, not facts: no provider publishes zone or region outage rates and SLAs are credit
floors, so each level carries its rationale and the SLAs it was made to agree with.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from redplan.analysis.availability import LEVELS, Hierarchy, level
from redplan.catalog.files import once_when_shipped
from redplan.catalog.technologies import (
    AsOf,
    CatalogSource,
    Text,
    _Model,
    read_cited,
)
from redplan.spec.units import Duration, Fraction

AVAILABILITY_FILE = "availability.yaml"


class LevelAssumption(_Model):
    availability: Fraction
    mean_outage: Duration = Field(gt=0)
    rationale: Text
    sources: list[str]


class AvailabilityFile(_Model):
    as_of: AsOf
    sources: dict[str, CatalogSource]
    levels: dict[str, LevelAssumption]


class AvailabilityAssumptions:
    """The hierarchy to plan with, and the sentence per level that says what it rests on."""

    def __init__(self, hierarchy: Hierarchy, notes: dict[str, str]) -> None:
        self.hierarchy = hierarchy
        self.notes = notes


@once_when_shipped
def load_availability(directory: Path | None) -> AvailabilityAssumptions:
    """The shipped assumptions, or an override directory's copy."""
    document, _, fail = read_cited(AVAILABILITY_FILE, directory, AvailabilityFile)
    if set(document.levels) != set(LEVELS):
        fail(("levels",), f"levels must be exactly {', '.join(LEVELS)}")
    notes = {}
    for name, entry in document.levels.items():
        for key in entry.sources:
            if key not in document.sources:
                fail(("levels", name, "sources"), f"source {key!r} is not in this file's sources")
        cited = "; ".join(document.sources[key].url or key for key in entry.sources) or "redplan's judgement"
        notes[name] = f"{entry.rationale} (as of {document.as_of}; {cited})"
    hierarchy = Hierarchy(**{name: level(entry.availability, entry.mean_outage) for name, entry in document.levels.items()})
    return AvailabilityAssumptions(hierarchy, notes)
