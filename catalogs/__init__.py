"""Data shipped with redplan (regions, round-trip times, tiers); read only through redplan.catalog."""
