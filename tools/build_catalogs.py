"""Build catalogs/*.csv from the published round-trip data in ../shared/data/rtt.

Deterministic (same input, byte-identical output) so the shipped files can be checked against a
rebuild. It refuses data that breaks physics: a round trip faster than light in fiber over the
great-circle distance is a data error, not a measurement.

    python tools/build_catalogs.py [--source-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from redplan.analysis.geo import fiber_floor_ms, great_circle_km  # noqa: E402  (needs the path above)

DEFAULT_SOURCE_DIR = REPO_ROOT.parent / "shared" / "data" / "rtt"
DEFAULT_OUT_DIR = REPO_ROOT / "catalogs"

SOURCE_COLUMNS = ("key", "title", "publisher", "url", "date", "license", "note")
SOURCES = (
    (
        "azure-latency-2026-07-30-p50",
        "Azure network round-trip latency statistics (monthly P50)",
        "Microsoft",
        "https://learn.microsoft.com/azure/networking/azure-network-latency",
        "2026-07-30",
        "CC BY 4.0",
        "Azure backbone probes at 1-minute intervals; median of the 30 days ending 2026-07-30 "
        "(azure-docs articles/networking/azure-network-latency.md). Credit Microsoft.",
    ),
    (
        "azure-latency-2026-07-30-p95",
        "Azure network round-trip latency statistics (monthly P95)",
        "Microsoft",
        "https://learn.microsoft.com/azure/networking/azure-network-latency",
        "2026-07-30",
        "CC BY 4.0",
        "Azure backbone probes at 1-minute intervals; 95th percentile of the 30 days ending "
        "2026-07-30 (azure-docs articles/networking/azure-network-latency.md). Credit Microsoft.",
    ),
    (
        "cloudping-p50-1y-2025-05-29",
        "AWS inter-region latency, 1-year p50",
        "cloudping.co",
        "https://www.cloudping.co",
        "2025-05-29",
        "not stated; credit cloudping.co",
        "A Lambda in each region times TCP connects to the destination region's DynamoDB endpoint: "
        "about one RTT plus DNS and endpoint effects, not VM-to-VM. Same-region values overstate "
        "AZ-to-AZ round trips.",
    ),
    (
        "gcp-perfdash-median-4h-2023-11-27",
        "Network Intelligence Center performance dashboard, inter-region latency (4-hour median)",
        "Google Cloud",
        "https://cloud.google.com/network-intelligence-center/docs/performance-dashboard/concepts/overview",
        "2023-11-27",
        "not stated; credit Google",
        "The matrix is essentially symmetric. Same-region values are real intra-region medians "
        "(0.1-0.6 ms).",
    ),
    (
        "aws-region-locations",
        "AWS regions: metro locations and availability-zone counts",
        "Amazon Web Services; coordinates compiled in lopoc/defcon31 aws_data.py and tal66/cloud-regions",
        "https://aws.amazon.com/about-aws/global-infrastructure/regions_az/",
        "",
        "not stated",
        "Metadata of the aws rows of regions.csv (each row's source column has the detail). AWS "
        "publishes no coordinates: these are metro-level points. az_count = zones a standard "
        "account sees; opt-in regions 3, the minimum AWS documents per region.",
    ),
    (
        "azure-regions-list-2025-09-23",
        "Azure regions list (locations, availability-zone support, region pairs)",
        "Microsoft",
        "https://learn.microsoft.com/azure/reliability/regions-list",
        "2025-09-23",
        "CC BY 4.0",
        "Metadata of the azure rows of regions.csv and the rows of azure_region_pairs.csv. "
        "Coordinates from Azure's region metadata (ARM list-locations via tal66/cloud-regions); "
        "seven corrected to Microsoft's stated physical locations, originals kept in the row's "
        "source. az_count 3 where zones are supported, else 0.",
    ),
    (
        "gcp-regions-zones-2024-11",
        "Google Cloud regions and zones",
        "Google Cloud (via tal66/cloud-regions gcpData.js)",
        "https://cloud.google.com/compute/docs/regions-zones",
        "2024-11",
        "CC BY 4.0",
        "Metadata of the gcp rows of regions.csv; az_count = number of zones; coordinates geocoded "
        "from the stated cities. Four regions seen only in the performance dashboard have no "
        "published location.",
    ),
    (
        "fiber-speed-bozkurt-2018",
        "Dissecting Latency in the Internet's Fiber Infrastructure",
        "I. N. Bozkurt, W. Aqeel, D. Bhattacherjee, B. Chandrasekaran, P. B. Godfrey, G. Laughlin, "
        "B. M. Maggs, A. Singla (arXiv:1811.10737)",
        "https://arxiv.org/abs/1811.10737",
        "2018-11-26",
        "not stated",
        "Light in fiber covers about 200 km per ms, so RTT >= 2 x great-circle km / 200: the floor "
        "below which redplan rejects any round trip. Public-Internet rule of thumb: 2.1 x "
        "line-of-sight distance at fiber speed; redplan fits its own inflation to the catalog.",
    ),
)

PAIR_SOURCE_KEYS = {
    "learn.microsoft.com/azure/reliability/regions-list (ms.date 2025-09-23)": "azure-regions-list-2025-09-23",
}


class BuildError(Exception):
    """The published data breaks a rule the catalogs rely on."""


def region_id(provider: str, region: str) -> str:
    return f"{provider}:{region}"


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (`file:line`, row) so every error can name the row that caused it."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise BuildError(f"{path}:1: expected columns {','.join(columns)}")
        for row in reader:
            yield f"{path.name}:{reader.line_num}", row


def number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BuildError(f"{where}: {text!r} is not a number")
    return value


def positive_number(text: str, where: str) -> float:
    value = number(text, where)
    if value <= 0:
        raise BuildError(f"{where}: {text!r} is not a positive number")
    return value


def build_regions(source_dir: Path) -> tuple[list[list[str]], dict[str, tuple[float, float] | None]]:
    """regions.csv rows, and each id's coordinates (None where unpublished) for the floor check."""
    columns = ("provider", "region", "display_name", "country", "continent", "lat", "lon", "az_count", "source")
    rows: list[list[str]] = []
    coordinates: dict[str, tuple[float, float] | None] = {}
    for where, row in read_rows(source_dir / "regions.csv", columns):
        rid = region_id(row["provider"], row["region"])
        if rid in coordinates:
            raise BuildError(f"{where}: duplicate region {rid}")
        if bool(row["lat"]) != bool(row["lon"]):
            raise BuildError(f"{where}: {rid} has only one of lat and lon")
        coordinates[rid] = (number(row["lat"], where), number(row["lon"], where)) if row["lat"] else None
        rows.append([rid, *(row[column] for column in columns)])
    return sorted(rows), coordinates


