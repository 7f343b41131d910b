import ast
from pathlib import Path

import pytest

from redplan.analysis import cost
from redplan.analysis.cost import (
    HOURS_PER_MONTH,
    SECONDS_PER_MONTH,
    CostEstimate,
    CostItem,
    monthly_bill,
    replication_transfer_gb_per_month,
    static_stability,
    static_stability_factor,
)
from redplan.catalog.prices import load_prices


def monthly_cost(*quantities_and_prices):
    """One provider's bill, itemised, as the engine builds it (see monthly_bill's arguments)."""
    return CostEstimate((monthly_bill(*quantities_and_prices),))


def test_month_is_730_hours():
    assert HOURS_PER_MONTH == 730
    assert SECONDS_PER_MONTH == 2_628_000


def test_three_m6i_xlarge_for_a_month_at_the_catalog_price():
    aws = load_prices().provider("aws")
    assert aws.instance.usd_per_hour == 0.192
    estimate = monthly_cost(3, aws.instance.usd_per_hour, 0, 0, {}, {}, 0, 0)
    assert estimate.total == pytest.approx(3 * 0.192 * 730)
    assert estimate.total == pytest.approx(420.48)
    assert estimate.breakdown[0] == CostItem("instances", pytest.approx(420.48), "3 × $0.192/h × 730 h")


def test_replication_of_2000_writes_of_1_kib_to_two_remote_regions():
    volumes = replication_transfer_gb_per_month(2000, 1024, {"inter_region": 2})
    expected_bytes = 2000 * 1024 * 2 * 730 * 3600
    assert expected_bytes == 10_764_288_000_000
    assert volumes == {"inter_region": pytest.approx(expected_bytes / 1e9)}
    assert volumes["inter_region"] == pytest.approx(10_764.288)
    aws = load_prices().provider("aws")
    estimate = monthly_cost(0, 0, 0, 0, volumes, aws.transfer_usd_by_class, 0, 0)
    assert estimate.total == pytest.approx(10_764.288 * 0.02)
    assert estimate.total == pytest.approx(215.28576)


def test_replication_splits_by_class():
    volumes = replication_transfer_gb_per_month(100, 1000, {"cross_az": 2, "intercontinental": 1})
    assert volumes["cross_az"] == pytest.approx(100 * 1000 * 2 * SECONDS_PER_MONTH / 1e9)
    assert volumes["intercontinental"] == pytest.approx(volumes["cross_az"] / 2)


def test_full_bill_breakdown_sums_to_total():
    # 3 instances at $0.192/h, 3 x 500 GB gp3 at $0.08, 100 GB cross-AZ at $0.02 effective,
    # 1,000 GB to another region at $0.02, 2,000 GB of backups at $0.023
    estimate = monthly_cost(
        3, 0.192, 1500, 0.08, {"cross_az": 100, "inter_region": 1000}, {"cross_az": 0.02, "inter_region": 0.02}, 2000, 0.023
    )
    items = {item.item: item.usd for item in estimate.breakdown}
    assert items == {
        "instances": pytest.approx(420.48),
        "block storage": pytest.approx(120.0),
        "transfer cross_az": pytest.approx(2.0),
        "transfer inter_region": pytest.approx(20.0),
        "backup storage": pytest.approx(46.0),
    }
    assert estimate.total == pytest.approx(420.48 + 120 + 2 + 20 + 46)
    assert all(item.basis for item in estimate.breakdown)


def test_transfer_without_a_price_is_an_error_not_free():
    with pytest.raises(ValueError, match="no price for transfer class 'internet'"):
        monthly_cost(1, 1, 0, 0, {"internet": 10}, {"cross_az": 0.02}, 0, 0)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_negative_or_non_finite_inputs_are_rejected(bad):
    with pytest.raises(ValueError, match="instances"):
        monthly_cost(bad, 1, 0, 0, {}, {}, 0, 0)


@pytest.mark.parametrize(("domains", "factor"), [(2, 2.0), (3, 1.5), (4, 4 / 3), (1, 1.0)])
def test_static_stability_factor(domains, factor):
    assert static_stability_factor(domains) == pytest.approx(factor)


def test_single_domain_cannot_survive_and_says_so():
    single = static_stability(1)
    assert (single.factor, single.survives_domain_loss) == (1.0, False)
    assert "cannot survive" in single.note
    assert static_stability(3).survives_domain_loss


@pytest.mark.parametrize("bad", [0, -2, 2.5, True])
def test_static_stability_needs_a_whole_positive_count(bad):
    with pytest.raises(ValueError, match="domains"):
        static_stability_factor(bad)


def test_cost_module_imports_nothing_of_redplan():
    tree = ast.parse(Path(cost.__file__).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if name and name.startswith("redplan") and not name.startswith("redplan.analysis")]
    assert not [name for name in imported if name and name.split(".")[0] in ("numpy", "scipy")]
