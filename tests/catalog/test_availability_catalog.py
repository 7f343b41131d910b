"""The availability assumptions: every level stated with its reasons and sources, and bad data located."""

from __future__ import annotations

import pytest

from redplan.analysis.availability import LEVELS
from redplan.catalog import CatalogError, load_catalog
from redplan.catalog.availability import load_availability
from redplan.catalog.files import catalog_file

SHIPPED = catalog_file("availability.yaml", None)


def test_the_shipped_levels_agree_with_the_single_instance_and_multi_zone_slas():
    hierarchy = load_availability(None).hierarchy
    single_instance = hierarchy.node.availability * hierarchy.az.availability * hierarchy.region.availability * hierarchy.provider.availability
    assert 0.9985 <= single_instance < 0.999  # the 99.9% single-instance SLAs are floors: the estimate sits just under
    assert hierarchy.region.availability * hierarchy.provider.availability > 0.9999  # multi-zone SLA 99.99%
    assert [hierarchy.level(level).mean_outage_s for level in LEVELS] == [1800, 7200, 14400, 14400]


def test_every_level_says_why_and_where_from():
    notes = load_availability(None).notes
    assert set(notes) == set(LEVELS)
    assert "https://aws.amazon.com/compute/sla/" in notes["region"] and "as of 2026-11-26" in notes["region"]
    assert "redplan's judgement" in notes["provider"]


def test_an_override_directory_replaces_the_assumptions(tmp_path):
    (tmp_path / "availability.yaml").write_text(SHIPPED.read_text(encoding="utf-8").replace("availability: 99.95%\n    mean_outage: 2h", "availability: 99.9%\n    mean_outage: 2h"), encoding="utf-8")
    assert load_catalog(tmp_path).availability().hierarchy.az.availability == 0.999
    assert load_catalog().availability().hierarchy.az.availability == 0.9995


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("availability: 99.95%\n    mean_outage: 30m", "availability: 101%\n    mean_outage: 30m", r"availability\.yaml:\d+: levels\.node\.availability"),
        ("mean_outage: 30m", "mean_outage: 30", r"levels\.node\.mean_outage: .*unit"),
        ("  provider:\n    availability", "  datacenter:\n    availability", r"levels: levels must be exactly node, az, region, provider"),
        ("sources: [aws-compute-sla, azure-vm-sla, gcp-compute-sla]\n  az:", "sources: [a-friend]\n  az:", r"levels\.node\.sources: source 'a-friend' is not in this file's sources"),
    ],
)
def test_broken_overrides_name_file_line_and_key(tmp_path, old, new, message):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "availability.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_availability(tmp_path)