def check_floor(where: str, a: str, b: str, rtt_ms: float, coordinates: dict[str, tuple[float, float] | None]) -> None:
    """Fail on a round trip faster than light in fiber over the great-circle distance."""
    ends = coordinates[a], coordinates[b]
    if ends[0] is None or ends[1] is None:
        return
    distance = great_circle_km(*ends[0], *ends[1])
    if rtt_ms < fiber_floor_ms(distance):
        raise BuildError(
            f"{where}: {a} -> {b} {rtt_ms:g} ms is below the physical floor of "
            f"{fiber_floor_ms(distance):.1f} ms for {distance:,.0f} km"
        )


def known(rid: str, where: str, coordinates: dict[str, tuple[float, float] | None]) -> str:
    if rid not in coordinates:
        raise BuildError(f"{where}: unknown region {rid}")
    return rid


def build_rtt(source_dir: Path, coordinates: dict[str, tuple[float, float] | None]) -> list[list[str]]:
    """One row per directed pair: the p50, and the p95 where the source publishes one."""
    columns = ("provider", "src", "dst", "rtt_ms", "statistic", "source")
    found: dict[str, dict[tuple[str, str], tuple[str, str, float, str]]] = {"p50": {}, "p95": {}}
    for where, row in read_rows(source_dir / "rtt_ms.csv", columns):
        a = known(region_id(row["provider"], row["src"]), where, coordinates)
        b = known(region_id(row["provider"], row["dst"]), where, coordinates)
        statistic = row["statistic"]
        if statistic not in found:
            raise BuildError(f"{where}: unknown statistic {statistic!r}")
        if a == b or (a, b) in found[statistic]:
            raise BuildError(f"{where}: {a} -> {b} {statistic} is a self pair or a duplicate")
        value = positive_number(row["rtt_ms"], where)
        check_floor(where, a, b, value, coordinates)
        found[statistic][a, b] = (where, row["rtt_ms"], value, row["source"])
    for pair, (where, *_) in found["p95"].items():
        if pair not in found["p50"]:
            raise BuildError(f"{where}: p95 without a p50 for {pair[0]} -> {pair[1]}")
    rows = []
    for (a, b), (_, p50_text, p50, p50_source) in sorted(found["p50"].items()):
        p95 = found["p95"].get((a, b))
        if p95 is None:
            rows.append([a, b, p50_text, "", p50_source])
            continue
        p95_where, p95_text, p95_value, p95_source = p95
        if p95_value < p50:
            raise BuildError(f"{p95_where}: {a} -> {b} p95 {p95_text} ms is below its p50 {p50_text} ms")
        rows.append([a, b, p50_text, p95_text, f"{p50_source}; {p95_source}"])
    return rows


