import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from redplan.catalog import CatalogError, load_catalog
from redplan.catalog.spread import MIN_P95_SPREAD_MS, typical_p95_ratio

SHIPPED = Path(__file__).resolve().parents[2] / "catalogs"
AZURE_SOURCE = "azure-latency-2026-07-30-p50; azure-latency-2026-07-30-p95"


def shipped_rows():
    with (SHIPPED / "rtt.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_rtt(directory: Path, rows) -> None:
    with (directory / "rtt.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["a", "b", "p50_ms", "p95_ms", "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@dataclass
class SiteStub:
    name: str
    lat: float
    lon: float
    zones: int = 1
    rtt_ms: dict = field(default_factory=dict)


def test_shipped_ratio_is_the_median_over_every_pair_with_a_p95():
    rows = [row for row in shipped_rows() if row["p95_ms"]]
    expected = np.median([float(row["p95_ms"]) / float(row["p50_ms"]) for row in rows])
    ratio, pairs, note = typical_p95_ratio(load_catalog())
    assert ratio == pytest.approx(expected, rel=1e-12)
    assert pairs == len(rows)
    assert 1.0 < ratio < 1.2
    assert note.startswith(f"p95 assumed max({ratio:.3f} × p50, p50 + 1 ms): ")
    assert f"of {pairs:,} published azure pairs ({AZURE_SOURCE})" in note


def test_published_pairs_are_the_rows_as_given():
    rows = shipped_rows()
    pairs = list(load_catalog().published_pairs())
    assert len(pairs) == len(rows)
    a, b, first = pairs[0]
    assert (a, b, first.p50_ms, first.source) == (rows[0]["a"], rows[0]["b"], float(rows[0]["p50_ms"]), rows[0]["source"])


def test_ratio_over_an_override_takes_only_pairs_with_both_figures(tmp_path):
    azure = [row for row in shipped_rows() if row["p95_ms"]][:4]
    for row, factor in zip(azure, (1.1, 1.2, 1.4, 2.0)):
        row["p95_ms"] = f"{float(row['p50_ms']) * factor:.6f}"
    aws = next(row for row in shipped_rows() if not row["p95_ms"])
    write_rtt(tmp_path, [*azure, aws])
    ratio, pairs, _ = typical_p95_ratio(load_catalog(tmp_path))
    assert (ratio, pairs) == (pytest.approx(1.3, rel=1e-6), 4)


def test_no_pair_with_a_p95_is_an_error(tmp_path):
    write_rtt(tmp_path, [row for row in shipped_rows() if not row["p95_ms"]][:3])
    with pytest.raises(CatalogError, match="no published round trip has both a p50 and a p95"):
        typical_p95_ratio(load_catalog(tmp_path))


def test_measured_site_links_carry_no_p95_and_do_not_move_the_ratio():
    catalog = load_catalog()
    site = SiteStub("dc:frankfurt-1", 50.11, 8.68, rtt_ms={"azure:germanywestcentral": 3.0})
    assert typical_p95_ratio(catalog.with_sites([site]))[:2] == typical_p95_ratio(catalog)[:2]


def test_the_spread_floor_is_the_resolution_of_the_published_p95s():
    # every Azure pair is whole milliseconds with p95 at least 1 ms above p50: the floor claims no
    # tighter spread than the data can show
    spreads = [float(row["p95_ms"]) - float(row["p50_ms"]) for row in shipped_rows() if row["p95_ms"]]
    assert min(spreads) == MIN_P95_SPREAD_MS == 1.0
    assert all(spread == int(spread) for spread in spreads)
