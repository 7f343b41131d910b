"""Tier presets: objectives a service inherits from its tier unless it states them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from redplan.spec.models import Objectives, Tier


class TierPreset(Objectives):
    rationale: str


class TierCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    tiers: dict[Tier, TierPreset]


def apply_tier(objectives: Objectives, preset: TierPreset | None) -> tuple[Objectives, tuple[str, ...]]:
    """The objectives with the preset's values where the service left them out, and which ones were filled."""
    if preset is None:
        return objectives, ()
    filled = {
        name: getattr(preset, name)
        for name in Objectives.model_fields
        if getattr(objectives, name) is None and getattr(preset, name) is not None
    }
    return objectives.model_copy(update=filled), tuple(filled)
