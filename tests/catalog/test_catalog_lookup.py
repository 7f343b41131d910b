import statistics
import subprocess
import sys
from types import SimpleNamespace

import pytest

from redplan.analysis.geo import fiber_floor_ms
from redplan.catalog import Catalog, CatalogError, UnknownRegionError, load_catalog
from redplan.catalog.catalog import PROXY_MEDIAN_ERROR

CATALOG = load_catalog()


def test_published_aws_pair_cites_cloudping():
    figure = CATALOG.rtt("aws:us-east-1", "aws:eu-west-2")
    assert figure.p50_ms == 77.706
    assert figure.p95_ms is None
    assert figure.source == "cloudping-p50-1y-2025-05-29"
    assert not figure.estimated
    assert figure.basis == "published p50, cloudping-p50-1y-2025-05-29"
    assert figure.floor_ms == pytest.approx(fiber_floor_ms(figure.distance_km))


def test_published_azure_pair_has_p50_and_p95():
    figure = CATALOG.rtt("azure:eastus", "azure:westus")
    assert (figure.p50_ms, figure.p95_ms) == (69, 74)
    assert figure.source == "azure-latency-2026-07-30-p50; azure-latency-2026-07-30-p95"
    assert all(key in CATALOG.sources for key in figure.source.split("; "))


def test_same_region_uses_the_published_figure():
    figure = CATALOG.rtt("gcp:us-central1", "gcp:us-central1")
    assert figure.source == "gcp-perfdash-median-4h-2023-11-27"
    assert figure.p50_ms < 1
    assert (figure.distance_km, figure.floor_ms, figure.estimated) == (0.0, 0.0, False)


def test_same_region_without_a_published_figure_is_a_labelled_assumption():
    azure = CATALOG.rtt("azure:eastus", "azure:eastus")
    assert azure.p50_ms == 2.0
    assert azure.source.startswith("assumption:")
    gcp = CATALOG.rtt("gcp:northamerica-south1", "gcp:northamerica-south1")
    assert gcp.source.startswith("assumption:")
    assert gcp.p50_ms == max(CATALOG.rtt(r.id, r.id).p50_ms for r in CATALOG.regions_of("gcp") if r.id != gcp.a)


def test_cross_provider_pair_is_estimated_above_the_floor():
    figure = CATALOG.rtt("aws:us-east-1", "gcp:europe-west1")
    assert figure.estimated
    assert figure.source == "estimate"
    assert figure.p95_ms is None
    assert figure.p50_ms >= figure.floor_ms > 0
    assert "estimated from the published" in figure.basis and "another provider's backbone" in figure.basis
    assert CATALOG.rtt("gcp:europe-west1", "aws:us-east-1").p50_ms == figure.p50_ms


def test_far_from_every_measured_pair_the_fitted_inflation_is_used():
    site = SimpleNamespace(name="dc:south-pole", lat=-89.9, lon=0.0, zones=1, rtt_ms={})
    figure = CATALOG.with_sites([site]).rtt("dc:south-pole", "aws:us-east-1")
    assert figure.estimated and "great-circle distance" in figure.basis and "fitted on" in figure.basis
    assert figure.p50_ms >= figure.floor_ms


def test_estimates_from_nearby_pairs_predict_the_published_ones():
    """Each published pair, hidden with its reverse, estimated from the rest: the median error the
    basis text quotes (PROXY_MEDIAN_ERROR) is what this measures (4.9% when written)."""
    pairs = {(a, b): pair for a, b, pair in CATALOG.published_pairs() if pair.distance_km is not None}
    errors = []
    for (a, b), pair in list(pairs.items())[::7]:  # every 7th pair keeps the test fast
        hidden = {key: value for key, value in pairs.items() if set(key) != {a, b}}
        catalog = Catalog(CATALOG.regions, hidden, {}, {}, CATALOG.sources, None, fit_from=CATALOG)
        errors.append(abs(catalog.rtt(a, b).p50_ms - pair.p50_ms) / pair.p50_ms)
    assert statistics.median(errors) <= PROXY_MEDIAN_ERROR + 0.01


def test_every_located_pair_is_at_or_above_the_fiber_floor():
    located = [region for region in CATALOG.regions.values() if region.lat is not None]
    assert len(located) == 131
    for a in located:
        for b in located:
            figure = CATALOG.rtt(a.id, b.id)
            assert figure.p50_ms >= fiber_floor_ms(a.distance_km(b)), (a.id, b.id, figure)


def test_unlocated_region_uses_published_pairs_but_cannot_be_estimated():
    published = CATALOG.rtt("gcp:us-east7", "gcp:us-central1")
    assert not published.estimated
    assert published.distance_km is None and published.floor_ms is None
    with pytest.raises(CatalogError, match="gcp:us-east7 has no published location"):
        CATALOG.rtt("gcp:us-east7", "aws:us-east-1")


def test_fit_on_the_catalog_is_a_modest_inflation_with_measured_error():
    fit = CATALOG.inflation_fit
    assert fit.pairs == 4870
    assert 1.0 < fit.slope < 2.1  # cloud backbones beat the public-Internet 2.1x rule of thumb
    assert 0 < fit.intercept_ms < 10
    assert fit.median_relative_error < 0.14  # measured 0.131 on the 2026 data


def test_typo_suggests_the_intended_region_first():
    assert CATALOG.suggest("aws:us-east-l")[0] == "aws:us-east-1"


def test_wrong_provider_suggests_the_same_region_name_elsewhere():
    assert "aws:us-east-1" in CATALOG.suggest("gcp:us-east-1")
    assert len(CATALOG.suggest("gcp:us-east-1")) <= 3


def test_unknown_region_error_carries_suggestions():
    with pytest.raises(UnknownRegionError) as raised:
        CATALOG.region("gcp:us-east-1")
    error = raised.value
    assert isinstance(error, KeyError) and isinstance(error, ValueError)
    assert "aws:us-east-1" in error.suggestions
    assert str(error).startswith("unknown region 'gcp:us-east-1'; did you mean")
    with pytest.raises(UnknownRegionError):
        CATALOG.rtt("aws:us-east-1", "aws:nowhere-9")


def test_providers_regions_and_azure_pairs():
    assert CATALOG.providers() == ["aws", "azure", "gcp"]
    assert {region.provider for region in CATALOG.regions_of("azure")} == {"azure"}
    assert len(CATALOG.regions) == 135
    assert CATALOG.paired_region("azure:eastus") == "azure:westus"
    assert CATALOG.paired_region("azure:westus") == "azure:eastus"
    assert CATALOG.paired_region("aws:us-east-1") is None


def test_region_metadata():
    region = CATALOG.region("gcp:us-central1")
    assert (region.provider, region.name, region.az_count) == ("gcp", "us-central1", 4)
    assert region.lat == pytest.approx(41.26212)
    assert CATALOG.region("gcp:europe-west5").lat is None


def test_shipped_catalog_is_parsed_once():
    assert load_catalog() is CATALOG


def test_catalog_does_not_import_numpy_or_scipy():
    code = (
        "import sys; from redplan.catalog import load_catalog; "
        "load_catalog().rtt('aws:us-east-1', 'gcp:europe-west1'); "
        "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
