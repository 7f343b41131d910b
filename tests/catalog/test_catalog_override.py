import csv
import shutil
from pathlib import Path

import pytest

from redplan.catalog import CatalogError, load_catalog, load_yaml_resource

SHIPPED = Path(__file__).resolve().parents[2] / "catalogs"


def write_rtt(directory: Path, *rows: str) -> None:
    (directory / "rtt.csv").write_text("a,b,p50_ms,p95_ms,source\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")


def test_override_replaces_only_the_files_present(tmp_path):
    with (SHIPPED / "regions.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows:
        if row[0] == "aws:us-east-1":
            row[3], row[8] = "Renamed for the test", "4"
    with (tmp_path / "regions.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    catalog = load_catalog(tmp_path)
    assert catalog.directory == tmp_path
    assert catalog.region("aws:us-east-1").display_name == "Renamed for the test"
    assert catalog.region("aws:us-east-1").az_count == 4
    assert catalog.rtt("aws:us-east-1", "aws:eu-west-2").p50_ms == 77.706  # rtt.csv still shipped
    assert load_catalog().region("aws:us-east-1").az_count == 6


def test_reverse_direction_is_used_when_only_one_is_published(tmp_path):
    write_rtt(tmp_path, "aws:eu-west-2,aws:us-east-1,77.41,,cloudping-p50-1y-2025-05-29")
    figure = load_catalog(tmp_path).rtt("aws:us-east-1", "aws:eu-west-2")
    assert (figure.a, figure.b, figure.p50_ms, figure.estimated) == ("aws:us-east-1", "aws:eu-west-2", 77.41, False)
    assert "for aws:eu-west-2 → aws:us-east-1" in figure.basis


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("aws:us-east-1,aws:eu-west-2,fast,,cloudping-p50-1y-2025-05-29", r"rtt\.csv:2: p50_ms 'fast' is not a number"),
        ("aws:us-east-1,aws:eu-west-2,10,,cloudping-p50-1y-2025-05-29", r"rtt\.csv:2: 10 ms from aws:us-east-1 to aws:eu-west-2 is below the physical floor of 59\.2 ms"),
        ("aws:us-east-1,aws:eu-west-9,80,,cloudping-p50-1y-2025-05-29", r"rtt\.csv:2: unknown region 'aws:eu-west-9'"),
        ("aws:us-east-1,aws:eu-west-2,80,70,cloudping-p50-1y-2025-05-29", r"rtt\.csv:2: p95_ms 70 is below p50_ms 80"),
        ("aws:us-east-1,aws:eu-west-2,80,,somebody-said-so", r"rtt\.csv:2: source 'somebody-said-so' has no citation"),
        ("aws:us-east-1,aws:eu-west-2,80", r"rtt\.csv:2: expected 5 fields, found 3"),
    ],
)
def test_malformed_rows_name_their_file_and_line(tmp_path, row, message):
    write_rtt(tmp_path, row)
    with pytest.raises(CatalogError, match=message):
        load_catalog(tmp_path)


def test_missing_override_directory_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog(tmp_path / "nowhere")


def test_yaml_resources_honour_the_override(tmp_path):
    (tmp_path / "tiers.yaml").write_text("tiers:\n  gold: {rto: 1m}\n", encoding="utf-8")
    assert load_yaml_resource("tiers.yaml", tmp_path) == {"tiers": {"gold": {"rto": "1m"}}}
    (tmp_path / "broken.yaml").write_text("a: 1\nb: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"broken\.yaml:3"):
        load_yaml_resource("broken.yaml", tmp_path)


def test_yaml_resource_missing_everywhere(tmp_path):
    with pytest.raises(CatalogError, match="missing from the package"):
        load_yaml_resource("no-such-file.yaml", tmp_path)


def test_shipped_catalog_reads_unchanged_when_copied_as_an_override(tmp_path):
    for name in ("regions.csv", "rtt.csv", "intra_region.csv", "azure_region_pairs.csv", "sources.csv"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    copied, shipped = load_catalog(tmp_path), load_catalog()
    assert copied.regions == shipped.regions
    assert copied.rtt("azure:eastus", "azure:westus") == shipped.rtt("azure:eastus", "azure:westus")