def build_intra_region(source_dir: Path, coordinates: dict[str, tuple[float, float] | None]) -> list[list[str]]:
    columns = ("provider", "region", "rtt_ms", "statistic", "source")
    rows = []
    for where, row in read_rows(source_dir / "intra_region_rtt_ms.csv", columns):
        positive_number(row["rtt_ms"], where)
        rid = known(region_id(row["provider"], row["region"]), where, coordinates)
        rows.append([rid, row["rtt_ms"], row["statistic"], row["source"]])
    return sorted(rows)


def build_azure_pairs(source_dir: Path, coordinates: dict[str, tuple[float, float] | None]) -> list[list[str]]:
    """Pairs keep a paired region missing from regions.csv (swedensouth is restricted and unlisted)."""
    rows = []
    for where, row in read_rows(source_dir / "azure_region_pairs.csv", ("region", "paired_region", "source")):
        if row["source"] not in PAIR_SOURCE_KEYS:
            raise BuildError(f"{where}: no source key for {row['source']!r}; add it to PAIR_SOURCE_KEYS")
        rid = known(region_id("azure", row["region"]), where, coordinates)
        rows.append([rid, region_id("azure", row["paired_region"]), PAIR_SOURCE_KEYS[row["source"]]])
    return sorted(rows)


def check_citations(rtt_rows: list[list[str]], intra_rows: list[list[str]]) -> None:
    """Every source key a row carries must have a line in sources.csv."""
    cited = {key for row in rtt_rows for key in row[-1].split("; ")} | {row[-1] for row in intra_rows}
    missing = cited - {source[0] for source in SOURCES}
    if missing:
        raise BuildError(f"source keys without a citation in SOURCES: {', '.join(sorted(missing))}")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build(source_dir: Path, out_dir: Path) -> None:
    regions, coordinates = build_regions(source_dir)
    rtt = build_rtt(source_dir, coordinates)
    intra = build_intra_region(source_dir, coordinates)
    pairs = build_azure_pairs(source_dir, coordinates)
    check_citations(rtt, intra)
    out_dir.mkdir(parents=True, exist_ok=True)
    region_columns = ("id", "provider", "region", "display_name", "country", "continent", "lat", "lon", "az_count", "source")
    write_csv(out_dir / "regions.csv", region_columns, regions)
    write_csv(out_dir / "rtt.csv", ("a", "b", "p50_ms", "p95_ms", "source"), rtt)
    write_csv(out_dir / "intra_region.csv", ("region", "rtt_ms", "statistic", "source"), intra)
    write_csv(out_dir / "azure_region_pairs.csv", ("region", "paired_region", "source"), pairs)
    write_csv(out_dir / "sources.csv", SOURCE_COLUMNS, SOURCES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR, help="published data (default: %(default)s)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="where to write the catalogs (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        build(args.source_dir, args.out_dir)
    except (BuildError, OSError) as problem:
        print(f"build_catalogs: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
